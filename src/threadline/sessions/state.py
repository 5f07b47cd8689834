"""What a session looks like to the API: immutable snapshots, expiry arithmetic, rendering.

Sliding expiry without turning every read into a write: ``last_activity_at`` is written only
when it is at least ``SESSION_TOUCH_SECONDS`` old.  A call reports ``expires_at = now + idle``
and the session is honoured until ``last_activity_at + idle + touch``, which is never earlier
than anything reported, so a client can trust its ``expires_at``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row

from threadline.config import Settings
from threadline.core.clock import clock
from threadline.sessions.models import ConversationSession


@dataclass(slots=True, frozen=True)
class SessionState:
    """A read-only snapshot of a session row (what the API shows; never written back)."""

    session_id: uuid.UUID
    customer_id: str
    is_active: bool
    data: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    last_activity_at: datetime

    @classmethod
    def of(cls, row: ConversationSession | Row[Any]) -> SessionState:
        """From an ORM row or a result row with the same column names."""
        return cls(
            row.session_id,
            row.customer_id,
            row.is_active,
            row.data,
            row.created_at,
            row.updated_at,
            row.last_activity_at,
        )


@dataclass(slots=True)
class SessionContext:
    """An authenticated call: the session, the token used and the customer's identities."""

    session: SessionState
    token_id: uuid.UUID
    channel: str
    phone: str | None
    telegram_chat_id: int | None
    token_used_at: datetime


def empty_data(channel: str) -> dict[str, Any]:
    return {
        "cart": [],
        "recent": [],
        "chat_context": [],
        "last_action": None,
        "channels": [channel],
        "conversation_summary": "",
        "last_recommended_skus": [],
    }


# --- time -------------------------------------------------------------------------------------


def limits(settings: Settings) -> tuple[timedelta, timedelta, timedelta]:
    return (
        timedelta(days=settings.session_idle_days),
        timedelta(days=settings.session_max_age_days),
        timedelta(seconds=settings.session_touch_seconds),
    )


def is_expired(
    session: SessionState | ConversationSession, now: datetime, settings: Settings
) -> bool:
    idle, max_age, touch = limits(settings)
    return now >= session.last_activity_at + idle + touch or now >= session.created_at + max_age


def expires_at(
    session: SessionState | ConversationSession, now: datetime, settings: Settings
) -> datetime:
    idle, max_age, _ = limits(settings)
    return min(now + idle, session.created_at + max_age)


def touch_due(last: datetime, now: datetime, settings: Settings) -> bool:
    return now - last >= timedelta(seconds=settings.session_touch_seconds)


# --- rendering ----------------------------------------------------------------------------------


def render(ctx: SessionContext, settings: Settings, now: datetime | None = None) -> dict[str, Any]:
    """The contract's session object (``schemas.SessionRead``) as plain data, ready to encode.

    ``metadata`` is derived from ``data`` so the two can never disagree.  Built by hand rather
    than through the pydantic model because it is on every hot path; a test checks that it
    validates against ``SessionRead``.
    """
    now = now or clock.now()
    session = ctx.session
    data = {**empty_data(ctx.channel), **session.data}
    return {
        "session_id": session.session_id,
        "phone": ctx.phone,
        "telegram_chat_id": ctx.telegram_chat_id,
        "channel": ctx.channel,
        "user_id": session.customer_id,
        "customer_id": session.customer_id,
        "data": data,
        "metadata": {
            "channels": data["channels"],
            "chat_context": data["chat_context"],
            "conversation_summary": data["conversation_summary"],
            "last_recommended_skus": data["last_recommended_skus"],
        },
        "created_at": session.created_at,
        "updated_at": session.updated_at,
        "is_active": session.is_active,
        "expires_at": expires_at(session, now, settings),
    }
