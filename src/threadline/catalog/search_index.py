"""The search index itself: an immutable snapshot of the active catalog (see ``catalog.search``).

Scoring is BM25F: a word's count in each field is length-normalised per field, weighted, summed
and saturated once (``K1``); a posting holds that number, and ``idf`` the word's inverse
document frequency.  They are kept apart so that a word and its synonyms can share one idf (as
Lucene's SynonymQuery does).  Words with synonyms also get a merged posting list at build time,
so a query word is always one list: turned into a dict in C, not merged in Python per search.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from threadline.catalog import search_text as text
from threadline.catalog.models import Product
from threadline.catalog.service import render
from threadline.catalog.taxonomy import CATEGORIES

K1 = 1.2
POPULARITY_WEIGHT = 0.1
# Descriptions open with what the product is; the tail is care notes, size charts and warranty
# text that would only add noise (and build time) to the index.
DESCRIPTION_WORDS = 80
# (field, weight, b): b is how much a long field is discounted; short fields are not.
FIELDS = (
    ("name", 3.0, 0.5),
    ("category", 3.0, 0.0),
    ("brand", 2.0, 0.0),
    ("color", 2.0, 0.0),
    ("gender", 1.5, 0.0),
    ("occasion", 1.5, 0.0),
    ("material", 1.0, 0.0),
    # A unisex product suits a men's or women's search too, a little less than one made for it.
    ("gender_also", 0.7, 0.0),
    ("description", 0.5, 0.75),
)
_GENDER_TERMS = {
    "men": ("men",),
    "women": ("women",),
    "boys": ("boy", "kid"),
    "girls": ("girl", "kid"),
    "kids": ("kid",),
    "unisex": ("unisex",),
}
_GENDER_ALSO = {"unisex": ("men", "women"), "kids": ("boy", "girl")}
# Which stored genders a gender filter admits: a men's search includes unisex products.
GENDER_MATCHES = {
    "men": ("men", "unisex"),
    "women": ("women", "unisex"),
    "boys": ("boys", "kids"),
    "girls": ("girls", "kids"),
    "kids": ("kids", "boys", "girls"),
    "unisex": ("unisex",),
}
_MAX_CACHED_WORDS = 20_000
Posting = tuple["array[int]", "array[float]"]


@dataclass(frozen=True, slots=True)
class Doc:
    """One product as search sees it; ``product`` is ``catalog.service.render`` of it."""

    sku: str
    name: str
    brand: str
    category: str
    gender: str
    color: str | None
    occasion: str | None
    price_paise: int
    # rating × log(1 + number of ratings), scaled to 0..1 over the catalog
    popularity: float
    product: dict[str, Any]


class SearchIndex:
    """Never changed once built, apart from memoising word lookups and personal boosts."""

    def __init__(
        self,
        version: int,
        docs: list[Doc],
        postings: dict[str, Posting],
        facets: dict[str, dict[str, frozenset[int]]],
        fuzzy_vocabulary: list[str],
    ) -> None:
        self.version = version
        self.docs = docs
        self.postings = postings
        self.facets = facets
        self.fuzzy_vocabulary = fuzzy_vocabulary
        self.frequency = {term: len(ids) for term, (ids, _) in postings.items()}
        count = len(docs)
        self.idf = {
            term: math.log(1 + (count - n + 0.5) / (n + 0.5)) for term, n in self.frequency.items()
        }
        self.by_sku = {doc.sku: i for i, doc in enumerate(docs)}
        self.popularity = [doc.popularity for doc in docs]
        # What popularity multiplies a text match's score by: the most popular gets +10%.
        self.prior = [1 + POPULARITY_WEIGHT * p for p in self.popularity]
        by_price = sorted((doc.price_paise, i) for i, doc in enumerate(docs))
        self._prices = [price for price, _ in by_price]
        self._price_ids = [i for _, i in by_price]
        # A synonym's postings merged into its word's, so a query word is one posting list.
        self.merged = _merge_synonyms(postings, self.idf)
        self._lookups: dict[str, tuple[Posting | None, float]] = {}
        # Personal boosts per customer profile, kept and bounded by ``catalog.personalise``.
        self.boost_cache: dict[Any, Any] = {}

    def __len__(self) -> int:
        return len(self.docs)

    def get(self, sku: str) -> Doc | None:
        i = self.by_sku.get(sku)
        return None if i is None else self.docs[i]

    def facet(self, name: str, value: str) -> frozenset[int]:
        return self.facets[name].get(value, frozenset())

    def price_range(self, low: int | None, high: int | None) -> set[int]:
        """Ids of products priced within [low, high] paise (either bound may be open)."""
        start = 0 if low is None else bisect_left(self._prices, low)
        end = len(self._prices) if high is None else bisect_right(self._prices, high)
        return set(self._price_ids[start:end])

    def lookup(self, word: str) -> tuple[Posting | None, float]:
        """The postings a query word stands for (with its synonyms) and what its scores are
        multiplied by: the idf, and less for a guessed spelling; None when nothing matches."""
        cached = self._lookups.get(word)
        if cached is not None:
            return cached
        term, weight = word, 1.0
        if term not in self.postings and term not in self.merged:
            fixed = text.correct(term, self.fuzzy_vocabulary, self.frequency)
            if fixed is not None:
                term, weight = fixed, text.TYPO_WEIGHT
        found: tuple[Posting | None, float] = (None, 0.0)
        if term in self.merged:
            ids, scores, idf = self.merged[term]
            found = ((ids, scores), weight * idf)
        elif term in self.postings:
            found = (self.postings[term], weight * self.idf[term])
        if len(self._lookups) >= _MAX_CACHED_WORDS:  # bounded: queries are user input
            self._lookups.clear()
        self._lookups[word] = found
        return found


def _merge_synonyms(
    postings: dict[str, Posting], idf: dict[str, float]
) -> dict[str, tuple[array[int], array[float], float]]:
    """For each synonym-table word with a synonym in the catalog: the best weighted score of
    the word or a synonym per product, and the idf of the most common of them (a rare synonym
    such as "denim" would otherwise outscore "jeans" in the very products asked for)."""
    merged = {}
    for word, others in text.SYNONYMS.items():
        present = [
            (term, 1.0 if term == word else text.SYNONYM_WEIGHT)
            for term in (word, *others)
            if term in postings
        ]
        if not present or present == [(word, 1.0)]:
            continue
        best: dict[int, float] = {}
        for term, weight in present:
            for i, score in zip(*postings[term], strict=True):
                if score * weight > best.get(i, 0.0):
                    best[i] = score * weight
        ids = sorted(best)
        merged[word] = (
            array("i", ids),
            array("f", [best[i] for i in ids]),
            min(idf[term] for term, _ in present),
        )
    return merged


def _fields(product: Product) -> dict[str, list[str]]:
    category = CATEGORIES.get(product.category)
    about = [product.category.replace("_", " "), product.subcategory or ""]
    if category is not None:
        about.append(category.label)
        if category.group == "ethnic":
            about.append("ethnic")
    description = " ".join((product.description or "").split()[:DESCRIPTION_WORDS])
    return {
        "name": text.tokens(product.name),
        "category": text.tokens(" ".join(about)),
        "brand": text.tokens(product.brand),
        "color": text.tokens(product.color),
        "gender": list(_GENDER_TERMS.get(product.gender, ())),
        "occasion": text.tokens(product.occasion),
        "material": text.tokens(product.material),
        "gender_also": list(_GENDER_ALSO.get(product.gender, ())),
        "description": text.tokens(description),
    }


def _popularity(product: Product) -> float:
    return (product.rating or 0.0) * math.log1p(product.rating_count or 0)


def size_key(size: str) -> str:
    """``UK 8``, ``uk8`` and ``Uk 8`` are one size."""
    return "".join(size.lower().split())


def _facets(products: Sequence[Product]) -> dict[str, dict[str, frozenset[int]]]:
    collected: dict[str, dict[str, set[int]]] = {
        name: {} for name in ("category", "gender", "brand", "color", "occasion", "size")
    }

    def add(facet: str, value: str | None, i: int) -> None:
        if value:
            collected[facet].setdefault(value, set()).add(i)

    for i, p in enumerate(products):
        add("category", p.category, i)
        add("gender", p.gender, i)
        add("brand", p.brand.strip().lower(), i)
        add("occasion", (p.occasion or "").lower(), i)
        for word in text.tokens(p.color):  # by word: a "blue" filter admits "Navy Blue"
            add("color", word, i)
        for size in p.sizes or ():
            add("size", size_key(str(size)), i)
    return {
        name: {value: frozenset(ids) for value, ids in values.items()}
        for name, values in collected.items()
    }


def _postings(
    fields: list[dict[str, list[str]]],
) -> tuple[dict[str, Posting], set[str]]:
    """Posting lists of the documents' words, and the words seen outside descriptions."""
    average = {
        name: (sum(len(f[name]) for f in fields) / len(fields) if fields else 0.0) or 1.0
        for name, _, _ in FIELDS
    }
    collected: dict[str, tuple[list[int], list[float]]] = {}
    strong: set[str] = set()
    for i, doc_fields in enumerate(fields):
        weighted: dict[str, float] = {}
        for name, weight, b in FIELDS:
            words = doc_fields[name]
            if not words:
                continue
            share = weight / (1 - b + b * len(words) / average[name])
            for word in words:
                weighted[word] = weighted.get(word, 0.0) + share
            if name != "description":
                strong.update(words)
        for word, tf in weighted.items():
            ids, scores = collected.setdefault(word, ([], []))
            ids.append(i)
            scores.append(tf * (K1 + 1) / (tf + K1))
    postings = {
        word: (array("i", ids), array("f", scores)) for word, (ids, scores) in collected.items()
    }
    return postings, strong


def build_index(version: int, products: Sequence[Product]) -> SearchIndex:
    """Index ``products`` (the active ones); pure CPU work, safe to run in a worker thread."""
    ranked = sorted(((_popularity(p), p) for p in products), key=lambda r: (-r[0], r[1].sku))
    products = [p for _, p in ranked]
    top = ranked[0][0] if ranked and ranked[0][0] > 0 else 1.0
    postings, strong = _postings([_fields(p) for p in products])
    docs = [
        Doc(
            p.sku,
            p.name,
            p.brand,
            p.category,
            p.gender,
            p.color,
            p.occasion,
            p.price_paise,
            popularity / top,
            render(p),
        )
        for popularity, p in ranked
    ]
    # Typos are corrected towards the words of names, brands, categories and colours (and the
    # synonym words), not towards the long tail of description words, which would turn many
    # a misspelling into an unrelated rare word.
    vocabulary = sorted(strong | set(text.SYNONYMS))
    return SearchIndex(version, docs, postings, _facets(products), vocabulary)
