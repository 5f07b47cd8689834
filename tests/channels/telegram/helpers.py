"""Recorded Telegram updates and a fake Bot API for the Telegram channel's tests."""

from __future__ import annotations

import copy
import itertools
import json
from pathlib import Path
from typing import Any

from tests.channels.platform import Recorded
from threadline.core.clock import clock

PAYLOADS = Path(__file__).resolve().parents[2] / "payloads" / "telegram"
TOKEN = "7000000001:AAH-test-token_for-the-fake-bot-api"
SECRET = "webhook-secret_0123456789"
WEBHOOK = "/channels/telegram/webhook"

_message_ids = itertools.count(1000)
_update_ids = itertools.count(900_000_000)
_chats = itertools.count(6_100_000_000)


def payload(name: str) -> dict[str, Any]:
    """A recorded update from ``tests/payloads/telegram`` (a fresh copy)."""
    with (PAYLOADS / f"{name}.json").open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def new_chat() -> int:
    return next(_chats)


def update_for(name: str, chat_id: int, **message: Any) -> dict[str, Any]:
    """The recorded update ``name`` from another private chat, with a new update_id and now's date.

    A contact's ``user_id`` (for ``contact_own``) follows the chat; ``message`` fields override.
    """
    data = copy.deepcopy(payload(name))
    data["update_id"] = next(_update_ids)
    body = data.get("message") or data.get("edited_message") or data["callback_query"]
    sender = body["from"]
    sender["id"] = chat_id
    chat = (body.get("message") or body)["chat"]
    chat["id"] = chat_id
    if "callback_query" not in data:
        body["date"] = int(clock.now().timestamp())
        contact = body.get("contact")
        if contact is not None and name == "contact_own":
            contact["user_id"] = chat_id
    body.update(message)
    return data


def bot_api(call: Recorded) -> Any:
    """The Bot API's success body for ``call`` (what the fake platform answers by default)."""
    method = call.path.rsplit("/", 1)[-1]
    if method in ("sendMessage", "sendPhoto"):
        body = call.body or {}
        result = {
            "message_id": next(_message_ids),
            "from": {"id": 7000000001, "is_bot": True, "first_name": "Threadline"},
            "chat": {"id": body.get("chat_id"), "type": "private"},
            "date": int(clock.now().timestamp()),
        }
        return {"ok": True, "result": result}
    if method == "getWebhookInfo":
        return {
            "ok": True,
            "result": {
                "url": "https://shop.example.com/channels/telegram/webhook",
                "has_custom_certificate": False,
                "pending_update_count": 2,
                "last_error_date": 1770906600,
                "last_error_message": "Wrong response from the webhook: 502 Bad Gateway",
                "max_connections": 40,
                "allowed_updates": ["message", "callback_query"],
            },
        }
    if method == "setWebhook":
        return {"ok": True, "result": True, "description": "Webhook was set"}
    return {"ok": True, "result": True}


def method_of(call: Recorded) -> str:
    return call.path.rsplit("/", 1)[-1]
