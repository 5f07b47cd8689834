"""The dashboard's figures, computed from a small known set of shoppers over two days.

Day 0: Asha starts on the kiosk, asks for shirts and puts one in the cart; Yusuf opens the
app.  Day 1: Asha continues on the website and orders there (a kiosk → web switch whose kiosk
half is the day before); Bela chats on the website; Chirag puts jeans in his cart on
WhatsApp without chatting; Dev chats, adds the last unit of a tee and orders it on the kiosk;
Esha's order on the website is cancelled.  Then Asha becomes silver and Dev gold.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from tests.admin.conftest import sign_in
from tests.agent.conftest import say
from tests.auth.helpers import strong_password
from tests.commerce.shop import add, move, place, set_customer
from tests.factories import auth, new_phone, start
from threadline.core.clock import clock

CHANNELS = ["web", "kiosk", "app", "whatsapp", "telegram"]


@dataclass
class Story:
    day0: date
    day1: date
    asha_total: float
    dev_total: float


async def _token(client: httpx.AsyncClient, phone: str, channel: str) -> str:
    return str((await start(client, phone, channel=channel))["session_token"])


@pytest.fixture
async def story(app: FastAPI, client: httpx.AsyncClient, today: date) -> Story:
    asha, dev, esha = new_phone(), new_phone(), new_phone()
    kiosk = await _token(client, asha, "kiosk")
    await say(client, kiosk, "show me shirts")
    await add(client, kiosk, "T-SHIRT", "M")
    await _token(client, new_phone(), "app")

    clock.advance(timedelta(days=1))
    web = await _token(client, asha, "web")
    asha_order = await place(client, web)
    bela = await _token(client, new_phone(), "web")
    await say(client, bela, "show me kurtas")
    chirag = await _token(client, new_phone(), "whatsapp")
    await add(client, chirag, "T-JEANS", "32")
    dev_kiosk = await _token(client, dev, "kiosk")
    await say(client, dev_kiosk, "show me t-shirts")
    await add(client, dev_kiosk, "T-LAST", "M")
    dev_order = await place(client, dev_kiosk)
    esha_web = await _token(client, esha, "web")
    await add(client, esha_web, "T-KURTA", "M")
    cancelled = await place(client, esha_web)
    await move(client, cancelled["order_id"], "cancelled")

    await set_customer(app, asha, loyalty_tier="silver")
    await set_customer(app, dev, loyalty_tier="gold")
    # A day has passed: the staff user signs in afresh (a sign-in lasts a shift).
    assert (await sign_in(client)).status_code == 200
    return Story(today, today + timedelta(days=1), asha_order["total"], dev_order["total"])


async def _overview(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get("/admin/api/overview", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body: dict[str, Any] = response.json()
    return body


def _by(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {row[key]: row for row in rows}


async def test_an_empty_store_shows_zeros_not_errors(staff_client: httpx.AsyncClient, today: date):
    body = await _overview(staff_client)

    assert body["period"] == {
        "from": str(today - timedelta(days=6)),
        "to": str(today),
        "days": 7,
        "today": str(today),
        "timezone": "Asia/Kolkata",
    }
    assert body["totals"] == {
        "sessions": 0,
        "customers": 0,
        "messages": 0,
        "orders": 0,
        "revenue": 0,
        "average_order_value": 0,
    }
    assert [c["channel"] for c in body["channels"]] == CHANNELS
    assert all(c["sessions"] == 0 for c in body["channels"])
    assert len(body["daily"]) == 7
    assert all(set(d["sessions"].values()) == {0} for d in body["daily"])
    assert body["switches"] == []
    assert body["funnel"] == {"active": 0, "chatted": 0, "carted": 0, "ordered": 0}
    assert [t["tier"] for t in body["order_value"]["by_tier"]] == [
        "bronze",
        "silver",
        "gold",
        "platinum",
    ]
    assert body["searches_without_results"] == []


async def test_the_figures_of_the_day_that_had_the_orders(
    staff_client: httpx.AsyncClient, story: Story
):
    body = await _overview(staff_client, preset="today")

    assert body["period"]["from"] == body["period"]["to"] == str(story.day1)
    channels = _by(body["channels"], "channel")
    assert {c: channels[c]["sessions"] for c in CHANNELS} == {
        "web": 3,  # Asha, Bela, Esha
        "kiosk": 1,  # Dev
        "app": 0,  # Yusuf was the day before
        "whatsapp": 1,  # Chirag
        "telegram": 0,
    }
    assert channels["web"]["customers"] == 3
    assert channels["web"]["messages"] == 1  # Bela's; Asha and Esha did not chat
    assert channels["kiosk"]["messages"] == 1
    assert channels["kiosk"]["cart_adds"] == 1
    assert channels["whatsapp"]["cart_adds"] == 1
    assert body["totals"]["sessions"] == body["totals"]["customers"] == 5

    # Asha's kiosk half was yesterday: the switch counts today, when she arrived on the web.
    assert body["switches"] == [{"from": "kiosk", "to": "web", "switches": 1, "sessions": 1}]
    # Chatted today: Bela and Dev; of them put something in the cart and ordered: Dev.
    # (Asha ordered today but chatted yesterday; Chirag's cart came without a chat.)
    assert body["funnel"] == {"active": 5, "chatted": 2, "carted": 1, "ordered": 1}

    # Esha's cancelled order is no sale.
    assert body["totals"]["orders"] == 2
    assert body["totals"]["revenue"] == pytest.approx(story.asha_total + story.dev_total)
    by_channel = _by(body["order_value"]["by_channel"], "channel")
    assert by_channel["web"] == {
        "channel": "web",
        "orders": 1,
        "revenue": story.asha_total,
        "average": story.asha_total,
    }
    assert by_channel["kiosk"]["average"] == story.dev_total
    assert by_channel["whatsapp"]["orders"] == 0
    by_tier = _by(body["order_value"]["by_tier"], "tier")
    assert (by_tier["silver"]["orders"], by_tier["silver"]["average"]) == (1, story.asha_total)
    assert (by_tier["gold"]["orders"], by_tier["gold"]["average"]) == (1, story.dev_total)
    assert by_tier["bronze"]["orders"] == by_tier["platinum"]["orders"] == 0


async def test_average_order_value_is_rounded_to_the_paisa(
    staff_client: httpx.AsyncClient, story: Story
):
    body = await _overview(staff_client, preset="today")
    expected = round((story.asha_total + story.dev_total) / 2 + 1e-9, 2)
    assert body["totals"]["average_order_value"] == pytest.approx(expected, abs=0.006)


async def test_the_day_before_alone(staff_client: httpx.AsyncClient, story: Story):
    body = await _overview(staff_client, **{"from": str(story.day0), "to": str(story.day0)})

    channels = _by(body["channels"], "channel")
    assert channels["kiosk"]["sessions"] == channels["app"]["sessions"] == 1
    assert channels["web"]["sessions"] == 0
    assert body["switches"] == []
    assert body["funnel"] == {"active": 2, "chatted": 1, "carted": 1, "ordered": 0}
    assert body["totals"]["orders"] == 0
    assert body["daily"] == [
        {
            "day": str(story.day0),
            "sessions": {"web": 0, "kiosk": 1, "app": 1, "whatsapp": 0, "telegram": 0},
        }
    ]


async def test_both_days_count_each_session_once(staff_client: httpx.AsyncClient, story: Story):
    body = await _overview(staff_client, **{"from": str(story.day0), "to": str(story.day1)})

    assert body["totals"]["sessions"] == 6  # Asha, Yusuf, Bela, Chirag, Dev, Esha
    channels = _by(body["channels"], "channel")
    assert channels["kiosk"]["sessions"] == 2  # Asha (day 0) and Dev
    assert channels["web"]["sessions"] == 3
    # Chatted: Asha, Bela, Dev; carted too: Asha, Dev; ordered too: Asha, Dev.
    assert body["funnel"] == {"active": 6, "chatted": 3, "carted": 2, "ordered": 2}
    assert [d["day"] for d in body["daily"]] == [str(story.day0), str(story.day1)]
    assert body["daily"][1]["sessions"]["web"] == 3


async def test_a_guest_who_signs_up_and_orders_is_one_shopper_through_the_funnel(
    staff_client: httpx.AsyncClient,
):
    client = staff_client
    guest = await client.post("/session/guest", json={"channel": "web"})
    assert guest.status_code == 200, guest.text
    guest_token = guest.json()["session_token"]
    await say(client, guest_token, "show me t-shirts")
    await add(client, guest_token, "T-SHIRT", "M")
    account = {"phone": new_phone(), "password": strong_password(), "name": "Gita"}
    signup = await client.post(
        "/auth/signup", json={**account, "channel": "web"}, headers=auth(guest_token)
    )
    assert signup.status_code == 201, signup.text
    await place(client, signup.json()["session_token"])

    body = await _overview(client, preset="today")

    assert body["totals"]["orders"] == 1
    assert (body["totals"]["sessions"], body["totals"]["customers"]) == (1, 1)
    assert body["funnel"] == {"active": 1, "chatted": 1, "carted": 1, "ordered": 1}
    assert _by(body["channels"], "channel")["web"]["messages"] == 1


async def test_a_period_without_activity_before_the_story(
    staff_client: httpx.AsyncClient, story: Story
):
    earlier = story.day0 - timedelta(days=3)
    body = await _overview(staff_client, **{"from": str(earlier), "to": str(earlier)})
    assert body["totals"]["sessions"] == 0
    assert body["totals"]["orders"] == 0


async def test_stock_alerts_put_what_just_sold_out_first(
    staff_client: httpx.AsyncClient, story: Story
):
    alerts = (await _overview(staff_client))["stock_alerts"]

    assert alerts["threshold"] == 2
    # The tee's sizes: 5 sizes in 3 locations, all 0 now that Dev bought its last unit.
    assert alerts["out_of_stock"] == 15
    assert alerts["low"] == 0
    first = alerts["items"][0]
    assert (first["sku"], first["size"], first["store_id"]) == ("T-LAST", "M", "ONLINE")
    assert (first["qty"], first["sold_30_days"]) == (0, 1)
    assert first["name"] == "Graphic Tee"
    assert {s["store_id"]: s["out_of_stock"] for s in alerts["by_store"]} == {
        "ONLINE": 5,
        "STORE_MUMBAI": 5,
        "STORE_PUNE": 5,
    }


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"from": "2026-13-01"}, "validation_error", "from"),
        ({"to": "yesterday"}, "validation_error", "to"),
        ({"from": "2026-11-20", "to": "2026-11-10"}, "invalid_period", "from"),
        ({"from": "2025-01-01", "to": "2026-11-10"}, "period_too_long", "to"),
        ({"preset": "90d"}, "validation_error", "preset"),
        ({"preset": "today", "from": "2026-11-20"}, "invalid_period", "preset"),
        ({"from": "0001-01-01", "to": "0001-01-02"}, "invalid_period", "from"),
        ({"from": "9999-12-30", "to": "9999-12-31"}, "invalid_period", "from"),
        ({"to": "9999-12-31"}, "invalid_period", "to"),
    ],
)
async def test_a_bad_period_is_a_422_with_the_error_body(
    staff_client: httpx.AsyncClient, params: dict[str, str], code: str, field: str
):
    response = await staff_client.get("/admin/api/overview", params=params)

    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == (code, field)
    assert error["message"]


async def test_a_year_is_the_longest_period(staff_client: httpx.AsyncClient, today: date):
    first = today - timedelta(days=365)
    body = await _overview(staff_client, **{"from": str(first), "to": str(today)})
    assert body["period"]["days"] == 366
    assert len(body["daily"]) == 366


async def test_a_device_that_comes_back_on_a_later_day_is_active_that_day(
    app: FastAPI, client: httpx.AsyncClient, today: date
):
    # A shopper who reopens the website the next day, with the token it kept, and only looks.
    web = await _token(client, new_phone(), "web")
    clock.advance(timedelta(days=1))
    for wait in (0, 5, 120):  # three looks that day: one day of activity
        clock.advance(timedelta(seconds=wait))
        assert (await client.get("/session", headers=auth(web))).status_code == 200
    assert (await sign_in(client)).status_code == 200  # the staff user's new shift

    day1 = await _overview(
        client, **{"from": str(today + timedelta(days=1)), "to": str(today + timedelta(days=1))}
    )
    assert _by(day1["channels"], "channel")["web"]["sessions"] == 1
    assert (day1["totals"]["sessions"], day1["totals"]["customers"]) == (1, 1)
    assert day1["funnel"] == {"active": 1, "chatted": 0, "carted": 0, "ordered": 0}
    both = await _overview(client, **{"from": str(today), "to": str(today + timedelta(days=1))})
    assert both["totals"]["sessions"] == 1  # the same session on both days
    assert [d["sessions"]["web"] for d in both["daily"]] == [1, 1]
    async with app.state.sessionmaker() as db:
        kinds = (await db.execute(text("SELECT kind FROM session_activity ORDER BY id"))).scalars()
        assert list(kinds) == ["join", "visit"]


async def test_a_device_back_on_several_pages_at_once_is_one_return(
    app: FastAPI, client: httpx.AsyncClient, today: date
):
    # Tabs restored together the next morning: their first calls race to record the return.
    web = await _token(client, new_phone(), "web")
    clock.advance(timedelta(days=1))
    answers = await asyncio.gather(*(client.get("/session", headers=auth(web)) for _ in range(8)))
    assert {a.status_code for a in answers} == {200}
    async with app.state.sessionmaker() as db:
        kinds = (await db.execute(text("SELECT kind FROM session_activity ORDER BY id"))).scalars()
        assert list(kinds) == ["join", "visit"]
