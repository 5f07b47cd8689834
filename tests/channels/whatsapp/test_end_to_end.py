"""WhatsApp end to end: a signed delivery in, the sales agent's answer out through a fake Cloud API.

The app runs with its channel worker; the Cloud API is a local server (``fake``) that records
every send.  The fake's ``wait_for`` blocks, so it runs in a thread while the app's event loop
keeps answering.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from tests.agent.conftest import open_agent_shop
from tests.channels.platform import FakePlatform, Recorded
from tests.channels.whatsapp.helpers import (
    ACCESS_TOKEN,
    NUMBER_ID,
    button_delivery,
    delivery_for,
    new_wa_id,
    post_signed,
    status_delivery,
    text_delivery,
)
from tests.commerce.shop import add, cart_of, shopper
from tests.conftest import running
from tests.factories import auth
from threadline.catalog.models import Product
from threadline.catalog.service import bump_version
from threadline.channels.models import DeliveryStatus, InboxMessage, OutboxMessage
from threadline.channels.worker import ChannelWorker
from threadline.config import Settings

Shop = tuple[FastAPI, httpx.AsyncClient, FakePlatform]
WAIT = 90.0  # seconds: the CI machine is slow


@pytest.fixture
async def shop(settings: Settings, fake: FakePlatform) -> AsyncIterator[Shop]:
    async with running(settings) as (app, client):
        await open_agent_shop(app)
        yield app, client, fake


async def replies(fake: FakePlatform, count: int) -> list[Recorded]:
    """The first ``count`` sends the Cloud API accepted (waiting for them if need be)."""
    return await asyncio.to_thread(fake.wait_for, count, "/messages", WAIT)


async def settle(app: FastAPI) -> None:
    """Until every stored message is answered and every reply sent or given up."""
    worker: ChannelWorker = app.state.channel_worker
    await worker.drain(timeout=WAIT)


def to(calls: list[Recorded], wa_id: str) -> list[dict[str, Any]]:
    return [c.body for c in calls if isinstance(c.body, dict) and c.body.get("to") == wa_id]


def shown(bodies: list[dict[str, Any]]) -> str:
    """Everything the shopper was shown, as one string."""
    return json.dumps(bodies, ensure_ascii=False)


def button_ids(bodies: list[dict[str, Any]]) -> list[str]:
    ids: list[str] = []
    for body in bodies:
        interactive = body.get("interactive") or {}
        action = interactive.get("action") or {}
        ids += [b["reply"]["id"] for b in action.get("buttons", [])]
        for section in action.get("sections", []):
            ids += [row["id"] for row in section["rows"]]
    return ids


async def outbox(app: FastAPI) -> list[OutboxMessage]:
    async with app.state.sessionmaker() as db:
        return list((await db.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def test_a_new_number_asking_for_shirts_gets_products_with_buttons(shop: Shop) -> None:
    app, client, fake = shop
    async with app.state.sessionmaker() as db:
        await db.execute(
            update(Product)
            .where(Product.sku == "T-SHIRT")
            .values(image_url="https://cdn.example.com/p/T-SHIRT.jpg")
        )
        await bump_version(db)
        await db.commit()
    await app.state.search_index.refresh(app.state.read_sessionmaker)
    wa_id = new_wa_id()

    response = await post_signed(client, text_delivery(wa_id, "show me shirts"))
    assert response.status_code == 200, response.text
    await replies(fake, 2)
    await settle(app)

    sent = fake.sent("/messages")
    assert all(c.path == f"/{NUMBER_ID}/messages" for c in sent)
    assert all(c.headers["authorization"] == f"Bearer {ACCESS_TOKEN}" for c in sent)
    bodies = to(sent, wa_id)
    assert len(bodies) == len(sent)
    assert "Oxford Shirt" in shown(bodies)
    assert "add:T-SHIRT" in button_ids(bodies)
    card = next(b for b in bodies if "add:T-SHIRT" in button_ids([b]))
    assert card["interactive"]["header"] == {
        "type": "image",
        "image": {"link": "https://cdn.example.com/p/T-SHIRT.jpg"},
    }
    # Every reply was taken, and the platform's ids kept.
    rows = await outbox(app)
    assert [r.status for r in rows] == ["sent"] * len(bodies)
    assert all(r.platform_message_id and r.platform_message_id.startswith("wamid.") for r in rows)


async def test_a_web_customer_writing_on_whatsapp_continues_the_same_session(shop: Shop) -> None:
    app, client, fake = shop
    phone, web = await shopper(client, "web")
    await add(client, web, "T-SHIRT", "M")
    wa_id = phone.lstrip("+")

    response = await post_signed(client, text_delivery(wa_id, "what's in my cart?"))
    assert response.status_code == 200, response.text
    await replies(fake, 1)
    await settle(app)

    assert "Oxford Shirt" in shown(to(fake.sent("/messages"), wa_id))
    session = (await client.get("/session", headers=auth(web))).json()
    assert session["data"]["channels"] == ["web", "whatsapp"]
    assert session["phone"] == phone
    cart = await cart_of(client, web)
    assert [(i["sku"], i["size"], i["qty"]) for i in cart["items"]] == [("T-SHIRT", "M", 1)]


async def test_an_add_to_cart_button_puts_the_product_in_the_cart(shop: Shop) -> None:
    app, client, fake = shop
    phone, web = await shopper(client, "web")
    wa_id = phone.lstrip("+")

    response = await post_signed(client, button_delivery(wa_id, "add:T-SAREE", "Add to cart"))
    assert response.status_code == 200, response.text
    await replies(fake, 1)
    await settle(app)

    assert "Silk Saree" in shown(to(fake.sent("/messages"), wa_id))
    cart = await cart_of(client, web)
    assert [i["sku"] for i in cart["items"]] == ["T-SAREE"]


async def test_a_say_button_is_said(shop: Shop) -> None:
    app, client, fake = shop
    wa_id = new_wa_id()
    body = button_delivery(wa_id, "say:show me jeans", "show me jeans")
    assert (await post_signed(client, body)).status_code == 200
    await replies(fake, 1)
    await settle(app)
    bodies = to(fake.sent("/messages"), wa_id)
    assert "add:T-JEANS" in button_ids(bodies)


@pytest.mark.parametrize(("name", "what"), [("sticker", "sticker"), ("location", "location")])
async def test_a_sticker_or_a_location_gets_a_polite_answer(
    shop: Shop, name: str, what: str
) -> None:
    app, client, fake = shop
    wa_id = new_wa_id()
    assert (await post_signed(client, delivery_for(name, wa_id))).status_code == 200
    await replies(fake, 1)
    await settle(app)
    [body] = to(fake.sent("/messages"), wa_id)
    assert body["type"] == "interactive"
    text = body["interactive"]["body"]["text"]
    assert f"can't open a {what}" in text
    assert button_ids([body])  # something to tap instead


async def test_a_redelivered_message_is_answered_once(shop: Shop) -> None:
    app, client, fake = shop
    wa_id = new_wa_id()
    body = text_delivery(wa_id, "show me jeans")
    for _ in range(2):
        assert (await post_signed(client, body)).status_code == 200
    await replies(fake, 1)
    await settle(app)
    first = len(fake.sent("/messages"))
    # Meta redelivers later, after the answer went out: still nothing new.
    assert (await post_signed(client, body)).status_code == 200
    await settle(app)
    assert len(fake.sent("/messages")) == first
    async with app.state.sessionmaker() as db:
        assert len((await db.scalars(select(InboxMessage))).all()) == 1
    assert len({r.inbox_id for r in await outbox(app)}) == 1


async def test_a_server_error_on_send_is_retried_and_delivered_once(shop: Shop) -> None:
    app, client, fake = shop
    wa_id = new_wa_id()
    fake.fail_next(500, {"error": {"message": "Service temporarily unavailable", "code": 2}})
    assert (await post_signed(client, text_delivery(wa_id, "hi"))).status_code == 200
    await replies(fake, 1)
    await settle(app)

    refused = [c for c in fake.calls if c.headers["x-fake-status"] == "500"]
    accepted = fake.sent("/messages")
    assert len(refused) == 1
    # The refused request went again, unchanged, and every reply went through once.
    assert refused[0].body in [c.body for c in accepted]
    bodies = [json.dumps(c.body, sort_keys=True) for c in accepted]
    assert len(bodies) == len(set(bodies))
    rows = await outbox(app)
    assert [r.status for r in rows] == ["sent"] * len(rows)
    assert rows[0].attempts == 2


async def test_a_bad_request_on_send_is_not_retried(shop: Shop) -> None:
    app, client, fake = shop
    wa_id = new_wa_id()
    fake.fail_next(
        400,
        {
            "error": {
                "message": "(#131030) Recipient phone number not in allowed list",
                "code": 131030,
            }
        },
    )
    assert (await post_signed(client, text_delivery(wa_id, "show me jeans"))).status_code == 200
    await settle(app)

    rows = await outbox(app)
    assert rows[0].status == "failed"
    assert rows[0].attempts == 1
    assert rows[0].last_error is not None
    assert "131030" in rows[0].last_error
    refused = [c for c in fake.calls if c.headers["x-fake-status"] == "400"]
    assert len(refused) == 1
    assert refused[0].body not in [c.body for c in fake.sent("/messages")]
    # The replies after it still went.
    assert [r.status for r in rows[1:]] == ["sent"] * (len(rows) - 1)


async def test_a_status_callback_for_a_sent_reply_is_recorded(shop: Shop) -> None:
    app, client, fake = shop
    wa_id = new_wa_id()
    assert (await post_signed(client, text_delivery(wa_id, "hi"))).status_code == 200
    await replies(fake, 1)
    await settle(app)
    sent = (await outbox(app))[0]
    assert sent.platform_message_id is not None

    for status in ("sent", "delivered", "read"):
        body = status_delivery(status, sent.platform_message_id, wa_id)
        assert (await post_signed(client, body)).status_code == 200
    async with app.state.sessionmaker() as db:
        rows = (
            await db.scalars(
                select(DeliveryStatus).where(
                    DeliveryStatus.platform_message_id == sent.platform_message_id
                )
            )
        ).all()
    assert sorted(r.status for r in rows) == ["delivered", "read", "sent"]
    assert {r.recipient for r in rows} == {wa_id}


async def test_two_messages_in_one_delivery_are_answered_in_the_order_sent(shop: Shop) -> None:
    app, client, fake = shop
    wa_id = new_wa_id()
    body = delivery_for("two_messages_one_delivery", wa_id)
    messages = body["entry"][0]["changes"][0]["value"]["messages"]
    messages[0]["text"] = {"body": "show me sneakers"}
    messages[1]["text"] = {"body": "show me jeans"}
    # Sent a few seconds apart, listed in the delivery the other way round.
    messages[0]["timestamp"] = str(int(messages[1]["timestamp"]) - 5)
    body["entry"][0]["changes"][0]["value"]["messages"] = [messages[1], messages[0]]
    assert (await post_signed(client, body)).status_code == 200
    await replies(fake, 2)
    await settle(app)
    ids = button_ids(to(fake.sent("/messages"), wa_id))
    assert ids.index("add:T-SNEAKER") < ids.index("add:T-JEANS")
