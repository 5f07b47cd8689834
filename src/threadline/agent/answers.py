"""The shopper's answer to a question the agent asked, or a new request that replaces it.

A bare "M" answers the size question, "2" how many, "the second one" which product or cart
line, an address or a city the checkout's question, "yes" what the agent proposed.  Naming a
product or asking for something else is a new request: the question is dropped, and so are
checkout choices made before the shopper left the checkout.
"""

from __future__ import annotations

from typing import Any

from threadline.agent import resolve
from threadline.agent.commands import Command, Intent, Slots
from threadline.agent.dispatch import CHECKOUT, dispatch, on_line, to_checkout
from threadline.agent.turn import Outcome, Turn
from threadline.agent.workers import cart as cart_worker
from threadline.agent.workers import checkout, support

_ANSWERS = frozenset({Intent.INFORM, Intent.REFINE, Intent.UNKNOWN, Intent.CONFIRM})
# What may answer a question about where or how to deliver (not a new search or a store query).
_REPLIES = frozenset({Intent.INFORM, Intent.UNKNOWN, Intent.CONFIRM, Intent.CHOOSE_FULFILLMENT})
# Messages that do not leave a checkout: a greeting, thanks, a look at the cart or offers.
_ASIDES = frozenset(
    {Intent.GREETING, Intent.SMALL_TALK, Intent.HELP, Intent.VIEW_CART, Intent.OFFERS}
)
_CHECKOUT_QUESTIONS = frozenset({"fulfillment", "payment", "store", "address"})


async def act(turn: Turn, state: dict[str, Any], message: str) -> Outcome:
    """Act on the turn's command; a question the outcome asks waits in ``state`` for the next
    turn (``state`` is the agent's state in the turn's data)."""
    command = turn.command
    pending = state.pop("pending", None)
    outcome = await _answer_or_dispatch(
        turn, command, pending if isinstance(pending, dict) else None, message
    )
    if outcome.ask is not None:
        state["pending"] = {**outcome.ask, "slots": command.slots.filled()}
    return outcome


async def _answer_or_dispatch(
    turn: Turn, command: Command, pending: dict[str, Any] | None, message: str
) -> Outcome:
    """Answer the pending question if the command answers it, else carry the command out."""
    if pending is not None:
        answered = await answer(turn, command, pending, message)
        if answered is not None:
            return answered
        aside = command.intent in _ASIDES  # "hi", "any offers?", "my cart": still paying
        if pending.get("ask") in _CHECKOUT_QUESTIONS and command.intent not in CHECKOUT:
            if aside:
                turn.state["pending"] = pending  # the question still stands
            else:
                # The shopper left the checkout: choices made then are not consent later.
                turn.state.pop("checkout", None)
    return await dispatch(turn, command, message)


async def answer(
    turn: Turn, command: Command, pending: dict[str, Any], message: str
) -> Outcome | None:
    """The shopper's answer to the agent's question, or None when they moved on."""
    for about in (_about_cart, _about_checkout, _about_choice):
        answered = await about(turn, command, pending, message)
        if answered is not None:
            return answered
    if command.intent == Intent.DENY:
        ask = pending.get("ask")
        if ask == "size" or ask in _CHECKOUT_QUESTIONS:
            turn.state.pop("checkout", None)
        return Outcome("cancelled")
    return None


async def _about_cart(
    turn: Turn, command: Command, pending: dict[str, Any], message: str
) -> Outcome | None:
    """Which size to add or change to, how many to add, how many to keep."""
    ask = pending.get("ask")
    slots = command.slots
    intent = command.intent
    # Naming a product (rather than answering about the one asked about) is a new request.
    names_a_product = bool(
        slots.category
        or slots.brand
        or slots.sku
        or slots.ordinal is not None
        or slots.ref in ("one", "same")
    )
    if (
        ask == "size"
        and slots.size
        and not names_a_product
        and intent in _ANSWERS | {Intent.ADD_TO_CART, Intent.CHANGE_ITEM}
    ):
        if pending.get("line_id"):
            line = _line(turn.data, pending["line_id"])
            if line is not None:
                return await cart_worker.change(turn, line, size=slots.size, qty=None)
        doc = turn.index.get(str(pending.get("sku")))
        if doc is not None:
            return await cart_worker.add(
                turn, doc, slots.size, slots.qty or int(pending.get("qty") or 1)
            )
    if ask == "add_qty" and slots.qty and intent in _ANSWERS | {Intent.ADD_TO_CART}:
        doc = turn.index.get(str(pending.get("sku")))
        if doc is not None and not names_a_product:
            return await cart_worker.add(turn, doc, str(pending.get("size")), slots.qty)
    if ask == "qty" and slots.qty is not None and intent in _ANSWERS | {Intent.CHANGE_ITEM}:
        line = _line(turn.data, str(pending.get("line_id")))
        if line is not None:
            return await cart_worker.change(turn, line, size=None, qty=slots.qty)
    return None


async def _about_checkout(
    turn: Turn, command: Command, pending: dict[str, Any], message: str
) -> Outcome | None:
    """The delivery address, the store, how to get the order or how to pay."""
    ask = pending.get("ask")
    slots = command.slots
    intent = command.intent
    # An address is typed as a reply, not as a request for products ("jackets at 200000").
    attributes = bool(slots.category or slots.color or slots.brand or slots.size or slots.max_price)
    if (
        ask == "address"
        and not attributes
        and (
            checkout.looks_like_address(message)
            or (intent in _REPLIES and checkout.PINCODE.search(message))
        )
    ):
        problem = checkout.note_address(turn, message)
        if problem:
            return Outcome("asked_address", {"problem": problem}, ask={"ask": "address"})
        return await checkout.proceed(turn)
    if ask == "store" and slots.city and intent in _REPLIES | CHECKOUT:
        checkout.note_choices(turn, slots)
        problem = await checkout.note_city(turn, slots.city)
        if problem:
            return Outcome("asked_store", {"problem": problem, "cities": []}, ask={"ask": "store"})
        return await checkout.proceed(turn)
    chose = bool(slots.fulfillment or slots.payment_method or slots.city)
    if (
        ask in _CHECKOUT_QUESTIONS
        and intent in CHECKOUT | {Intent.INFORM}
        and (chose or intent == Intent.CHECKOUT)
    ):
        return await to_checkout(turn, slots)
    return None


async def _about_choice(
    turn: Turn, command: Command, pending: dict[str, Any], message: str
) -> Outcome | None:
    """Yes or no to what the agent proposed; which product or line the shopper means."""
    ask = pending.get("ask")
    slots = command.slots
    intent = command.intent
    if ask == "confirm":
        if intent == Intent.CONFIRM:
            if pending.get("intent") == "return_item":
                return await support.confirm_return(turn, pending)
            if pending.get("intent") == "checkout":
                return await checkout.proceed(turn)
        if intent == Intent.DENY:
            turn.state.pop("checkout", None)
            return Outcome("cancelled")
    if ask in ("which", "line", "return_line"):
        original = Intent(pending.get("intent") or Intent.SHOW_DETAILS)
        answers_which = (
            intent in _ANSWERS
            or intent == original
            or (intent == Intent.SHOW_DETAILS and not (slots.category or slots.brand))
        )
        points = slots.ordinal is not None or slots.ref or slots.color or slots.sku
        if answers_which and points:
            return await _which(turn, pending, original, slots, message)
    return None


async def _which(
    turn: Turn, pending: dict[str, Any], original: Intent, slots: Slots, message: str
) -> Outcome:
    """An answer to "which one?": an ordinal counts in the list the agent just gave."""
    ask = pending.get("ask")
    listed = [str(x) for x in pending.get("line_ids") or []]
    if ask == "return_line":
        # The answer picks the line; what was asked for (an exchange size) still holds.
        asked = {k: v for k, v in (pending.get("slots") or {}).items() if k != "ordinal"}
        merged = Slots(**{**asked, **slots.filled(), "order_id": pending.get("order_id")})
        return await support.start_return(turn, merged, among=listed)
    if ask == "line":
        cart = [x for x in turn.data.get("cart") or [] if isinstance(x, dict)]
        lines = [x for x in cart if x.get("line_id") in listed]
        if len(lines) != len(listed) or not lines:
            # The list changed meanwhile (another device): ask again over the cart as it is.
            return cart_worker.which_line(cart, original.value)
        narrowed = Slots(**{**slots.filled(), "ref": None})
        line, candidates = resolve.cart_line(turn.index, {"cart": lines}, narrowed)
        if line is None:
            return cart_worker.which_line(candidates or lines, original.value)
        return await on_line(turn, original, line, Slots(**pending.get("slots") or {}))
    merged = Slots(**{**(pending.get("slots") or {}), **slots.filled()})
    if original in (Intent.CONFIRM, Intent.INFORM):
        return Outcome("not_understood")
    return await dispatch(turn, Command(intent=original, slots=merged), message)


def _line(data: dict[str, Any], line_id: str) -> dict[str, Any] | None:
    return next((x for x in data.get("cart") or [] if x.get("line_id") == line_id), None)
