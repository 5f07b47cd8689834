"""A command, no question pending: the worker agent that carries out each intent.

Conversation (greetings, help, small talk) needs no worker; searches go to the recommendation
worker; a product the shopper points at ("the second one", "it") is resolved against what was
shown before its worker acts on it; cart lines, coupons, offers, the checkout, orders, returns,
stores and staff each have their worker.
"""

from __future__ import annotations

import re
from typing import Any

from threadline.agent import resolve
from threadline.agent.commands import Command, Intent, Slots
from threadline.agent.turn import Outcome, Turn
from threadline.agent.workers import cart as cart_worker
from threadline.agent.workers import checkout, inventory, offers, recommendation, support

_THANKS = re.compile(r"\b(thank|thanks|thx|thnx|shukriya|dhanyavaad|dhanyawad)\b", re.I)
_BYE = re.compile(r"\b(bye|goodbye|see you|alvida|tata)\b", re.I)

# The intents that move the checkout along.
CHECKOUT = frozenset({Intent.CHECKOUT, Intent.CHOOSE_PAYMENT, Intent.CHOOSE_FULFILLMENT})
_BROWSING = (Intent.SEARCH, Intent.REFINE, Intent.SHOW_MORE)
_ABOUT_PRODUCT = (
    Intent.SHOW_DETAILS,
    Intent.COMPLETE_LOOK,
    Intent.REJECT,
    Intent.CHECK_AVAILABILITY,
)
_SHOPPING = (
    Intent.ADD_TO_CART,
    Intent.CHANGE_ITEM,
    Intent.REMOVE_ITEM,
    Intent.VIEW_CART,
    Intent.APPLY_COUPON,
    Intent.OFFERS,
)


async def dispatch(turn: Turn, command: Command, message: str) -> Outcome:
    """Carry out ``command`` through its worker."""
    intent, slots = command.intent, command.slots
    talked = _conversation(intent, message)
    if talked is not None:
        return talked
    if intent in _BROWSING:
        return await _browse(turn, intent, slots)
    if intent == Intent.INFORM:
        return await _inform(turn, slots)
    if intent in _ABOUT_PRODUCT:
        return await _about_product(turn, command)
    if intent in _SHOPPING:
        return await _shop(turn, command)
    if intent in CHECKOUT:
        return await to_checkout(turn, slots)
    if intent == Intent.ORDER_STATUS:
        return await support.status(turn, slots.order_id)
    if intent == Intent.RETURN_ITEM:
        return await support.start_return(turn, slots)
    if intent == Intent.STORE_LOCATOR:
        return await inventory.stores(turn, slots.city)
    if intent == Intent.TALK_TO_STAFF:
        return support.hand_over(turn)
    return Outcome("not_understood")


def _conversation(intent: Intent, message: str) -> Outcome | None:
    """Greetings, help, small talk, a bare yes or no; None for anything else."""
    if intent == Intent.GREETING:
        return Outcome("greeted")
    if intent == Intent.HELP:
        return Outcome("helped")
    if intent == Intent.SMALL_TALK:
        kind = "thanks" if _THANKS.search(message) else "bye" if _BYE.search(message) else "chat"
        return Outcome("small_talk", {"kind": kind})
    if intent == Intent.CONFIRM:
        return Outcome("small_talk", {"kind": "thanks" if _THANKS.search(message) else "chat"})
    if intent == Intent.DENY:
        return Outcome("cancelled")
    return None


async def _browse(turn: Turn, intent: Intent, slots: Slots) -> Outcome:
    if intent == Intent.SEARCH:
        filters = recommendation.filters_of(slots)
        # Who the shopping is for carries over to the next search ("office wear for men",
        # then "only shirts"); the reply names it, so the shopper can change it.
        before = (turn.state.get("search") or {}).get("filters") or {}
        if "gender" not in filters and before.get("gender"):
            filters["gender"] = before["gender"]
        return await recommendation.search(turn, filters)
    if intent == Intent.REFINE:
        if not turn.state.get("search") and slots.ref != "same":
            return await recommendation.search(turn, recommendation.filters_of(slots))
        return await recommendation.refine(turn, slots)
    return await recommendation.show_more(turn)


async def _shop(turn: Turn, command: Command) -> Outcome:
    """The cart: add, change or remove a line, show it, apply a coupon, list the offers."""
    intent, slots = command.intent, command.slots
    if intent == Intent.ADD_TO_CART:
        found = _product(turn, command)
        if isinstance(found, Outcome):
            return found
        return await cart_worker.add(turn, found, slots.size, slots.qty or 1)
    if intent in (Intent.CHANGE_ITEM, Intent.REMOVE_ITEM):
        return await _cart_line(turn, command)
    if intent == Intent.VIEW_CART:
        return await cart_worker.show(turn)
    if intent == Intent.APPLY_COUPON:
        if not slots.coupon:
            return Outcome(
                "asked_coupon", ask={"ask": "coupon"}, suggestions=["Any offers?", "My cart"]
            )
        return await offers.apply_coupon(turn, slots.coupon)
    if slots.use_points:
        turn.state.setdefault("checkout", {})["use_points"] = True
    return await offers.overview(turn)


async def _inform(turn: Turn, slots: Slots) -> Outcome:
    """Slot values with no question pending: "the second one" shows it; attributes narrow
    the current search."""
    if slots.ordinal is not None or slots.sku or slots.ref in ("it", "one"):
        pointed = Command(intent=Intent.SHOW_DETAILS, slots=slots)
        if slots.size:  # "the second one in M": is it there in M?
            pointed = Command(intent=Intent.CHECK_AVAILABILITY, slots=slots)
        return await _about_product(turn, pointed)
    if slots.size or slots.color or slots.max_price or slots.min_price or slots.gender:
        if turn.state.get("search"):
            return await recommendation.refine(turn, slots)
        if slots.size and turn.state.get("focus"):
            doc = turn.index.get(str(turn.state["focus"]))
            if doc is not None:
                return await inventory.availability(turn, doc, slots.size, slots.city)
    if slots.payment_method or slots.fulfillment:
        return await to_checkout(turn, slots)
    return Outcome("asked_what", {"reason": "no context"}, ask={"ask": "what"})


async def to_checkout(turn: Turn, slots: Slots) -> Outcome:
    """Note the checkout choices in ``slots`` and take the checkout one step further."""
    checkout.note_choices(turn, slots)
    if slots.city:
        problem = await checkout.note_city(turn, slots.city)
        if problem:
            return Outcome("asked_store", {"problem": problem, "cities": []}, ask={"ask": "store"})
    return await checkout.proceed(turn)


def _product(turn: Turn, command: Command) -> Any:
    """The product a command means, or an Outcome asking which."""
    found = resolve.product(turn.index, turn.data, command.slots)
    if found.doc is not None:
        return found.doc
    if found.candidates:
        return Outcome(
            "asked_which",
            {},
            products=[d.product for d in found.candidates[:4]],
            recommended=True,
            ask={"ask": "which", "intent": command.intent.value},
            suggestions=["The first one", "The second one"],
        )
    return Outcome(
        "asked_which",
        {"problem": found.problem},
        ask={"ask": "which", "intent": command.intent.value},
        suggestions=["Show me shirts", "Show my cart"],
    )


async def _about_product(turn: Turn, command: Command) -> Outcome:
    slots = command.slots
    if (
        command.intent == Intent.CHECK_AVAILABILITY
        and not (slots.ordinal or slots.ref or slots.sku or turn.state.get("focus"))
        and slots.category
    ):
        return await recommendation.search(turn, recommendation.filters_of(slots))
    found = _product(turn, command)
    if isinstance(found, Outcome):
        return found
    if command.intent == Intent.SHOW_DETAILS:
        return await recommendation.details(turn, found)
    if command.intent == Intent.COMPLETE_LOOK:
        return await recommendation.complete_the_look(turn, found)
    if command.intent == Intent.REJECT:
        return recommendation.reject(turn, found)
    return await inventory.availability(turn, found, slots.size, slots.city)


async def _cart_line(turn: Turn, command: Command) -> Outcome:
    slots = command.slots
    lines = turn.data.get("cart") or []
    if not lines:
        return await cart_worker.show(turn)
    line, candidates = resolve.cart_line(turn.index, turn.data, slots)
    if line is None:
        return cart_worker.which_line(candidates, command.intent.value)
    return await on_line(turn, command.intent, line, slots)


async def on_line(turn: Turn, intent: Intent, line: dict[str, Any], slots: Slots) -> Outcome:
    """Remove the cart line, or change its size or quantity (asking how many if neither)."""
    if intent == Intent.REMOVE_ITEM:
        return await cart_worker.remove(turn, line)
    if slots.size is None and slots.qty is None:
        return Outcome("asked_qty", {"line": line}, ask={"ask": "qty", "line_id": line["line_id"]})
    return await cart_worker.change(turn, line, size=slots.size, qty=slots.qty)
