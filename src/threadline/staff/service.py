"""Staff accounts and sign-ins, kept apart from customers.

A staff user has a username and an argon2id password (the customers' rules and hashing); a
sign-in is a random token (``tls_`` + 256 bits) of which only the SHA-256 is stored, valid for
``STAFF_SESSION_HOURS`` from signing in.  Staff tokens live in ``staff_sessions`` and customer
tokens in ``session_tokens``: neither table is ever asked about the other's tokens, so a
customer's token opens nothing here and a staff token is no customer session.

Signing in is throttled like customers' logins (per username and per client address, counted
in the store before the password is checked, see ``auth.throttle``), which is why
:func:`login` runs its own short units of work instead of the request's: the attempt must be
committed before the check, and on SQLite no write connection may be held meanwhile.
"""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from threadline.auth import passwords, throttle
from threadline.config import Settings
from threadline.core.clock import clock
from threadline.core.security import hash_password, hash_token, verify_password
from threadline.db import Stores, session_scope
from threadline.staff.errors import (
    InvalidStaffCredentials,
    InvalidUsername,
    StaffExists,
    StaffLoginRequired,
    StaffNotFound,
)
from threadline.staff.models import StaffSession, StaffUser

log = structlog.get_logger()

TOKEN_PREFIX = "tls_"
USERNAME_LIMIT = 5
ADDRESS_LIMIT = 20
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,31}")


@dataclass(frozen=True, slots=True)
class StaffIdentity:
    """A signed-in staff user, as a request sees them."""

    staff_id: uuid.UUID
    username: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class SignIn:
    token: str
    identity: StaffIdentity


def normalise_username(username: str) -> str:
    name = username.strip().lower()
    if not _USERNAME.fullmatch(name):
        raise InvalidUsername(field="username")
    return name


async def create(
    db: AsyncSession, settings: Settings, *, username: str, password: str
) -> StaffUser:
    """A new staff user; 409 ``staff_exists`` when the name is taken, 422 for a weak password."""
    name = normalise_username(username)
    passwords.check_strength(password, user_inputs=[name])
    if await _by_name(db, name) is not None:
        raise StaffExists(field="username")
    user = StaffUser(
        staff_id=uuid.uuid4(),
        username=name,
        password_hash=await hash_password(passwords.hasher(settings), password),
        created_at=clock.now(),
    )
    db.add(user)
    try:
        await db.flush()
    except IntegrityError:  # created by someone else since the check above
        raise StaffExists(field="username") from None
    log.info("staff.created", username=name)
    return user


async def list_all(db: AsyncSession) -> list[StaffUser]:
    return list((await db.scalars(select(StaffUser).order_by(StaffUser.username))).all())


async def set_disabled(db: AsyncSession, username: str, *, disabled: bool) -> int:
    """Disable (ending every sign-in; returns how many) or enable a staff user."""
    user = await _by_name(db, username.strip().lower())
    if user is None:
        raise StaffNotFound(field="username")
    user.disabled_at = clock.now() if disabled else None
    ended = 0
    if disabled:
        result = await db.execute(
            delete(StaffSession).where(StaffSession.staff_id == user.staff_id)
        )
        ended = int(result.rowcount or 0)  # type: ignore[attr-defined]
    log.info("staff.disabled" if disabled else "staff.enabled", username=user.username)
    return ended


async def login(
    stores: Stores, settings: Settings, *, username: str, password: str, client_ip: str | None
) -> SignIn:
    """A new sign-in, or 401 ``invalid_credentials`` (429 ``too_many_attempts`` when throttled).

    An unknown, disabled or wrong username and a wrong password are indistinguishable: the same
    answer after the same argon2 work.
    """
    name = username.strip().lower()[:64]
    if not _USERNAME.fullmatch(name):
        # No user can have such a name (see normalise_username): nothing to look up or count.
        raise InvalidStaffCredentials()
    rules = [throttle.Rule(f"staff:user:{name}", USERNAME_LIMIT)]
    if client_ip:
        rules.append(throttle.Rule(f"staff:ip:{client_ip}", ADDRESS_LIMIT))
    await throttle.attempt(stores.write, rules)
    async with session_scope(stores.read) as reader:
        user = await _by_name(reader, name)
    usable = user is not None and user.disabled_at is None
    hasher = passwords.hasher(settings)
    matches = await verify_password(
        hasher, user.password_hash if usable and user else None, password
    )
    if user is None or not usable or not matches:
        log.warning("staff.login.failed", username=name, known=user is not None)
        raise InvalidStaffCredentials()
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    expires_at = now + timedelta(hours=settings.staff_session_hours)
    async with session_scope(stores.write) as db:
        await throttle.succeeded(db, rules)
        # Sign-ins end on their own; clearing the ended ones here keeps the table small.
        await db.execute(delete(StaffSession).where(StaffSession.expires_at <= now))
        db.add(
            StaffSession(
                token_hash=hash_token(token),
                staff_id=user.staff_id,
                created_at=now,
                expires_at=expires_at,
            )
        )
        values: dict[str, object] = {"last_login_at": now}
        if hasher.check_needs_rehash(user.password_hash):
            values["password_hash"] = await hash_password(hasher, password)
        await db.execute(
            update(StaffUser).where(StaffUser.staff_id == user.staff_id).values(**values)
        )
    log.info("staff.login.success", username=name)
    return SignIn(token, StaffIdentity(user.staff_id, user.username, expires_at))


async def authenticate(db: AsyncSession, token: str | None) -> StaffIdentity:
    """The staff user signed in with ``token``, or 401 ``staff_login_required``."""
    # A customer's token ("tl_…") is refused before any lookup; it would not be found anyway.
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 128:
        raise StaffLoginRequired()
    row = (
        await db.execute(
            select(StaffUser.staff_id, StaffUser.username, StaffSession.expires_at)
            .join(StaffUser, StaffUser.staff_id == StaffSession.staff_id)
            .where(
                StaffSession.token_hash == hash_token(token),
                StaffSession.expires_at > clock.now(),
                StaffUser.disabled_at.is_(None),
            )
        )
    ).first()
    if row is None:
        raise StaffLoginRequired()
    return StaffIdentity(row.staff_id, row.username, row.expires_at)


async def logout(db: AsyncSession, token: str | None) -> None:
    """End the sign-in of ``token`` (nothing happens for an unknown one)."""
    if token and token.startswith(TOKEN_PREFIX):
        await db.execute(delete(StaffSession).where(StaffSession.token_hash == hash_token(token)))


async def _by_name(db: AsyncSession, name: str) -> StaffUser | None:
    user: StaffUser | None = await db.scalar(select(StaffUser).where(StaffUser.username == name))
    return user
