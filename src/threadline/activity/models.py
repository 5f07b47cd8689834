"""The activity log: one row per session join, answered chat message, cart addition, order, and
return of a device on a new day.

No foreign keys on purpose: sessions (and their tokens and turns) are purged a week after
they go idle, while the staff dashboard reports on months.  Rows are removed only when older
than ``DASHBOARD_RETENTION_DAYS``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from threadline.db import Base, UTCDateTime

JOIN = "join"  # a device or channel got a token for the session (start, login, OTP, QR, link)
CHAT = "chat"  # a shopper message the agent answered
CART = "cart"  # something was put in the cart
ORDER = "order"  # an order was placed
VISIT = "visit"  # a device came back with its token on a later day (a page reopened)
KINDS = (JOIN, CHAT, CART, ORDER, VISIT)


class SessionActivity(Base):
    __tablename__ = "session_activity"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    # The calendar day in DASHBOARD_TIMEZONE when it happened: days group without date
    # arithmetic in SQL, the same on both stores.
    day: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    session_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    customer_id: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(8))

    __table_args__ = (
        # The period's figures read a range of days; channel switches read one session's
        # activity in order.
        Index("ix_session_activity_day", "day", "channel"),
        Index("ix_session_activity_session", "session_id", "at"),
    )
