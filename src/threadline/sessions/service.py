"""Sessions: one continuing conversation per customer, joined by every channel and device.

A session is *active* until it is ended or its time runs out: it expires ``SESSION_IDLE_DAYS``
after the last authenticated call (sliding) and at the latest ``SESSION_MAX_AGE_DAYS`` after it
was created (see ``sessions.state``).  Each device or channel that joins holds its own token.
"""

from __future__ import annotations

import copy
import inspect
import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from threadline.activity import service as activity
from threadline.activity.models import JOIN
from threadline.config import Settings
from threadline.core import metrics
from threadline.core.clock import clock
from threadline.core.errors import ServiceKeyRequired, Unprocessable
from threadline.core.phone import mask_phone, normalize_phone
from threadline.core.security import hash_token, new_session_token
from threadline.core.types import CHANNELS, Channel
from threadline.customers import service as customers
from threadline.customers.errors import CustomerMismatch, InvalidCredentials
from threadline.customers.models import Customer
from threadline.sessions import repository
from threadline.sessions.access import mark_changed
from threadline.sessions.cache import SessionCache
from threadline.sessions.errors import IdentityRequired, SessionNotFound
from threadline.sessions.models import ConversationSession
from threadline.sessions.schemas import SessionStart
from threadline.sessions.state import (
    SessionContext,
    SessionState,
    empty_data,
    is_expired,
    limits,
    touch_due,
)

log = structlog.get_logger()

RECENT_LIMIT = 50


async def update_data(
    db: AsyncSession,
    settings: Settings,
    cache: SessionCache,
    ctx: SessionContext,
    mutate: Callable[[dict[str, Any]], Awaitable[None] | None],
) -> SessionContext:
    """Apply ``mutate`` to the session's data under a row lock, so concurrent writers all land.

    ``mutate`` may be a coroutine function (the cart reprices from the store while it holds
    the lock); if it raises, nothing is written.
    """
    session = await repository.lock(db, ctx.session.session_id)
    if session is None or is_expired(session, clock.now(), settings):
        raise SessionNotFound()
    return await update_locked(db, cache, ctx, session, mutate)


async def update_locked(
    db: AsyncSession,
    cache: SessionCache,
    ctx: SessionContext,
    session: ConversationSession,
    mutate: Callable[[dict[str, Any]], Awaitable[None] | None],
) -> SessionContext:
    """``update_data`` for a row this transaction already holds locked (and has up to date)."""
    data = copy.deepcopy(session.data)
    outcome = mutate(data)
    if inspect.isawaitable(outcome):
        await outcome
    session.data = data
    session.updated_at = clock.now()
    await mark_changed(db, cache, session.session_id)
    await db.flush()
    ctx.session = SessionState.of(session)
    return ctx


async def add_recent(
    db: AsyncSession, settings: Settings, cache: SessionCache, ctx: SessionContext, sku: str
) -> SessionContext:
    def _push(data: dict[str, Any]) -> None:
        recent = [s for s in data.get("recent", []) if s != sku]
        data["recent"] = [sku, *recent][:RECENT_LIMIT]
        data["last_action"] = "viewed_product"

    return await update_data(db, settings, cache, ctx, _push)


# --- start and restore --------------------------------------------------------------------------


async def start(
    db: AsyncSession,
    settings: Settings,
    cache: SessionCache,
    request: SessionStart,
    *,
    trusted: bool,
    verified: Customer | None = None,
    user_agent: str | None = None,
) -> tuple[str, SessionContext]:
    """Resolve the customer, then join their active session or create one; returns a new token.

    ``verified`` is the customer whose password the caller has already checked (see
    ``auth.service.check_password``); without it a customer who has a password is refused.
    """
    log.info(
        "session.create.start",
        phone=mask_phone(request.phone),
        telegram=request.telegram_chat_id is not None,
        channel=request.channel,
        customer_id=request.customer_id,
    )
    if not request.phone and request.telegram_chat_id is None:
        log.warning("session.create.validation_failed", reason="identity_required")
        raise IdentityRequired()
    if request.channel is None:
        raise Unprocessable(
            f"channel is required: one of {CHANNELS}", code="invalid_channel", field="channel"
        )
    channel = request.channel
    if request.phone is None and not trusted:
        log.warning("session.create.validation_failed", reason="telegram_without_service_key")
        raise ServiceKeyRequired(
            "Starting a session from a telegram_chat_id alone needs X-Service-Key.",
            field="telegram_chat_id",
        )
    if verified is not None:
        customer, new_customer = verified, False
    else:
        customer, new_customer = await _resolve_customer(db, request)
    if request.customer_id is not None and request.customer_id != customer.customer_id:
        log.warning("session.create.validation_failed", reason="customer_mismatch")
        raise CustomerMismatch(field="customer_id")
    linked = False
    if request.phone and request.telegram_chat_id is not None:
        if trusted:
            linked = await customers.link_telegram(db, customer, request.telegram_chat_id)
        else:
            # Chat ids are public: linking one on an untrusted word would let anyone route a
            # stranger's Telegram messages into their own session.
            log.warning("session.create.telegram_not_linked", reason="no_service_key")

    return await join_customer(
        db,
        settings,
        cache,
        customer,
        channel,
        user_agent=user_agent,
        new_customer=new_customer,
        identity_changed=linked,
    )


async def join_customer(
    db: AsyncSession,
    settings: Settings,
    cache: SessionCache,
    customer: Customer,
    channel: Channel,
    *,
    user_agent: str | None = None,
    new_customer: bool = False,
    identity_changed: bool = False,
) -> tuple[str, SessionContext]:
    """Join ``customer``'s active session (or create it) on ``channel``; returns a new token.

    For callers that have already established who the customer is: /session/start, login,
    signup, OTP and the WhatsApp webhook.
    """
    session, created, changed = await _join_or_create(
        db, settings, cache, customer.customer_id, channel, new_customer=new_customer
    )
    if changed or (identity_changed and not created):
        await mark_changed(db, cache, session.session_id)
    token, ctx = await _issue_token(db, session, customer, channel, user_agent)
    await activity.record(db, settings, ctx, JOIN)
    metrics.count_on_commit(
        db, metrics.SESSIONS_STARTED, channel=channel.value, new=str(created).lower()
    )
    if changed:
        metrics.count_on_commit(db, metrics.SESSION_CHANNELS_ADDED, channel=channel.value)
    log.info(
        "session.create.success",
        session_id=str(session.session_id),
        customer_id=customer.customer_id,
        phone=mask_phone(customer.phone),
        channel=channel.value,
        created=created,
    )
    return token, ctx


async def join_verified_phone(
    db: AsyncSession,
    settings: Settings,
    cache: SessionCache,
    phone: str,
    channel: Channel,
    *,
    user_agent: str | None = None,
) -> tuple[str, SessionContext, Customer]:
    """Join by a phone number that a trusted party has verified, without a password.

    Used by the signed WhatsApp webhook (WhatsApp verified the ``wa_id``) and by OTP login (the
    customer read the code we sent to the number).  Never reachable from a public endpoint on
    the caller's word alone.
    """
    phone = normalize_phone(phone)  # a WhatsApp wa_id comes without the "+"
    customer, new_customer = await customers.get_or_create_by_phone(db, phone, source=channel.value)
    token, ctx = await join_customer(
        db, settings, cache, customer, channel, user_agent=user_agent, new_customer=new_customer
    )
    return token, ctx, customer


async def devices(db: AsyncSession, customer_id: str) -> list[Any]:
    """The customer's signed-in devices (live tokens of the active session), newest first."""
    return await repository.live_tokens(db, customer_id)


async def revoke(
    db: AsyncSession,
    cache: SessionCache,
    customer_id: str,
    *,
    token_ids: list[uuid.UUID] | None = None,
    keep: uuid.UUID | None = None,
) -> int:
    """End devices: the given tokens, or every token of the customer but ``keep``."""
    now = clock.now()
    revoked = await repository.revoke_tokens(
        db, customer_id, token_ids=token_ids, keep=keep, now=now
    )
    for session_id in {session_id for _, session_id in revoked}:
        await mark_changed(db, cache, session_id)
    if revoked:
        log.info("session.tokens.revoked", customer_id=customer_id, count=len(revoked))
    return len(revoked)


async def restore_by_identity(
    db: AsyncSession,
    settings: Settings,
    cache: SessionCache,
    *,
    telegram_chat_id: int | None = None,
    customer_id: str | None = None,
    phone: str | None = None,
    channel: Channel | None = None,
    user_agent: str | None = None,
) -> tuple[str, SessionContext]:
    """For trusted callers: find a customer's active session by another identity; new token."""
    customer: Customer | None
    if telegram_chat_id is not None:
        customer = await customers.find_by_telegram(db, telegram_chat_id)
        channel = channel or Channel.telegram
    elif customer_id is not None:
        customer = await customers.get(db, customer_id)
    else:
        assert phone is not None
        customer = await customers.find_by_phone(db, phone)
    session = await repository.lock_active(db, customer.customer_id) if customer else None
    if customer is None or session is None or is_expired(session, clock.now(), settings):
        log.info("session.restore.not_found", reason="no_active_session", by="service")
        raise SessionNotFound()
    channel = channel or Channel(session.data["channels"][-1])
    if _join(session, channel, settings):
        await mark_changed(db, cache, session.session_id)
        metrics.count_on_commit(db, metrics.SESSION_CHANNELS_ADDED, channel=channel.value)
    token, ctx = await _issue_token(db, session, customer, channel, user_agent)
    await activity.record(db, settings, ctx, JOIN)
    return token, ctx


async def _resolve_customer(db: AsyncSession, request: SessionStart) -> tuple[Customer, bool]:
    """The customer the request identifies when no password was checked; True if created."""
    if request.phone is None:
        assert request.telegram_chat_id is not None
        return await customers.get_or_create_by_telegram(
            db, request.telegram_chat_id, source="telegram"
        )
    existing = await customers.find_by_phone(db, request.phone)
    if existing is not None and existing.password_hash is not None:
        log.warning("session.create.validation_failed", reason="password_required")
        raise InvalidCredentials()
    if existing is not None:
        return existing, False
    if request.customer_id is not None:
        # Never create a record for a phone while the caller claims some other customer's id.
        raise CustomerMismatch(field="customer_id")
    return await customers.create_unless_taken(db, "phone", request.phone, source="session")


async def _join_or_create(
    db: AsyncSession,
    settings: Settings,
    cache: SessionCache,
    customer_id: str,
    channel: Channel,
    *,
    new_customer: bool,
) -> tuple[ConversationSession, bool, bool]:
    """The customer's active session, and whether it was created and whether it changed."""
    now = clock.now()
    if new_customer:
        # Nobody else can see an uncommitted customer, so nobody can have given it a session.
        fresh = ConversationSession(
            session_id=uuid.uuid4(),
            customer_id=customer_id,
            is_active=True,
            data=empty_data(channel.value),
            created_at=now,
            updated_at=now,
            last_activity_at=now,
        )
        db.add(fresh)
        return fresh, True, False
    session = await repository.lock_active(db, customer_id)
    if session is not None and is_expired(session, now, settings):
        session.is_active = False
        session.ended_at = now
        session.end_reason = "expired"
        await mark_changed(db, cache, session.session_id)
        await db.flush()
        log.info("session.expired", session_id=str(session.session_id))
        session = None
    if session is not None:
        log.info("session.create.existing", session_id=str(session.session_id))
        return session, False, _join(session, channel, settings)
    new_id = uuid.uuid4()
    await repository.insert_active_unless_exists(
        db,
        {
            "session_id": new_id,
            "customer_id": customer_id,
            "is_active": True,
            "data": empty_data(channel.value),
            "created_at": now,
            "updated_at": now,
            "last_activity_at": now,
        },
    )
    # Re-read under lock: if a concurrent start won the insert, this is its session.
    session = await repository.lock_active(db, customer_id)
    assert session is not None, "active session insert left no row"
    if session.session_id == new_id:
        return session, True, False
    return session, False, _join(session, channel, settings)


def _join(session: ConversationSession, channel: Channel, settings: Settings) -> bool:
    """Record that ``channel`` takes part now; True if that changed what the API shows.

    Activity is written at most every SESSION_TOUCH_SECONDS, like any authenticated call, so a
    returning device on a known channel usually leaves the session row untouched.
    """
    now = clock.now()
    if touch_due(session.last_activity_at, now, settings):
        session.last_activity_at = now
    channels = list(session.data.get("channels", []))
    if channel.value in channels:
        return False
    channels.append(channel.value)
    session.data = {**session.data, "channels": channels}
    session.updated_at = now
    log.info("session.channel.added", session_id=str(session.session_id), channel=channel.value)
    return True


async def _issue_token(
    db: AsyncSession,
    session: ConversationSession,
    customer: Customer,
    channel: Channel,
    user_agent: str | None,
) -> tuple[str, SessionContext]:
    token = new_session_token()
    token_id = uuid.uuid4()
    now = clock.now()
    await db.flush()
    await repository.add_token(
        db,
        token_id=token_id,
        token_hash=hash_token(token),
        session_id=session.session_id,
        customer_id=customer.customer_id,
        channel=channel.value,
        user_agent=(user_agent or "")[:256] or None,
        created_at=now,
        last_used_at=now,
    )
    return token, SessionContext(
        SessionState.of(session),
        token_id,
        channel.value,
        customer.phone,
        customer.telegram_chat_id,
        now,
    )


async def announce_customer_changes(db: AsyncSession, customer_ids: Iterable[str]) -> None:
    """Tell every server process that these customers' records changed (staff tools, imports).

    On PostgreSQL their sessions' cached copies are dropped at commit; on SQLite (one server
    process) they age out within SESSION_CACHE_SECONDS.
    """
    if db.get_bind().dialect.name != "postgresql":
        return
    for session_id in await repository.active_session_ids(db, list(customer_ids)):
        await repository.notify_changed(db, session_id)


async def purge_expired(db: AsyncSession, settings: Settings) -> int:
    """Delete sessions (and their tokens) that ended or ran out of time.

    Cached copies need no invalidation: they are judged expired by the same clock.
    """
    idle, max_age, touch = limits(settings)
    now = clock.now()
    removed = await repository.delete_expired(
        db, idle_cutoff=now - idle - touch, absolute_cutoff=now - max_age
    )
    log.info("session.purge.done", removed=removed)
    return removed
