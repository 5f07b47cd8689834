"""Helpers for the account tests: sign up, log in and read codes as a client would."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select, text

from tests.factories import new_phone
from threadline.customers.models import Customer

# zxcvbn scores each of these 4 (of 4); none is all digits, and each is 8–72 characters.
_strong = itertools.count(1)
TABLES = ("customers", "sessions", "session_tokens", "otp_codes", "auth_throttle")


def strong_password() -> str:
    """A fresh password that the strength rules accept."""
    return f"violet-harbor-lantern-{next(_strong):03d}"


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """The contract's error body with this status (and code)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert isinstance(error["code"], str)
    assert error["code"]
    assert isinstance(error["message"], str)
    assert error["message"]
    if code is not None:
        assert error["code"] == code, body
    return error


async def signup(
    client: httpx.AsyncClient,
    phone: str | None = None,
    password: str | None = None,
    *,
    name: str = "Asha Rao",
    channel: str = "web",
    **extra: Any,
) -> dict[str, Any]:
    """Sign up and return the 201 body plus the ``password`` used."""
    body = {
        "phone": phone or new_phone(),
        "password": password or strong_password(),
        "name": name,
        "channel": channel,
        **extra,
    }
    response = await client.post("/auth/signup", json=body)
    assert response.status_code == 201, response.text
    return {**response.json(), "password": body["password"]}


async def login(
    client: httpx.AsyncClient,
    phone: str,
    password: str,
    channel: str = "web",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    return await client.post(
        "/auth/login",
        json={"phone": phone, "password": password, "channel": channel},
        headers=headers,
    )


def outbox_codes(data_dir: Path, phone: str) -> list[str]:
    """Every code the dev sender has written for ``phone``, oldest first."""
    path = data_dir / "dev-outbox.jsonl"
    if not path.exists():
        return []
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [line["code"] for line in lines if line["to"] == phone]


async def request_code(client: httpx.AsyncClient, data_dir: Path, phone: str) -> str:
    """Ask for a login code and read it from the dev outbox."""
    response = await client.post("/auth/otp/request", json={"phone": phone, "channel": "web"})
    assert response.status_code == 202, response.text
    return outbox_codes(data_dir, phone)[-1]


async def verify(
    client: httpx.AsyncClient, phone: str, code: str, channel: str = "web"
) -> httpx.Response:
    return await client.post(
        "/auth/otp/verify", json={"phone": phone, "code": code, "channel": channel}
    )


def other_code(code: str) -> str:
    """A 6-digit code that is certainly not ``code``."""
    return f"{(int(code) + 1) % 10**6:06d}"


async def stored_password_hash(app: FastAPI, phone: str) -> str | None:
    async with app.state.sessionmaker() as db:
        stmt = select(Customer.password_hash).where(Customer.phone == phone)
        return (await db.execute(stmt)).scalar_one_or_none()


async def dump_store(app: FastAPI) -> str:
    """Every value of every row of the account tables, as one searchable text."""
    parts: list[str] = []
    async with app.state.sessionmaker() as db:
        for table in TABLES:
            rows = (await db.execute(text(f"SELECT * FROM {table}"))).all()
            for row in rows:
                parts.extend(repr(value) for value in row)
                parts.extend(str(value) for value in row)
    return "\n".join(parts)
