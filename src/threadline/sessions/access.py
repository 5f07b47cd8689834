"""Authenticating a session token, with the per-process cache and the sliding-expiry write.

Every write to a session calls :func:`mark_changed` in its transaction, which is what keeps the
cache (``sessions.cache``) from ever showing state older than an acknowledged write.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from threadline.activity import service as activity
from threadline.activity.models import VISIT
from threadline.config import Settings
from threadline.core.clock import clock
from threadline.core.localdays import day_bounds, local_date
from threadline.core.security import hash_token
from threadline.db import (
    note_refusal,
    on_commit,
    session_scope,
    store_failure,
    writes_refused_recently,
)
from threadline.sessions import repository
from threadline.sessions.cache import SessionCache
from threadline.sessions.errors import SessionNotFound
from threadline.sessions.state import SessionContext, SessionState, is_expired, touch_due

log = structlog.get_logger()


async def mark_changed(db: AsyncSession, cache: SessionCache, session_id: uuid.UUID) -> None:
    """Record that this transaction changes ``session_id``: every process's cached copy of it
    is dropped once the transaction commits (see ``sessions.cache``)."""
    changed: set[uuid.UUID] = db.info.setdefault("changed_sessions", set())
    if session_id in changed:
        return
    changed.add(session_id)
    on_commit(db, lambda: cache.invalidate(session_id))
    if db.get_bind().dialect.name == "postgresql":
        await repository.notify_changed(db, session_id)


async def authenticate(
    db: AsyncSession, settings: Settings, cache: SessionCache, token: str
) -> SessionContext:
    """The session behind ``token``; records the activity that slides its expiry."""
    return await authenticate_hash(db, settings, cache, hash_token(token))


async def authenticate_hash(
    db: AsyncSession, settings: Settings, cache: SessionCache, token_hash: str
) -> SessionContext:
    """:func:`authenticate` for a token the server keeps only as its hash (a channel's chat)."""
    ctx = cache.get(token_hash) or await _load(db, cache, token_hash)
    _check_alive(ctx, settings)
    if _touch_due(ctx, settings) and not writes_refused_recently(db):
        registered = len(db.info.get("after_commit", ()))
        try:
            # In a savepoint: a store that refuses the write (full or read-only) leaves the
            # rest of the unit of work usable, and the call goes on without the touch.
            async with db.begin_nested():
                await _touch_if_due(db, ctx, settings)
        except Exception as exc:
            if not note_refusal(db, exc):
                raise
            del db.info.get("after_commit", [])[registered:]
    return dataclasses.replace(ctx)


async def authenticate_read(
    maker: async_sessionmaker[AsyncSession],
    read_maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    cache: SessionCache,
    token: str,
) -> SessionContext:
    """:func:`authenticate` for read-only calls: a cached token needs no unit of work at all,
    a miss is a read-only one (beside the writer on SQLite), and only a due activity write
    takes the write path."""
    ctx = cache.get(hash_token(token))
    if ctx is None:
        async with session_scope(read_maker) as db:
            ctx = await _load(db, cache, hash_token(token))
    _check_alive(ctx, settings)
    if _touch_due(ctx, settings):
        try:
            async with session_scope(maker) as db:
                await _touch_if_due(db, ctx, settings)
        except Exception as exc:
            # The store refused the write (full or read-only; session_scope remembers it):
            # the activity goes unrecorded and the read goes on.
            if store_failure(exc) not in ("full", "read_only"):
                raise
    return dataclasses.replace(ctx)


async def _load(db: AsyncSession, cache: SessionCache, key: str) -> SessionContext:
    snapshot = cache.snapshot()
    row = await repository.by_token_hash(db, key)
    if row is None:
        log.info("session.restore.not_found", reason="unknown_or_revoked")
        raise SessionNotFound()
    ctx = SessionContext(
        SessionState.of(row),
        row.token_id,
        row.channel,
        row.phone,
        row.telegram_chat_id,
        row.last_used_at,
    )
    cache.put(key, row.session_id, ctx, snapshot=snapshot)
    return ctx


def _check_alive(ctx: SessionContext, settings: Settings) -> None:
    if is_expired(ctx.session, clock.now(), settings):
        log.info(
            "session.restore.not_found", reason="expired", session_id=str(ctx.session.session_id)
        )
        raise SessionNotFound()


async def _touch_token(
    db: AsyncSession, ctx: SessionContext, settings: Settings, now: datetime
) -> None:
    """Slide the token's last use to ``now``; the first use on a new day (a page reopened with
    the token it kept) is also a day of activity for the dashboard, recorded by the one request
    (of any process) whose touch moves the token's last use over the shop's midnight."""
    zone = settings.dashboard_timezone
    today = local_date(now, zone)
    if local_date(ctx.token_used_at, zone) < today:
        midnight, _ = day_bounds(today, today, zone)
        if await repository.touch_token(db, ctx.token_id, now, unused_since=midnight):
            await activity.record(db, settings, ctx, VISIT)
            return
        # Another request has used it today (this copy of the token is older): slide it only.
    await repository.touch_token(db, ctx.token_id, now)


def _touch_due(ctx: SessionContext, settings: Settings) -> bool:
    now = clock.now()
    return touch_due(ctx.session.last_activity_at, now, settings) or touch_due(
        ctx.token_used_at, now, settings
    )


async def _touch_if_due(db: AsyncSession, ctx: SessionContext, settings: Settings) -> None:
    if writes_refused_recently(db):
        # The disk is full or the store read-only: the activity goes unrecorded (the session
        # stays valid until the expiry it last reported) so that reading still works.
        return
    now = clock.now()
    session_due = touch_due(ctx.session.last_activity_at, now, settings)
    token_due = touch_due(ctx.token_used_at, now, settings)
    if session_due:
        await repository.touch_session(db, ctx.session.session_id, now)
    if token_due:
        await _touch_token(db, ctx, settings, now)
    if not (session_due or token_due):
        return

    def record() -> None:
        # ctx may be the shared cached copy. It learns of the write only once the write is
        # committed, and its timestamps only move forward, so updating it in place is safe.
        if session_due and now > ctx.session.last_activity_at:
            ctx.session = dataclasses.replace(ctx.session, last_activity_at=now)
        if token_due:
            ctx.token_used_at = max(ctx.token_used_at, now)

    on_commit(db, record)
