"""The WhatsApp phone-only override: a service call for the signed webhook, no public route."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from tests.auth.helpers import assert_error, login, signup, stored_password_hash
from tests.factories import auth, new_phone, start
from threadline.core.types import Channel
from threadline.customers.models import Customer
from threadline.sessions.service import join_verified_phone

DOCUMENTED_AUTH_PATHS = {
    "/auth/signup",
    "/auth/login",
    "/auth/logout",
    "/auth/sessions",
    "/auth/sessions/{device_id}",
    "/auth/password",
    "/auth/otp/request",
    "/auth/otp/verify",
}
# Routes whose request body names a phone: each needs a password, a code or (for
# /session/start) the password rule; /auth/otp/request only sends a code to that phone.
ROUTES_TAKING_A_PHONE = {
    "/session/start",
    "/auth/signup",
    "/auth/login",
    "/auth/otp/request",
    "/auth/otp/verify",
}


async def join_by_whatsapp(app: FastAPI, phone: str) -> tuple[str, dict, Customer]:
    """What the signed webhook does for a message from ``phone``; returns the token too."""
    async with app.state.sessionmaker() as db:
        token, ctx, customer = await join_verified_phone(
            db, app.state.settings, app.state.session_cache, phone, Channel.whatsapp
        )
        await db.commit()
    return token, {"session_id": str(ctx.session.session_id)}, customer


async def _customers_with(app: FastAPI, digits: str) -> int:
    async with app.state.sessionmaker() as db:
        stmt = select(func.count()).select_from(Customer).where(Customer.phone.contains(digits))
        return (await db.execute(stmt)).scalar_one()


async def test_whatsapp_joins_an_account_holders_session_without_the_password(
    app: FastAPI, client: httpx.AsyncClient
):
    account = await signup(client, channel="web")
    phone = account["customer"]["phone"]
    hash_before = await stored_password_hash(app, phone)

    token, joined, customer = await join_by_whatsapp(app, phone)

    assert customer.customer_id == account["customer"]["customer_id"]
    assert joined["session_id"] == account["session"]["session_id"]
    session = await client.get("/session", headers=auth(token))
    assert session.status_code == 200
    assert session.json()["channel"] == "whatsapp"
    assert session.json()["data"]["channels"] == ["web", "whatsapp"]
    assert session.json()["customer_id"] == account["customer"]["customer_id"]
    # The override neither removes nor bypasses the password anywhere public.
    assert await stored_password_hash(app, phone) == hash_before
    no_password = await client.post("/session/start", json={"phone": phone, "channel": "whatsapp"})
    assert_error(no_password, 401, "invalid_credentials")
    assert (await login(client, phone, account["password"], "kiosk")).status_code == 200


async def test_whatsapp_joins_a_guest_session_and_creates_unknown_customers(
    app: FastAPI, client: httpx.AsyncClient
):
    guest = await start(client, channel="kiosk")
    token, joined, customer = await join_by_whatsapp(app, guest["session"]["phone"])
    assert joined["session_id"] == guest["session"]["session_id"]
    assert customer.customer_id == guest["session"]["customer_id"]

    phone = new_phone()
    token, _, customer = await join_by_whatsapp(app, phone)
    session = (await client.get("/session", headers=auth(token))).json()
    assert session["phone"] == phone
    assert session["customer_id"] == customer.customer_id
    assert session["data"]["channels"] == ["whatsapp"]
    again, _, same = await join_by_whatsapp(app, phone)
    assert same.customer_id == customer.customer_id
    assert again != token


async def test_whatsapp_wa_id_without_plus_is_the_same_customer(
    app: FastAPI, client: httpx.AsyncClient
):
    # WhatsApp's wa_id is the number's digits without "+": it must resolve to the E.164 record.
    account = await signup(client)
    phone = account["customer"]["phone"]

    _, joined, customer = await join_by_whatsapp(app, phone.removeprefix("+"))

    assert customer.customer_id == account["customer"]["customer_id"]
    assert joined["session_id"] == account["session"]["session_id"]
    assert await _customers_with(app, phone.removeprefix("+")) == 1


async def test_openapi_lists_exactly_the_documented_auth_routes(client: httpx.AsyncClient):
    paths = (await client.get("/openapi.json")).json()["paths"]

    assert {p for p in paths if p.startswith("/auth")} == DOCUMENTED_AUTH_PATHS
    assert {p for p in paths if "whatsapp" in p.lower()} <= {"/channels/whatsapp/webhook"}


async def test_no_public_route_takes_a_phone_on_its_word_alone(client: httpx.AsyncClient):
    spec = (await client.get("/openapi.json")).json()
    schemas = spec["components"]["schemas"]

    def body_fields(operation: dict) -> set[str]:
        content = operation.get("requestBody", {}).get("content", {})
        schema = content.get("application/json", {}).get("schema", {})
        while "$ref" in schema or "anyOf" in schema:
            if "$ref" in schema:
                schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
            else:
                schema = next(s for s in schema["anyOf"] if s.get("type") != "null")
        return set(schema.get("properties", {}))

    taking_phone = {
        path
        for path, operations in spec["paths"].items()
        for operation in operations.values()
        if "phone" in body_fields(operation)
    }
    assert taking_phone == ROUTES_TAKING_A_PHONE
