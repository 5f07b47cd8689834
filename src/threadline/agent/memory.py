"""What the agent remembers, kept in the session so it follows the customer across channels.

``session.data`` holds, beside the cart:

- ``chat_context``: the last ``CHAT_CONTEXT_TURNS`` turns (shopper and agent messages); older
  ones stay in the ``chat_turns`` log only, so the session never grows with the conversation;
- ``conversation_summary``: a short text rendered from the agent's notes (below), which keep
  what matters when turns leave the window: what the shopper wants, sizes, budget, liked
  colours, rejected products, what went into the cart and which orders were placed;
- ``last_recommended_skus``: the products last shown, in order ("the second one");
- ``agent``: the working state: the current search, the product in focus, the question the
  agent is waiting on and the checkout choices made so far.

Every list here is bounded, so a 500-turn conversation is as cheap as a 10-turn one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from threadline.catalog.taxonomy import CATEGORIES

SHOWN_LIMIT = 20
WANTS_LIMIT = 5
REJECTED_LIMIT = 20
COLOURS_LIMIT = 5
ORDERS_LIMIT = 5
MESSAGE_CHARS = 600


def agent_state(data: dict[str, Any]) -> dict[str, Any]:
    """The agent's working state in ``data`` (created on first use)."""
    state = data.get("agent")
    if not isinstance(state, dict):
        state = data["agent"] = {}
    notes = state.get("notes")
    if not isinstance(notes, dict):
        state["notes"] = {}
    return state


def notes(data: dict[str, Any]) -> dict[str, Any]:
    notes_: dict[str, Any] = agent_state(data)["notes"]
    return notes_


def append_turn(
    data: dict[str, Any],
    *,
    message: str,
    reply: str,
    channel: str,
    at: datetime,
    keep_turns: int,
) -> None:
    """Add a turn to ``chat_context`` and drop what falls out of the window."""
    context = [m for m in data.get("chat_context") or [] if isinstance(m, dict)]
    stamp = at.isoformat()
    context.append(
        {"role": "user", "text": message[:MESSAGE_CHARS], "channel": channel, "at": stamp}
    )
    context.append(
        {"role": "assistant", "text": reply[:MESSAGE_CHARS], "channel": channel, "at": stamp}
    )
    data["chat_context"] = context[-2 * keep_turns :]


def remember_search(data: dict[str, Any], filters: dict[str, Any]) -> None:
    """Note a search as something the shopper wants (the latest first)."""
    want = describe_filters(filters)
    if not want:
        return
    book = notes(data)
    wants = [w for w in book.get("wants") or [] if w != want]
    book["wants"] = [want, *wants][:WANTS_LIMIT]
    if filters.get("max_price"):
        book["budget"] = int(filters["max_price"])
    colour = filters.get("color")
    if colour:
        colours = [c for c in book.get("colors") or [] if c != colour]
        book["colors"] = [colour, *colours][:COLOURS_LIMIT]


def remember_size(data: dict[str, Any], category: str, size: str) -> None:
    sizes = notes(data).setdefault("sizes", {})
    if isinstance(sizes, dict) and len(sizes) < len(CATEGORIES) + 5:
        sizes[category] = size


def size_for(data: dict[str, Any], category: str) -> str | None:
    sizes = notes(data).get("sizes") or {}
    value = sizes.get(category) if isinstance(sizes, dict) else None
    return str(value) if value else None


def remember_rejected(data: dict[str, Any], sku: str) -> None:
    book = notes(data)
    rejected = [s for s in book.get("rejected") or [] if s != sku]
    book["rejected"] = [sku, *rejected][:REJECTED_LIMIT]


def rejected(data: dict[str, Any]) -> set[str]:
    return set(notes(data).get("rejected") or [])


def remember_added(data: dict[str, Any], name: str) -> None:
    book = notes(data)
    added = [n for n in book.get("added") or [] if n != name]
    book["added"] = [name, *added][:WANTS_LIMIT]


def remember_order(data: dict[str, Any], order_id: str) -> None:
    book = notes(data)
    orders = [o for o in book.get("orders") or [] if o != order_id]
    book["orders"] = [order_id, *orders][:ORDERS_LIMIT]


def describe_filters(filters: dict[str, Any]) -> str:
    """'blue shirts for men under ₹2,000' from search filters."""
    parts: list[str] = []
    if filters.get("color"):
        parts.append(str(filters["color"]))
    if filters.get("brand"):
        parts.append(str(filters["brand"]))
    if filters.get("query"):
        parts.append(str(filters["query"]))
    category = filters.get("category")
    if category:
        known = CATEGORIES.get(str(category))
        parts.append(known.label.lower() if known else str(category).replace("_", " "))
    elif parts or filters.get("occasion") or filters.get("gender"):
        parts.append("products")
    if filters.get("gender"):
        parts.append(f"for {filters['gender']}")
    if filters.get("occasion"):
        parts.append(f"({filters['occasion']})")
    if filters.get("size"):
        parts.append(f"in size {filters['size']}")
    low, high = filters.get("min_price"), filters.get("max_price")
    if low and high:
        parts.append(f"₹{int(low):,}–₹{int(high):,}")
    elif high:
        parts.append(f"under ₹{int(high):,}")
    elif low:
        parts.append(f"over ₹{int(low):,}")
    return " ".join(parts)


def summary(data: dict[str, Any], *, tier: str | None) -> str:
    """The rolling summary: what a colleague taking over the conversation should know."""
    book = notes(data)
    lines: list[str] = []
    if book.get("wants"):
        lines.append("Looking for: " + "; ".join(book["wants"][:3]) + ".")
    sizes = book.get("sizes") or {}
    if sizes:
        named = [
            f"{CATEGORIES[c].label.lower() if c in CATEGORIES else c} {s}" for c, s in sizes.items()
        ]
        lines.append("Sizes: " + ", ".join(named[:6]) + ".")
    if book.get("budget"):
        lines.append(f"Budget: up to ₹{int(book['budget']):,}.")
    if book.get("colors"):
        lines.append("Colours asked for: " + ", ".join(book["colors"]) + ".")
    if book.get("rejected"):
        lines.append("Did not like: " + ", ".join(book["rejected"][:5]) + ".")
    if book.get("added"):
        lines.append("Put in the cart: " + "; ".join(book["added"][:3]) + ".")
    if book.get("orders"):
        lines.append("Orders placed here: " + ", ".join(book["orders"][:3]) + ".")
    if tier:
        lines.append(f"Loyalty tier: {tier}.")
    return " ".join(lines)[:1000]
