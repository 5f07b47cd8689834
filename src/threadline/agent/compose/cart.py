"""Replies about the cart: items added or changed, coupons, offers and sold-out sizes."""

from __future__ import annotations

from threadline.agent.compose.common import (
    Context,
    Rendered,
    cart_summary,
    listing,
    money,
    offer_nudge,
    tier_saving,
)
from threadline.agent.turn import Outcome


def added(o: Outcome, ctx: Context) -> Rendered:
    f = o.facts
    p = f["product"]
    qty = int(f.get("qty") or 1)
    what = f"{qty} × {p['name']}" if qty > 1 else p["name"]
    parts = [f"Added {what} in size {f['size']} to your cart."]
    if f.get("remembered_size"):
        parts[0] = f"Added {what} in size {f['size']} (the size you chose before) to your cart."
    cart = o.cart or ctx.cart or {}
    parts.append(cart_summary(cart))
    if f.get("low_stock"):
        parts.append(f"Only {f['low_stock']} left in {f['size']}, so don't wait too long.")
    saving = tier_saving(cart)
    if saving:
        parts.append(saving)
    nudge = offer_nudge(ctx, cart)
    if nudge:
        parts.append(nudge)
    look = f.get("look") or []
    if look:
        parts.append(
            "It goes well with "
            + " or ".join(f"{x['name']} ({money(x['price'])})" for x in look[:2])
            + "."
        )
    return " ".join(parts), ["Checkout", "Complete the look", "Show more", "My cart"]


def shown(o: Outcome, ctx: Context) -> Rendered:
    cart = o.cart or {}
    items = cart.get("items") or []
    if not items:
        return "Your cart is empty. What can I find for you?", ["Show me shirts", "Any offers?"]
    lines = [
        f"{i}. {x['name']} ({x['size']}) × {x['qty']} — {money(x['line_total'])}"
        for i, x in enumerate(items, 1)
    ]
    text = "Your cart:\n" + "\n".join(lines) + "\n" + cart_summary(cart)
    nudge = offer_nudge(ctx, cart)
    if nudge:
        text += " " + nudge
    return text, ["Checkout", "Apply a coupon", "Continue shopping"]


def updated(o: Outcome, ctx: Context) -> Rendered:
    line = o.facts.get("line") or {}
    cart = o.cart or {}
    if o.facts.get("size"):
        head = f"Changed {line.get('name', 'the item')} to size {o.facts['size']}."
    else:
        head = f"Updated {line.get('name', 'the item')} to {o.facts.get('qty')}."
    return f"{head} {cart_summary(cart)}", ["Checkout", "My cart"]


def removed(o: Outcome, ctx: Context) -> Rendered:
    line = o.facts.get("line") or {}
    cart = o.cart or {}
    return (
        f"Removed {line.get('name', 'the item')} ({line.get('size', '')}) from your cart. "
        + cart_summary(cart),
        ["Checkout", "Continue shopping"],
    )


def coupon(o: Outcome, ctx: Context) -> Rendered:
    if o.action == "coupon_rejected":
        return f"I couldn't apply {o.facts['code']}: {o.facts['error']}", ["Any offers?", "My cart"]
    cart = o.cart or {}
    coupon = cart.get("coupon") or {}
    saved = next(
        (a["amount"] for a in cart.get("applied_offers") or [] if a.get("kind") == "coupon"), 0
    )
    text = f"Coupon {o.facts['code']} applied"
    text += f": you save {money(saved)}." if saved else "."
    if coupon.get("message"):
        text += f" {coupon['message']}"
    return f"{text} {cart_summary(cart)}", ["Checkout", "My cart"]


def offers(o: Outcome, ctx: Context) -> Rendered:
    f = o.facts
    parts = []
    if f["offers"]:
        parts.append("Current offers: " + "; ".join(f["offers"]) + ".")
    else:
        parts.append("There are no store-wide offers right now.")
    if f.get("tier"):
        tier = f"You're a {str(f['tier']).title()} member"
        if f.get("tier_percent"):
            tier += f": {f['tier_percent']}% off every order"
        per = int(f["points_per_100"])
        tier += f", and you earn {per} point{'s' if per != 1 else ''} per ₹100."
        parts.append(tier)
    points = int(f.get("points") or 0)
    if points:
        worth = points * int(f["point_value_paise"]) / 100
        parts.append(
            f'You have {points:,} points (worth {money(worth)}); say "use my points" at checkout.'
        )
    return " ".join(parts), ["My cart", "Show me shirts", "Checkout"]


def out_of_stock(o: Outcome, ctx: Context) -> Rendered:
    f = o.facts
    if f.get("error"):
        return f"Sorry — {f['error']}", ["My cart", "Show similar"]
    p = f["product"]
    parts = [f"Sorry, {p['name']} is sold out in size {f['size']}."]
    if f.get("other_sizes"):
        parts.append("It's still available in " + ", ".join(f["other_sizes"]) + ".")
    if o.products:
        parts.append("Similar ones in your size:\n" + listing(o.products))
    return " ".join(parts), ["Show similar", "Talk to a person"]
