"""Signup and password login, as a new or an imported customer would meet them."""

from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from tests.auth.helpers import (
    assert_error,
    login,
    signup,
    stored_password_hash,
    strong_password,
)
from tests.conftest import make_settings, running
from tests.customers.helpers import import_file, must_load, write_csv
from tests.factories import auth, new_phone, start
from threadline.customers.models import Customer

# --- signup -------------------------------------------------------------------------------------


async def test_signup_creates_an_account_and_a_session(client: httpx.AsyncClient):
    phone = new_phone()
    response = await client.post(
        "/auth/signup",
        json={
            "phone": phone,
            "password": strong_password(),
            "name": "Asha Rao",
            "email": "asha@example.com",
            "channel": "kiosk",
        },
    )

    assert response.status_code == 201, response.text
    body = response.json()
    customer = body["customer"]
    assert customer["phone"] == phone
    assert customer["name"] == "Asha Rao"
    assert customer["email"] == "asha@example.com"
    assert customer["loyalty_tier"] == "bronze"
    assert customer["loyalty_points"] == 0
    assert customer["customer_id"]
    assert body["session"]["customer_id"] == customer["customer_id"]
    assert body["session"]["phone"] == phone
    assert body["session"]["channel"] == "kiosk"
    assert body["session"]["data"]["channels"] == ["kiosk"]
    token = body["session_token"]
    restored = await client.get("/session", headers=auth(token))
    assert restored.status_code == 200
    assert restored.json()["session_id"] == body["session"]["session_id"]


async def test_signup_without_channel_or_email_still_works(client: httpx.AsyncClient):
    response = await client.post(
        "/auth/signup",
        json={"phone": new_phone(), "password": strong_password(), "name": "Ravi"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["customer"]["email"] is None


@pytest.mark.parametrize(
    "password",
    [
        pytest.param("Ab1-xyz", id="7-characters"),
        pytest.param("Zq9!" * 32 + "x", id="129-characters"),
        pytest.param("8457219630", id="all-digits"),
        pytest.param("password123", id="breached-password123"),
        pytest.param("qwertyuiop", id="keyboard-row"),
    ],
)
async def test_signup_with_a_weak_password_is_weak_password(
    client: httpx.AsyncClient, password: str
):
    phone = new_phone()
    response = await client.post(
        "/auth/signup", json={"phone": phone, "password": password, "name": "Asha"}
    )

    error = assert_error(response, 422, "weak_password")
    assert error["field"] == "password"
    # Nothing was registered: the phone can still sign up with a good password.
    await signup(client, phone)


@pytest.mark.parametrize("length", [8, 72, 73, 100, 128])
async def test_every_length_from_8_to_128_is_accepted_for_a_strong_password(
    client: httpx.AsyncClient, length: int
):
    # A random-looking password: strong at any length; the contract allows 8 to 128 characters.
    password = ("Kx7#mQ2vL9@pR4tW" * 8)[:length]
    phone = new_phone()

    response = await client.post(
        "/auth/signup", json={"phone": phone, "password": password, "name": "Long Pass"}
    )

    assert response.status_code == 201, response.text
    assert (await login(client, phone, password)).status_code == 200


async def test_second_signup_for_a_phone_is_already_registered(client: httpx.AsyncClient):
    first = await signup(client)
    phone = first["customer"]["phone"]

    response = await client.post(
        "/auth/signup", json={"phone": phone, "password": strong_password(), "name": "Intruder"}
    )

    assert_error(response, 409, "already_registered")
    # The first account is untouched: its password still works, the intruder's does not.
    assert (await login(client, phone, first["password"])).status_code == 200


async def test_signup_of_a_phone_known_from_a_session_keeps_customer_and_session(
    client: httpx.AsyncClient,
):
    phone = new_phone()
    guest = await start(client, phone, "kiosk")
    recent = await client.post(
        "/session/recent", json={"sku": "TEE-001"}, headers=auth(guest["session_token"])
    )
    assert recent.status_code == 200

    account = await signup(client, phone, channel="web")

    assert account["customer"]["customer_id"] == guest["session"]["customer_id"]
    assert account["session"]["session_id"] == guest["session"]["session_id"]
    assert account["session"]["data"]["recent"] == ["TEE-001"]
    assert account["session"]["data"]["channels"] == ["kiosk", "web"]


async def test_signup_of_an_imported_customer_keeps_id_history_and_loyalty(
    app: FastAPI, client: httpx.AsyncClient, tmp_path: Path
):
    phone = new_phone()
    csv_file = write_csv(
        tmp_path / "customers.csv",
        ["customer_id", "phone", "name", "loyalty_tier", "loyalty_points", "purchase_history"],
        [["IMP-7", phone, "Imported Meera", "gold", "420", '[{"order_id": "O-77"}]']],
    )
    await import_file(app, csv_file)

    account = await signup(client, phone, name="Meera K")

    customer = account["customer"]
    assert customer["customer_id"] == "IMP-7"
    assert customer["loyalty_tier"] == "gold"
    assert customer["loyalty_points"] == 420
    assert account["session"]["customer_id"] == "IMP-7"
    stored = await must_load(app, "IMP-7")
    assert stored.purchase_history == [{"order_id": "O-77"}]
    assert stored.phone == phone
    async with app.state.sessionmaker() as db:
        count = select(func.count()).select_from(Customer).where(Customer.phone == phone)
        assert (await db.execute(count)).scalar_one() == 1

    # The account now has a password: a session by phone alone is refused, the password works.
    no_password = await client.post("/session/start", json={"phone": phone, "channel": "web"})
    assert_error(no_password, 401, "invalid_credentials")
    wrong = await client.post(
        "/session/start", json={"phone": phone, "channel": "web", "password": strong_password()}
    )
    assert_error(wrong, 401, "invalid_credentials")
    right = await client.post(
        "/session/start",
        json={"phone": phone, "channel": "app", "password": account["password"]},
    )
    assert right.status_code == 200, right.text
    assert right.json()["session"]["customer_id"] == "IMP-7"


async def test_concurrent_signups_for_one_new_phone_register_exactly_one(
    app: FastAPI, client: httpx.AsyncClient
):
    phone = new_phone()
    passwords = [strong_password() for _ in range(4)]

    responses = await asyncio.gather(
        *(
            client.post("/auth/signup", json={"phone": phone, "password": p, "name": f"Racer {i}"})
            for i, p in enumerate(passwords)
        )
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201, 409, 409, 409], [r.text for r in responses]
    for response in responses:
        if response.status_code == 409:
            assert_error(response, 409, "already_registered")
    winner = next(p for p, r in zip(passwords, responses, strict=True) if r.status_code == 201)
    losers = [p for p, r in zip(passwords, responses, strict=True) if r.status_code == 409]
    assert (await login(client, phone, winner)).status_code == 200
    for password in losers:
        assert (await login(client, phone, password)).status_code == 401
    async with app.state.sessionmaker() as db:
        count = select(func.count()).select_from(Customer).where(Customer.phone == phone)
        assert (await db.execute(count)).scalar_one() == 1


# --- login --------------------------------------------------------------------------------------


async def test_login_issues_a_new_token_and_joins_the_signup_session(client: httpx.AsyncClient):
    account = await signup(client, channel="web")
    phone = account["customer"]["phone"]
    supplied = account["session_token"]

    response = await login(client, phone, account["password"], "kiosk", headers=auth(supplied))

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["session_token"] != supplied
    assert body["session"]["session_id"] == account["session"]["session_id"]
    assert body["session"]["channel"] == "kiosk"
    assert body["session"]["data"]["channels"] == ["web", "kiosk"]
    assert body["customer"] == account["customer"]
    # Both devices hold working tokens for the same session.
    for token in (supplied, body["session_token"]):
        session = await client.get("/session", headers=auth(token))
        assert session.status_code == 200
        assert session.json()["data"]["channels"] == ["web", "kiosk"]


async def test_login_never_adopts_a_token_the_client_made_up(client: httpx.AsyncClient):
    account = await signup(client)
    chosen = "tl_attacker-chosen-token-0123456789abcdef"

    response = await login(
        client, account["customer"]["phone"], account["password"], headers=auth(chosen)
    )

    assert response.status_code == 200
    assert response.json()["session_token"] != chosen
    assert_error(await client.get("/session", headers=auth(chosen)), 404, "session_not_found")


async def test_wrong_password_unknown_phone_and_passwordless_phone_look_the_same(
    client: httpx.AsyncClient,
):
    account = await signup(client)
    passwordless = await start(client)

    wrong = await login(client, account["customer"]["phone"], strong_password())
    unknown = await login(client, new_phone(), strong_password())
    no_account = await login(client, passwordless["session"]["phone"], strong_password())

    assert_error(wrong, 401, "invalid_credentials")
    assert unknown.status_code == wrong.status_code == no_account.status_code
    assert unknown.json() == wrong.json() == no_account.json()


async def test_wrong_password_and_unknown_phone_take_similar_time(
    database_url: str, tmp_path: Path
):
    # A hash costly enough to dominate a request: skipping it for unknown phones would show.
    settings = make_settings(
        database_url, data_dir=tmp_path, argon2_time_cost=2, argon2_memory_kib=32768
    )
    async with running(settings) as (_, client):
        account = await signup(client)
        phone = account["customer"]["phone"]
        unknown_times: list[float] = []
        wrong_times: list[float] = []
        for _ in range(5):  # interleaved, so drift hits both alike
            began = time.perf_counter()
            unknown = await login(client, new_phone(), "not-the-password-1")
            unknown_times.append(time.perf_counter() - began)
            began = time.perf_counter()
            wrong = await login(client, phone, "not-the-password-1")
            wrong_times.append(time.perf_counter() - began)
            assert unknown.status_code == wrong.status_code == 401
            assert unknown.json() == wrong.json()

    unknown_median = statistics.median(unknown_times)
    wrong_median = statistics.median(wrong_times)
    assert unknown_median < 3 * wrong_median, (unknown_times, wrong_times)
    assert wrong_median < 3 * unknown_median, (unknown_times, wrong_times)


async def test_login_rehashes_the_password_when_hash_parameters_change(
    database_url: str, tmp_path: Path
):
    phone = new_phone()
    password = strong_password()
    async with running(make_settings(database_url, data_dir=tmp_path)) as (app, client):
        await signup(client, phone, password)
        assert (await login(client, phone, password)).status_code == 200
        before = await stored_password_hash(app, phone)
    assert before is not None
    assert "t=1" in before

    stronger = make_settings(database_url, data_dir=tmp_path, argon2_time_cost=2)
    async with running(stronger) as (app, client):
        first = await login(client, phone, password, "kiosk")
        after = await stored_password_hash(app, phone)
        again = await login(client, phone, password, "app")
        wrong = await login(client, phone, strong_password(), "app")

    assert first.status_code == 200, first.text
    assert after is not None
    assert after != before
    assert after.startswith("$argon2id$")
    assert "t=2" in after
    assert password not in after
    assert again.status_code == 200, again.text
    assert_error(wrong, 401, "invalid_credentials")
