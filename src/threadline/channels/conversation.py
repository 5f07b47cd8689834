"""Answering one chat message: who it is, then the sales agent's turn, as an :class:`Outgoing`.

The agent is the same one ``POST /chat`` talks to, through the same turn queue, so a message on
WhatsApp and one on the kiosk of the same customer are answered one at a time, in order, from
the same cart and memory.  A button names its action ("add:SKU") and skips understanding;
anything the agent cannot read (a sticker, a location) gets a polite word instead of a turn.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from threadline.agent.commands import Command, Intent, Slots
from threadline.agent.engine import Reply, SalesAgent
from threadline.agent.turns import TurnQueue
from threadline.catalog.dependencies import current_index
from threadline.channels import identity
from threadline.channels.base import ADD_PREFIX, SAY_PREFIX, Inbound, Outgoing
from threadline.config import Settings
from threadline.db import commit_now, on_commit, rollback_now
from threadline.payments.gateway import PaymentGateway
from threadline.sessions.cache import SessionCache
from threadline.sessions.state import SessionContext

_TICKET = "channel_turn_ticket"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# The longest message the agent takes (POST /chat's limit).
MAX_MESSAGE = 2000
# What a shopper can always tap when the agent had nothing to say about their message.
STARTERS = ["Show me new arrivals", "View my cart", "Where is my order?"]
ASK_PHONE = (
    "Welcome to Threadline! To carry on with your cart and our conversation from the kiosk "
    "or the website, please share your phone number with the button below."
)
LINKED_ALREADY = (
    "Thanks! That's somebody else's contact, so I've left it alone: this chat is already "
    "linked to your own number. What can I find for you?"
)
UNKNOWN_NUMBER = (
    "Sorry, I can't recognise this WhatsApp number as a phone number, so I can't open a cart "
    "for it here. You can shop with us on our website or at a store kiosk."
)
FOREIGN_CONTACT = (
    "That looks like somebody else's contact. To link this chat, please share your own "
    "number with the button below."
)


@dataclass(slots=True)
class Services:
    """What answering needs from the running app.

    The worker answers one message at a time; ``waiting`` is entered while this message waits
    for the session's earlier turns (from other channels), so the others may go meanwhile.
    """

    state: Any
    waiting: Callable[[], AbstractAsyncContextManager[None]] = contextlib.nullcontext

    @property
    def settings(self) -> Settings:
        settings: Settings = self.state.settings
        return settings

    @property
    def cache(self) -> SessionCache:
        cache: SessionCache = self.state.session_cache
        return cache


async def answer(services: Services, db: AsyncSession, inbound: Inbound) -> Outgoing:
    """The reply to ``inbound``; agent turns are committed on ``db`` (the caller commits the rest)."""
    settings, cache = services.settings, services.cache
    ctx = await identity.session_for(db, settings, cache, inbound)
    if inbound.kind == "foreign_contact":
        if ctx is not None:
            return Outgoing(LINKED_ALREADY, suggestions=list(STARTERS))
        return Outgoing(FOREIGN_CONTACT, ask_contact=True)
    if ctx is None:
        if inbound.kind == "contact" and inbound.phone:
            ctx = await identity.link_contact(db, settings, cache, inbound)
            return await _turn(services, db, ctx, "hi")
        if inbound.channel.value == "whatsapp":
            # WhatsApp always gives the number; one that is not a phone number can't be a
            # customer (there is no button to ask with either).
            return Outgoing(UNKNOWN_NUMBER)
        return Outgoing(ASK_PHONE, ask_contact=True)
    if inbound.kind == "unsupported":
        what = inbound.what or "that kind of message"
        return Outgoing(
            f"Thanks! I can't open a {what} here yet — I read text and button taps. "
            "Tell me what you're looking for, or tap one of these.",
            suggestions=list(STARTERS),
        )
    if inbound.kind in ("start", "contact"):
        return await _turn(services, db, ctx, "hi")
    if inbound.kind == "button" and inbound.data.startswith(ADD_PREFIX):
        sku = inbound.data[len(ADD_PREFIX) :].strip()[:64]
        command = Command(intent=Intent.ADD_TO_CART, slots=Slots(sku=sku), source="button")
        return await _turn(services, db, ctx, f"Add {sku} to my cart", command=command)
    text = inbound.data[len(SAY_PREFIX) :] if inbound.data.startswith(SAY_PREFIX) else inbound.text
    # Control characters (a NUL among them, which PostgreSQL text refuses) are dropped, and a
    # message longer than the agent takes is cut, as POST /chat would refuse it.
    text = " ".join(_CONTROL.sub(" ", text).split())[:MAX_MESSAGE]
    if not text:
        return Outgoing("What can I help you find today?", suggestions=list(STARTERS))
    return await _turn(services, db, ctx, text)


async def _turn(
    services: Services,
    db: AsyncSession,
    ctx: SessionContext,
    message: str,
    *,
    command: Command | None = None,
) -> Outgoing:
    """One agent turn, as ``POST /chat`` runs it; the caller commits it with the reply's outbox
    rows (then the next turn of the session is woken), or calls :func:`abandon_turn`."""
    state = services.state
    queue: TurnQueue = state.turn_queue
    agent: SalesAgent = state.sales_agent
    gateway: PaymentGateway = state.payment_gateway
    # Joining or linking may have written: commit so no lock is held while this turn waits.
    await commit_now(db)
    ticket = await queue.take_ticket(ctx.session.session_id, ctx.channel, message)
    try:
        async with services.waiting():
            await queue.wait_for_turn(ticket)
        reply = await agent.run_turn(
            db,
            cache=services.cache,
            gateway=gateway,
            index=current_index(state),
            ctx=ctx,
            ticket=ticket,
            message=message,
            command=command,
        )
    except BaseException:
        await rollback_now(db)
        db.info[_TICKET] = ticket
        # With the store away this fails too: the caller's abandon_turn marks it later.
        with contextlib.suppress(Exception):
            await asyncio.shield(queue.fail(ticket))
            db.info.pop(_TICKET, None)
            queue.wake(ticket.session_id)
        raise
    db.info[_TICKET] = ticket
    on_commit(db, lambda: queue.wake(ticket.session_id))
    return _outgoing(services.settings, reply)


async def abandon_turn(services: Services, db: AsyncSession) -> None:
    """After a failure past the agent's turn: roll it back and let the session's queue go on."""
    await rollback_now(db)
    ticket = db.info.get(_TICKET)
    if ticket is not None:
        queue: TurnQueue = services.state.turn_queue
        await asyncio.shield(queue.fail(ticket))
        # Kept until marked: when the store is away, the worker calls this again until it
        # returns, rather than leaving the session's next turns to wait for a dead one.
        db.info.pop(_TICKET, None)
        queue.wake(ticket.session_id)


def _outgoing(settings: Settings, reply: Reply) -> Outgoing:
    return Outgoing(
        reply.reply,
        suggestions=list(reply.suggestions),
        products=[_for_platform(settings, p) for p in reply.products],
    )


def _for_platform(settings: Settings, product: dict[str, Any]) -> dict[str, Any]:
    """The product with an image a platform can fetch, or none.

    WhatsApp and Telegram fetch photos themselves and take JPEG or PNG only: an imported
    photo's address is kept; the generated SVG pictures are not sent.
    """
    url = str(product.get("image_url") or "")
    if url.startswith("/") and settings.public_base_url:
        url = settings.public_base_url.rstrip("/") + url
    usable = url.startswith(("http://", "https://")) and not url.lower().endswith(".svg")
    return {**product, "image_url": url if usable else None}
