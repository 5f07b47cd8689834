"""Staff sign-in to the dashboard: a role apart from customers, on both stores."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from tests.admin.conftest import STAFF, STAFF_PASSWORD, add_staff, sign_in
from tests.conftest import make_settings, running
from tests.factories import auth, start
from threadline.core.clock import clock
from threadline.core.security import hash_token
from threadline.db import session_scope
from threadline.staff import service as staff
from threadline.staff.models import StaffSession

pytestmark = pytest.mark.usefixtures("today")
# What production refuses to start without, apart from the store.
PRODUCTION = {
    "environment": "production",
    "otp_sender": "whatsapp",
    "whatsapp_access_token": "token",
    "whatsapp_phone_number_id": "106540352242922",
}


def _error(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return dict(body["error"])


async def test_sign_in_sets_an_http_only_strict_cookie_for_admin_only(client: httpx.AsyncClient):
    response = await sign_in(client)

    assert response.status_code == 200, response.text
    assert response.json()["username"] == STAFF
    assert response.headers["cache-control"] == "no-store"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("tl_staff=tls_")
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "max-age", "path"} <= attributes
    assert "samesite=strict" in cookie.lower()
    assert "path=/admin" in cookie.lower()
    assert "secure" not in attributes  # plain http here; see the https test below
    assert "tls_" not in response.text  # the token is only in the cookie

    me = await client.get("/admin/api/me")
    assert me.status_code == 200
    assert me.json()["username"] == STAFF


async def test_over_https_the_cookie_is_secure(app: FastAPI):
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://shop.test") as secure:
        response = await sign_in(secure)
    assert response.status_code == 200
    assert "secure" in response.headers["set-cookie"].lower()


async def test_in_production_the_cookie_is_secure_even_if_tls_ended_at_a_proxy(
    database_url: str,
):
    """Behind a TLS proxy the request reaches the app as plain http (unless uvicorn trusts
    the proxy's headers): production marks the cookie Secure all the same."""
    settings = make_settings(database_url, **PRODUCTION)
    async with running(settings) as (app, client):
        await add_staff(app)
        response = await sign_in(client)  # http://threadline.test
        signed_out = await client.post("/admin/api/logout")

    assert response.status_code == 200, response.text
    assert "secure" in _attributes(response.headers["set-cookie"])
    assert "secure" in _attributes(signed_out.headers["set-cookie"])


def _attributes(cookie: str) -> set[str]:
    return {part.strip().split("=")[0].lower() for part in cookie.split(";")}


async def test_the_username_is_case_insensitive_and_only_the_token_hash_is_stored(
    app: FastAPI, client: httpx.AsyncClient
):
    response = await sign_in(client, username="  ASHA ")
    assert response.status_code == 200
    token = client.cookies["tl_staff"]
    async with session_scope(app.state.read_sessionmaker) as db:
        stored = list(await db.scalars(select(StaffSession.token_hash)))
    assert stored == [hash_token(token)]


@pytest.mark.parametrize(
    ("username", "password"),
    [
        (STAFF, "not the password"),
        ("nobody", STAFF_PASSWORD),
        ("", STAFF_PASSWORD),
        ("asha\u0000", STAFF_PASSWORD),
        ("ａｓｈａ", STAFF_PASSWORD),
        ("x" * 64, STAFF_PASSWORD),
    ],
)
async def test_a_wrong_username_or_password_gets_one_answer(
    client: httpx.AsyncClient, username: str, password: str
):
    response = await sign_in(client, username=username, password=password)
    if username:
        error = _error(response, 401, "invalid_credentials")
        assert error["message"] == "That username or password is not right."
    else:
        _error(response, 422, "validation_error")
    assert "tl_staff" not in client.cookies
    _error(await client.get("/admin/api/me"), 401, "staff_login_required")


async def test_no_cookie_means_no_figures(client: httpx.AsyncClient):
    for path in ("/admin/api/me", "/admin/api/overview", "/admin/api/overview?from=nonsense"):
        _error(await client.get(path), 401, "staff_login_required")


async def test_a_customer_token_never_opens_the_dashboard(client: httpx.AsyncClient):
    customer = (await start(client, channel="web"))["session_token"]

    as_header = await client.get("/admin/api/overview", headers=auth(customer))
    _error(as_header, 401, "staff_login_required")
    client.cookies.set("tl_staff", customer, path="/admin")
    _error(await client.get("/admin/api/overview"), 401, "staff_login_required")
    _error(await client.get("/admin/api/me"), 401, "staff_login_required")


async def test_a_staff_token_is_no_customer_session(client: httpx.AsyncClient):
    await sign_in(client)
    token = client.cookies["tl_staff"]

    for response in (
        await client.get("/session", headers=auth(token)),
        await client.post("/session/restore", headers=auth(token)),
        await client.get("/cart", headers=auth(token)),
    ):
        _error(response, 404, "session_not_found")


async def test_sign_out_ends_the_sign_in_on_the_server(app: FastAPI, client: httpx.AsyncClient):
    await sign_in(client)
    token = client.cookies["tl_staff"]

    response = await client.post("/admin/api/logout")

    assert response.status_code == 204
    assert 'tl_staff=""' in response.headers["set-cookie"] or "max-age=0" in (
        response.headers["set-cookie"].lower()
    )
    # Even a copy of the cookie kept elsewhere no longer works.
    client.cookies.set("tl_staff", token, path="/admin")
    _error(await client.get("/admin/api/me"), 401, "staff_login_required")
    async with session_scope(app.state.read_sessionmaker) as db:
        assert await db.scalar(select(func.count()).select_from(StaffSession)) == 0


async def test_a_sign_in_lasts_the_configured_hours_then_ends(client: httpx.AsyncClient):
    await sign_in(client)
    clock.advance(timedelta(hours=11, minutes=59))
    assert (await client.get("/admin/api/me")).status_code == 200
    clock.advance(timedelta(minutes=2))
    _error(await client.get("/admin/api/overview"), 401, "staff_login_required")


async def test_disabling_a_user_signs_them_out_and_keeps_them_out(
    app: FastAPI, client: httpx.AsyncClient
):
    await sign_in(client)
    async with session_scope(app.state.sessionmaker) as db:
        assert await staff.set_disabled(db, STAFF, disabled=True) == 1

    _error(await client.get("/admin/api/me"), 401, "staff_login_required")
    _error(await sign_in(client), 401, "invalid_credentials")
    async with session_scope(app.state.sessionmaker) as db:
        await staff.set_disabled(db, STAFF, disabled=False)
    assert (await sign_in(client)).status_code == 200


async def test_guessing_a_staff_password_is_throttled(app: FastAPI, client: httpx.AsyncClient):
    await add_staff(app, "ravi", "quartz harbour 17")
    # Five guesses are checked (and answered "not right"); the sixth is not even looked at.
    for _ in range(5):
        _error(await sign_in(client, "ravi", "guess"), 401, "invalid_credentials")
    refused = await sign_in(client, "ravi", "guess")
    _error(refused, 429, "too_many_attempts")
    assert int(refused.headers["retry-after"]) > 0
    # Even the right password waits now; another user is not affected.
    _error(await sign_in(client, "ravi", "quartz harbour 17"), 429, "too_many_attempts")
    assert (await sign_in(client)).status_code == 200


async def test_signing_in_twice_keeps_two_browsers_signed_in(
    app: FastAPI, client: httpx.AsyncClient
):
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://threadline.test") as other:
        assert (await sign_in(client)).status_code == 200
        assert (await sign_in(other)).status_code == 200
        await other.post("/admin/api/logout")
        assert (await client.get("/admin/api/me")).status_code == 200
        _error(await other.get("/admin/api/me"), 401, "staff_login_required")
