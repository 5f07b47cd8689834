"""Request and response bodies of the cart endpoints."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

Sku = Annotated[str, Field(min_length=1, max_length=64)]


class CartItemCreate(BaseModel):
    sku: Sku
    size: Annotated[str, Field(min_length=1, max_length=24)] | None = None
    qty: Annotated[int, Field(ge=1, le=20)] = 1


class CartItemUpdate(BaseModel):
    qty: Annotated[int, Field(ge=0, le=20)]


class CouponApply(BaseModel):
    code: Annotated[str, Field(min_length=1, max_length=32)]


class CartLine(BaseModel):
    line_id: str
    sku: str
    name: str
    size: str
    qty: int
    unit_price: float
    line_total: float
    image_url: str | None = None


class AppliedOffer(BaseModel):
    kind: str = Field(description="offer, coupon or tier")
    code: str
    label: str
    amount: float


class CouponState(BaseModel):
    code: str
    applied: bool
    message: str | None = None


class CartLoyalty(BaseModel):
    tier: str | None
    points_balance: int
    points_to_earn: int


class CartRead(BaseModel):
    items: list[CartLine]
    subtotal: float
    discount: float
    total: float
    applied_offers: list[AppliedOffer]
    coupon: CouponState | None = None
    item_count: int = 0
    loyalty: CartLoyalty | None = None
