"""Guessing passwords is slowed down per phone and per client address, in the store."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import httpx

from tests.auth.helpers import assert_error, login, signup, strong_password
from tests.conftest import make_settings, running
from tests.factories import new_phone
from threadline.core.clock import clock


def retry_after(response: httpx.Response) -> int:
    assert_error(response, 429, "too_many_attempts")
    seconds = int(response.headers["Retry-After"])
    assert seconds >= 1
    return seconds


async def test_thirty_wrong_passwords_in_a_row_are_throttled(client: httpx.AsyncClient):
    account = await signup(client)
    phone, password = account["customer"]["phone"], account["password"]

    responses = [await login(client, phone, f"wrong-guess-{i:02d}-xyz") for i in range(30)]

    for response in responses[:5]:
        assert_error(response, 401, "invalid_credentials")
    waits = [retry_after(response) for response in responses[5:]]
    assert max(waits) <= 15 * 60
    # While blocked, even the right password is refused, before it is checked.
    blocked = await login(client, phone, password)
    wait = retry_after(blocked)

    clock.advance(timedelta(seconds=wait + 1))
    assert (await login(client, phone, password)).status_code == 200
    # The success cleared the phone's counter: the next mistake is an ordinary 401.
    assert_error(await login(client, phone, "wrong-again-xyz"), 401, "invalid_credentials")
    assert (await login(client, phone, password)).status_code == 200


async def test_the_right_password_on_session_start_is_also_refused_while_blocked(
    client: httpx.AsyncClient,
):
    account = await signup(client)
    phone, password = account["customer"]["phone"], account["password"]
    for i in range(5):
        await login(client, phone, f"wrong-guess-{i}-xyz")

    start = await client.post(
        "/session/start", json={"phone": phone, "channel": "web", "password": password}
    )

    retry_after(start)


async def test_backoff_grows_with_each_failure_after_a_block(client: httpx.AsyncClient):
    account = await signup(client)
    phone = account["customer"]["phone"]
    for i in range(5):
        assert (await login(client, phone, f"wrong-guess-{i}-xyz")).status_code == 401
    waits = [retry_after(await login(client, phone, "wrong-blocked-xyz"))]

    for round_ in range(3):
        clock.advance(timedelta(seconds=waits[-1] + 1))
        # The block is over: one more guess is checked (and is wrong) ...
        assert_error(await login(client, phone, f"wrong-after-{round_}-xyz"), 401)
        # ... and blocks the phone for longer than before.
        waits.append(retry_after(await login(client, phone, "wrong-blocked-xyz")))

    assert waits == sorted(waits)
    assert len(set(waits)) == len(waits), waits
    assert waits[0] >= 1


async def test_many_phones_guessed_from_one_address_are_throttled(client: httpx.AsyncClient):
    account = await signup(client)
    # Never more than 2 failures for any one phone: only the address counter can trip.
    phones = [new_phone() for _ in range(11)]
    responses = [await login(client, phones[i // 2], f"wrong-guess-{i}-xyz") for i in range(22)]

    for response in responses[:20]:
        assert_error(response, 401, "invalid_credentials")
    for response in responses[20:]:
        retry_after(response)
    # The address is blocked for every phone, even with the right password.
    retry_after(await login(client, account["customer"]["phone"], account["password"]))


async def test_throttle_holds_across_two_server_processes(database_url: str, tmp_path: Path):
    settings = make_settings(database_url, data_dir=tmp_path)
    async with running(settings) as (_, first), running(settings) as (_, second):
        account = await signup(first)
        phone, password = account["customer"]["phone"], account["password"]
        for i in range(5):
            assert_error(await login(first, phone, f"wrong-guess-{i}-xyz"), 401)

        on_second = await login(second, phone, password)
        retry_after(on_second)
        retry_after(await login(first, phone, password))

        clock.advance(timedelta(seconds=int(on_second.headers["Retry-After"]) + 1))
        assert (await login(second, phone, password)).status_code == 200
        assert_error(await login(first, phone, strong_password()), 401, "invalid_credentials")


async def test_failures_split_over_two_processes_add_up(database_url: str, tmp_path: Path):
    settings = make_settings(database_url, data_dir=tmp_path)
    async with running(settings) as (_, first), running(settings) as (_, second):
        account = await signup(first)
        phone = account["customer"]["phone"]
        for i in range(5):
            app_client = (first, second)[i % 2]
            assert_error(await login(app_client, phone, f"wrong-guess-{i}-xyz"), 401)

        retry_after(await login(first, phone, account["password"]))
        retry_after(await login(second, phone, account["password"]))


async def test_concurrent_guesses_cannot_slip_past_the_limit_together(client: httpx.AsyncClient):
    account = await signup(client)
    phone = account["customer"]["phone"]

    responses = await asyncio.gather(
        *(login(client, phone, f"parallel-guess-{i:02d}-xyz") for i in range(30))
    )

    statuses = sorted(r.status_code for r in responses)
    # Each attempt is counted before it is checked: only the first 5 get a password check.
    assert statuses.count(401) == 5, statuses
    assert statuses.count(429) == 25, statuses


async def test_a_kiosk_asking_for_many_password_customers_by_phone_is_not_locked_out(
    client: httpx.AsyncClient,
):
    # The kiosk page starts every login with the phone alone: a customer who has a password
    # is told to give it (401), but that is no guess and must not count against the shop's
    # one address.
    accounts = [await signup(client) for _ in range(25)]
    for account in accounts:
        start = await client.post(
            "/session/start", json={"phone": account["customer"]["phone"], "channel": "kiosk"}
        )
        assert_error(start, 401, "invalid_credentials")
    last = accounts[-1]
    logged_in = await login(client, last["customer"]["phone"], last["password"])
    assert logged_in.status_code == 200, logged_in.text
