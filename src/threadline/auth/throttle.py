"""Attempt counters that slow down guessing, shared by every process through the store.

A key (``login:phone:+91…``, ``login:ip:…``, ``otp:verify:+91…`` …) counts attempts in a
window.  An attempt is counted *before* the password or code is checked, in one locked
read-modify-write (``SELECT … FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite), so
concurrent guesses cannot slip past the limit together.  From the ``limit``-th attempt on, the
key is blocked for ``base`` seconds, doubling with each further attempt (at most ``cap``); a
blocked key answers 429 with ``Retry-After`` and nothing is checked.  When the check then
succeeds, :func:`succeeded` clears the phone's key and takes the attempt back from the others,
so only failures accumulate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import structlog
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from threadline.auth.errors import TooManyAttempts
from threadline.auth.models import AuthThrottle
from threadline.core.clock import clock
from threadline.db import insert_ignoring_conflicts, session_scope

log = structlog.get_logger()


@dataclass(frozen=True, slots=True)
class Rule:
    key: str
    limit: int
    window: timedelta = timedelta(minutes=15)
    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(minutes=15)

    def block_for(self, attempts: int) -> timedelta | None:
        if attempts < self.limit:
            return None
        return min(self.base * 2 ** (attempts - self.limit), self.cap)


async def attempt(maker: async_sessionmaker[AsyncSession], rules: list[Rule]) -> None:
    """Count one attempt against every rule, or raise 429 if any of them is blocked.

    Runs in a transaction of its own, committed before the caller checks anything, so the count
    stands whatever the caller's own transaction does.  The caller must not hold a write
    connection at that moment (on SQLite there is only one).
    """
    async with session_scope(maker) as db:
        now = clock.now()
        rows = [await _locked(db, rule.key) for rule in rules]
        blocked = [r.blocked_until for r in rows if r.blocked_until and r.blocked_until > now]
        if blocked:
            # Refused before anything is checked, so it does not count as an attempt either.
            raise TooManyAttempts((max(blocked) - now).total_seconds())
        for rule, row in zip(rules, rows, strict=True):
            if row.first_failure_at < now - rule.window:
                row.failures, row.first_failure_at = 0, now  # an old streak starts again
            row.failures += 1
            block = rule.block_for(row.failures)
            row.blocked_until = now + block if block else None
            if block:
                log.warning(
                    "auth.throttled", key_kind=rule.key.split(":")[0], attempts=row.failures
                )


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


async def _locked(db: AsyncSession, key: str) -> AuthThrottle:
    now = clock.now()
    await db.execute(
        insert_ignoring_conflicts(db, AuthThrottle, ["key"]).values(
            key=key, failures=0, first_failure_at=now, blocked_until=None
        )
    )
    stmt = (
        select(AuthThrottle)
        .where(AuthThrottle.key == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await db.execute(stmt)).scalar_one()
