"""Recording channel activity (in the caller's transaction) and forgetting old activity.

Each record is one ``INSERT`` in the unit of work of what it records, so a rolled-back
checkout or failed turn leaves no trace here either.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import delete, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from threadline.activity.models import KINDS, SessionActivity
from threadline.config import Settings
from threadline.core.clock import clock
from threadline.core.localdays import local_date
from threadline.sessions.state import SessionContext


async def record(db: AsyncSession, settings: Settings, ctx: SessionContext, kind: str) -> None:
    """Note that the session behind ``ctx`` did ``kind`` on the token's channel, now."""
    assert kind in KINDS
    now = clock.now()
    await db.execute(
        insert(SessionActivity).values(
            day=local_date(now, settings.dashboard_timezone),
            at=now,
            session_id=ctx.session.session_id,
            customer_id=ctx.session.customer_id,
            channel=ctx.channel,
            kind=kind,
        )
    )


async def move_session(
    db: AsyncSession, *, source: uuid.UUID, target: uuid.UUID, customer_id: str
) -> int:
    """Make ``source``'s activity ``target``'s, as its customer's (a guest session merged into
    the account's session): the figures then see one session and one customer, whose funnel
    runs from the guest's chat and cart to the account's order.  Returns how many rows."""
    result = await db.execute(
        update(SessionActivity)
        .where(SessionActivity.session_id == source)
        .values(session_id=target, customer_id=customer_id)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def purge_old(db: AsyncSession, settings: Settings) -> int:
    """Delete activity older than ``DASHBOARD_RETENTION_DAYS``; returns how many rows."""
    cutoff = local_date(clock.now(), settings.dashboard_timezone) - timedelta(
        days=settings.dashboard_retention_days
    )
    result = await db.execute(delete(SessionActivity).where(SessionActivity.day < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
