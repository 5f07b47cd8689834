"""Orders after checkout: reading them, moving them along, and releasing lapsed reservations.

Status flow::

    delivery          confirmed → shipped → delivered
    pickup            confirmed → ready_for_pickup → collected
    reserve_in_store  reserved  → collected            (or → expired when the hold lapses)
    any of the above before the goods are handed over  → cancelled

Cancelling or expiring puts the units back on sale and refunds a captured payment.  Status
changes lock the order row, so a staff action and the release job never both act on one order.
"""

from __future__ import annotations

import hmac
from typing import Any

import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from threadline.core import metrics
from threadline.core.clock import clock
from threadline.inventory import service as inventory
from threadline.inventory.service import Take
from threadline.loyalty import service as loyalty
from threadline.orders import placement, repository
from threadline.orders.errors import InvalidPickupCode, InvalidStatusChange, OrderNotFound
from threadline.orders.models import Order
from threadline.payments.gateway import PaymentGateway

log = structlog.get_logger()

NEXT: dict[str, dict[str, set[str]]] = {
    "delivery": {"confirmed": {"shipped", "cancelled"}, "shipped": {"delivered"}},
    "pickup": {
        "confirmed": {"ready_for_pickup", "cancelled"},
        "ready_for_pickup": {"collected", "cancelled"},
    },
    "reserve_in_store": {"reserved": {"collected", "cancelled"}},
}
RECEIVED = frozenset({"delivered", "collected"})


async def list_orders(
    db: AsyncSession, customer_id: str, *, limit: int, offset: int
) -> dict[str, Any]:
    orders = await repository.for_customer(db, customer_id, limit=limit, offset=offset)
    total = await db.scalar(
        select(func.count()).select_from(Order).where(Order.customer_id == customer_id)
    )
    return {"items": [await placement.render(db, o) for o in orders], "total": int(total or 0)}


async def own_order(
    db: AsyncSession, customer_id: str, order_id: str, *, for_update: bool = False
) -> Order:
    """The customer's order; someone else's is reported exactly like a missing one."""
    order = await repository.get(db, order_id, for_update=for_update)
    if order is None or order.customer_id != customer_id:
        raise OrderNotFound()
    return order


async def change_status(
    db: AsyncSession,
    gateway: PaymentGateway,
    order_id: str,
    status: str,
    *,
    pickup_code: str | None = None,
    note: str | None = None,
    point_value_paise: int = 100,
) -> Order:
    """A staff or carrier update (trusted callers only)."""
    order = await repository.get(db, order_id, for_update=True)
    if order is None:
        raise OrderNotFound()
    allowed = NEXT.get(order.fulfillment_type, {}).get(order.status, set())
    if status not in allowed:
        raise InvalidStatusChange(
            f"Order {order_id} is {order.status}; it cannot become {status}.", field="status"
        )
    if status == "collected" and not hmac.compare_digest(
        (pickup_code or "").strip().upper(), order.pickup_code or ""
    ):
        raise InvalidPickupCode(field="pickup_code")
    if status == "cancelled":
        await _undo(
            db,
            gateway,
            order,
            "cancelled",
            note or "Cancelled",
            point_value_paise=point_value_paise,
        )
        await db.flush()  # so the answer's status history has this change
        return order
    now = clock.now()
    order.status = status
    order.updated_at = now
    if status in RECEIVED:
        order.received_at = now
        if order.payment_status == "pending":
            # Cash on delivery or pay at store: the money changes hands with the goods, and
            # the points are earned then.
            order.payment_status = "captured"
            await placement.credit_points(db, order)
    await repository.add_event(db, order_id, status, note)
    await db.flush()  # so the answer's status history has this change
    log.info("order.status_changed", order_id=order_id, status=status)
    return order


async def release_lapsed(
    db: AsyncSession, gateway: PaymentGateway, *, point_value_paise: int = 100
) -> int:
    """Put the stock of reservations whose hold has passed back on sale; returns how many."""
    due = await db.scalars(
        select(Order.order_id).where(
            Order.status == "reserved", Order.hold_expires_at <= clock.now()
        )
    )
    released = 0
    for order_id in list(due):
        order = await repository.get(db, order_id, for_update=True)
        # Re-checked under the lock: a collection may have won the race.
        if order is None or order.status != "reserved":
            continue
        await _undo(
            db,
            gateway,
            order,
            "expired",
            "Not collected in time; items back on sale",
            point_value_paise=point_value_paise,
        )
        released += 1
    if released:
        log.info("orders.reservations_released", count=released)
    return released


async def _undo(
    db: AsyncSession,
    gateway: PaymentGateway,
    order: Order,
    status: str,
    note: str,
    *,
    point_value_paise: int,
) -> None:
    """Cancel or expire: points, then stock (checkout's lock order), and the refund last."""
    refund = 0
    if order.payment_status == "captured":
        # Points earned on a paid order were credited; any already spent come off the refund.
        taken = await loyalty.take_back_points(
            db, order.customer_id, order.loyalty_points_earned, order_id=order.order_id
        )
        shortfall = (order.loyalty_points_earned - taken) * point_value_paise
        refund = max(0, order.total_paise - shortfall)
        order.payment_status = "refunded"
    elif order.payment_status == "pending":
        order.payment_status = "cancelled"
    if order.points_redeemed:
        await loyalty.change_points(
            db, order.customer_id, order.points_redeemed, reason="refunded", order_id=order.order_id
        )
    lines = await repository.lines(db, order.order_id)
    await inventory.put_back(
        db,
        [
            Take(x.sku, x.size, x.store_id, x.qty - x.returned_qty)
            for x in lines
            if x.qty > x.returned_qty
        ],
    )
    order.status = status
    order.updated_at = clock.now()
    await repository.add_event(db, order.order_id, status, note)
    await db.flush()
    channel = order.channel or "unknown"
    metrics.count_on_commit(db, metrics.ORDERS_ENDED, channel=channel, outcome=status)
    if refund:
        metrics.count_on_commit(db, metrics.REFUNDS, refund / 100, channel=channel)
    if refund and order.payment_ref:
        # Keyed, so a retry after a failed commit does not pay twice.
        await gateway.refund(
            order.payment_ref, refund, idempotency_key=f"{order.order_id}:{status}"
        )
