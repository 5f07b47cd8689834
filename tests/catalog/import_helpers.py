"""Helpers for the demo-catalog and import tests: a migrated store, imports run as staff would."""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import SHARED_DATA, make_settings
from threadline.catalog.service import catalog_version
from threadline.core.csvimport import ImportReport
from threadline.db import create_engine, create_sessionmaker, session_scope
from threadline.migrations import migrate

MYNTRA_CSV = SHARED_DATA / "myntra_products_catalog.csv"
SEED_PRODUCTS_CSV = SHARED_DATA / "ey_codecrafters" / "merged_products_902_rows.csv"
SEED_STOCK_CSV = SHARED_DATA / "ey_codecrafters" / "inventory_realistic.csv"
SEED_STORES_CSV = SHARED_DATA / "ey_codecrafters" / "stores.csv"

Maker = async_sessionmaker[AsyncSession]
Importer = Callable[..., Awaitable[ImportReport]]


@asynccontextmanager
async def store(database_url: str) -> AsyncIterator[Maker]:
    """A migrated, empty store at ``database_url``."""
    engine = create_engine(make_settings(database_url))
    await migrate(engine)
    try:
        yield create_sessionmaker(engine)
    finally:
        await engine.dispose()


async def run(maker: Maker, importer: Importer, path: Path, **options: Any) -> ImportReport:
    """One import in its own unit of work, committed like the CLI's."""
    async with session_scope(maker) as db:
        return await importer(db, path, **options)


async def count(maker: Maker, model: Any, *where: Any) -> int:
    async with maker() as db:
        return int(await db.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def fetch(maker: Maker, model: Any, key: Any) -> Any:
    async with maker() as db:
        return await db.get(model, key)


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Path:
    """A CSV file with ``header`` on line 1 and ``rows`` on the lines after it."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def reasons(report: ImportReport) -> dict[int, str]:
    """Rejected rows by line number."""
    return dict(report.rejected)


async def version(maker: Maker) -> int:
    """The catalog version search indexes compare against."""
    async with maker() as db:
        return await catalog_version(db)
