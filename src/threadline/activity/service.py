"""Recording channel activity (in the caller's transaction) and forgetting old activity.

Each record is one ``INSERT`` in the unit of work of what it records, so a rolled-back
checkout or failed turn leaves no trace here either.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, insert
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


async def purge_old(db: AsyncSession, settings: Settings) -> int:
    """Delete activity older than ``DASHBOARD_RETENTION_DAYS``; returns how many rows."""
    cutoff = local_date(clock.now(), settings.dashboard_timezone) - timedelta(
        days=settings.dashboard_retention_days
    )
    result = await db.execute(delete(SessionActivity).where(SessionActivity.day < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
