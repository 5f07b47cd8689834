"""Codes in a message: order ids, coupon codes and product skus.

Read first, from the normalised text, and cut out like the numbers (``numbers.cut_matches``):
"TL-ABCDEFGH23" is an order id before any of its digits could be a price.  A coupon code
follows "coupon"/"code"/"promo" (any word that is no ordinary one, or has a digit), or "apply"
(when it has a digit or was written in capitals); a message that is nothing but a capitalised
code with a digit ("WELCOME10") is one too.  A sku is a word with a digit that is exactly one
of the catalog's skus, or the demo catalog's ``TL`` + five digits.
"""

from __future__ import annotations

import re

from threadline.agent.understand.numbers import cut_matches
from threadline.agent.understand.reading import CUT, Reading
from threadline.agent.understand.vocabulary import Vocabulary

_ORDER_ID = re.compile(r"(?<![a-z0-9])tl\s?[-–]\s?([a-z0-9]{10})(?![a-z0-9])")
_CODE_CUE = re.compile(
    r"\b(?:coupon|promo|voucher|code|promocode|couponcode)(?:\s+code)?\s*(?:is|[:=-])?\s*"
    r"(?P<code>[a-z0-9][a-z0-9-]{2,19})(?![a-z0-9])"
)
_APPLY_CODE = re.compile(r"\b(?:apply|use|redeem)\s+(?P<code>[a-z0-9-]{3,20})(?![a-z0-9])")
_BARE_CODE = re.compile(r"[A-Z][A-Z0-9-]{2,19}")
_SKU_TOKEN = re.compile(r"[a-z0-9][a-z0-9_-]*[0-9][a-z0-9_-]*")
_DEMO_SKU = re.compile(r"(?<![a-z0-9])tl\s?-?\s?([0-9]{5})(?![0-9a-z])")
_UK_SIZE = re.compile(r"uk\s*-?\s*[0-9]{1,2}c?")


def read_codes(r: Reading, vocab: Vocabulary) -> None:
    """Read (and cut out) the order id, coupon code and sku of ``r.text``."""
    cut_matches(r, _ORDER_ID, lambda m: _put(r, "order_id", "TL-" + m.group(1).upper()))
    _coupons(r, vocab)
    cut_matches(r, _SKU_TOKEN, lambda m: _put(r, "sku", vocab.skus.get(m.group(0).upper())))
    cut_matches(r, _DEMO_SKU, lambda m: _put(r, "sku", "TL" + m.group(1)))


def _put(r: Reading, slot: str, value: str | None) -> bool:
    r.put(slot, value)
    return value is not None


def _coupons(r: Reading, vocab: Vocabulary) -> None:
    def coupon(m: re.Match[str]) -> bool:
        code = m.group("code")
        if code.upper() in vocab.skus:
            return False
        if not (_has_digit(code) or not vocab.is_known(code) or code.upper() in r.original):
            return False  # "code for shoes", "coupon please"
        r.put("coupon", code.upper().strip("-"))
        r.cues.add("apply")
        return True

    cut_matches(r, _CODE_CUE, coupon, "code")
    cut_matches(
        r, _APPLY_CODE, lambda m: _looks_like_code(m.group("code"), r) and coupon(m), "code"
    )
    bare = r.original.strip(" .!?")
    if (
        "coupon" not in r.slots
        and _BARE_CODE.fullmatch(bare)
        and _has_digit(bare)
        and bare.upper() not in vocab.skus
        and not _DEMO_SKU.fullmatch(bare.lower())
        and not _UK_SIZE.fullmatch(bare.lower())
    ):
        r.put("coupon", bare.upper())
        r.cues.add("apply")
        r.text = f" {CUT} "


def _has_digit(text: str) -> bool:
    return any(c.isdigit() for c in text)


def _looks_like_code(code: str, r: Reading) -> bool:
    """After a bare "apply", only what looks like a code: digits, or written in capitals."""
    return _has_digit(code) or (len(code) >= 4 and code.upper() in r.original)
