"""Phone numbers: normalisation to E.164 and masking for logs.

Input rules come from the contract: spaces, dashes, dots and brackets are dropped; a bare
10-digit Indian number or a ``0``-prefixed one becomes ``+91…``.  ``phonenumbers`` (Google's
libphonenumber metadata) decides whether the digits can be a phone number of their country.
"""

from __future__ import annotations

import re

import phonenumbers

_SEPARATORS = re.compile(r"[\s\-().\u00a0]")
_DIGITS = re.compile(r"\+?\d{4,20}")


class InvalidPhone(ValueError):
    pass


def normalize_phone(raw: str | int) -> str:
    """Return ``raw`` in E.164 (``+919876543210``) or raise :class:`InvalidPhone`."""
    text = _SEPARATORS.sub("", str(raw))
    if text.startswith("00"):
        text = "+" + text[2:]
    if not _DIGITS.fullmatch(text):
        raise InvalidPhone("A phone number has digits only, optionally with a leading +.")
    try:
        # Region IN makes "9876543210" and "09876543210" Indian numbers; a leading + wins.
        number = phonenumbers.parse(text, "IN")
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone("That is not a phone number.") from exc
    if not phonenumbers.is_possible_number(number):
        raise InvalidPhone("That is not a phone number: wrong length for its country.")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    national = phonenumbers.national_significant_number(number)
    digits = text.lstrip("+")
    # libphonenumber quietly drops digits it cannot place ("+910…" loses its 0): only the
    # number as written (or its national form, with or without the trunk 0) may come out.
    kept = {e164[1:]} if text.startswith("+") else {e164[1:], national, "0" + national}
    if national.startswith("0") or digits not in kept:
        raise InvalidPhone("That is not a phone number.")
    return e164


def mask_phone(phone: str | None) -> str | None:
    """``+919876543210`` → ``+91XXXXXX3210``: enough to correlate logs, not to dial."""
    if not phone:
        return phone
    try:
        number = phonenumbers.parse(phone, None)
        prefix = f"+{number.country_code}"
    except phonenumbers.NumberParseException:
        prefix = phone[:3]
    rest = phone[len(prefix) :]
    return prefix + "X" * max(len(rest) - 4, 0) + rest[-4:]
