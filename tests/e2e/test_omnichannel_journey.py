"""The channels issue's "done means", over real HTTP against a real ``threadline serve``.

A shopper fills a cart on the kiosk, hands the conversation to their phone with the QR code's
link, then writes on WhatsApp and on Telegram: every channel is recognised as the same
customer and continues the same cart.  WhatsApp and Telegram are played by a local server
speaking their send APIs; the webhooks are called as the platforms call them (signed, with
the secret header).  The pages' side of the same journey runs in Chromium in ``tests/pages``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.channels.platform import FakePlatform, Recorded, serve
from tests.e2e.test_server_process import server
from tests.factories import new_phone

pytestmark = pytest.mark.e2e
APP_SECRET = "journey-app-secret"
TG_SECRET = "journey-telegram-secret"


def platform_ok(call: Recorded) -> Any:
    if "/bot" in call.path:
        return {"ok": True, "result": {"message_id": len(call.path)}}
    return {"messaging_product": "whatsapp", "messages": [{"id": f"wamid.out{time.time_ns()}"}]}


def whatsapp_delivery(wa_id: str, message_id: str, text: str) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550783881",
                                "phone_number_id": "106540352242922",
                            },
                            "contacts": [{"profile": {"name": "Asha"}, "wa_id": wa_id}],
                            "messages": [
                                {
                                    "from": wa_id,
                                    "id": message_id,
                                    "timestamp": str(int(time.time())),
                                    "type": "text",
                                    "text": {"body": text},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }


def post_signed(http: httpx.Client, body: dict[str, Any]) -> httpx.Response:
    raw = json.dumps(body).encode()
    signature = hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    return http.post(
        "/channels/whatsapp/webhook",
        content=raw,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": f"sha256={signature}"},
    )


def telegram_update(update_id: int, chat_id: int, **message: Any) -> dict[str, Any]:
    sender = {"id": chat_id, "is_bot": False, "first_name": "Asha"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "from": sender,
            "chat": {"id": chat_id, "first_name": "Asha", "type": "private"},
            "date": int(time.time()),
            **message,
        },
    }


def post_telegram(http: httpx.Client, body: dict[str, Any]) -> httpx.Response:
    return http.post(
        "/channels/telegram/webhook",
        json=body,
        headers={"X-Telegram-Bot-Api-Secret-Token": TG_SECRET},
    )


def texts(calls: list[Recorded]) -> str:
    """Everything the shopper was shown in these calls, as one string."""
    return json.dumps([c.body for c in calls], ensure_ascii=False)


def settled(fake: FakePlatform, quiet: float = 1.5, timeout: float = 90.0) -> int:
    """The number of accepted calls once none has arrived for ``quiet`` seconds: the previous
    reply has been delivered whole (its product cards included) before the next step."""
    deadline = time.monotonic() + timeout
    count, since = len(fake.sent()), time.monotonic()
    while time.monotonic() - since < quiet:
        assert time.monotonic() < deadline, "the platform never stopped receiving"
        time.sleep(0.05)
        if len(fake.sent()) != count:
            count, since = len(fake.sent()), time.monotonic()
    return count


def shown_after(fake: FakePlatform, start: int, *words: str, timeout: float = 90.0) -> str:
    """What the platform was asked to show from call ``start`` on, once it has all ``words``."""
    deadline = time.monotonic() + timeout
    while True:
        shown = texts(fake.sent()[start:])
        if all(w in shown for w in words):
            return shown
        assert time.monotonic() < deadline, f"never shown {words}: {shown}"
        time.sleep(0.05)


def test_kiosk_to_phone_to_whatsapp_and_telegram_is_one_customer_and_one_cart(
    database_url: str, tmp_path: Path
) -> None:
    phone = new_phone()
    wa_id = phone.lstrip("+")
    chat_id = 880_000_000 + int(phone[-6:])
    with serve(platform_ok) as fake:
        env = {
            "WHATSAPP_APP_SECRET": APP_SECRET,
            "WHATSAPP_VERIFY_TOKEN": "journey-verify",
            "WHATSAPP_API_BASE": fake.base,
            "WHATSAPP_ACCESS_TOKEN": "journey-access-token",
            "WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
            "TELEGRAM_API_BASE": fake.base,
            "TELEGRAM_BOT_TOKEN": "123456:journey",
            "TELEGRAM_WEBHOOK_SECRET": TG_SECRET,
        }
        with (
            server(database_url, tmp_path / "server.log", extra_env=env) as srv,
            httpx.Client(base_url=srv.base, timeout=15) as http,
        ):
            # The kiosk: log in, find a product, put it in the cart.
            kiosk = http.post("/session/start", json={"phone": phone, "channel": "kiosk"})
            assert kiosk.status_code == 200, kiosk.text
            on_kiosk = {"X-Session-Token": kiosk.json()["session_token"]}
            product = http.get("/products", params={"q": "kurta", "limit": 1}).json()["items"][0]
            size = product["sizes"][0]
            added = http.post(
                "/cart/items", json={"sku": product["sku"], "size": size}, headers=on_kiosk
            )
            assert added.status_code == 200, added.text

            # The QR code's link opens the website on the phone, already in the session.
            handoff = http.post("/session/handoff", headers=on_kiosk).json()
            assert handoff["url"].startswith(srv.base + "/?handoff=")
            redeemed = http.post(
                "/session/handoff/redeem",
                json={"handoff_token": handoff["handoff_token"], "channel": "web"},
            )
            assert redeemed.status_code == 200, redeemed.text
            on_phone = {"X-Session-Token": redeemed.json()["session_token"]}
            cart = http.get("/cart", headers=on_phone).json()
            assert [i["sku"] for i in cart["items"]] == [product["sku"]]

            # WhatsApp: the number is the customer (phone-only), the cart is the same one.
            acked = post_signed(http, whatsapp_delivery(wa_id, "wamid.journey1", "my cart"))
            assert acked.status_code == 200, acked.text
            shown_after(fake, 0, f'"to": "{wa_id}"', product["name"])

            # Telegram: the chat asks for the phone, then continues the same cart.
            start = settled(fake)
            assert (
                post_telegram(http, telegram_update(1, chat_id, text="/start")).status_code == 200
            )
            shown_after(fake, start, "request_contact")
            start = settled(fake)
            contact = {"phone_number": wa_id, "first_name": "Asha", "user_id": chat_id}
            assert (
                post_telegram(http, telegram_update(2, chat_id, contact=contact)).status_code == 200
            )
            shown_after(fake, start, "Welcome back! You still have 1 item in your cart")
            start = settled(fake)
            asked = post_telegram(http, telegram_update(3, chat_id, text="what's in my cart?"))
            assert asked.status_code == 200
            shown_after(fake, start, product["name"], '"chat_id": ' + str(chat_id))

            session = http.get("/session", headers=on_kiosk).json()
            assert session["data"]["channels"] == ["kiosk", "web", "whatsapp", "telegram"]
            assert session["telegram_chat_id"] == chat_id
            assert [i["sku"] for i in session["data"]["cart"]] == [product["sku"]]
