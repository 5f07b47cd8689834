"""Request and response shapes of ``/admin/api`` (money in rupees, days as YYYY-MM-DD)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class StaffLogin(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=128)


class StaffRead(BaseModel):
    username: str
    expires_at: datetime


class PeriodRead(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    first: date = Field(alias="from")
    last: date = Field(alias="to")
    days: int
    today: date
    timezone: str


class Totals(BaseModel):
    sessions: int
    customers: int
    messages: int
    orders: int
    revenue: float
    average_order_value: float


class ChannelFigures(BaseModel):
    channel: str
    sessions: int
    customers: int
    messages: int
    cart_adds: int


class DailySessions(BaseModel):
    day: date
    sessions: dict[str, int]


class Switch(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    source: str = Field(alias="from")
    to: str
    switches: int
    sessions: int


class FunnelRead(BaseModel):
    active: int
    chatted: int
    carted: int
    ordered: int


class ValueByChannel(BaseModel):
    channel: str
    orders: int
    revenue: float
    average: float


class ValueByTier(BaseModel):
    tier: str
    orders: int
    revenue: float
    average: float


class OrderValue(BaseModel):
    by_channel: list[ValueByChannel]
    by_tier: list[ValueByTier]


class SearchMissRead(BaseModel):
    query: str
    count: int
    last_day: date
    channels: dict[str, int]


class StoreAlerts(BaseModel):
    store_id: str
    name: str
    out_of_stock: int
    low: int


class StockAlert(BaseModel):
    sku: str
    name: str
    size: str
    store_id: str
    store_name: str
    qty: int
    sold_30_days: int


class StockAlerts(BaseModel):
    threshold: int
    out_of_stock: int
    low: int
    by_store: list[StoreAlerts]
    items: list[StockAlert]


class Overview(BaseModel):
    period: PeriodRead
    totals: Totals
    channels: list[ChannelFigures]
    daily: list[DailySessions]
    switches: list[Switch]
    funnel: FunnelRead
    order_value: OrderValue
    searches_without_results: list[SearchMissRead]
    stock_alerts: StockAlerts
