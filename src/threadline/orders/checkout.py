"""Checkout: the cart becomes an order, stock and payment together or not at all.

One transaction, holding the session's row lock from start to end:

1. the ``(customer, Idempotency-Key)`` record is looked up: a replay returns the stored result
   (``200`` with the order, or the same ``402``), a different body is ``422
   idempotency_key_reused``; the session lock serialises two requests with one key;
2. the cart is repriced from the store; a total that moved since the shopper saw it is ``409
   cart_changed`` (and the cart shows the new figures);
3. stock is taken with conditional updates (``inventory.take``), points and coupon uses likewise;
4. the gateway is asked for the money.  A decline rolls all of that back, then records the attempt
   and the ``402`` under the key in a transaction of its own, so the cart and stock are untouched;
5. the order, its lines, history, points and the idempotency record are written and the cart is
   emptied, and the transaction commits.  Should that commit fail, the payment is refunded.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from threadline.cart import service as carts
from threadline.cart.errors import EmptyCart
from threadline.config import Settings
from threadline.core import metrics
from threadline.core.clock import clock
from threadline.db import commit_now, rollback_now
from threadline.inventory import service as inventory
from threadline.loyalty import pricing
from threadline.loyalty import service as loyalty
from threadline.orders import placement, repository
from threadline.orders.errors import CartChanged, IdempotencyKeyReused, OrderNotFound
from threadline.orders.schemas import CheckoutRequest
from threadline.payments import service as payments
from threadline.payments.errors import PaymentDeclined
from threadline.payments.gateway import Charge, PaymentGateway, PaymentResult
from threadline.sessions import service as sessions
from threadline.sessions.cache import SessionCache
from threadline.sessions.state import SessionContext

log = structlog.get_logger()


@dataclass(slots=True)
class Outcome:
    status_code: int
    order: dict[str, Any]


class _Replay(Exception):
    def __init__(self, status_code: int, body: dict[str, Any]) -> None:
        self.status_code = status_code
        self.body = body


def fingerprint(body: CheckoutRequest) -> str:
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def checkout(
    db: AsyncSession,
    settings: Settings,
    cache: SessionCache,
    gateway: PaymentGateway,
    ctx: SessionContext,
    *,
    key: str,
    body: CheckoutRequest,
) -> Outcome:
    customer_id = ctx.session.customer_id
    digest = fingerprint(body)
    placed: dict[str, Any] = {}

    async def place(data: dict[str, Any]) -> None:
        record = await repository.idempotency_record(db, customer_id, key)
        if record is not None:
            if record.request_hash != digest:
                raise IdempotencyKeyReused(field="Idempotency-Key")
            raise _Replay(record.status_code, record.response or {"order_id": record.order_id})
        try:
            await _place(db, settings, gateway, ctx, data, body=body, placed=placed)
        except CartChanged:
            # Keep the repriced cart (written when this returns), then tell the client.
            placed["changed"] = True

    try:
        await sessions.update_data(db, settings, cache, ctx, place)
        if placed.get("changed"):
            await commit_now(db)
            raise CartChanged()
        await repository.save_idempotency(
            db,
            customer_id,
            key,
            digest,
            status_code=201,
            order_id=placed["order_id"],
            response=None,
        )
        await commit_now(db)
    except _Replay as replay:
        await rollback_now(db)
        return await _replayed(db, customer_id, replay)
    except PaymentDeclined as declined:
        await rollback_now(db)
        await _record_decline(db, ctx.channel, customer_id, key, digest, body, declined)
        raise
    except BaseException:
        # Anything failing after the charge (a flush, the commit) must not keep the money.
        await _refund_if_charged(gateway, placed)
        raise
    log.info(
        "checkout.success",
        order_id=placed["order_id"],
        total_paise=placed["total_paise"],
        method=body.payment_method,
        fulfillment=body.fulfillment.type,
    )
    return Outcome(201, placed["rendered"])


async def _place(
    db: AsyncSession,
    settings: Settings,
    gateway: PaymentGateway,
    ctx: SessionContext,
    data: dict[str, Any],
    *,
    body: CheckoutRequest,
    placed: dict[str, Any],
) -> None:
    """Place the order; ``placed`` learns of a payment as soon as it is taken."""
    customer_id = ctx.session.customer_id
    shown = (data.get("cart_totals") or {}).get("total")
    if not data.get("cart"):
        raise EmptyCart()
    repriced = await carts.reprice(db, customer_id, data)
    if not repriced.lines:
        raise EmptyCart("Nothing in the cart is on sale any more.")
    if shown is not None and float(shown) != float(data["cart_totals"]["total"]):
        raise CartChanged()
    store = await placement.check_fulfillment(db, body)
    takes = await placement.sources(db, repriced, body, store)

    order_id = placement.new_order_id()
    priced = repriced.priced
    points = 0
    if body.use_loyalty_points:
        points = pricing.redeemable_points(
            await loyalty.balance(db, customer_id),
            priced.total_paise,
            point_value_paise=settings.loyalty_point_value_paise,
            max_percent=settings.loyalty_max_redeem_percent,
        )
        await loyalty.change_points(db, customer_id, -points, reason="redeemed", order_id=order_id)
    to_pay = priced.total_paise - points * settings.loyalty_point_value_paise
    if repriced.coupon is not None:
        await loyalty.redeem_coupon(db, repriced.coupon.code, customer_id, order_id)
    order, rendered = await placement.write_order(
        db,
        settings,
        ctx,
        order_id=order_id,
        repriced=repriced,
        takes=takes,
        body=body,
        store=store,
        points=points,
        to_pay=to_pay,
    )
    # Counted here, where the order is written: the transaction decides.  A decline or stock
    # gone below rolls it back, and the count with it.
    _count_order(db, ctx.channel, body, to_pay)
    # Stock last: its row locks are held only from here to the commit, so checkouts of
    # popular items queue behind as little work as possible.
    await inventory.take(db, takes)
    result = await _charge(gateway, body, to_pay, order_id, customer_id)
    placed.update(
        order_id=order_id,
        total_paise=to_pay,
        payment_ref=result.provider_ref if result.status == "captured" else None,
        rendered=rendered,
    )
    await placement.record_payment(db, order, result, rendered)
    carts.clear(data)
    data["last_action"] = "checkout"
    data["last_order_id"] = order_id


async def _charge(
    gateway: PaymentGateway,
    body: CheckoutRequest,
    amount_paise: int,
    order_id: str,
    customer_id: str,
) -> PaymentResult:
    result = await gateway.charge(
        Charge(
            amount_paise=amount_paise,
            method=body.payment_method,
            reference=order_id,
            customer_id=customer_id,
            token=body.payment_token,
        )
    )
    if result.status == "declined":
        declined = PaymentDeclined(
            (result.decline_reason or "The payment was declined.")
            + " Nothing was charged and your cart is kept.",
            alternatives=placement.alternatives(body),
        )
        declined.amount_paise = amount_paise
        raise declined
    return result


async def _refund_if_charged(gateway: PaymentGateway, placed: dict[str, Any]) -> None:
    if placed.get("payment_ref"):
        await gateway.refund(
            placed["payment_ref"],
            placed["total_paise"],
            idempotency_key=f"{placed['order_id']}:failed-checkout",
        )
        log.warning("checkout.refunded_after_failure", order_id=placed["order_id"])


def _count_order(db: AsyncSession, channel: str, body: CheckoutRequest, paid_paise: int) -> None:
    """The order and its value, counted when (and only if) its transaction commits."""
    metrics.count_on_commit(
        db,
        metrics.ORDERS_PLACED,
        channel=channel,
        payment_method=body.payment_method,
        fulfillment=body.fulfillment.type,
    )
    metrics.count_on_commit(db, metrics.REVENUE, paid_paise / 100, channel=channel)


async def _record_decline(
    db: AsyncSession,
    channel: str,
    customer_id: str,
    key: str,
    digest: str,
    body: CheckoutRequest,
    declined: PaymentDeclined,
) -> None:
    """Keep the decline (for the same-key replay, and the operators' numbers), nothing else."""
    await payments.record_attempt(
        db,
        customer_id=customer_id,
        order_id=None,
        method=body.payment_method,
        amount_paise=declined.amount_paise,
        status="declined",
        provider_ref=None,
        decline_reason=declined.message[:200],
        at=clock.now(),
    )
    await repository.save_idempotency_if_absent(
        db, customer_id, key, digest, status_code=402, response=declined.body()
    )
    metrics.count_on_commit(
        db, metrics.PAYMENT_DECLINES, channel=channel, payment_method=body.payment_method
    )
    await commit_now(db)
    log.info("checkout.declined", method=body.payment_method)


async def _replayed(db: AsyncSession, customer_id: str, replay: _Replay) -> Outcome:
    if replay.status_code == 402:
        error = replay.body.get("error", {})
        raise PaymentDeclined(
            error.get("message", PaymentDeclined.message),
            alternatives=replay.body.get("alternatives", []),
        )
    order_id = replay.body.get("order_id")
    order = await repository.get(db, str(order_id)) if order_id else None
    if order is None or order.customer_id != customer_id:
        raise OrderNotFound("The order made with this key is no longer available.")
    return Outcome(200, await placement.render(db, order))
