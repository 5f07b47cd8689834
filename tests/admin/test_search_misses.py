"""Searches that found nothing: recorded by the catalog and the agent, read by the dashboard."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from tests.admin.conftest import sign_in
from tests.agent.conftest import say
from tests.conftest import running
from tests.factories import auth, start
from threadline.activity import service as activity
from threadline.activity.models import SessionActivity
from threadline.catalog import search_log
from threadline.catalog.models import SearchMiss
from threadline.config import Settings
from threadline.core.clock import clock
from threadline.db import session_scope


async def _misses(client: httpx.AsyncClient, **params: str) -> list[dict[str, Any]]:
    response = await client.get("/admin/api/overview", params=params)
    assert response.status_code == 200, response.text
    return list(response.json()["searches_without_results"])


@pytest.mark.parametrize(
    ("fields", "label"),
    [
        ({"q": "  Swim-Wear!!  for   GIRLS "}, "swim-wear for girls"),
        ({"q": "kurta", "size": "XXL", "max_price": 500}, "kurta · size xxl · under ₹500"),
        ({"query": "linen", "category": "shirt", "gender": "men"}, "linen · shirt · men"),
        ({"color": "Red", "min_price": 1000, "max_price": 2000.5}, "red · ₹1,000–₹2,000.50"),
        ({"q": "<script>alert(1)</script>"}, "script alert 1 script"),
        ({"q": "   ", "limit": 20}, None),
        ({"q": "x" * 500}, "x" * 120),
    ],
)
def test_a_request_is_normalised_into_one_label(fields: dict[str, Any], label: str | None):
    assert search_log.describe(fields) == label


async def test_catalog_searches_with_no_match_are_counted_per_channel_of_the_token(
    staff_client: httpx.AsyncClient, today: date
):
    client = staff_client
    kiosk = (await start(client, channel="kiosk"))["session_token"]
    guest = (await client.post("/session/guest", json={"channel": "web"})).json()["session_token"]
    for headers in (auth(kiosk), auth(kiosk), auth(guest), {}, auth("tl_not-a-token")):
        found = await client.get("/products", params={"q": "Swimwear"}, headers=headers)
        assert found.json()["total"] == 0
    assert (await client.get("/products", params={"q": "shirt"}, headers=auth(kiosk))).json()[
        "total"
    ] > 0
    # Paging is no new search.
    await client.get("/products", params={"q": "swimwear", "offset": 20}, headers=auth(kiosk))

    misses = await _misses(client)

    assert misses == [
        {
            "query": "swimwear",
            "count": 3,
            "last_day": str(today),
            "channels": {"kiosk": 2, "web": 1},
        }
    ]


async def test_searches_without_a_session_are_never_recorded(
    app: FastAPI, staff_client: httpx.AsyncClient
):
    """The public catalog: anonymous callers cannot add rows, nor text on the staff's list."""
    for i in range(300):
        response = await staff_client.get("/products", params={"q": f"zzqx{i} spam"})
        assert response.status_code == 200
    expired = {"X-Session-Token": "tl_forged-or-expired"}
    await staff_client.get("/products", params={"q": "zzqx spam"}, headers=expired)

    assert await _misses(staff_client) == []
    async with session_scope(app.state.sessionmaker) as db:
        assert await db.scalar(select(func.count()).select_from(SearchMiss)) == 0


async def test_a_process_records_a_bounded_number_of_new_requests_a_day(
    app: FastAPI, staff_client: httpx.AsyncClient
):
    app.state.search_misses.max_new_per_day = 3
    guest = (await staff_client.post("/session/guest", json={"channel": "web"})).json()
    headers = auth(guest["session_token"])
    for q in ["zzqx0", *(f"zzqx{i}" for i in range(10)), "zzqx0"]:
        await staff_client.get("/products", params={"q": q}, headers=headers)

    misses = await _misses(staff_client)

    # The first three requests are counted, and go on counting; the other seven were new
    # past the day's limit.
    assert [(m["query"], m["count"]) for m in misses] == [
        ("zzqx0", 3),
        ("zzqx1", 1),
        ("zzqx2", 1),
    ]


def test_the_daily_limit_on_new_requests_starts_again_the_next_day():
    buffer = search_log.MissLog("Asia/Kolkata", max_new_per_day=2)
    for label in ("a1", "b2", "c3", "a1"):
        buffer.note(label, "web")
    assert buffer.dropped == 1
    buffer._pending.clear()  # written
    buffer.note("a1", "kiosk")  # the same request on another channel is no new request
    buffer.note("c3", "web")
    assert buffer.dropped == 2
    clock.advance(timedelta(days=1))
    buffer.note("c3", "web")
    assert sorted((key[1], key[2], count) for key, (count, _) in buffer._pending.items()) == [
        ("a1", "kiosk", 1),
        ("c3", "web", 1),
    ]


async def test_the_agent_counts_what_it_could_not_find(staff_client: httpx.AsyncClient):
    token = (await start(staff_client, channel="web"))["session_token"]
    reply = await say(staff_client, token, "show me kurtas under 500")
    assert reply["products"] == [] or reply["action"] == "no_results"

    misses = await _misses(staff_client)

    assert len(misses) == 1
    assert misses[0]["query"] == "kurta · under ₹500"
    assert misses[0]["channels"] == {"web": 1}


async def test_misses_are_filtered_by_day_and_ranked_by_count(
    staff_client: httpx.AsyncClient, today: date
):
    shopper = auth((await start(staff_client))["session_token"])
    for q in ("swimwear", "raincoat", "raincoat"):
        await staff_client.get("/products", params={"q": q}, headers=shopper)
    clock.advance(timedelta(days=1))
    assert (await sign_in(staff_client)).status_code == 200
    await staff_client.get("/products", params={"q": "swimwear"}, headers=shopper)

    tomorrow = today + timedelta(days=1)
    both = await _misses(staff_client, **{"from": str(today), "to": str(tomorrow)})
    assert [(m["query"], m["count"], m["last_day"]) for m in both] == [
        ("raincoat", 2, str(today)),
        ("swimwear", 2, str(tomorrow)),
    ]
    only_today = await _misses(staff_client, preset="today")
    assert [(m["query"], m["count"]) for m in only_today] == [("swimwear", 1)]


async def test_counts_from_many_writers_add_up_in_one_row(app: FastAPI, settings: Settings):
    """The upsert, on each store: the agent's writes and a buffer's flush meet in one row."""
    maker = app.state.sessionmaker
    for _ in range(2):
        async with session_scope(maker) as db:
            await search_log.record(db, settings, "swimwear", "web")
    buffer = search_log.MissLog(settings.dashboard_timezone)
    for _ in range(3):
        buffer.note("swimwear", "web")
    later = clock.now()
    assert await buffer.flush(maker) == 1
    assert await buffer.flush(maker) == 0  # nothing pending any more

    async with session_scope(maker) as db:
        rows = (await db.scalars(select(SearchMiss))).all()
    assert [(r.query, r.channel, r.count) for r in rows] == [("swimwear", "web", 5)]
    assert rows[0].last_at >= later - timedelta(seconds=1)


def test_the_buffer_holds_a_bounded_number_of_requests():
    buffer = search_log.MissLog("Asia/Kolkata", max_pending=2)
    for label in ("a1", "b2", "c3", "a1", None, ""):
        buffer.note(label, "web")
    assert buffer.dropped == 1
    assert sorted((key[1], count) for key, (count, _) in buffer._pending.items()) == [
        ("a1", 2),
        ("b2", 1),
    ]


async def test_misses_noted_just_before_a_shutdown_are_written(settings: Settings):
    async with running(settings) as (app, client):
        token = (await start(client))["session_token"]
        await client.get("/products", params={"q": "parka"}, headers=auth(token))
        assert app.state.search_misses._pending  # noted, not yet written
    async with running(settings) as (app, _), session_scope(app.state.sessionmaker) as db:
        assert await db.scalar(select(SearchMiss.count).where(SearchMiss.query == "parka")) == 1


async def test_a_flush_cancelled_mid_write_keeps_its_counts(app: FastAPI, settings: Settings):
    """Shutdown cancels the flushing task, maybe while it writes: the batch goes back for the
    last flush instead of being lost."""
    maker = app.state.sessionmaker
    buffer = search_log.MissLog(settings.dashboard_timezone)
    for _ in range(2):
        buffer.note("parka", "web")
    async with maker() as holder:
        # An uncommitted row of the same key: the flush's upsert waits on it (for the row
        # lock on PostgreSQL, for the only writer on SQLite).
        await search_log.record(holder, settings, "parka", "web")
        flushing = asyncio.create_task(buffer.flush(maker))
        await asyncio.sleep(0.3)
        assert not flushing.done()  # waiting in the write
        flushing.cancel()
        with pytest.raises(asyncio.CancelledError):
            await flushing
        await holder.rollback()

    assert await buffer.flush(maker) == 1
    async with session_scope(maker) as db:
        assert await db.scalar(select(SearchMiss.count).where(SearchMiss.query == "parka")) == 2


async def test_old_days_are_purged_after_the_retention(
    app: FastAPI, client: httpx.AsyncClient, settings: Settings
):
    async with session_scope(app.state.sessionmaker) as db:
        await search_log.record(db, settings, "parka", "")
    await start(client)  # one "join" in the activity log
    clock.advance(timedelta(days=settings.dashboard_retention_days + 1))
    async with session_scope(app.state.sessionmaker) as db:
        await search_log.record(db, settings, "fresh", "")
        assert await search_log.purge_old(db, settings) == 1
        assert await activity.purge_old(db, settings) == 1
    async with session_scope(app.state.sessionmaker) as db:
        assert list(await db.scalars(select(SearchMiss.query))) == ["fresh"]
        assert list(await db.scalars(select(SessionActivity.id))) == []
