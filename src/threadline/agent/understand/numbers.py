"""Numbers: prices, sizes, quantities and positions.

They are read from the normalised text before it is split into words, because they need its
punctuation ("₹1,500", "1000-2000", "no. 3").  Each match is cut out of the
text (a marker takes its place) so that its words are not read a second time.

Rules for close calls:

* A number is a price only with a price cue: a currency (₹, rs, inr, rupees, /-), a thousands
  word (2k, 1.5k, 2 thousand, 1 lakh), a price word before it (under, below, less than, upto,
  within, max, budget, above, over, more than, at least, from, around, between) or a Hinglish
  one after it (se kam, tak, ke andar, se zyada, se upar, ke aas paas).  Without a currency or
  a thousands word the amount must be at least 100, so "under 32" is no price.  An amount with
  a currency but no direction ("₹1500", "2k") or after "for"/"at"/"in" ("shirts for 999",
  "kurta in 1500") is a ceiling; "around N" is N ± 20 %.  A bare "1500" is no price.
* Sizes: "size 32", "32 waist", "waist 32", "in 32" (24-48) are waist sizes; "UK 9",
  "size 9", "9 size", and "in 9" next to a footwear word are UK shoe sizes (1-13); ages ("5
  years", "4-5 yrs") become the kids' size that covers them.  A single letter S, M or L is a
  size only after "size", "in", "to", "an", "one", "the" or before "size" ("in M", "size m",
  "M size"); a message that is nothing but the letter is read later, with the words.
* Quantities: "make it 3", "3 of those", "3 pieces", "qty 3", "want 3", "add 2"; a bare
  number and "2 shirts" are read later, with the words.  Hindi "do" (two) is never a number:
  it is far more often the English verb or "daal do".
* Positions: "number 3", "no. 3", "#3", "option 3", "item 3", "3rd"; ordinal words are read
  with the words.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from threadline.agent.understand.lexicon import NUMBER_WORDS
from threadline.agent.understand.reading import CUT, CUT_ORDINAL, Reading
from threadline.catalog.taxonomy import KIDS_SIZES

_DIGIT = re.compile(r"[0-9]")
_NUM = r"(?P<num>[0-9]{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|a couple|couple)"
_NOT_MONEY = r"(?!\s*(?:k\b|rs\b|₹|inr\b|rupees?\b|%|[0-9.]|st\b|nd\b|rd\b|th\b|more\b))"
_LETTERS = {"xs": "XS", "s": "S", "m": "M", "l": "L", "xl": "XL", "xxl": "XXL", "xxxl": "XXXL"}
_LETTERS |= {"2xl": "XXL", "3xl": "XXXL", "4xl": "XXXXL"}
_LETTER = r"(?P<letter>xxxl|xxl|xl|xs|[2-4]xl|s|m|l)"
_SHOE_WORDS = re.compile(
    r"\b(?:shoes?|sneakers?|footwear|sandals?|heels|loafers|trainers|joot[aeiy]+|juta|slippers|"
    r"chappals?|flip ?flops|floaters|uk)\b"
)


def _amount(n: str) -> str:
    """An amount of money; groups c<n> (currency before), v<n>, m<n> (k), s<n> (currency after)."""
    return (
        rf"(?P<c{n}>₹|\brs\b\.?|\binr\b|\brupees?\b)?\s*(?(c{n})|(?<![0-9a-z.]))"
        rf"(?P<v{n}>[0-9]{{1,9}}(?:\.[0-9]{{1,2}})?)(?![0-9])"
        rf"(?:\s*(?P<m{n}>k|thousand|hazaa?r|lakhs?|lacs?)\b)?"
        rf"(?:\s*(?P<s{n}>/-|rs\b\.?|inr\b|rupees?\b|rupaye\b|rupay\b|rupaiya\b|rupiya\b|bucks\b))?"
    )


_A, _B = _amount("1"), _amount("2")
_BETWEEN = re.compile(rf"\b(?:between|btw|b/w)\s*{_A}\s*(?:-|–|to|and|&)\s*{_B}")
_RANGE = re.compile(
    rf"(?:\bfrom\s*)?{_A}\s*(?:-|–|to|till|se)\s*{_B}(?:\s*(?:tak|ke beech|ke bich|range)\b)?"
)
_UPPER = re.compile(
    r"(?:\b(?:under|below|less than|lesser than|cheaper than|lower than|not more than|"
    r"no more than|not above|not over|upto|up to|within|max(?:imum)?|at ?most|"
    r"(?:my |a |the )?budget(?: is| of| around)?|in budget)\s*(?:of\s*)?|<=?\s*)" + _A
)
_UPPER_AFTER = re.compile(
    _A + r"\s*(?:se (?:kam|km|neeche|niche|sasta)|ke (?:andar|andr|under|neeche|niche)|tak|"
    r"or (?:less|below|under)|and (?:below|under|less)|max(?:imum)?|(?:ka |ke )?budget)\b"
)
_LOWER = re.compile(
    r"(?:\b(?:above|over|more than|greater than|higher than|costlier than|at ?least|"
    r"min(?:imum)?|starting(?: from| at)?|from|not less than|no less than)\s*|>=?\s*)" + _A
)
_LOWER_AFTER = re.compile(
    _A + r"\s*(?:\+|plus\b|and above\b|or more\b|and up\b|or above\b|onwards\b|"
    r"se (?:zyada|jyada|upar|uper|adhik)\b|ke upar\b)"
)
_AROUND = re.compile(
    r"\b(?:(?:my |a |the )?budget (?:is |of )?)?"
    r"(?:around|about|approx(?:imately)?\.?|roughly|near|nearly|close to|somewhere around)"
    r"\s*" + _A
)
_AROUND_AFTER = re.compile(_A + r"\s*(?:ke (?:aas ?paas|around|aaspaas)|-?ish\b|or so\b)")
# "shirts for 999", "kurta in 1500": a price after these only from 100 up, as without a cue.
_AT_PRICE = re.compile(r"\b(?:for|at|in|of|costing|priced at|price|price is)\s*" + _A)
_BARE_PRICE = re.compile(_A)

_KIDS_RANGE = re.compile(
    r"\b([0-9]{1,2})\s*(?:-|to)\s*([0-9]{1,2})\s*(?:y|yrs?|years?)\b(?:\s*old)?"
)
_KIDS_AGE = re.compile(r"\b([0-9]{1,2})\s*(?:y|yrs?|years?)\b(?:\s*old)?")
_UK = re.compile(r"\b(?:uk|size uk|uk size)\s*-?\s*([0-9]{1,2})\s*(c)?(?![0-9a-z])")
_SIZE_BEFORE = re.compile(
    r"\bsize\b\s*(?:is|:|-|=|of|to|no\.?|number)?\s*(?:" + _LETTER + r"|(?P<n>[0-9]{1,2})(?P<c>c)?)"
    r"(?![a-z0-9&'])"
)
_SIZE_AFTER = re.compile(
    r"(?<![a-z0-9&'])(?:" + _LETTER + r"|(?P<n>[0-9]{1,2}))\s*(?:size|sized|number size)\b"
)
_WAIST = re.compile(
    r"\b(?:waist|kamar)\s*(?:size)?\s*(?:is|:|-|=|of)?\s*([0-9]{2})\b|\b([0-9]{2})\s*"
    r"(?:inch(?:es)?|in|\")?\s*waist\b|\bw\s?([0-9]{2})\b|\b([0-9]{2})w\b"
)
_IN_NUMBER = re.compile(r"\b(?:in|for)\s+([0-9]{1,2})(?![0-9a-z%])")
_IN_LETTER = re.compile(
    r"\b(?:in|to|an|one|ek|the|make it|make that)\s+" + _LETTER + r"(?![a-z0-9&'])"
)

_WANT_OF = re.compile(r"\bwant\s+" + _NUM + r"\s+of\b")
_MAKE_IT = re.compile(r"\bmake (?:it|that|this|them)\s+(?:a\s+)?" + _NUM + _NOT_MONEY)
_COUNTED = re.compile(
    r"(?<![a-z0-9])" + _NUM + r"\s+(?:of\s+(?:those|these|them|it|this|that|the|each)|"
    r"pieces?|pcs?|units?|nos|qty|quantity|pairs?|sets?|items?)\b"
)
_QTY_WORD = re.compile(r"\b(?:qty|quantity|quantities)\s*(?:is|:|-|=|of|to)?\s*" + _NUM)
_VERB_NUM = re.compile(
    r"\b(?:want|need|add|take|buy|order|get|give me|send|chahiye)\s+(?:me\s+)?" + _NUM + _NOT_MONEY
)
_TIMES = re.compile(r"(?<![a-z0-9])x\s?([0-9]{1,2})(?![0-9a-z])")
_POSITION = re.compile(
    r"(?:\b(?:number|num|option|opt|item|product|choice|no\.?)|#)\s*(?:no\.?\s*)?"
    r"(?P<num>[0-9]{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)(?![0-9a-z])"
)
_NTH = re.compile(r"\b([0-9]{1,2})(?:st|nd|rd|th)\b")


def read_numbers(r: Reading) -> None:
    """Read (and cut out) the prices, sizes, quantities and positions of ``r.text``, the more
    specific reading first: a price before a size, a size before a quantity."""
    digits = _DIGIT.search(r.text) is not None
    if digits:  # most messages have none: skip the patterns that need one
        _prices(r)
    _sizes(r, digits)
    _quantities(r)
    _positions(r)


def cut_matches(
    r: Reading,
    pattern: re.Pattern[str],
    read: Callable[[re.Match[str]], bool],
    group: int | str = 0,
    marker: str = CUT,
) -> None:
    """Cut out each match ``read`` accepts (only ``group`` of it, keeping the rest)."""

    def replace(m: re.Match[str]) -> str:
        if not read(m):
            return m.group(0)
        start, end = m.start(group) - m.start(), m.end(group) - m.start()
        whole = m.group(0)
        return f"{whole[:start]} {marker} {whole[end:]}"

    if r.text:
        r.text = pattern.sub(replace, r.text)


def _value(m: re.Match[str], n: str) -> tuple[int, bool] | None:
    """The amount in whole rupees, and whether it carried a currency or thousands word."""
    raw = m.group(f"v{n}")
    if raw is None:
        return None
    multiplier = m.group(f"m{n}")
    factor = 1 if not multiplier else 100_000 if multiplier.startswith("la") else 1000
    marked = bool(m.group(f"c{n}") or multiplier or m.group(f"s{n}"))
    return int(float(raw) * factor), marked


def _prices(r: Reading) -> None:
    def ranged(needs_mark: bool) -> Callable[[re.Match[str]], bool]:
        def read(m: re.Match[str]) -> bool:
            first, second = _value(m, "1"), _value(m, "2")
            if first is None or second is None:
                return False
            (low, low_marked), (high, high_marked) = first, second
            # "1-2k": the thousands word of the second amount counts for the first.
            if m.group("m2") and not m.group("m1") and low < float(m.group("v2")):
                low = int(float(m.group("v1")) * high / float(m.group("v2")))
            marked = low_marked or high_marked
            if needs_mark and not marked and min(low, high) < 100:
                return False
            low, high = min(low, high), max(low, high)
            r.put("min_price", low)
            r.put("max_price", high)
            return True

        return read

    def bound(slot: str, needs_mark: bool = False) -> Callable[[re.Match[str]], bool]:
        def read(m: re.Match[str]) -> bool:
            found = _value(m, "1")
            if found is None:
                return False
            amount, marked = found
            if not marked and (needs_mark or amount < 100):
                return False
            if slot == "around":
                r.put("min_price", round(amount * 0.8))
                r.put("max_price", round(amount * 1.2))
            else:
                r.put(slot, amount)
            return True

        return read

    cut_matches(r, _BETWEEN, ranged(needs_mark=False))
    cut_matches(r, _RANGE, ranged(needs_mark=True))
    cut_matches(r, _AROUND, bound("around"))
    cut_matches(r, _AROUND_AFTER, bound("around"))
    cut_matches(r, _UPPER, bound("max_price"))
    cut_matches(r, _UPPER_AFTER, bound("max_price"))
    cut_matches(r, _LOWER, bound("min_price"))
    cut_matches(r, _LOWER_AFTER, bound("min_price"))
    cut_matches(r, _AT_PRICE, bound("max_price"))
    cut_matches(r, _BARE_PRICE, bound("max_price", needs_mark=True))


def _kids_size(age: int) -> str | None:
    start = age if age % 2 == 0 else age - 1
    size = f"{start}-{start + 1}Y"
    return size if size in KIDS_SIZES else None


def _numeric_size(n: int, shoe: bool, kids_shoe: bool = False) -> str | None:
    if 24 <= n <= 48:
        return str(n)
    if 1 <= n <= 13 and shoe:
        return f"UK {n}C" if kids_shoe else f"UK {n}"
    return None


def _sizes(r: Reading, digits: bool) -> None:
    def size(value: str | None) -> bool:
        r.put("size", value)
        return value is not None

    if digits:
        cut_matches(r, _KIDS_RANGE, lambda m: size(_kids_size(int(m.group(1)))))
        cut_matches(r, _KIDS_AGE, lambda m: size(_kids_size(int(m.group(1)))))
        cut_matches(r, _UK, lambda m: size(_numeric_size(int(m.group(1)), True, bool(m.group(2)))))

    def sized(m: re.Match[str]) -> bool:
        if m.group("letter"):
            return size(_LETTERS[m.group("letter")])
        kids = bool(m.groupdict().get("c"))
        return size(_numeric_size(int(m.group("n")), True, kids))

    cut_matches(r, _SIZE_BEFORE, sized)
    cut_matches(r, _SIZE_AFTER, sized)
    if digits:
        cut_matches(
            r, _WAIST, lambda m: size(_numeric_size(int(next(g for g in m.groups() if g)), False))
        )
        shoe = _SHOE_WORDS.search(r.text) is not None
        cut_matches(r, _IN_NUMBER, lambda m: size(_numeric_size(int(m.group(1)), shoe)), 1)
    cut_matches(r, _IN_LETTER, lambda m: size(_LETTERS[m.group("letter")]), "letter")


def number(word: str) -> int | None:
    """``3``, ``three`` or ``a couple`` as an integer; None for anything else."""
    if word.isdigit():
        return int(word)
    return NUMBER_WORDS.get(word)


def _quantities(r: Reading) -> None:
    def qty(cue: str | None = None) -> Callable[[re.Match[str]], bool]:
        def read(m: re.Match[str]) -> bool:
            value = number(m.group("num") if "num" in m.groupdict() else m.group(1))
            if value is None or not 1 <= value <= 99:
                return False
            r.put("qty", value)
            if cue:
                r.cues.add(cue)
            return True

        return read

    cut_matches(
        r, _WANT_OF, lambda m: qty("change" if number(m.group("num")) != 1 else None)(m), "num"
    )
    cut_matches(r, _MAKE_IT, qty("change"))
    cut_matches(r, _COUNTED, qty())
    cut_matches(r, _QTY_WORD, qty())
    cut_matches(r, _VERB_NUM, qty(), "num")
    cut_matches(r, _TIMES, qty())


def _positions(r: Reading) -> None:
    def position(m: re.Match[str]) -> bool:
        value = number(m.group("num") if "num" in m.groupdict() else m.group(1))
        if value is None or not 1 <= value <= 50:
            return False
        r.put("ordinal", value)
        return True

    cut_matches(r, _POSITION, position, marker=CUT_ORDINAL)
    cut_matches(r, _NTH, position, marker=CUT_ORDINAL)
