"""The honesty check of a reworded reply: it may say nothing the store's draft did not.

Every number (₹1,299 = 1299 = 1,299.00; 2k = 2000), upper-case code (TL00012, FEST20), letter
size and mid-sentence capitalised name in the rewording must appear in the draft or the facts
given; the rewording may be at most twice as long as the draft plus 200 characters.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

# 1299, 1,299.00, 1,29,999, ₹2k, 12.5 (percent signs and currency marks do not matter).
_NUMBER = re.compile(r"(\d+(?:,\d{2,3})*(?:\.\d+)?)(\s*(?:k|K|lakh|lac)\b)?")
# Product codes, order ids and coupons: upper-case tokens such as TL00012, TL-ABCDEFGH23, FEST20.
_CODE = re.compile(r"\b[A-Z][A-Z0-9-]*\d[A-Z0-9-]*\b|\b[A-Z]{3,}\b")
_SIZE = re.compile(r"\b(?:XXL|XL|XS|S|M|L)\b")
_NAME = re.compile(r"\b[A-Z][\w'’-]*")
_OPENERS = " \t\"'“‘(*_"
_SENTENCE_ENDS = ".!?:;\n•—–-"
_COMMON_CAPS = frozenset({"I", "I'm", "I'll", "I've", "I'd", "Rs", "OK", "Ok", "INR"})
_SCALE = {"k": 1000, "lakh": 100_000, "lac": 100_000}


def _numbers(text: str) -> set[Decimal]:
    found: set[Decimal] = set()
    for digits, scale in _NUMBER.findall(text):
        factor = _SCALE.get(scale.strip().lower(), 1)
        for part in (digits.replace(",", ""), *digits.split(",")):
            try:
                found.add((Decimal(part) * factor).normalize())
            except InvalidOperation:
                continue
    return found


def _invented_numbers(answer: str, allowed: set[Decimal]) -> bool:
    for digits, scale in _NUMBER.findall(answer):
        factor = _SCALE.get(scale.strip().lower(), 1)
        whole = (Decimal(digits.replace(",", "")) * factor).normalize()
        # "30,32,34" may be a list of sizes rather than one grouped number.
        parts = {(Decimal(p) * factor).normalize() for p in digits.split(",")}
        if whole not in allowed and not parts <= allowed:
            return True
    return False


def _invented_names(answer: str, source: str) -> bool:
    """A capitalised word mid-sentence (a brand, a product, a person) the draft never used."""
    known = source.lower()
    for match in _NAME.finditer(answer):
        word = match.group()
        before = answer[max(0, match.start() - 16) : match.start()].rstrip(_OPENERS)
        if word in _COMMON_CAPS or not before or before[-1] in _SENTENCE_ENDS:
            continue
        if word.lower().strip("'’-") not in known:
            return True
    return False


def unverified(answer: str, draft: str, facts: Sequence[str]) -> str | None:
    """Which check a reworded reply fails (None: it says nothing the draft and facts do not)."""
    if not answer:
        return "empty"
    if len(answer) > 2 * len(draft) + 200:
        return "length"
    source = "\n".join([draft, *facts])
    if _invented_numbers(answer, _numbers(source)):
        return "number"
    known_tokens = set(_CODE.findall(source.upper())) | set(_SIZE.findall(source))
    if any(code not in known_tokens for code in _CODE.findall(answer)):
        return "code"
    if any(size not in known_tokens for size in _SIZE.findall(answer)):
        return "size"
    if _invented_names(answer, source):
        return "name"
    return None
