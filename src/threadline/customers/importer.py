"""Import customer records from CSV: idempotent upsert by ``customer_id``.

Native layout (header names; any order; only ``customer_id`` is required)::

    customer_id, phone, name, email, city, age, gender, loyalty_tier, loyalty_points,
    preferences (JSON object), purchase_history (JSON, or a Python-literal list)

Common aliases are understood (``mobile``/``phone_number``, ``tier``, ``points``, ``id`` …);
any other column is kept in the customer's ``profile``.  A row that cannot be used is reported
with its line number and reason and never stops the rest.  Re-importing the same file changes
nothing; a row without a phone never erases a phone that staff linked earlier.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from threadline.core import csvimport
from threadline.core.clock import clock
from threadline.core.csvimport import (
    RowError,
    checked_rows,
    find_columns,
    read_header,
)
from threadline.core.phone import InvalidPhone, normalize_phone
from threadline.customers.models import Customer
from threadline.db import dialect_insert

BATCH = 500
TIERS = ("bronze", "silver", "gold", "platinum")
ALIASES = {
    "customer_id": ("customer_id", "customerid", "id", "customer"),
    "phone": ("phone", "phone_number", "mobile", "mobile_number", "msisdn", "whatsapp"),
    "name": ("name", "full_name", "customer_name"),
    "email": ("email", "e_mail", "email_address"),
    "city": ("city", "town"),
    "age": ("age",),
    "gender": ("gender", "sex"),
    "loyalty_tier": ("loyalty_tier", "tier", "loyalty_level"),
    "loyalty_points": ("loyalty_points", "points"),
    "preferences": ("preferences",),
    "purchase_history": ("purchase_history", "history", "orders"),
}
UPDATABLE = [
    "name",
    "email",
    "city",
    "age",
    "gender",
    "loyalty_tier",
    "loyalty_points",
    "preferences",
    "profile",
    "purchase_history",
    "updated_at",
]


@dataclass
class ImportReport(csvimport.ImportReport):
    # Records that existed before and were updated (their sessions may show them).
    customer_ids: set[str] = field(default_factory=set)


def map_columns(headers: list[str]) -> tuple[dict[str, str], list[str]]:
    """Native field → the file's header; and the headers kept as profile attributes."""
    mapping = find_columns(headers, ALIASES)
    used = set(mapping.values())
    extras = [h for h in headers if h and h.strip() and h not in used]
    return mapping, extras


def _text(value: str | None, limit: int) -> str | None:
    value = (value or "").strip()
    return value[:limit] or None


def _number(value: str | None, name: str, *, low: int, high: int) -> int | None:
    if value is None or not value.strip():
        return None
    try:
        number = float(value)
    except ValueError:
        raise RowError(f"{name} {value!r} is not a number") from None
    if not low <= number <= high or number != int(number):
        raise RowError(f"{name} {value!r} is not a whole number from {low} to {high}")
    return int(number)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN and Infinity: neither store accepts them


def _strict_json(value: str) -> Any:
    parsed = json.loads(value, parse_constant=_refuse_constant)
    json.dumps(parsed, allow_nan=False)  # 1e400 parses as inf: no store accepts it either
    return parsed


def _structured(value: str | None, name: str, kind: type) -> Any:
    if value is None or not value.strip():
        return kind()
    try:
        parsed = _strict_json(value)
    except ValueError:
        try:
            # The seed system wrote Python reprs ("[{'order_id': …}]"); literal_eval reads them
            # without executing anything.
            parsed = ast.literal_eval(value)
            json.dumps(parsed, allow_nan=False)  # must also be storable as JSON
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            raise RowError(f"{name} is neither JSON nor a Python literal") from None
    if not isinstance(parsed, kind):
        raise RowError(f"{name} must be a {'list' if kind is list else 'mapping'}")
    return parsed


def _extra_value(value: str) -> Any:
    try:
        return _strict_json(value)
    except ValueError:
        return value


def parse_row(raw: dict[str, str], mapping: dict[str, str], extras: list[str]) -> dict[str, Any]:
    def get(name: str) -> str | None:
        return raw.get(mapping[name]) if name in mapping else None

    customer_id = _text(get("customer_id"), 64)
    if not customer_id:
        raise RowError("customer_id is empty")
    phone = None
    raw_phone = (get("phone") or "").strip()
    if raw_phone:
        try:
            phone = normalize_phone(raw_phone)
        except InvalidPhone as exc:
            raise RowError(f"phone {raw_phone!r}: {exc}") from None
    tier = (get("loyalty_tier") or "bronze").strip().lower() or "bronze"
    if tier not in TIERS:
        raise RowError(f"loyalty_tier {get('loyalty_tier')!r} is not one of {', '.join(TIERS)}")
    history = _structured(get("purchase_history"), "purchase_history", list)
    if not all(isinstance(item, dict) for item in history):
        raise RowError("purchase_history must be a list of orders")
    return {
        "customer_id": customer_id,
        "phone": phone,
        "name": _text(get("name"), 120),
        "email": _text(get("email"), 254),
        "city": _text(get("city"), 80),
        "age": _number(get("age"), "age", low=0, high=130),
        "gender": _text(get("gender"), 16),
        "loyalty_tier": tier,
        "loyalty_points": _number(get("loyalty_points"), "loyalty_points", low=0, high=10**9) or 0,
        "preferences": _structured(get("preferences"), "preferences", dict),
        "profile": {
            h.strip(): _extra_value(raw[h]) for h in extras if raw.get(h) not in (None, "")
        },
        "purchase_history": history,
    }


async def import_customers(
    db: AsyncSession, path: Path, *, on_progress: Callable[[int], None] | None = None
) -> ImportReport:
    report = ImportReport()
    mapping, extras = map_columns(read_header(path))
    if "customer_id" not in mapping:
        report.notes.append("the file has no customer_id column: nothing can be imported")
        return report
    if "phone" not in mapping:
        report.notes.append(
            "the file has no phone column: customers are imported without a phone and cannot "
            "log in by phone until staff link one (threadline customers link-phone ID PHONE)"
        )
    for missing in ("name", "email", "loyalty_tier"):
        if missing not in mapping:
            report.notes.append(f"the file has no {missing} column")
    if extras:
        report.notes.append("kept as profile attributes: " + ", ".join(extras))

    batch: list[tuple[int, dict[str, Any]]] = []
    seen_ids: set[str] = set()
    seen_phones: set[str] = set()
    for line, raw in checked_rows(path, report, on_progress):
        try:
            row = parse_row(raw, mapping, extras)
            if row["customer_id"] in seen_ids:
                raise RowError(f"customer_id {row['customer_id']} appears earlier in the file")
            if row["phone"] and row["phone"] in seen_phones:
                raise RowError("this phone appears earlier in the file for another customer")
        except RowError as exc:
            report.rejected.append((line, str(exc)))
        else:
            seen_ids.add(row["customer_id"])
            if row["phone"]:
                seen_phones.add(row["phone"])
            batch.append((line, row))
        if len(batch) >= BATCH:
            await _write_batch(db, batch, report)
            batch = []
    if batch:
        await _write_batch(db, batch, report)
    report.rejected.sort()
    return report


async def _write_batch(
    db: AsyncSession, batch: list[tuple[int, dict[str, Any]]], report: ImportReport
) -> None:
    ids = [row["customer_id"] for _, row in batch]
    phones = [row["phone"] for _, row in batch if row["phone"]]
    found = await db.execute(select(Customer.customer_id).where(Customer.customer_id.in_(ids)))
    existing = set(found.scalars())
    owners: dict[str | None, str] = {}
    if phones:
        taken = await db.execute(
            select(Customer.phone, Customer.customer_id).where(Customer.phone.in_(phones))
        )
        owners = dict(taken.all())
    now = clock.now()
    kept: list[tuple[int, dict[str, Any]]] = []
    values = []
    for line, row in batch:
        owner = owners.get(row["phone"])
        if owner is not None and owner != row["customer_id"]:
            report.rejected.append((line, f"phone already belongs to customer {owner}"))
            continue
        kept.append((line, row))
        values.append({**row, "source": "import", "created_at": now, "updated_at": now})
        if row["customer_id"] in existing:
            report.updated += 1
            report.customer_ids.add(row["customer_id"])
        else:
            report.inserted += 1
    if not values:
        return
    try:
        async with db.begin_nested():
            await db.execute(_upsert(db), values)
    except DBAPIError:
        # Something in the batch the store refused: find the row(s) one by one, keep the rest.
        for (line, row), value in zip(kept, values, strict=True):
            try:
                async with db.begin_nested():
                    await db.execute(_upsert(db), [value])
            except DBAPIError as exc:
                report.rejected.append((line, f"the store refused the row: {exc.orig}"))
                if row["customer_id"] in existing:
                    report.updated -= 1
                    report.customer_ids.discard(row["customer_id"])
                else:
                    report.inserted -= 1


def _upsert(db: AsyncSession) -> Any:
    stmt = dialect_insert(db, Customer)
    # A row without a phone keeps the phone the record already has (e.g. linked by staff).
    stmt = stmt.on_conflict_do_update(
        index_elements=["customer_id"],
        set_={
            **{col: stmt.excluded[col] for col in UPDATABLE},
            "phone": func.coalesce(stmt.excluded.phone, Customer.phone),
        },
    )
    return stmt
