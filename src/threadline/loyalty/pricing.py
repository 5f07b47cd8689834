"""Cart arithmetic: a pure function from lines and rules to totals, in integer paise.

Order of application, each on what is left after the one before:

1. the best automatic offer the cart qualifies for (offers do not stack with each other);
2. the coupon, on the lines in its scope;
3. the loyalty tier's discount, on everything.

Every discount is floored to a whole paisa, so the shop never gives away a fraction; each
discount is spread over the lines it applied to (largest remainder), so a later return refunds
exactly what the customer paid for those lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class PricedLine:
    line_id: str
    sku: str
    category: str
    brand: str
    unit_price_paise: int
    qty: int

    @property
    def total(self) -> int:
        return self.unit_price_paise * self.qty


@dataclass(frozen=True, slots=True)
class Scope:
    """Which lines a rule applies to; ``None`` fields match everything."""

    category: str | None = None
    brand: str | None = None

    def matches(self, line: PricedLine) -> bool:
        return (self.category is None or line.category == self.category) and (
            self.brand is None or line.brand.lower() == self.brand.lower()
        )


@dataclass(frozen=True, slots=True)
class OfferRule:
    offer_id: str
    description: str
    percent: int
    min_qty: int = 1
    min_order_paise: int = 0
    scope: Scope = Scope()
    starts_at: datetime | None = None
    ends_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CouponRule:
    code: str
    description: str
    kind: str  # "percent" or "flat"
    value: int
    min_order_paise: int = 0
    max_discount_paise: int | None = None
    scope: Scope = Scope()


@dataclass(frozen=True, slots=True)
class TierRule:
    tier: str
    discount_percent: int
    points_per_100: int


@dataclass(slots=True)
class Discount:
    kind: str  # offer, coupon, tier
    code: str
    label: str
    amount_paise: int


@dataclass(slots=True)
class Priced:
    subtotal_paise: int
    discounts: list[Discount] = field(default_factory=list)
    # line_id → that line's share of all discounts
    line_discounts: dict[str, int] = field(default_factory=dict)
    # Why a coupon in the cart does not apply right now (None when it applies or there is none).
    coupon_problem: str | None = None

    @property
    def discount_paise(self) -> int:
        return sum(d.amount_paise for d in self.discounts)

    @property
    def total_paise(self) -> int:
        return self.subtotal_paise - self.discount_paise


def price(
    lines: Sequence[PricedLine],
    *,
    offers: Sequence[OfferRule] = (),
    coupon: CouponRule | None = None,
    tier: TierRule | None = None,
) -> Priced:
    """Totals for ``lines`` under the given rules (all assumed currently valid)."""
    remaining = {line.line_id: line.total for line in lines}
    priced = Priced(subtotal_paise=sum(remaining.values()))
    priced.line_discounts = dict.fromkeys(remaining, 0)

    best = _best_offer(lines, remaining, offers)
    if best is not None:
        offer, in_scope = best
        amount = _percent_of(sum(remaining[i] for i in in_scope), offer.percent)
        _apply(
            priced,
            remaining,
            in_scope,
            Discount("offer", offer.offer_id, offer.description, amount),
        )

    if coupon is not None:
        problem, in_scope = _coupon_scope(lines, coupon, priced.subtotal_paise)
        if problem:
            priced.coupon_problem = problem
        else:
            base = sum(remaining[i] for i in in_scope)
            if coupon.kind == "percent":
                amount = _percent_of(base, coupon.value)
                if coupon.max_discount_paise is not None:
                    amount = min(amount, coupon.max_discount_paise)
            else:
                amount = min(coupon.value, base)
            _apply(
                priced,
                remaining,
                in_scope,
                Discount("coupon", coupon.code, coupon.description, amount),
            )

    if tier is not None and tier.discount_percent > 0:
        amount = _percent_of(sum(remaining.values()), tier.discount_percent)
        label = f"{tier.tier.title()} member discount ({tier.discount_percent}%)"
        _apply(priced, remaining, list(remaining), Discount("tier", tier.tier, label, amount))
    return priced


def points_earned(amount_paid_paise: int, tier: TierRule | None) -> int:
    """Points for an order: ``points_per_100`` for every whole ₹100 paid."""
    per_100 = tier.points_per_100 if tier else 1
    return (amount_paid_paise // 10_000) * per_100


def redeemable_points(
    balance: int, total_paise: int, *, point_value_paise: int, max_percent: int
) -> int:
    """How many points may pay for an order of ``total_paise`` (at most ``max_percent`` of it)."""
    cap_paise = total_paise * max_percent // 100
    return max(0, min(balance, cap_paise // point_value_paise))


def spread(amount: int, weights: dict[str, int]) -> dict[str, int]:
    """Split ``amount`` over keys in proportion to ``weights`` (largest remainder; sums exactly)."""
    total = sum(weights.values())
    if total <= 0 or amount <= 0:
        return dict.fromkeys(weights, 0)
    shares = {k: amount * w // total for k, w in weights.items()}
    left = amount - sum(shares.values())
    by_remainder = sorted(weights, key=lambda k: (-(amount * weights[k] % total), k))
    for key in by_remainder[:left]:
        shares[key] += 1
    return shares


def _percent_of(amount: int, percent: int) -> int:
    return amount * percent // 100


def _apply(
    priced: Priced, remaining: dict[str, int], line_ids: Sequence[str], discount: Discount
) -> None:
    discount.amount_paise = min(discount.amount_paise, sum(remaining[i] for i in line_ids))
    if discount.amount_paise <= 0:
        return
    shares = spread(discount.amount_paise, {i: remaining[i] for i in line_ids})
    for line_id, share in shares.items():
        remaining[line_id] -= share
        priced.line_discounts[line_id] += share
    priced.discounts.append(discount)


def _best_offer(
    lines: Sequence[PricedLine], remaining: dict[str, int], offers: Sequence[OfferRule]
) -> tuple[OfferRule, list[str]] | None:
    best: tuple[int, OfferRule, list[str]] | None = None
    for offer in offers:
        in_scope = [line for line in lines if offer.scope.matches(line)]
        qty = sum(line.qty for line in in_scope)
        base = sum(remaining[line.line_id] for line in in_scope)
        if not in_scope or qty < offer.min_qty or base < offer.min_order_paise:
            continue
        amount = _percent_of(base, offer.percent)
        if best is None or amount > best[0]:
            best = (amount, offer, [line.line_id for line in in_scope])
    return None if best is None else (best[1], best[2])


def _coupon_scope(
    lines: Sequence[PricedLine], coupon: CouponRule, subtotal: int
) -> tuple[str | None, list[str]]:
    in_scope = [line.line_id for line in lines if coupon.scope.matches(line)]
    if not in_scope:
        what = coupon.scope.category or coupon.scope.brand or "these"
        return f"{coupon.code} applies only to {what} items.", []
    if subtotal < coupon.min_order_paise:
        return (
            f"{coupon.code} needs an order of at least ₹{coupon.min_order_paise // 100:,}.",
            [],
        )
    return None, in_scope
