"""``POST /channels/telegram/webhook``: only Telegram gets in, each update is stored once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from tests.channels.telegram.helpers import SECRET, WEBHOOK, new_chat, payload, update_for
from tests.conftest import make_settings, running
from threadline.channels.models import InboxMessage
from threadline.config import Settings

App = tuple[FastAPI, httpx.AsyncClient]


@pytest.fixture
def settings(database_url: str) -> Settings:
    # No bot token: the worker keeps its replies, nothing leaves the machine.
    return make_settings(database_url, telegram_webhook_secret=SECRET)


@pytest.fixture
async def service(settings: Settings) -> AsyncIterator[App]:
    async with running(settings) as pair:
        yield pair


def signed(secret: str | None = SECRET) -> dict[str, str]:
    return {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}


async def stored(app: FastAPI) -> list[InboxMessage]:
    async with app.state.sessionmaker() as db:
        return list((await db.scalars(select(InboxMessage).order_by(InboxMessage.id))).all())


async def test_an_update_is_stored_and_acknowledged(service: App) -> None:
    app, client = service
    response = await client.post(WEBHOOK, json=payload("text"), headers=signed())
    assert response.status_code == 200, response.text
    assert response.json() == {"ok": True}
    [row] = await stored(app)
    assert (row.channel, row.external_id, row.address) == ("telegram", "804512302", "5213370042")
    assert row.payload["kind"] == "text"
    assert row.payload["text"] == "show me blue shirts under 2000"


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", SECRET + "x", SECRET[:-1]])
async def test_a_missing_or_wrong_secret_is_refused_and_nothing_stored(
    service: App, secret: str | None
) -> None:
    app, client = service
    response = await client.post(WEBHOOK, json=payload("text"), headers=signed(secret))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_webhook_secret"
    assert response.json()["error"]["message"]
    assert await stored(app) == []


async def test_without_a_configured_secret_every_call_is_refused(database_url: str) -> None:
    async with running(make_settings(database_url)) as (app, client):
        for secret in (None, "", "anything"):
            response = await client.post(WEBHOOK, json=payload("text"), headers=signed(secret))
            assert response.status_code == 401
            assert response.json()["error"]["code"] == "invalid_webhook_secret"
        assert await stored(app) == []


async def test_the_secret_is_checked_before_the_body_is_read(service: App) -> None:
    _, client = service
    response = await client.post(
        WEBHOOK, content=b"{not json", headers={**signed("bad"), "Content-Type": "application/json"}
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    "body", [b"{not json", b"", b"\xff\xfe", b"[1, 2", b"[" * 100_000 + b"]" * 100_000]
)
async def test_malformed_json_is_a_400_with_the_error_body(service: App, body: bytes) -> None:
    app, client = service
    response = await client.post(
        WEBHOOK, content=body, headers={**signed(), "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"
    assert await stored(app) == []


@pytest.mark.parametrize(
    "body",
    [
        [],
        "an update",
        42,
        {"message": {"text": "hi"}},
        {"update_id": 1, "message": {"text": "no chat"}},
        {"update_id": 1, "callback_query": {"id": "7"}},
    ],
)
async def test_json_that_is_not_an_update_is_a_422(service: App, body: Any) -> None:
    app, client = service
    response = await client.post(WEBHOOK, json=body, headers=signed())
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_update"
    assert await stored(app) == []


async def test_a_redelivered_update_is_stored_once(service: App) -> None:
    app, client = service
    update = update_for("text", new_chat())
    for _ in range(3):
        response = await client.post(WEBHOOK, json=update, headers=signed())
        assert response.status_code == 200
    assert [r.external_id for r in await stored(app)] == [str(update["update_id"])]


async def test_updates_arriving_out_of_order_are_both_stored(service: App) -> None:
    app, client = service
    chat = new_chat()
    later = update_for("text", chat, text="and in blue?")
    earlier = update_for("text", chat, text="show me shirts")
    later["update_id"], earlier["update_id"] = 11, 10
    for update in (later, earlier):
        assert (await client.post(WEBHOOK, json=update, headers=signed())).status_code == 200
    assert sorted(r.external_id for r in await stored(app)) == ["10", "11"]


@pytest.mark.parametrize("name", ["edited_message", "group_text"])
async def test_updates_the_shop_does_not_serve_are_acknowledged_and_dropped(
    service: App, name: str
) -> None:
    app, client = service
    response = await client.post(WEBHOOK, json=payload(name), headers=signed())
    assert response.status_code == 200
    assert await stored(app) == []


async def test_the_webhook_is_described_in_openapi(service: App) -> None:
    _, client = service
    spec = (await client.get("/openapi.json")).json()
    operation = spec["paths"][WEBHOOK]["post"]
    assert operation["summary"]
    assert {"200", "400", "401", "422"} <= set(operation["responses"])
    headers = [p["name"].lower() for p in operation.get("parameters", [])]
    assert "x-telegram-bot-api-secret-token" in headers
    assert "application/json" in operation["requestBody"]["content"]
