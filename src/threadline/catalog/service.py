"""Products as the API shows them, and the few reads other domains need.

Money is integer paise inside; ``rupees`` turns it into the API's number.  Every write to the
catalog calls ``bump_version`` in the same transaction so each server process's search index
knows to rebuild (see ``catalog.search``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from threadline.catalog.errors import InvalidSize, ProductNotFound
from threadline.catalog.models import CatalogState, Product
from threadline.core.clock import clock
from threadline.db import dialect_insert


def rupees(paise: int) -> float:
    """Paise → rupees for the API (₹1,299.50 is ``1299.5``)."""
    return round(paise / 100, 2)


def paise(rupee_amount: float) -> int:
    return round(rupee_amount * 100)


def image_url(product: Product) -> str:
    return product.image_url or f"/products/{product.sku}/image.svg"


def render(product: Product) -> dict[str, Any]:
    """The contract's ``Product`` object."""
    return {
        "sku": product.sku,
        "name": product.name,
        "brand": product.brand,
        "category": product.category,
        "subcategory": product.subcategory,
        "gender": product.gender,
        "color": product.color,
        "sizes": list(product.sizes),
        "price": rupees(product.price_paise),
        "mrp": rupees(product.mrp_paise),
        "discount_percent": (
            round(100 * (product.mrp_paise - product.price_paise) / product.mrp_paise)
            if product.mrp_paise
            else 0
        ),
        "occasion": product.occasion,
        "description": product.description,
        "image_url": image_url(product),
        "rating": product.rating,
        "rating_count": product.rating_count,
        "material": product.material,
    }


async def get(db: AsyncSession, sku: str) -> Product:
    product = await db.get(Product, sku)
    if product is None or not product.is_active:
        raise ProductNotFound()
    return product


async def get_many(db: AsyncSession, skus: Iterable[str]) -> dict[str, Product]:
    wanted = set(skus)
    if not wanted:
        return {}
    rows = await db.scalars(select(Product).where(Product.sku.in_(wanted)))
    return {p.sku: p for p in rows}


def check_size(product: Product, size: str | None) -> str:
    """The product's own spelling of ``size`` (case-insensitive match), or ``invalid_size``."""
    if not size:
        if len(product.sizes) == 1:
            return str(product.sizes[0])
        raise InvalidSize("Choose a size: " + ", ".join(product.sizes) + ".", field="size")
    wanted = size.strip().lower()
    for offered in product.sizes:
        if str(offered).lower() == wanted:
            return str(offered)
    raise InvalidSize(f"{product.name} comes in " + ", ".join(product.sizes) + ".", field="size")


async def catalog_version(db: AsyncSession) -> int:
    version = await db.scalar(select(CatalogState.version).where(CatalogState.id == 1))
    return int(version or 0)


async def bump_version(db: AsyncSession) -> None:
    """Mark the catalog changed (call in the transaction that changed it)."""
    now = clock.now()
    result = await db.execute(
        update(CatalogState)
        .where(CatalogState.id == 1)
        .values(version=CatalogState.version + 1, updated_at=now)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        stmt = dialect_insert(db, CatalogState).values(id=1, version=1, updated_at=now)
        await db.execute(
            stmt.on_conflict_do_update(
                index_elements=["id"], set_={"version": CatalogState.version + 1}
            )
        )
