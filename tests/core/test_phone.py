"""Phone normalisation as the contract states it (property-based where it can be)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from threadline.core.phone import InvalidPhone, mask_phone, normalize_phone

indian_mobile = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from("6789"),
    st.text(alphabet="0123456789", min_size=9, max_size=9),
)
separators = st.sampled_from([" ", "-", "(", ")", ".", ""])


@given(
    indian_mobile,
    st.lists(separators, min_size=10, max_size=10),
    st.sampled_from(["", "0", "+91", "91", "0091"]),
)
def test_indian_mobile_in_any_common_spelling_becomes_e164(
    digits: str, seps: list[str], prefix: str
):
    spelled = prefix + "".join(d + s for d, s in zip(digits, seps, strict=True))
    if prefix == "91":
        spelled = "+" + spelled  # a bare "91…" of 12 digits is not a spelling the contract names
    assert normalize_phone(spelled) == "+91" + digits


@given(indian_mobile)
def test_normalising_is_idempotent(digits: str):
    once = normalize_phone(digits)
    assert normalize_phone(once) == once


@given(st.text(min_size=1, max_size=30).filter(lambda s: any(c.isalpha() for c in s)))
def test_text_with_letters_is_never_a_phone(text: str):
    with pytest.raises(InvalidPhone):
        normalize_phone(text)


@pytest.mark.parametrize(
    "raw", ["", "+", "123", "+91 12", "98765432101234567890", "++919876543210"]
)
def test_impossible_numbers_are_refused(raw: str):
    with pytest.raises(InvalidPhone):
        normalize_phone(raw)


def test_other_countries_keep_their_code():
    assert normalize_phone("+44 20 7946 0958") == "+442079460958"
    assert normalize_phone("+1 (415) 555-2671") == "+14155552671"


def test_mask_keeps_country_code_and_last_four():
    assert mask_phone("+919876543210") == "+91XXXXXX3210"
    assert mask_phone("+14155552671") == "+1XXXXXX2671"
    assert mask_phone(None) is None


@pytest.mark.parametrize("raw", ["+910000000000", "+910123456789", "+10000000000", "+44 0 20 7946"])
def test_numbers_whose_digits_would_change_are_refused(raw: str):
    with pytest.raises(InvalidPhone):
        normalize_phone(raw)
