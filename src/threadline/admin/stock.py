"""Stock alerts: sizes a store has run out of or is about to (``qty <= STOCK_ALERT_THRESHOLD``).

Only active products in active locations (shops and the online warehouse).  Most relevant
first: the units of that size sold from that location in the last 30 days, then the fewest
left, then the most popular product (most ratings).  The list is bounded; the counts are not.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from threadline.catalog.models import Product
from threadline.core.clock import clock
from threadline.inventory.models import StockLevel, Store
from threadline.orders.models import Order, OrderLine

SOLD_WINDOW = timedelta(days=30)
NOT_SOLD = ("cancelled", "expired")


async def alerts(db: AsyncSession, *, threshold: int, limit: int = 50) -> dict[str, Any]:
    low = and_(StockLevel.qty <= threshold, Product.is_active.is_(True), Store.is_active.is_(True))

    def joined(*columns: Any) -> Any:
        return (
            select(*columns)
            .join(Product, Product.sku == StockLevel.sku)
            .join(Store, Store.store_id == StockLevel.store_id)
        )

    out = func.coalesce(func.sum(case((StockLevel.qty == 0, 1), else_=0)), 0)
    nearly = func.coalesce(func.sum(case((StockLevel.qty > 0, 1), else_=0)), 0)
    stores = (
        await db.execute(
            joined(Store.store_id, Store.name, out.label("out"), nearly.label("low"))
            .where(low)
            .group_by(Store.store_id, Store.name)
            .order_by(out.desc(), Store.store_id)
        )
    ).all()
    sold = (
        select(
            OrderLine.sku,
            OrderLine.size,
            OrderLine.store_id,
            func.sum(OrderLine.qty).label("units"),
        )
        .join(Order, Order.order_id == OrderLine.order_id)
        .where(Order.created_at >= clock.now() - SOLD_WINDOW, Order.status.not_in(NOT_SOLD))
        .group_by(OrderLine.sku, OrderLine.size, OrderLine.store_id)
        .subquery()
    )
    units = func.coalesce(sold.c.units, 0)
    items = (
        await db.execute(
            joined(
                StockLevel.sku,
                Product.name,
                StockLevel.size,
                StockLevel.store_id,
                Store.name.label("store_name"),
                StockLevel.qty,
                units.label("sold"),
            )
            .outerjoin(
                sold,
                and_(
                    sold.c.sku == StockLevel.sku,
                    sold.c.size == StockLevel.size,
                    sold.c.store_id == StockLevel.store_id,
                ),
            )
            .where(low)
            .order_by(
                units.desc(),
                StockLevel.qty,
                Product.rating_count.desc(),
                StockLevel.sku,
                StockLevel.size,
                StockLevel.store_id,
            )
            .limit(limit)
        )
    ).all()
    return {
        "threshold": threshold,
        "out_of_stock": sum(int(row.out) for row in stores),
        "low": sum(int(row.low) for row in stores),
        "by_store": [
            {"store_id": r.store_id, "name": r.name, "out_of_stock": int(r.out), "low": int(r.low)}
            for r in stores
        ],
        "items": [
            {
                "sku": r.sku,
                "name": r.name,
                "size": r.size,
                "store_id": r.store_id,
                "store_name": r.store_name,
                "qty": int(r.qty),
                "sold_30_days": int(r.sold),
            }
            for r in items
        ],
    }
