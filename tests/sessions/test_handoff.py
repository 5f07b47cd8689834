"""The kiosk's QR code: a single-use, 5-minute ticket that opens the conversation on a phone."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import httpx
import pytest

from tests.commerce.shop import assert_error
from tests.conftest import make_settings, running
from tests.factories import auth, new_phone, start
from threadline.config import Settings
from threadline.core.clock import clock


async def _handoff(client: httpx.AsyncClient, token: str) -> dict[str, str]:
    response = await client.post("/session/handoff", headers=auth(token))
    assert response.status_code == 201, response.text
    body: dict[str, str] = response.json()
    return body


async def _redeem(client: httpx.AsyncClient, ticket: str, channel: str = "web") -> httpx.Response:
    return await client.post(
        "/session/handoff/redeem", json={"handoff_token": ticket, "channel": channel}
    )


async def test_the_phone_continues_the_kiosk_conversation(client: httpx.AsyncClient) -> None:
    phone = new_phone()
    kiosk = await start(client, phone, channel="kiosk")
    created = await _handoff(client, kiosk["session_token"])
    ticket = created["handoff_token"]
    assert created["url"] == f"http://threadline.test/?handoff={ticket}"
    assert created["qr_svg"].startswith("<svg")
    assert "Scan to continue" in created["qr_svg"]
    left = datetime.fromisoformat(created["expires_at"]) - clock.now()
    assert timedelta(minutes=4, seconds=50) < left <= timedelta(minutes=5)

    redeemed = await _redeem(client, ticket)
    assert redeemed.status_code == 200, redeemed.text
    body = redeemed.json()
    assert body["session"]["session_id"] == kiosk["session"]["session_id"]
    assert body["session"]["channel"] == "web"
    assert body["session"]["data"]["channels"] == ["kiosk", "web"]
    assert body["session_token"] != kiosk["session_token"]
    mine = await client.get("/session", headers=auth(body["session_token"]))
    assert mine.json()["phone"] == phone
    # The kiosk keeps its own token.
    assert (await client.get("/session", headers=auth(kiosk["session_token"]))).status_code == 200


async def test_a_ticket_works_once(client: httpx.AsyncClient) -> None:
    kiosk = await start(client, new_phone(), channel="kiosk")
    ticket = (await _handoff(client, kiosk["session_token"]))["handoff_token"]
    assert (await _redeem(client, ticket)).status_code == 200
    assert_error(await _redeem(client, ticket, "app"), 404, "handoff_not_found")


async def test_two_phones_scanning_at_once_get_one_session(client: httpx.AsyncClient) -> None:
    kiosk = await start(client, new_phone(), channel="kiosk")
    ticket = (await _handoff(client, kiosk["session_token"]))["handoff_token"]
    answers = await asyncio.gather(*(_redeem(client, ticket) for _ in range(8)))
    assert sorted(r.status_code for r in answers) == [200] + [404] * 7


async def test_a_ticket_expires_after_five_minutes(client: httpx.AsyncClient) -> None:
    kiosk = await start(client, new_phone(), channel="kiosk")
    ticket = (await _handoff(client, kiosk["session_token"]))["handoff_token"]
    clock.advance(timedelta(minutes=5, seconds=1))
    assert_error(await _redeem(client, ticket), 404, "handoff_not_found")


async def test_a_ticket_of_a_logged_out_kiosk_opens_nothing(client: httpx.AsyncClient) -> None:
    kiosk = await start(client, new_phone(), channel="kiosk")
    ticket = (await _handoff(client, kiosk["session_token"]))["handoff_token"]
    logout = await client.post("/auth/logout", json={}, headers=auth(kiosk["session_token"]))
    assert logout.status_code == 204, logout.text
    assert_error(await _redeem(client, ticket), 404, "handoff_not_found")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"handoff_token": "tlh_nope", "channel": "web"}, 404, "handoff_not_found"),
        ({"handoff_token": "tlh_x", "channel": "fax"}, 422, "invalid_channel"),
        ({"handoff_token": "", "channel": "web"}, 422, "validation_error"),
        ({"channel": "web"}, 422, "validation_error"),
        ({"handoff_token": "x" * 500, "channel": "web"}, 422, "validation_error"),
    ],
)
async def test_bad_redeems_are_clear_errors(
    client: httpx.AsyncClient, body: dict[str, str], status: int, code: str
) -> None:
    assert_error(await client.post("/session/handoff/redeem", json=body), status, code)


async def test_a_ticket_needs_a_session(client: httpx.AsyncClient) -> None:
    assert_error(await client.post("/session/handoff"), 401, "session_token_required")
    assert_error(
        await client.post("/session/handoff", headers=auth("tl_unknown")), 404, "session_not_found"
    )


async def test_the_link_uses_the_public_address_when_set(database_url: str) -> None:
    settings: Settings = make_settings(database_url, public_base_url="https://shop.example.in/")
    async with running(settings) as (_, client):
        kiosk = await start(client, new_phone(), channel="kiosk")
        created = await _handoff(client, kiosk["session_token"])
        assert created["url"].startswith("https://shop.example.in/?handoff=tlh_")


async def test_the_kiosk_sees_when_its_code_is_used_or_expires(client: httpx.AsyncClient) -> None:
    kiosk = await start(client, new_phone(), channel="kiosk")
    on_kiosk = auth(kiosk["session_token"])
    assert_error(await client.get("/session/handoff", headers=on_kiosk), 404, "handoff_not_found")

    ticket = (await _handoff(client, kiosk["session_token"]))["handoff_token"]
    waiting = (await client.get("/session/handoff", headers=on_kiosk)).json()
    assert waiting["state"] == "waiting"
    assert waiting["used_channel"] is None
    assert (await _redeem(client, ticket, "app")).status_code == 200
    used = (await client.get("/session/handoff", headers=on_kiosk)).json()
    assert (used["state"], used["used_channel"]) == ("used", "app")

    # A new code is the one reported; unscanned, it expires.
    await _handoff(client, kiosk["session_token"])
    clock.advance(timedelta(minutes=5, seconds=1))
    expired = (await client.get("/session/handoff", headers=on_kiosk)).json()
    assert expired["state"] == "expired"
    # Another device of the same session has no code of its own.
    web = await start(client, kiosk["session"]["phone"], channel="web")
    assert_error(
        await client.get("/session/handoff", headers=auth(web["session_token"])),
        404,
        "handoff_not_found",
    )
