"""One-time login codes: 6 digits, 5 minutes, single use, at most 5 tries, stored hashed.

Delivery goes through a :class:`MessageSender`: :class:`DevOutboxSender` appends the code to a
file in the data folder (for development; the code never enters the log), and
:class:`WhatsAppSender` sends it through the WhatsApp Cloud API.
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Protocol

import httpx
import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from threadline.auth import passwords, throttle
from threadline.auth.errors import DeliveryFailed, InvalidCode
from threadline.auth.models import OtpCode
from threadline.config import Settings
from threadline.core.clock import clock
from threadline.core.phone import mask_phone
from threadline.core.security import hash_password, verify_password
from threadline.db import session_scope

log = structlog.get_logger()

CODE_LIFETIME = timedelta(minutes=5)
MAX_TRIES = 5
REQUESTS_PER_WINDOW = 3


class MessageSender(Protocol):
    """Delivers a login code to a phone."""

    async def send_code(self, phone: str, code: str) -> None: ...


class DevOutboxSender:
    """Development delivery: one JSON line per code in ``<DATA_DIR>/dev-outbox.jsonl``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    async def send_code(self, phone: str, code: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"at": clock.now().isoformat(), "to": phone, "code": code})
        with self.path.open("a", encoding="utf-8") as outbox:
            outbox.write(line + "\n")
        log.info("otp.sent", to=mask_phone(phone), via="dev-outbox", outbox=str(self.path))


class WhatsAppSender:
    """Delivery as a WhatsApp text message through the Cloud API (``/{phone-number-id}/messages``)."""

    def __init__(self, client: httpx.AsyncClient, *, base_url: str, token: str, number_id: str):
        self.client = client
        self.url = f"{base_url.rstrip('/')}/{number_id}/messages"
        self.token = token

    async def send_code(self, phone: str, code: str) -> None:
        body = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": phone.lstrip("+"),
            "type": "text",
            "text": {"body": f"{code} is your Threadline login code. It expires in 5 minutes."},
        }
        response = await self.client.post(
            self.url, json=body, headers={"Authorization": f"Bearer {self.token}"}, timeout=10
        )
        response.raise_for_status()
        log.info("otp.sent", to=mask_phone(phone), via="whatsapp")


def request_rule(phone: str) -> throttle.Rule:
    # After the 3rd request within 15 minutes the phone waits 15 minutes.
    return throttle.Rule(f"otp:request:{phone}", REQUESTS_PER_WINDOW, base=timedelta(minutes=15))


def verify_rules(phone: str, client_ip: str | None) -> list[throttle.Rule]:
    rules = [throttle.Rule(f"otp:verify:{phone}", MAX_TRIES)]
    if client_ip:
        rules.append(throttle.Rule(f"otp:verify-ip:{client_ip}", 20))
    return rules


async def request_code(
    db: AsyncSession,
    maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    sender: MessageSender,
    phone: str,
) -> None:
    """Issue a code for ``phone`` (earlier unused codes stop working) and send it."""
    # Every request counts (not just failures): each may be a paid message.
    await throttle.attempt(maker, [request_rule(phone)])
    code = f"{secrets.randbelow(10**6):06d}"
    now = clock.now()
    await db.execute(
        update(OtpCode)
        .where(OtpCode.phone == phone, OtpCode.consumed_at.is_(None))
        .values(consumed_at=now)
    )
    db.add(
        OtpCode(
            phone=phone,
            code_hash=await hash_password(passwords.hasher(settings), code),
            created_at=now,
            expires_at=now + CODE_LIFETIME,
            attempts=0,
        )
    )
    # Commit before sending, so the code can be verified the moment it arrives and no store
    # lock is held while the message provider answers.
    await db.commit()
    try:
        await sender.send_code(phone, code)
    except (httpx.HTTPError, OSError) as exc:
        log.error("otp.send.failed", to=mask_phone(phone), error=type(exc).__name__)
        raise DeliveryFailed() from None


async def verify_code(
    db: AsyncSession,
    maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    phone: str,
    code: str,
    client_ip: str | None,
) -> None:
    """Consume the phone's live code if ``code`` matches; else 401 invalid_code (or 429)."""
    rules = verify_rules(phone, client_ip)
    await throttle.attempt(maker, rules)
    now = clock.now()
    stmt = (
        select(OtpCode)
        .where(OtpCode.phone == phone, OtpCode.consumed_at.is_(None), OtpCode.expires_at > now)
        .order_by(OtpCode.created_at.desc())
        .limit(1)
    )
    live = (await db.execute(stmt)).scalar_one_or_none()
    stored = live.code_hash if live is not None and live.attempts < MAX_TRIES else None
    otp_id = live.otp_id if live is not None else None
    await db.commit()  # end the read before hashing
    if not await verify_password(passwords.hasher(settings), stored, code):
        if otp_id is not None:
            async with session_scope(maker) as counting:
                await counting.execute(
                    update(OtpCode)
                    .where(OtpCode.otp_id == otp_id)
                    .values(attempts=OtpCode.attempts + 1)
                )
        log.warning("otp.verify.failed", phone=mask_phone(phone))
        raise InvalidCode(field="code")
    # Single use: only one request can flip consumed_at from NULL.
    result = await db.execute(
        update(OtpCode)
        .where(OtpCode.otp_id == otp_id, OtpCode.consumed_at.is_(None))
        .values(consumed_at=now)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise InvalidCode(field="code")
    await throttle.succeeded(db, rules)
