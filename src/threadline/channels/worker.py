"""The channel worker: answers the inbox and delivers the outbox, in order, per chat.

One task per process.  It is woken when a webhook stores messages and otherwise polls (to pick
up what other processes or a crashed one left behind, and retries coming due).

- **Inbox.**  A chat's messages are answered one at a time in the order the customer sent them.
  A message is claimed for a lease (a conditional update, so two processes never answer the
  same one); its answer's outbox rows are written in the transaction that marks it done.  A
  failure is retried with backoff; after ``CHANNEL_SEND_ATTEMPTS`` tries the shopper gets an
  apology instead of silence.
- **Outbox.**  A chat's replies go out in order: a reply waiting for a retry holds back the ones
  after it.  5xx, 429 (its retry-after respected) and network errors are retried with
  exponential backoff; any other 4xx is final (``failed``, logged), and the next reply goes.
  A reply is marked sent after the platform took it, so a crash in between sends it twice
  rather than never.
- **Store outages.**  The loop logs and goes on polling.  A message whose answer the outage
  interrupted is given back, without counting a try, as soon as the store returns; a reply
  the platform took is recorded as sent as soon as the store returns (not sent twice).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
import structlog
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from threadline.channels import conversation
from threadline.channels.base import ChannelAdapter, Inbound, Outgoing, SendError
from threadline.channels.models import DONE, FAILED, PENDING, SENT, InboxMessage, OutboxMessage
from threadline.config import Settings
from threadline.core import metrics
from threadline.core.clock import clock
from threadline.db import commit_now, log_failure, session_scope, store_failure

log = structlog.get_logger()

# A claim on a message lasts CHANNEL_LEASE_SECONDS before another worker may take it over
# (a server that died holding it gives it up only then).  Answering is cut off well inside it
# (at this share of it), and every write that ends a claim checks the claim is still ours, so
# a message is never answered twice.
ANSWER_SHARE_OF_LEASE = 0.75
# How often the worker looks for work it was not woken for.
POLL_SECONDS = 1.0
# How often a write that must not be lost is tried again while the store is away.
STORE_RETRY_SECONDS = 1.0
# Chats answered or delivered at once by one process.
PARALLEL_CHATS = 8
BATCH = 200
# Acknowledging deliveries comes first: the worker starts no agent turn and no send until no
# message has been delivered for ACK_QUIET seconds, waiting at most ACK_PRIORITY_MAX_WAIT, one
# at a time through that gate (under a flood it still makes progress; the backlog is durable
# and drains when the flood ends).  Status-only deliveries don't count.
# How long a stop waits for the records of replies already handed to the platform.
RECORD_WAIT_SECONDS = 5.0
ACK_QUIET = 0.025
ACK_PRIORITY_MAX_WAIT = 1.0
APOLOGY = "Sorry — I couldn't answer that just now. Please send it again in a moment."

ChatKey = tuple[str, str]


def build_adapters(settings: Settings) -> dict[str, ChannelAdapter]:
    """Every channel's adapter, by channel name."""
    from threadline.channels.telegram.adapter import TelegramAdapter
    from threadline.channels.whatsapp.adapter import WhatsAppAdapter

    adapters: list[ChannelAdapter] = [TelegramAdapter(settings), WhatsAppAdapter(settings)]
    return {a.channel.value: a for a in adapters}


class ChannelWorker:
    def __init__(self, state: Any, adapters: dict[str, ChannelAdapter]) -> None:
        self.state = state
        self.settings: Settings = state.settings
        self.adapters = adapters
        self.lease = timedelta(seconds=self.settings.channel_lease_seconds)
        self.answer_timeout = self.settings.channel_lease_seconds * ANSWER_SHARE_OF_LEASE
        self._wake = asyncio.Event()
        self._answering: dict[ChatKey, asyncio.Task[None]] = {}
        self._sending: dict[ChatKey, asyncio.Task[None]] = {}
        # Separate limits: replies keep going out while every answering slot is busy.
        self._answer_slots = asyncio.Semaphore(PARALLEL_CHATS)
        self._send_slots = asyncio.Semaphore(PARALLEL_CHATS)
        self._last_ack = 0.0
        self._ack_gate = asyncio.Lock()
        self._one_turn = asyncio.Lock()
        self._stopping = False
        self._stop_asked_at: float | None = None
        # Writes recording what a send did, which a stop lets finish (see _send).
        self._recording: set[asyncio.Task[None]] = set()

    @property
    def _write(self) -> async_sessionmaker[AsyncSession]:
        maker: async_sessionmaker[AsyncSession] = self.state.sessionmaker
        return maker

    @property
    def _read(self) -> async_sessionmaker[AsyncSession]:
        maker: async_sessionmaker[AsyncSession] = self.state.read_sessionmaker
        return maker

    @property
    def _http(self) -> httpx.AsyncClient:
        client: httpx.AsyncClient = self.state.http
        return client

    def wake(self) -> None:
        self._wake.set()

    def ack_arrived(self) -> None:
        """A webhook is storing a delivery: hold new agent turns back for a moment."""
        self._last_ack = asyncio.get_running_loop().time()

    async def _yield_to_acks(self) -> None:
        """Wait (at most ACK_PRIORITY_MAX_WAIT) for a moment without deliveries."""
        loop = asyncio.get_running_loop()
        async with self._ack_gate:
            deadline = loop.time() + ACK_PRIORITY_MAX_WAIT
            while loop.time() - self._last_ack < ACK_QUIET and loop.time() < deadline:
                await asyncio.sleep(ACK_QUIET)

    async def _take_turn_slot(self) -> None:
        """One message answered at a time in this process, each started in a quiet moment: a
        burst of deliveries then waits for one answer at most, never for a queue of them."""
        await self._one_turn.acquire()
        try:
            await self._yield_to_acks()
        except BaseException:
            self._one_turn.release()
            raise

    @contextlib.asynccontextmanager
    async def _turn_slot_released(self) -> AsyncIterator[None]:
        """While a message waits for its session's earlier turns, the others may be answered."""
        self._one_turn.release()
        try:
            yield
        finally:
            await self._take_turn_slot()

    async def run(self) -> None:
        """The background loop, until :meth:`stop` (or cancelled when the app stops)."""
        try:
            while not self._stopping:
                self._wake.clear()
                try:
                    await self.run_once()
                except Exception as exc:
                    log_failure(log, "channel.worker.error", exc)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), POLL_SECONDS)
        finally:
            # Cancelled without stop() (which waits for the chats' tasks itself): take them
            # down too.
            if not self._stopping:
                await self._cancel_running()

    async def _cancel_running(self) -> int:
        tasks = [*self._answering.values(), *self._sending.values()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return len(tasks)

    async def run_once(self) -> None:
        """Start a task for every chat with messages to answer or replies due."""
        # One row per chat (a chat with a thousand messages waiting takes one place, not the
        # whole batch), oldest chats first.
        now = clock.now()
        async with session_scope(self._read) as db:
            first = func.min(InboxMessage.id)
            inbox = await db.execute(
                select(InboxMessage.channel, InboxMessage.address, first)
                .where(InboxMessage.status == PENDING)
                .group_by(InboxMessage.channel, InboxMessage.address)
                .order_by(first)
                .limit(BATCH)
            )
            answer_chats = [(c, a) for c, a, _ in inbox.all()]
            first = func.min(OutboxMessage.id)
            outbox = await db.execute(
                select(OutboxMessage.channel, OutboxMessage.address, first)
                .where(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now)
                .group_by(OutboxMessage.channel, OutboxMessage.address)
                .order_by(first)
                .limit(BATCH)
            )
            send_chats = [(c, a) for c, a, _ in outbox.all()]
        for key in answer_chats:
            self._start(self._answering, key, self._answer_chat, self._answer_slots)
        for key in send_chats:
            self._start(self._sending, key, self._send_chat, self._send_slots)

    def stop_taking_work(self) -> None:
        """Start no more messages from now on (the process has been told to stop); those being
        answered or sent carry on.  The grace period of :meth:`stop` counts from here."""
        if self._stop_asked_at is None:
            self._stop_asked_at = asyncio.get_running_loop().time()
        self._stopping = True
        self._wake.set()

    async def stop(self, grace: float) -> None:
        """Take no more work, and give the messages being answered and the replies being sent
        what is left of ``grace`` seconds, counted from :meth:`stop_taking_work` (when the
        process got its stop signal) or from now.  What is still running then is cancelled:
        its turn is rolled back and its message released at once for the next worker (a
        process killed outright leaves a lease that lapses instead)."""
        self.stop_taking_work()
        assert self._stop_asked_at is not None
        left = self._stop_asked_at + grace - asyncio.get_running_loop().time()
        running = [*self._answering.values(), *self._sending.values()]
        if running:
            if left > 0:
                await asyncio.wait(running, timeout=left)
            late = await self._cancel_running()
            log.info("channel.worker.stopped", finished=len(running) - late, cancelled=late)
        if self._recording:  # a reply sent just before its send was cancelled: record it
            await asyncio.wait(set(self._recording), timeout=RECORD_WAIT_SECONDS)

    def _start(
        self,
        tasks: dict[ChatKey, asyncio.Task[None]],
        key: ChatKey,
        job: Callable[[ChatKey], Awaitable[None]],
        slots: asyncio.Semaphore,
    ) -> None:
        if key in tasks or self._stopping:
            return

        async def guarded() -> None:
            try:
                async with slots:
                    await job(key)
            except Exception as exc:
                log_failure(log, "channel.chat.error", exc, channel=key[0])
            finally:
                tasks.pop(key, None)

        tasks[key] = asyncio.create_task(guarded())

    async def drain(self, timeout: float = 60.0) -> None:
        """Until nothing is pending or running (tests); TimeoutError after ``timeout`` s."""
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            await self.run_once()
            running = [*self._answering.values(), *self._sending.values()]
            if running:
                await asyncio.gather(*running, return_exceptions=True)
                continue
            if not await self._anything_due():
                return
            await asyncio.sleep(0.05)
        raise TimeoutError(f"channel work still pending after {timeout} s")

    async def _anything_due(self) -> bool:
        """Anything not yet answered or sent, including replies waiting for a retry."""
        async with session_scope(self._read) as db:
            inbox = await db.scalar(
                select(InboxMessage.id).where(InboxMessage.status == PENDING).limit(1)
            )
            outbox = await db.scalar(
                select(OutboxMessage.id).where(OutboxMessage.status == PENDING).limit(1)
            )
        return inbox is not None or outbox is not None

    # --- the inbox ----------------------------------------------------------------------------

    async def _answer_chat(self, key: ChatKey) -> None:
        while not self._stopping:
            await self._take_turn_slot()
            try:
                row = None if self._stopping else await self._claim_next_inbound(key)
                if row is None:
                    return
                await self._answer(row)
            finally:
                self._one_turn.release()

    async def _claim_next_inbound(self, key: ChatKey) -> InboxMessage | None:
        """The chat's oldest unanswered message, claimed; None if there is none or it is
        somebody else's (a later message must not overtake it) or not due yet."""
        now = clock.now()
        # Found on a reader (on SQLite the one writer connection stays free for the webhooks),
        # claimed with a conditional update: a stale read can only make the claim fail.
        async with session_scope(self._read) as db:
            row = await db.scalar(
                select(InboxMessage)
                .where(
                    InboxMessage.channel == key[0],
                    InboxMessage.address == key[1],
                    InboxMessage.status == PENDING,
                )
                .order_by(
                    InboxMessage.platform_time,
                    func.coalesce(InboxMessage.sequence, 0),
                    InboxMessage.id,
                )
                .limit(1)
            )
            if row is None or (row.claimed_until is not None and row.claimed_until > now):
                return None
            db.expunge(row)
        return row if await self._claim(InboxMessage, row, now) else None

    async def _claim(self, model: Any, row: Any, now: datetime) -> bool:
        """Take ``row`` for a lease unless somebody took it since it was read."""
        async with session_scope(self._write) as db:
            claimed = await db.execute(
                update(model)
                .where(*_still_ours(model, row))
                .values(claimed_until=now + self.lease, attempts=row.attempts + 1)
            )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return False
        row.claimed_until, row.attempts = now + self.lease, row.attempts + 1
        return True

    async def _answer(self, row: InboxMessage) -> None:
        services = conversation.Services(self.state, self._turn_slot_released)
        async with self._write() as db:
            try:
                inbound = Inbound.from_dict(row.payload)
                adapter = self.adapters[row.channel]
                async with asyncio.timeout(self.answer_timeout):
                    reply = await conversation.answer(services, db, inbound)
                requests = adapter.render(inbound, reply)
                await self._finish_inbound(db, row, requests, DONE)
                await commit_now(db)
                metrics.CHANNEL_QUEUED.labels(channel=row.channel).inc(len(requests))
            except LostClaim:
                await conversation.abandon_turn(services, db)
                log.warning("channel.answer.claim_lost", channel=row.channel, inbox_id=row.id)
                return
            except Exception as exc:
                if store_failure(exc) is not None:
                    # The store went away: no attempt is counted, and the message is given
                    # back as soon as it returns (not when the lease runs out).
                    log.warning("channel.answer.store_unavailable", channel=row.channel)
                    await self._until_stored(lambda: self._release(db, services, row))
                    return
                await conversation.abandon_turn(services, db)
                await self._inbound_failed(db, row, exc)
                return
            except BaseException:
                # Cancelled (the server is stopping): undo the turn and free the message for
                # the next worker now rather than when the lease runs out.
                await asyncio.shield(self._release(db, services, row))
                raise
        metrics.CHANNEL_ANSWERED.labels(channel=row.channel, outcome="answered").inc()
        self._start(self._sending, (row.channel, row.address), self._send_chat, self._send_slots)

    async def _release(
        self, db: AsyncSession, services: conversation.Services, row: InboxMessage
    ) -> None:
        await conversation.abandon_turn(services, db)
        await db.execute(
            update(InboxMessage)
            # Our claim exactly: after giving back one attempt, ``attempts`` alone could match
            # a newer claim if this write is retried (its confirmation lost).
            .where(*_still_ours(InboxMessage, row), InboxMessage.claimed_until == row.claimed_until)
            .values(claimed_until=None, attempts=row.attempts - 1)
        )
        await commit_now(db)

    async def _finish_inbound(
        self,
        db: AsyncSession,
        row: InboxMessage,
        requests: list[dict[str, Any]],
        status: str,
        error: str | None = None,
    ) -> None:
        """Queue the replies and end the message, in the caller's transaction; LostClaim if
        another worker has taken the message over (the caller rolls everything back)."""
        now = clock.now()
        ended = await db.execute(
            update(InboxMessage)
            .where(*_still_ours(InboxMessage, row))
            .values(status=status, processed_at=now, claimed_until=None, last_error=error)
        )
        if ended.rowcount != 1:  # type: ignore[attr-defined]
            raise LostClaim()
        for request in requests:
            db.add(
                OutboxMessage(
                    channel=row.channel,
                    address=row.address,
                    inbox_id=row.id,
                    request=request,
                    status=PENDING,
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )

    async def _inbound_failed(self, db: AsyncSession, row: InboxMessage, exc: Exception) -> None:
        error = f"{type(exc).__name__}: {exc}"[:500]
        log.error(
            "channel.answer.failed",
            channel=row.channel,
            message=row.external_id,
            attempt=row.attempts,
            error=error,
            exc_info=exc,
        )
        adapter = self.adapters.get(row.channel)
        if row.attempts >= self.settings.channel_answer_attempts or adapter is None:
            requests: list[dict[str, Any]] = []
            if adapter is not None:
                with contextlib.suppress(Exception):
                    requests = adapter.render(Inbound.from_dict(row.payload), Outgoing(APOLOGY))
            try:
                await self._finish_inbound(db, row, requests, FAILED, error)
            except LostClaim:
                requests = []
            metrics.CHANNEL_ANSWERED.labels(channel=row.channel, outcome="gave_up").inc()
        else:
            # Released for a retry once the backoff has passed (the lease is the delay).
            retry_at = clock.now() + self._backoff(row.attempts, None)
            await db.execute(
                update(InboxMessage)
                .where(*_still_ours(InboxMessage, row))
                .values(claimed_until=retry_at, last_error=error)
            )
            requests = []
        await commit_now(db)
        metrics.CHANNEL_QUEUED.labels(channel=row.channel).inc(len(requests))

    # --- the outbox ---------------------------------------------------------------------------

    async def _send_chat(self, key: ChatKey) -> None:
        while not self._stopping:
            # Claimed in turn with the answers, in a quiet moment; sent concurrently.
            await self._take_turn_slot()
            try:
                row = None if self._stopping else await self._claim_next_outbound(key)
            finally:
                self._one_turn.release()
            if row is None:
                return
            if not await self._send(row):
                return  # waiting for a retry: the chat's later replies wait too

    async def _claim_next_outbound(self, key: ChatKey) -> OutboxMessage | None:
        now = clock.now()
        async with session_scope(self._read) as db:
            row = await db.scalar(
                select(OutboxMessage)
                .where(
                    OutboxMessage.channel == key[0],
                    OutboxMessage.address == key[1],
                    OutboxMessage.status == PENDING,
                )
                .order_by(OutboxMessage.id)
                .limit(1)
            )
            if row is None or row.next_attempt_at > now:
                return None
            if row.claimed_until is not None and row.claimed_until > now:
                return None
            db.expunge(row)
        return row if await self._claim(OutboxMessage, row, now) else None

    async def _send(self, row: OutboxMessage) -> bool:
        """Deliver one reply; False when it is to be tried again later."""
        adapter = self.adapters.get(row.channel)
        values: dict[str, Any]
        done = True
        if adapter is None or not adapter.configured():
            # Nothing to send with: trying again would not help until an operator sets it up.
            error = SendError(
                f"{row.channel} is not configured for sending",
                retryable=False,
                reason="not_configured",
            )
            values, done = self._retry_values(row, error)
        else:
            try:
                message_id = await adapter.deliver(self._http, row.request)
            except SendError as refused:
                values, done = self._retry_values(row, refused)
            except Exception as exc:  # an adapter bug or an odd library error: try again later
                log.exception("channel.send.error", channel=row.channel, outbox_id=row.id)
                odd = SendError(f"{type(exc).__name__}: {exc}", retryable=True)
                values, done = self._retry_values(row, odd)
            else:
                values = {
                    "status": SENT,
                    "sent_at": clock.now(),
                    "platform_message_id": message_id,
                    "claimed_until": None,
                    "last_error": None,
                }
                metrics.CHANNEL_SENDS.labels(channel=row.channel, result="sent").inc()

        async def record() -> None:
            async with session_scope(self._write) as db:
                await db.execute(
                    update(OutboxMessage).where(*_still_ours(OutboxMessage, row)).values(values)
                )

        # A reply the platform took must be recorded as sent, or it goes out again when the
        # lease lapses: through a store outage, keep trying; and through a stop that cancels
        # this send now, too (stop() waits a moment for these writes).
        recording = asyncio.ensure_future(self._until_stored(record))
        self._recording.add(recording)
        recording.add_done_callback(self._recording.discard)
        await asyncio.shield(recording)
        return done

    async def _until_stored(self, write: Callable[[], Awaitable[None]]) -> None:
        """Run ``write`` (a unit of work), again every STORE_RETRY_SECONDS while the store is
        away, for as long as a lease lasts (by then another worker may take the row over:
        every write here checks the claim is still ours)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.lease.total_seconds()
        while True:
            try:
                await write()
                return
            except Exception as exc:
                if store_failure(exc) is None or loop.time() > deadline:
                    raise
            await asyncio.sleep(STORE_RETRY_SECONDS)

    def _retry_values(self, row: OutboxMessage, error: SendError) -> tuple[dict[str, Any], bool]:
        message = str(error)[:500]
        metrics.CHANNEL_SEND_ERRORS.labels(channel=row.channel, reason=error.reason).inc()
        if not error.retryable or row.attempts >= self.settings.channel_send_attempts:
            metrics.CHANNEL_SENDS.labels(channel=row.channel, result="failed").inc()
            log.error(
                "channel.send.failed",
                channel=row.channel,
                outbox_id=row.id,
                attempts=row.attempts,
                retryable=error.retryable,
                error=message,
            )
            return {"status": FAILED, "claimed_until": None, "last_error": message}, True
        delay = self._backoff(row.attempts, error.retry_after)
        metrics.CHANNEL_SENDS.labels(channel=row.channel, result="retry").inc()
        log.warning(
            "channel.send.retry",
            channel=row.channel,
            outbox_id=row.id,
            attempts=row.attempts,
            in_seconds=round(delay.total_seconds(), 2),
            error=message,
        )
        retry_at: datetime = clock.now() + delay
        return {"next_attempt_at": retry_at, "claimed_until": None, "last_error": message}, False

    def _backoff(self, attempts: int, retry_after: float | None) -> timedelta:
        """Doubling from the base, at most 5 minutes; a platform's retry-after (up to an hour)
        wins when it asks for longer."""
        base = min(self.settings.channel_retry_base_seconds * 2 ** max(attempts - 1, 0), 300.0)
        return timedelta(seconds=max(base, min(retry_after or 0.0, 3600.0)))


class LostClaim(Exception):
    """Another worker took the message over (our lease ran out): our answer must not stand."""


def _still_ours(model: type[InboxMessage] | type[OutboxMessage], row: Any) -> list[Any]:
    """The conditions under which ``row`` is still claimed by us: pending, and not claimed
    again since (every claim increments ``attempts``)."""
    return [model.id == row.id, model.status == PENDING, model.attempts == row.attempts]
