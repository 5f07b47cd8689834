"""Recorded WhatsApp webhook deliveries, signing, and a fake Cloud API for the channel's tests."""

from __future__ import annotations

import copy
import hashlib
import hmac
import itertools
import json
from pathlib import Path
from typing import Any

import httpx

from tests.channels.platform import Recorded
from threadline.core.clock import clock

PAYLOADS = Path(__file__).resolve().parents[2] / "payloads" / "whatsapp"
WEBHOOK = "/channels/whatsapp/webhook"
APP_SECRET = "whatsapp-app-secret_0123456789abcdef"
VERIFY_TOKEN = "whatsapp-verify-token_0123456789"
ACCESS_TOKEN = "EAAG-test-access-token_0123456789abcdefghijklmnopqrstuvwxyz"
NUMBER_ID = "106540352242922"  # the phone_number_id of the recorded payloads

_message_ids = itertools.count(1)
_out_ids = itertools.count(1)
_numbers = itertools.count(1)


def payload(name: str) -> dict[str, Any]:
    """A recorded delivery from ``tests/payloads/whatsapp`` (a fresh copy)."""
    with (PAYLOADS / f"{name}.json").open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def raw_payload(name: str) -> bytes:
    return (PAYLOADS / f"{name}.json").read_bytes()


def new_wa_id() -> str:
    """A fresh Indian mobile number as WhatsApp writes it (digits, country code first)."""
    return f"9178{next(_numbers):08d}"


def new_message_id() -> str:
    return f"wamid.HBgMTEST{next(_message_ids):012d}FQIAEhgUM0VC"


def value_of(body: dict[str, Any]) -> dict[str, Any]:
    value: dict[str, Any] = body["entry"][0]["changes"][0]["value"]
    return value


def delivery_for(
    name: str, wa_id: str, *, message_id: str | None = None, **message: Any
) -> dict[str, Any]:
    """The recorded delivery ``name`` from another sender, with a new message id and now's time.

    ``message`` fields override the (first) message's.
    """
    body = copy.deepcopy(payload(name))
    value = value_of(body)
    for contact in value.get("contacts", []):
        contact["wa_id"] = wa_id
    for item in value.get("messages", []):
        item["from"] = wa_id
        item["id"] = new_message_id()
        item["timestamp"] = str(int(clock.now().timestamp()))
    if value.get("messages"):
        first = value["messages"][0]
        if message_id is not None:
            first["id"] = message_id
        first.update(message)
    return body


def text_delivery(wa_id: str, text: str, *, message_id: str | None = None) -> dict[str, Any]:
    body = delivery_for("text", wa_id, message_id=message_id)
    value_of(body)["messages"][0]["text"] = {"body": text}
    return body


def button_delivery(wa_id: str, reply_id: str, title: str) -> dict[str, Any]:
    body = delivery_for("button_reply", wa_id)
    value_of(body)["messages"][0]["interactive"]["button_reply"] = {"id": reply_id, "title": title}
    return body


def status_delivery(
    status: str, message_id: str, recipient: str, timestamp: int | None = None
) -> dict[str, Any]:
    body = copy.deepcopy(payload(f"status_{status}"))
    item = value_of(body)["statuses"][0]
    item["id"] = message_id
    item["recipient_id"] = recipient
    if timestamp is not None:
        item["timestamp"] = str(timestamp)
    return body


def signature(raw: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()


async def post_signed(
    client: httpx.AsyncClient, body: dict[str, Any] | bytes, *, secret: str = APP_SECRET
) -> httpx.Response:
    """POST a delivery as Meta does: the raw bytes, signed with the app secret."""
    raw = body if isinstance(body, bytes) else encode(body)
    return await client.post(
        WEBHOOK,
        content=raw,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature(raw, secret)},
    )


def cloud_api(call: Recorded) -> Any:
    """The Cloud API's success body for a send (what the fake platform answers by default)."""
    body = call.body if isinstance(call.body, dict) else {}
    if body.get("status") == "read":
        return {"success": True}
    return {
        "messaging_product": "whatsapp",
        "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
        "messages": [{"id": f"wamid.OUT{next(_out_ids):010d}", "message_status": "accepted"}],
    }
