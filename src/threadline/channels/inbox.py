"""Taking a platform's delivery: store it durably, once, and wake the worker.

This is all a webhook does before it answers 200, so it is one short transaction: the messages
and status reports are inserted with ``ON CONFLICT DO NOTHING`` on their platform ids (a
redelivery, even a concurrent one, inserts nothing) and committed, together with those of the
other webhook calls waiting at the same moment.  Answering them is the
worker's job (:mod:`threadline.channels.worker`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import delete, exists
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

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
    """Store a delivery's messages and statuses; the number of messages not seen before.

    Returns once they are committed.  Deliveries arriving together are committed together
    (:class:`GroupCommit`): one transaction for all the webhook calls waiting at that moment.
    """
    if not inbound and not statuses:
        return 0
    writer: GroupCommit | None = getattr(state, "inbox_writer", None)
    if writer is None:
        writer = state.inbox_writer = GroupCommit(state.sessionmaker)
    worker = getattr(state, "channel_worker", None)
    if worker is not None and inbound:
        worker.ack_arrived()
    new = await writer.write(inbound, statuses)
    _count(inbound, statuses, new)
    if new and worker is not None:
        worker.wake()
    return new


def _count(inbound: Sequence[Inbound], statuses: Sequence[StatusReport], new: int) -> None:
    duplicates = len(inbound) - new
    for item in inbound[:1]:
        channel = item.channel.value
        if new:
            metrics.CHANNEL_INBOUND.labels(channel=channel, outcome="accepted").inc(new)
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


@dataclass(slots=True)
class _Pending:
    inbound: Sequence[Inbound]
    statuses: Sequence[StatusReport]
    done: asyncio.Future[int]


class GroupCommit:
    """Writes the deliveries of concurrent webhook calls in one transaction.

    The first caller to arrive writes; callers arriving while it writes queue up and are
    written together next.  Each call returns once its own rows are committed, so a webhook
    still answers 200 only for what is durable, while 50 concurrent deliveries cost a few
    commits instead of 50 (on SQLite, 50 turns of the one writer connection).
    """

    def __init__(self, maker: async_sessionmaker[AsyncSession]) -> None:
        self._maker = maker
        self._queue: list[_Pending] = []
        self._writing: asyncio.Task[None] | None = None

    async def write(self, inbound: Sequence[Inbound], statuses: Sequence[StatusReport]) -> int:
        pending = _Pending(inbound, statuses, asyncio.get_running_loop().create_future())
        self._queue.append(pending)
        if self._writing is None:
            # Its own task: a caller that goes away (the platform hung up) must not stop
            # the commit the others are waiting for.
            self._writing = asyncio.get_running_loop().create_task(self._drain())
        return await asyncio.shield(pending.done)

    async def _drain(self) -> None:
        batch: list[_Pending] = []
        try:
            # One turn of the event loop first: the other deliveries already received (a
            # platform sends many at once) reach this point and join the first commit.
            await asyncio.sleep(0)
            while self._queue:
                batch, self._queue = self._queue, []
                try:
                    inserted = await self._commit(batch)
                except Exception:
                    # One bad delivery must not fail the others written with it: each alone.
                    for pending in batch:
                        await self._commit_alone(pending)
                    continue
                _settle(batch, inserted)
        except BaseException as exc:  # cancelled (shutdown): nobody may wait for ever
            for pending in [*batch, *self._queue]:
                if not pending.done.done():
                    pending.done.set_exception(exc)
            raise
        finally:
            self._writing = None

    async def _commit_alone(self, pending: _Pending) -> None:
        try:
            inserted = await self._commit([pending])
        except Exception as exc:
            if not pending.done.done():
                pending.done.set_exception(exc)
        else:
            _settle([pending], inserted)

    async def _commit(self, batch: list[_Pending]) -> set[tuple[str, str]]:
        now = clock.now()
        messages = [item for pending in batch for item in pending.inbound]
        statuses = [s for pending in batch for s in pending.statuses]
        inserted: set[tuple[str, str]] = set()
        async with session_scope(self._maker) as db:
            # executemany: one cached statement, which SQLAlchemy sends as multi-row INSERTs
            # (its "insertmanyvalues"), RETURNING the rows that were new.
            if messages:
                table = InboxMessage.__table__
                stmt = insert_ignoring_conflicts(db, table, ["channel", "external_id"]).returning(
                    table.c.channel, table.c.external_id
                )
                rows = [_inbox_row(item, now) for item in messages]
                inserted = {(c, e) for c, e in (await db.execute(stmt, rows)).all()}
            if statuses:
                await db.execute(
                    insert_ignoring_conflicts(
                        db,
                        DeliveryStatus.__table__,
                        ["channel", "platform_message_id", "status"],
                    ),
                    [_status_row(s, now) for s in statuses],
                )
        return inserted


def _settle(batch: list[_Pending], inserted: set[tuple[str, str]]) -> None:
    """Tell each caller how many of its messages were new."""
    for pending in batch:
        new = 0
        for item in pending.inbound:
            key = (item.channel.value, item.external_id)
            if key in inserted:
                inserted.discard(key)  # a duplicate within the batch counts once
                new += 1
        if not pending.done.done():
            pending.done.set_result(new)


def _inbox_row(item: Inbound, now: datetime) -> dict[str, Any]:
    return {
        "channel": item.channel.value,
        "external_id": item.external_id,
        "address": item.address,
        "payload": item.to_dict(),
        "status": PENDING,
        "attempts": 0,
        # Never NULL: SQLite and PostgreSQL sort NULLs at opposite ends.
        "platform_time": item.platform_time or now,
        "sequence": item.sequence,
        "received_at": now,
    }


def _status_row(status: StatusReport, now: datetime) -> dict[str, Any]:
    return {
        "channel": status.channel.value,
        "platform_message_id": status.platform_message_id,
        "status": status.status,
        "recipient": status.recipient,
        "occurred_at": status.occurred_at,
        "error": status.error,
        "received_at": now,
    }


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
