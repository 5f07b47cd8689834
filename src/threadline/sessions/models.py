"""Conversation sessions and the per-device tokens that join them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from threadline.db import Base, UTCDateTime

# The partial index predicate, spelled identically in the index and in ON CONFLICT … WHERE.
ACTIVE = text("is_active")
ENDED = text("NOT is_active")


class ConversationSession(Base):
    """One customer's continuing conversation, shared by every channel and device."""

    __tablename__ = "sessions"

    session_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    customer_id: Mapped[str] = mapped_column(
        ForeignKey("customers.customer_id", ondelete="CASCADE"), index=True
    )
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # cart, recent, chat_context, last_action, channels, conversation_summary,
    # last_recommended_skus; the API's "metadata" object is derived from it, not stored twice.
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Indexed for the purge of sessions past their absolute lifetime.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Written at most every SESSION_TOUCH_SECONDS (see sessions.service.touch_due).
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (
        # "One session per customer": at most one active row per customer, enforced by the store
        # so two concurrent /session/start calls cannot both create one.
        Index(
            "uq_sessions_one_active_per_customer",
            "customer_id",
            unique=True,
            sqlite_where=ACTIVE,
            postgresql_where=ACTIVE,
        ),
        # The purge's "ended" branch; partial, so it holds only ended sessions.
        Index("ix_sessions_ended", "session_id", sqlite_where=ENDED, postgresql_where=ENDED),
    )


class SessionToken(Base):
    """A device's or channel's credential for a session; only its SHA-256 is stored."""

    __tablename__ = "session_tokens"

    token_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sessions.session_id", ondelete="CASCADE"), index=True
    )
    customer_id: Mapped[str] = mapped_column(
        ForeignKey("customers.customer_id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    user_agent: Mapped[str | None] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class HandoffToken(Base):
    """A single-use, short-lived ticket that moves a conversation to another device (the
    kiosk's QR code); only its SHA-256 is stored."""

    __tablename__ = "session_handoffs"

    handoff_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sessions.session_id", ondelete="CASCADE"), index=True
    )
    customer_id: Mapped[str] = mapped_column(
        ForeignKey("customers.customer_id", ondelete="CASCADE")
    )
    from_channel: Mapped[str] = mapped_column(String(16))
    # The device that showed the code: when it logs out, its codes stop working too.
    token_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("session_tokens.token_id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_channel: Mapped[str | None] = mapped_column(String(16))
