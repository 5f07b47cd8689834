"""One turn at a time per session, in arrival order, across every server process.

Each message takes a ticket when it arrives: a ``chat_turns`` row with the next ``seq`` of its
session, committed at once (two processes racing for one number meet the primary key, and the
loser takes the next).  A turn runs when the turn before it has finished; since every turn waits
for its predecessor, that orders the whole queue.  It waits without holding a connection or a
lock (on SQLite the one writer connection stays free for the turn it waits for), polling the
predecessor's row (one primary-key read) and woken early by turns finishing in this process.

A turn whose server died never finishes: once the turns behind it have seen it at the head of
the queue for ``CHAT_TURN_TIMEOUT_SECONDS``, one of them marks it abandoned and goes on.  A turn finishes with a conditional update of its
own row in the transaction that applies its effects, so a turn that was given up on cannot
land late and out of order: its effects are rolled back instead.

Different sessions never wait for each other.  This is the ticket lock of Rasa's lock store,
kept in the application's own database rather than in Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy import Select, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from threadline.agent.models import ABANDONED, DONE, FAILED, WAITING, ChatTurn
from threadline.core.clock import clock
from threadline.core.errors import AppError
from threadline.db import session_scope

log = structlog.get_logger()

POLL_SECONDS = 0.02
TICKET_ATTEMPTS = 20


def _waiting(session_id: uuid.UUID, before: int | None) -> Select[int, datetime]:
    """Unfinished turns of a session (before ``before``), earliest first; a partial index
    holds exactly these rows, so the query stays small however long the conversation."""
    query = select(ChatTurn.seq, ChatTurn.created_at).where(
        ChatTurn.session_id == session_id, ChatTurn.status == WAITING
    )
    if before is not None:
        query = query.where(ChatTurn.seq < before)
    return query.order_by(ChatTurn.seq)


class TurnTimeout(AppError):
    status = 503
    code = "chat_busy"
    message = "Earlier messages of this conversation are still being answered; try again shortly."


class TurnSuperseded(AppError):
    status = 503
    code = "chat_turn_abandoned"
    message = "This message took too long and was skipped; please send it again."


@dataclass(frozen=True, slots=True)
class Ticket:
    session_id: uuid.UUID
    seq: int
    created_at: datetime
    # True when every earlier turn had already finished when this one was queued.
    clear: bool = False


class TurnQueue:
    """Tickets and waiting; one per app (it holds the in-process wake-up events)."""

    def __init__(
        self,
        write: async_sessionmaker[AsyncSession],
        read: async_sessionmaker[AsyncSession],
        *,
        timeout: float,
    ) -> None:
        self._write = write
        self._read = read
        self.timeout = timeout
        self._finished: dict[uuid.UUID, asyncio.Event] = {}

    async def take_ticket(self, session_id: uuid.UUID, channel: str, message: str) -> Ticket:
        """Queue a message: its row is committed before the turn starts."""
        for _ in range(TICKET_ATTEMPTS):
            try:
                async with session_scope(self._write) as db:
                    last = await db.scalar(
                        select(ChatTurn.seq)
                        .where(ChatTurn.session_id == session_id)
                        .order_by(ChatTurn.seq.desc())
                        .limit(1)
                    )
                    queued = await db.scalar(_waiting(session_id, None).limit(1))
                    now = clock.now()
                    turn = ChatTurn(
                        session_id=session_id,
                        seq=(last or 0) + 1,
                        status=WAITING,
                        channel=channel,
                        message=message,
                        created_at=now,
                    )
                    db.add(turn)
                # Nothing queued ahead: no need to look again before starting.
                return Ticket(session_id, turn.seq, now, clear=queued is None)
            except IntegrityError:
                continue  # another message of this session took the number: take the next
        raise TurnTimeout()

    async def wait_for_turn(self, ticket: Ticket) -> None:
        """Return once no earlier turn of the session is still to finish.

        The earliest unfinished turn ahead (the head) is the one running, or about to.  It is
        given up on only once this waiter has seen it at the head for ``timeout`` seconds
        (by its own monotonic clock): the head had the floor at least that long, so a live
        backlog is never mistaken for a dead turn, whatever the clocks of other processes.
        """
        if ticket.clear:
            return
        loop = asyncio.get_running_loop()
        current, seen_at = -1, loop.time()
        while True:
            async with session_scope(self._read) as db:
                head = (await db.execute(_waiting(ticket.session_id, ticket.seq).limit(1))).first()
            if head is None:
                return
            if head.seq != current:  # the queue moved on: start timing the new head
                current, seen_at = head.seq, loop.time()
            elif loop.time() - seen_at >= self.timeout:
                await self._abandon(ticket.session_id, head.seq)
                continue
            event = self._finished.setdefault(ticket.session_id, asyncio.Event())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), POLL_SECONDS)

    async def _abandon(self, session_id: uuid.UUID, seq: int) -> None:
        async with session_scope(self._write) as db:
            result = await db.execute(
                update(ChatTurn)
                .where(
                    ChatTurn.session_id == session_id,
                    ChatTurn.seq == seq,
                    ChatTurn.status == WAITING,
                )
                .values(status=ABANDONED, finished_at=clock.now())
            )
        if result.rowcount:  # type: ignore[attr-defined]
            log.warning("chat.turn_abandoned", session_id=str(session_id), seq=seq)

    @staticmethod
    async def finish(
        db: AsyncSession,
        ticket: Ticket,
        *,
        reply: str,
        action: str,
        command: dict[str, object] | None,
        skus: list[str],
        strict: bool = True,
    ) -> None:
        """Record the reply in the turn's own transaction; refuse if the turn was given up on
        (unless ``strict`` is off: the turn already committed an effect, such as an order)."""
        result = await db.execute(
            update(ChatTurn)
            .where(
                ChatTurn.session_id == ticket.session_id,
                ChatTurn.seq == ticket.seq,
                ChatTurn.status == WAITING,
            )
            .values(
                status=DONE,
                reply=reply,
                action=action,
                command=command,
                skus=skus,
                finished_at=clock.now(),
            )
            .execution_options(synchronize_session=False)
        )
        if strict and result.rowcount != 1:  # type: ignore[attr-defined]
            raise TurnSuperseded()

    @staticmethod
    async def reword(db: AsyncSession, ticket: Ticket, reply: str) -> None:
        """Replace a finished turn's reply with its rewording."""
        await db.execute(
            update(ChatTurn)
            .where(ChatTurn.session_id == ticket.session_id, ChatTurn.seq == ticket.seq)
            .values(reply=reply)
            .execution_options(synchronize_session=False)
        )

    async def fail(self, ticket: Ticket) -> None:
        """Mark a turn that raised as finished, so the next one need not wait for it."""
        async with session_scope(self._write) as db:
            await db.execute(
                update(ChatTurn)
                .where(
                    ChatTurn.session_id == ticket.session_id,
                    ChatTurn.seq == ticket.seq,
                    ChatTurn.status == WAITING,
                )
                .values(status=FAILED, finished_at=clock.now())
            )

    def wake(self, session_id: uuid.UUID) -> None:
        """A turn of ``session_id`` finished here: let this process's waiters look now."""
        event = self._finished.pop(session_id, None)
        if event is not None:
            event.set()


async def history(
    db: AsyncSession, session_id: uuid.UUID, *, before: int | None, limit: int
) -> list[ChatTurn]:
    """Finished turns, newest first, ``before`` a seq (for paging back through a conversation)."""
    query = select(ChatTurn).where(ChatTurn.session_id == session_id, ChatTurn.status == DONE)
    if before is not None:
        query = query.where(ChatTurn.seq < before)
    return list(await db.scalars(query.order_by(ChatTurn.seq.desc()).limit(limit)))
