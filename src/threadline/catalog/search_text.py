"""The words of catalog search: tokens, light stemming, synonyms, Hinglish and typo correction.

Products and queries go through the same :func:`tokens`, so "T-Shirts", "t shirt" and "tshirts"
all become ``tshirt`` on both sides.  Products are indexed by their own words only; a query word
stands for itself (weight 1) and its :data:`SYNONYMS` (:data:`SYNONYM_WEIGHT`), best one
counting, which ``search_index`` merges into one posting list per word when it builds.  Filters
and preferences name genders and categories loosely (``Men's``, ``T-Shirts``, ``ethnic wear``):
:func:`gender_id` and :func:`category_ids` turn those into the stored ids.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence

from rapidfuzz import process
from rapidfuzz.distance import OSA

from threadline.catalog.taxonomy import CATEGORIES

SYNONYM_WEIGHT = 0.8
TYPO_WEIGHT = 0.8

_APOSTROPHES = str.maketrans("", "", "'’`")
_TSHIRT = re.compile(r"\b(?:t|tee)[\s-]?shirts?\b")
_WORD = re.compile(r"[a-z0-9]+")

# Words that carry no product meaning in a shopper's query (English and Hinglish fillers).
# Checked before stemming.  "kapde" (clothes) is here: every product is one.
_STOP_WORDS = """
    a an and any are as at be best buy by can cheap clothes clothing do for from get give good has
    have i im in is it item items looking me my need new nice of on or please pls product
    products show some something the to under want wear with above below over less more than
    aur chahiye chaiye dikhao dikha ek hai hain ka kapda kapde kapdey kapre ke ki koi kuch
    liye mujhe muje wala wale wali"""
STOP_WORDS = frozenset(_STOP_WORDS.split())


@functools.lru_cache(maxsize=100_000)  # a catalog has a few thousand distinct words, seen often
def stem(word: str) -> str:
    """Plural → singular, conservatively: ``dresses``→``dress``, ``shoes``→``shoe``."""
    if len(word) <= 3 or word[-1] != "s" or word.endswith(("ss", "us")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    return word[:-1]


def tokens(text: str | None) -> list[str]:
    """Lower-cased, stemmed words of ``text`` (``men's`` → ``men``, ``T-shirts`` → ``tshirt``)."""
    if not text:
        return []
    text = text.lower()
    # Both rewrites are skipped when they cannot apply: this runs ~100k times per index build.
    if "'" in text or "’" in text or "`" in text:
        text = text.translate(_APOSTROPHES)
    if "shirt" in text:
        text = _TSHIRT.sub("tshirt", text)
    return [stem(word) for word in _WORD.findall(text)]


def query_terms(q: str) -> list[str]:
    """The words of a query that can match a product: stop words dropped, each once, in order."""
    text = _TSHIRT.sub("tshirt", q.lower().translate(_APOSTROPHES))
    seen: dict[str, None] = {}
    for word in _WORD.findall(text):
        if word not in STOP_WORDS:
            seen.setdefault(stem(word), None)
    return list(seen)


# Any word of a group finds the others.
_GROUPS = (
    "tshirt tee",
    "pant trouser chino slack",
    "sneaker trainer",
    "ethnic festive traditional wedding",
    "kurta kurti kurtha kameez",
    "jumper sweater pullover",
    "bag handbag purse tote",
    "jean denim",
    "saree sari",
    "lehenga lehnga",
    "jewellery jewelry",
    "sunglass shade goggle chashma",
    "watch ghadi",
    "dress frock",
    "men man male gent mard",
    "women woman female lady aurat",
    "kid child children",
)
# One way: the query word also finds these, not the reverse ("shoes" shows sneakers, but a
# "sneakers" search should not fill up with formal shoes).
_ONE_WAY = {
    "shoe": "sneaker footwear",
    "footwear": "shoe sneaker sandal",
    "joota": "shoe sneaker",
    "jootey": "shoe sneaker",
    "joote": "shoe sneaker",
    "juta": "shoe sneaker",
    "jooti": "shoe sandal",
    "chappal": "sandal slipper flip",
    "slipper": "flip slider sandal",
    "ladka": "men boy",
    "ladki": "women girl",
    # Colours in Hindi.
    "lal": "red",
    "neela": "blue",
    "nila": "blue",
    "kala": "black",
    "kaala": "black",
    "safed": "white",
    "hara": "green",
    "peela": "yellow",
    "gulabi": "pink",
}


def _synonyms() -> dict[str, tuple[str, ...]]:
    table: dict[str, set[str]] = {}
    for group in _GROUPS:
        words = [stem(w) for w in group.split()]
        for word in words:
            table.setdefault(word, set()).update(w for w in words if w != word)
    for word, others in _ONE_WAY.items():
        table.setdefault(stem(word), set()).update(stem(w) for w in others.split())
    return {word: tuple(sorted(others)) for word, others in table.items()}


SYNONYMS: dict[str, tuple[str, ...]] = _synonyms()


def max_typos(term: str) -> int:
    """How many edits a word of this length may carry: none below 4 letters (``top``/``tee``
    would match too much), one up to 6, two from 7 (``snekers`` → ``sneakers``)."""
    return 0 if len(term) < 4 else 1 if len(term) < 7 else 2


def correct(term: str, vocabulary: Sequence[str], frequency: Mapping[str, int]) -> str | None:
    """The vocabulary word ``term`` most likely misspells, or None.

    Optimal string alignment distance, so a swapped pair of letters (``shrit``) is one edit;
    among equally close words the one in more products wins (``jeens`` → ``jean``, not ``teen``).
    """
    limit = max_typos(term)
    if not limit:
        return None
    matches = process.extract(term, vocabulary, scorer=OSA.distance, score_cutoff=limit, limit=10)
    if not matches:
        return None
    best = min(matches, key=lambda m: (m[1], -frequency.get(m[0], 0), m[0]))
    return str(best[0])


# --- naming a gender or a category in a filter or a preference -----------------------------

_GENDER_WORDS = {
    "man": "men",
    "male": "men",
    "gent": "men",
    "woman": "women",
    "female": "women",
    "lady": "women",
    "boy": "boys",
    "girl": "girls",
    "kid": "kids",
    "child": "kids",
    "children": "kids",
}


def _category_key(value: str) -> str:
    return "_".join(tokens(value.replace("_", " ")))


# A category is named by its id (``tshirt``) or a spelling of it or its label ("T-Shirts"), and
# a group by its name ("footwear", "ethnic wear"); "other" is no group a shopper asks for.
_CATEGORY_IDS = {_category_key(key): c.id for c in CATEGORIES.values() for key in (c.id, c.label)}
_GROUP_IDS = {
    _category_key(group): tuple(c.id for c in CATEGORIES.values() if c.group == group)
    for group in {c.group for c in CATEGORIES.values()} - {"other"}
}


def gender_id(value: str) -> str:
    """The stored gender ``value`` names: ``Men's``/``male`` → men, ``girl`` → girls."""
    key = "".join(tokens(value))
    return _GENDER_WORDS.get(key, key)


def category_ids(value: str) -> tuple[str, ...]:
    """The category ids ``value`` names (``T-Shirts`` → tshirt; ``footwear`` → four ids)."""
    if value.strip().lower() in CATEGORIES:
        return (value.strip().lower(),)
    key = _category_key(value)
    return _GROUP_IDS.get(key.removesuffix("_wear")) or (_CATEGORY_IDS.get(key, key),)
