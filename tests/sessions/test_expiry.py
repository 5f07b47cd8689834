"""Sliding 7-day expiry, the absolute lifetime and purging."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from tests.conftest import make_settings, running
from tests.factories import auth, start
from threadline.core.clock import clock
from threadline.sessions import service
from threadline.sessions.models import ConversationSession, SessionToken


async def test_activity_keeps_session_alive_past_seven_days(client: httpx.AsyncClient):
    token = (await start(client))["session_token"]
    for _ in range(3):  # 15 days in all, never 7 idle
        clock.advance(timedelta(days=5))
        assert (await client.get("/session", headers=auth(token))).status_code == 200


async def test_session_expires_after_seven_idle_days(client: httpx.AsyncClient):
    first = await start(client)
    clock.advance(timedelta(days=7, minutes=2))

    gone = await client.post("/session/restore", headers=auth(first["session_token"]))
    again = await start(client, first["session"]["phone"], "web")

    assert gone.status_code == 404
    assert gone.json()["error"]["code"] == "session_not_found"
    # A new conversation starts for the same customer.
    assert again["session"]["session_id"] != first["session"]["session_id"]
    assert again["session"]["customer_id"] == first["session"]["customer_id"]
    assert again["session"]["data"]["channels"] == ["web"]


async def test_reported_expiry_is_honoured(client: httpx.AsyncClient):
    token = (await start(client))["session_token"]
    clock.advance(timedelta(seconds=30))  # within the touch interval: no write happens
    seen = (await client.get("/session", headers=auth(token))).json()
    clock.advance(timedelta(days=7) - timedelta(seconds=1))
    # Still valid one second before the expires_at the last call reported.
    assert (await client.get("/session", headers=auth(token))).status_code == 200
    assert seen["expires_at"]


async def test_absolute_lifetime_ends_even_an_active_session(database_url: str):
    async with running(make_settings(database_url, session_max_age_days=10)) as (_, client):
        token = (await start(client))["session_token"]
        for _ in range(3):
            clock.advance(timedelta(days=3))
            response = await client.get("/session", headers=auth(token))
            assert response.status_code == 200
        clock.advance(timedelta(days=1, seconds=1))  # 10 days since creation
        assert (await client.get("/session", headers=auth(token))).status_code == 404


async def test_purge_removes_expired_sessions_and_their_tokens(
    client: httpx.AsyncClient, app: FastAPI
):
    old = await start(client)
    clock.advance(timedelta(days=8))
    fresh = await start(client)

    async with app.state.sessionmaker() as db:
        removed = await service.purge_expired(db, app.state.settings)
        await db.commit()
        sessions = (await db.execute(select(ConversationSession.session_id))).scalars().all()
        tokens = (await db.execute(select(func.count()).select_from(SessionToken))).scalar_one()

    assert removed == 1
    assert [str(s) for s in sessions] == [fresh["session"]["session_id"]]
    assert tokens == 1
    assert (await client.get("/session", headers=auth(old["session_token"]))).status_code == 404
    assert (await client.get("/session", headers=auth(fresh["session_token"]))).status_code == 200


async def test_the_server_purges_expired_sessions_by_itself(database_url: str):
    settings = make_settings(database_url, session_purge_interval_seconds=0.2)
    async with running(settings) as (application, client):
        await start(client)
        clock.advance(timedelta(days=8))
        for _ in range(50):
            await asyncio.sleep(0.1)
            async with application.state.sessionmaker() as db:
                left = (
                    await db.execute(select(func.count()).select_from(ConversationSession))
                ).scalar_one()
            if left == 0:
                break
        assert left == 0
