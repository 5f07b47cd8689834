"""The recommendation worker: search and refine, show more, details, complete the look."""

from __future__ import annotations

from typing import Any

from threadline.agent import memory, resolve
from threadline.agent.commands import Slots
from threadline.agent.turn import Outcome, Turn
from threadline.catalog import personalise, recommend, search_log
from threadline.catalog import search as catalog_search
from threadline.catalog.search import Query
from threadline.catalog.search_index import Doc, size_key
from threadline.catalog.service import rupees
from threadline.inventory import service as inventory

PAGE = 4
QUERY_WORDS = 4
FILTERS = ("category", "color", "size", "gender", "occasion", "brand", "min_price", "max_price")
# When nothing matches, constraints are let go of in this order (the category stays).
RELAX_ORDER = ("query", "size", "brand", "occasion", "color", "gender", "min_price", "max_price")


def filters_of(slots: Slots) -> dict[str, Any]:
    values = slots.model_dump(include={*FILTERS, "query"}, exclude_none=True)
    return {k: v for k, v in values.items() if v not in ("", None)}


async def search(turn: Turn, filters: dict[str, Any], *, action: str = "searched") -> Outcome:
    """A new search (or a refined one): the first page, in stock, rejected products left out."""
    docs, relaxed, total = await _find(turn, filters, offset=0)
    state = turn.state
    state["search"] = {"filters": filters, "offset": 0}
    memory.remember_search(turn.data, filters)
    facts: dict[str, Any] = {"want": memory.describe_filters(filters), "total": total}
    if relaxed:
        facts["relaxed"] = relaxed
        facts["relaxed_want"] = memory.describe_filters(
            {k: v for k, v in filters.items() if k not in relaxed}
        )
    if relaxed or not docs:  # nothing in stock was as asked: the staff dashboard counts it
        await search_log.record(turn.db, turn.settings, search_log.describe(filters), turn.channel)
    if not docs:
        return Outcome("no_results", facts)
    return await _shown(turn, docs, "no_results" if relaxed else action, facts)


async def refine(turn: Turn, slots: Slots) -> Outcome:
    """Change the current search: new attributes replace old ones; "cheaper" moves the price."""
    current = dict((turn.state.get("search") or {}).get("filters") or {})
    if slots.ref == "same":
        return await _same_but(turn, slots)
    changes = filters_of(slots)
    if "query" in changes and current.get("query"):
        # Words add up over refinements ("linen", then "printed"), each once, a few at most.
        words = dict.fromkeys(f"{current['query']} {changes['query']}".split())
        changes["query"] = " ".join(list(words)[-QUERY_WORDS:])
    merged = {**current, **changes}
    shown = resolve.shown_docs(turn.index, turn.data)
    # "Cheaper ones": below the middle of what was shown (below the cheapest would often
    # leave nothing); "premium": above it.
    prices = sorted(d.price_paise // 100 for d in shown)
    middle = prices[len(prices) // 2] if prices else None
    if slots.price_direction == "lower" and middle and middle > 1:
        merged["max_price"] = min(middle - 1, int(merged.get("max_price") or middle))
        merged.pop("min_price", None)
    elif slots.price_direction == "higher" and middle:
        merged["min_price"] = max(middle + 1, int(merged.get("min_price") or 0))
        merged.pop("max_price", None)
    if not merged:
        return Outcome("asked_what", {"reason": "nothing to refine"}, ask={"ask": "what"})
    return await search(turn, merged, action="refined")


async def show_more(turn: Turn) -> Outcome:
    current = turn.state.get("search") or {}
    filters = dict(current.get("filters") or {})
    if not filters and not current:
        return Outcome("asked_what", {"reason": "no search yet"}, ask={"ask": "what"})
    offset = int(current.get("offset") or 0) + PAGE
    docs, _, total = await _find(turn, filters, offset=offset)
    facts = {"want": memory.describe_filters(filters), "total": total, "offset": offset}
    if not docs:
        return Outcome("no_results", {**facts, "end": True})
    turn.state["search"] = {"filters": filters, "offset": offset}
    return await _shown(turn, docs, "showed_more", facts)


async def details(turn: Turn, doc: Doc) -> Outcome:
    stock = (await inventory.stock_by_sku(turn.db, [doc.sku])).get(doc.sku, {})
    turn.state["focus"] = doc.sku
    facts = {
        "product": doc.product,
        "in_stock": [s for s in doc.product["sizes"] if stock.get(s, 0) > 0],
        "low": {s: n for s, n in stock.items() if 0 < n <= LOW_STOCK},
        "stock": stock,
    }
    return Outcome("showed_details", facts, products=[doc.product])


async def complete_the_look(turn: Turn, doc: Doc) -> Outcome:
    looks = recommend.complete_the_look(turn.index, doc, limit=PAGE * 2)
    looks = [d for d in looks if d.sku not in memory.rejected(turn.data)]
    docs = await _in_stock(turn, looks, None, PAGE)
    turn.state["focus"] = doc.sku
    facts = {"anchor": doc.product}
    if not docs:
        return Outcome("no_results", {**facts, "want": "something to go with it"})
    return await _shown(turn, docs, "showed_look", facts)


def reject(turn: Turn, doc: Doc) -> Outcome:
    memory.remember_rejected(turn.data, doc.sku)
    turn.data["last_recommended_skus"] = [
        s for s in turn.data.get("last_recommended_skus") or [] if s != doc.sku
    ]
    if turn.state.get("focus") == doc.sku:
        turn.state.pop("focus", None)
    return Outcome("noted_rejection", {"product": doc.product})


LOW_STOCK = 3


async def _same_but(turn: Turn, slots: Slots) -> Outcome:
    """ "Same in black": the product in focus in another colour (or size, or price)."""
    found = resolve.product(turn.index, turn.data, Slots(ref="it"))
    if found.doc is None:
        return Outcome("asked_which", {"problem": found.problem}, ask={"ask": "which"})
    base = found.doc
    filters: dict[str, Any] = {"category": base.category, "gender": _gender_filter(base.gender)}
    filters.update(filters_of(slots))
    if not slots.color and base.color:
        filters["color"] = base.color.lower()
    docs, relaxed, total = await _find(turn, {k: v for k, v in filters.items() if v}, offset=0)
    docs = [d for d in docs if d.sku != base.sku] or docs
    turn.state["search"] = {"filters": filters, "offset": 0}
    facts = {"want": memory.describe_filters(filters), "total": total, "like": base.product}
    if relaxed:
        facts["relaxed"] = relaxed
    if not docs:
        return Outcome("no_results", facts)
    return await _shown(turn, docs, "refined", facts)


def _gender_filter(gender: str) -> str | None:
    return gender if gender in ("men", "women", "boys", "girls", "kids") else None


async def _find(
    turn: Turn, filters: dict[str, Any], *, offset: int
) -> tuple[list[Doc], list[str], int]:
    """A page of in-stock products for ``filters``, relaxing them when nothing matches."""
    relaxed: list[str] = []
    active = dict(filters)
    while True:
        docs, total = await _page(turn, active, offset)
        if docs or offset:
            return docs, relaxed, total
        droppable = [k for k in RELAX_ORDER if k in active]
        if not droppable:
            return [], relaxed, 0
        relaxed.append(droppable[0])
        active.pop(droppable[0])


async def _page(turn: Turn, filters: dict[str, Any], offset: int) -> tuple[list[Doc], int]:
    query = Query(
        q=filters.get("query"),
        category=filters.get("category"),
        gender=filters.get("gender"),
        color=filters.get("color"),
        size=filters.get("size"),
        brand=filters.get("brand"),
        occasion=filters.get("occasion"),
        min_price=filters.get("min_price"),
        max_price=filters.get("max_price"),
        limit=offset + PAGE * 3,
        offset=0,
    )
    found = catalog_search.search(turn.index, query, boosts=_boosts(turn))
    if query.q and not found.exact:
        return [], 0
    skip = memory.rejected(turn.data)
    candidates = [d for d in found.docs if d.sku not in skip]
    in_stock = await _in_stock(turn, candidates, filters.get("size"), offset + PAGE)
    return in_stock[offset : offset + PAGE], found.total


async def _in_stock(turn: Turn, docs: list[Doc], size: str | None, limit: int) -> list[Doc]:
    """The first ``limit`` of ``docs`` someone can buy (in ``size`` when given)."""
    if not docs:
        return []
    stock = await inventory.stock_by_sku(turn.db, [d.sku for d in docs])
    wanted = size_key(size) if size else None
    kept = []
    for doc in docs:
        units = stock.get(doc.sku, {})
        if wanted is not None:
            ok = any(size_key(s) == wanted and n > 0 for s, n in units.items())
        else:
            ok = any(n > 0 for n in units.values())
        if ok:
            kept.append(doc)
        if len(kept) >= limit:
            break
    return kept


def _boosts(turn: Turn) -> catalog_search.Boosts | None:
    customer = turn.customer
    profile = personalise.profile_for(
        turn.index,
        preferences=customer.preferences if customer else None,
        purchase_history=customer.purchase_history if customer else None,
        recent=turn.data.get("recent"),
    )
    boosts = personalise.boosts(turn.index, profile)
    return boosts or None


async def _shown(turn: Turn, docs: list[Doc], action: str, facts: dict[str, Any]) -> Outcome:
    turn.state["focus"] = docs[0].sku if len(docs) == 1 else None
    facts["prices"] = [rupees(d.price_paise) for d in docs]
    return Outcome(action, facts, products=[d.product for d in docs], recommended=True)
