"""The seed document's three test cases and its metrics, as API tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from tests.factories import auth, new_phone, start
from threadline.sessions.schemas import SessionEnvelope, SessionRead

SESSION_FIELDS = {
    "session_id",
    "phone",
    "telegram_chat_id",
    "channel",
    "user_id",
    "customer_id",
    "data",
    "metadata",
    "created_at",
    "updated_at",
    "is_active",
    "expires_at",
}
DATA_FIELDS = {
    "cart",
    "recent",
    "chat_context",
    "last_action",
    "channels",
    "conversation_summary",
    "last_recommended_skus",
}
METADATA_FIELDS = {"channels", "chat_context", "conversation_summary", "last_recommended_skus"}


def parse_ts(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert parsed.tzinfo is not None, f"timestamp without offset: {value}"
    return parsed


async def test_fresh_kiosk_login_creates_session_with_seed_structure(client: httpx.AsyncClient):
    body = await start(client, "+919876543210", "kiosk")

    session = body["session"]
    assert body["session_token"]
    assert set(session) >= SESSION_FIELDS
    assert set(session["data"]) >= DATA_FIELDS
    assert set(session["metadata"]) >= METADATA_FIELDS
    assert session["phone"] == "+919876543210"
    assert session["customer_id"]
    assert session["user_id"] == session["customer_id"]
    assert session["channel"] == "kiosk"
    assert session["data"]["channels"] == session["metadata"]["channels"] == ["kiosk"]
    assert session["is_active"] is True
    expected = datetime.now(UTC) + timedelta(days=7)
    assert abs(parse_ts(session["expires_at"]) - expected) < timedelta(minutes=1)
    # What the routes send is exactly what /openapi.json describes.
    SessionEnvelope.model_validate(body)
    restored = await client.get("/session", headers=auth(body["session_token"]))
    SessionRead.model_validate(restored.json())


async def test_restore_with_token_returns_same_session_and_slides_expiry(
    client: httpx.AsyncClient,
):
    started = await start(client, channel="kiosk")
    token = started["session_token"]

    restored = await client.post("/session/restore", headers=auth(token))

    assert restored.status_code == 200
    body = restored.json()
    assert body["session_token"] == token
    assert body["session"]["session_id"] == started["session"]["session_id"]
    assert body["session"]["customer_id"] == started["session"]["customer_id"]
    assert parse_ts(body["session"]["expires_at"]) >= parse_ts(started["session"]["expires_at"])


async def test_cross_device_continuity_joins_one_session_and_grows_channels(
    client: httpx.AsyncClient,
):
    phone = new_phone()
    web = await start(client, phone, "web")
    kiosk = await start(client, phone.replace("+91", ""), "kiosk")
    again = await start(client, phone, "web")

    assert kiosk["session"]["session_id"] == web["session"]["session_id"]
    assert kiosk["session_token"] != web["session_token"]
    assert kiosk["session"]["customer_id"] == web["session"]["customer_id"]
    assert kiosk["session"]["data"]["channels"] == ["web", "kiosk"]
    assert again["session"]["metadata"]["channels"] == ["web", "kiosk"]
    # Each token keeps its own channel; both see the same conversation.
    seen_from_web = (await client.get("/session", headers=auth(web["session_token"]))).json()
    assert seen_from_web["channel"] == "web"
    assert seen_from_web["data"]["channels"] == ["web", "kiosk"]


async def test_every_channel_joins_in_order_of_first_use(client: httpx.AsyncClient):
    phone = new_phone()
    for channel in ["app", "kiosk", "app", "whatsapp", "web", "kiosk", "telegram"]:
        body = await start(client, phone, channel)
    assert body["session"]["data"]["channels"] == ["app", "kiosk", "whatsapp", "web", "telegram"]
