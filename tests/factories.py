"""Helpers that make test data through the public API or the services, as a client would."""

from __future__ import annotations

import itertools
from typing import Any

import httpx

from threadline.core.security import hash_password, password_hasher
from threadline.customers.models import Customer

_counter = itertools.count(1)


def new_phone() -> str:
    """A fresh, valid Indian mobile number in E.164."""
    return f"+9177{next(_counter):08d}"


async def start(
    client: httpx.AsyncClient, phone: str | None = None, channel: str = "kiosk", **extra: Any
) -> dict[str, Any]:
    body = {"phone": phone or new_phone(), "channel": channel, **extra}
    response = await client.post("/session/start", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def auth(token: str) -> dict[str, str]:
    return {"X-Session-Token": token}


async def set_password(app: Any, phone: str, password: str) -> None:
    """Give the customer with ``phone`` a password (signup arrives with the accounts issue)."""
    from sqlalchemy import update

    settings = app.state.settings
    hasher = password_hasher(
        settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism
    )
    hashed = await hash_password(hasher, password)
    async with app.state.sessionmaker() as db:
        await db.execute(
            update(Customer).where(Customer.phone == phone).values(password_hash=hashed)
        )
        await db.commit()
