"""Helpers for the customer tests: run an import as staff would, and read records back."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy import func, select

from tests.conftest import SHARED_DATA
from threadline.customers.importer import ImportReport, import_customers
from threadline.customers.models import Customer

SEED_CSV = SHARED_DATA / "ey_codecrafters" / "customers.csv"


async def import_file(app: FastAPI, path: Path) -> ImportReport:
    async with app.state.sessionmaker() as db:
        report = await import_customers(db, path)
        await db.commit()
    return report


async def load(app: FastAPI, customer_id: str) -> Customer | None:
    async with app.state.sessionmaker() as db:
        return await db.get(Customer, customer_id)


async def count_customers(app: FastAPI) -> int:
    async with app.state.sessionmaker() as db:
        return (await db.execute(select(func.count()).select_from(Customer))).scalar_one()


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Path:
    """A CSV file with ``header`` on line 1 and ``rows`` on the lines after it."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


async def must_load(app: FastAPI, customer_id: str) -> Customer:
    customer = await load(app, customer_id)
    assert customer is not None, f"customer {customer_id} is not in the store"
    return customer
