"""Attempt counters that slow down guessing, shared by every process through the store.

A key (``login:phone:+91…``, ``login:ip:…``, ``otp:verify:+91…`` …) counts attempts in a
window.  An attempt is counted *before* the password or code is checked, by one
``INSERT … ON CONFLICT DO UPDATE … WHERE not blocked … RETURNING`` that locks the row until
commit, so concurrent guesses cannot slip past the limit together.  From the ``limit``-th attempt on, the
key is blocked for ``base`` seconds, doubling with each further attempt (at most ``cap``); a
blocked key answers 429 with ``Retry-After`` and nothing is checked.  When the check then
succeeds, :func:`succeeded` clears the phone's key and takes the attempt back from the others,
so only failures accumulate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy import case, delete, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from threadline.auth.errors import TooManyAttempts
from threadline.auth.models import AuthThrottle
from threadline.core.clock import clock
from threadline.db import UTCDateTime, dialect_insert, session_scope

log = structlog.get_logger()


@dataclass(frozen=True, slots=True)
class Rule:
    key: str
    limit: int
    window: timedelta = timedelta(minutes=15)
    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(minutes=15)
    # Once a key has been blocked, its streak is forgotten only after this long without a
    # block: waiting out each block must not start the backoff again from the bottom.
    quiet: timedelta = timedelta(hours=24)

    def block_for(self, attempts: int) -> timedelta | None:
        if attempts < self.limit:
            return None
        return min(self.base * 2 ** (attempts - self.limit), self.cap)


async def attempt(maker: async_sessionmaker[AsyncSession], rules: list[Rule]) -> None:
    """Count one attempt against every rule, or raise 429 if any of them is blocked.

    Runs in a transaction of its own, committed before the caller checks anything, so the count
    stands whatever the caller's own transaction does; a refused attempt rolls back and counts
    for nothing.  The caller must not hold a write connection (on SQLite there is only one).
    """
    async with session_scope(maker) as db:
        now = clock.now()
        for rule in rules:
            attempts = await _count(db, rule, now)
            if attempts is None:
                until = await db.scalar(
                    select(AuthThrottle.blocked_until).where(AuthThrottle.key == rule.key)
                )
                raise TooManyAttempts(((until or now) - now).total_seconds())
            block = rule.block_for(attempts)
            if block:
                await db.execute(
                    update(AuthThrottle)
                    .where(AuthThrottle.key == rule.key)
                    .values(blocked_until=now + block)
                )
                log.warning("auth.throttled", key_kind=rule.key.split(":")[0], attempts=attempts)


async def _count(db: AsyncSession, rule: Rule, now: datetime) -> int | None:
    """One statement: add an attempt unless the key is blocked; the new count, or None.

    The upsert locks the row until commit, so a concurrent attempt waits and then sees both the
    count and any block this transaction sets.
    """
    table = AuthThrottle.__table__
    at = literal(now, UTCDateTime())
    # Sparse old attempts expire with the window; a streak that led to blocks needs a quiet day.
    stale = (table.c.first_failure_at < literal(now - rule.window, UTCDateTime())) & (
        table.c.blocked_until.is_(None)
        | (table.c.blocked_until < literal(now - rule.quiet, UTCDateTime()))
    )
    stmt = (
        dialect_insert(db, AuthThrottle)
        .values(key=rule.key, failures=1, first_failure_at=now, blocked_until=None)
        .on_conflict_do_update(
            index_elements=["key"],
            set_={
                "failures": case((stale, 1), else_=table.c.failures + 1),
                "first_failure_at": case((stale, at), else_=table.c.first_failure_at),
                # Cleared here, set again below when this attempt reaches the limit; a block
                # that has ended still marks the streak until then (see ``stale``).
                "blocked_until": case((stale, None), else_=table.c.blocked_until),
            },
            where=(table.c.blocked_until.is_(None)) | (table.c.blocked_until <= at),
        )
        .returning(table.c.failures)
    )
    result = (await db.execute(stmt)).scalar_one_or_none()
    return None if result is None else int(result)


async def succeeded(db: AsyncSession, rules: list[Rule]) -> None:
    """The check passed: forget the first rule's key (the phone) and un-count the others."""
    await db.execute(delete(AuthThrottle).where(AuthThrottle.key == rules[0].key))
    others = [rule.key for rule in rules[1:]]
    if others:
        await db.execute(
            update(AuthThrottle)
            .where(AuthThrottle.key.in_(others), AuthThrottle.failures > 0)
            .values(failures=AuthThrottle.failures - 1)
        )
