"""Who is writing: a chat's customer and the session it continues.

- WhatsApp: the ``wa_id`` is a phone number WhatsApp has verified, so a message through the
  signed webhook joins that phone's customer without a password (the phone-only override).
- Telegram: a chat id says nothing about a person.  The chat is linked once the shopper shares
  their own contact (``contact.user_id == from.id``, checked by the adapter), or when a trusted
  caller linked it (``POST /session/start`` with the service key).

Each linked chat holds one session token (kept as its hash in ``channel_links``), so a chat is
one device in the customer's list, and logging out everywhere ends it like any other: the next
message joins again with a new token.
"""

from __future__ import annotations

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from threadline.channels.base import Inbound
from threadline.channels.models import ChannelLink
from threadline.config import Settings
from threadline.core import metrics
from threadline.core.clock import clock
from threadline.core.phone import mask_phone
from threadline.core.security import hash_token
from threadline.customers import service as customers
from threadline.customers.errors import PhoneInUse
from threadline.customers.models import Customer
from threadline.db import dialect_insert
from threadline.sessions import access
from threadline.sessions import service as sessions
from threadline.sessions.cache import SessionCache
from threadline.sessions.errors import SessionNotFound
from threadline.sessions.state import SessionContext

log = structlog.get_logger()


async def session_for(
    db: AsyncSession, settings: Settings, cache: SessionCache, inbound: Inbound
) -> SessionContext | None:
    """The session this chat continues, joining it if needed; None for an unlinked Telegram chat."""
    link = await db.get(ChannelLink, (inbound.channel.value, inbound.address))
    if link is not None and link.token_hash:
        try:
            return await access.authenticate_hash(db, settings, cache, link.token_hash)
        except SessionNotFound:
            pass  # logged out everywhere, or the session expired: join again below
    customer = await _known_customer(db, inbound, link)
    if customer is None:
        return None
    return await _join(db, settings, cache, inbound, customer)


async def link_contact(
    db: AsyncSession, settings: Settings, cache: SessionCache, inbound: Inbound
) -> SessionContext:
    """Link a Telegram chat to the customer of the phone its owner shared, and join."""
    assert inbound.phone, "only a verified contact links a chat"
    customer, _ = await customers.get_or_create_by_phone(
        db, inbound.phone, source=inbound.channel.value
    )
    try:
        await customers.link_telegram(db, customer, int(inbound.address))
    except PhoneInUse:
        # The chat is linked to another customer already (a race with ourselves, or a staff
        # link): the chat keeps that customer.
        owner = await customers.find_by_telegram(db, int(inbound.address))
        if owner is not None:
            customer = owner
    log.info(
        "channel.linked",
        channel=inbound.channel.value,
        customer_id=customer.customer_id,
        phone=mask_phone(customer.phone),
    )
    return await _join(db, settings, cache, inbound, customer)


async def _known_customer(
    db: AsyncSession, inbound: Inbound, link: ChannelLink | None
) -> Customer | None:
    if link is not None:
        customer = await customers.get(db, link.customer_id)
        if customer is not None:
            return customer
    if inbound.channel.value == "whatsapp" and inbound.phone:
        customer, _ = await customers.get_or_create_by_phone(db, inbound.phone, source="whatsapp")
        return customer
    if inbound.channel.value == "telegram":
        return await customers.find_by_telegram(db, int(inbound.address))
    return None


async def _join(
    db: AsyncSession,
    settings: Settings,
    cache: SessionCache,
    inbound: Inbound,
    customer: Customer,
) -> SessionContext:
    token, ctx = await sessions.join_customer(
        db, settings, cache, customer, inbound.channel, user_agent=f"{inbound.channel.value} chat"
    )
    values = {
        "channel": inbound.channel.value,
        "address": inbound.address,
        "customer_id": customer.customer_id,
        "token_hash": hash_token(token),
        "linked_at": clock.now(),
    }
    stmt = dialect_insert(db, ChannelLink.__table__).values(values)
    await db.execute(
        stmt.on_conflict_do_update(
            index_elements=["channel", "address"],
            set_={k: stmt.excluded[k] for k in ("customer_id", "token_hash", "linked_at")},
        )
    )
    metrics.count_on_commit(db, metrics.CHANNEL_CHATS_JOINED, channel=inbound.channel.value)
    return ctx
