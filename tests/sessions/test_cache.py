"""The token cache never shows a session older than the last acknowledged write."""

from __future__ import annotations

import asyncio
import time
import uuid

import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager

from tests.conftest import make_settings
from tests.factories import auth, start
from threadline.app import create_app
from threadline.sessions.cache import LISTENER_NAME, SessionCache


def test_a_read_that_raced_with_a_write_is_not_stored():
    cache = SessionCache(ttl_seconds=60)
    sid = uuid.uuid4()
    before_read = cache.snapshot()
    cache.invalidate(sid)  # a write to the session committed while the reader was reading
    cache.put("token", sid, "old state", snapshot=before_read)
    assert cache.get("token") is None

    after = cache.snapshot()
    cache.put("token", sid, "new state", snapshot=after)
    assert cache.get("token") == "new state"


def test_invalidation_drops_every_token_of_the_session_only():
    cache = SessionCache(ttl_seconds=60)
    mine, other = uuid.uuid4(), uuid.uuid4()
    snap = cache.snapshot()
    cache.put("kiosk", mine, 1, snapshot=snap)
    cache.put("web", mine, 2, snapshot=snap)
    cache.put("theirs", other, 3, snapshot=snap)
    cache.invalidate(mine)
    assert (cache.get("kiosk"), cache.get("web"), cache.get("theirs")) == (None, None, 3)


def test_entries_age_out_and_the_cache_stays_bounded(monkeypatch: pytest.MonkeyPatch):
    cache = SessionCache(ttl_seconds=5, max_entries=3)
    for i in range(5):
        cache.put(f"t{i}", uuid.uuid4(), i, snapshot=cache.snapshot())
    assert [cache.get(f"t{i}") for i in range(5)] == [None, None, 2, 3, 4]
    later = time.monotonic() + 6
    monkeypatch.setattr("threadline.sessions.cache.time.monotonic", lambda: later)
    assert cache.get("t4") is None


async def test_a_cached_session_shows_writes_from_another_device(client: httpx.AsyncClient):
    phone = "+917700112233"
    kiosk = (await start(client, phone, "kiosk"))["session_token"]
    web = (await start(client, phone, "web"))["session_token"]
    assert (await client.get("/session", headers=auth(web))).json()["data"]["recent"] == []

    await client.post("/session/recent", json={"sku": "TEE-1"}, headers=auth(kiosk))
    await start(client, phone, "app")

    seen = (await client.get("/session", headers=auth(web))).json()["data"]
    assert seen["recent"] == ["TEE-1"]
    assert seen["channels"] == ["kiosk", "web", "app"]


@pytest.mark.postgresql
async def test_two_processes_on_postgresql_see_each_others_writes(pg_database: str):
    """Two app instances (two processes' worth of state) on one PostgreSQL database."""
    slow_ttl = {"session_cache_seconds": 600}  # only NOTIFY can make B see A's write in time
    apps = [create_app(make_settings(pg_database, **slow_ttl)) for _ in range(2)]
    async with LifespanManager(apps[0]), LifespanManager(apps[1]):
        for application in apps:
            await _wait_for(lambda a=application: a.state.session_cache.enabled)
        a, b = (
            httpx.AsyncClient(transport=httpx.ASGITransport(app=x), base_url="http://t")
            for x in apps
        )
        async with a, b:
            token = (await start(a, "+917700445566", "kiosk"))["session_token"]
            assert (await b.get("/session", headers=auth(token))).json()["data"]["recent"] == []
            await a.post("/session/recent", json={"sku": "SAREE-9"}, headers=auth(token))

            async def b_sees_it() -> bool:
                body = (await b.get("/session", headers=auth(token))).json()
                return body["data"]["recent"] == ["SAREE-9"]

            await _wait_for(b_sees_it, seconds=2)


@pytest.mark.postgresql
async def test_cache_is_off_while_the_change_listener_is_down(pg_database: str):
    application = create_app(make_settings(pg_database))
    async with LifespanManager(application):
        cache = application.state.session_cache
        await _wait_for(lambda: cache.enabled)
        conn = await asyncpg.connect(pg_database)
        try:
            await conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                f"WHERE application_name = '{LISTENER_NAME}' AND datname = current_database()"
            )
        finally:
            await conn.close()
        await _wait_for(lambda: not cache.enabled)
        await _wait_for(lambda: cache.enabled, seconds=10)  # it reconnects by itself


async def _wait_for(condition, seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while True:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)
