"""Turning a priced cart into order rows, and orders into the contract's ``Order`` object."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from threadline.activity import service as activity
from threadline.activity.models import ORDER
from threadline.cart.service import Repriced
from threadline.catalog.service import rupees
from threadline.config import Settings
from threadline.core.clock import clock
from threadline.customers import service as customers
from threadline.inventory import service as inventory
from threadline.inventory.errors import OutOfStock
from threadline.inventory.models import Store
from threadline.inventory.service import Take
from threadline.loyalty import pricing
from threadline.loyalty import service as loyalty
from threadline.orders import fulfilment, repository
from threadline.orders.errors import InvalidFulfillment
from threadline.orders.models import Order, OrderLine, ReturnRequest
from threadline.orders.schemas import CheckoutRequest
from threadline.payments import service as payments
from threadline.payments.gateway import PaymentResult
from threadline.sessions.state import SessionContext

log = structlog.get_logger()
new_order_id = fulfilment.new_order_id


async def check_fulfillment(db: AsyncSession, body: CheckoutRequest) -> Store | None:
    """The shop for a pickup or reservation (``None`` for delivery), or a clear 4xx."""
    choice = body.fulfillment
    if choice.type == "delivery":
        if choice.address is None:
            raise InvalidFulfillment(
                "Delivery needs an address with line1, city and a 6-digit pincode.",
                field="fulfillment.address",
            )
        return None
    if not choice.store_id:
        raise InvalidFulfillment(
            "Choose the store to collect from (fulfillment.store_id).", field="fulfillment.store_id"
        )
    store = await inventory.get_store(db, choice.store_id)
    if store.kind != "store":
        raise InvalidFulfillment(
            "That location is a warehouse; choose a store.", field="fulfillment.store_id"
        )
    return store


async def sources(
    db: AsyncSession, repriced: Repriced, body: CheckoutRequest, store: Store | None
) -> list[Take]:
    """Where each line's units come from: the chosen shop, or the best place to ship from."""
    takes = []
    for line in repriced.lines:
        sku, size, qty = line["sku"], line["size"], int(line["qty"])
        if store is not None:
            if await inventory.units(db, sku, size, store.store_id) < qty:
                raise OutOfStock(await _elsewhere(db, line, store), field="fulfillment.store_id")
            takes.append(Take(sku, size, store.store_id, qty))
            continue
        source = await inventory.best_source(db, sku, size, qty)
        if source is None:
            raise OutOfStock(f"{line['name']} in size {size} is no longer in stock.", field="items")
        takes.append(Take(sku, size, source, qty))
    return takes


async def _elsewhere(db: AsyncSession, line: dict[str, Any], store: Store) -> str:
    """Why a shop cannot have this line, and which shops can."""
    stock = await inventory.availability(db, line["sku"], line["size"])
    shops = [s["name"] for s in stock["stores"] if s["qty"] >= int(line["qty"])]
    message = f"{line['name']} in size {line['size']} is not in stock at {store.name}."
    if shops:
        return message + " It is at " + ", ".join(shops[:3]) + "."
    if stock["online"] >= int(line["qty"]):
        return message + " It can be delivered instead."
    return message


def alternatives(body: CheckoutRequest) -> list[dict[str, Any]]:
    """What to offer after a decline: other methods, and paying at a shop."""
    offers: list[dict[str, Any]] = [
        {"payment_method": m, "label": label}
        for m, label in (("upi", "Pay by UPI"), ("wallet", "Pay from a wallet"))
        if m != body.payment_method
    ]
    if body.fulfillment.type == "delivery":
        offers.append({"payment_method": "cod", "label": "Cash on delivery"})
    offers.append(
        {
            "payment_method": "cod",
            "fulfillment": "reserve_in_store",
            "label": "Reserve in a store and pay there",
        }
    )
    return offers


async def write_order(
    db: AsyncSession,
    settings: Settings,
    ctx: SessionContext,
    *,
    order_id: str,
    repriced: Repriced,
    takes: list[Take],
    body: CheckoutRequest,
    store: Store | None,
    points: int,
    to_pay: int,
) -> tuple[Order, dict[str, Any]]:
    """Write the order and everything that goes with it, payment still to come."""
    now = clock.now()
    customer_id = ctx.session.customer_id
    priced = repriced.priced
    points_value = points * settings.loyalty_point_value_paise
    net = {
        line["line_id"]: repriced.products[line["sku"]].price_paise * int(line["qty"])
        - priced.line_discounts.get(line["line_id"], 0)
        for line in repriced.lines
    }
    points_share = pricing.spread(points_value, net)
    earned = pricing.points_earned(to_pay, repriced.tier)
    reserve = body.fulfillment.type == "reserve_in_store"
    order = Order(
        order_id=order_id,
        customer_id=customer_id,
        session_id=ctx.session.session_id,
        channel=ctx.channel,
        status="reserved" if reserve else "confirmed",
        subtotal_paise=priced.subtotal_paise,
        discount_paise=priced.discount_paise + points_value,
        total_paise=to_pay,
        applied_offers=[
            {"kind": d.kind, "code": d.code, "label": d.label, "amount": rupees(d.amount_paise)}
            for d in priced.discounts
        ],
        coupon_code=repriced.coupon.code if repriced.coupon else None,
        points_redeemed=points,
        loyalty_points_earned=earned,
        payment_method=body.payment_method,
        payment_status="processing",
        payment_ref=None,
        fulfillment_type=body.fulfillment.type,
        store_id=store.store_id if store else None,
        address=body.fulfillment.address.model_dump() if body.fulfillment.address else None,
        eta=(
            fulfilment.delivery_eta(body.fulfillment.address.city, now)
            if body.fulfillment.address and store is None
            else now.date()
        ),
        pickup_code=fulfilment.pickup_code() if store else None,
        hold_expires_at=now + timedelta(hours=settings.reservation_hold_hours) if reserve else None,
        created_at=now,
        updated_at=now,
    )
    db.add(order)
    await db.flush()
    await activity.record(db, settings, ctx, ORDER)
    source = {(t.sku, t.size): t.store_id for t in takes}
    rows = []
    for line in repriced.lines:
        unit = repriced.products[line["sku"]].price_paise
        rows.append(
            OrderLine(
                line_id=line["line_id"],
                order_id=order_id,
                sku=line["sku"],
                name=line["name"],
                size=line["size"],
                qty=int(line["qty"]),
                unit_price_paise=unit,
                line_total_paise=unit * int(line["qty"]),
                discount_paise=priced.line_discounts.get(line["line_id"], 0)
                + points_share.get(line["line_id"], 0),
                store_id=source[(line["sku"], line["size"])],
                # Set here, not left to the column default: the rows are rendered before flush.
                returned_qty=0,
            )
        )
    db.add_all(rows)
    note = "Reserved: pay and collect at the store" if reserve else "Order placed"
    await repository.add_event(db, order_id, order.status, note, at=now)
    await customers.record_purchases(
        db,
        customer_id,
        [
            {
                "order_id": order_id,
                "sku": line["sku"],
                "size": line["size"],
                "qty": int(line["qty"]),
                "amount": line["line_total"],
                "date": now.date().isoformat(),
            }
            for line in repriced.lines
        ],
    )
    history = [{"status": order.status, "note": note, "at": now}]
    return order, render_loaded(order, rows, history, [], store.name if store else None)


async def credit_points(db: AsyncSession, order: Order) -> None:
    """Points are earned once the order is paid: at checkout, or when cash changes hands;
    the spend then counts towards the next tier."""
    await loyalty.change_points(
        db, order.customer_id, order.loyalty_points_earned, reason="earned", order_id=order.order_id
    )
    await db.flush()  # the store has autoflush off: the paid total must include this order
    tier = await loyalty.promote(
        db, order.customer_id, await repository.paid_total(db, order.customer_id)
    )
    if tier is not None:
        log.info("loyalty.tier_raised", customer_id=order.customer_id, tier=tier)


async def record_payment(
    db: AsyncSession, order: Order, payment: PaymentResult, rendered: dict[str, Any]
) -> None:
    """The gateway's answer, on the order and in the payment log."""
    order.payment_status = payment.status
    order.payment_ref = payment.provider_ref
    if payment.status == "captured":
        await credit_points(db, order)
    rendered["payment"] = {
        "method": order.payment_method,
        "status": payment.status,
        "reference": payment.provider_ref,
    }
    await payments.record_attempt(
        db,
        customer_id=order.customer_id,
        order_id=order.order_id,
        method=order.payment_method,
        amount_paise=order.total_paise,
        status=payment.status,
        provider_ref=payment.provider_ref,
        decline_reason=None,
        at=clock.now(),
    )


async def render(db: AsyncSession, order: Order) -> dict[str, Any]:
    """The contract's ``Order`` object, with lines, status history and returns."""
    lines = await repository.lines(db, order.order_id)
    events = await repository.events(db, order.order_id)
    returns = await db.scalars(
        select(ReturnRequest)
        .where(ReturnRequest.order_id == order.order_id)
        .order_by(ReturnRequest.created_at, ReturnRequest.return_id)
    )
    store = await db.get(Store, order.store_id) if order.store_id else None
    history = [{"status": e.status, "note": e.note, "at": e.created_at} for e in events]
    return render_loaded(order, lines, history, list(returns), store.name if store else None)


def render_loaded(
    order: Order,
    lines: list[OrderLine],
    history: list[dict[str, Any]],
    returns: list[ReturnRequest],
    store_name: str | None,
) -> dict[str, Any]:
    """``render`` from rows already in hand (checkout has them all; no need to read them back)."""
    return {
        "order_id": order.order_id,
        "status": order.status,
        "items": [
            {
                "line_id": line.line_id,
                "sku": line.sku,
                "name": line.name,
                "size": line.size,
                "qty": line.qty,
                "unit_price": rupees(line.unit_price_paise),
                "line_total": rupees(line.line_total_paise),
                "returned_qty": line.returned_qty,
                "store_id": line.store_id,
            }
            for line in sorted(lines, key=lambda x: x.line_id)
        ],
        "subtotal": rupees(order.subtotal_paise),
        "discount": rupees(order.discount_paise),
        "total": rupees(order.total_paise),
        "applied_offers": order.applied_offers,
        "coupon_code": order.coupon_code,
        "points_redeemed": order.points_redeemed,
        "loyalty_points_earned": order.loyalty_points_earned,
        "payment": {
            "method": order.payment_method,
            "status": order.payment_status,
            "reference": order.payment_ref,
        },
        "fulfillment": {
            "type": order.fulfillment_type,
            "store_id": order.store_id,
            "store_name": store_name,
            "address": order.address,
            "eta": order.eta,
            "pickup_code": order.pickup_code,
            "hold_expires_at": order.hold_expires_at,
        },
        "status_history": history,
        "returns": [
            {
                "return_id": r.return_id,
                "kind": r.kind,
                "reason": r.reason,
                "line_ids": [x["line_id"] for x in r.lines],
                "refund": rupees(r.refund_paise),
                "points_reversed": r.points_reversed,
                "status": r.status,
                "created_at": r.created_at,
            }
            for r in returns
        ],
        "channel": order.channel,
        "created_at": order.created_at,
        "updated_at": order.updated_at,
    }
