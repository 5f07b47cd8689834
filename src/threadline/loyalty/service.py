"""Offers, coupons, tiers and points: the rules read from the store, and the atomic point moves.

Points change with one conditional ``UPDATE customers SET loyalty_points = loyalty_points ± :n``
(spending adds ``WHERE loyalty_points >= :n``), never read-modify-write, and every change is
written to the ledger in the same transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from threadline.core.clock import clock
from threadline.customers.models import Customer
from threadline.loyalty.errors import InvalidCoupon, NotEnoughPoints
from threadline.loyalty.models import Coupon, CouponRedemption, LoyaltyEntry, LoyaltyTier, Offer
from threadline.loyalty.pricing import CouponRule, OfferRule, Scope, TierRule


def _live(starts_at: datetime | None, ends_at: datetime | None, now: datetime) -> bool:
    return (starts_at is None or starts_at <= now) and (ends_at is None or now < ends_at)


async def active_offers(db: AsyncSession) -> list[OfferRule]:
    now = clock.now()
    rows = await db.scalars(select(Offer).where(Offer.is_active).order_by(Offer.offer_id))
    return [
        OfferRule(
            offer_id=o.offer_id,
            description=o.description,
            percent=o.percent,
            min_qty=o.min_qty,
            min_order_paise=o.min_order_paise,
            scope=Scope(o.category, o.brand),
        )
        for o in rows
        if _live(o.starts_at, o.ends_at, now)
    ]


async def tier(db: AsyncSession, name: str | None) -> TierRule | None:
    """The rule for a tier name (any case); unknown names get the lowest tier."""
    query = select(LoyaltyTier)
    wanted = (name or "").strip().lower()
    row = await db.scalar(query.where(LoyaltyTier.tier == wanted)) if wanted else None
    if row is None:
        row = await db.scalar(query.order_by(LoyaltyTier.rank).limit(1))
    if row is None:
        return None
    return TierRule(row.tier, row.discount_percent, row.points_per_100)


async def coupon(db: AsyncSession, code: str, customer_id: str) -> CouponRule:
    """The coupon ``code`` if this customer may use it now, else ``InvalidCoupon`` saying why."""
    normalised = code.strip().upper()
    row = await db.get(Coupon, normalised) if normalised else None
    if row is None or not row.is_active:
        raise InvalidCoupon(f"There is no coupon {normalised or code!r}.", field="code")
    now = clock.now()
    if row.starts_at is not None and now < row.starts_at:
        raise InvalidCoupon(f"{row.code} is not active yet.", field="code")
    if row.ends_at is not None and now >= row.ends_at:
        raise InvalidCoupon(f"{row.code} has expired.", field="code")
    if row.usage_limit is not None and row.used_count >= row.usage_limit:
        raise InvalidCoupon(f"{row.code} has been fully used up.", field="code")
    if row.per_customer_limit is not None:
        used = await db.scalar(
            select(func.count())
            .select_from(CouponRedemption)
            .where(CouponRedemption.code == row.code, CouponRedemption.customer_id == customer_id)
        )
        if (used or 0) >= row.per_customer_limit:
            raise InvalidCoupon(f"You have already used {row.code}.", field="code")
    return CouponRule(
        code=row.code,
        description=row.description,
        kind=row.kind,
        value=row.value,
        min_order_paise=row.min_order_paise,
        max_discount_paise=row.max_discount_paise,
        scope=Scope(row.category, row.brand),
    )


async def redeem_coupon(db: AsyncSession, code: str, customer_id: str, order_id: str) -> None:
    """Count one use; the conditional update is what keeps a usage limit from being overrun."""
    result = await db.execute(
        update(Coupon)
        .where(
            Coupon.code == code,
            or_(Coupon.usage_limit.is_(None), Coupon.used_count < Coupon.usage_limit),
        )
        .values(used_count=Coupon.used_count + 1)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise InvalidCoupon(f"{code} has just been fully used up.", field="code")
    db.add(
        CouponRedemption(
            code=code, customer_id=customer_id, order_id=order_id, created_at=clock.now()
        )
    )


async def balance(db: AsyncSession, customer_id: str) -> int:
    points = await db.scalar(
        select(Customer.loyalty_points).where(Customer.customer_id == customer_id)
    )
    return int(points or 0)


async def change_points(
    db: AsyncSession, customer_id: str, points: int, *, reason: str, order_id: str | None
) -> int:
    """Add (or, negative, take) points; taking never goes below zero.  Returns the change made."""
    if points == 0:
        return 0
    query = update(Customer).where(Customer.customer_id == customer_id)
    if points < 0:
        query = query.where(Customer.loyalty_points >= -points)
    result = await db.execute(query.values(loyalty_points=Customer.loyalty_points + points))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise NotEnoughPoints()
    db.add(
        LoyaltyEntry(
            customer_id=customer_id,
            order_id=order_id,
            points=points,
            reason=reason,
            created_at=clock.now(),
        )
    )
    return points


async def take_back_points(
    db: AsyncSession, customer_id: str, points: int, *, order_id: str
) -> int:
    """Reverse earned points on a return, as many as the balance still holds."""
    held = await balance(db, customer_id)
    taken = min(points, held)
    if taken > 0:
        await change_points(db, customer_id, -taken, reason="reversed", order_id=order_id)
    return taken


async def promote(db: AsyncSession, customer_id: str, spend_paise: int) -> str | None:
    """Move the customer up to the highest tier their lifetime spend reaches (never down).

    ``spend_paise`` is what they have paid through Threadline; a ``total_spend`` (rupees)
    imported with the customer counts too.  Returns the new tier, or None when unchanged.
    """
    customer = await db.get(Customer, customer_id)
    if customer is None:
        return None
    imported = customer.profile.get("total_spend") if isinstance(customer.profile, dict) else None
    if isinstance(imported, int | float) and imported > 0:
        spend_paise += round(imported * 100)
    tiers = list(await db.scalars(select(LoyaltyTier).order_by(LoyaltyTier.rank)))
    ranks = {t.tier: t.rank for t in tiers}
    current = ranks.get((customer.loyalty_tier or "").lower(), 0)
    reached = [t for t in tiers if t.min_spend_paise <= spend_paise and t.rank > current]
    if not reached:
        return None
    customer.loyalty_tier = reached[-1].tier
    customer.updated_at = clock.now()
    return customer.loyalty_tier
