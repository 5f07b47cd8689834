"""No password, login code or session token is kept in plaintext, in the store or in the log."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from tests.auth.helpers import (
    dump_store,
    login,
    other_code,
    request_code,
    signup,
    verify,
)
from tests.conftest import make_settings, running
from tests.factories import auth, new_phone
from threadline.core.phone import mask_phone


def _contains_code(text: str, code: str) -> bool:
    """``code`` as a number of its own (not six digits inside a longer run of digits)."""
    return re.search(rf"(?<!\d){code}(?!\d)", text) is not None


async def test_no_secret_is_stored_or_logged_in_plaintext(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    phone, otp_phone = new_phone(), new_phone()
    password, new_password = "amber-canal-whistle-93", "cobalt-meadow-ferry-58"
    tokens: list[str] = []
    async with running(make_settings(database_url, data_dir=tmp_path)) as (app, client):
        account = await signup(client, phone, password, name="Secret Keeper")
        tokens.append(account["session_token"])
        wrong = await login(client, phone, "not-my-password-zz")
        assert wrong.status_code == 401
        logged_in = await login(client, phone, password, "kiosk")
        tokens.append(logged_in.json()["session_token"])
        started = await client.post(
            "/session/start", json={"phone": phone, "channel": "app", "password": password}
        )
        tokens.append(started.json()["session_token"])
        changed = await client.post(
            "/auth/password",
            json={"current_password": password, "new_password": new_password},
            headers=auth(tokens[-1]),
        )
        assert changed.status_code == 204
        code = await request_code(client, tmp_path, otp_phone)
        assert (await verify(client, otp_phone, other_code(code))).status_code == 401
        verified = await verify(client, otp_phone, code)
        assert verified.status_code == 200
        tokens.append(verified.json()["session_token"])
        account_code = await request_code(client, tmp_path, phone)  # left unused
        store = await dump_store(app)

    log = capsys.readouterr().out
    assert "auth.signup" in log  # the log was captured at INFO
    assert store
    for secret in (password, new_password, *tokens, *(t.removeprefix("tl_") for t in tokens)):
        assert secret not in store
        assert secret not in log
    for one_time in (code, account_code):
        assert not _contains_code(store, one_time)
        assert not _contains_code(log, one_time)
    for raw in (phone, otp_phone):
        assert raw not in log
        assert raw.removeprefix("+91") not in log
    assert mask_phone(phone) in log
    assert mask_phone(otp_phone) in log


async def test_stored_password_and_code_are_argon2_hashes(
    app: FastAPI, client: httpx.AsyncClient, tmp_path: Path
):
    account = await signup(client)
    phone = account["customer"]["phone"]
    await request_code(client, tmp_path, phone)

    store = await dump_store(app)

    assert store.count("$argon2id$") >= 2  # the password and the code
