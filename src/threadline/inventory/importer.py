"""Import stock levels and stores from CSV: ``threadline import stock|stores FILE``.

Stock, native layout (header names, any order)::

    sku, size, store_id, qty

``qty`` is the number of units on hand, and importing *sets* it (a second import of the same
file changes nothing).  A file without a ``size`` column — the seed system's
``inventory_realistic.csv`` (``sku, store_id, qty``) — gives one figure per product and
location: it is spread evenly over the product's sizes, the first sizes taking any remainder,
and the report says so.  Unknown skus, unknown stores, sizes the product is not sold in and
quantities that are not whole numbers of at least 0 are rejected row by row.

Stores, native layout::

    store_id, name, kind (store | warehouse), city, state, area, pincode, latitude, longitude,
    opening_time, closing_time (HH:MM), phone, is_active

The seed system's ``stores.csv`` (19 columns: ``store_name``, ``mall_or_area``,
``contact_phone``, ``status`` …) is read through the same aliases; its Flagship, Mall and
High-Street store types are all shops.  Columns a store has no place for are listed, not kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from threadline.catalog import service as catalog
from threadline.core.clock import clock
from threadline.core.csvimport import (
    BATCH,
    ImportReport,
    LayoutError,
    Lined,
    RowError,
    Target,
    canon,
    checked_rows,
    find_columns,
    read_header,
    write_batch,
)
from threadline.inventory.models import StockLevel, Store

log = structlog.get_logger()

__all__ = ["ImportReport", "LayoutError", "import_stock", "import_stores"]

STOCK_ALIASES = {
    "sku": ("sku", "product_id", "item_code"),
    "size": ("size", "variant_size"),
    "store_id": ("store_id", "store", "location", "location_id", "warehouse"),
    "qty": ("qty", "quantity", "stock", "units", "on_hand"),
}
STORE_ALIASES = {
    "store_id": ("store_id", "id", "store_code"),
    "name": ("name", "store_name"),
    "kind": ("kind", "store_type", "type"),
    "city": ("city",),
    "state": ("state",),
    "area": ("area", "mall_or_area", "locality", "address"),
    "pincode": ("pincode", "pin", "pin_code", "postal_code", "zip"),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "lng", "lon", "long"),
    "opening_time": ("opening_time", "opens", "open_time"),
    "closing_time": ("closing_time", "closes", "close_time"),
    "phone": ("phone", "contact_phone", "telephone", "mobile"),
    "is_active": ("is_active", "active", "status"),
}
STOCK = Target(StockLevel.__table__, key=("sku", "size", "store_id"), compared=("qty",))
_STORE_COLUMNS = tuple(c.name for c in Store.__table__.columns)
STORES = Target(
    Store.__table__,
    key=("store_id",),
    compared=tuple(c for c in _STORE_COLUMNS if c not in {"store_id", "created_at"}),
    insert_only=("created_at",),
)
WAREHOUSE_WORDS = {"warehouse", "dc", "distribution centre", "fulfilment centre", "online"}
TRUE_WORDS = {"true", "yes", "y", "1", "active", "open"}
FALSE_WORDS = {"false", "no", "n", "0", "inactive", "closed", "disabled"}
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::\d{2})?$")


def _quantity(value: str | None) -> int:
    text = (value or "").strip()
    try:
        number = float(text)
    except ValueError:
        raise RowError(f"qty {text!r} is not a whole number") from None
    if number != number or number in (float("inf"), float("-inf")) or number != int(number):
        raise RowError(f"qty {text!r} is not a whole number")
    if number < 0:
        raise RowError(f"qty {text} is negative")
    if number > 1_000_000:
        raise RowError(f"qty {text} is more than 1,000,000 units")
    return int(number)


async def import_stock(
    db: AsyncSession, path: Path, *, on_progress: Callable[[int], None] | None = None
) -> ImportReport:
    """Set stock levels from the file; raises ``LayoutError`` if it lacks sku, store or qty."""
    columns = find_columns(read_header(path), STOCK_ALIASES)
    absent = [name for name in ("sku", "store_id", "qty") if name not in columns]
    if absent:
        raise LayoutError(f"the stock file has no {', '.join(absent)} column")
    report = ImportReport()
    spread = "size" not in columns
    known_stores = set(await db.scalars(select(Store.store_id)))
    if not known_stores:
        report.notes.append(
            "there are no stores yet: load them first (threadline import stores FILE, or "
            "threadline load-demo)"
        )
    seen: dict[tuple[str, str], int] = {}
    pending: list[tuple[int, dict[str, Any]]] = []
    for line, raw in checked_rows(path, report, on_progress):
        try:
            row: dict[str, Any] = {
                name: (raw.get(column) or "").strip() for name, column in columns.items()
            }
            if not row["sku"]:
                raise RowError("sku is empty")
            if row["store_id"] not in known_stores:
                raise RowError(f"unknown store {row['store_id']!r}")
            row["qty"] = _quantity(row["qty"])
        except RowError as exc:
            report.rejected.append((line, str(exc)))
        else:
            pending.append((line, row))
        if len(pending) >= BATCH:
            await _write_stock(db, pending, seen, report)
            pending = []
    if pending:
        await _write_stock(db, pending, seen, report)
    if spread:
        report.notes.append(
            "the file has no size column: each quantity was spread evenly over the product's "
            f"sizes ({report.read - len(report.rejected)} rows became "
            f"{report.inserted + report.updated + report.unchanged} size-level stock rows)"
        )
    report.rejected.sort()
    log.info(
        "inventory.stock_imported",
        read=report.read,
        inserted=report.inserted,
        rejected=len(report.rejected),
    )
    return report


async def _write_stock(
    db: AsyncSession,
    pending: list[tuple[int, dict[str, Any]]],
    seen: dict[tuple[str, str], int],
    report: ImportReport,
) -> None:
    products = await catalog.get_many(db, {row["sku"] for _, row in pending})
    now = clock.now()
    levels: list[Lined] = []
    for line, row in pending:
        product = products.get(row["sku"])
        try:
            if product is None:
                raise RowError(f"unknown sku {row['sku']!r}")
            sizes = [str(s) for s in product.sizes]
            if not sizes:
                raise RowError(f"product {row['sku']} lists no sizes")
            if "size" in row:
                sizes = [_size(row["size"], sizes)]
            key = (f"{row['sku']}/{row.get('size', '*')}", row["store_id"])
            if key in seen:
                raise RowError(f"this sku, size and store appear earlier (line {seen[key]})")
            seen[key] = line
        except RowError as exc:
            report.rejected.append((line, str(exc)))
            continue
        share, extra = divmod(row["qty"], len(sizes))
        for i, size in enumerate(sizes):
            qty = share + (1 if i < extra else 0)
            level = {"sku": row["sku"], "size": size, "store_id": row["store_id"], "qty": qty}
            levels.append((line, {**level, "updated_at": now}))
    if levels:
        await write_batch(db, STOCK, levels, report)


def _size(given: str, offered: list[str]) -> str:
    for size in offered:
        if size.lower() == given.lower():
            return size  # the product's own spelling
    if not given:
        raise RowError("size is empty")
    raise RowError(f"size {given!r} is not one of {', '.join(offered)}")


async def import_stores(
    db: AsyncSession, path: Path, *, on_progress: Callable[[int], None] | None = None
) -> ImportReport:
    """Upsert stores by ``store_id``; raises ``LayoutError`` without store_id, name and city."""
    headers = read_header(path)
    columns = find_columns(headers, STORE_ALIASES)
    absent = [name for name in ("store_id", "name", "city") if name not in columns]
    if absent:
        raise LayoutError(f"the stores file has no {', '.join(absent)} column")
    report = ImportReport()
    if {"store_name", "mall_or_area"} <= {canon(h) for h in headers}:
        report.notes.append("recognised the seed system's stores file; every store_type is a shop")
    unused = [h for h in headers if h.strip() and h not in columns.values()]
    if unused:
        report.notes.append("not kept (a store has no place for them): " + ", ".join(unused))
    seen: dict[str, int] = {}
    batch: list[Lined] = []
    for line, raw in checked_rows(path, report, on_progress):
        try:
            row = _store(raw, columns)
            if row["store_id"] in seen:
                raise RowError(
                    f"store_id {row['store_id']} appears earlier (line {seen[row['store_id']]})"
                )
        except RowError as exc:
            report.rejected.append((line, str(exc)))
        else:
            seen[row["store_id"]] = line
            batch.append((line, row))
    for start in range(0, len(batch), BATCH):
        await write_batch(db, STORES, batch[start : start + BATCH], report)
    report.rejected.sort()
    log.info(
        "inventory.stores_imported",
        read=report.read,
        inserted=report.inserted,
        rejected=len(report.rejected),
    )
    return report


def _store(raw: dict[str, Any], columns: dict[str, str]) -> dict[str, Any]:
    def get(name: str, limit: int) -> str | None:
        value = " ".join(str(raw.get(columns.get(name, ""), "") or "").split())
        return value[:limit] or None

    store_id = get("store_id", 1000)
    if not store_id or len(store_id) > 40:
        raise RowError("store_id must be 1 to 40 characters")
    name, city = get("name", 160), get("city", 80)
    if not name or not city:
        raise RowError("name and city are required")
    kind = (get("kind", 40) or "store").lower()
    return {
        "store_id": store_id,
        "name": name,
        "kind": "warehouse" if kind in WAREHOUSE_WORDS else "store",
        "city": city,
        "state": get("state", 80),
        "area": get("area", 160),
        "pincode": get("pincode", 12),
        "latitude": _degrees(get("latitude", 40), "latitude", 90),
        "longitude": _degrees(get("longitude", 40), "longitude", 180),
        "opening_time": _time(get("opening_time", 20), "opening_time"),
        "closing_time": _time(get("closing_time", 20), "closing_time"),
        "phone": get("phone", 24),
        "is_active": _flag(get("is_active", 20)),
        "created_at": clock.now(),
    }


def _degrees(value: str | None, name: str, limit: int) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        raise RowError(f"{name} {value!r} is not a number") from None
    if not -limit <= number <= limit:
        raise RowError(f"{name} {value} is not from -{limit} to {limit}")
    return number


def _time(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    match = _TIME.match(value)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise RowError(f"{name} {value!r} is not a time like 10:00")
    return f"{int(match[1]):02d}:{match[2]}"


def _flag(value: str | None) -> bool:
    if value is None or value.lower() in TRUE_WORDS:
        return True
    if value.lower() in FALSE_WORDS:
        return False
    raise RowError(f"is_active {value!r} is neither yes nor no")
