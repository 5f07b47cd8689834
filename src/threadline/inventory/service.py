"""Stock per sku, size and location, and the atomic moves that change it.

Every decrement is one conditional statement, ``UPDATE stock SET qty = qty - :n WHERE … AND
qty >= :n``: two checkouts racing for the last unit both run it, the store serialises them on the
row, and exactly one sees a row updated.  No read-then-write, so no lost update on either store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from threadline.core.clock import clock
from threadline.db import dialect_insert
from threadline.inventory.errors import OutOfStock, StoreNotFound
from threadline.inventory.models import ONLINE_STORE_ID, StockLevel, Store


@dataclass(frozen=True, slots=True)
class Take:
    """``qty`` units of ``sku``/``size`` from ``store_id``."""

    sku: str
    size: str
    store_id: str
    qty: int


async def stores(db: AsyncSession, *, include_warehouses: bool = False) -> list[Store]:
    query = select(Store).where(Store.is_active).order_by(Store.city, Store.store_id)
    if not include_warehouses:
        query = query.where(Store.kind == "store")
    return list(await db.scalars(query))


async def get_store(db: AsyncSession, store_id: str) -> Store:
    store = await db.get(Store, store_id)
    if store is None or not store.is_active:
        raise StoreNotFound(field="store_id")
    return store


async def availability(db: AsyncSession, sku: str, size: str | None) -> dict[str, Any]:
    """Units online and per shop, for one size or summed over sizes."""
    on = (StockLevel.store_id == Store.store_id) & (StockLevel.sku == sku)
    if size is not None:
        on &= StockLevel.size == size
    # An outer join, so a shop without the item is listed with 0 rather than left out.
    query = (
        select(
            Store.store_id,
            Store.name,
            Store.city,
            Store.kind,
            func.coalesce(func.sum(StockLevel.qty), 0),
        )
        .outerjoin(StockLevel, on)
        .where(Store.is_active)
        .group_by(Store.store_id, Store.name, Store.city, Store.kind)
        .order_by(Store.city, Store.store_id)
    )
    online = 0
    shops = []
    for store_id, name, city, kind, units in await db.execute(query):
        if kind == "warehouse":
            online += int(units)
        else:
            shops.append({"store_id": store_id, "name": name, "city": city, "qty": int(units)})
    return {"sku": sku, "size": size, "online": online, "stores": shops}


async def units(db: AsyncSession, sku: str, size: str, store_id: str | None = None) -> int:
    """Units of one variant at one location, or (``None``) at all locations."""
    query = select(func.coalesce(func.sum(StockLevel.qty), 0)).where(
        StockLevel.sku == sku, StockLevel.size == size
    )
    if store_id is not None:
        query = query.where(StockLevel.store_id == store_id)
    return int(await db.scalar(query) or 0)


async def most_at_one_place(db: AsyncSession, sku: str, size: str) -> int:
    """The most units of one variant that any single active location holds."""
    query = (
        select(func.coalesce(func.max(StockLevel.qty), 0))
        .join(Store, Store.store_id == StockLevel.store_id)
        .where(StockLevel.sku == sku, StockLevel.size == size, Store.is_active)
    )
    return int(await db.scalar(query) or 0)


async def take(db: AsyncSession, takes: Sequence[Take]) -> None:
    """Remove every ``take`` or raise ``OutOfStock`` naming the first that cannot be had.

    The caller's transaction makes the whole set atomic: on ``OutOfStock`` it rolls back, and
    the units already taken go back with it.
    """
    now = clock.now()
    # A fixed order means two checkouts of the same variants lock rows in the same order.
    for item in sorted(takes, key=lambda t: (t.sku, t.size, t.store_id)):
        result = await db.execute(
            update(StockLevel)
            .where(
                StockLevel.sku == item.sku,
                StockLevel.size == item.size,
                StockLevel.store_id == item.store_id,
                StockLevel.qty >= item.qty,
            )
            .values(qty=StockLevel.qty - item.qty, updated_at=now)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise OutOfStock(
                f"Sorry, {item.sku} in size {item.size} has just sold out there.", field="items"
            )


async def put_back(db: AsyncSession, gives: Sequence[Take]) -> None:
    """Return units to stock (a return, a lapsed reservation, a cancelled order)."""
    now = clock.now()
    for item in sorted(gives, key=lambda t: (t.sku, t.size, t.store_id)):
        stmt = dialect_insert(db, StockLevel).values(
            sku=item.sku, size=item.size, store_id=item.store_id, qty=item.qty, updated_at=now
        )
        await db.execute(
            stmt.on_conflict_do_update(
                index_elements=["sku", "size", "store_id"],
                set_={"qty": StockLevel.qty + item.qty, "updated_at": now},
            )
        )


async def best_source(db: AsyncSession, sku: str, size: str, qty: int) -> str | None:
    """Where a delivery of ``qty`` units should ship from: the online warehouse, else the shop
    with the most units; ``None`` when no single location has them."""
    rows = await db.execute(
        select(StockLevel.store_id, StockLevel.qty, Store.kind)
        .join(Store, Store.store_id == StockLevel.store_id)
        .where(
            StockLevel.sku == sku,
            StockLevel.size == size,
            StockLevel.qty >= qty,
            Store.is_active,
        )
        .order_by(StockLevel.qty.desc())
    )
    candidates = list(rows)
    for store_id, _, kind in candidates:
        if kind == "warehouse" or store_id == ONLINE_STORE_ID:
            return str(store_id)
    return str(candidates[0][0]) if candidates else None


async def stock_by_sku(db: AsyncSession, skus: Sequence[str]) -> dict[str, dict[str, int]]:
    """Units per size at all active locations for each of ``skus`` (one query)."""
    if not skus:
        return {}
    query = (
        select(StockLevel.sku, StockLevel.size, func.sum(StockLevel.qty))
        .join(Store, Store.store_id == StockLevel.store_id)
        .where(StockLevel.sku.in_(list(dict.fromkeys(skus))), Store.is_active)
        .group_by(StockLevel.sku, StockLevel.size)
    )
    found: dict[str, dict[str, int]] = {sku: {} for sku in skus}
    for sku, size, units in await db.execute(query):
        found[sku][size] = int(units or 0)
    return found


# Old and new names of the same city, as shoppers and store records spell them.
_CITY_NAMES = {
    "bangalore": "bengaluru",
    "bombay": "mumbai",
    "madras": "chennai",
    "calcutta": "kolkata",
    "gurgaon": "gurugram",
    "delhi": "delhi",
    "new delhi": "delhi",
    "poona": "pune",
}


def city_key(name: str) -> str:
    """One spelling per city: "Bangalore" and "Bengaluru", "Delhi" and "New Delhi" match."""
    key = " ".join(name.lower().replace(".", " ").split())
    return _CITY_NAMES.get(key, key)


def in_city(store_city: str, wanted: str) -> bool:
    return city_key(store_city) == city_key(wanted)
