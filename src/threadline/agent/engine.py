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
"""

from __future__ import annotations

import copy
import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from threadline.agent import compose, memory, resolve
from threadline.agent.commands import Command, Intent, Slots
from threadline.agent.llm import LanguageModel
from threadline.agent.turn import Outcome, Shopper, Turn
from threadline.agent.turns import Ticket, TurnQueue
from threadline.agent.understand import Vocabulary, understand
from threadline.agent.workers import cart as cart_worker
from threadline.agent.workers import checkout, inventory, offers, recommendation, support
from threadline.cart import service as cart_service
from threadline.catalog.search_index import SearchIndex
from threadline.config import Settings
from threadline.core import metrics
from threadline.core.clock import clock
from threadline.customers.models import Customer
from threadline.db import commit_now, rollback_now, session_scope
from threadline.loyalty import service as loyalty
from threadline.payments.gateway import PaymentGateway
from threadline.sessions import repository as session_rows
from threadline.sessions import service as sessions
from threadline.sessions.cache import SessionCache
from threadline.sessions.errors import SessionNotFound
from threadline.sessions.state import SessionContext, SessionState, is_expired

log = structlog.get_logger()

# A shopper coming back after this long (or on another channel) is reminded of their cart.
AWAY = timedelta(hours=1)
_THANKS = re.compile(r"\b(thank|thanks|thx|thnx|shukriya|dhanyavaad|dhanyawad)\b", re.I)
_BYE = re.compile(r"\b(bye|goodbye|see you|alvida|tata)\b", re.I)


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
    ) -> Reply:
        """Answer one message; the caller commits (the turn's row is finished in this unit)."""
        started = time.perf_counter()
        settings = self.settings
        # Understanding first, holding no lock: a model call can take seconds, and on SQLite
        # the turn's transaction holds the one writer connection of the process.
        using_llm = self.llm is not None and self.llm.enabled
        llm_seconds = 0.0
        if using_llm:
            llm_started = time.perf_counter()
            command = await self._understand(message, index, await self._peek(ctx))
            llm_seconds = time.perf_counter() - llm_started
        locked = await session_rows.lock_with_customer(db, ctx.session.session_id)
        if locked is None or is_expired(locked[0], clock.now(), settings):
            raise SessionNotFound()
        row = locked[0]
        ctx.session = SessionState.of(row)
        data = copy.deepcopy(row.data)
        customer = _shopper(locked[1])
        tier = await loyalty.tier(db, customer.loyalty_tier if customer else None)
        state = memory.agent_state(data)
        welcome_back = _welcome_back(data, state, ctx.channel, clock.now())

        if not using_llm:
            command = understand(message, self.vocabulary(index))
        turn = Turn(
            db=db,
            settings=settings,
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
        pending = state.pop("pending", None)
        outcome = await self._act(
            turn, command, pending if isinstance(pending, dict) else None, message
        )
        if outcome.ask is not None:
            state["pending"] = {**outcome.ask, "slots": command.slots.filled()}

        offers_now = await loyalty.active_offers(db) if outcome.action in _CART_ACTIONS else []
        now = clock.now()
        state["last_channel"] = ctx.channel
        state["last_turn_at"] = now.isoformat()
        shown = [p["sku"] for p in outcome.products] if outcome.recommended else None
        said: dict[str, Any] = {}

        async def remember(current: dict[str, Any]) -> None:
            # ``current`` is the session as it is now, locked: the cart service may have
            # written it in this turn, and the reply describes the cart as it stands.
            cart = outcome.cart or cart_service.view(current)
            context = compose.Context(
                name=customer.name if customer else None,
                tier=tier,
                offers=offers_now,
                cart=cart,
                # Only when this turn left the cart as it found it: the nudge describes it.
                welcome_back=welcome_back if outcome.cart is None else None,
                channel=ctx.channel,
            )
            text, suggestions = compose.compose(outcome, context)
            said.update(text=text, suggestions=suggestions, cart=cart)
            current["agent"] = state
            if outcome.action == "showed_details" and outcome.products:
                sku = outcome.products[0]["sku"]
                recent = [s for s in current.get("recent") or [] if s != sku]
                current["recent"] = [sku, *recent][: sessions.RECENT_LIMIT]
            if shown is not None:
                current["last_recommended_skus"] = shown[: memory.SHOWN_LIMIT]
            elif outcome.action == "noted_rejection":  # the rejected product leaves the list
                current["last_recommended_skus"] = data.get("last_recommended_skus") or []
            memory.append_turn(
                current,
                message=message,
                reply=text,
                channel=ctx.channel,
                at=now,
                keep_turns=settings.chat_context_turns,
            )
            current["conversation_summary"] = memory.summary(
                current, tier=tier.tier if tier else None
            )
            current["last_action"] = outcome.action

        if turn.ended:  # the checkout ended the transaction: lock and read the row again
            ctx = await sessions.update_data(db, settings, cache, ctx, remember)
        else:  # still locked, and the cart service kept the row up to date
            ctx = await sessions.update_locked(db, cache, ctx, row, remember)
        text, suggestions, cart = said["text"], said["suggestions"], said["cart"]
        await _learn_preferences(db, customer, state)
        await TurnQueue.finish(
            db,
            ticket,
            reply=text,
            action=outcome.action,
            command={
                "intent": command.intent.value,
                "slots": command.slots.filled(),
                "source": command.source,
            },
            skus=[p["sku"] for p in outcome.products],
            strict=not turn.committed,
        )
        metrics.CHAT_TURNS.labels(action=outcome.action, source=command.source).inc()
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
            reply=text,
            products=outcome.products,
            cart=cart,
            suggestions=suggestions,
            action=outcome.action,
            command={
                "intent": command.intent.value,
                "slots": command.slots.filled(),
                "source": command.source,
            },
            turn=ticket.seq,
            llm_seconds=llm_seconds,
        )

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

    async def _understand(self, message: str, index: SearchIndex, data: dict[str, Any]) -> Command:
        if self.llm is not None and self.llm.enabled:
            understood = await self.llm.understand(message, _context_text(data, index))
            if understood is not None:
                return understood
        return understand(message, self.vocabulary(index))

    # --- acting ---------------------------------------------------------------------------------

    async def _act(
        self, turn: Turn, command: Command, pending: dict[str, Any] | None, message: str
    ) -> Outcome:
        if pending is not None:
            answered = await self._answer(turn, command, pending, message)
            if answered is not None:
                return answered
            if pending.get("ask") in _CHECKOUT_QUESTIONS and command.intent not in _CHECKOUT:
                # The shopper left the checkout: choices made then are not consent later.
                turn.state.pop("checkout", None)
        return await self._dispatch(turn, command, message)

    async def _answer(
        self, turn: Turn, command: Command, pending: dict[str, Any], message: str
    ) -> Outcome | None:
        """The shopper's answer to the agent's question, or None when they moved on."""
        ask = pending.get("ask")
        slots = command.slots
        intent = command.intent
        # Naming a product (rather than answering about the one asked about) is a new request.
        names_a_product = bool(
            slots.category
            or slots.brand
            or slots.sku
            or slots.ordinal is not None
            or slots.ref in ("one", "same")
        )
        if (
            ask == "size"
            and slots.size
            and not names_a_product
            and intent in _ANSWERS | {Intent.ADD_TO_CART, Intent.CHANGE_ITEM}
        ):
            if pending.get("line_id"):
                line = _line(turn.data, pending["line_id"])
                if line is not None:
                    return await cart_worker.change(turn, line, size=slots.size, qty=None)
            doc = turn.index.get(str(pending.get("sku")))
            if doc is not None:
                return await cart_worker.add(
                    turn, doc, slots.size, slots.qty or int(pending.get("qty") or 1)
                )
        if ask == "add_qty" and slots.qty and intent in _ANSWERS | {Intent.ADD_TO_CART}:
            doc = turn.index.get(str(pending.get("sku")))
            if doc is not None and not names_a_product:
                return await cart_worker.add(turn, doc, str(pending.get("size")), slots.qty)
        if ask == "qty" and slots.qty is not None and intent in _ANSWERS | {Intent.CHANGE_ITEM}:
            line = _line(turn.data, str(pending.get("line_id")))
            if line is not None:
                return await cart_worker.change(turn, line, size=None, qty=slots.qty)
        # An address is typed as a reply, not as a request for products ("jackets at 200000").
        attributes = bool(
            slots.category or slots.color or slots.brand or slots.size or slots.max_price
        )
        if (
            ask == "address"
            and not attributes
            and (
                checkout.looks_like_address(message)
                or (intent in _REPLIES and checkout.PINCODE.search(message))
            )
        ):
            problem = checkout.note_address(turn, message)
            if problem:
                return Outcome("asked_address", {"problem": problem}, ask={"ask": "address"})
            return await checkout.proceed(turn)
        if ask == "store" and slots.city and intent in _REPLIES | _CHECKOUT:
            checkout.note_choices(turn, slots)
            problem = await checkout.note_city(turn, slots.city)
            if problem:
                return Outcome(
                    "asked_store", {"problem": problem, "cities": []}, ask={"ask": "store"}
                )
            return await checkout.proceed(turn)
        chose = bool(slots.fulfillment or slots.payment_method or slots.city)
        if (
            ask in _CHECKOUT_QUESTIONS
            and intent in _CHECKOUT | {Intent.INFORM}
            and (chose or intent == Intent.CHECKOUT)
        ):
            return await self._checkout(turn, slots)
        if ask == "confirm":
            if intent == Intent.CONFIRM:
                if pending.get("intent") == "return_item":
                    return await support.confirm_return(turn, pending)
                if pending.get("intent") == "checkout":
                    return await checkout.proceed(turn)
            if intent == Intent.DENY:
                turn.state.pop("checkout", None)
                return Outcome("cancelled")
        if ask in ("which", "line", "return_line"):
            original = Intent(pending.get("intent") or Intent.SHOW_DETAILS)
            answers_which = (
                intent in _ANSWERS
                or intent == original
                or (intent == Intent.SHOW_DETAILS and not (slots.category or slots.brand))
            )
            points = slots.ordinal is not None or slots.ref or slots.color or slots.sku
            if answers_which and points:
                return await self._which(turn, pending, original, slots, message)
        if intent == Intent.DENY:
            if ask == "size" or ask in _CHECKOUT_QUESTIONS:
                turn.state.pop("checkout", None)
            return Outcome("cancelled")
        return None

    async def _which(
        self, turn: Turn, pending: dict[str, Any], original: Intent, slots: Slots, message: str
    ) -> Outcome:
        """An answer to "which one?": an ordinal counts in the list the agent just gave."""
        ask = pending.get("ask")
        listed = [str(x) for x in pending.get("line_ids") or []]
        if ask == "return_line":
            # The answer picks the line; what was asked for (an exchange size) still holds.
            asked = {k: v for k, v in (pending.get("slots") or {}).items() if k != "ordinal"}
            merged = Slots(**{**asked, **slots.filled(), "order_id": pending.get("order_id")})
            return await support.start_return(turn, merged, among=listed)
        if ask == "line":
            cart = [x for x in turn.data.get("cart") or [] if isinstance(x, dict)]
            lines = [x for x in cart if x.get("line_id") in listed]
            if len(lines) != len(listed) or not lines:
                # The list changed meanwhile (another device): ask again over the cart as it is.
                return cart_worker.which_line(cart, original.value)
            narrowed = Slots(**{**slots.filled(), "ref": None})
            line, candidates = resolve.cart_line(turn.index, {"cart": lines}, narrowed)
            if line is None:
                return cart_worker.which_line(candidates or lines, original.value)
            return await self._on_line(turn, original, line, Slots(**pending.get("slots") or {}))
        merged = Slots(**{**(pending.get("slots") or {}), **slots.filled()})
        if original in (Intent.CONFIRM, Intent.INFORM):
            return Outcome("not_understood")
        return await self._dispatch(turn, Command(intent=original, slots=merged), message)

    async def _dispatch(self, turn: Turn, command: Command, message: str) -> Outcome:
        intent, slots = command.intent, command.slots
        if intent == Intent.GREETING:
            return Outcome("greeted")
        if intent == Intent.HELP:
            return Outcome("helped")
        if intent == Intent.SMALL_TALK:
            kind = (
                "thanks" if _THANKS.search(message) else "bye" if _BYE.search(message) else "chat"
            )
            return Outcome("small_talk", {"kind": kind})
        if intent == Intent.CONFIRM:
            return Outcome("small_talk", {"kind": "thanks" if _THANKS.search(message) else "chat"})
        if intent == Intent.DENY:
            return Outcome("cancelled")
        if intent == Intent.SEARCH:
            filters = recommendation.filters_of(slots)
            # Who the shopping is for carries over to the next search ("office wear for men",
            # then "only shirts"); the reply names it, so the shopper can change it.
            before = (turn.state.get("search") or {}).get("filters") or {}
            if "gender" not in filters and before.get("gender"):
                filters["gender"] = before["gender"]
            return await recommendation.search(turn, filters)
        if intent == Intent.REFINE:
            if not turn.state.get("search") and slots.ref != "same":
                return await recommendation.search(turn, recommendation.filters_of(slots))
            return await recommendation.refine(turn, slots)
        if intent == Intent.SHOW_MORE:
            return await recommendation.show_more(turn)
        if intent == Intent.INFORM:
            return await self._inform(turn, slots)
        if intent in (
            Intent.SHOW_DETAILS,
            Intent.COMPLETE_LOOK,
            Intent.REJECT,
            Intent.CHECK_AVAILABILITY,
        ):
            return await self._about_product(turn, command)
        if intent == Intent.ADD_TO_CART:
            found = self._product(turn, command)
            if isinstance(found, Outcome):
                return found
            return await cart_worker.add(turn, found, slots.size, slots.qty or 1)
        if intent in (Intent.CHANGE_ITEM, Intent.REMOVE_ITEM):
            return await self._cart_line(turn, command)
        if intent == Intent.VIEW_CART:
            return await cart_worker.show(turn)
        if intent == Intent.APPLY_COUPON:
            if not slots.coupon:
                return Outcome(
                    "asked_coupon", ask={"ask": "coupon"}, suggestions=["Any offers?", "My cart"]
                )
            return await offers.apply_coupon(turn, slots.coupon)
        if intent == Intent.OFFERS:
            if slots.use_points:
                turn.state.setdefault("checkout", {})["use_points"] = True
            return await offers.overview(turn)
        if intent in _CHECKOUT:
            return await self._checkout(turn, slots)
        if intent == Intent.ORDER_STATUS:
            return await support.status(turn, slots.order_id)
        if intent == Intent.RETURN_ITEM:
            return await support.start_return(turn, slots)
        if intent == Intent.STORE_LOCATOR:
            return await inventory.stores(turn, slots.city)
        if intent == Intent.TALK_TO_STAFF:
            return support.hand_over(turn)
        return Outcome("not_understood")

    async def _inform(self, turn: Turn, slots: Slots) -> Outcome:
        """Slot values with no question pending: "the second one" shows it; attributes narrow
        the current search."""
        if slots.ordinal is not None or slots.sku or slots.ref in ("it", "one"):
            pointed = Command(intent=Intent.SHOW_DETAILS, slots=slots)
            if slots.size:  # "the second one in M": is it there in M?
                pointed = Command(intent=Intent.CHECK_AVAILABILITY, slots=slots)
            return await self._about_product(turn, pointed)
        if slots.size or slots.color or slots.max_price or slots.min_price or slots.gender:
            if turn.state.get("search"):
                return await recommendation.refine(turn, slots)
            if slots.size and turn.state.get("focus"):
                doc = turn.index.get(str(turn.state["focus"]))
                if doc is not None:
                    return await inventory.availability(turn, doc, slots.size, slots.city)
        if slots.payment_method or slots.fulfillment:
            return await self._checkout(turn, slots)
        return Outcome("asked_what", {"reason": "no context"}, ask={"ask": "what"})

    async def _checkout(self, turn: Turn, slots: Slots) -> Outcome:
        checkout.note_choices(turn, slots)
        if slots.city:
            problem = await checkout.note_city(turn, slots.city)
            if problem:
                return Outcome(
                    "asked_store", {"problem": problem, "cities": []}, ask={"ask": "store"}
                )
        return await checkout.proceed(turn)

    def _product(self, turn: Turn, command: Command) -> Any:
        """The product a command means, or an Outcome asking which."""
        found = resolve.product(turn.index, turn.data, command.slots)
        if found.doc is not None:
            return found.doc
        if found.candidates:
            return Outcome(
                "asked_which",
                {},
                products=[d.product for d in found.candidates[:4]],
                recommended=True,
                ask={"ask": "which", "intent": command.intent.value},
                suggestions=["The first one", "The second one"],
            )
        return Outcome(
            "asked_which",
            {"problem": found.problem},
            ask={"ask": "which", "intent": command.intent.value},
            suggestions=["Show me shirts", "Show my cart"],
        )

    async def _about_product(self, turn: Turn, command: Command) -> Outcome:
        slots = command.slots
        if (
            command.intent == Intent.CHECK_AVAILABILITY
            and not (slots.ordinal or slots.ref or slots.sku or turn.state.get("focus"))
            and slots.category
        ):
            return await recommendation.search(turn, recommendation.filters_of(slots))
        found = self._product(turn, command)
        if isinstance(found, Outcome):
            return found
        if command.intent == Intent.SHOW_DETAILS:
            return await recommendation.details(turn, found)
        if command.intent == Intent.COMPLETE_LOOK:
            return await recommendation.complete_the_look(turn, found)
        if command.intent == Intent.REJECT:
            return recommendation.reject(turn, found)
        return await inventory.availability(turn, found, slots.size, slots.city)

    async def _cart_line(self, turn: Turn, command: Command) -> Outcome:
        slots = command.slots
        lines = turn.data.get("cart") or []
        if not lines:
            return await cart_worker.show(turn)
        line, candidates = resolve.cart_line(turn.index, turn.data, slots)
        if line is None:
            return cart_worker.which_line(candidates, command.intent.value)
        return await self._on_line(turn, command.intent, line, slots)

    async def _on_line(
        self, turn: Turn, intent: Intent, line: dict[str, Any], slots: Slots
    ) -> Outcome:
        if intent == Intent.REMOVE_ITEM:
            return await cart_worker.remove(turn, line)
        if slots.size is None and slots.qty is None:
            return Outcome(
                "asked_qty", {"line": line}, ask={"ask": "qty", "line_id": line["line_id"]}
            )
        return await cart_worker.change(turn, line, size=slots.size, qty=slots.qty)


_ANSWERS = frozenset({Intent.INFORM, Intent.REFINE, Intent.UNKNOWN, Intent.CONFIRM})
# What may answer a question about where or how to deliver (not a new search or a store query).
_REPLIES = frozenset({Intent.INFORM, Intent.UNKNOWN, Intent.CONFIRM, Intent.CHOOSE_FULFILLMENT})
_CHECKOUT_QUESTIONS = frozenset({"fulfillment", "payment", "store", "address"})
_CHECKOUT = frozenset({Intent.CHECKOUT, Intent.CHOOSE_PAYMENT, Intent.CHOOSE_FULFILLMENT})
# Replies a model may reword: they show products or chat; none states money, stock or orders.
# Replies a model may reword: conversation only.  Replies that list products, prices, stock,
# payments or orders keep the store's own words (a reworded list could even reorder what
# "the second one" means).
_REWORDABLE = frozenset({"greeted", "helped", "small_talk", "not_understood", "cancelled"})
_CART_ACTIONS = frozenset({"added_to_cart", "showed_cart", "updated_cart", "removed_from_cart"})


def _line(data: dict[str, Any], line_id: str) -> dict[str, Any] | None:
    return next((x for x in data.get("cart") or [] if x.get("line_id") == line_id), None)


def _welcome_back(
    data: dict[str, Any], state: dict[str, Any], channel: str, now: datetime
) -> dict[str, Any] | None:
    """The forgotten cart, when the shopper returns on another channel or after a while."""
    items = [x for x in data.get("cart") or [] if isinstance(x, dict)]
    last_channel = state.get("last_channel")
    if not items or last_channel is None:
        return None
    try:
        last_at = datetime.fromisoformat(str(state.get("last_turn_at")))
    except ValueError:
        last_at = now
    if last_channel == channel and now - last_at < AWAY:
        return None
    return cart_service.view(data)


def _context_text(data: dict[str, Any], index: SearchIndex) -> str:
    """A short description of the conversation for the language model."""
    parts = []
    summary = data.get("conversation_summary")
    if summary:
        parts.append(f"Summary: {summary}")
    shown = resolve.shown_docs(index, data)
    if shown:
        parts.append(
            "Last shown: "
            + "; ".join(
                f"{i}. {d.name} ({d.color or '-'}, ₹{d.price_paise // 100})"
                for i, d in enumerate(shown, 1)
            )
        )
    pending = (data.get("agent") or {}).get("pending")
    if pending:
        parts.append(f"Waiting for the shopper's answer: {pending.get('ask')}")
    lines = data.get("cart") or []
    if lines:
        parts.append(f"Cart: {len(lines)} lines")
    return "\n".join(parts)


def _shopper(customer: Customer | None) -> Shopper | None:
    if customer is None:
        return None
    return Shopper(
        customer_id=customer.customer_id,
        name=customer.name,
        city=customer.city,
        loyalty_tier=customer.loyalty_tier,
        loyalty_points=int(customer.loyalty_points or 0),
        preferences=dict(customer.preferences or {}),
        purchase_history=list(customer.purchase_history or []),
    )


async def _learn_preferences(
    db: AsyncSession, shopper: Shopper | None, state: dict[str, Any]
) -> None:
    """Copy sizes, colours and budget the shopper stated into their profile (when new)."""
    if shopper is None:
        return
    learned = _learned(shopper.preferences or {}, state.get("notes") or {})
    if learned is None:
        return
    # Read afresh: a checkout in this turn may have committed or rolled back meanwhile.
    customer = await db.get(Customer, shopper.customer_id, populate_existing=True)
    if customer is not None:
        customer.preferences = _learned(dict(customer.preferences or {}), state["notes"]) or {
            **(customer.preferences or {})
        }
        await db.flush()


def _learned(prefs: dict[str, Any], notes: dict[str, Any]) -> dict[str, Any] | None:
    """``prefs`` with what the notes add, or None when they add nothing."""
    prefs = dict(prefs)
    changed = False
    sizes = notes.get("sizes")
    if isinstance(sizes, dict) and sizes:
        known = prefs.get("sizes")
        if known is None or isinstance(known, dict):
            merged = {**(known or {}), **sizes}
            if merged != known:
                prefs["sizes"], changed = merged, True
    colours = notes.get("colors")
    if isinstance(colours, list) and colours:
        known_colours = prefs.get("colors")
        if known_colours is None or isinstance(known_colours, list):
            merged_colours = list(dict.fromkeys([*colours, *(known_colours or [])]))[:5]
            if merged_colours != known_colours:
                prefs["colors"], changed = merged_colours, True
    budget = notes.get("budget")
    current = prefs.get("budget")
    if isinstance(budget, int) and current != budget and not isinstance(current, dict | list):
        prefs["budget"], changed = budget, True
    return prefs if changed else None
