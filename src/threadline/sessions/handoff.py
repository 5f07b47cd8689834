"""Handing a conversation to another device: the kiosk shows a QR code, the phone opens it.

``create`` issues a ticket for the caller's session: 256 random bits, stored only as a hash,
valid for ``HANDOFF_MINUTES``, good for one use, and only while the device that showed it is
still signed in (a kiosk that times out takes its code with it).  The QR code encodes the website's address
with the ticket (``/?handoff=…``); the page redeems it and joins the same session on its own
channel with its own token, as if the shopper had logged in there.  Redeeming is one
conditional update, so two phones scanning the same code cannot both get in.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import segno
import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from threadline.config import Settings
from threadline.core import metrics
from threadline.core.clock import clock
from threadline.core.security import hash_token
from threadline.core.types import Channel
from threadline.customers import service as customers
from threadline.sessions import repository, service
from threadline.sessions.cache import SessionCache
from threadline.sessions.errors import HandoffNotFound
from threadline.sessions.models import HandoffToken, SessionToken
from threadline.sessions.state import SessionContext, is_expired

log = structlog.get_logger()

HANDOFF_MINUTES = 5
PREFIX = "tlh_"


async def create(db: AsyncSession, ctx: SessionContext, *, base_url: str) -> dict[str, Any]:
    """A one-use ticket to ``ctx``'s session, its link and the link as a QR code (SVG)."""
    token = PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    expires = now + timedelta(minutes=HANDOFF_MINUTES)
    db.add(
        HandoffToken(
            token_hash=hash_token(token),
            session_id=ctx.session.session_id,
            customer_id=ctx.session.customer_id,
            from_channel=ctx.channel,
            token_id=ctx.token_id,
            created_at=now,
            expires_at=expires,
        )
    )
    await db.flush()
    url = f"{base_url.rstrip('/')}/?handoff={quote(token)}"
    qr = segno.make(url, error="m")
    metrics.count_on_commit(db, metrics.HANDOFFS, stage="created", channel=ctx.channel)
    log.info("session.handoff.created", session_id=str(ctx.session.session_id))
    return {
        "handoff_token": token,
        "url": url,
        "expires_at": expires,
        "qr_svg": qr.svg_inline(scale=5, border=2, title="Scan to continue on your phone"),
    }


async def status(db: AsyncSession, ctx: SessionContext) -> dict[str, Any]:
    """The latest ticket this device made: waiting, used (and on which channel) or expired."""
    row = await db.scalar(
        select(HandoffToken)
        .where(HandoffToken.token_id == ctx.token_id)
        .order_by(HandoffToken.created_at.desc())
        .limit(1)
    )
    if row is None:
        raise HandoffNotFound()
    if row.used_at is not None:
        state = "used"
    elif row.expires_at <= clock.now():
        state = "expired"
    else:
        state = "waiting"
    return {"state": state, "expires_at": row.expires_at, "used_channel": row.used_channel}


async def redeem(
    db: AsyncSession,
    settings: Settings,
    cache: SessionCache,
    token: str,
    channel: Channel,
    *,
    user_agent: str | None,
) -> tuple[str, SessionContext]:
    """Join the ticket's session on ``channel`` with a new token; the ticket is then spent."""
    now = clock.now()
    spent = (
        await db.execute(
            update(HandoffToken)
            .where(
                HandoffToken.token_hash == hash_token(token),
                HandoffToken.used_at.is_(None),
                HandoffToken.expires_at > now,
            )
            .values(used_at=now, used_channel=channel.value)
            .returning(HandoffToken.session_id, HandoffToken.customer_id, HandoffToken.token_id)
        )
    ).first()
    if spent is None:
        raise HandoffNotFound(field="handoff_token")
    session = await repository.lock(db, spent.session_id)
    customer = await customers.get(db, spent.customer_id)
    shown_by = await db.get(SessionToken, spent.token_id)
    if (
        session is None
        or customer is None
        or is_expired(session, now, settings)
        or shown_by is None
        or shown_by.revoked_at is not None
    ):
        raise HandoffNotFound(field="handoff_token")  # the kiosk logged out meanwhile
    issued = await service.join_customer(
        db, settings, cache, customer, channel, user_agent=user_agent
    )
    metrics.count_on_commit(db, metrics.HANDOFFS, stage="redeemed", channel=channel.value)
    log.info("session.handoff.redeemed", session_id=str(spent.session_id), channel=channel.value)
    return issued
