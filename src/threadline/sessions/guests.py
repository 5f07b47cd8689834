"""Guest sessions, and what happens to a guest's cart when the shopper logs in.

A guest is a customer record with no phone (``source="guest"``), so a guest session is an
ordinary session and ``customer_id`` is never null.  When the shopper then logs in (password,
signup or OTP) from the same device, sending the guest token along, the guest's cart lines and
recently viewed products move into the customer's session and the guest session ends; so
does the guest's channel activity, so the dashboard sees one shopper from chat to order.
"""

from __future__ import annotations

import copy
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from threadline.activity import service as activity
from threadline.config import Settings
from threadline.core import metrics
from threadline.core.clock import clock
from threadline.core.types import Channel
from threadline.customers import service as customers
from threadline.sessions import access, repository
from threadline.sessions import service as sessions
from threadline.sessions.cache import SessionCache
from threadline.sessions.errors import SessionNotFound
from threadline.sessions.service import RECENT_LIMIT
from threadline.sessions.state import SessionContext, SessionState

log = structlog.get_logger()


async def start_guest(
    db: AsyncSession,
    settings: Settings,
    cache: SessionCache,
    channel: Channel,
    *,
    user_agent: str | None = None,
) -> tuple[str, SessionContext]:
    customer = await customers.create_guest(db)
    return await sessions.join_customer(
        db, settings, cache, customer, channel, user_agent=user_agent, new_customer=True
    )


def merge_cart(into: list[Any], extra: list[Any]) -> list[Any]:
    """The customer's lines, with the guest's added: the same sku and size add up their qty."""
    merged = copy.deepcopy(into)
    index = {
        (line.get("sku"), line.get("size")): line
        for line in merged
        if isinstance(line, dict) and line.get("sku")
    }
    for line in extra:
        key = (line.get("sku"), line.get("size")) if isinstance(line, dict) else None
        if key in index and key is not None:
            index[key]["qty"] = int(index[key].get("qty", 1)) + int(line.get("qty", 1))
        else:
            merged.append(copy.deepcopy(line))
    return merged


async def merge_into(
    db: AsyncSession,
    settings: Settings,
    cache: SessionCache,
    guest_token: str,
    target: SessionContext,
) -> bool:
    """Move a guest session's cart and recent items into ``target``'s session; end the guest.

    Does nothing (False) unless ``guest_token`` is a live token of a guest's session: a token
    of another real customer is never merged, and never reused.
    """
    try:
        guest = await access.authenticate(db, settings, cache, guest_token)
    except SessionNotFound:
        return False
    guest_id, target_id = guest.session.session_id, target.session.session_id
    owner = await customers.get(db, guest.session.customer_id)
    if guest_id == target_id or owner is None or owner.source != "guest":
        return False
    # Lock both rows in one fixed order, so two merges can never wait on each other.
    rows = {sid: await repository.lock(db, sid) for sid in sorted((guest_id, target_id))}
    guest_row, target_row = rows[guest_id], rows[target_id]
    if guest_row is None or target_row is None:
        return False
    now = clock.now()
    data = copy.deepcopy(target_row.data)
    data["cart"] = merge_cart(data.get("cart", []), guest_row.data.get("cart", []))
    recent = [*guest_row.data.get("recent", []), *data.get("recent", [])]
    data["recent"] = list(dict.fromkeys(recent))[:RECENT_LIMIT]
    target_row.data = data
    target_row.updated_at = now
    guest_row.is_active = False
    guest_row.ended_at = now
    guest_row.end_reason = "merged"
    await activity.move_session(
        db, source=guest_id, target=target_id, customer_id=target.session.customer_id
    )
    await sessions.revoke(db, cache, owner.customer_id)
    await access.mark_changed(db, cache, target_id)
    await db.flush()
    target.session = SessionState.of(target_row)
    if guest_row.data.get("cart"):
        metrics.count_on_commit(db, metrics.CART_WRITES, channel=target.channel, operation="merge")
    log.info("session.guest.merged", guest=str(guest_id), into=str(target_id))
    return True
