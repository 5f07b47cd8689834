"""What every renderer shares: the composer's context and how money, products and carts read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from threadline.loyalty.pricing import OfferRule, TierRule

# A renderer's reply and the suggestions it proposes.
Rendered = tuple[str, list[str]]


@dataclass(slots=True)
class Context:
    """What the composer may mention besides the outcome (all read from the store)."""

    name: str | None = None
    tier: TierRule | None = None
    offers: list[OfferRule] = field(default_factory=list)
    cart: dict[str, Any] | None = None
    welcome_back: dict[str, Any] | None = None
    channel: str = "web"


def money(value: float | int | None) -> str:
    amount = float(value or 0)
    return f"₹{amount:,.0f}" if amount == int(amount) else f"₹{amount:,.2f}"


def _product_line(n: int, product: dict[str, Any]) -> str:
    price = money(product["price"])
    mrp = product.get("mrp") or 0
    off = (
        f" (MRP {money(mrp)}, {product['discount_percent']}% off)" if mrp > product["price"] else ""
    )
    return f"{n}. {named(product)} — {price}{off}"


def named(product: dict[str, Any]) -> str:
    """The product's name, with its brand unless the name already says it."""
    name, brand = str(product["name"]), str(product.get("brand") or "")
    return name if not brand or brand.lower() in name.lower() else f"{name} by {brand}"


def listing(products: list[dict[str, Any]]) -> str:
    return "\n".join(_product_line(i, p) for i, p in enumerate(products, 1))


def tier_line(ctx: Context) -> str | None:
    tier = ctx.tier
    if tier is None or tier.discount_percent <= 0:
        return None
    return (
        f"As a {tier.tier.title()} member you get an extra {tier.discount_percent}% off "
        "at checkout."
    )


def cart_summary(cart: dict[str, Any]) -> str:
    count = int(cart.get("item_count") or 0)
    noun = "item" if count == 1 else "items"
    text = f"Your cart has {count} {noun}, total {money(cart.get('total'))}"
    if cart.get("discount"):
        text += f" after {money(cart['discount'])} off"
    return text + "."


def offer_nudge(ctx: Context, cart: dict[str, Any]) -> str | None:
    """An applied offer, or one that is one more item away (honestly either)."""
    applied = [o for o in cart.get("applied_offers") or [] if o.get("kind") == "offer"]
    if applied:
        first = applied[0]
        return f"{first['label']} is applied: you save {money(first['amount'])}."
    count = int(cart.get("item_count") or 0)
    subtotal_paise = round(float(cart.get("subtotal") or 0) * 100)
    for offer in ctx.offers:
        if (
            offer.min_qty == count + 1
            and not offer.scope.category
            and not offer.scope.brand
            and subtotal_paise >= offer.min_order_paise
        ):
            return f"Add one more item for this offer: {offer.description.rstrip('.')}."
    return None


def tier_saving(cart: dict[str, Any]) -> str | None:
    for applied in cart.get("applied_offers") or []:
        if applied.get("kind") == "tier" and applied.get("amount"):
            return f"{applied['label']} saves you {money(applied['amount'])} on this cart."
    return None
