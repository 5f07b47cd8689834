"""Stores (shops and the online warehouse) and stock per sku, size and location."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from threadline.db import Base, UTCDateTime

ONLINE_STORE_ID = "ONLINE"


class Store(Base):
    __tablename__ = "stores"

    store_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    # "store" (a shop customers walk into) or "warehouse" (ships online orders).
    kind: Mapped[str] = mapped_column(String(16), default="store")
    city: Mapped[str] = mapped_column(String(80))
    state: Mapped[str | None] = mapped_column(String(80))
    area: Mapped[str | None] = mapped_column(String(160))
    pincode: Mapped[str | None] = mapped_column(String(12))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    opening_time: Mapped[str | None] = mapped_column(String(5))
    closing_time: Mapped[str | None] = mapped_column(String(5))
    phone: Mapped[str | None] = mapped_column(String(24))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StockLevel(Base):
    """Units on hand that can still be sold.  Never negative: every decrement is conditional
    (``UPDATE … SET qty = qty - :n WHERE … AND qty >= :n``), and the check constraint is the
    last line of defence."""

    __tablename__ = "stock"

    sku: Mapped[str] = mapped_column(
        ForeignKey("products.sku", ondelete="CASCADE"), primary_key=True
    )
    size: Mapped[str] = mapped_column(String(24), primary_key=True)
    store_id: Mapped[str] = mapped_column(
        ForeignKey("stores.store_id", ondelete="CASCADE"), primary_key=True, index=True
    )
    qty: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (CheckConstraint("qty >= 0", name="ck_stock_qty_nonnegative"),)
