"""Business metrics, read through ``GET /metrics`` as Prometheus reads them, on both stores.

Each test scrapes before and after and looks at what rose: an order counts once with exactly
what the shopper paid, a declined or lost checkout counts no order, and sessions, handoffs,
chat turns, cart writes, returns, webhooks, sends and model fallbacks count where they happen.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Counter
from sqlalchemy import text

from tests.agent.conftest import open_agent_shop, say
from tests.channels.platform import FakePlatform, serve
from tests.channels.telegram.helpers import SECRET as TELEGRAM_SECRET
from tests.channels.telegram.helpers import WEBHOOK as TELEGRAM_WEBHOOK
from tests.channels.telegram.helpers import new_chat, update_for
from tests.channels.whatsapp.helpers import (
    ACCESS_TOKEN,
    APP_SECRET,
    NUMBER_ID,
    VERIFY_TOKEN,
    WEBHOOK,
    cloud_api,
    new_wa_id,
    post_signed,
    text_delivery,
)
from tests.commerce.shop import PICKUP_PUNE, add, checkout, move, place, shopper
from tests.conftest import make_settings, running
from tests.e2e.test_server_process import free_port
from tests.factories import auth, new_phone, start
from tests.ops.scrape import Meter, parse
from threadline.config import Settings
from threadline.core.metrics import count_on_commit

Shop = tuple[FastAPI, httpx.AsyncClient]


@pytest.fixture
async def shop(settings: Settings) -> AsyncIterator[Shop]:
    async with running(settings) as (app, client):
        await open_agent_shop(app)
        yield app, client


async def meter(client: httpx.AsyncClient) -> Meter:
    return Meter(parse((await client.get("/metrics")).text))


async def scrape(client: httpx.AsyncClient, m: Meter) -> Meter:
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    return m.read(response.text)


# --- commerce ------------------------------------------------------------------------------


async def test_an_order_counts_once_with_what_the_shopper_paid(shop: Shop) -> None:
    _, client = shop
    _, token = await shopper(client, channel="kiosk")
    m = await meter(client)

    await add(client, token, "T-SHIRT", "M")
    await add(client, token, "T-JEANS", "32")
    key = "metrics-order-1"
    order = await place(client, token, payment_method="upi", fulfillment=PICKUP_PUNE, key=key)
    replay = await checkout(
        client, token, payment_method="upi", fulfillment=PICKUP_PUNE, key=key
    )  # the same order again: nothing new to count

    assert replay.status_code == 200
    await scrape(client, m)
    orders = "threadline_orders_placed_total"
    assert m.rise(orders, channel="kiosk", payment_method="upi", fulfillment="pickup") == 1
    assert m.rise(orders) == 1
    # ₹3,148.20: two items with the BUY2GET10 offer, what the order says the shopper paid.
    assert order["total"] == 3148.2
    assert m.rise("threadline_revenue_rupees_total", channel="kiosk") == pytest.approx(3148.2)
    assert m.rise("threadline_revenue_rupees_total") == pytest.approx(3148.2)
    assert m.rise("threadline_cart_writes_total", channel="kiosk", operation="add") == 2


async def test_a_declined_card_counts_a_decline_and_no_order(shop: Shop) -> None:
    _, client = shop
    _, token = await shopper(client, channel="web")
    await add(client, token, "T-JACKET", "M")  # ₹12,999: over the simulated card limit
    m = await meter(client)

    declined = await checkout(client, token, payment_method="card")

    assert declined.status_code == 402
    await scrape(client, m)
    assert m.rise("threadline_payment_declines_total", channel="web", payment_method="card") == 1
    # The order was written in the declined checkout's transaction, then rolled back with it.
    assert m.rise("threadline_orders_placed_total") == 0
    assert m.rise("threadline_revenue_rupees_total") == 0

    paid = await place(client, token, payment_method="upi")

    await scrape(client, m)
    assert m.rise("threadline_orders_placed_total", channel="web", payment_method="upi") == 1
    assert m.rise("threadline_revenue_rupees_total", channel="web") == pytest.approx(paid["total"])
    assert m.rise("threadline_payment_declines_total") == 1


async def test_checkouts_racing_for_the_last_unit_count_one_order(shop: Shop) -> None:
    _, client = shop
    tokens = [(await shopper(client))[1] for _ in range(5)]
    for token in tokens:
        await add(client, token, "T-LAST", "M")  # one unit in the whole shop
    m = await meter(client)

    results = await asyncio.gather(*(checkout(client, token) for token in tokens))

    placed = [r for r in results if r.status_code == 201]
    assert len(placed) == 1
    assert sorted(r.status_code for r in results) == [201, 409, 409, 409, 409]
    await scrape(client, m)
    assert m.rise("threadline_orders_placed_total") == 1
    assert m.rise("threadline_revenue_rupees_total") == pytest.approx(placed[0].json()["total"])


async def test_returns_and_cancellations_count_the_money_refunded(shop: Shop) -> None:
    _, client = shop
    _, token = await shopper(client, channel="app")
    await add(client, token, "T-SHIRT", "M")
    kept = await place(client, token)
    await move(client, kept["order_id"], "shipped", "delivered")
    await add(client, token, "T-JEANS", "32")
    cancelled = await place(client, token)
    m = await meter(client)

    returned = await client.post(
        f"/orders/{kept['order_id']}/return",
        json={"line_ids": [kept["items"][0]["line_id"]], "reason": "too tight"},
        headers=auth(token),
    )
    await move(client, cancelled["order_id"], "cancelled")

    assert returned.status_code == 201, returned.text
    await scrape(client, m)
    assert m.rise("threadline_returns_total", channel="app", kind="return") == 1
    assert m.rise("threadline_orders_ended_total", channel="app", outcome="cancelled") == 1
    assert m.rise("threadline_refunds_rupees_total", channel="app") == pytest.approx(
        kept["total"] + cancelled["total"]
    )


async def test_cart_writes_count_by_operation_and_a_refused_one_not_at_all(shop: Shop) -> None:
    _, client = shop
    _, token = await shopper(client, channel="app")
    m = await meter(client)

    cart = await add(client, token, "T-SHIRT", "M")
    line = cart["items"][0]["line_id"]
    changed = await client.patch(f"/cart/items/{line}", json={"qty": 2}, headers=auth(token))
    too_many = await client.post(
        "/cart/items", json={"sku": "T-LAST", "size": "M", "qty": 5}, headers=auth(token)
    )
    removed = await client.delete(f"/cart/items/{line}", headers=auth(token))

    assert (changed.status_code, too_many.status_code, removed.status_code) == (200, 409, 200)
    await scrape(client, m)
    writes = "threadline_cart_writes_total"
    assert m.rise(writes, channel="app", operation="add") == 1
    assert m.rise(writes, channel="app", operation="change") == 1
    assert m.rise(writes, channel="app", operation="remove") == 1
    assert m.rise(writes) == 3


# --- sessions and the conversation --------------------------------------------------------


async def test_sessions_count_by_channel_with_joins_and_handoffs(client: httpx.AsyncClient) -> None:
    phone = new_phone()
    m = await meter(client)

    kiosk = await start(client, phone, channel="kiosk")
    await start(client, phone, channel="web")
    ticket = await client.post("/session/handoff", headers=auth(kiosk["session_token"]))
    redeemed = await client.post(
        "/session/handoff/redeem",
        json={"handoff_token": ticket.json()["handoff_token"], "channel": "app"},
    )

    assert redeemed.status_code == 200, redeemed.text
    await scrape(client, m)
    started = "threadline_sessions_started_total"
    assert m.rise(started, channel="kiosk", new="true") == 1
    assert m.rise(started, channel="web", new="false") == 1
    assert m.rise(started, channel="app", new="false") == 1
    assert m.rise("threadline_session_channels_added_total", channel="web") == 1
    assert m.rise("threadline_session_channels_added_total", channel="app") == 1
    assert m.rise("threadline_handoffs_total", stage="created", channel="kiosk") == 1
    assert m.rise("threadline_handoffs_total", stage="redeemed", channel="app") == 1


async def test_chat_turns_count_by_channel(shop: Shop) -> None:
    _, client = shop
    kiosk = (await start(client, channel="kiosk"))["session_token"]
    m = await meter(client)

    await say(client, kiosk, "show me jeans")
    await say(client, kiosk, "cheaper ones")

    await scrape(client, m)
    assert m.rise("threadline_chat_turns_total", channel="kiosk") == 2
    assert m.rise("threadline_chat_turns_total", channel="kiosk", action="searched") >= 1
    assert m.rise("threadline_chat_turns_total") == 2


async def test_a_model_that_cannot_be_reached_counts_a_fallback(database_url: str) -> None:
    closed = free_port()  # nothing listens there: the connection is refused
    settings = make_settings(
        database_url,
        llm_base_url=f"http://127.0.0.1:{closed}/v1",
        llm_model="test-model",
        llm_timeout_seconds=5,
        llm_phrasing=False,
    )
    async with running(settings) as (app, client):
        await open_agent_shop(app)
        token = (await start(client, channel="web"))["session_token"]
        m = await meter(client)

        body = await say(client, token, "show me jeans")

        await scrape(client, m)
    assert body["command"]["source"] != "llm"  # answered offline, in the same turn
    fallbacks = "threadline_agent_llm_fallbacks_total"
    assert m.rise(fallbacks, stage="understand", reason="connection_error") == 1
    assert m.rise("threadline_chat_turns_total", channel="web") == 1


# --- webhooks and sends ---------------------------------------------------------------------


@pytest.fixture
def platform() -> AsyncIterator[FakePlatform]:
    with serve(ok=cloud_api) as fake:
        yield fake


def channel_settings(database_url: str, platform: FakePlatform) -> Settings:
    return make_settings(
        database_url,
        whatsapp_api_base=platform.base,
        whatsapp_access_token=ACCESS_TOKEN,
        whatsapp_phone_number_id=NUMBER_ID,
        whatsapp_app_secret=APP_SECRET,
        whatsapp_verify_token=VERIFY_TOKEN,
        telegram_webhook_secret=TELEGRAM_SECRET,
        channel_send_attempts=1,
    )


async def test_a_whatsapp_message_counts_its_delivery_chat_turn_and_a_refused_send(
    database_url: str, platform: FakePlatform
) -> None:
    async with running(channel_settings(database_url, platform)) as (app, client):
        await open_agent_shop(app)
        m = await meter(client)
        platform.fail_next(400, {"error": {"message": "bad recipient", "code": 131026}})

        delivered = await post_signed(client, text_delivery(new_wa_id(), "show me jeans"))
        await app.state.channel_worker.drain(timeout=90)

        assert delivered.status_code == 200
        await scrape(client, m)
    assert m.rise("threadline_webhook_deliveries_total", channel="whatsapp") == 1
    assert m.rise("threadline_webhook_failures_total") == 0
    assert m.rise("threadline_channel_chats_joined_total", channel="whatsapp") == 1
    assert m.rise("threadline_sessions_started_total", channel="whatsapp", new="true") == 1
    assert m.rise("threadline_chat_turns_total", channel="whatsapp") == 1
    # The platform refused the first reply (a 400 is final): one error, by its reason.
    assert (
        m.rise("threadline_channel_send_errors_total", channel="whatsapp", reason="rejected") == 1
    )
    assert m.rise("threadline_channel_sends_total", channel="whatsapp", result="failed") == 1


async def test_refused_webhook_calls_count_by_reason_and_store_nothing(
    database_url: str, platform: FakePlatform
) -> None:
    async with running(channel_settings(database_url, platform)) as (_, client):
        m = await meter(client)
        body = text_delivery(new_wa_id(), "hello")

        unsigned = await client.post(WEBHOOK, json=body)
        forged = await post_signed(client, body, secret="not-the-app-secret")
        garbled = await post_signed(client, b"{not json")
        not_a_delivery = await post_signed(client, {"hello": "world"})
        verification = await client.get(
            WEBHOOK,
            params={"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
        )
        telegram = await client.post(
            TELEGRAM_WEBHOOK,
            json=update_for("text", new_chat()),
            headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"},
        )
        telegram_garbled = await client.post(
            TELEGRAM_WEBHOOK,
            content=b"[[[",
            headers={
                "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET,
                "Content-Type": "application/json",
            },
        )
        await scrape(client, m)

    statuses = [
        r.status_code for r in (unsigned, forged, garbled, not_a_delivery, verification, telegram)
    ]
    assert statuses == [401, 401, 400, 422, 403, 401]
    assert telegram_garbled.status_code == 400
    failures = "threadline_webhook_failures_total"
    assert m.rise(failures, channel="whatsapp", reason="bad_signature") == 2
    assert m.rise(failures, channel="whatsapp", reason="malformed_json") == 1
    assert m.rise(failures, channel="whatsapp", reason="invalid_payload") == 1
    assert m.rise(failures, channel="whatsapp", reason="verification_refused") == 1
    assert m.rise(failures, channel="telegram", reason="bad_secret") == 1
    assert m.rise(failures, channel="telegram", reason="malformed_json") == 1
    assert m.rise("threadline_webhook_deliveries_total") == 0


async def test_a_webhook_without_its_secret_counts_as_not_configured(
    client: httpx.AsyncClient,
) -> None:
    m = await meter(client)

    whatsapp = await post_signed(client, text_delivery(new_wa_id(), "hello"))
    telegram = await client.post(
        TELEGRAM_WEBHOOK,
        json=update_for("text", new_chat()),
        headers={"X-Telegram-Bot-Api-Secret-Token": "anything"},
    )

    assert (whatsapp.status_code, telegram.status_code) == (401, 401)
    await scrape(client, m)
    failures = "threadline_webhook_failures_total"
    assert m.rise(failures, channel="whatsapp", reason="not_configured") == 1
    assert m.rise(failures, channel="telegram", reason="not_configured") == 1


# --- the mechanism: only what committed is counted ------------------------------------------


async def test_an_event_counts_when_its_transaction_commits_and_never_otherwise(
    app: FastAPI,
) -> None:
    registry = CollectorRegistry()  # private: the test's counter stays out of /metrics
    events = Counter("events_total", "test events", ["case"], registry=registry)

    def value(case: str) -> float:
        return registry.get_sample_value("events_total", {"case": case}) or 0.0

    maker = app.state.sessionmaker
    async with maker() as db:
        await db.execute(text("SELECT 1"))
        count_on_commit(db, events, case="committed")
        assert value("committed") == 0  # queued, not counted yet
        await db.commit()
    async with maker() as db:
        await db.execute(text("SELECT 1"))
        count_on_commit(db, events, case="rolled_back")
        await db.rollback()
        await db.commit()  # a later commit of the same session does not bring it back
    async with maker() as db:
        await db.execute(text("SELECT 1"))
        count_on_commit(db, events, case="abandoned")
    async with maker() as db:
        count_on_commit(db, events, 2.5, case="savepoint")
        async with db.begin_nested():
            await db.execute(text("SELECT 1"))
        assert value("savepoint") == 0  # releasing a savepoint is not the commit
        await db.commit()

    assert value("committed") == 1
    assert value("rolled_back") == 0
    assert value("abandoned") == 0
    assert value("savepoint") == 2.5
