"""Logout, the device list, ending one device and changing the password."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from tests.auth.helpers import assert_error, login, signup, strong_password
from tests.factories import auth
from threadline.core.clock import clock


async def _gone(client: httpx.AsyncClient, token: str) -> None:
    assert_error(await client.get("/session", headers=auth(token)), 404, "session_not_found")
    restore = await client.post("/session/restore", headers=auth(token))
    assert_error(restore, 404, "session_not_found")


async def _works(client: httpx.AsyncClient, token: str) -> None:
    assert (await client.get("/session", headers=auth(token))).status_code == 200
    assert (await client.post("/session/restore", headers=auth(token))).status_code == 200


async def _two_devices(client: httpx.AsyncClient) -> tuple[dict, str, str]:
    """An account signed in on a kiosk ("Kiosk/1") and on the web, and nowhere else."""
    account = await signup(client, channel="web")
    await _logout(client, account["session_token"])
    phone, password = account["customer"]["phone"], account["password"]
    kiosk = await client.post(
        "/auth/login",
        json={"phone": phone, "password": password, "channel": "kiosk"},
        headers={"User-Agent": "Kiosk/1"},
    )
    web = await login(client, phone, password, "web")
    assert kiosk.status_code == web.status_code == 200
    return account, kiosk.json()["session_token"], web.json()["session_token"]


async def _logout(client: httpx.AsyncClient, token: str, **body: object) -> None:
    response = await client.post("/auth/logout", json=body or None, headers=auth(token))
    assert response.status_code == 204, response.text
    assert response.content == b""


async def _devices(client: httpx.AsyncClient, token: str) -> list[dict]:
    response = await client.get("/auth/sessions", headers=auth(token))
    assert response.status_code == 200, response.text
    return response.json()["devices"]


# --- logout -------------------------------------------------------------------------------------


async def test_logged_out_token_never_restores_again(client: httpx.AsyncClient):
    account = await signup(client, channel="web")
    phone, password = account["customer"]["phone"], account["password"]
    other = (await login(client, phone, password, "kiosk")).json()["session_token"]
    token = account["session_token"]
    await _works(client, token)  # now in the session cache too

    await _logout(client, token)

    await _gone(client, token)
    await _works(client, other)
    for step in (timedelta(minutes=2), timedelta(days=1), timedelta(days=6)):
        clock.advance(step)
        await _gone(client, token)
        await _works(client, other)  # activity keeps the session itself alive
    assert_error(await client.post("/auth/logout", headers=auth(token)), 404)


async def test_logout_without_a_body_ends_only_this_device(client: httpx.AsyncClient):
    account = await signup(client)
    other = (await login(client, account["customer"]["phone"], account["password"], "app")).json()[
        "session_token"
    ]

    response = await client.post("/auth/logout", headers=auth(account["session_token"]))

    assert response.status_code == 204
    await _gone(client, account["session_token"])
    await _works(client, other)


async def test_logout_of_all_devices_ends_every_token_of_the_customer(client: httpx.AsyncClient):
    account = await signup(client, channel="web")
    phone, password = account["customer"]["phone"], account["password"]
    others = [
        (await login(client, phone, password, channel)).json()["session_token"]
        for channel in ("kiosk", "app", "web")
    ]
    bystander = await signup(client)
    for token in others:
        await _works(client, token)

    await _logout(client, account["session_token"], all_devices=True)

    for token in [account["session_token"], *others]:
        await _gone(client, token)
    await _works(client, bystander["session_token"])
    clock.advance(timedelta(minutes=5))
    for token in [account["session_token"], *others]:
        await _gone(client, token)
    # Logging in again still works and gives a fresh device.
    again = await login(client, phone, password, "web")
    assert again.status_code == 200
    await _works(client, again.json()["session_token"])


async def test_logout_needs_a_token(client: httpx.AsyncClient):
    response = await client.post("/auth/logout")
    assert response.status_code == 401
    assert_error(response, 401)


# --- devices ------------------------------------------------------------------------------------


async def test_device_list_shows_both_devices_and_no_token(client: httpx.AsyncClient):
    _, kiosk, web = await _two_devices(client)

    response = await client.get("/auth/sessions", headers=auth(kiosk))

    assert response.status_code == 200
    devices = response.json()["devices"]
    assert sorted(d["channel"] for d in devices) == ["kiosk", "web"]
    assert [d["current"] for d in devices].count(True) == 1
    current = next(d for d in devices if d["current"])
    assert current["channel"] == "kiosk"
    assert current["user_agent"] == "Kiosk/1"
    for device in devices:
        assert set(device) >= {"id", "channel", "user_agent", "created_at", "last_used_at"}
        assert device["created_at"]
        assert device["last_used_at"] >= device["created_at"]
        assert "token" not in " ".join(device)
    for token in (kiosk, web):
        assert token not in response.text
        assert token.removeprefix("tl_") not in response.text
    # From the other device, the other one is current.
    from_web = await _devices(client, web)
    assert next(d for d in from_web if d["current"])["channel"] == "web"
    assert {d["id"] for d in from_web} == {d["id"] for d in devices}


async def test_ending_the_other_device_signs_it_out(client: httpx.AsyncClient):
    _, kiosk, web = await _two_devices(client)
    other = next(d for d in await _devices(client, kiosk) if not d["current"])

    response = await client.delete(f"/auth/sessions/{other['id']}", headers=auth(kiosk))

    assert response.status_code == 204
    await _gone(client, web)
    await _works(client, kiosk)
    remaining = await _devices(client, kiosk)
    assert [d["channel"] for d in remaining] == ["kiosk"]
    again = await client.delete(f"/auth/sessions/{other['id']}", headers=auth(kiosk))
    assert_error(again, 404, "device_not_found")


async def test_ending_an_unknown_or_someone_elses_device_is_device_not_found(
    client: httpx.AsyncClient,
):
    _, kiosk, _web = await _two_devices(client)
    stranger = await signup(client)
    stranger_device = (await _devices(client, stranger["session_token"]))[0]["id"]

    unknown = await client.delete(
        "/auth/sessions/00000000-0000-4000-8000-000000000000", headers=auth(kiosk)
    )
    foreign = await client.delete(f"/auth/sessions/{stranger_device}", headers=auth(kiosk))

    assert_error(unknown, 404, "device_not_found")
    assert_error(foreign, 404, "device_not_found")
    await _works(client, stranger["session_token"])


async def test_device_calls_need_a_valid_token(client: httpx.AsyncClient):
    assert_error(await client.get("/auth/sessions"), 401)
    assert_error(await client.get("/auth/sessions", headers=auth("tl_nope")), 404)
    assert_error(
        await client.delete(
            "/auth/sessions/00000000-0000-4000-8000-000000000000", headers=auth("tl_nope")
        ),
        404,
    )


# --- password change ----------------------------------------------------------------------------


async def test_password_change_signs_out_every_other_device(client: httpx.AsyncClient):
    account, kiosk, web = await _two_devices(client)
    phone, old = account["customer"]["phone"], account["password"]
    new = strong_password()

    response = await client.post(
        "/auth/password",
        json={"current_password": old, "new_password": new},
        headers=auth(kiosk),
    )

    assert response.status_code == 204, response.text
    await _gone(client, web)
    await _works(client, kiosk)
    assert [d["channel"] for d in await _devices(client, kiosk)] == ["kiosk"]
    assert_error(await login(client, phone, old), 401, "invalid_credentials")
    assert (await login(client, phone, new)).status_code == 200


async def test_password_change_with_the_wrong_current_password_changes_nothing(
    client: httpx.AsyncClient,
):
    account, kiosk, web = await _two_devices(client)

    response = await client.post(
        "/auth/password",
        json={"current_password": strong_password(), "new_password": strong_password()},
        headers=auth(kiosk),
    )

    assert_error(response, 401, "invalid_credentials")
    await _works(client, web)
    assert (
        await login(client, account["customer"]["phone"], account["password"])
    ).status_code == 200


@pytest.mark.parametrize("new", ["short1!", "12345678901", "password123"])
async def test_password_change_to_a_weak_password_is_weak_password(
    client: httpx.AsyncClient, new: str
):
    account, kiosk, web = await _two_devices(client)

    response = await client.post(
        "/auth/password",
        json={"current_password": account["password"], "new_password": new},
        headers=auth(kiosk),
    )

    assert assert_error(response, 422, "weak_password")["field"] == "password"
    await _works(client, web)
    phone = account["customer"]["phone"]
    assert (await login(client, phone, account["password"])).status_code == 200
    assert (await login(client, phone, new)).status_code == 401


async def test_password_change_to_a_long_strong_password_works(client: httpx.AsyncClient):
    account, kiosk, _web = await _two_devices(client)
    new = ("Kx7#mQ2vL9@pR4tW" * 8)[:100]  # 8 to 128 characters are allowed

    response = await client.post(
        "/auth/password",
        json={"current_password": account["password"], "new_password": new},
        headers=auth(kiosk),
    )

    assert response.status_code == 204, response.text
    assert (await login(client, account["customer"]["phone"], new)).status_code == 200
