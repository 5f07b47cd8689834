"""A shopper's Telegram chat end to end: webhook in, the worker's replies out to a fake Bot API.

The service runs with its real worker; Telegram is a local server speaking the Bot API (it
records what the bot sent and can be told to fail).  Nothing here sleeps: the worker is drained.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from tests.agent.conftest import open_agent_shop, say
from tests.channels.platform import FakePlatform, Recorded, serve
from tests.channels.telegram.helpers import (
    SECRET,
    TOKEN,
    WEBHOOK,
    bot_api,
    method_of,
    new_chat,
    update_for,
)
from tests.commerce.shop import add, cart_of, shopper
from tests.conftest import make_settings, running
from tests.factories import auth, new_phone
from threadline.channels.models import ChannelLink, OutboxMessage
from threadline.config import Settings

Shop = tuple[FastAPI, httpx.AsyncClient, FakePlatform]
SHARE = [[{"text": "Share my phone number", "request_contact": True}]]


@pytest.fixture(scope="module")
def platform() -> Iterator[FakePlatform]:
    with serve(ok=bot_api) as running_platform:
        yield running_platform


@pytest.fixture
def fake(platform: FakePlatform) -> FakePlatform:
    with platform.lock:
        platform.calls.clear()
        platform.script.clear()
    return platform


@pytest.fixture
def settings(database_url: str, fake: FakePlatform) -> Settings:
    return make_settings(
        database_url,
        telegram_api_base=fake.base,
        telegram_bot_token=TOKEN,
        telegram_webhook_secret=SECRET,
        channel_retry_base_seconds=0.05,
        channel_send_attempts=3,
    )


@pytest.fixture
async def shop(settings: Settings, fake: FakePlatform) -> AsyncIterator[Shop]:
    async with running(settings) as (app, client):
        await open_agent_shop(app)
        yield app, client, fake


async def deliver(shop: Shop, update: dict[str, Any]) -> dict[str, Any]:
    """Telegram posts ``update``; the worker answers it (and anything else pending).

    Returns the webhook's response body."""
    app, client, _ = shop
    response = await client.post(
        WEBHOOK, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
    )
    assert response.status_code == 200, response.text
    await app.state.channel_worker.drain(timeout=60)
    body: dict[str, Any] = response.json()
    return body


def sent(fake: FakePlatform, chat: int, method: str = "sendMessage") -> list[dict[str, Any]]:
    """What the platform accepted for ``chat`` with ``method``, in order."""
    return [c.body for c in fake.sent("/" + method) if c.body.get("chat_id") == chat]


def calls(fake: FakePlatform, chat: int) -> list[Recorded]:
    with fake.lock:
        return [c for c in fake.calls if (c.body or {}).get("chat_id") == chat]


async def waited(fake: FakePlatform, count: int, method: str) -> list[Recorded]:
    # The fake blocks while it waits; the service's worker runs on this event loop.
    return await asyncio.to_thread(fake.wait_for, count, "/" + method, 60.0)


async def linked(shop: Shop, chat: int, phone: str) -> None:
    """The shopper of ``chat`` shares their own contact (Telegram sends it without the +)."""
    contact = update_for("contact_own", chat)
    contact["message"]["contact"]["phone_number"] = phone.lstrip("+")
    await deliver(shop, contact)


async def links(app: FastAPI) -> int:
    async with app.state.sessionmaker() as db:
        return int(await db.scalar(select(func.count()).select_from(ChannelLink)) or 0)


async def test_start_from_an_unknown_chat_asks_for_the_phone(shop: Shop) -> None:
    _, _, fake = shop
    chat = new_chat()
    await deliver(shop, update_for("start", chat))
    await waited(fake, 1, "sendMessage")
    [ask] = sent(fake, chat)
    assert ask["reply_markup"]["keyboard"] == SHARE
    assert ask["reply_markup"]["one_time_keyboard"] is True
    assert "phone" in ask["text"].lower()


async def test_sharing_ones_own_contact_links_the_chat_and_greets(shop: Shop) -> None:
    app, _, fake = shop
    chat = new_chat()
    await deliver(shop, update_for("start", chat))
    await linked(shop, chat, new_phone())
    welcome = sent(fake, chat)[1]
    assert welcome["reply_markup"] == {"remove_keyboard": True}
    assert welcome["text"]
    assert await links(app) == 1
    # Linked: the next message is a shopping turn, not another request for the phone.
    await deliver(shop, update_for("text", chat, text="show me kurtas"))
    texts = sent(fake, chat)
    assert all("keyboard" not in m.get("reply_markup", {}) for m in texts[2:])
    cards = [m for m in texts[2:] if "add:T-KURTA" in str(m.get("reply_markup"))]
    assert cards, texts


async def test_the_web_shoppers_cart_continues_on_telegram(shop: Shop) -> None:
    _, client, fake = shop
    phone, web = await shopper(client, "web")
    await say(client, web, "show me jeans")
    await add(client, web, "T-JEANS", "32")
    chat = new_chat()
    await deliver(shop, update_for("start", chat))
    await linked(shop, chat, phone)
    welcome = sent(fake, chat)[1]["text"]
    assert "Slim Jeans" in welcome or "1 item" in welcome, welcome

    session = (await client.get("/session", headers=auth(web))).json()
    assert session["data"]["channels"] == ["web", "telegram"]
    assert session["telegram_chat_id"] == chat
    # One cart: what is added on Telegram is in the web session's cart.
    await deliver(shop, update_for("callback_add", chat, data="add:T-SAREE"))
    cart = await cart_of(client, web)
    assert sorted(i["sku"] for i in cart["items"]) == ["T-JEANS", "T-SAREE"]


async def test_somebody_elses_contact_is_refused_politely_and_links_nothing(shop: Shop) -> None:
    app, _, fake = shop
    chat = new_chat()
    await deliver(shop, update_for("start", chat))
    await deliver(shop, update_for("contact_foreign", chat))
    refusal = sent(fake, chat)[-1]
    assert "own" in refusal["text"]
    assert refusal["reply_markup"]["keyboard"] == SHARE
    assert await links(app) == 0


async def test_an_add_button_is_acknowledged_and_asks_for_the_size(shop: Shop) -> None:
    _, client, fake = shop
    phone, web = await shopper(client, "kiosk")
    chat = new_chat()
    await linked(shop, chat, phone)
    press = update_for("callback_add", chat, data="add:T-SHIRT")
    answer = await deliver(shop, press)
    # Acknowledged in the webhook's response, before the agent has even started.
    assert answer == {
        "method": "answerCallbackQuery",
        "callback_query_id": press["callback_query"]["id"],
    }
    assert fake.sent("/answerCallbackQuery") == []
    question = sent(fake, chat)[-1]["text"]
    assert "Oxford Shirt" in question
    assert "size" in question.lower()
    # A one-size product goes straight into the cart.
    await deliver(shop, update_for("callback_add", chat, data="add:T-SAREE"))
    assert "Silk Saree" in sent(fake, chat)[-1]["text"]
    assert [i["sku"] for i in (await cart_of(client, web))["items"]] == ["T-SAREE"]


async def test_a_sticker_gets_a_polite_answer(shop: Shop) -> None:
    _, _, fake = shop
    chat = new_chat()
    await linked(shop, chat, new_phone())
    await deliver(shop, update_for("sticker", chat))
    answer = sent(fake, chat)[-1]
    assert "sticker" in answer["text"]
    assert answer["reply_markup"]["inline_keyboard"]


async def test_a_redelivered_update_is_answered_once(shop: Shop) -> None:
    _, _, fake = shop
    chat = new_chat()
    start = update_for("start", chat)
    await deliver(shop, start)
    await deliver(shop, start)
    await deliver(shop, start)
    assert len(sent(fake, chat)) == 1


async def test_a_platform_error_is_retried_and_the_reply_delivered_once(shop: Shop) -> None:
    _, _, fake = shop
    chat = new_chat()
    fake.fail_next(500, {"ok": False, "error_code": 500, "description": "Internal Server Error"})
    await deliver(shop, update_for("start", chat))
    await waited(fake, 1, "sendMessage")
    assert [method_of(c) for c in calls(fake, chat)] == ["sendMessage", "sendMessage"]
    assert len(sent(fake, chat)) == 1


async def test_telegrams_retry_after_is_respected(shop: Shop) -> None:
    app, _, fake = shop
    chat = new_chat()
    fake.fail_next(
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 1",
            "parameters": {"retry_after": 1},
        },
    )
    await deliver(shop, update_for("start", chat))
    assert len(sent(fake, chat)) == 1
    async with app.state.sessionmaker() as db:
        row = await db.scalar(select(OutboxMessage).where(OutboxMessage.address == str(chat)))
    assert row is not None
    assert (row.status, row.attempts) == ("sent", 2)
    assert row.sent_at is not None
    assert (row.sent_at - row.created_at).total_seconds() >= 1


async def test_a_refused_send_is_not_retried_and_the_chat_goes_on(shop: Shop) -> None:
    app, _, fake = shop
    chat = new_chat()
    fake.fail_next(400, {"ok": False, "error_code": 400, "description": "Bad Request: oops"})
    await deliver(shop, update_for("start", chat))
    assert [method_of(c) for c in calls(fake, chat)] == ["sendMessage"]
    assert sent(fake, chat) == []
    async with app.state.sessionmaker() as db:
        row = await db.scalar(select(OutboxMessage).where(OutboxMessage.address == str(chat)))
    assert row is not None
    assert (row.status, row.attempts) == ("failed", 1)
    await deliver(shop, update_for("start", chat))
    assert len(sent(fake, chat)) == 1
