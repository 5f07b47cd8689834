"""The words of a message: phrases of the vocabulary, read in context.

After the numbers are cut out, the text is split into words and the longest phrase of the
vocabulary is matched at each word.  Then context decides what a few ambiguous words mean:

* An ordinal word points at a product only beside the words that make it do so ("the second",
  "second one", "doosra wala", "the last shirt"); "my last order", "wait a second" and "first
  time" are not positions.
* "one" is a reference after an article or an attribute ("the blue one", "a cheaper one"), a
  position's noun after an ordinal ("the second one"), nothing after "which"/"any", else the
  number.  "this one"/"that one" and a phrase holding it/this/that ("add it") refer to the
  product in focus.
* A number word or a small number before a product word is a quantity ("two blue shirts").
* A one-word brand that is also an ordinary word ("Only") needs "by", "from" or "brand" next
  to it; other brands are matched as spelt, or one typo away when a word is unknown.
* "wallet" is a way to pay after a payment word ("pay by wallet"), else a bag.
"""

from __future__ import annotations

import re

from threadline.agent.understand.cues import FILLERS
from threadline.agent.understand.lexicon import ORDINAL_BLOCKERS, ORDINAL_NOUNS
from threadline.agent.understand.reading import CUT, CUT_ORDINAL, Reading
from threadline.agent.understand.vocabulary import Tag, Vocabulary
from threadline.catalog.search_text import stem

_TOKEN = re.compile(rf"[^\W_]+|[{CUT}{CUT_ORDINAL}]")
# Kinds a plural may be found by its singular ("shirts" → shirt); "ones" is not "one".
_STEMMED_KINDS = frozenset({"category", "color", "occasion", "gender", "cue", "direction"})
_POINTERS = frozenset({"the", "that", "this", "these", "those", "ye", "yeh", "woh", "wo", "vo"})
_DEFINITE = _POINTERS | {"my", "iss", "uss"}
_REFERRING = frozenset({"it", "this", "that", "these", "those", "them"})
_ATTRIBUTES = frozenset({"color", "direction", "brand", "occasion", "size", "gender"})
_BRAND_CUES = frozenset({"by", "from", "brand", "brands"})
_PAY_WORDS = frozenset({"pay", "paying", "payment", "via", "using", "through", "by", "with"})
# Cues whose phrase points at a product when it holds "it"/"this" ("add it", "pair it with"),
# unlike "place it" (yes) or "how does this work" (help).
_POINTING_CUES = frozenset(
    {"add", "buy", "remove", "details", "look", "available", "return", "reject", "show", "want"}
)
_MAX_BRAND_GUESSES = 6
_LETTER_SIZES = {"s": "S", "m": "M", "l": "L"}


def tokens_of(text: str) -> list[str]:
    return _TOKEN.findall(text)


def read_words(r: Reading, vocab: Vocabulary) -> None:
    """Tag the words of ``r.text`` and put what they say into ``r``."""
    tokens = tokens_of(r.text)
    tags = _match_phrases(tokens, vocab)
    _guess_brands(tokens, tags, vocab)
    for i, (token, tag) in enumerate(zip(tokens, tags, strict=True)):
        if tag is None:
            if token in vocab.guarded_brands and _beside(tokens, i, _BRAND_CUES):
                r.put("brand", vocab.guarded_brands[token])
            elif token in _LETTER_SIZES and _is_letter_size(tokens, tags, i):
                r.put("size", _LETTER_SIZES[token])
            elif token.isdigit() and len(token) <= 2:
                _read_number(r, tokens, tags, i, int(token))
            elif token not in FILLERS and token not in (CUT, CUT_ORDINAL):
                r.leftovers.append(token)
            continue
        if tag[0] == "_":  # inside a phrase read at its first word
            continue
        _read_tag(r, tokens, tags, i, tag)
    if r.wallet is not None:
        _read_wallet(r, paid=r.wallet)


def _read_wallet(r: Reading, paid: bool) -> None:
    """A wallet to pay with ("pay by wallet", a bare "wallet") or to buy (a brown one)."""
    shopping = r.cues & {"show", "seek", "want", "buy", "add", "have", "available"}
    described = r.slots.keys() & {"color", "brand", "gender", "size", "max_price", "min_price"}
    if paid or r.cues & {"pay", "checkout"} or not (shopping or described or r.leftovers):
        r.put("payment_method", "wallet")
    else:
        r.put("category", "bag")


def _match_phrases(tokens: list[str], vocab: Vocabulary) -> list[Tag | None]:
    """Longest phrase first at each word; the rest of a phrase's words are tagged ``_``."""
    tags: list[Tag | None] = [None] * len(tokens)
    phrases = vocab.phrases
    i = 0
    while i < len(tokens):
        token = tokens[i]
        size, tag = 0, None
        if token in vocab.starts:
            for n in range(min(vocab.longest, len(tokens) - i), 1, -1):
                key = tuple(tokens[i : i + n])
                tag = phrases.get(key) or phrases.get((*key[:-1], stem(key[-1])))
                if tag is not None:
                    size = n
                    break
        if not size:
            tag = phrases.get((token,))
            if tag is None:
                by_stem = phrases.get((stem(token),))
                tag = by_stem if by_stem and by_stem[0] in _STEMMED_KINDS else None
            size = 1
        if tag is not None:
            tags[i] = tag
            if size > 1:
                tags[i + 1 : i + size] = [("_", tag[0])] * (size - 1)
                if (
                    tag[0] == "cue"
                    and tag[1] in _POINTING_CUES
                    and token != "make"  # "make it 3" is an idiom, not a pointer
                    and _REFERRING.intersection(tokens[i : i + size])
                ):
                    # "add it", "pair it with": the phrase points at the product in focus.
                    tags[i] = (tag[0], tag[1] + "+it")
        i += size
    return tags


def _guess_brands(tokens: list[str], tags: list[Tag | None], vocab: Vocabulary) -> None:
    """Runs of unknown words that are one typo from a brand ("metro loon", "stridewel")."""
    guesses = 0
    i = 0
    while i < len(tokens) and guesses < _MAX_BRAND_GUESSES:
        token = tokens[i]
        if tags[i] is not None or not token.isalpha() or not vocab.may_be_brand(token):
            i += 1
            continue
        found = False
        for start in range(max(0, i - 2), i + 1):
            for end in range(min(len(tokens), start + 3), i, -1):
                if any(t is not None for t in tags[start:end]):
                    continue
                guesses += 1
                brand = vocab.correct_brand(tuple(tokens[start:end]))
                if brand is not None:
                    tags[start] = ("brand", brand)
                    tags[start + 1 : end] = [("_", "brand")] * (end - start - 1)
                    i, found = end, True
                    break
            if found:
                break
        if not found:
            i += 1


def _is_letter_size(tokens: list[str], tags: list[Tag | None], i: int) -> bool:
    """A lone letter at the end after nothing but fillers or cues ("M", "M please", "ok L"),
    not "I m" or "m&s"."""
    prev = tokens[i - 1] if i else None
    following = tokens[i + 1] if i + 1 < len(tokens) else None
    if prev in {"i", "u"} or (following is not None and following not in FILLERS):
        return False
    return prev is None or prev in FILLERS or (tags[i - 1] or ("", ""))[0] == "cue"


def _beside(tokens: list[str], i: int, words: frozenset[str]) -> bool:
    return (i > 0 and tokens[i - 1] in words) or (i + 1 < len(tokens) and tokens[i + 1] in words)


def _next(tokens: list[str], tags: list[Tag | None], i: int) -> tuple[str | None, Tag | None]:
    """The word after the phrase starting at ``i``, and its tag."""
    j = i + 1
    while j < len(tags) and (tag := tags[j]) is not None and tag[0] == "_":
        j += 1
    return (tokens[j], tags[j]) if j < len(tokens) else (None, None)


def _read_tag(r: Reading, tokens: list[str], tags: list[Tag | None], i: int, tag: Tag) -> None:
    kind, value = tag
    prev = tokens[i - 1] if i else None
    following, following_tag = _next(tokens, tags, i)
    if kind == "cue":
        name, _, pointing = value.partition("+")
        r.cues.add(name)
        if pointing:
            r.put("ref", "it")
    elif kind == "ordinal":
        if _is_position(prev, following, following_tag):
            r.put("ordinal", int(value))
            if following == "one":
                tags[i + 1] = ("_", "ordinal")
    elif kind == "number":
        _read_number(r, tokens, tags, i, int(value))
    elif kind == "ref":
        if value == "it" and (following in ORDINAL_BLOCKERS or prev in {"think", "so", "sure"}):
            return
        r.put("ref", value)
    elif kind == "category":
        if value == "sunglasses" and tokens[i] == "shades" and following == "of":
            return  # "shades of blue"
        r.put("category", value)
        r.definite = r.definite or _is_definite(tokens, tags, i)
    elif kind == "wallet":
        r.wallet = r.wallet or prev in _PAY_WORDS
    elif kind == "points":
        r.put("use_points", True)
    elif kind == "payment":
        r.put("payment_method", value)
    elif kind == "direction":
        r.put("price_direction", value)
    else:  # color, size, gender, occasion, brand, city, fulfillment
        r.put(kind, value)


def _is_position(prev: str | None, following: str | None, following_tag: Tag | None) -> bool:
    if following in ORDINAL_BLOCKERS or prev in {"a", "one", "just", "per", "every", "at"}:
        return False
    return (
        prev in _POINTERS
        or following is None
        or following in ORDINAL_NOUNS
        or following in (CUT, CUT_ORDINAL)
        or (following_tag is not None and following_tag[0] in {"category", "color", "brand"})
    )


def _read_number(r: Reading, tokens: list[str], tags: list[Tag | None], i: int, value: int) -> None:
    prev = tokens[i - 1] if i else None
    prev_tag = tags[i - 1] if i else None
    if tokens[i] == "one":
        if prev == CUT_ORDINAL or (prev_tag is not None and prev_tag[1] == "ordinal"):
            return  # "2nd one", "second last one"
        if prev in {"which", "any", "no", "every", "each", "another", "some", "other"}:
            return
        before = tokens[i - 2] if i > 1 else None
        if (
            prev in {"the", "a", "an"}
            or (prev_tag is not None and prev_tag[0] in _ATTRIBUTES)
            or (prev_tag is None and prev not in FILLERS and before in {"the", "a", "an"})
        ):
            r.put("ref", "one")
            return
    # "two blue shirts": a number before a product word (attributes may sit between).
    for j in range(i + 1, min(i + 4, len(tokens))):
        tag = tags[j]
        if tag is not None and tag[0] == "category":
            r.put("qty", value)
            return
        if tag is not None and tag[0] not in _ATTRIBUTES and tag[0] != "_":
            break
    r.numbers.append(value)


def _is_definite(tokens: list[str], tags: list[Tag | None], i: int) -> bool:
    """Whether the product word at ``i`` names a product already shown ("the blue jeans")."""
    for j in range(i - 1, max(-1, i - 4), -1):
        if tokens[j] in _DEFINITE:
            return True
        tag = tags[j]
        if tag is not None and tag[0] not in _ATTRIBUTES and tag[0] != "_":
            return False
    return False
