"""The cart: lines in the session (``session.data.cart``), repriced from the store on every change.

The session keeps the seed's structure: ``data.cart`` is the list of lines exactly as ``GET
/cart`` shows them, ``data.cart_coupon`` the code the shopper entered, and ``data.cart_totals``
the totals, offers and coupon state from the last repricing.  The client never sends a price:
every change reloads the products, offers, coupon and tier from the store and recomputes all of
it under the session's row lock, so two devices editing one cart never lose a change.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from threadline.activity import service as activity
from threadline.activity.models import CART
from threadline.cart.errors import CartFull, CartLineNotFound
from threadline.catalog import service as catalog
from threadline.catalog.models import Product
from threadline.config import Settings
from threadline.core import metrics
from threadline.customers import service as customers
from threadline.db import writes_refused_recently
from threadline.inventory import service as inventory
from threadline.inventory.errors import OutOfStock
from threadline.loyalty import pricing
from threadline.loyalty import service as loyalty
from threadline.loyalty.errors import InvalidCoupon
from threadline.sessions import service as sessions
from threadline.sessions.cache import SessionCache
from threadline.sessions.state import SessionContext

rupees = catalog.rupees
MAX_LINES = 50


@dataclass(slots=True)
class Repriced:
    """A cart after repricing: the lines, their products and the arithmetic."""

    lines: list[dict[str, Any]]
    products: dict[str, Product]
    priced: pricing.Priced
    coupon: pricing.CouponRule | None
    tier: pricing.TierRule | None


def view(data: dict[str, Any]) -> dict[str, Any]:
    """The contract's Cart object from session data (what ``GET /cart`` returns)."""
    totals = data.get("cart_totals") or {}
    return {
        "items": list(data.get("cart") or []),
        "subtotal": totals.get("subtotal", 0.0),
        "discount": totals.get("discount", 0.0),
        "total": totals.get("total", 0.0),
        "applied_offers": totals.get("applied_offers", []),
        "coupon": totals.get("coupon"),
        "item_count": sum(int(line.get("qty", 0)) for line in data.get("cart") or []),
        "loyalty": totals.get("loyalty"),
    }


async def reprice(db: AsyncSession, customer_id: str, data: dict[str, Any]) -> Repriced:
    """Rebuild ``data``'s cart from current prices and rules; drops lines whose product is gone."""
    raw = [line for line in data.get("cart") or [] if isinstance(line, dict) and line.get("sku")]
    products = await catalog.get_many(db, (str(line["sku"]) for line in raw))
    lines: list[dict[str, Any]] = []
    for line in raw:
        product = products.get(str(line["sku"]))
        if product is None or not product.is_active:
            continue
        qty = max(1, int(line.get("qty") or 1))
        unit = product.price_paise
        lines.append(
            {
                "line_id": str(line.get("line_id") or uuid.uuid4()),
                "sku": product.sku,
                "name": product.name,
                "size": str(line.get("size") or ""),
                "qty": qty,
                "unit_price": rupees(unit),
                "line_total": rupees(unit * qty),
                "image_url": catalog.image_url(product),
            }
        )
    customer = await customers.get(db, customer_id)
    tier = await loyalty.tier(db, customer.loyalty_tier if customer else None)
    coupon, coupon_error = None, None
    code = data.get("cart_coupon")
    if code:
        try:
            coupon = await loyalty.coupon(db, code, customer_id)
        except InvalidCoupon as exc:
            coupon_error = exc.message
    priced = pricing.price(
        [_priced_line(line, products[line["sku"]]) for line in lines],
        offers=await loyalty.active_offers(db),
        coupon=coupon,
        tier=tier,
    )
    data["cart"] = lines
    data["cart_totals"] = _totals(priced, code, coupon_error, tier, customer)
    return Repriced(lines, products, priced, coupon if not priced.coupon_problem else None, tier)


def _priced_line(line: dict[str, Any], product: Product) -> pricing.PricedLine:
    return pricing.PricedLine(
        line_id=line["line_id"],
        sku=product.sku,
        category=product.category,
        brand=product.brand,
        unit_price_paise=product.price_paise,
        qty=int(line["qty"]),
    )


def _totals(
    priced: pricing.Priced,
    code: str | None,
    coupon_error: str | None,
    tier: pricing.TierRule | None,
    customer: Any,
) -> dict[str, Any]:
    problem = coupon_error or priced.coupon_problem
    return {
        "subtotal": rupees(priced.subtotal_paise),
        "discount": rupees(priced.discount_paise),
        "total": rupees(priced.total_paise),
        "applied_offers": [
            {"kind": d.kind, "code": d.code, "label": d.label, "amount": rupees(d.amount_paise)}
            for d in priced.discounts
        ],
        "coupon": (
            {"code": code, "applied": problem is None, "message": problem} if code else None
        ),
        "loyalty": {
            "tier": tier.tier if tier else None,
            "points_balance": int(customer.loyalty_points) if customer else 0,
            "points_to_earn": pricing.points_earned(priced.total_paise, tier),
        },
    }


async def _change(
    db: AsyncSession,
    settings: Settings,
    cache: SessionCache,
    ctx: SessionContext,
    edit: Any,
    operation: str | None = None,
) -> dict[str, Any]:
    """Apply ``edit`` and reprice under the session's lock; ``operation`` names the shopper's
    change for the metrics (None: a reprice nobody asked for)."""

    async def mutate(data: dict[str, Any]) -> None:
        await edit(data)
        await reprice(db, ctx.session.customer_id, data)
        data["last_action"] = "cart_updated"

    ctx = await sessions.update_data(db, settings, cache, ctx, mutate)
    if operation is not None:
        metrics.count_on_commit(db, metrics.CART_WRITES, channel=ctx.channel, operation=operation)
    return view(ctx.session.data)


async def get_cart(
    db: AsyncSession, settings: Settings, cache: SessionCache, ctx: SessionContext
) -> dict[str, Any]:
    """The cart at today's prices; the session is rewritten only if something changed."""
    current = dict(ctx.session.data)
    before = (current.get("cart"), current.get("cart_totals"))
    await reprice(db, ctx.session.customer_id, current)
    if (current.get("cart"), current.get("cart_totals")) == before or writes_refused_recently(db):
        # Unchanged; or the disk is full: today's prices are shown, stored another time.
        return view(current)

    async def noop(data: dict[str, Any]) -> None:
        return None

    return await _change(db, settings, cache, ctx, noop)


async def add_item(
    db: AsyncSession,
    settings: Settings,
    cache: SessionCache,
    ctx: SessionContext,
    *,
    sku: str,
    size: str | None,
    qty: int,
) -> dict[str, Any]:
    product = await catalog.get(db, sku)
    chosen = catalog.check_size(product, size)

    async def edit(data: dict[str, Any]) -> None:
        lines = data.setdefault("cart", [])
        line = next((x for x in lines if x.get("sku") == sku and x.get("size") == chosen), None)
        wanted = qty + (int(line["qty"]) if line else 0)
        await _check_stock(db, product, chosen, wanted)
        if line is not None:
            line["qty"] = wanted
        elif len(lines) >= MAX_LINES:
            raise CartFull(f"A cart holds at most {MAX_LINES} different items.", field="sku")
        else:
            lines.append({"line_id": str(uuid.uuid4()), "sku": sku, "size": chosen, "qty": qty})

    cart = await _change(db, settings, cache, ctx, edit, "add")
    await activity.record(db, settings, ctx, CART)
    return cart


async def set_qty(
    db: AsyncSession,
    settings: Settings,
    cache: SessionCache,
    ctx: SessionContext,
    *,
    line_id: str,
    qty: int,
) -> dict[str, Any]:
    async def edit(data: dict[str, Any]) -> None:
        lines = data.get("cart") or []
        line = _find(lines, line_id)
        if qty == 0:
            lines.remove(line)
            return
        product = await catalog.get(db, str(line["sku"]))
        await _check_stock(db, product, str(line["size"]), qty)
        line["qty"] = qty

    return await _change(db, settings, cache, ctx, edit, "change" if qty else "remove")


async def remove_item(
    db: AsyncSession, settings: Settings, cache: SessionCache, ctx: SessionContext, line_id: str
) -> dict[str, Any]:
    async def edit(data: dict[str, Any]) -> None:
        lines = data.get("cart") or []
        lines.remove(_find(lines, line_id))

    return await _change(db, settings, cache, ctx, edit, "remove")


async def apply_coupon(
    db: AsyncSession, settings: Settings, cache: SessionCache, ctx: SessionContext, code: str
) -> dict[str, Any]:
    """Put a coupon on the cart: 422 ``invalid_coupon`` unless it is valid and applies now."""
    rule = await loyalty.coupon(db, code, ctx.session.customer_id)

    async def edit(data: dict[str, Any]) -> None:
        data["cart_coupon"] = rule.code
        repriced = await reprice(db, ctx.session.customer_id, data)
        if repriced.priced.coupon_problem:
            raise InvalidCoupon(repriced.priced.coupon_problem, field="code")

    return await _change(db, settings, cache, ctx, edit, "coupon")


async def remove_coupon(
    db: AsyncSession, settings: Settings, cache: SessionCache, ctx: SessionContext
) -> dict[str, Any]:
    async def edit(data: dict[str, Any]) -> None:
        data["cart_coupon"] = None

    return await _change(db, settings, cache, ctx, edit, "coupon_removed")


def clear(data: dict[str, Any]) -> None:
    """Empty the cart after an order (call inside a locked session update)."""
    data["cart"] = []
    data["cart_coupon"] = None
    data["cart_totals"] = None


def _find(lines: list[dict[str, Any]], line_id: str) -> dict[str, Any]:
    for line in lines:
        if str(line.get("line_id")) == line_id:
            return line
    raise CartLineNotFound()


async def _check_stock(db: AsyncSession, product: Product, size: str, qty: int) -> None:
    # One order line ships from, or is collected at, one place: what counts is the most any
    # single location holds, the same rule checkout applies.
    available = await inventory.most_at_one_place(db, product.sku, size)
    if available < qty:
        left = f"only {available} available in one order" if available else "it is out of stock"
        raise OutOfStock(f"{product.name} in size {size}: {left}.", field="qty")
