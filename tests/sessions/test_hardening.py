"""Inputs and sequences that once broke the service, kept as regression tests."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI

from tests.conftest import SERVICE_KEY
from tests.factories import auth, new_phone, start
from threadline.core.clock import clock

KEY = {"X-Service-Key": SERVICE_KEY}


@pytest.mark.parametrize("chat_id", [99999999999999999999, "-99999999999999999999", 1.5, "12a"])
async def test_telegram_ids_outside_64_bits_are_422(client: httpx.AsyncClient, chat_id):
    response = await client.post(
        "/session/start", json={"telegram_chat_id": chat_id, "channel": "telegram"}, headers=KEY
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_telegram_chat_id"
    restore = await client.post("/session/restore", headers={**KEY, "X-Telegram-Id": str(chat_id)})
    assert restore.status_code == 422


async def test_an_overlong_token_is_simply_not_found(client: httpx.AsyncClient):
    token = "tl_" + "a" * 600
    assert (await client.get("/session", headers=auth(token))).status_code == 404
    assert (await client.post("/session/restore", headers=auth(token))).status_code == 404


async def test_linking_telegram_shows_on_every_device_at_once(client: httpx.AsyncClient):
    phone = new_phone()
    web = (await start(client, phone, "web"))["session_token"]
    assert (await client.get("/session", headers=auth(web))).json()["telegram_chat_id"] is None

    linked = await client.post(
        "/session/start",
        json={"phone": phone, "telegram_chat_id": 4242001, "channel": "web"},
        headers=KEY,
    )

    assert linked.json()["session"]["telegram_chat_id"] == 4242001
    assert (await client.get("/session", headers=auth(web))).json()["telegram_chat_id"] == 4242001


async def test_racing_links_of_one_telegram_chat_give_one_owner_and_no_500(
    client: httpx.AsyncClient,
):
    responses = await asyncio.gather(
        *(
            client.post(
                "/session/start",
                json={"phone": new_phone(), "telegram_chat_id": 5151001, "channel": "telegram"},
                headers=KEY,
            )
            for _ in range(12)
        )
    )
    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) <= {200, 409}, [r.text for r in responses]
    owners = [r for r in responses if r.status_code == 200]
    assert len(owners) == 1
    assert all(
        r.json()["error"]["code"] == "telegram_in_use" for r in responses if r.status_code == 409
    )


async def test_an_ended_session_is_never_served_again(client: httpx.AsyncClient):
    first = await start(client, channel="web")
    token = first["session_token"]
    assert (await client.get("/session", headers=auth(token))).status_code == 200

    clock.advance(timedelta(days=7, seconds=30))
    # A failing write after the idle limit must not keep the session alive anywhere.
    bad = await client.post("/session/recent", json={"sku": "!!bad"}, headers=auth(token))
    assert bad.status_code == 422
    clock.advance(timedelta(seconds=31))
    again = await start(client, first["session"]["phone"], "kiosk")
    assert again["session"]["session_id"] != first["session"]["session_id"]

    assert (await client.get("/session", headers=auth(token))).status_code == 404
    assert (await client.post("/session/restore", headers=auth(token))).status_code == 404
    write = await client.post("/session/recent", json={"sku": "TEE-1"}, headers=auth(token))
    assert write.status_code == 404


async def test_a_bug_is_one_500_with_the_error_body_and_no_secrets_in_the_log(
    app: FastAPI, client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
):
    async def broken() -> None:
        raise RuntimeError("boom")

    app.add_api_route("/test-only/broken", broken, methods=["POST"])
    secret = "tl_do-not-log-this-token"
    response = await client.post(
        "/test-only/broken",
        headers={**auth(secret), **KEY},
        json={"phone": "+919812345678", "password": "hunter2-secret"},
    )

    assert response.status_code == 500
    assert response.json() == {
        "error": {"code": "internal_error", "message": "Something went wrong on our side."}
    }
    out = capsys.readouterr().out
    assert out.count("http.unhandled_error") == 1
    assert "RuntimeError: boom" in out
    for leaked in (secret, SERVICE_KEY, "+919812345678", "hunter2-secret"):
        assert leaked not in out
