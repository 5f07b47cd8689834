"""Hostile and malformed input: always a 4xx with the contract's error body, never a 500."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.auth.helpers import assert_error, login, signup, strong_password
from tests.factories import auth, new_phone

SQLISH = "' OR 1=1 --"
SQLISH_MORE = "x'); DROP TABLE customers; --"


def client_error(response: httpx.Response) -> dict[str, Any]:
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    return assert_error(response, response.status_code)


def valid_signup(**changes: Any) -> dict[str, Any]:
    return {"phone": new_phone(), "password": strong_password(), "name": "Asha", **changes}


@pytest.mark.parametrize(
    ("path", "body"),
    [
        pytest.param("/auth/signup", valid_signup(phone=SQLISH), id="signup-sqlish-phone"),
        pytest.param("/auth/signup", valid_signup(password="'--"), id="signup-sqlish-short-pw"),
        pytest.param("/auth/signup", valid_signup(password="x" * 100_000), id="signup-100kb-pw"),
        pytest.param("/auth/signup", valid_signup(password=12345678), id="signup-int-password"),
        pytest.param("/auth/signup", valid_signup(password=None), id="signup-null-password"),
        pytest.param("/auth/signup", valid_signup(name=""), id="signup-empty-name"),
        pytest.param("/auth/signup", valid_signup(name="n" * 121), id="signup-long-name"),
        pytest.param("/auth/signup", valid_signup(name={"first": "A"}), id="signup-object-name"),
        pytest.param("/auth/signup", valid_signup(email="not-an-email"), id="signup-bad-email"),
        pytest.param("/auth/signup", valid_signup(email=SQLISH), id="signup-sqlish-email"),
        pytest.param("/auth/signup", valid_signup(channel="fax"), id="signup-bad-channel"),
        pytest.param("/auth/signup", valid_signup(phone=["+919876543210"]), id="signup-list-phone"),
        pytest.param("/auth/signup", valid_signup(phone=True), id="signup-bool-phone"),
        pytest.param("/auth/signup", {"phone": new_phone()}, id="signup-missing-fields"),
        pytest.param("/auth/signup", [], id="signup-list-body"),
        pytest.param("/auth/signup", "phone", id="signup-string-body"),
        pytest.param("/auth/signup", None, id="signup-null-body"),
        pytest.param(
            "/auth/login",
            {"phone": SQLISH, "password": SQLISH, "channel": "web"},
            id="login-sqlish",
        ),
        pytest.param(
            "/auth/login",
            {"phone": new_phone(), "password": "y" * 100_000, "channel": "web"},
            id="login-100kb-password",
        ),
        pytest.param(
            "/auth/login",
            {"phone": new_phone(), "password": ["a"], "channel": "web"},
            id="login-list-password",
        ),
        pytest.param(
            "/auth/login",
            {"phone": new_phone(), "password": "p4ss-word-xyz"},
            id="login-no-channel",
        ),
        pytest.param(
            "/auth/login",
            {"phone": 9876543210.5, "password": "p4ss-word-xyz", "channel": "web"},
            id="login-float-phone",
        ),
        pytest.param(
            "/auth/otp/request", {"phone": SQLISH, "channel": "web"}, id="otp-request-sqlish"
        ),
        pytest.param("/auth/otp/request", {"phone": new_phone()}, id="otp-request-no-channel"),
        pytest.param(
            "/auth/otp/verify",
            {"phone": new_phone(), "code": SQLISH, "channel": "web"},
            id="otp-verify-sqlish-code",
        ),
        pytest.param(
            "/auth/otp/verify",
            {"phone": new_phone(), "code": 123456, "channel": "web"},
            id="otp-verify-int-code",
        ),
        pytest.param(
            "/auth/otp/verify",
            {"phone": new_phone(), "code": "1234567", "channel": "web"},
            id="otp-verify-7-digits",
        ),
        pytest.param(
            "/auth/otp/verify",
            {"phone": new_phone(), "code": "１２３４５６", "channel": "web"},
            id="otp-verify-fullwidth-digits",
        ),
    ],
)
async def test_bad_input_is_a_client_error(client: httpx.AsyncClient, path: str, body: Any):
    response = await client.post(path, json=body)
    client_error(response)


@pytest.mark.parametrize(
    "raw",
    [b"{", b"not json", b'{"phone": "+919876543210", "password": "\xff\xfe"}', b""],
    ids=["truncated", "text", "invalid-utf8", "empty"],
)
@pytest.mark.parametrize("path", ["/auth/signup", "/auth/login", "/auth/otp/verify"])
async def test_malformed_json_is_a_client_error(client: httpx.AsyncClient, path: str, raw: bytes):
    response = await client.post(path, content=raw, headers={"Content-Type": "application/json"})
    client_error(response)


async def test_a_two_megabyte_body_is_payload_too_large(client: httpx.AsyncClient):
    body = json.dumps(valid_signup(name="x" * (2 * 1024 * 1024))).encode()
    for path in ("/auth/signup", "/auth/login", "/auth/otp/request"):
        response = await client.post(
            path, content=body, headers={"Content-Type": "application/json"}
        )
        assert_error(response, 413, "payload_too_large")


async def test_sqlish_password_does_not_log_in(client: httpx.AsyncClient):
    account = await signup(client)
    phone = account["customer"]["phone"]
    for password in (SQLISH, SQLISH_MORE, "' OR '1'='1' /*", '" OR ""="'):
        assert_error(await login(client, phone, password), 401, "invalid_credentials")
    assert (await login(client, phone, account["password"])).status_code == 200


async def test_sqlish_and_unicode_names_are_kept_as_written(client: httpx.AsyncClient):
    for name in (SQLISH, SQLISH_MORE, "Zoë Ångström-Núñez", "李小龙", "अनन्या", "🧵 Thread"):
        account = await signup(client, name=name)
        assert account["customer"]["name"] == name
        again = await login(client, account["customer"]["phone"], account["password"])
        assert again.json()["customer"]["name"] == name


async def test_a_sqlish_password_that_is_strong_is_simply_a_password(client: httpx.AsyncClient):
    # Strength, not content, decides: this one is long and varied enough.
    phone = new_phone()
    account = await signup(client, phone, SQLISH_MORE)
    assert (await login(client, phone, SQLISH_MORE)).status_code == 200
    assert account["customer"]["phone"] == phone


@pytest.mark.parametrize("name", ["nul\x00byte", "\x00"])
async def test_a_name_with_a_nul_character_is_a_client_error(client: httpx.AsyncClient, name: str):
    response = await client.post("/auth/signup", json=valid_signup(name=name))
    assert response.status_code != 500, response.text
    if response.status_code == 201:
        assert response.json()["customer"]["name"] == name
    else:
        client_error(response)


async def test_a_password_with_a_nul_character_never_500s(client: httpx.AsyncClient):
    account = await signup(client)
    phone = account["customer"]["phone"]
    response = await login(client, phone, account["password"] + "\x00")
    assert_error(response, 401, "invalid_credentials")
    signup_nul = await client.post("/auth/signup", json=valid_signup(password="nul\x00-byte-pw-77"))
    assert signup_nul.status_code != 500, signup_nul.text


@pytest.mark.parametrize(
    "body",
    [{"all_devices": "maybe"}, {"all_devices": [True]}, [], "yes"],
    ids=["string", "list", "list-body", "string-body"],
)
async def test_logout_with_a_bad_body_is_a_client_error(client: httpx.AsyncClient, body: Any):
    account = await signup(client)
    response = await client.post("/auth/logout", json=body, headers=auth(account["session_token"]))
    client_error(response)
    # Nothing was ended by the refused call.
    assert (await client.get("/session", headers=auth(account["session_token"]))).status_code == 200


@pytest.mark.parametrize("device_id", ["not-a-uuid", SQLISH, "1 OR 1=1", "0" * 500])
async def test_ending_a_device_by_a_malformed_id_is_a_client_error(
    client: httpx.AsyncClient, device_id: str
):
    account = await signup(client)
    response = await client.delete(
        f"/auth/sessions/{device_id}", headers=auth(account["session_token"])
    )
    client_error(response)
    assert (await client.get("/session", headers=auth(account["session_token"]))).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"current_password": SQLISH, "new_password": "fresh-orchid-tunnel-31"},
        {"current_password": 1, "new_password": 2},
        {"new_password": "fresh-orchid-tunnel-31"},
        {"current_password": "x", "new_password": "z" * 100_000},
    ],
    ids=["sqlish-current", "ints", "missing-current", "100kb-new"],
)
async def test_password_change_with_bad_input_is_a_client_error(
    client: httpx.AsyncClient, body: dict[str, Any]
):
    account = await signup(client)
    response = await client.post(
        "/auth/password", json=body, headers=auth(account["session_token"])
    )
    client_error(response)
    assert (
        await login(client, account["customer"]["phone"], account["password"])
    ).status_code == 200


async def test_an_unknown_auth_route_is_404_with_the_error_body(client: httpx.AsyncClient):
    assert_error(await client.post("/auth/whatsapp", json={"phone": new_phone()}), 404)
    assert_error(await client.get("/auth/login"), 405)
