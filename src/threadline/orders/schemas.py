"""Request and response bodies of checkout, orders and returns."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

StoreId = Annotated[str, Field(min_length=1, max_length=40)]


class Address(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(max_length=120)] | None = None
    line1: Annotated[str, Field(min_length=1, max_length=200)]
    line2: Annotated[str, Field(max_length=200)] | None = None
    city: Annotated[str, Field(min_length=1, max_length=80)]
    pincode: Annotated[str, Field(pattern=r"^[1-9][0-9]{5}$")]
    phone: Annotated[str, Field(max_length=20)] | None = None


class Fulfillment(BaseModel):
    type: Literal["delivery", "pickup", "reserve_in_store"]
    store_id: StoreId | None = None
    address: Address | None = None


class CheckoutRequest(BaseModel):
    payment_method: Literal["upi", "card", "cod", "wallet"]
    fulfillment: Fulfillment
    use_loyalty_points: bool = False
    # A token from the payment provider's client SDK; the simulated gateway declines
    # "tok_decline".  Card numbers never reach this service.
    payment_token: Annotated[str, Field(max_length=255)] | None = None


class ReturnCreate(BaseModel):
    line_ids: Annotated[
        list[Annotated[str, Field(max_length=36)]], Field(min_length=1, max_length=50)
    ]
    reason: Annotated[str, Field(min_length=1, max_length=1000)]
    # An exchange: the same product in this size instead of a refund.
    exchange_size: Annotated[str, Field(min_length=1, max_length=24)] | None = None


class StatusChange(BaseModel):
    status: Literal["ready_for_pickup", "shipped", "delivered", "collected", "cancelled"]
    pickup_code: Annotated[str, Field(max_length=12)] | None = None
    note: Annotated[str, Field(max_length=300)] | None = None


class OrderLineRead(BaseModel):
    line_id: str
    sku: str
    name: str
    size: str
    qty: int
    unit_price: float
    line_total: float
    returned_qty: int
    store_id: str


class PaymentRead(BaseModel):
    method: str
    status: str
    reference: str | None = None


class FulfillmentRead(BaseModel):
    type: str
    store_id: str | None = None
    store_name: str | None = None
    address: dict[str, str | None] | None = None
    eta: date | None = None
    pickup_code: str | None = None
    hold_expires_at: datetime | None = None


class StatusEvent(BaseModel):
    status: str
    note: str | None = None
    at: datetime


class ReturnRead(BaseModel):
    return_id: str
    kind: str
    reason: str
    line_ids: list[str]
    refund: float
    points_reversed: int
    status: str
    created_at: datetime


class OrderRead(BaseModel):
    order_id: str
    status: str
    items: list[OrderLineRead]
    subtotal: float
    discount: float
    total: float
    applied_offers: list[dict[str, object]]
    coupon_code: str | None = None
    points_redeemed: int
    loyalty_points_earned: int
    payment: PaymentRead
    fulfillment: FulfillmentRead
    status_history: list[StatusEvent]
    returns: list[ReturnRead] = []
    channel: str | None = None
    created_at: datetime
    updated_at: datetime


class OrderList(BaseModel):
    items: list[OrderRead]
    total: int
