"""Staff users and their sign-ins: tables of their own, never mixed with customers' sessions."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from threadline.db import Base, UTCDateTime


class StaffUser(Base):
    __tablename__ = "staff_users"

    staff_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    # Lower case, 3–32 of a-z 0-9 . _ - (see staff.service.normalise_username).
    username: Mapped[str] = mapped_column(String(32), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set: the user can no longer sign in, and their sign-ins were ended.
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StaffSession(Base):
    """One signed-in browser; only the SHA-256 of its token is stored."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("staff_users.staff_id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Fixed, STAFF_SESSION_HOURS after signing in: a shift, not a sliding window.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
