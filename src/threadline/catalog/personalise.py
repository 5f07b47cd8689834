"""Personal boosts for search: what a customer's preferences, purchases and recently viewed
products say they like, as a number per product that reorders results and never filters them.

Preferences are free-form JSON written by imports, staff and the agent, so every key is optional
and both spellings are read: ``colors``/``colours``/``color``, ``brands``/``brand``,
``categories``/``category``, ``sizes``/``size`` (a string, a list or ``{"top": "M", ...}``) and
``budget`` (rupees: a number, ``{"max": n}`` or ``[min, max]``).  Values of the wrong shape are
ignored rather than failing a search.

Liking signals (colour, brand, category; bought; viewed) add up; the fit signals (offers one of
the customer's sizes, within budget) only refine products that already carry a liking signal,
since most of the catalog comes in size M.  Weights are whole units of ``search.BOOST_UNIT``
summing to 20, so a product matching every signal gets a boost of 1.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain, repeat
from typing import Any

from threadline.catalog import search_text as text
from threadline.catalog.search import Boosts
from threadline.catalog.search_index import SearchIndex, size_key
from threadline.catalog.service import paise

# A heavy profile's boosts cover most of a 15k catalog, ~0.3 MB: 64 of them stay cheap.
CACHED_PROFILES = 64


@dataclass(frozen=True, slots=True)
class Profile:
    colors: frozenset[str] = frozenset()
    brands: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    sizes: frozenset[str] = frozenset()
    budget_paise: int | None = None
    bought_categories: frozenset[str] = frozenset()
    bought_brands: frozenset[str] = frozenset()
    viewed_skus: frozenset[str] = frozenset()
    viewed_categories: frozenset[str] = frozenset()
    viewed_brands: frozenset[str] = frozenset()

    def signals(self) -> list[tuple[str, frozenset[str], int]]:
        """(facet, values, units) of each liking signal."""
        return [
            ("color", self.colors, 4),
            ("brand", self.brands, 4),
            ("category", self.categories, 3),
            ("category", self.bought_categories, 2),
            ("brand", self.bought_brands, 2),
            ("category", self.viewed_categories, 1),
            ("brand", self.viewed_brands, 1),
        ]


def _strings(value: Any) -> list[str]:
    """Every string in a string, a list of them or a dict's values (one level)."""
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list | tuple):
        return [str(v) for v in value if isinstance(v, str | int) and str(v).strip()]
    return []


def _first(mapping: dict[str, Any], *keys: str) -> Any:
    return next((mapping[k] for k in keys if mapping.get(k) is not None), None)


def _budget(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, dict):
        value = _first(value, "max", "max_price", "upto")
    elif isinstance(value, list | tuple) and value:
        value = value[-1]
    try:
        rupees = float(value)
    except (TypeError, ValueError):
        return None
    return paise(rupees) if rupees > 0 and rupees != float("inf") else None


def profile_for(
    index: SearchIndex,
    *,
    preferences: dict[str, Any] | None,
    purchase_history: list[Any] | None,
    recent: Iterable[Any] | None,
) -> Profile:
    """A customer's profile; purchased and viewed skus are looked up in ``index``."""
    prefs = preferences if isinstance(preferences, dict) else {}
    colours = _strings(_first(prefs, "colors", "colours", "color", "colour"))
    history = purchase_history if isinstance(purchase_history, list) else []
    bought = [o for o in history if isinstance(o, dict)]
    bought_docs = [index.get(str(o.get("sku"))) for o in bought]
    views = recent if isinstance(recent, list | tuple) else []
    viewed = [
        v if isinstance(v, str) else str(v.get("sku")) for v in views if isinstance(v, str | dict)
    ]
    viewed_docs = [d for d in (index.get(sku) for sku in viewed) if d is not None]
    return Profile(
        colors=frozenset(w for c in colours for w in text.tokens(c)),
        brands=frozenset(b.strip().lower() for b in _strings(_first(prefs, "brands", "brand"))),
        categories=frozenset(
            c
            for name in _strings(_first(prefs, "categories", "category"))
            for c in text.category_ids(name)
        ),
        sizes=frozenset(size_key(s) for s in _strings(_first(prefs, "sizes", "size"))),
        budget_paise=_budget(prefs.get("budget")),
        # An order line of a product no longer sold can still name its category and brand.
        bought_categories=frozenset(
            c
            for d, o in zip(bought_docs, bought, strict=True)
            for c in ((d.category,) if d else text.category_ids(str(o.get("category") or "")))
            if c
        ),
        bought_brands=frozenset(
            (d.brand if d else str(o.get("brand") or "")).strip().lower()
            for d, o in zip(bought_docs, bought, strict=True)
            if d or o.get("brand")
        ),
        viewed_skus=frozenset(d.sku for d in viewed_docs),
        viewed_categories=frozenset(d.category for d in viewed_docs),
        viewed_brands=frozenset(d.brand.strip().lower() for d in viewed_docs),
    )


def boosts(index: SearchIndex, profile: Profile) -> Boosts:
    """The boost units of every product the profile says something about.

    Kept per index for the last ``CACHED_PROFILES`` profiles: a shopper searches several times
    in a row, and the next index starts with an empty cache.
    """
    cache = index.boost_cache
    found = cache.get(profile)
    if found is None:
        if len(cache) >= CACHED_PROFILES:
            del cache[next(iter(cache))]  # the oldest
        found = cache[profile] = Boosts(_units(index, profile))
    return found


def _units(index: SearchIndex, profile: Profile) -> Counter[int]:
    units: Counter[int] = Counter()
    # Counter.update counts in C: a signal of n units counts its products n times, which
    # keeps a profile that touches most of a 15k catalog to about a millisecond.
    for facet, values, weight in profile.signals():
        # A product counts once per signal, even when two of its values match.
        ids = frozenset().union(*(index.facet(facet, v) for v in values))
        units.update(chain.from_iterable(repeat(ids, weight)))
    units.update(index.by_sku[sku] for sku in profile.viewed_skus)
    liked = units.keys()
    sizes = frozenset().union(*(index.facet("size", s) for s in profile.sizes))
    units.update(liked & sizes)
    if profile.budget_paise is not None:
        units.update(liked & index.price_range(None, profile.budget_paise))
    return units
