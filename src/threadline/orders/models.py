"""Orders, their lines and status history, checkout idempotency keys, and returns."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from threadline.db import Base, UTCDateTime


class Order(Base):
    __tablename__ = "orders"

    order_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    customer_id: Mapped[str] = mapped_column(
        ForeignKey("customers.customer_id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    channel: Mapped[str | None] = mapped_column(String(16))
    # confirmed, reserved, ready_for_pickup, shipped, delivered, collected, cancelled,
    # expired, returned, partially_returned
    status: Mapped[str] = mapped_column(String(24), index=True)
    subtotal_paise: Mapped[int] = mapped_column(Integer)
    discount_paise: Mapped[int] = mapped_column(Integer)
    total_paise: Mapped[int] = mapped_column(Integer)
    applied_offers: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    coupon_code: Mapped[str | None] = mapped_column(String(32))
    points_redeemed: Mapped[int] = mapped_column(Integer, default=0)
    loyalty_points_earned: Mapped[int] = mapped_column(Integer, default=0)
    payment_method: Mapped[str] = mapped_column(String(16))
    # captured, pending (cash on delivery / pay at store), refunded, partially_refunded
    payment_status: Mapped[str] = mapped_column(String(20))
    payment_ref: Mapped[str | None] = mapped_column(String(64))
    fulfillment_type: Mapped[str] = mapped_column(String(20))
    store_id: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    eta: Mapped[date | None] = mapped_column(Date)
    pickup_code: Mapped[str | None] = mapped_column(String(12))
    # Reserve-in-store: the held stock goes back on sale at this time unless collected.
    hold_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # When the customer got the goods (delivered or collected): the return window starts here.
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OrderLine(Base):
    __tablename__ = "order_lines"

    line_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    order_id: Mapped[str] = mapped_column(
        ForeignKey("orders.order_id", ondelete="CASCADE"), index=True
    )
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    size: Mapped[str] = mapped_column(String(24))
    qty: Mapped[int] = mapped_column(Integer)
    unit_price_paise: Mapped[int] = mapped_column(Integer)
    line_total_paise: Mapped[int] = mapped_column(Integer)
    # This line's share of the order's discounts, so a return refunds what was really paid.
    discount_paise: Mapped[int] = mapped_column(Integer, default=0)
    # The location the units were taken from (and go back to on a return).
    store_id: Mapped[str] = mapped_column(String(40))
    returned_qty: Mapped[int] = mapped_column(Integer, default=0)


class OrderEvent(Base):
    """The order's status history, oldest first."""

    __tablename__ = "order_events"

    # Increasing, so history keeps its order even when two events share a timestamp.
    event_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(
        ForeignKey("orders.order_id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(24))
    note: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IdempotencyRecord(Base):
    """One checkout attempt per (customer, Idempotency-Key): its request fingerprint and result.

    The primary key is the lock: a second request with the same key waits on (PostgreSQL) or
    queues behind (SQLite) the first one's insert, then replays its stored answer.
    """

    __tablename__ = "idempotency_keys"

    customer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    order_id: Mapped[str | None] = mapped_column(String(32))
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class ReturnRequest(Base):
    __tablename__ = "returns"

    return_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    order_id: Mapped[str] = mapped_column(
        ForeignKey("orders.order_id", ondelete="CASCADE"), index=True
    )
    # return (money back) or exchange (another size of the same product)
    kind: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(Text)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    refund_paise: Mapped[int] = mapped_column(Integer, default=0)
    points_reversed: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_returns_created_at", "created_at"),)
