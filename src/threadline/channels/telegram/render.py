"""An :class:`~threadline.channels.base.Outgoing` reply as Bot API requests, in chat order.

1. ``answerCallbackQuery`` when the shopper pressed a button (stops its spinner);
2. ``sendMessage`` with the reply text (split at 4096 characters) and, on its last part, one
   reply markup: the "Share my phone number" keyboard when the agent asks for the phone, the
   removal of that keyboard right after the shopper shared it, else the suggestions as inline
   buttons.  A message carries one markup only, so when the keyboard changes *and* there are
   suggestions, the suggestions follow in a short message of their own;
3. one card per product (at most :data:`MAX_CARDS`): ``sendPhoto`` with a caption when the
   product has an absolute image URL, else ``sendMessage``, each with an "Add to cart" button.

Buttons carry ``say:<suggestion>`` or ``add:<sku>`` as callback data, which Telegram limits to
64 bytes: a longer suggestion gets no button (the shopper can still type it).
"""

from __future__ import annotations

import html
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from threadline.channels.base import ADD_PREFIX, SAY_PREFIX, Inbound, Outgoing

MAX_CARDS = 4
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
SHARE_PHONE = "Share my phone number"
ADD_TO_CART = "Add to cart"
MORE_CHOICES = "You can also tap one of these:"

Request = dict[str, Any]


def render(inbound: Inbound, reply: Outgoing) -> list[Request]:
    chat_id = chat_ref(inbound.address)
    # A button press was acknowledged in the webhook's own response (see router.py).
    requests: list[Request] = []
    suggestions = suggestion_markup(reply.suggestions)
    keyboard: ReplyKeyboardMarkup | ReplyKeyboardRemove | None = None
    if reply.ask_contact:
        keyboard = ReplyKeyboardMarkup(
            [[KeyboardButton(SHARE_PHONE, request_contact=True)]],
            one_time_keyboard=True,
            resize_keyboard=True,
            input_field_placeholder="Tap the button below to share your number",
        )
    elif inbound.kind == "contact":
        # The number is shared: the keyboard that asked for it has done its job.
        keyboard = ReplyKeyboardRemove()
    first_markup = keyboard or suggestions
    parts = _split(reply.text.strip(), TEXT_LIMIT)
    if not parts and first_markup is not None:
        parts = [MORE_CHOICES] if keyboard is None else ["…"]
    for n, part in enumerate(parts, 1):
        markup = first_markup if n == len(parts) else None
        requests.append(_message(chat_id, part, markup))
    if keyboard is not None and suggestions is not None:
        requests.append(_message(chat_id, MORE_CHOICES, suggestions))
    for product in reply.products[:MAX_CARDS]:
        requests.append(product_card(chat_id, product))
    return requests


def chat_ref(address: str) -> int | str:
    """A chat id as the Bot API documents it (an integer); anything else passes as written."""
    return int(address) if address.lstrip("-").isdigit() else address


def suggestion_markup(suggestions: list[str]) -> InlineKeyboardMarkup | None:
    buttons = [
        InlineKeyboardButton(text, callback_data=SAY_PREFIX + text)
        for text in dict.fromkeys(s.strip() for s in suggestions)
        if text and fits_callback(SAY_PREFIX + text)
    ]
    if not buttons:
        return None
    # Two to a row: four suggestions stay a compact block under the message.
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


def fits_callback(data: str) -> bool:
    return len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT


def product_card(chat_id: int | str, product: dict[str, Any]) -> Request:
    """A photo with a caption when the product has a public image, else a text card."""
    caption = card_text(product)
    sku = str(product.get("sku") or "")
    markup = None
    if sku and fits_callback(ADD_PREFIX + sku):
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(ADD_TO_CART, callback_data=ADD_PREFIX + sku)]]
        )
    image = str(product.get("image_url") or "")
    if image.startswith(("https://", "http://")):
        return _call(
            "sendPhoto",
            chat_id=chat_id,
            photo=image,
            caption=caption,
            parse_mode="HTML",
            reply_markup=markup.to_dict() if markup else None,
        )
    return _message(chat_id, caption, markup, parse_mode="HTML")


def card_text(product: dict[str, Any]) -> str:
    """Name, brand, price (and the MRP struck through when higher), sizes; HTML, short.

    Every field is cut to a length that keeps the whole card under the 1024-character caption
    limit, so a card never needs trimming after its markup is written.
    """
    name = _clip(str(product.get("name") or product.get("sku") or "Product"), 200)
    lines = [f"<b>{html.escape(name)}</b>"]
    brand = str(product.get("brand") or "").strip()
    if brand:
        lines.append(html.escape(_clip(brand, 100)))
    price = product.get("price")
    if price is not None:
        line = f"<b>{rupees(price)}</b>"
        mrp = product.get("mrp")
        if mrp and float(mrp) > float(price):
            line += f"  MRP <s>{rupees(mrp)}</s>"
            off = product.get("discount_percent")
            if off:
                line += f" ({int(off)}% off)"
        lines.append(line)
    sizes = [str(s) for s in product.get("sizes") or []]
    if sizes:
        lines.append("Sizes: " + html.escape(_clip(", ".join(sizes), 200)))
    return "\n".join(lines)


def rupees(value: float | int | str) -> str:
    """₹1,299 or ₹1,299.50 (the agent's own way of writing prices)."""
    amount = float(value)
    return f"₹{amount:,.0f}" if amount == int(amount) else f"₹{amount:,.2f}"


def _message(
    chat_id: int | str,
    text: str,
    markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None,
    **extra: Any,
) -> Request:
    return _call(
        "sendMessage",
        chat_id=chat_id,
        text=text,
        reply_markup=markup.to_dict() if markup else None,
        **extra,
    )


def _call(method: str, **body: Any) -> Request:
    return {"method": method, "body": {k: v for k, v in body.items() if v is not None}}


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _split(text: str, limit: int) -> list[str]:
    """``text`` in parts of at most ``limit`` characters, cut at a line or word when possible."""
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut <= 0:
            cut = text.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        parts.append(text)
    return parts
