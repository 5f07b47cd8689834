"""Taking a platform's delivery: store it durably, once, and wake the worker.

This is all a webhook does before it answers 200, so it is one short transaction: the messages
and status reports are inserted with ``ON CONFLICT DO NOTHING`` on their platform ids (a
redelivery, even a concurrent one, inserts nothing) and committed.  Answering them is the
worker's job (:mod:`threadline.channels.worker`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import delete, exists
from sqlalchemy.ext.asyncio import AsyncSession

from threadline.channels.base import Inbound, StatusReport
from threadline.channels.models import (
    DONE,
    FAILED,
    PENDING,
    SENT,
    DeliveryStatus,
    InboxMessage,
    OutboxMessage,
)
from threadline.config import Settings
from threadline.core import metrics
from threadline.core.clock import clock
from threadline.db import insert_ignoring_conflicts, session_scope

log = structlog.get_logger()


async def accept(
    state: Any, inbound: Sequence[Inbound], statuses: Sequence[StatusReport] = ()
) -> int:
    """Store a delivery's messages and statuses; the number of messages not seen before."""
    if not inbound and not statuses:
        return 0
    now = clock.now()
    new_ids: list[int] = []
    async with session_scope(state.sessionmaker) as db:
        if inbound:
            rows = [
                {
                    "channel": item.channel.value,
                    "external_id": item.external_id,
                    "address": item.address,
                    "payload": item.to_dict(),
                    "status": PENDING,
                    "attempts": 0,
                    "platform_time": item.platform_time,
                    "received_at": now,
                }
                for item in inbound
            ]
            stmt = (
                insert_ignoring_conflicts(db, InboxMessage.__table__, ["channel", "external_id"])
                .values(rows)
                .returning(InboxMessage.__table__.c.id)
            )
            new_ids = list((await db.execute(stmt)).scalars())
        if statuses:
            await db.execute(
                insert_ignoring_conflicts(
                    db,
                    DeliveryStatus.__table__,
                    ["channel", "platform_message_id", "status"],
                ).values(
                    [
                        {
                            "channel": s.channel.value,
                            "platform_message_id": s.platform_message_id,
                            "status": s.status,
                            "recipient": s.recipient,
                            "occurred_at": s.occurred_at,
                            "error": s.error,
                            "received_at": now,
                        }
                        for s in statuses
                    ]
                )
            )
    duplicates = len(inbound) - len(new_ids)
    for item in inbound[:1]:
        channel = item.channel.value
        if new_ids:
            metrics.CHANNEL_INBOUND.labels(channel=channel, outcome="accepted").inc(len(new_ids))
        if duplicates:
            metrics.CHANNEL_INBOUND.labels(channel=channel, outcome="duplicate").inc(duplicates)
            log.info("channel.inbound.duplicate", channel=channel, count=duplicates)
    for status in statuses:
        if status.status == "failed":
            log.warning(
                "channel.delivery.failed",
                channel=status.channel.value,
                message_id=status.platform_message_id,
                error=status.error,
            )
    if new_ids:
        worker = getattr(state, "channel_worker", None)
        if worker is not None:
            worker.wake()
    return len(new_ids)


async def purge_processed(db: AsyncSession, settings: Settings) -> int:
    """Forget answered messages, sent replies and status reports older than the retention.

    Unanswered messages and unsent replies are kept whatever their age.  A platform redelivers
    within hours, so dedupe needs far less than the retention (``CHANNEL_RETENTION_DAYS``).
    """
    cutoff = clock.now() - timedelta(days=settings.channel_retention_days)
    finished = (DONE, FAILED, SENT)
    removed = 0
    for stmt in (
        delete(OutboxMessage).where(
            OutboxMessage.status.in_(finished), OutboxMessage.created_at < cutoff
        ),
        delete(InboxMessage).where(
            InboxMessage.status.in_(finished),
            InboxMessage.received_at < cutoff,
            ~exists().where(
                OutboxMessage.inbox_id == InboxMessage.id, OutboxMessage.status == PENDING
            ),
        ),
        delete(DeliveryStatus).where(DeliveryStatus.received_at < cutoff),
    ):
        result = await db.execute(stmt)
        removed += int(result.rowcount or 0)  # type: ignore[attr-defined]
    if removed:
        log.info("channel.purged", rows=removed)
    return removed
