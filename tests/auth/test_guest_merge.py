"""A guest who logs in on the same device keeps what they gathered as a guest."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.auth.helpers import signup, strong_password
from tests.factories import auth
from threadline.db import session_scope
from threadline.sessions import access, service
from threadline.sessions.guests import merge_cart


async def _guest(client: httpx.AsyncClient, channel: str = "kiosk") -> dict:
    response = await client.post("/session/guest", json={"channel": channel})
    assert response.status_code == 200, response.text
    return response.json()


async def _put_cart(app: FastAPI, token: str, lines: list[dict]) -> None:
    """Fill a session's cart as the cart endpoints (commerce issue) will."""
    state = app.state

    def fill(data: dict) -> None:
        data["cart"] = lines

    async with session_scope(state.sessionmaker) as db:
        ctx = await access.authenticate(db, state.settings, state.session_cache, token)
        await service.update_data(db, state.settings, state.session_cache, ctx, fill)


async def test_guest_session_has_a_customer_and_the_seed_structure(client: httpx.AsyncClient):
    guest = await _guest(client)
    assert guest["session"]["customer_id"]
    assert guest["session"]["phone"] is None
    assert guest["session"]["data"]["channels"] == ["kiosk"]
    assert (await client.get("/session", headers=auth(guest["session_token"]))).status_code == 200


async def test_login_on_the_same_device_moves_the_guests_cart_and_views_over(
    client: httpx.AsyncClient, app: FastAPI
):
    account = await signup(client)
    phone, password = account["customer"]["phone"], account["password"]
    await _put_cart(app, account["session_token"], [{"sku": "TEE-1", "size": "M", "qty": 1}])
    guest = await _guest(client)
    await client.post(
        "/session/recent", json={"sku": "SAREE-7"}, headers=auth(guest["session_token"])
    )
    await _put_cart(
        app,
        guest["session_token"],
        [{"sku": "TEE-1", "size": "M", "qty": 2}, {"sku": "JEANS-3", "size": "32", "qty": 1}],
    )

    login = await client.post(
        "/auth/login",
        json={"phone": phone, "password": password, "channel": "kiosk"},
        headers=auth(guest["session_token"]),
    )

    assert login.status_code == 200, login.text
    body = login.json()
    assert body["session_token"] != guest["session_token"]
    assert body["session"]["session_id"] == account["session"]["session_id"]
    cart = {(line["sku"], line["size"]): line["qty"] for line in body["session"]["data"]["cart"]}
    assert cart == {("TEE-1", "M"): 3, ("JEANS-3", "32"): 1}
    assert body["session"]["data"]["recent"][0] == "SAREE-7"
    # The guest session is over; the customer's session shows the merge on every device.
    assert (await client.get("/session", headers=auth(guest["session_token"]))).status_code == 404
    seen = await client.get("/session", headers=auth(account["session_token"]))
    assert len(seen.json()["data"]["cart"]) == 2


async def test_a_real_customers_token_is_never_merged(client: httpx.AsyncClient):
    mine = await signup(client)
    other = await signup(client)
    await client.post(
        "/session/recent", json={"sku": "OTHER-1"}, headers=auth(other["session_token"])
    )

    login = await client.post(
        "/auth/login",
        json={"phone": mine["customer"]["phone"], "password": mine["password"], "channel": "web"},
        headers=auth(other["session_token"]),
    )

    assert login.status_code == 200
    assert "OTHER-1" not in login.json()["session"]["data"]["recent"]
    assert (await client.get("/session", headers=auth(other["session_token"]))).status_code == 200


async def test_signing_up_from_a_guest_session_keeps_the_guests_views(client: httpx.AsyncClient):
    guest = await _guest(client, "web")
    await client.post(
        "/session/recent", json={"sku": "KURTA-2"}, headers=auth(guest["session_token"])
    )
    response = await client.post(
        "/auth/signup",
        json={"phone": "+917701234567", "password": strong_password(), "name": "Asha"},
        headers=auth(guest["session_token"]),
    )
    assert response.status_code == 201, response.text
    assert response.json()["session"]["data"]["recent"] == ["KURTA-2"]


def test_merging_carts_adds_up_the_same_sku_and_size():
    mine = [{"sku": "A", "size": "M", "qty": 1, "line_id": "l1"}]
    guest = [{"sku": "A", "size": "M", "qty": 2}, {"sku": "A", "size": "L", "qty": 1}]
    assert merge_cart(mine, guest) == [
        {"sku": "A", "size": "M", "qty": 3, "line_id": "l1"},
        {"sku": "A", "size": "L", "qty": 1},
    ]
    assert mine[0]["qty"] == 1  # the inputs are not changed
