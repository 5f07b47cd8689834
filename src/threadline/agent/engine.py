"""The sales agent's turn: understand, resolve, act through a worker, compose, remember.

1. The message is understood into a :class:`~threadline.agent.commands.Command`: by the
   language model when one is configured (falling back to the offline layer in the same turn
   when it times out, fails or answers something unusable), else offline.
2. The command is resolved against the conversation: a bare "M" answers the size question the
   agent asked, "yes" confirms what it proposed, "the second one" is looked up in what was
   shown.  A new request simply replaces an unanswered question.
3. One worker acts on it through the domain services and returns facts.
4. The composer writes the reply and its suggestions from those facts (the model may reword
   it, checked against the same facts).
5. Memory is written in the same transaction as the turn's reply: the recent turns, the
   summary, what was shown, the agent's state and the preferences it learned.

Steps 2 and 3 live in :mod:`~threadline.agent.answers` (a pending question's answer) and
:mod:`~threadline.agent.dispatch` (a command's worker); step 5 in :mod:`~threadline.agent.context`.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from threadline.activity import service as activity
from threadline.activity.models import CHAT
from threadline.agent import context, memory
from threadline.agent.answers import act
from threadline.agent.commands import Command
from threadline.agent.llm import LanguageModel
from threadline.agent.turn import Outcome, Shopper, Turn
from threadline.agent.turns import Ticket, TurnQueue
from threadline.agent.understand import Vocabulary, understand
from threadline.catalog.search_index import SearchIndex
from threadline.config import Settings
from threadline.core import metrics
from threadline.core.clock import clock
from threadline.db import commit_now, rollback_now, session_scope
from threadline.loyalty import service as loyalty
from threadline.payments.gateway import PaymentGateway
from threadline.sessions import repository as session_rows
from threadline.sessions import service as sessions
from threadline.sessions.cache import SessionCache
from threadline.sessions.errors import SessionNotFound
from threadline.sessions.models import ConversationSession
from threadline.sessions.state import SessionContext, SessionState, is_expired

log = structlog.get_logger()

# Replies a model may reword: conversation only.  Replies that list products, prices, stock,
# payments or orders keep the store's own words (a reworded list could even reorder what
# "the second one" means).
_REWORDABLE = frozenset({"greeted", "helped", "small_talk", "not_understood", "cancelled"})


@dataclass(slots=True)
class Reply:
    reply: str
    products: list[dict[str, Any]]
    cart: dict[str, Any]
    suggestions: list[str]
    action: str
    command: dict[str, Any]
    turn: int
    # Time spent waiting on the language model in this turn (for Server-Timing).
    llm_seconds: float = 0.0

    def body(self) -> dict[str, Any]:
        return {
            "reply": self.reply,
            "products": self.products,
            "cart": self.cart,
            "suggestions": self.suggestions,
            "action": self.action,
            "command": self.command,
            "turn": self.turn,
        }


class SalesAgent:
    """One per app: the understanding layers and the vocabulary of the current catalog."""

    def __init__(
        self,
        settings: Settings,
        llm: LanguageModel | None,
        read: async_sessionmaker[AsyncSession] | None = None,
    ) -> None:
        self.settings = settings
        self.llm = llm
        self._read = read
        self._vocabulary: tuple[int, Vocabulary] | None = None

    def vocabulary(self, index: SearchIndex) -> Vocabulary:
        cached = self._vocabulary
        if cached is None or cached[0] != index.version:
            cached = (index.version, Vocabulary.from_index(index))
            self._vocabulary = cached
        return cached[1]

    async def run_turn(
        self,
        db: AsyncSession,
        *,
        cache: SessionCache,
        gateway: PaymentGateway,
        index: SearchIndex,
        ctx: SessionContext,
        ticket: Ticket,
        message: str,
        command: Command | None = None,
    ) -> Reply:
        """Answer one message; the caller commits (the turn's row is finished in this unit).

        ``command`` is given when the message needs no understanding: a channel's button that
        names its action ("add this sku") rather than words.
        """
        started = time.perf_counter()
        # Understanding first, holding no lock: a model call can take seconds, and on SQLite
        # the turn's transaction holds the one writer connection of the process.
        early: Command | None
        if command is not None:
            early, llm_seconds = command, 0.0
        else:
            early, llm_seconds = await self._understand_unlocked(message, index, ctx)
        row, customer = await self._lock(db, ctx)
        data = copy.deepcopy(row.data)
        tier = await loyalty.tier(db, customer.loyalty_tier if customer else None)
        state = memory.agent_state(data)
        welcome_back = context.welcome_back(data, state, ctx.channel, clock.now())
        command = early if early is not None else understand(message, self.vocabulary(index))
        turn = Turn(
            db=db,
            settings=self.settings,
            cache=cache,
            ctx=ctx,
            gateway=gateway,
            index=index,
            command=command,
            data=data,
            customer=customer,
            tier=tier,
            seq=ticket.seq,
        )
        outcome = await act(turn, state, message)
        ctx, said = await context.remember(turn, row, state, outcome, welcome_back, message)
        await context.learn_preferences(db, customer, state)
        return await self._finish(turn, ctx, ticket, outcome, said, started, llm_seconds)

    async def _finish(
        self,
        turn: Turn,
        ctx: SessionContext,
        ticket: Ticket,
        outcome: Outcome,
        said: context.TurnMemory,
        started: float,
        llm_seconds: float,
    ) -> Reply:
        """Record the reply on the turn's row, count and log the turn, and hand the reply back."""
        command = turn.command
        await TurnQueue.finish(
            turn.db,
            ticket,
            reply=said.text,
            action=outcome.action,
            command=_described(command),
            skus=[p["sku"] for p in outcome.products],
            strict=not turn.committed,
        )
        await activity.record(turn.db, turn.settings, ctx, CHAT)
        metrics.count_on_commit(
            turn.db,
            metrics.CHAT_TURNS,
            channel=ctx.channel,
            action=outcome.action,
            source=command.source,
        )
        log.info(
            "agent.turn",
            session_id=str(ctx.session.session_id),
            seq=ticket.seq,
            channel=ctx.channel,
            command=command.describe(),
            action=outcome.action,
            ms=round((time.perf_counter() - started) * 1000, 2),
        )
        return Reply(
            reply=said.text,
            products=outcome.products,
            cart=said.cart,
            suggestions=said.suggestions,
            action=outcome.action,
            command=_described(command),
            turn=ticket.seq,
            llm_seconds=llm_seconds,
        )

    async def _understand_unlocked(
        self, message: str, index: SearchIndex, ctx: SessionContext
    ) -> tuple[Command | None, float]:
        """The model's command and the time it took, or (None, 0) when no model is in use.

        The offline layer answers in the model's place when it times out, fails or answers
        something unusable.
        """
        if not (self.llm is not None and self.llm.enabled):
            return None, 0.0
        started = time.perf_counter()
        data = await self._peek(ctx)
        command = await self.llm.understand(message, context.context_text(data, index))
        if command is None:
            command = understand(message, self.vocabulary(index))
        return command, time.perf_counter() - started

    async def _lock(
        self, db: AsyncSession, ctx: SessionContext
    ) -> tuple[ConversationSession, Shopper | None]:
        """Lock the session's row (refusing an expired session) and read its customer."""
        locked = await session_rows.lock_with_customer(db, ctx.session.session_id)
        if locked is None or is_expired(locked[0], clock.now(), self.settings):
            raise SessionNotFound()
        row = locked[0]
        ctx.session = SessionState.of(row)
        return row, context.shopper(locked[1])

    async def _peek(self, ctx: SessionContext) -> dict[str, Any]:
        """The session's data as committed now (for the model's context; nothing is locked)."""
        if self._read is None:
            return dict(ctx.session.data)
        async with session_scope(self._read) as db:
            data = await session_rows.data_of(db, ctx.session.session_id)
        return data if data is not None else dict(ctx.session.data)

    async def polish(
        self,
        db: AsyncSession,
        cache: SessionCache,
        ctx: SessionContext,
        ticket: Ticket,
        reply: Reply,
    ) -> Reply:
        """Let the model reword a committed reply, outside the turn's locks.

        Only conversational replies without figures are reworded (``_REWORDABLE``).  A rewording is used only if
        every number, code and name in it is in the draft (``llm.unverified``); it then
        replaces the draft in the conversation, in a short transaction of its own.
        """
        if not (
            self.llm is not None
            and self.llm.enabled
            and self.settings.llm_phrasing
            and reply.action in _REWORDABLE
            and not ("₹" in reply.reply or "%" in reply.reply)  # e.g. a cart total in a greeting
        ):
            return reply
        started = time.perf_counter()
        worded = await self.llm.phrase(reply.reply, [], "")
        reply.llm_seconds += time.perf_counter() - started
        if not worded or worded == reply.reply:
            return reply
        try:
            await self._store_rewording(db, cache, ctx, ticket, reply.reply, worded)
        except Exception:  # the turn is committed; its plain words stand
            log.exception("agent.reword_failed", session_id=str(ctx.session.session_id))
            await rollback_now(db)
            return reply
        reply.reply = worded
        return reply

    async def _store_rewording(
        self,
        db: AsyncSession,
        cache: SessionCache,
        ctx: SessionContext,
        ticket: Ticket,
        draft: str,
        worded: str,
    ) -> None:

        def swap(data: dict[str, Any]) -> None:
            for message in reversed(data.get("chat_context") or []):
                if message.get("role") == "assistant" and message.get("text") == draft[:600]:
                    message["text"] = worded[:600]
                    break

        await sessions.update_data(db, self.settings, cache, ctx, swap)
        await TurnQueue.reword(db, ticket, worded)
        await commit_now(db)


def _described(command: Command) -> dict[str, Any]:
    """The command as the turn's row and the reply record it."""
    return {
        "intent": command.intent.value,
        "slots": command.slots.filled(),
        "source": command.source,
    }
