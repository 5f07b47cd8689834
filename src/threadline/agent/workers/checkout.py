"""The fulfilment and payment workers: collect the choices, then check out like the API does.

The order goes through ``orders.checkout`` exactly as ``POST /checkout`` does, with an
idempotency key made from the session and the turn.  What keeps a repeated "UPI" from ordering
twice is the cart: it is emptied in the order's own transaction.  Choices persist in ``agent.checkout`` until the order is placed, so a
decline keeps the fulfilment and only asks for another way to pay.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from threadline.agent.commands import Slots
from threadline.agent.turn import Outcome, Turn
from threadline.core.errors import AppError
from threadline.db import rollback_now
from threadline.inventory import service as inventory
from threadline.orders import checkout as orders_checkout
from threadline.orders.errors import CartChanged
from threadline.orders.schemas import Address, CheckoutRequest, Fulfillment
from threadline.payments.errors import PaymentDeclined

PINCODE = re.compile(r"\b([1-9][0-9]{5})\b")
# A six-digit amount in a request ("jackets under 200000") is not a PIN code.
_PRICE_CUE = re.compile(
    r"(₹|\brs\.?|\binr\b|\bunder\b|\bbelow\b|\babove\b|\bover\b|\bless than\b|"
    r"\bup ?to\b|\bwithin\b|\bbudget\b|\bbetween\b)\s*$",
    re.IGNORECASE,
)


def looks_like_address(text: str) -> bool:
    """A street address with a PIN code, as typed in one message."""
    pin = PINCODE.search(text)
    if pin is None or _PRICE_CUE.search(text[: pin.start()]):
        return False
    words = text[: pin.start()].split()
    return "," in text or len(words) >= 2


FULFILMENT_CHOICES = ["Home delivery", "Pick up in store", "Reserve in store, pay there"]
PAYMENT_CHOICES = ["UPI", "Card", "Wallet", "Cash on delivery"]


def note_choices(turn: Turn, slots: Slots) -> None:
    choice = turn.state.setdefault("checkout", {})
    if slots.fulfillment:
        choice["fulfillment"] = slots.fulfillment
        if slots.fulfillment == "delivery":
            choice.pop("store_id", None)
    if slots.payment_method:
        choice["payment_method"] = slots.payment_method
    if slots.use_points is not None:
        choice["use_points"] = slots.use_points


async def note_city(turn: Turn, city: str | None) -> str | None:
    """Choose the shop in ``city`` (the one that has the cart, when a city has several)."""
    if not city:
        return None
    shops = [s for s in await inventory.stores(turn.db) if inventory.in_city(s.city, city)]
    if not shops:
        return f"We have no store in {city}."
    lines = turn.data.get("cart") or []
    chosen = shops[0]
    for shop in shops:
        if not await _missing_at(turn, shop.store_id, lines):
            chosen = shop
            break
    turn.state.setdefault("checkout", {})["store_id"] = chosen.store_id
    return None


def note_address(turn: Turn, text: str) -> str | None:
    """An address typed in one message: "12 MG Road, Pune 411001"."""
    pin = PINCODE.search(text)
    if pin is None:
        return "I need the 6-digit PIN code with the address."
    before = text[: pin.start()].strip(" ,.-")
    parts = [p.strip() for p in re.split(r"[,\n]", before) if p.strip()]
    if not parts:
        return "Please send the street address, city and PIN code."
    city = parts[-1] if len(parts) > 1 else (turn.customer.city if turn.customer else None)
    line1 = ", ".join(parts[:-1]) if len(parts) > 1 else parts[0]
    if not city:
        return "Which city is that in? Send the address as: street, city, PIN code."
    try:
        address = Address(line1=line1[:200], city=city[:80], pincode=pin.group(1))
    except ValidationError:
        return "That address doesn't look complete: street, city and 6-digit PIN code, please."
    turn.state.setdefault("checkout", {})["address"] = address.model_dump()
    return None


async def proceed(turn: Turn) -> Outcome:
    """Ask for the next missing choice, or place the order."""
    cart_lines = turn.data.get("cart") or []
    if not cart_lines:
        return Outcome("checkout_blocked", {"reason": "empty"})
    choice = turn.state.setdefault("checkout", {})
    totals = turn.data.get("cart_totals") or {}
    fulfillment = choice.get("fulfillment")
    if fulfillment is None:
        return Outcome(
            "asked_fulfillment",
            {"total": totals.get("total")},
            ask={"ask": "fulfillment"},
            suggestions=FULFILMENT_CHOICES,
        )
    if fulfillment in ("pickup", "reserve_in_store") and not choice.get("store_id"):
        shops = await inventory.stores(turn.db)
        return Outcome(
            "asked_store",
            {"fulfillment": fulfillment, "cities": [s.city for s in shops]},
            ask={"ask": "store"},
            suggestions=[s.city for s in shops][:4],
        )
    if fulfillment in ("pickup", "reserve_in_store"):
        missing = await _missing_at(turn, str(choice["store_id"]), cart_lines)
        if missing:
            return await _other_stores(turn, choice, missing, cart_lines)
    if fulfillment == "delivery" and not choice.get("address"):
        return Outcome("asked_address", {}, ask={"ask": "address"})
    if fulfillment == "reserve_in_store":
        choice["payment_method"] = "cod"  # reserved items are paid for at the shop
    if not choice.get("payment_method"):
        options = [
            p for p in PAYMENT_CHOICES if fulfillment == "delivery" or p != "Cash on delivery"
        ]
        return Outcome(
            "asked_payment",
            {"total": totals.get("total"), "fulfillment": fulfillment},
            ask={"ask": "payment"},
            suggestions=options,
        )
    return await _place(turn, choice)


async def _place(turn: Turn, choice: dict[str, Any]) -> Outcome:
    body = CheckoutRequest(
        payment_method=choice["payment_method"],
        fulfillment=Fulfillment(
            type=choice["fulfillment"],
            store_id=choice.get("store_id"),
            address=Address(**choice["address"]) if choice.get("address") else None,
        ),
        use_loyalty_points=bool(choice.get("use_points")),
    )
    key = f"chat-{turn.ctx.session.session_id}-{turn.seq}"
    try:
        outcome = await orders_checkout.checkout(
            turn.db, turn.settings, turn.cache, turn.gateway, turn.ctx, key=key, body=body
        )
    except PaymentDeclined as declined:
        turn.ended = True  # rolled back; only the decline itself was recorded
        choice.pop("payment_method", None)
        return Outcome(
            "payment_declined",
            {"message": declined.message, "alternatives": declined.alternatives},
            ask={"ask": "payment"},
            suggestions=_labels(declined.alternatives),
        )
    except CartChanged:
        turn.ended = turn.committed = True  # the repriced cart was committed
        return Outcome(
            "asked_confirmation",
            {"reason": "cart_changed"},
            ask={"ask": "confirm", "intent": "checkout"},
        )
    except AppError as exc:
        # Checkout may have written part of the order before it failed (the points, the
        # coupon use, the order rows before the stock was taken): none of it may stand.
        await rollback_now(turn.db)
        turn.ended = True
        # Nothing was bought: the choices made for this attempt are not consent for the next.
        turn.state.pop("checkout", None)
        return Outcome("checkout_blocked", {"reason": exc.code, "error": exc.message})
    turn.ended = turn.committed = True
    order = outcome.order
    turn.state.pop("checkout", None)
    return Outcome("order_placed", {"order": order})


async def _missing_at(
    turn: Turn, store_id: str, lines: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The cart lines a shop cannot hand over in full."""
    missing = []
    for line in lines:
        units = await inventory.units(turn.db, line["sku"], line["size"], store_id)
        if units < int(line["qty"]):
            missing.append(line)
    return missing


async def _other_stores(
    turn: Turn, choice: dict[str, Any], missing: list[dict[str, Any]], lines: list[dict[str, Any]]
) -> Outcome:
    """The chosen shop lacks something: name the shops that have everything, or delivery."""
    store = await inventory.get_store(turn.db, str(choice.pop("store_id")))
    complete = []
    for shop in await inventory.stores(turn.db):
        if not await _missing_at(turn, shop.store_id, lines):
            complete.append(shop.city)
    options = list(dict.fromkeys(complete))[:3]
    return Outcome(
        "asked_store",
        {
            "fulfillment": choice["fulfillment"],
            "missing": [f"{x['name']} ({x['size']})" for x in missing],
            "at": store.name,
            "cities": options,
            "none_complete": not options,
        },
        ask={"ask": "store"},
        suggestions=[*options, "Home delivery"][:4],
    )


def _labels(alternatives: list[dict[str, Any]]) -> list[str]:
    labels = []
    for alt in alternatives:
        if alt.get("fulfillment") == "reserve_in_store":
            labels.append("Reserve in store, pay there")
        elif alt.get("payment_method") == "cod":
            labels.append("Cash on delivery")
        else:
            labels.append(
                {"upi": "UPI", "wallet": "Wallet", "card": "Card"}.get(
                    alt["payment_method"], alt["label"]
                )
            )
    return list(dict.fromkeys(labels))[:4]
