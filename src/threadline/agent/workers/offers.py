"""The loyalty and offers worker: coupons, automatic offers, tier and points."""

from __future__ import annotations

from threadline.agent.turn import Outcome, Turn
from threadline.cart import service as cart
from threadline.loyalty import service as loyalty
from threadline.loyalty.errors import InvalidCoupon


async def apply_coupon(turn: Turn, code: str) -> Outcome:
    if not (turn.data.get("cart") or []):
        return Outcome("coupon_rejected", {"code": code, "error": "Your cart is empty."})
    try:
        view = await cart.apply_coupon(turn.db, turn.settings, turn.cache, turn.ctx, code)
    except InvalidCoupon as exc:
        return Outcome("coupon_rejected", {"code": code.upper(), "error": exc.message})
    return Outcome("applied_coupon", {"code": code.upper()}, cart=view)


async def overview(turn: Turn) -> Outcome:
    offers = await loyalty.active_offers(turn.db)
    customer = turn.customer
    return Outcome(
        "showed_offers",
        {
            "offers": [o.description for o in offers],
            "tier": turn.tier.tier if turn.tier else None,
            "tier_percent": turn.tier.discount_percent if turn.tier else 0,
            "points_per_100": turn.tier.points_per_100 if turn.tier else 0,
            "points": int(customer.loyalty_points) if customer else 0,
            "point_value_paise": turn.settings.loyalty_point_value_paise,
        },
    )
