"""The demo shop's offer and loyalty rules, as data loaded into an empty store.

Retailers change these rows, not code: tiers (discount and points per ₹100), coupons (percent or
flat, minimum order, category or brand scope, validity window, usage limits) and automatic offers.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from threadline.core.clock import clock
from threadline.loyalty.models import Coupon, LoyaltyTier, Offer

TIERS: list[dict[str, Any]] = [
    {"tier": "bronze", "rank": 1, "min_spend_paise": 0, "discount_percent": 0, "points_per_100": 1},
    {
        "tier": "silver",
        "rank": 2,
        "min_spend_paise": 1_000_000,
        "discount_percent": 5,
        "points_per_100": 2,
    },
    {
        "tier": "gold",
        "rank": 3,
        "min_spend_paise": 5_000_000,
        "discount_percent": 10,
        "points_per_100": 3,
    },
    {
        "tier": "platinum",
        "rank": 4,
        "min_spend_paise": 15_000_000,
        "discount_percent": 15,
        "points_per_100": 5,
    },
]


def coupons() -> list[dict[str, Any]]:
    now = clock.now()
    base = {
        "max_discount_paise": None,
        "min_order_paise": 0,
        "category": None,
        "brand": None,
        "starts_at": None,
        "ends_at": None,
        "usage_limit": None,
        "per_customer_limit": None,
        "used_count": 0,
        "is_active": True,
    }
    rows = [
        {
            "code": "WELCOME10",
            "description": "10% off your first order (up to ₹500)",
            "kind": "percent",
            "value": 10,
            "max_discount_paise": 50_000,
            "min_order_paise": 99_900,
            "per_customer_limit": 1,
        },
        {
            "code": "FLAT200",
            "description": "₹200 off orders of ₹1,999 or more",
            "kind": "flat",
            "value": 20_000,
            "min_order_paise": 199_900,
        },
        {
            "code": "FESTIVE15",
            "description": "15% off kurtas",
            "kind": "percent",
            "value": 15,
            "category": "kurta",
        },
        {
            "code": "SNEAKER500",
            "description": "₹500 off sneakers over ₹2,999",
            "kind": "flat",
            "value": 50_000,
            "category": "sneakers",
            "min_order_paise": 299_900,
        },
        {
            "code": "FIRST100",
            "description": "₹300 off, for the first 100 shoppers",
            "kind": "flat",
            "value": 30_000,
            "min_order_paise": 149_900,
            "usage_limit": 100,
        },
        {
            "code": "MONSOON20",
            "description": "20% off (monsoon sale, ended)",
            "kind": "percent",
            "value": 20,
            "starts_at": now - timedelta(days=120),
            "ends_at": now - timedelta(days=60),
        },
    ]
    return [{**base, **row} for row in rows]


OFFERS: list[dict[str, Any]] = [
    {
        "offer_id": "BUY2GET10",
        "description": "Buy 2 or more, get 10% off",
        "min_qty": 2,
        "min_order_paise": 0,
        "percent": 10,
        "category": None,
        "brand": None,
    },
    {
        "offer_id": "ETHNIC3",
        "description": "Any 3 kurtas for 20% off",
        "min_qty": 3,
        "min_order_paise": 0,
        "percent": 20,
        "category": "kurta",
        "brand": None,
    },
]


async def load_if_empty(db: AsyncSession) -> bool:
    """Load the demo rules into a store that has none; True when loaded."""
    if await db.scalar(select(func.count()).select_from(LoyaltyTier)):
        return False
    await db.execute(insert(LoyaltyTier), TIERS)
    await db.execute(insert(Coupon), coupons())
    await db.execute(
        insert(Offer),
        [{**o, "starts_at": None, "ends_at": None, "is_active": True} for o in OFFERS],
    )
    return True
