"""The words understanding knows: the fixed lexicon plus one catalog's brands, colours and skus.

A :class:`Vocabulary` is built once per catalog index (a few milliseconds for 13k products:
only distinct brands and colours are looked at) and shared by every message; it also keeps
the memo of corrected spellings, bounded, since messages are user input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rapidfuzz import process
from rapidfuzz.distance import OSA

from threadline.agent.understand import lexicon
from threadline.agent.understand.common import COMMON_WORDS, SPEECH_WORDS
from threadline.agent.understand.cues import CUES, FILLERS
from threadline.catalog.demo import demo_stores
from threadline.catalog.search_text import max_typos, stem

if TYPE_CHECKING:
    from threadline.catalog.search_index import SearchIndex

# (kind, value): ("category", "shirt"), ("cue", "add"), ("brand", "Metro Loom") …
Tag = tuple[str, str]
Phrase = tuple[str, ...]

_APOSTROPHES = str.maketrans("", "", "'’`‘")
_WORD = re.compile(r"[^\W_]+")
_MAX_TYPOS_CACHED = 20_000
# What the command's slots hold at most; longer catalog values are never matched.
_MAX_BRAND, _MAX_CITY, _MAX_COLOUR, _MAX_SKU = 80, 80, 40, 64
_HAS_DIGIT = re.compile(r"[0-9]")

# Materials and styles: real words no typo fixer should turn into a category or a colour
# ("jute" is one letter from "juta", a shoe), and good words for the search query.
_MATERIALS = """cotton linen silk denim wool woollen woolen polyester rayon viscose khadi chanderi
    georgette chiffon satin velvet leather suede canvas jute nylon lycra fleece crepe net lace
    chikankari banarasi kanjeevaram zari printed plain solid striped stripes checked checks
    floral embroidered slim regular oversized skinny straight tapered bootcut ripped distressed
    sleeveless full half sleeve sleeves collar neck round hooded zipper pocket pockets stretch
    organic handloom handcrafted oxford graphic print prints pattern light dark soft warm
    winter summer monsoon breathable waterproof comfortable comfy loose tight long short mini
    midi high low rise waist waisted kids"""

# The words the typo fixer corrects towards, besides products, colours and cities.
_CUE_TARGETS = """checkout remove delete available availability details exchange return refund
    discount discounts coupon offers delivery pickup cancel reserve cheaper expensive premium
    affordable payment status track change increase decrease quantity recommend suggest
    collect wallet points order second third fourth fifth"""


def words(text: str) -> list[str]:
    """Lower-cased words without apostrophes ("Men's" → ``mens``, "T-shirt" → ``t``, ``shirt``)."""
    return _WORD.findall(text.lower().translate(_APOSTROPHES))


def _base_phrases() -> dict[Phrase, Tag]:
    tables: list[tuple[str, Mapping[str, str]]] = [
        ("cue", CUES),
        ("size", lexicon.SIZES),
        ("ordinal", lexicon.ORDINALS),
        ("ref", lexicon.REFERENCES),
        ("number", {k: str(v) for k, v in lexicon.NUMBER_WORDS.items()}),
        ("occasion", lexicon.OCCASIONS),
        ("gender", lexicon.GENDERS),
        ("direction", lexicon.DIRECTIONS),
        ("fulfillment", lexicon.FULFILMENTS),
        ("payment", lexicon.PAYMENTS),
        ("points", lexicon.POINTS),
        ("city", lexicon.CITY_ALIASES),
        ("color", lexicon.COLOURS),
        ("category", lexicon.CATEGORIES),
    ]
    phrases: dict[Phrase, Tag] = {}
    # Later tables win a shared phrase: a product word over a cue word.
    for kind, entries in tables:
        for phrase, value in entries.items():
            key = tuple(words(phrase))
            phrases[key] = (kind, value)
            if len(key) > 1 and stem(key[-1]) != key[-1]:
                phrases.setdefault((*key[:-1], stem(key[-1])), (kind, value))
    # A wallet to pay with or a wallet to buy: ``words`` decides in context.
    phrases[("wallet",)] = ("wallet", "wallet")
    phrases[("wallets",)] = ("category", "bag")
    return phrases


BASE_PHRASES = _base_phrases()
# Words a one-word brand must not be spelt like to be matched without "by"/"brand" beside it.
ORDINARY = frozenset({w for phrase in BASE_PHRASES for w in phrase} | FILLERS | SPEECH_WORDS)
BASE_KNOWN = frozenset(
    ORDINARY
    | COMMON_WORDS
    | set(_MATERIALS.split())
    | {"by", "brand", "brands", "from", "not", "but", "if", "as", "than"}
)


def _targets() -> dict[str, tuple[str, ...]]:
    """Words a misspelling may be corrected to, by first letter (a typo rarely changes it),
    products first: the first of equally close words wins."""
    chosen: dict[str, None] = {}
    for table in (lexicon.CATEGORIES, lexicon.COLOURS, lexicon.CITY_ALIASES, lexicon.PAYMENTS):
        for phrase, value in table.items():
            if (
                " " not in phrase
                and len(phrase) >= 4
                and (phrase == value.lower() or table is not lexicon.COLOURS)
            ):
                chosen[phrase] = None
    for word in _CUE_TARGETS.split():
        chosen[word] = None
    by_letter: dict[str, list[str]] = {}
    for word in chosen:
        by_letter.setdefault(word[0], []).append(word)
    return {letter: tuple(group) for letter, group in by_letter.items()}


TARGETS = _targets()


def _by_length(spellings: Mapping[str, str]) -> dict[int, tuple[str, ...]]:
    grouped: dict[int, list[str]] = {}
    for spelling in spellings:
        grouped.setdefault(spelling.count(" ") + 1, []).append(spelling)
    return {n: tuple(group) for n, group in grouped.items()}


def _city_phrases(cities: Iterable[str] | None) -> dict[Phrase, Tag]:
    phrases: dict[Phrase, Tag] = {}
    for city in cities or ():
        key = tuple(words(city))
        if key:
            name = lexicon.CITY_ALIASES.get(" ".join(key), city.strip().title())
            phrases[key] = ("city", name)
    return phrases


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Vocabulary:
    """Everything ``understand`` looks words up in; build with :meth:`from_index`,
    :meth:`from_products` or :meth:`default`."""

    phrases: Mapping[Phrase, Tag]
    # First words of phrases longer than one word, and the longest phrase's length.
    starts: frozenset[str]
    longest: int
    known: frozenset[str]
    targets: Mapping[str, tuple[str, ...]]
    # Brand spellings for typo matching, by number of words, and the brand each one spells.
    brand_spellings: Mapping[int, tuple[str, ...]]
    brand_names: Mapping[str, str]
    # One-word brands that are also ordinary words ("Only", "Max"): need "by"/"brand" near.
    guarded_brands: Mapping[str, str]
    # Words of brand names, stemmed: a run of them may be a misspelt brand ("urbane thread").
    brand_words: frozenset[str]
    skus: Mapping[str, str]
    # The catalog's own (stemmed) words, which a search query may keep; None: any word.
    query_words: frozenset[str] | None
    typos: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def default(cls, cities: Iterable[str] | None = None) -> Vocabulary:
        """The taxonomy, common colours and the demo store cities; no brands, no skus."""
        if cities is None:
            cities = [s["city"] for s in demo_stores() if s["kind"] == "store"]
        return cls.build(brands=(), colours=(), skus=(), cities=cities)

    @classmethod
    def from_index(cls, index: SearchIndex, cities: Iterable[str] | None = None) -> Vocabulary:
        """The vocabulary of one catalog index (rebuild it with the index)."""
        docs = index.docs
        catalog_words = frozenset(index.fuzzy_vocabulary)
        return cls.build(
            brands={d.brand for d in docs},
            colours={d.color for d in docs if d.color},
            skus=[d.sku for d in docs],
            cities=cities,
            catalog_words=catalog_words,
            query_words=catalog_words,
        )

    @classmethod
    def from_products(
        cls,
        products: Iterable[tuple[str, str | None, str, str]],
        cities: Iterable[str] | None = None,
    ) -> Vocabulary:
        """From ``(brand, colour, category, sku)`` rows, e.g. without a search index (the
        search query then keeps any descriptive word: the rows do not say which the catalog
        has)."""
        brands: set[str] = set()
        colours: set[str] = set()
        skus: list[str] = []
        catalog_words: set[str] = set()
        for brand, colour, category, sku in products:
            brands.add(brand)
            if colour:
                colours.add(colour)
            skus.append(sku)
            catalog_words.update(stem(w) for w in words(f"{brand} {colour or ''} {category}"))
        return cls.build(brands, colours, skus, cities, frozenset(catalog_words))

    @classmethod
    def build(
        cls,
        brands: Iterable[str],
        colours: Iterable[str],
        skus: Iterable[str],
        cities: Iterable[str] | None,
        catalog_words: frozenset[str] = frozenset(),
        query_words: frozenset[str] | None = None,
    ) -> Vocabulary:
        """``catalog_words`` are never typo-corrected; ``query_words`` (None: any word) are
        the words a search query may keep."""
        phrases = dict(BASE_PHRASES)
        if cities is None:
            cities = lexicon.CITY_ALIASES.values()
        for key, tag in _city_phrases(c for c in cities if len(c.strip()) <= _MAX_CITY).items():
            phrases.setdefault(key, tag)
        for colour in colours:
            key = tuple(words(colour))
            if key and len(key) <= 3 and len(" ".join(key)) <= _MAX_COLOUR:
                phrases.setdefault(key, ("color", " ".join(key)))
        spellings, guarded, brand_words = _add_brands(phrases, brands)
        known = BASE_KNOWN | brand_words | {w for key in phrases for w in key}
        if catalog_words:
            known = known | catalog_words
        return cls(
            phrases=phrases,
            starts=frozenset(key[0] for key in phrases if len(key) > 1),
            longest=max(len(key) for key in phrases),
            known=known,
            targets=TARGETS,
            brand_spellings=_by_length(spellings),
            brand_names=spellings,
            guarded_brands=guarded,
            brand_words=frozenset(stem(w) for w in brand_words),
            skus={s.upper(): s for s in skus if _HAS_DIGIT.search(s) and len(s) <= _MAX_SKU},
            query_words=query_words,
        )

    def __repr__(self) -> str:
        brands = len(set(self.brand_names.values()) | set(self.guarded_brands.values()))
        return f"<Vocabulary {len(self.phrases)} phrases, {brands} brands, {len(self.skus)} skus>"

    def is_known(self, word: str) -> bool:
        return word in self.known or stem(word) in self.known

    def may_be_brand(self, word: str) -> bool:
        """Whether ``word`` may be part of a misspelt brand: unknown, or a brand's word."""
        return not self.is_known(word) or stem(word) in self.brand_words

    def correct(self, word: str) -> str:
        """``word``, or the lexicon word it misspells (``jeens`` → ``jeans``)."""
        if len(word) < 4 or self.is_known(word):
            return word
        if word in self.typos:
            return self.typos[word] or word
        choices = self.targets.get(word[0], ())
        limit = max_typos(word)
        found = process.extractOne(word, choices, scorer=OSA.distance, score_cutoff=limit)
        fixed = str(found[0]) if found else None
        if len(self.typos) >= _MAX_TYPOS_CACHED:
            self.typos.clear()
        self.typos[word] = fixed
        return fixed or word

    def correct_brand(self, phrase: Phrase) -> str | None:
        """The brand a run of words misspells ("metro loon" → Metro Loom), or None."""
        choices = self.brand_spellings.get(len(phrase))
        if not choices:
            return None
        joined = " ".join(phrase)
        limit = max_typos(joined)
        found = process.extractOne(joined, choices, scorer=OSA.distance, score_cutoff=limit)
        return None if found is None else self.brand_names[str(found[0])]


def _add_brands(
    phrases: dict[Phrase, Tag], brands: Iterable[str]
) -> tuple[dict[str, str], dict[str, str], set[str]]:
    """Add the brands' phrases; return their spellings for typo matching, the one-word brands
    spelt like ordinary words (matched only beside "by"/"brand"), and the brands' words."""
    spellings: dict[str, str] = {}
    guarded: dict[str, str] = {}
    brand_words: set[str] = set()
    for brand in brands:
        name = brand.strip()
        if len(name) > _MAX_BRAND:
            continue  # longer than a command's brand slot holds
        for key in _brand_keys(name):
            brand_words.update(key)
            if len(key) == 1 and (key[0] in ORDINARY or len(key[0]) < 3):
                guarded.setdefault(key[0], name)
                continue
            current = phrases.get(key)
            # A brand of several words beats a lexicon phrase ("Red Tape" is no colour).
            if current is None or current[0] == "brand" or len(key) > 1:
                phrases[key] = ("brand", name)
            joined = " ".join(key)
            if len(joined) >= 5:
                spellings.setdefault(joined, name)
    return spellings, guarded, brand_words


def _brand_keys(brand: str) -> list[Phrase]:
    """How a shopper may write a brand: as spelt, "&" as "and", initials run together
    ("U.S. Polo Assn." → "us polo assn"), a trailing "Co."/"Assn." dropped."""
    key = tuple(words(brand))
    if not key:
        return []
    keys = [key]
    joined: list[str] = []
    for word in key:
        if len(word) == 1 and joined and len(joined[-1]) < 3 and joined[-1].isalpha():
            joined[-1] += word
        else:
            joined.append(word)
    if len(joined) < len(key) and len(joined[0]) > 1:
        keys.append(tuple(joined))
    for variant in list(keys):
        if len(variant) > 1 and variant[-1] in {"co", "company", "inc", "ltd", "assn"}:
            keys.append(variant[:-1])
    if "&" in brand:
        parts = [words(part) for part in brand.split("&")]
        keys.append(
            tuple(w for i, part in enumerate(parts) for w in (*(["and"] if i else []), *part))
        )
    return keys
