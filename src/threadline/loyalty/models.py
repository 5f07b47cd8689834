"""Offers and loyalty rules (data, loaded with the demo data) and the points ledger."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from threadline.db import Base, UTCDateTime


class LoyaltyTier(Base):
    __tablename__ = "loyalty_tiers"

    tier: Mapped[str] = mapped_column(String(16), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer, unique=True)
    # Lifetime spend (paise) at which a customer reaches this tier.
    min_spend_paise: Mapped[int] = mapped_column(Integer, default=0)
    discount_percent: Mapped[int] = mapped_column(Integer, default=0)
    points_per_100: Mapped[int] = mapped_column(Integer, default=1)


class Coupon(Base):
    __tablename__ = "coupons"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    description: Mapped[str] = mapped_column(String(200))
    # "percent" (value is a percentage) or "flat" (value is paise).
    kind: Mapped[str] = mapped_column(String(8))
    value: Mapped[int] = mapped_column(Integer)
    # Cap on a percent coupon's discount, in paise (None: no cap).
    max_discount_paise: Mapped[int | None] = mapped_column(Integer)
    min_order_paise: Mapped[int] = mapped_column(Integer, default=0)
    category: Mapped[str | None] = mapped_column(String(40))
    brand: Mapped[str | None] = mapped_column(String(120))
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    usage_limit: Mapped[int | None] = mapped_column(Integer)
    per_customer_limit: Mapped[int | None] = mapped_column(Integer)
    # Incremented with a conditional UPDATE … WHERE used_count < usage_limit at checkout.
    used_count: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (
        CheckConstraint("kind IN ('percent', 'flat')", name="ck_coupons_kind"),
        CheckConstraint("value > 0", name="ck_coupons_value_positive"),
    )


class CouponRedemption(Base):
    __tablename__ = "coupon_redemptions"

    redemption_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    code: Mapped[str] = mapped_column(ForeignKey("coupons.code", ondelete="CASCADE"), index=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    order_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Offer(Base):
    """An automatic offer: applies by itself when the cart qualifies (e.g. buy 2, get 10% off)."""

    __tablename__ = "offers"

    offer_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    description: Mapped[str] = mapped_column(String(200))
    min_qty: Mapped[int] = mapped_column(Integer, default=1)
    min_order_paise: Mapped[int] = mapped_column(Integer, default=0)
    percent: Mapped[int] = mapped_column(Integer)
    category: Mapped[str | None] = mapped_column(String(40))
    brand: Mapped[str | None] = mapped_column(String(120))
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class LoyaltyEntry(Base):
    """Every change to a customer's points, so a balance can always be explained."""

    __tablename__ = "loyalty_ledger"

    entry_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    order_id: Mapped[str | None] = mapped_column(String(32), index=True)
    points: Mapped[int] = mapped_column(Integer)
    # earned, redeemed, reversed, refunded
    reason: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
