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

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Row,
    String,
    Uuid,
    delete,
    insert,
    not_,
    or_,
    select,
    text,
    true,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from threadline.customers.models import Customer
from threadline.db import UTCDateTime, insert_ignoring_conflicts
from threadline.sessions.cache import CHANNEL as CACHE_CHANNEL
from threadline.sessions.models import ACTIVE, ConversationSession, SessionToken

# The hot path of every authenticated call: one indexed query, written as text so that no
# statement cache key has to be computed per request; the column types decode UUIDs, JSON and
# UTC timestamps the same way on both stores.
_BY_TOKEN = text(
    """
    SELECT s.session_id, s.customer_id, s.is_active, s.data, s.created_at, s.updated_at,
           s.last_activity_at, t.token_id, t.channel, t.last_used_at, c.phone, c.telegram_chat_id
    FROM session_tokens AS t
    JOIN sessions AS s ON s.session_id = t.session_id
    JOIN customers AS c ON c.customer_id = s.customer_id
    WHERE t.token_hash = :token_hash AND t.revoked_at IS NULL AND s.is_active
    """
).columns(
    session_id=Uuid(),
    customer_id=String(),
    is_active=Boolean(),
    data=JSON(),
    created_at=UTCDateTime(),
    updated_at=UTCDateTime(),
    last_activity_at=UTCDateTime(),
    token_id=Uuid(),
    channel=String(),
    last_used_at=UTCDateTime(),
    phone=String(),
    telegram_chat_id=BigInteger(),
)


async def by_token_hash(db: AsyncSession, token_hash: str) -> Row[Any] | None:
    """The active session, token and customer identity behind a token."""
    result = await db.execute(_BY_TOKEN, {"token_hash": token_hash})
    return result.first()


async def notify_changed(db: AsyncSession, session_id: uuid.UUID) -> None:
    """PostgreSQL only: tell every other process, at commit, that this session changed."""
    await db.execute(
        text("SELECT pg_notify(:channel, :session_id)"),
        {"channel": CACHE_CHANNEL, "session_id": str(session_id)},
    )


async def lock(db: AsyncSession, session_id: uuid.UUID) -> ConversationSession | None:
    """The session, locked for update, if it is still active.

    ``FOR NO KEY UPDATE`` (``key_share``) on PostgreSQL: writers of the session still queue,
    but rows that only reference it (a chat turn, a token) can be inserted meanwhile; a plain
    ``FOR UPDATE`` would make their foreign-key check wait for the lock holder.
    """
    stmt = (
        select(ConversationSession)
        .where(
            ConversationSession.session_id == session_id,
            ConversationSession.is_active == true(),
        )
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    return (await db.execute(stmt)).scalar_one_or_none()


async def data_of(db: AsyncSession, session_id: uuid.UUID) -> dict[str, Any] | None:
    """The session's data, read without a lock."""
    data = await db.scalar(
        select(ConversationSession.data).where(ConversationSession.session_id == session_id)
    )
    return dict(data) if isinstance(data, dict) else None


async def lock_with_customer(
    db: AsyncSession, session_id: uuid.UUID
) -> tuple[ConversationSession, Customer] | None:
    """``lock`` and the session's customer, in one round trip."""
    stmt = (
        select(ConversationSession, Customer)
        .join(Customer, Customer.customer_id == ConversationSession.customer_id)
        .where(
            ConversationSession.session_id == session_id,
            ConversationSession.is_active == true(),
        )
        .with_for_update(of=ConversationSession, key_share=True)
        .execution_options(populate_existing=True)
    )
    row = (await db.execute(stmt)).first()
    return (row[0], row[1]) if row is not None else None


async def lock_active(db: AsyncSession, customer_id: str) -> ConversationSession | None:
    stmt = (
        select(ConversationSession)
        .where(
            ConversationSession.customer_id == customer_id,
            ConversationSession.is_active == true(),
        )
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    return (await db.execute(stmt)).scalar_one_or_none()


async def active_session_ids(db: AsyncSession, customer_ids: list[str]) -> list[uuid.UUID]:
    ids: list[uuid.UUID] = []
    for start in range(0, len(customer_ids), 1000):  # keep IN lists a sane size
        stmt = select(ConversationSession.session_id).where(
            ConversationSession.customer_id.in_(customer_ids[start : start + 1000]),
            ConversationSession.is_active == true(),
        )
        ids.extend((await db.execute(stmt)).scalars())
    return ids


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
    await db.execute(insert(SessionToken).values(**values))


async def live_tokens(db: AsyncSession, customer_id: str) -> list[Any]:
    stmt = (
        select(
            SessionToken.token_id,
            SessionToken.channel,
            SessionToken.user_agent,
            SessionToken.created_at,
            SessionToken.last_used_at,
        )
        .join(ConversationSession, ConversationSession.session_id == SessionToken.session_id)
        .where(
            SessionToken.customer_id == customer_id,
            SessionToken.revoked_at.is_(None),
            ConversationSession.is_active == true(),
        )
        .order_by(SessionToken.last_used_at.desc())
    )
    return list((await db.execute(stmt)).all())


async def revoke_tokens(
    db: AsyncSession,
    customer_id: str,
    *,
    token_ids: list[uuid.UUID] | None,
    keep: uuid.UUID | None,
    now: datetime,
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """Revoke the customer's live tokens (``token_ids``, or all but ``keep``); returns
    (token_id, session_id) of each token revoked."""
    stmt = (
        update(SessionToken)
        .where(SessionToken.customer_id == customer_id, SessionToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .returning(SessionToken.token_id, SessionToken.session_id)
    )
    if token_ids is not None:
        stmt = stmt.where(SessionToken.token_id.in_(token_ids))
    if keep is not None:
        stmt = stmt.where(SessionToken.token_id != keep)
    result = await db.execute(stmt, execution_options={"synchronize_session": False})
    return [(row[0], row[1]) for row in result.all()]


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


async def touch_token(
    db: AsyncSession, token_id: uuid.UUID, now: datetime, *, unused_since: datetime | None = None
) -> bool:
    """Move the token's last use to ``now`` (never backwards); with ``unused_since``, only if it
    has not been used since then.  True if it moved: of concurrent callers (any process) with
    the same ``unused_since``, one alone gets True, as the row's lock serialises them."""
    bound = now if unused_since is None else min(now, unused_since)
    result = await db.execute(
        update(SessionToken)
        .where(SessionToken.token_id == token_id, SessionToken.last_used_at < bound)
        .values(last_used_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def delete_expired(
    db: AsyncSession, *, idle_cutoff: datetime, absolute_cutoff: datetime
) -> int:
    """Delete ended sessions and those idle or alive past their limits; returns how many."""
    doomed = select(ConversationSession.session_id).where(
        or_(
            not_(ConversationSession.is_active),  # as ix_sessions_ended says it
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
