"""Concurrent writers: nothing lost, nothing doubled (on both stores)."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from tests.factories import auth, new_phone, start
from threadline.customers.models import Customer
from threadline.sessions.models import ConversationSession


async def test_concurrent_writes_from_two_devices_all_survive(client: httpx.AsyncClient):
    phone = new_phone()
    kiosk = (await start(client, phone, "kiosk"))["session_token"]
    web = (await start(client, phone, "web"))["session_token"]
    skus = [f"SKU-{i:03d}" for i in range(30)]

    responses = await asyncio.gather(
        *(
            client.post("/session/recent", json={"sku": sku}, headers=auth((kiosk, web)[i % 2]))
            for i, sku in enumerate(skus)
        )
    )

    assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
    final = (await client.get("/session", headers=auth(kiosk))).json()
    assert sorted(final["data"]["recent"]) == skus


async def test_concurrent_first_starts_of_one_phone_make_one_customer_and_session(
    client: httpx.AsyncClient, app: FastAPI
):
    phone = new_phone()
    channels = ["web", "kiosk", "app", "whatsapp", "telegram"] * 4

    responses = await asyncio.gather(
        *(client.post("/session/start", json={"phone": phone, "channel": c}) for c in channels)
    )

    assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
    sessions = {r.json()["session"]["session_id"] for r in responses}
    customers = {r.json()["session"]["customer_id"] for r in responses}
    tokens = {r.json()["session_token"] for r in responses}
    assert len(sessions) == 1
    assert len(customers) == 1
    assert len(tokens) == len(channels)
    async with app.state.sessionmaker() as db:
        rows = await db.execute(
            select(func.count()).select_from(Customer).where(Customer.phone == phone)
        )
        assert rows.scalar_one() == 1
        active = await db.execute(
            select(func.count())
            .select_from(ConversationSession)
            .where(
                ConversationSession.customer_id == customers.pop(),
                ConversationSession.is_active.is_(True),
            )
        )
        assert active.scalar_one() == 1
    final = (await client.get("/session", headers=auth(tokens.pop()))).json()
    assert sorted(final["data"]["channels"]) == sorted(set(channels))
