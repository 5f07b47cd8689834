"""Returns and exchanges, within the return window after the goods were received.

A return puts the units back where they came from, refunds what the customer really paid for
those lines (each line carries its share of every discount and of the points used), gives back
the points redeemed for them and takes back the points they earned.  An exchange swaps the
line for another size of the same product, with no money moving.  The order row is locked, so
two requests cannot return one line twice.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from threadline.catalog import service as catalog
from threadline.config import Settings
from threadline.core import metrics
from threadline.core.clock import clock
from threadline.inventory import service as inventory
from threadline.inventory.errors import OutOfStock
from threadline.inventory.service import Take
from threadline.loyalty import service as loyalty
from threadline.loyalty.models import LoyaltyEntry
from threadline.orders import fulfilment, repository
from threadline.orders.errors import AlreadyReturned, InvalidReturnLines, ReturnNotAllowed
from threadline.orders.models import Order, OrderLine, ReturnRequest
from threadline.orders.schemas import ReturnCreate
from threadline.orders.service import own_order
from threadline.payments.gateway import PaymentGateway

log = structlog.get_logger()


async def request_return(
    db: AsyncSession,
    settings: Settings,
    gateway: PaymentGateway,
    customer_id: str,
    order_id: str,
    body: ReturnCreate,
) -> Order:
    order = await own_order(db, customer_id, order_id, for_update=True)
    _check_window(order, settings)
    lines = {line.line_id: line for line in await repository.lines(db, order_id)}
    chosen = []
    for line_id in dict.fromkeys(body.line_ids):
        line = lines.get(line_id)
        if line is None:
            raise InvalidReturnLines(
                f"{line_id} is not a line of order {order_id}.", field="line_ids"
            )
        if line.returned_qty >= line.qty:
            raise AlreadyReturned(
                f"{line.name} ({line.size}) was already returned.", field="line_ids"
            )
        chosen.append(line)
    if body.exchange_size:
        record = await _exchange(db, order, chosen, body)
    else:
        record = await _refund(
            db,
            gateway,
            order,
            chosen,
            list(lines.values()),
            body,
            point_value_paise=settings.loyalty_point_value_paise,
        )
    db.add(record)
    order.updated_at = clock.now()
    await db.flush()
    channel = order.channel or "unknown"
    metrics.count_on_commit(db, metrics.RETURNS, channel=channel, kind=record.kind)
    if record.refund_paise:
        metrics.count_on_commit(db, metrics.REFUNDS, record.refund_paise / 100, channel=channel)
    log.info("order.return", order_id=order_id, kind=record.kind, refund_paise=record.refund_paise)
    return order


def _check_window(order: Order, settings: Settings) -> None:
    if order.received_at is None:
        raise ReturnNotAllowed(
            f"Order {order.order_id} is {order.status}: items can be returned once received."
        )
    closes = order.received_at + timedelta(days=settings.return_window_days)
    if clock.now() > closes:
        raise ReturnNotAllowed(
            f"The {settings.return_window_days}-day return window closed on {closes.date()}."
        )


async def _refund(
    db: AsyncSession,
    gateway: PaymentGateway,
    order: Order,
    chosen: list[OrderLine],
    all_lines: list[OrderLine],
    body: ReturnCreate,
    *,
    point_value_paise: int,
) -> ReturnRequest:
    refund = 0
    returned: list[dict[str, Any]] = []
    for line in chosen:
        qty = line.qty - line.returned_qty
        refund += _paid(line) * qty // line.qty
        line.returned_qty = line.qty
        returned.append({"line_id": line.line_id, "qty": qty})
    everything = all(x.returned_qty >= x.qty for x in all_lines)
    # Each line's discount includes its share of the points spent, so ``refund`` is the money
    # paid for these lines and goes back as money.  Points (redeemed ones given back, earned
    # ones taken back) follow the share of the value returned so far, counted cumulatively so
    # the last return settles them exactly, with nothing stranded by rounding.
    earlier_value, earlier_back, earlier_reversed = await _earlier_returns(db, order, all_lines)
    so_far = earlier_value + refund

    def portion(points: int) -> int:
        if everything:
            return points
        return points * so_far // order.total_paise if order.total_paise else 0

    # Points before stock: the same lock order as checkout (customer row, then stock rows).
    points_back = max(0, portion(order.points_redeemed) - earlier_back)
    if points_back:
        await loyalty.change_points(
            db, order.customer_id, points_back, reason="refunded", order_id=order.order_id
        )
    to_reverse = max(0, portion(order.loyalty_points_earned) - earlier_reversed)
    taken = await loyalty.take_back_points(
        db, order.customer_id, to_reverse, order_id=order.order_id
    )
    # Earned points already spent cannot be taken back: their value comes off the money.
    money_back = max(0, refund - (to_reverse - taken) * point_value_paise)
    await inventory.put_back(db, [Take(x.sku, x.size, x.store_id, x.qty) for x in chosen])
    order.status = "returned" if everything else "partially_returned"
    refundable = order.payment_status in {"captured", "partially_refunded"}
    order.payment_status = "refunded" if everything else "partially_refunded"
    names = ", ".join(f"{x.name} ({x.size})" for x in chosen)
    await repository.add_event(
        db, order.order_id, order.status, f"Returned {names}; ₹{money_back / 100:,.2f} refunded"
    )
    record = ReturnRequest(
        return_id=fulfilment.new_return_id(),
        order_id=order.order_id,
        kind="return",
        reason=body.reason,
        lines=returned,
        refund_paise=money_back,
        points_reversed=to_reverse,
        status="refunded",
        created_at=clock.now(),
    )
    db.add(record)
    await db.flush()
    if money_back and refundable and order.payment_ref:
        # Last, after every row is written; keyed by the lines so a retry is not paid twice.
        key = f"{order.order_id}:return:" + ",".join(sorted(x["line_id"] for x in returned))
        await gateway.refund(order.payment_ref, money_back, idempotency_key=key[:255])
    return record


def _paid(line: OrderLine) -> int:
    return line.line_total_paise - line.discount_paise


async def _earlier_returns(
    db: AsyncSession, order: Order, all_lines: list[OrderLine]
) -> tuple[int, int, int]:
    """Value of the lines returned before, redeemed points given back, earned ones settled."""
    records = list(
        await db.scalars(
            select(ReturnRequest).where(
                ReturnRequest.order_id == order.order_id, ReturnRequest.kind == "return"
            )
        )
    )
    by_id = {line.line_id: line for line in all_lines}
    value = sum(
        _paid(by_id[x["line_id"]]) * int(x["qty"]) // by_id[x["line_id"]].qty
        for record in records
        for x in record.lines
        if x["line_id"] in by_id
    )
    given_back = await db.scalar(
        select(func.coalesce(func.sum(LoyaltyEntry.points), 0)).where(
            LoyaltyEntry.order_id == order.order_id, LoyaltyEntry.reason == "refunded"
        )
    )
    return value, int(given_back or 0), sum(r.points_reversed for r in records)


async def _exchange(
    db: AsyncSession, order: Order, chosen: list[OrderLine], body: ReturnCreate
) -> ReturnRequest:
    swapped: list[dict[str, Any]] = []
    for line in chosen:
        product = await catalog.get(db, line.sku)
        size = catalog.check_size(product, body.exchange_size)
        qty = line.qty - line.returned_qty
        source = await inventory.best_source(db, line.sku, size, qty)
        if source is None:
            raise OutOfStock(f"{line.name} in size {size} is out of stock.", field="exchange_size")
        await inventory.put_back(db, [Take(line.sku, line.size, line.store_id, qty)])
        await inventory.take(db, [Take(line.sku, size, source, qty)])
        line.returned_qty = line.qty
        replacement = OrderLine(
            line_id=str(uuid.uuid4()),
            order_id=order.order_id,
            sku=line.sku,
            name=line.name,
            size=size,
            qty=qty,
            unit_price_paise=line.unit_price_paise,
            line_total_paise=line.line_total_paise * qty // line.qty,
            discount_paise=line.discount_paise * qty // line.qty,
            store_id=source,
        )
        db.add(replacement)
        swapped.append(
            {
                "line_id": line.line_id,
                "qty": qty,
                "new_size": size,
                "new_line_id": replacement.line_id,
            }
        )
    await repository.add_event(
        db, order.order_id, order.status, f"Exchange for size {body.exchange_size} on its way"
    )
    return ReturnRequest(
        return_id=fulfilment.new_return_id(),
        order_id=order.order_id,
        kind="exchange",
        reason=body.reason,
        lines=swapped,
        refund_paise=0,
        points_reversed=0,
        status="exchanged",
        created_at=clock.now(),
    )
