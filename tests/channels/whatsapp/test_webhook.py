"""The webhook's routes: Meta's verification, the signature, parsing, and storing once."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import func, select

from tests.channels.whatsapp.helpers import (
    APP_SECRET,
    VERIFY_TOKEN,
    WEBHOOK,
    encode,
    new_wa_id,
    post_signed,
    raw_payload,
    signature,
    status_delivery,
    text_delivery,
)
from tests.conftest import running
from threadline.channels.models import DeliveryStatus, InboxMessage
from threadline.config import Settings

App = tuple[FastAPI, httpx.AsyncClient]


async def inbox_rows(app: FastAPI) -> list[InboxMessage]:
    async with app.state.sessionmaker() as db:
        return list((await db.scalars(select(InboxMessage).order_by(InboxMessage.id))).all())


async def status_rows(app: FastAPI) -> list[DeliveryStatus]:
    async with app.state.sessionmaker() as db:
        query = select(DeliveryStatus).order_by(DeliveryStatus.occurred_at)
        return list((await db.scalars(query)).all())


async def inbox_count(app: FastAPI) -> int:
    async with app.state.sessionmaker() as db:
        return int(await db.scalar(select(func.count()).select_from(InboxMessage)) or 0)


def assert_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str)
    assert body["error"]["message"]


# --- GET: Meta's verification ---------------------------------------------------------------


def verification(token: str | None, mode: str | None = "subscribe") -> dict[str, str]:
    params = {"hub.challenge": "1158201444"}
    if mode is not None:
        params["hub.mode"] = mode
    if token is not None:
        params["hub.verify_token"] = token
    return params


async def test_the_right_verify_token_gets_the_challenge_back_as_text(wa: App) -> None:
    _, client = wa
    response = await client.get(WEBHOOK, params=verification(VERIFY_TOKEN))
    assert response.status_code == 200
    assert response.text == "1158201444"
    assert response.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize(
    "params",
    [
        verification("wrong-token"),
        verification(VERIFY_TOKEN[:-1]),
        verification(None),
        verification(""),
        verification(VERIFY_TOKEN, mode="unsubscribe"),
        verification(VERIFY_TOKEN, mode=None),
        {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN},
        {},
    ],
)
async def test_a_wrong_or_incomplete_verification_is_refused(
    wa: App, params: dict[str, str]
) -> None:
    _, client = wa
    response = await client.get(WEBHOOK, params=params)
    assert_error(response, 403, "verification_failed")
    assert "1158201444" not in response.text


async def test_without_a_verify_token_setting_every_verification_is_refused(
    settings: Settings,
) -> None:
    unset = settings.model_copy(update={"whatsapp_verify_token": SecretStr("")})
    async with running(unset) as (_, client):
        for token in ("", VERIFY_TOKEN):
            response = await client.get(WEBHOOK, params=verification(token))
            assert_error(response, 403, "verification_failed")


# --- POST: signature first --------------------------------------------------------------------


async def test_a_signed_delivery_is_stored_and_acknowledged(wa: App) -> None:
    app, client = wa
    wa_id = new_wa_id()
    response = await post_signed(client, text_delivery(wa_id, "show me shirts"))
    assert response.status_code == 200, response.text
    assert response.json() == {"ok": True}
    [row] = await inbox_rows(app)
    assert (row.channel, row.address) == ("whatsapp", wa_id)
    assert row.payload["kind"] == "text"
    assert row.payload["text"] == "show me shirts"
    assert row.payload["phone"] == "+" + wa_id
    assert row.platform_time is not None


async def test_the_recorded_bytes_as_meta_sent_them_are_accepted(wa: App) -> None:
    app, client = wa
    raw = raw_payload("two_messages_one_delivery")
    response = await post_signed(client, raw)
    assert response.status_code == 200, response.text
    assert len(await inbox_rows(app)) == 2


async def test_a_missing_signature_is_refused_and_nothing_kept(wa: App) -> None:
    app, client = wa
    raw = encode(text_delivery(new_wa_id(), "hi"))
    response = await client.post(WEBHOOK, content=raw, headers={"Content-Type": "application/json"})
    assert_error(response, 401, "invalid_signature")
    assert await inbox_count(app) == 0


@pytest.mark.parametrize(
    "header",
    [
        "sha256=" + "0" * 64,
        "sha256=",
        "sha1=abcdef",
        "garbage",
        "sha256=ünïcode".encode("latin-1"),
        signature(b"{}"),
    ],
)
async def test_a_wrong_signature_is_refused_and_nothing_kept(wa: App, header: str | bytes) -> None:
    app, client = wa
    raw = encode(text_delivery(new_wa_id(), "hi"))
    response = await client.post(
        WEBHOOK,
        content=raw,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": header},
    )
    assert_error(response, 401, "invalid_signature")
    assert await inbox_count(app) == 0


async def test_a_signature_with_another_secret_is_refused(wa: App) -> None:
    app, client = wa
    response = await post_signed(client, text_delivery(new_wa_id(), "hi"), secret="not-the-secret")
    assert_error(response, 401, "invalid_signature")
    assert await inbox_count(app) == 0


async def test_the_signature_is_over_the_raw_bytes_not_the_json(wa: App) -> None:
    """Signed over one serialisation, sent as another: the same JSON, but not what was signed."""
    app, client = wa
    body = text_delivery(new_wa_id(), "hi")
    signed = json.dumps(body, separators=(",", ":")).encode()
    sent = json.dumps(body, indent=2).encode()
    assert json.loads(signed) == json.loads(sent)
    response = await client.post(
        WEBHOOK,
        content=sent,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature(signed)},
    )
    assert_error(response, 401, "invalid_signature")
    assert await inbox_count(app) == 0


async def test_without_an_app_secret_every_delivery_is_refused(settings: Settings) -> None:
    unset = settings.model_copy(update={"whatsapp_app_secret": SecretStr("")})
    async with running(unset) as (app, client):
        raw = encode(text_delivery(new_wa_id(), "hi"))
        for secret in ("", APP_SECRET):
            response = await post_signed(client, raw, secret=secret)
            assert_error(response, 401, "invalid_signature")
        assert await inbox_count(app) == 0


async def test_a_bad_signature_on_a_malformed_body_is_a_401_not_a_400(wa: App) -> None:
    _, client = wa
    response = await client.post(
        WEBHOOK,
        content=b"{not json",
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": "sha256=00"},
    )
    assert_error(response, 401, "invalid_signature")


# --- POST: what a signed body may be ----------------------------------------------------------


@pytest.mark.parametrize("raw", [b"{not json", b"", b"\xff\xfe\x00", b'{"object": '])
async def test_malformed_json_with_a_good_signature_is_a_400(wa: App, raw: bytes) -> None:
    app, client = wa
    assert_error(await post_signed(client, raw), 400, "malformed_json")
    assert await inbox_count(app) == 0


@pytest.mark.parametrize(
    "body",
    [
        [1, 2, 3],
        "text",
        {"update_id": 1, "message": {"text": "a telegram update"}},
        {"object": "page", "entry": []},
        {
            "object": "whatsapp_business_account",
            "entry": [
                {"changes": [{"field": "messages", "value": {"messages": [{"from": "91"}]}}]}
            ],
        },
    ],
)
async def test_json_that_is_not_a_whatsapp_delivery_is_a_422(wa: App, body: Any) -> None:
    app, client = wa
    assert_error(await post_signed(client, encode(body)), 422, "invalid_payload")
    assert await inbox_count(app) == 0


async def test_changes_the_shop_does_not_serve_are_acknowledged(wa: App) -> None:
    app, client = wa
    for name in ("template_status_update", "reaction"):
        response = await post_signed(client, raw_payload(name))
        assert response.status_code == 200, response.text
    assert await inbox_count(app) == 0


# --- POST: once -----------------------------------------------------------------------------


async def test_a_redelivered_message_is_stored_once(wa: App) -> None:
    app, client = wa
    body = text_delivery(new_wa_id(), "show me jeans")
    for _ in range(3):
        response = await post_signed(client, body)
        assert response.status_code == 200, response.text
    assert len(await inbox_rows(app)) == 1


async def test_concurrent_deliveries_of_one_message_store_it_once(wa: App) -> None:
    app, client = wa
    raw = encode(text_delivery(new_wa_id(), "show me jeans"))
    responses = await asyncio.gather(*(post_signed(client, raw) for _ in range(8)))
    assert [r.status_code for r in responses] == [200] * 8
    assert len(await inbox_rows(app)) == 1


async def test_a_status_redelivered_is_recorded_once(wa: App) -> None:
    app, client = wa
    wa_id = new_wa_id()
    body = status_delivery("delivered", "wamid.OUT-redelivered", wa_id)
    for _ in range(2):
        assert (await post_signed(client, body)).status_code == 200
    [row] = await status_rows(app)
    assert (row.channel, row.platform_message_id, row.status) == (
        "whatsapp",
        "wamid.OUT-redelivered",
        "delivered",
    )
    assert row.recipient == wa_id
    assert await inbox_count(app) == 0


async def test_statuses_arriving_out_of_order_are_all_recorded(wa: App) -> None:
    app, client = wa
    wa_id = new_wa_id()
    message_id = "wamid.OUT-out-of-order"
    # Read arrives before delivered (Meta does not promise order), and sent comes last.
    for status, at in (("read", 1770906631), ("delivered", 1770906603), ("sent", 1770906602)):
        response = await post_signed(client, status_delivery(status, message_id, wa_id, at))
        assert response.status_code == 200
    rows = await status_rows(app)
    assert [r.status for r in rows] == ["sent", "delivered", "read"]


async def test_a_failed_status_keeps_metas_reason(wa: App) -> None:
    app, client = wa
    body = status_delivery("failed", "wamid.OUT-failed", new_wa_id())
    assert (await post_signed(client, body)).status_code == 200
    [row] = await status_rows(app)
    assert row.status == "failed"
    assert row.error is not None
    assert row.error.startswith("131047")


# --- documentation ----------------------------------------------------------------------------


async def test_both_routes_are_in_the_openapi_document(wa: App) -> None:
    _, client = wa
    paths = (await client.get("/openapi.json")).json()["paths"]
    route = paths[WEBHOOK]
    assert {"get", "post"} <= set(route)
    assert {"401", "422"} <= set(route["post"]["responses"])
    assert "403" in route["get"]["responses"]
    names = {p["name"] for p in route["get"]["parameters"]}
    assert {"hub.mode", "hub.verify_token", "hub.challenge"} <= names
    assert "application/json" in route["post"]["requestBody"]["content"]
