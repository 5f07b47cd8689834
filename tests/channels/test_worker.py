"""The channel worker with a recording adapter: identity, order, dedupe, retries, crashes.

The platforms' own shapes are tested with their adapters (``tests/channels/whatsapp``,
``tests/channels/telegram``); here the adapter just records what would be sent, so the tests
can say exactly what a shopper would get and when.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, update

from tests.agent.conftest import open_agent_shop
from tests.commerce.shop import add, cart_of, shopper
from tests.conftest import make_settings, running
from tests.factories import auth, new_phone
from threadline.channels import conversation, inbox
from threadline.channels.base import Inbound, Outgoing, SendError
from threadline.channels.models import ChannelLink, InboxMessage, OutboxMessage
from threadline.channels.worker import APOLOGY, ChannelWorker
from threadline.config import Settings
from threadline.core.clock import clock
from threadline.core.types import Channel
from threadline.sessions.models import SessionToken

_ids = itertools.count(1)


class Recorder:
    """An adapter that keeps what it was asked to send; ``failures`` are raised first."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.sent: list[dict[str, Any]] = []
        self.failures: list[SendError] = []

    def configured(self) -> bool:
        return True

    def render(self, inbound: Inbound, reply: Outgoing) -> list[dict[str, Any]]:
        body = {
            "to": inbound.address,
            "text": reply.text,
            "skus": [p["sku"] for p in reply.products],
            "ask_contact": reply.ask_contact,
        }
        return [{"method": "send", "body": body}]

    async def deliver(self, http: httpx.AsyncClient, request: dict[str, Any]) -> str | None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(request["body"])
        return f"m{len(self.sent)}"


Shop = tuple[FastAPI, httpx.AsyncClient, ChannelWorker, dict[str, Recorder]]


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(
        database_url,
        channel_retry_base_seconds=0.01,
        channel_send_attempts=3,
        channel_answer_attempts=3,
    )


@pytest.fixture
async def shop(settings: Settings) -> AsyncIterator[Shop]:
    async with running(settings) as (app, client):
        await open_agent_shop(app)
        adapters = {c.value: Recorder(c) for c in (Channel.whatsapp, Channel.telegram)}
        worker: ChannelWorker = app.state.channel_worker
        worker.adapters = adapters  # type: ignore[assignment]
        yield app, client, worker, adapters


def whatsapp(phone: str, text: str, **kw: Any) -> Inbound:
    wa_id = phone.lstrip("+")
    values: dict[str, Any] = {
        "channel": Channel.whatsapp,
        "external_id": f"wamid.{next(_ids)}",
        "address": wa_id,
        "kind": "text",
        "text": text,
        "user_id": wa_id,
        "phone": phone,
        "platform_time": datetime.now(UTC),
    }
    values.update(kw)
    return Inbound(**values)


def telegram(chat_id: int, kind: str = "text", **kw: Any) -> Inbound:
    values: dict[str, Any] = {
        "channel": Channel.telegram,
        "external_id": str(next(_ids)),
        "address": str(chat_id),
        "kind": kind,
        "user_id": str(chat_id),
        "platform_time": datetime.now(UTC),
    }
    values.update(kw)
    return Inbound(**values)


async def count(app: FastAPI, query: Any) -> int:
    async with app.state.sessionmaker() as db:
        return int(await db.scalar(query) or 0)


async def test_whatsapp_continues_the_web_customers_cart_with_one_device(shop: Shop) -> None:
    app, client, worker, sent = shop
    phone, web = await shopper(client, "web")
    await add(client, web, "T-SHIRT", "M")

    assert await inbox.accept(app.state, [whatsapp(phone, "what's in my cart?")]) == 1
    await worker.drain()
    reply = sent["whatsapp"].sent
    assert len(reply) == 1
    assert reply[0]["to"] == phone.lstrip("+")
    assert "Oxford Shirt" in reply[0]["text"]

    session = (await client.get("/session", headers=auth(web))).json()
    assert session["data"]["channels"] == ["web", "whatsapp"]
    await inbox.accept(app.state, [whatsapp(phone, "show me jeans")])
    await worker.drain()
    assert sent["whatsapp"].sent[1]["skus"] == ["T-JEANS"]
    # One linked chat, one device for it, however many messages.
    tokens = (
        select(func.count()).select_from(SessionToken).where(SessionToken.channel == "whatsapp")
    )
    assert await count(app, tokens) == 1
    assert await count(app, select(func.count()).select_from(ChannelLink)) == 1


async def test_a_new_whatsapp_number_becomes_a_customer_and_shops(shop: Shop) -> None:
    app, _, worker, sent = shop
    phone = new_phone()
    await inbox.accept(app.state, [whatsapp(phone, "show me jeans")])
    await worker.drain()
    assert sent["whatsapp"].sent[0]["skus"] == ["T-JEANS"]


async def test_a_redelivered_message_is_answered_once(shop: Shop) -> None:
    app, _, worker, sent = shop
    message = whatsapp(new_phone(), "hi")
    assert await inbox.accept(app.state, [message]) == 1
    assert await inbox.accept(app.state, [message]) == 0
    await worker.drain()
    assert await inbox.accept(app.state, [message]) == 0
    await worker.drain()
    assert len(sent["whatsapp"].sent) == 1


async def test_a_chats_messages_are_answered_in_the_order_they_were_sent(shop: Shop) -> None:
    app, client, worker, sent = shop
    phone = new_phone()
    now = datetime.now(UTC)
    # Delivered out of order: the later message arrives first.
    later = whatsapp(phone, "show me jeans", platform_time=now)
    earlier = whatsapp(phone, "show me sneakers", platform_time=now - timedelta(seconds=5))
    await inbox.accept(app.state, [later])
    await inbox.accept(app.state, [earlier])
    await worker.drain()
    assert [m["skus"] for m in sent["whatsapp"].sent] == [["T-SNEAKER"], ["T-JEANS"]]


async def test_a_retryable_send_failure_is_retried_and_delivered_once(shop: Shop) -> None:
    app, _, worker, sent = shop
    sent["whatsapp"].failures = [SendError("HTTP 500", retryable=True)]
    await inbox.accept(app.state, [whatsapp(new_phone(), "hi")])
    await worker.drain()
    assert len(sent["whatsapp"].sent) == 1
    async with app.state.sessionmaker() as db:
        row = await db.scalar(select(OutboxMessage))
    assert row is not None
    assert (row.status, row.attempts, row.platform_message_id) == ("sent", 2, "m1")


async def test_a_refused_send_is_not_retried_and_the_next_reply_still_goes(shop: Shop) -> None:
    app, _, worker, sent = shop
    phone = new_phone()
    sent["whatsapp"].failures = [SendError("HTTP 400", retryable=False)]
    await inbox.accept(app.state, [whatsapp(phone, "hi")])
    await worker.drain()
    await inbox.accept(app.state, [whatsapp(phone, "show me jeans")])
    await worker.drain()
    assert [m["skus"] for m in sent["whatsapp"].sent] == [["T-JEANS"]]
    async with app.state.sessionmaker() as db:
        rows = (await db.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    assert [(r.status, r.attempts) for r in rows] == [("failed", 1), ("sent", 1)]


async def test_a_send_that_keeps_failing_is_given_up_after_the_attempts(shop: Shop) -> None:
    app, _, worker, sent = shop
    sent["whatsapp"].failures = [SendError("HTTP 503", retryable=True) for _ in range(3)]
    await inbox.accept(app.state, [whatsapp(new_phone(), "hi")])
    await worker.drain()
    async with app.state.sessionmaker() as db:
        row = await db.scalar(select(OutboxMessage))
    assert row is not None
    assert (row.status, row.attempts) == ("failed", 3)
    assert sent["whatsapp"].sent == []


async def test_messages_left_by_a_crashed_worker_are_answered(shop: Shop) -> None:
    app, _, worker, sent = shop
    phone = new_phone()
    await inbox.accept(app.state, [whatsapp(phone, "show me jeans")])
    # As if a process claimed it and died mid-answer: the claim lapses, another answers.
    async with app.state.sessionmaker() as db:
        await db.execute(
            update(InboxMessage).values(
                claimed_until=datetime.now(UTC) - timedelta(seconds=1), attempts=1
            )
        )
        await db.commit()
    await worker.drain()
    assert [m["skus"] for m in sent["whatsapp"].sent] == [["T-JEANS"]]


async def test_an_answer_that_keeps_failing_ends_in_an_apology(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, _, worker, sent = shop

    async def broken(*args: Any, **kwargs: Any) -> Outgoing:
        raise RuntimeError("agent down")

    monkeypatch.setattr(conversation, "answer", broken)
    await inbox.accept(app.state, [whatsapp(new_phone(), "hi")])
    await worker.drain()
    assert [m["text"] for m in sent["whatsapp"].sent] == [APOLOGY]
    async with app.state.sessionmaker() as db:
        row = await db.scalar(select(InboxMessage))
    assert row is not None
    assert (row.status, row.attempts) == ("failed", 3)
    assert "agent down" in (row.last_error or "")


async def test_telegram_asks_for_the_phone_then_links_on_the_shoppers_own_contact(
    shop: Shop,
) -> None:
    app, client, worker, sent = shop
    phone, web = await shopper(client, "web")
    await add(client, web, "T-JEANS", "32")
    chat = 700_000 + next(_ids)

    await inbox.accept(app.state, [telegram(chat, "start")])
    await worker.drain()
    first = sent["telegram"].sent[-1]
    assert first["ask_contact"] is True

    # Somebody else's contact card links nothing.
    await inbox.accept(app.state, [telegram(chat, "foreign_contact")])
    await worker.drain()
    assert sent["telegram"].sent[-1]["ask_contact"] is True
    assert await count(app, select(func.count()).select_from(ChannelLink)) == 0

    await inbox.accept(app.state, [telegram(chat, "contact", phone=phone)])
    await worker.drain()
    welcome = sent["telegram"].sent[-1]
    assert welcome["ask_contact"] is False
    assert "Welcome back! You still have 1 item in your cart" in welcome["text"]
    session = (await client.get("/session", headers=auth(web))).json()
    assert session["data"]["channels"] == ["web", "telegram"]
    assert session["telegram_chat_id"] == chat

    await inbox.accept(app.state, [telegram(chat, "text", text="show me kurtas")])
    await worker.drain()
    assert sent["telegram"].sent[-1]["skus"] == ["T-KURTA"]


async def test_an_add_button_puts_the_product_in_the_same_cart(shop: Shop) -> None:
    app, client, worker, sent = shop
    phone, web = await shopper(client, "kiosk")
    await inbox.accept(app.state, [whatsapp(phone, "", kind="button", data="add:T-SAREE")])
    await worker.drain()
    assert "Silk Saree" in sent["whatsapp"].sent[-1]["text"]
    cart = await cart_of(client, web)
    assert [(i["sku"], i["size"]) for i in cart["items"]] == [("T-SAREE", "Free Size")]


async def test_a_sticker_gets_a_polite_answer(shop: Shop) -> None:
    app, _, worker, sent = shop
    await inbox.accept(app.state, [whatsapp(new_phone(), "", kind="unsupported", what="sticker")])
    await worker.drain()
    assert "sticker" in sent["whatsapp"].sent[-1]["text"]


async def test_logging_out_everywhere_ends_the_chats_device_and_the_next_message_rejoins(
    shop: Shop,
) -> None:
    app, client, worker, sent = shop
    phone, web = await shopper(client, "web")
    await inbox.accept(app.state, [whatsapp(phone, "hi")])
    await worker.drain()
    response = await client.post("/auth/logout", json={"all_devices": True}, headers=auth(web))
    assert response.status_code == 204
    await inbox.accept(app.state, [whatsapp(phone, "show me jeans")])
    await worker.drain()
    assert sent["whatsapp"].sent[-1]["skus"] == ["T-JEANS"]
    live = (
        select(func.count())
        .select_from(SessionToken)
        .where(SessionToken.channel == "whatsapp", SessionToken.revoked_at.is_(None))
    )
    assert await count(app, live) == 1


async def test_old_answered_messages_are_purged_and_unsent_replies_kept(shop: Shop) -> None:
    app, _, worker, _ = shop
    await inbox.accept(app.state, [whatsapp(new_phone(), "hi")])
    await worker.drain()
    async with app.state.sessionmaker() as db:
        db.add(
            OutboxMessage(
                channel="whatsapp",
                address="919999999999",
                request={"method": "send", "body": {}},
                status="pending",
                attempts=5,
                next_attempt_at=datetime.now(UTC) + timedelta(days=400),
                created_at=datetime.now(UTC),
            )
        )
        await db.commit()
    clock.advance(timedelta(days=31))
    async with app.state.sessionmaker() as db:
        assert await inbox.purge_processed(db, app.state.settings) >= 2
        await db.commit()
    assert await count(app, select(func.count()).select_from(InboxMessage)) == 0
    outbox = await count(app, select(func.count()).select_from(OutboxMessage))
    assert outbox == 1, "a reply not yet sent is never purged"


async def test_concurrent_deliveries_are_stored_and_counted_once_each(shop: Shop) -> None:
    app, _, worker, sent = shop
    same = whatsapp(new_phone(), "hi")
    others = [whatsapp(new_phone(), "hi") for _ in range(20)]
    results = await asyncio.gather(
        *(inbox.accept(app.state, [same]) for _ in range(5)),
        *(inbox.accept(app.state, [m]) for m in others),
    )
    assert sorted(results[:5]) == [0, 0, 0, 0, 1]
    assert results[5:] == [1] * 20
    assert await count(app, select(func.count()).select_from(InboxMessage)) == 21
    await worker.drain()
    assert len(sent["whatsapp"].sent) == 21


async def test_telegram_updates_sent_in_one_second_are_answered_in_update_order(
    shop: Shop,
) -> None:
    app, client, worker, sent = shop
    phone, _ = await shopper(client, "web")
    chat = 700_000 + next(_ids)
    await inbox.accept(app.state, [telegram(chat, "contact", phone=phone)])
    await worker.drain()
    second = datetime.now(UTC).replace(microsecond=0)
    later = telegram(chat, text="show me jeans", sequence=11, platform_time=second)
    earlier = telegram(chat, text="show me sneakers", sequence=10, platform_time=second)
    await inbox.accept(app.state, [later])
    await inbox.accept(app.state, [earlier])
    await worker.drain()
    assert [m["skus"] for m in sent["telegram"].sent[-2:]] == [["T-SNEAKER"], ["T-JEANS"]]


async def test_an_answer_whose_claim_was_taken_over_does_not_stand(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, client, worker, sent = shop
    phone, web = await shopper(client, "web")
    finish = ChannelWorker._finish_inbound

    async def after_the_lease_ran_out(self: ChannelWorker, db: Any, row: Any, *args: Any) -> None:
        # Another worker claimed the message meanwhile (each claim counts an attempt).
        row.attempts -= 1
        await finish(self, db, row, *args)

    monkeypatch.setattr(ChannelWorker, "_finish_inbound", after_the_lease_ran_out)
    await inbox.accept(app.state, [whatsapp(phone, "", kind="button", data="add:T-SAREE")])
    await worker.run_once()
    await asyncio.gather(*worker._answering.values(), return_exceptions=True)
    assert (await cart_of(client, web))["items"] == [], "the turn was rolled back"
    assert await count(app, select(func.count()).select_from(OutboxMessage)) == 0
    async with app.state.sessionmaker() as db:
        row = await db.scalar(select(InboxMessage))
    assert row is not None
    assert row.status == "pending", "left to the worker that holds the claim"
    assert sent["whatsapp"].sent == []


async def test_a_repeated_give_back_does_not_undo_another_workers_newer_claim(
    shop: Shop,
) -> None:
    """A worker gives a message back (the store failed under it) and, its confirmation lost,
    gives it back again after another worker has claimed it: the newer claim stands."""
    app, client, worker, _sent = shop
    phone, _web = await shopper(client, "web")
    await inbox.accept(app.state, [whatsapp(phone, "hello")])

    async def stored() -> InboxMessage:
        async with app.state.sessionmaker() as db:
            row = await db.scalar(select(InboxMessage))
            assert row is not None
            db.expunge(row)
            return row

    services = conversation.Services(app.state)
    ours = await stored()
    assert await worker._claim(InboxMessage, ours, clock.now())
    async with app.state.sessionmaker() as db:
        await worker._release(db, services, ours)
    given_back = await stored()
    assert (given_back.attempts, given_back.claimed_until) == (0, None), "the give-back counts"

    # The other worker's claim counts the same attempt number as ours did.
    theirs = await stored()
    assert await worker._claim(InboxMessage, theirs, clock.now() + timedelta(seconds=1))
    async with app.state.sessionmaker() as db:
        await worker._release(db, services, ours)  # the retry of our give-back
    after = await stored()
    assert after.attempts == 1 == ours.attempts
    assert after.claimed_until is not None, "the newer claim was undone"
    assert after.claimed_until > clock.now(), "the newer claim still holds its lease"


async def test_a_linked_chat_sharing_someone_elses_contact_stays_linked(shop: Shop) -> None:
    app, client, worker, sent = shop
    phone, web = await shopper(client, "web")
    chat = 700_000 + next(_ids)
    await inbox.accept(app.state, [telegram(chat, "contact", phone=phone)])
    await worker.drain()
    await inbox.accept(app.state, [telegram(chat, "foreign_contact")])
    await worker.drain()
    answer = sent["telegram"].sent[-1]
    assert answer["ask_contact"] is False
    assert "already linked" in answer["text"]
    session = (await client.get("/session", headers=auth(web))).json()
    assert session["telegram_chat_id"] == chat


async def test_a_whatsapp_sender_without_a_phone_number_is_told_so_politely(shop: Shop) -> None:
    app, _, worker, sent = shop
    odd = Inbound(
        channel=Channel.whatsapp,
        external_id=f"wamid.{next(_ids)}",
        address="12",
        kind="text",
        text="hi",
        user_id="12",
    )
    await inbox.accept(app.state, [odd])
    await worker.drain()
    answer = sent["whatsapp"].sent[-1]
    assert answer["ask_contact"] is False
    assert "can't recognise this WhatsApp number" in answer["text"]
    assert await count(app, select(func.count()).select_from(ChannelLink)) == 0


async def test_a_reply_the_platform_took_as_the_worker_stops_is_recorded_as_sent(
    shop: Shop,
) -> None:
    # A stop whose grace period is already spent cancels the sends in flight; one the platform
    # has just taken must still be recorded, or it goes out again when its lease lapses.
    app, _, worker, adapters = shop
    recorder = adapters["whatsapp"]
    stops: list[asyncio.Task[None]] = []
    platform_takes = recorder.deliver

    async def deliver_then_stop(http: httpx.AsyncClient, request: dict[str, Any]) -> str | None:
        message_id = await platform_takes(http, request)
        stops.append(asyncio.ensure_future(worker.stop(0)))
        return message_id

    recorder.deliver = deliver_then_stop  # type: ignore[method-assign]
    await inbox.accept(app.state, [whatsapp(new_phone(), "hi")])
    for _ in range(3000):
        if stops:
            break
        await worker.run_once()
        await asyncio.sleep(0.01)
    await stops[0]

    assert len(recorder.sent) == 1
    async with app.state.sessionmaker() as db:
        row = await db.scalar(select(OutboxMessage))
    assert row is not None
    assert (row.status, row.platform_message_id) == ("sent", "m1")
