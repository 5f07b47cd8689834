"""Recommendations drawn from the search index: what completes a look, and what is like a product.

Both work on the in-memory index (``catalog.search``), so they cost no database query beyond
loading the product asked about.  Stock is not consulted: a recommendation is an idea, and the
cart checks stock when the customer acts on it.
"""

from __future__ import annotations

import heapq
import math
from typing import Protocol

from threadline.catalog.search_index import GENDER_MATCHES, Doc, SearchIndex
from threadline.catalog.taxonomy import COMPLEMENTS

# A unisex product goes with men's and women's things alike.
_GOES_WITH = {**GENDER_MATCHES, "unisex": ("unisex", "men", "women")}
# Complements cost between a quarter and two and a half times the product: a ₹600 T-shirt
# is not paired with a ₹15,000 watch, nor a blazer with a ₹99 belt.
LOOK_PRICE_BAND = (0.25, 2.5)
# Similar products first come from within half to twice the price.
SIMILAR_PRICE_BAND = (0.5, 2.0)


class Anchor(Protocol):
    """What recommendations need of a product: a ``Product`` row or a search ``Doc``."""

    @property
    def sku(self) -> str: ...
    @property
    def brand(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def gender(self) -> str: ...
    @property
    def color(self) -> str | None: ...
    @property
    def occasion(self) -> str | None: ...
    @property
    def price_paise(self) -> int: ...


def _genders(index: SearchIndex, gender: str) -> frozenset[int]:
    return frozenset().union(*(index.facet("gender", g) for g in _GOES_WITH.get(gender, ())))


def _price_closeness(a: int, b: int, band: float) -> float:
    """1 for the same price, falling to 0 at ``band`` times (or 1/band times) the price."""
    if a <= 0 or b <= 0:
        return 0.0
    return max(0.0, 1 - abs(math.log(b / a)) / math.log(band))


def _in_band(
    index: SearchIndex, ids: frozenset[int], price: int, band: tuple[float, float]
) -> frozenset[int]:
    low, high = round(price * band[0]), round(price * band[1])
    return ids & index.price_range(low, high)


def complete_the_look(index: SearchIndex, product: Anchor, *, limit: int = 6) -> list[Doc]:
    """Items from the categories that go with ``product`` (``taxonomy.COMPLEMENTS``), for the
    same gender or unisex, near its price, one category after another so the look is varied."""
    docs = index.docs
    genders = _genders(index, product.gender)

    def score(doc: Doc) -> float:
        same_occasion = bool(product.occasion) and doc.occasion == product.occasion
        closeness = _price_closeness(product.price_paise, doc.price_paise, LOOK_PRICE_BAND[1])
        return 0.5 * doc.popularity + 0.3 * same_occasion + 0.2 * closeness

    per_category: list[list[Doc]] = []
    for category in COMPLEMENTS.get(product.category, ()):
        suitable = index.facet("category", category) & genders
        # With nothing of a category in the band, any price beats leaving the category out
        # (closeness still counts in the score).
        pool = _in_band(index, suitable, product.price_paise, LOOK_PRICE_BAND) or suitable
        # Ids are in popularity order: scoring the most popular few bounds the work.
        candidates = [docs[i] for i in sorted(pool)[: limit * 4]]
        per_category.append(sorted(candidates, key=lambda d: (-score(d), d.sku)))
    picks = [
        ranked[rank]
        for rank in range(limit)
        for ranked in per_category
        if rank < len(ranked) and ranked[rank].sku != product.sku
    ]
    return picks[:limit]


def similar(index: SearchIndex, product: Anchor, *, limit: int = 6) -> list[Doc]:
    """Other products of the same category for the same gender, near its price, preferring a
    shared colour, brand and occasion."""
    docs = index.docs
    suitable = index.facet("category", product.category) & _genders(index, product.gender)
    pool = _in_band(index, suitable, product.price_paise, SIMILAR_PRICE_BAND)
    if len(pool) <= limit:
        pool = suitable
    colour = (product.color or "").lower()

    def score(doc: Doc) -> float:
        return (
            0.35 * _price_closeness(product.price_paise, doc.price_paise, SIMILAR_PRICE_BAND[1])
            + 0.2 * (bool(colour) and (doc.color or "").lower() == colour)
            + 0.15 * (doc.brand == product.brand)
            + 0.15 * (bool(product.occasion) and doc.occasion == product.occasion)
            + 0.1 * (doc.gender == product.gender)
            + 0.05 * doc.popularity
        )

    candidates = (docs[i] for i in pool if docs[i].sku != product.sku)
    return heapq.nsmallest(limit, candidates, key=lambda d: (-score(d), d.sku))
