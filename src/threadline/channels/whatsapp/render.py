"""An :class:`~threadline.channels.base.Outgoing` reply as Cloud API ``/messages`` requests.

In chat order:

1. the reply text, with the suggestions as
   - **reply buttons** (an ``interactive`` ``button`` message) when there are one to three,
     each title at most 20 characters;
   - else an **interactive list** (behind an "Options" button) when there are at most ten:
     a row's title holds 24 characters, so a longer suggestion (up to 72) has its title cut
     and is shown whole as the row's description;
   - else **plain text**: the reply followed by the suggestions as lines, which the shopper
     can type back.
   An interactive message's body holds 1024 characters: a longer reply goes as text first and
   the buttons follow under a short line of their own.  Text messages are split at 4096.
2. one card per product (at most :data:`MAX_CARDS`): an ``interactive`` ``button`` message
   with the product photo as its header (when the product has a public image), the name,
   brand, price, MRP and sizes as its body, and one "Add to cart" reply button.  A product
   without a usable sku has no button to offer: it goes as a photo with a caption, or as text.

Buttons carry ``say:<suggestion>`` or ``add:<sku>`` as their reply id; WhatsApp sends the id
back in the ``button_reply`` / ``list_reply`` of the shopper's tap.

``ask_contact`` is ignored: a WhatsApp number is already a verified phone.
"""

from __future__ import annotations

from typing import Any

from threadline.channels.base import ADD_PREFIX, SAY_PREFIX, Inbound, Outgoing

MAX_CARDS = 4
TEXT_LIMIT = 4096
BODY_LIMIT = 1024  # an interactive message's body, and a media caption
MAX_BUTTONS = 3
BUTTON_TITLE_LIMIT = 20
BUTTON_ID_LIMIT = 256
MAX_ROWS = 10
ROW_TITLE_LIMIT = 24
ROW_ID_LIMIT = 200
ROW_DESCRIPTION_LIMIT = 72
LIST_BUTTON = "Options"  # the label that opens a list (at most 20 characters)
LIST_SECTION = "Suggestions"  # a section title (at most 24 characters)
ADD_TO_CART = "Add to cart"
MORE_CHOICES = "You can also tap one of these:"
TYPE_ONE = "You can also say:"

Request = dict[str, Any]


def render(inbound: Inbound, reply: Outgoing) -> list[Request]:
    to = inbound.address
    requests: list[Request] = []
    text = reply.text.strip()
    choices = list(dict.fromkeys(s.strip() for s in reply.suggestions if s and s.strip()))
    interactive = _choices(choices)
    if interactive is None:
        if choices:
            text = (text + "\n\n" if text else "") + TYPE_ONE + "\n"
            text += "\n".join(f"• {c}" for c in choices)
        requests.extend(text_message(to, part) for part in split(text, TEXT_LIMIT))
    else:
        body = text
        if not body or len(body) > BODY_LIMIT:
            requests.extend(text_message(to, part) for part in split(text, TEXT_LIMIT))
            body = MORE_CHOICES
        requests.append(_send(to, "interactive", {**interactive, "body": {"text": body}}))
    for product in reply.products[:MAX_CARDS]:
        requests.append(product_card(to, product))
    return requests


def _choices(choices: list[str]) -> dict[str, Any] | None:
    """The suggestions as reply buttons or a list (without the body); None if they fit neither."""
    if not choices:
        return None
    if len(choices) <= MAX_BUTTONS and all(
        len(c) <= BUTTON_TITLE_LIMIT and len(SAY_PREFIX + c) <= BUTTON_ID_LIMIT for c in choices
    ):
        buttons = [{"type": "reply", "reply": {"id": SAY_PREFIX + c, "title": c}} for c in choices]
        return {"type": "button", "action": {"buttons": buttons}}
    if len(choices) <= MAX_ROWS and all(
        len(c) <= ROW_DESCRIPTION_LIMIT and len(SAY_PREFIX + c) <= ROW_ID_LIMIT for c in choices
    ):
        rows = [_row(c) for c in choices]
        return {
            "type": "list",
            "action": {"button": LIST_BUTTON, "sections": [{"title": LIST_SECTION, "rows": rows}]},
        }
    return None


def _row(choice: str) -> dict[str, str]:
    """A list row; a suggestion too long for a row's title is shown whole as its description."""
    row = {"id": SAY_PREFIX + choice, "title": clip(choice, ROW_TITLE_LIMIT)}
    if len(choice) > ROW_TITLE_LIMIT:
        row["description"] = choice
    return row


def product_card(to: str, product: dict[str, Any]) -> Request:
    """Photo header, details and an "Add to cart" button; a photo or text when it has no sku."""
    body = card_text(product)
    sku = str(product.get("sku") or "").strip()
    image = str(product.get("image_url") or "")
    has_image = image.startswith(("https://", "http://"))
    if sku and len(ADD_PREFIX + sku) <= BUTTON_ID_LIMIT:
        button = {"type": "reply", "reply": {"id": ADD_PREFIX + sku, "title": ADD_TO_CART}}
        interactive: dict[str, Any] = {"type": "button"}
        if has_image:
            interactive["header"] = {"type": "image", "image": {"link": image}}
        interactive["body"] = {"text": body}
        interactive["action"] = {"buttons": [button]}
        return _send(to, "interactive", interactive)
    if has_image:
        return _send(to, "image", {"link": image, "caption": body})
    return text_message(to, body)


def card_text(product: dict[str, Any]) -> str:
    """Name, brand, price (with the MRP struck through when higher), sizes.

    WhatsApp's own formatting (``*bold*``, ``~struck~``).  Every field is cut to a length that
    keeps the whole card within the 1024 characters of a body or caption.
    """
    name = clip(str(product.get("name") or product.get("sku") or "Product"), 200)
    lines = [f"*{name}*"]
    brand = str(product.get("brand") or "").strip()
    if brand:
        lines.append(clip(brand, 100))
    price = product.get("price")
    if price is not None:
        line = f"*{rupees(price)}*"
        mrp = product.get("mrp")
        if mrp and float(mrp) > float(price):
            line += f"  MRP ~{rupees(mrp)}~"
            off = product.get("discount_percent")
            if off:
                line += f" ({int(off)}% off)"
        lines.append(line)
    sizes = [str(s) for s in product.get("sizes") or []]
    if sizes:
        lines.append("Sizes: " + clip(", ".join(sizes), 200))
    return "\n".join(lines)


def rupees(value: float | int | str) -> str:
    """₹1,299 or ₹1,299.50 (the agent's own way of writing prices)."""
    amount = float(value)
    return f"₹{amount:,.0f}" if amount == int(amount) else f"₹{amount:,.2f}"


def text_message(to: str, text: str) -> Request:
    return _send(to, "text", {"preview_url": False, "body": text})


def _send(to: str, kind: str, content: dict[str, Any]) -> Request:
    body = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": kind,
        kind: content,
    }
    return {"method": "messages", "body": body}


def clip(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def split(text: str, limit: int) -> list[str]:
    """``text`` in parts of at most ``limit`` characters, cut at a line or word when possible."""
    text = text.strip()
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
