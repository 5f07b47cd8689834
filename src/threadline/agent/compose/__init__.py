"""The reply composer: words and buttons from what the workers found, and nothing else.

Every price, stock level, offer and order state in a reply comes from the ``Outcome``'s facts,
which the workers read from the store in this turn.  Persuasion stays honest: a tier benefit
is mentioned only when the tier really gives a discount, an offer only when it applies or is
one item away, scarcity only when three or fewer units are left, and alternatives only when
they exist.  Every reply comes with 2–4 suggestions the page can show as buttons.

The renderers live by subject: ``products`` (search results, details, availability, stores),
``cart`` (the cart, coupons, offers), ``questions`` (what the agent asks), ``checkout`` (orders
placed or not) and ``support`` (orders, returns, staff and small talk); ``common`` holds the
:class:`Context` and the phrasing they share.
"""

from __future__ import annotations

from collections.abc import Callable

from threadline.agent.compose import cart, checkout, products, questions, support
from threadline.agent.compose.common import Context, Rendered, money
from threadline.agent.turn import Outcome

__all__ = ["DEFAULT_SUGGESTIONS", "Context", "compose", "money"]

DEFAULT_SUGGESTIONS = ["Show me shirts", "Kurtas for women", "Sneakers under ₹3000", "My cart"]


def compose(outcome: Outcome, ctx: Context) -> tuple[str, list[str]]:
    """The reply and its 2–4 suggestions."""
    render = _RENDERERS.get(outcome.action) or _RENDERERS.get(outcome.action.split("_")[0])
    text, defaults = render(outcome, ctx) if render else support.unknown(outcome, ctx)
    if ctx.welcome_back:
        back = ctx.welcome_back
        count = int(back.get("item_count") or 0)
        noun = "item" if count == 1 else "items"
        text = (
            f"Welcome back! You still have {count} {noun} in your cart "
            f"({money(back.get('total'))}) from your last visit. " + text
        )
        defaults = ["Show my cart", *defaults]
    suggestions = list(dict.fromkeys([*outcome.suggestions, *defaults, *DEFAULT_SUGGESTIONS]))
    return text.strip(), [s[:40] for s in suggestions[:4]]


_RENDERERS: dict[str, Callable[[Outcome, Context], Rendered]] = {
    "greeted": support.greeted,
    "helped": support.helped,
    "small_talk": support.small_talk,
    "not_understood": support.not_understood,
    "searched": products.found,
    "refined": products.found,
    "showed_more": products.found,
    "no_results": products.no_results,
    "showed_details": products.details,
    "showed_look": products.look,
    "noted_rejection": products.rejected,
    "checked_availability": products.availability,
    "listed_stores": products.stores,
    "added_to_cart": cart.added,
    "asked": questions.asked,
    "showed_cart": cart.shown,
    "updated_cart": cart.updated,
    "removed_from_cart": cart.removed,
    "applied_coupon": cart.coupon,
    "coupon_rejected": cart.coupon,
    "showed_offers": cart.offers,
    "order_placed": checkout.order_placed,
    "payment_declined": checkout.declined,
    "checkout_blocked": checkout.blocked,
    "out_of_stock": cart.out_of_stock,
    "showed_order_status": support.order_status,
    "return_requested": support.returned,
    "return_blocked": support.return_blocked,
    "handed_to_staff": support.staff,
    "cancelled": support.cancelled,
}
