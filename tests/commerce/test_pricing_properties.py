"""The cart arithmetic (``loyalty.pricing``) for any lines and rules: the shop never gives away
more than it charges, and every paisa of discount is accounted to a line."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from threadline.loyalty.pricing import (
    CouponRule,
    OfferRule,
    PricedLine,
    Scope,
    TierRule,
    points_earned,
    price,
    redeemable_points,
    spread,
)

CATEGORIES = ["shirt", "kurta", "jeans"]
BRANDS = ["Urbane", "Rangrez"]

scopes = st.builds(
    Scope,
    category=st.none() | st.sampled_from(CATEGORIES),
    brand=st.none() | st.sampled_from(BRANDS),
)


@st.composite
def carts(draw: st.DrawFn) -> list[PricedLine]:
    count = draw(st.integers(min_value=0, max_value=6))
    return [
        PricedLine(
            line_id=f"line-{i}",
            sku=f"SKU-{i}",
            category=draw(st.sampled_from(CATEGORIES)),
            brand=draw(st.sampled_from(BRANDS)),
            unit_price_paise=draw(st.integers(min_value=1, max_value=5_000_000)),
            qty=draw(st.integers(min_value=1, max_value=20)),
        )
        for i in range(count)
    ]


offers = st.lists(
    st.builds(
        OfferRule,
        offer_id=st.sampled_from(["A", "B", "C"]),
        description=st.just("offer"),
        percent=st.integers(min_value=0, max_value=100),
        min_qty=st.integers(min_value=1, max_value=5),
        min_order_paise=st.integers(min_value=0, max_value=1_000_000),
        scope=scopes,
    ),
    max_size=3,
)
percent_coupons = st.builds(
    CouponRule,
    code=st.just("PCT"),
    description=st.just("percent"),
    kind=st.just("percent"),
    value=st.integers(min_value=0, max_value=100),
    min_order_paise=st.integers(min_value=0, max_value=1_000_000),
    max_discount_paise=st.none() | st.integers(min_value=0, max_value=1_000_000),
    scope=scopes,
)
flat_coupons = st.builds(
    CouponRule,
    code=st.just("FLAT"),
    description=st.just("flat"),
    kind=st.just("flat"),
    value=st.integers(min_value=0, max_value=10_000_000),
    min_order_paise=st.integers(min_value=0, max_value=1_000_000),
    max_discount_paise=st.none(),
    scope=scopes,
)
tiers = st.none() | st.builds(
    TierRule,
    tier=st.sampled_from(["bronze", "silver", "gold"]),
    discount_percent=st.integers(min_value=0, max_value=100),
    points_per_100=st.integers(min_value=0, max_value=10),
)
weights = st.dictionaries(
    st.text(min_size=1, max_size=4), st.integers(min_value=0, max_value=10**9), max_size=8
)


@given(carts(), offers, st.none() | percent_coupons | flat_coupons, tiers)
def test_discount_never_exceeds_subtotal_and_is_fully_spread_over_lines(
    lines: list[PricedLine],
    offer_rules: list[OfferRule],
    coupon: CouponRule | None,
    tier: TierRule | None,
):
    priced = price(lines, offers=offer_rules, coupon=coupon, tier=tier)

    assert priced.subtotal_paise == sum(line.total for line in lines)
    assert 0 <= priced.discount_paise <= priced.subtotal_paise
    assert priced.total_paise >= 0
    assert sum(priced.line_discounts.values()) == priced.discount_paise
    for line in lines:
        assert 0 <= priced.line_discounts[line.line_id] <= line.total
    assert all(d.amount_paise > 0 for d in priced.discounts)
    assert len([d for d in priced.discounts if d.kind == "offer"]) <= 1


@given(carts(), percent_coupons)
def test_percent_coupon_never_exceeds_its_cap_or_its_percent(
    lines: list[PricedLine], coupon: CouponRule
):
    priced = price(lines, coupon=coupon)

    taken = sum(d.amount_paise for d in priced.discounts if d.kind == "coupon")
    if coupon.max_discount_paise is not None:
        assert taken <= coupon.max_discount_paise
    in_scope = sum(line.total for line in lines if coupon.scope.matches(line))
    assert taken <= in_scope * coupon.value // 100


@given(carts(), flat_coupons, offers)
def test_flat_coupon_never_exceeds_its_value_or_the_items_in_scope(
    lines: list[PricedLine], coupon: CouponRule, offer_rules: list[OfferRule]
):
    priced = price(lines, offers=offer_rules, coupon=coupon)

    taken = sum(d.amount_paise for d in priced.discounts if d.kind == "coupon")
    in_scope = [line.line_id for line in lines if coupon.scope.matches(line)]
    assert taken <= coupon.value
    assert taken <= sum(line.total for line in lines if line.line_id in in_scope)
    # Out-of-scope lines carry no share of a coupon-only discount.
    if not priced.discounts or all(d.kind == "coupon" for d in priced.discounts):
        for line in lines:
            if line.line_id not in in_scope:
                assert priced.line_discounts[line.line_id] == 0


@given(carts(), st.none() | percent_coupons | flat_coupons)
def test_coupon_that_does_not_apply_says_why_and_takes_nothing(
    lines: list[PricedLine], coupon: CouponRule | None
):
    priced = price(lines, coupon=coupon)

    coupon_discounts = [d for d in priced.discounts if d.kind == "coupon"]
    if priced.coupon_problem is not None:
        assert coupon is not None
        assert coupon.code in priced.coupon_problem
        assert coupon_discounts == []
    if coupon is None:
        assert priced.coupon_problem is None


@given(st.integers(min_value=0, max_value=10**12), weights)
def test_spread_sums_exactly_and_follows_the_weights(amount: int, shares_of: dict[str, int]):
    shares = spread(amount, shares_of)

    assert set(shares) == set(shares_of)
    assert all(s >= 0 for s in shares.values())
    total = sum(shares_of.values())
    if total > 0 and amount > 0:
        assert sum(shares.values()) == amount
        for key, weight in shares_of.items():
            assert abs(shares[key] * total - amount * weight) < total  # within one paisa
    else:
        assert sum(shares.values()) == 0


@given(
    st.integers(min_value=0, max_value=10**10),
    st.integers(min_value=0, max_value=10**10),
    tiers,
)
def test_paying_more_never_earns_fewer_points(a: int, b: int, tier: TierRule | None):
    low, high = sorted((a, b))

    assert 0 <= points_earned(low, tier) <= points_earned(high, tier)


@given(
    st.integers(min_value=0, max_value=10**7),
    st.integers(min_value=0, max_value=10**10),
    st.integers(min_value=1, max_value=1000),
    st.integers(min_value=0, max_value=100),
)
def test_points_never_pay_more_than_the_balance_or_the_allowed_share(
    balance: int, total: int, point_value: int, max_percent: int
):
    points = redeemable_points(
        balance, total, point_value_paise=point_value, max_percent=max_percent
    )

    assert 0 <= points <= balance
    assert points * point_value * 100 <= total * max_percent
