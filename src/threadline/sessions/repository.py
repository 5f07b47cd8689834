"""SQL for sessions and tokens.

Row locks: ``lock_active`` and ``lock`` select with ``FOR UPDATE`` on PostgreSQL, so a
read-modify-write of ``sessions.data`` (channels, recent, cart …) by two devices at once is
serialised by the store instead of one overwriting the other.  On SQLite ``FOR UPDATE`` is not
rendered; there every transaction is ``BEGIN IMMEDIATE`` (see ``threadline.db``), which takes
the database write lock before the first read and gives the same guarantee.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from threadline.customers.models import Customer
from threadline.db import insert_ignoring_conflicts
from threadline.sessions.models import ACTIVE, ConversationSession, SessionToken

_BY_TOKEN = (
    select(
        ConversationSession,
        SessionToken.token_id,
        SessionToken.channel,
        SessionToken.last_used_at,
        Customer.phone,
        Customer.telegram_chat_id,
    )
    .join(SessionToken, SessionToken.session_id == ConversationSession.session_id)
    .join(Customer, Customer.customer_id == ConversationSession.customer_id)
    .where(SessionToken.revoked_at.is_(None), ConversationSession.is_active == true())
)


async def by_token_hash(
    db: AsyncSession, token_hash: str
) -> Row[ConversationSession, uuid.UUID, str, datetime, str | None, int | None] | None:
    """The active session, token and customer identity behind a token, in one indexed query."""
    result = await db.execute(_BY_TOKEN.where(SessionToken.token_hash == token_hash))
    return result.first()


async def lock(db: AsyncSession, session_id: uuid.UUID) -> ConversationSession | None:
    stmt = (
        select(ConversationSession)
        .where(ConversationSession.session_id == session_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await db.execute(stmt)).scalar_one_or_none()


async def lock_active(db: AsyncSession, customer_id: str) -> ConversationSession | None:
    stmt = (
        select(ConversationSession)
        .where(
            ConversationSession.customer_id == customer_id,
            ConversationSession.is_active == true(),
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await db.execute(stmt)).scalar_one_or_none()


async def insert_active_unless_exists(db: AsyncSession, values: dict[str, Any]) -> None:
    """Create the customer's active session unless one exists (the partial unique index decides)."""
    stmt = insert_ignoring_conflicts(
        db,
        ConversationSession,
        ["customer_id"],
        index_where=ACTIVE,
    ).values(**values)
    await db.execute(stmt)


async def add_token(db: AsyncSession, **values: Any) -> None:
    db.add(SessionToken(**values))
    await db.flush()


async def touch_session(db: AsyncSession, session_id: uuid.UUID, now: datetime) -> None:
    # The WHERE keeps a slower concurrent request from moving last activity backwards.
    await db.execute(
        update(ConversationSession)
        .where(
            ConversationSession.session_id == session_id,
            ConversationSession.last_activity_at < now,
        )
        .values(last_activity_at=now)
    )


async def touch_token(db: AsyncSession, token_id: uuid.UUID, now: datetime) -> None:
    await db.execute(
        update(SessionToken)
        .where(SessionToken.token_id == token_id, SessionToken.last_used_at < now)
        .values(last_used_at=now)
    )


async def delete_expired(
    db: AsyncSession, *, idle_cutoff: datetime, absolute_cutoff: datetime
) -> int:
    """Delete ended sessions and those idle or alive past their limits; returns how many."""
    doomed = select(ConversationSession.session_id).where(
        or_(
            ConversationSession.is_active.is_(False),
            ConversationSession.last_activity_at < idle_cutoff,
            ConversationSession.created_at < absolute_cutoff,
        )
    )
    await db.execute(
        delete(SessionToken).where(SessionToken.session_id.in_(doomed)),
        execution_options={"synchronize_session": False},
    )
    result = await db.execute(
        delete(ConversationSession).where(ConversationSession.session_id.in_(doomed)),
        execution_options={"synchronize_session": False},
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
