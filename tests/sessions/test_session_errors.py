"""Every error code of the Sessions part of the contract, with the contract's error body."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.conftest import SERVICE_KEY, make_settings, running
from tests.factories import auth, new_phone, set_password, start


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str)
    assert body["error"]["message"]
    return body["error"]


async def test_start_without_phone_or_telegram_is_identity_required(client: httpx.AsyncClient):
    assert_error(
        await client.post("/session/start", json={"channel": "web"}), 400, "identity_required"
    )
    assert_error(await client.post("/session/start", json={}), 400, "identity_required")


@pytest.mark.parametrize("phone", ["abc", "12", "+91 98765 4321x", "98765432101234567", ""])
async def test_start_with_impossible_phone_is_invalid_phone(client: httpx.AsyncClient, phone: str):
    response = await client.post("/session/start", json={"phone": phone, "channel": "web"})
    error = assert_error(response, 422, "invalid_phone")
    assert error["field"] == "phone"


@pytest.mark.parametrize("channel", ["fax", "", 7, None])
async def test_start_with_unknown_channel_is_invalid_channel(client: httpx.AsyncClient, channel):
    response = await client.post("/session/start", json={"phone": new_phone(), "channel": channel})
    assert_error(response, 422, "invalid_channel")


async def test_start_without_channel_is_invalid_channel(client: httpx.AsyncClient):
    response = await client.post("/session/start", json={"phone": new_phone()})
    assert assert_error(response, 422, "invalid_channel")["field"] == "channel"


async def test_customer_id_that_disagrees_with_phone_is_customer_mismatch(
    client: httpx.AsyncClient,
):
    mine = await start(client)
    other = await start(client)
    response = await client.post(
        "/session/start",
        json={
            "phone": mine["session"]["phone"],
            "channel": "web",
            "customer_id": other["session"]["customer_id"],
        },
    )
    assert_error(response, 409, "customer_mismatch")


async def test_customer_id_claimed_for_unknown_phone_is_customer_mismatch(
    client: httpx.AsyncClient,
):
    known = await start(client)
    response = await client.post(
        "/session/start",
        json={
            "phone": new_phone(),
            "channel": "web",
            "customer_id": known["session"]["customer_id"],
        },
    )
    assert_error(response, 409, "customer_mismatch")


async def test_matching_customer_id_is_accepted(client: httpx.AsyncClient):
    first = await start(client)
    again = await start(
        client, first["session"]["phone"], "app", customer_id=first["session"]["customer_id"]
    )
    assert again["session"]["session_id"] == first["session"]["session_id"]


async def test_password_protected_customer_needs_right_password(
    client: httpx.AsyncClient, app: FastAPI
):
    phone = new_phone()
    await start(client, phone)
    await set_password(app, phone, "correct horse battery")

    missing = await client.post("/session/start", json={"phone": phone, "channel": "web"})
    wrong = await client.post(
        "/session/start", json={"phone": phone, "channel": "web", "password": "wrong password"}
    )
    unknown = await client.post(
        "/session/start", json={"phone": new_phone(), "channel": "web", "password": "whatever1"}
    )
    right = await client.post(
        "/session/start",
        json={"phone": phone, "channel": "web", "password": "correct horse battery"},
    )

    bodies = [assert_error(r, 401, "invalid_credentials") for r in (missing, wrong, unknown)]
    assert bodies[0] == bodies[1] == bodies[2], "the 401 must not tell which part was wrong"
    assert right.status_code == 200
    assert right.json()["session"]["data"]["channels"] == ["kiosk", "web"]


async def test_unknown_phone_with_password_creates_no_customer(client: httpx.AsyncClient):
    phone = new_phone()
    await client.post(
        "/session/start", json={"phone": phone, "channel": "web", "password": "x" * 9}
    )
    created = await client.post("/session/start", json={"phone": phone, "channel": "web"})
    assert created.status_code == 200
    assert created.json()["session"]["data"]["channels"] == ["web"]


async def test_telegram_start_without_phone_needs_service_key(client: httpx.AsyncClient):
    body = {"telegram_chat_id": 5550001, "channel": "telegram"}
    assert_error(await client.post("/session/start", json=body), 401, "service_key_required")
    bad_key = await client.post("/session/start", json=body, headers={"X-Service-Key": "nope"})
    assert_error(bad_key, 401, "service_key_required")

    ok = await client.post("/session/start", json=body, headers={"X-Service-Key": SERVICE_KEY})
    assert ok.status_code == 200
    session = ok.json()["session"]
    assert session["telegram_chat_id"] == 5550001
    assert session["customer_id"]
    assert session["phone"] is None


async def test_restore_unknown_token_is_session_not_found(client: httpx.AsyncClient):
    response = await client.post("/session/restore", headers=auth("tl_not-a-real-token"))
    assert_error(response, 404, "session_not_found")
    assert_error(await client.get("/session", headers=auth("nope")), 404, "session_not_found")


async def test_calls_without_token_say_so(client: httpx.AsyncClient):
    assert_error(await client.get("/session"), 401, "session_token_required")
    assert_error(await client.post("/session/restore"), 401, "session_token_required")


@pytest.mark.parametrize(
    "headers",
    [{"X-Telegram-Id": "5550002"}, {"X-Customer-Id": "C10001"}, {"X-Phone": "+919876543210"}],
)
async def test_identity_restore_without_service_key_is_refused(
    client: httpx.AsyncClient, headers: dict[str, str]
):
    response = await client.post("/session/restore", headers=headers)
    assert_error(response, 401, "service_key_required")
    wrong = await client.post("/session/restore", headers={**headers, "X-Service-Key": "guess"})
    assert_error(wrong, 401, "service_key_required")


async def test_identity_restore_with_service_key_finds_the_session(client: httpx.AsyncClient):
    phone = new_phone()
    web = await start(client, phone, "web")
    key = {"X-Service-Key": SERVICE_KEY}

    by_phone = await client.post(
        "/session/restore", headers={**key, "X-Phone": phone[3:], "X-Channel": "whatsapp"}
    )
    by_id = await client.post(
        "/session/restore", headers={**key, "X-Customer-Id": web["session"]["customer_id"]}
    )

    assert by_phone.status_code == 200
    assert by_id.status_code == 200
    assert by_phone.json()["session"]["session_id"] == web["session"]["session_id"]
    assert by_phone.json()["session"]["channel"] == "whatsapp"
    assert by_id.json()["session"]["data"]["channels"] == ["web", "whatsapp"]
    # Each identity restore gives the caller its own working token.
    token = by_phone.json()["session_token"]
    assert (await client.get("/session", headers=auth(token))).status_code == 200


async def test_identity_restore_by_telegram_id(client: httpx.AsyncClient):
    key = {"X-Service-Key": SERVICE_KEY}
    started = await client.post(
        "/session/start", json={"telegram_chat_id": "777001", "channel": "telegram"}, headers=key
    )
    restored = await client.post("/session/restore", headers={**key, "X-Telegram-Id": "777001"})
    assert restored.status_code == 200
    assert restored.json()["session"]["session_id"] == started.json()["session"]["session_id"]
    assert restored.json()["session"]["channel"] == "telegram"


async def test_identity_restore_of_unknown_customer_is_not_found(client: httpx.AsyncClient):
    key = {"X-Service-Key": SERVICE_KEY}
    for headers in ({"X-Phone": new_phone()}, {"X-Customer-Id": "C-none"}, {"X-Telegram-Id": "1"}):
        response = await client.post("/session/restore", headers={**key, **headers})
        assert_error(response, 404, "session_not_found")


async def test_identity_restore_with_bad_phone_is_invalid_phone(client: httpx.AsyncClient):
    response = await client.post(
        "/session/restore", headers={"X-Service-Key": SERVICE_KEY, "X-Phone": "not-a-phone"}
    )
    assert assert_error(response, 422, "invalid_phone")["field"] == "X-Phone"


async def test_service_key_is_refused_when_setting_is_empty(database_url: str):
    async with running(make_settings(database_url, service_api_key="")) as (_, client):
        response = await client.post(
            "/session/restore", headers={"X-Service-Key": "", "X-Customer-Id": "C1"}
        )
        assert_error(response, 401, "service_key_required")
