"""Holes found in review, kept closed."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from typer.testing import CliRunner

from tests.auth.helpers import assert_error, login, signup, strong_password
from tests.channels.telegram.helpers import new_chat
from tests.conftest import SERVICE_KEY
from tests.factories import auth, new_phone, start
from threadline.cli import app as cli
from threadline.config import get_settings
from threadline.core.clock import clock


async def test_claiming_an_account_ends_tokens_issued_without_a_password(
    client: httpx.AsyncClient,
):
    phone = new_phone()
    stranger = (await start(client, phone, "web"))["session_token"]

    owner = await client.post(
        "/auth/signup",
        json={"phone": phone, "password": strong_password(), "name": "Owner", "channel": "app"},
    )

    assert owner.status_code == 201
    assert (await client.get("/session", headers=auth(stranger))).status_code == 404
    mine = owner.json()["session_token"]
    assert (await client.get("/session", headers=auth(mine))).status_code == 200


async def test_backoff_keeps_growing_when_each_block_is_waited_out(client: httpx.AsyncClient):
    account = await signup(client)
    phone = account["customer"]["phone"]
    waits = []
    for i in range(40):
        response = await login(client, phone, f"patient-guess-{i:02d}-xyz")
        if response.status_code == 429:
            waits.append(int(response.headers["Retry-After"]))
            clock.advance(timedelta(seconds=waits[-1] + 1))
    assert waits[:5] == sorted(waits[:5])
    assert max(waits) >= 14 * 60  # reaches the 15-minute cap …
    assert waits[-1] >= 14 * 60  # … and stays there instead of starting again at 30 s


async def test_a_right_password_with_a_weak_new_one_never_locks_the_owner_out(
    client: httpx.AsyncClient,
):
    account = await signup(client)
    token, password = account["session_token"], account["password"]
    for _ in range(8):
        response = await client.post(
            "/auth/password",
            json={"current_password": password, "new_password": "12345678"},
            headers=auth(token),
        )
        assert_error(response, 422, "weak_password")
    assert (await login(client, account["customer"]["phone"], password)).status_code == 200


async def test_an_overlong_password_is_a_weak_password(client: httpx.AsyncClient):
    response = await client.post(
        "/auth/signup", json={"phone": new_phone(), "password": "Kx7#mQ2v" * 150, "name": "Long"}
    )
    assert_error(response, 422, "weak_password")


def test_several_workers_on_sqlite_are_refused(tmp_path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'w.db'}")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["serve", "--workers", "2", "--port", "1"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "PostgreSQL" in result.output


async def test_a_trusted_start_with_a_password_links_a_new_telegram_chat(
    client: httpx.AsyncClient,
):
    # Found by the OpenAPI fuzz run: the customer checked against the password came from the
    # read store's closed unit of work, and linking the chat to it was a 500.
    phone, password, chat = new_phone(), strong_password(), new_chat()
    await signup(client, phone, password)
    started = await client.post(
        "/session/start",
        json={
            "phone": phone,
            "password": password,
            "channel": "telegram",
            "telegram_chat_id": chat,
        },
        headers={"X-Service-Key": SERVICE_KEY},
    )
    assert started.status_code in (200, 201), started.text
    by_chat = await client.post(
        "/session/start",
        json={"telegram_chat_id": chat, "channel": "telegram"},
        headers={"X-Service-Key": SERVICE_KEY},
    )
    assert by_chat.status_code == 200, by_chat.text
    assert by_chat.json()["session"]["customer_id"] == started.json()["session"]["customer_id"]
    assert by_chat.json()["session"]["telegram_chat_id"] == chat
