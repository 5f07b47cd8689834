"""SQL for orders and checkout idempotency records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from threadline.core.clock import clock
from threadline.db import insert_ignoring_conflicts
from threadline.orders.models import IdempotencyRecord, Order, OrderEvent, OrderLine


async def idempotency_record(
    db: AsyncSession, customer_id: str, key: str
) -> IdempotencyRecord | None:
    return await db.get(IdempotencyRecord, (customer_id, key), populate_existing=True)


async def save_idempotency(
    db: AsyncSession,
    customer_id: str,
    key: str,
    digest: str,
    *,
    status_code: int,
    order_id: str | None,
    response: dict[str, Any] | None,
) -> None:
    db.add(
        IdempotencyRecord(
            customer_id=customer_id,
            key=key,
            request_hash=digest,
            status_code=status_code,
            order_id=order_id,
            response=response,
            created_at=clock.now(),
        )
    )
    await db.flush()


async def save_idempotency_if_absent(
    db: AsyncSession,
    customer_id: str,
    key: str,
    digest: str,
    *,
    status_code: int,
    response: dict[str, Any] | None,
) -> None:
    """Record an answer that holds no order (a decline), unless the key already has one.

    A decline is recorded after the session lock is gone, so a concurrent attempt with the same
    key may have recorded its own answer first; that one stands.
    """
    await db.execute(
        insert_ignoring_conflicts(db, IdempotencyRecord, ["customer_id", "key"]).values(
            customer_id=customer_id,
            key=key,
            request_hash=digest,
            status_code=status_code,
            order_id=None,
            response=response,
            created_at=clock.now(),
        )
    )


async def get(db: AsyncSession, order_id: str, *, for_update: bool = False) -> Order | None:
    return await db.get(Order, order_id, with_for_update=for_update, populate_existing=True)


async def lines(db: AsyncSession, order_id: str) -> list[OrderLine]:
    rows = await db.scalars(
        select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.line_id)
    )
    return list(rows)


async def events(db: AsyncSession, order_id: str) -> list[OrderEvent]:
    rows = await db.scalars(
        select(OrderEvent).where(OrderEvent.order_id == order_id).order_by(OrderEvent.event_id)
    )
    return list(rows)


async def for_customer(
    db: AsyncSession, customer_id: str, *, limit: int, offset: int
) -> list[Order]:
    rows = await db.scalars(
        select(Order)
        .where(Order.customer_id == customer_id)
        .order_by(Order.created_at.desc(), Order.order_id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows)


async def add_event(
    db: AsyncSession, order_id: str, status: str, note: str | None, *, at: datetime | None = None
) -> None:
    db.add(OrderEvent(order_id=order_id, status=status, note=note, created_at=at or clock.now()))


async def paid_total(db: AsyncSession, customer_id: str) -> int:
    """What the customer has paid for orders, net of what was fully refunded (paise)."""
    total = await db.scalar(
        select(func.coalesce(func.sum(Order.total_paise), 0)).where(
            Order.customer_id == customer_id,
            Order.payment_status.in_(("captured", "partially_refunded")),
        )
    )
    return int(total or 0)
