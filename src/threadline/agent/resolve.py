"""Which product or cart line a message means: "the second one", "that shirt", "the blue one".

A reference is resolved against what the shopper has actually seen: the products last shown
(``last_recommended_skus``), the product in focus (last detailed, added or the only one shown)
and the cart.  When more than one thing fits, the answer is a list of candidates and the agent
asks which one; it never picks for the shopper.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from threadline.agent.commands import Slots
from threadline.catalog import search_text as text
from threadline.catalog.search_index import Doc, SearchIndex


@dataclass(slots=True)
class Resolved:
    """One match (``doc``), several (``candidates``: ask which) or none (both empty)."""

    doc: Doc | None = None
    candidates: list[Doc] = field(default_factory=list)
    # Why nothing matched, in words ("I showed 4 products; there is no 6th").
    problem: str | None = None


def shown_docs(index: SearchIndex, data: dict[str, Any]) -> list[Doc]:
    docs = (index.get(str(s)) for s in data.get("last_recommended_skus") or [])
    return [d for d in docs if d is not None]


def _category_matches(doc: Doc, category: str) -> bool:
    return doc.category in text.category_ids(category)


def _colour_matches(doc: Doc, colour: str) -> bool:
    words = set(text.tokens(doc.color or ""))
    return bool(words) and set(text.tokens(colour)) <= words


def _fits(doc: Doc, slots: Slots) -> bool:
    if slots.category and not _category_matches(doc, slots.category):
        return False
    if slots.color and not _colour_matches(doc, slots.color):
        return False
    return not (slots.brand and doc.brand.lower() != slots.brand.lower())


def product(index: SearchIndex, data: dict[str, Any], slots: Slots) -> Resolved:
    """The product a message points at, among what the shopper has seen."""
    if slots.sku:
        doc = index.get(slots.sku) or index.get(slots.sku.upper())
        return Resolved(doc, problem=None if doc else f"I can't find a product {slots.sku}.")
    shown = shown_docs(index, data)
    if slots.ordinal is not None:
        n = slots.ordinal
        if not shown:
            return Resolved(problem="I haven't shown you any products yet.")
        if n == -1:
            return Resolved(shown[-1])
        if 1 <= n <= len(shown):
            return Resolved(shown[n - 1])
        noun = "product" if len(shown) == 1 else "products"
        return Resolved(problem=f"I showed you {len(shown)} {noun}; there is no number {n}")
    focus_sku = (data.get("agent") or {}).get("focus")
    focus = index.get(str(focus_sku)) if focus_sku else None
    described = bool(slots.category or slots.color or slots.brand)
    if slots.ref == "one" or (described and slots.ref != "it"):
        fitting = [d for d in shown if _fits(d, slots)]
        if slots.price_direction and fitting:
            pick = min if slots.price_direction == "lower" else max
            return Resolved(pick(fitting, key=lambda d: d.price_paise))
        if len(fitting) == 1:
            return Resolved(fitting[0])
        if fitting:
            return Resolved(candidates=fitting)
        if focus is not None and _fits(focus, slots):
            return Resolved(focus)
        return Resolved(problem="none of the products I showed is like that")
    if focus is not None and (not described or _fits(focus, slots)):
        return Resolved(focus)
    fitting = [d for d in shown if _fits(d, slots)]
    if len(fitting) == 1:
        return Resolved(fitting[0])
    if fitting:
        return Resolved(candidates=fitting)
    return Resolved(problem="I'm not sure which product you mean")


def line_fits(index: SearchIndex, line: dict[str, Any], slots: Slots) -> bool:
    """Whether a cart or order line is of the product the slots describe."""
    if slots.sku and line.get("sku") != slots.sku:
        return False
    doc = index.get(str(line.get("sku")))
    if doc is None:  # no longer sold: only an undescribed reference can mean it
        return not (slots.category or slots.color or slots.brand)
    return _fits(doc, slots)


def cart_line(
    index: SearchIndex, data: dict[str, Any], slots: Slots
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The cart line a message points at: (line, []) or (None, candidates to ask about)."""
    lines = [line for line in data.get("cart") or [] if isinstance(line, dict)]
    if not lines:
        return None, []
    if slots.ordinal is not None and slots.sku is None and not slots.category:
        n = slots.ordinal
        if n == -1:
            return lines[-1], []
        if 1 <= n <= len(lines):
            return lines[n - 1], []
        return None, lines

    described = bool(slots.sku or slots.category or slots.color or slots.brand)
    if described:
        fitting = [line for line in lines if line_fits(index, line, slots)]
        if len(fitting) == 1:
            return fitting[0], []
        return None, fitting or lines
    if len(lines) == 1:
        return lines[0], []
    focus = (data.get("agent") or {}).get("focus")
    focused = [line for line in lines if line.get("sku") == focus]
    if slots.ref == "it" and len(focused) == 1:
        return focused[0], []
    if (data.get("agent") or {}).get("last_line"):
        last = [line for line in lines if line.get("line_id") == data["agent"]["last_line"]]
        if slots.ref == "it" and last:
            return last[0], []
    return None, lines
