"""Accounts: signup, password login, logout, devices and password changes.

Passwords are argon2id hashes, checked in a bounded thread pool (``core.security``) after the
read transaction has ended, so a slow hash never holds a store connection.  Every password
check, wherever it happens (/auth/login, /session/start, /auth/password), goes through
:func:`check_password` and its throttle.
"""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from threadline.auth import passwords, throttle
from threadline.auth.errors import AlreadyRegistered, DeviceNotFound
from threadline.config import Settings
from threadline.core.phone import mask_phone
from threadline.core.security import hash_password, verify_password
from threadline.core.types import Channel
from threadline.customers import service as customers
from threadline.customers.errors import InvalidCredentials
from threadline.customers.models import Customer
from threadline.db import Stores, session_scope
from threadline.sessions import service as sessions
from threadline.sessions.cache import SessionCache
from threadline.sessions.state import SessionContext

log = structlog.get_logger()

PHONE_LIMIT = 5
ADDRESS_LIMIT = 20


def login_rules(phone: str, client_ip: str | None) -> list[throttle.Rule]:
    rules = [throttle.Rule(f"login:phone:{phone}", PHONE_LIMIT)]
    if client_ip:
        rules.append(throttle.Rule(f"login:ip:{client_ip}", ADDRESS_LIMIT))
    return rules


async def check_password(
    db: AsyncSession,
    stores: Stores,
    settings: Settings,
    *,
    phone: str,
    password: str | None,
    client_ip: str | None,
) -> Customer | None:
    """The customer with this phone if ``password`` is theirs; else 401 (or 429 when throttled).

    ``password=None`` (a /session/start without one) is fine for a customer who has no
    password, and answers None; for one who has, it is a 401 that the throttle does not count.  An unknown phone, a customer without a password and a wrong
    password are indistinguishable: same error, same argon2 work.  The reads go through the
    read-only store, so no write connection is held while argon2 runs.
    """
    rules = login_rules(phone, client_ip)
    # Release any write connection the caller's unit of work holds (on SQLite there is one):
    # argon2 is slow, and a failure is recorded in a transaction of its own.
    await db.commit()
    async with session_scope(stores.read) as reader:
        customer = await customers.find_by_phone(reader, phone)
        stored = customer.password_hash if customer else None
        if password is None and stored is None:
            return None
    if password is None:
        # No password given to a customer who has one: refused, but it is no guess, so it
        # is not counted (a shop's kiosk asks this for every shopper before asking for the
        # password; counting it would soon lock the kiosk's address out).
        log.info("auth.login.password_needed", phone=mask_phone(phone))
        raise InvalidCredentials()
    await throttle.attempt(stores.write, rules)
    hasher = passwords.hasher(settings)
    # Always hash, even for an unknown phone, so the answer takes the same time either way.
    matches = await verify_password(hasher, stored, password or "")
    if customer is None or not matches:
        log.warning("auth.login.failed", phone=mask_phone(phone))
        raise InvalidCredentials()
    # Committed on its own: a correct password stays a success whatever fails after it.
    async with session_scope(stores.write) as writer:
        await throttle.succeeded(writer, rules)
    # Hashing parameters changed since this hash was made: upgrade it while we have the
    # password in hand (hashed before the caller's unit of work is opened again below).
    rehashed = None
    if stored and hasher.check_needs_rehash(stored):
        rehashed = await hash_password(hasher, password or "")
    # The caller goes on in its own unit of work (linking a Telegram chat, a new password):
    # it gets the customer as that unit of work sees it, not the read store's closed copy.
    customer = await customers.get(db, customer.customer_id)
    if customer is None:  # removed while the password was being checked
        raise InvalidCredentials()
    if rehashed is not None:
        await customers.set_password_hash(db, customer, rehashed)
        log.info("auth.password.rehashed", customer_id=customer.customer_id)
    return customer


async def signup(
    db: AsyncSession,
    settings: Settings,
    cache: SessionCache,
    *,
    phone: str,
    password: str,
    name: str,
    email: str | None,
    channel: Channel,
    user_agent: str | None,
) -> tuple[str, SessionContext, Customer]:
    """Create an account, or give a known customer (e.g. imported) a password."""
    passwords.check_strength(password, user_inputs=[name, email or "", phone])
    hashed = await hash_password(passwords.hasher(settings), password)
    customer, new_customer = await customers.get_or_create_by_phone(db, phone, source="signup")
    # Conditional on "no password yet", so two racing signups cannot both claim the phone.
    if not await customers.claim_account(db, customer, hashed, name=name, email=email):
        raise AlreadyRegistered(field="phone")
    token, ctx = await sessions.join_customer(
        db,
        settings,
        cache,
        customer,
        channel,
        user_agent=user_agent,
        new_customer=new_customer,
        identity_changed=True,
    )
    if not new_customer:
        # Tokens issued while the record had no password (e.g. a phone-only /session/start)
        # must not outlive the account being claimed.
        await sessions.revoke(db, cache, customer.customer_id, keep=ctx.token_id)
    log.info("auth.signup", customer_id=customer.customer_id, existing=not new_customer)
    return token, ctx, customer


async def change_password(
    db: AsyncSession,
    stores: Stores,
    settings: Settings,
    cache: SessionCache,
    ctx: SessionContext,
    *,
    current: str,
    new: str,
    client_ip: str | None,
) -> int:
    """Replace the password and end every other device; returns how many were ended."""
    customer = await customers.get(db, ctx.session.customer_id)
    if customer is None or customer.phone is None:
        raise InvalidCredentials()
    # Judge the new password first: a weak one must not cost an attempt of the current one.
    passwords.check_strength(new, user_inputs=[customer.name or "", customer.phone or ""])
    verified = await check_password(
        db, stores, settings, phone=customer.phone, password=current, client_ip=client_ip
    )
    assert verified is not None  # a password was given, so it was checked
    customer = verified
    await customers.set_password_hash(
        db, customer, await hash_password(passwords.hasher(settings), new)
    )
    ended = await sessions.revoke(db, cache, customer.customer_id, keep=ctx.token_id)
    log.info("auth.password.changed", customer_id=customer.customer_id, devices_ended=ended)
    return ended


async def logout(
    db: AsyncSession, cache: SessionCache, ctx: SessionContext, *, all_devices: bool
) -> None:
    token_ids = None if all_devices else [ctx.token_id]
    await sessions.revoke(db, cache, ctx.session.customer_id, token_ids=token_ids)
    log.info("auth.logout", session_id=str(ctx.session.session_id), all_devices=all_devices)


async def list_devices(db: AsyncSession, ctx: SessionContext) -> list[dict[str, Any]]:
    rows = await sessions.devices(db, ctx.session.customer_id)
    return [
        {
            "id": row.token_id,
            "channel": row.channel,
            "user_agent": row.user_agent,
            "created_at": row.created_at,
            "last_used_at": max(row.last_used_at, ctx.token_used_at)
            if row.token_id == ctx.token_id
            else row.last_used_at,
            "current": row.token_id == ctx.token_id,
        }
        for row in rows
    ]


async def end_device(
    db: AsyncSession, cache: SessionCache, ctx: SessionContext, device_id: uuid.UUID
) -> None:
    ended = await sessions.revoke(db, cache, ctx.session.customer_id, token_ids=[device_id])
    if not ended:
        raise DeviceNotFound()
