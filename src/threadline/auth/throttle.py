"""Failure counters that slow down guessing, shared by every process through the store.

A key (``login:phone:+91…``, ``login:ip:…``, ``otp:phone:…``) counts failures in a window.
From ``limit`` failures on, the key is blocked for a time that doubles with each further
failure (``base`` seconds, at most ``cap``); while blocked, attempts are refused with 429 and
``Retry-After`` before any password is checked.  A success clears the phone's key.

Counting is one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` per key, so concurrent failures
in several processes are all counted.  Failures are recorded in their own short transaction
(:func:`record_failures` takes the sessionmaker) because the request's own transaction is
rolled back when it answers 401.
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

    def block_for(self, failures: int) -> timedelta | None:
        if failures < self.limit:
            return None
        return min(self.base * 2 ** (failures - self.limit), self.cap)


async def check(db: AsyncSession, rules: list[Rule]) -> set[str]:
    """Raise 429 if any key is blocked now; else the keys that have failures counted."""
    now = clock.now()
    stmt = select(AuthThrottle.key, AuthThrottle.blocked_until).where(
        AuthThrottle.key.in_([r.key for r in rules])
    )
    rows = (await db.execute(stmt)).all()
    blocked = [until for _, until in rows if until is not None and until > now]
    if blocked:
        raise TooManyAttempts((max(blocked) - now).total_seconds())
    return {key for key, _ in rows}


async def record_failures(maker: async_sessionmaker[AsyncSession], rules: list[Rule]) -> None:
    """Count a failure for each rule in a transaction of its own (the caller's will fail).

    The caller must not hold a connection of its own at that moment (on SQLite there is one).
    """
    async with session_scope(maker) as db:
        await record(db, rules)


async def record(db: AsyncSession, rules: list[Rule]) -> None:
    """Count an attempt for each rule inside ``db``'s transaction; block keys over their limit."""
    now = clock.now()
    for rule in rules:
        failures = await _count(db, rule, now)
        block = rule.block_for(failures)
        if block is not None:
            await db.execute(
                update(AuthThrottle)
                .where(AuthThrottle.key == rule.key)
                .values(blocked_until=now + block)
            )
            log.warning("auth.throttled", key_kind=rule.key.split(":")[0], failures=failures)


async def _count(db: AsyncSession, rule: Rule, now: datetime) -> int:
    insert = dialect_insert(db, AuthThrottle).values(
        key=rule.key, failures=1, first_failure_at=now, blocked_until=None
    )
    table = AuthThrottle.__table__
    stale = table.c.first_failure_at < now - rule.window
    # An old streak (older than the window and not blocked any more) starts again from 1.
    restart = stale & ((table.c.blocked_until.is_(None)) | (table.c.blocked_until < now))
    stmt = insert.on_conflict_do_update(
        index_elements=["key"],
        set_={
            "failures": case((restart, 1), else_=table.c.failures + 1),
            "first_failure_at": case(
                (restart, literal(now, UTCDateTime())), else_=table.c.first_failure_at
            ),
        },
    ).returning(table.c.failures)
    return int((await db.execute(stmt)).scalar_one())


async def reset(db: AsyncSession, key: str) -> None:
    await db.execute(delete(AuthThrottle).where(AuthThrottle.key == key))
