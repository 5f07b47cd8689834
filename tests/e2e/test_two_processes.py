"""Two real ``threadline serve`` processes on one PostgreSQL behave as one service.

Every step splits its requests across the two processes at the same moment: concurrent cart
writes on one session, checkouts racing for the last units, one WhatsApp message delivered to
both, login throttling, and chat turns of one session arriving at both (answered in order).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.channels.platform import Recorded, serve
from tests.conftest import _admin, run_sync
from tests.e2e.test_server_process import server
from tests.factories import new_phone
from threadline.inventory.models import ONLINE_STORE_ID

pytestmark = [pytest.mark.e2e, pytest.mark.postgresql]
APP_SECRET = "two-process-secret"
ADDRESS = {"line1": "12 Hill Road", "city": "Mumbai", "pincode": "400050"}


def _platform_ok(call: Recorded) -> Any:
    return {"messaging_product": "whatsapp", "messages": [{"id": f"wamid.out{time.time_ns()}"}]}


def _start(http: httpx.Client, phone: str, channel: str = "web") -> dict[str, str]:
    started = http.post("/session/start", json={"phone": phone, "channel": channel})
    assert started.status_code == 200, started.text
    return {"X-Session-Token": started.json()["session_token"]}


def _together(calls: list[Any]) -> list[Any]:
    """Run the zero-argument callables at the same moment, in threads; their results."""
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def _in_stock(http: httpx.Client, query: str) -> tuple[str, str]:
    """A product and size the online store holds plenty of."""
    for product in http.get("/products", params={"q": query, "limit": 50}).json()["items"]:
        for size in product["sizes"]:
            stock = http.get(f"/products/{product['sku']}/availability", params={"size": size})
            if stock.json()["online"] >= 30:
                return product["sku"], size
    raise AssertionError(f"no {query} with stock in the demo catalog")


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_processes_on_one_postgresql_lose_nothing_and_double_nothing(
    database_url: str, tmp_path: Path
) -> None:
    with serve(_platform_ok) as fake, ExitStack() as stack:
        env = {
            "WHATSAPP_APP_SECRET": APP_SECRET,
            "WHATSAPP_API_BASE": fake.base,
            "WHATSAPP_ACCESS_TOKEN": "two-process-token",
            "WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
        }
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        a = stack.enter_context(server(database_url, tmp_path / "a" / "server.log", env))
        b = stack.enter_context(server(database_url, tmp_path / "b" / "server.log", env))
        one = stack.enter_context(httpx.Client(base_url=a.base, timeout=30))
        two = stack.enter_context(httpx.Client(base_url=b.base, timeout=30))
        both = itertools.cycle([one, two])

        # 1. Twenty cart writes on one session, half through each process: none lost.
        phone = new_phone()
        on_a, on_b = _start(one, phone, "kiosk"), _start(two, phone, "web")
        sku, size = _in_stock(one, "shirt")
        adds = [
            (
                lambda http=(one if i % 2 else two), h=(on_a if i % 2 else on_b): http.post(
                    "/cart/items", json={"sku": sku, "size": size, "qty": 1}, headers=h
                )
            )
            for i in range(20)
        ]
        assert all(r.status_code == 200 for r in _together(adds))
        cart = one.get("/cart", headers=on_a).json()
        assert [(i["sku"], i["qty"]) for i in cart["items"]] == [(sku, 20)]
        assert two.get("/cart", headers=on_b).json()["items"] == cart["items"]

        # 2. Eight shoppers, each with the last-units item in the cart, check out at once
        # through both processes: exactly three orders, stock 0.
        last_sku, last_size = _in_stock(one, "kurta")
        shoppers = [_start(next(both), new_phone()) for _ in range(8)]
        for h in shoppers:
            added = one.post(
                "/cart/items", json={"sku": last_sku, "size": last_size, "qty": 1}, headers=h
            )
            assert added.status_code == 200, added.text
        run_sync(
            _admin(
                f"UPDATE stock SET qty = 3 WHERE sku = '{last_sku}' AND size = '{last_size}' "
                f"AND store_id = '{ONLINE_STORE_ID}'",
                database_url,
            )
        )
        body = {"payment_method": "upi", "fulfillment": {"type": "delivery", "address": ADDRESS}}
        checkouts = [
            (
                lambda http=(one if i % 2 else two), h=h, i=i: http.post(
                    "/checkout", json=body, headers={**h, "Idempotency-Key": f"last-{i}"}
                )
            )
            for i, h in enumerate(shoppers)
        ]
        codes = sorted(r.status_code for r in _together(checkouts))
        assert codes == [201] * 3 + [409] * 5, codes
        left = one.get(f"/products/{last_sku}/availability", params={"size": last_size}).json()
        assert left["online"] == 0

        # 3. One WhatsApp message delivered to both processes at once: answered once.
        wa_id = new_phone().lstrip("+")
        delivery = {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "1",
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
                                        "id": "wamid.two-processes-1",
                                        "timestamp": str(int(time.time())),
                                        "type": "text",
                                        "text": {"body": "hi"},
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        }
        raw = json.dumps(delivery).encode()
        signed = {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": "sha256="
            + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest(),
        }
        acks = _together(
            [
                lambda http=http: http.post(
                    "/channels/whatsapp/webhook", content=raw, headers=signed
                )
                for http in (one, two, one, two)
            ]
        )
        assert [r.status_code for r in acks] == [200] * 4
        fake.wait_for(1, "/messages", timeout=90)
        time.sleep(3)  # a second answer, if there were one, would have been sent by now
        # Answered twice, the same greeting would have been sent twice.
        sent = [c.body for c in fake.sent("/messages")]
        mine = [json.dumps(body, sort_keys=True) for body in sent if body.get("to") == wa_id]
        assert mine, sent
        assert len(mine) == len(set(mine)), mine

        # 4. Wrong passwords alternating between the processes share one throttle.
        account = one.post(
            "/auth/signup",
            json={"phone": new_phone(), "password": "violet-harbor-lantern-two", "name": "Two"},
        )
        assert account.status_code == 201, account.text
        login = {"phone": account.json()["customer"]["phone"], "channel": "web"}
        statuses = [
            (one if i % 2 else two)
            .post("/auth/login", json={**login, "password": f"wrong-guess-{i}-xyz"})
            .status_code
            for i in range(8)
        ]
        assert statuses[:5] == [401] * 5
        assert statuses[5:] == [429] * 3

        # 5. Chat turns of one session arriving at both processes at once: each answered,
        # one at a time, in the order they were queued.
        phone = new_phone()
        chat_a, chat_b = _start(one, phone, "kiosk"), _start(two, phone, "web")
        words = [
            "show me shirts",
            "cheaper ones",
            "show more",
            "hi",
            "show me kurtas",
            "any offers?",
        ]
        turns = _together(
            [
                (
                    lambda http=(one if i % 2 else two), h=(chat_a if i % 2 else chat_b), w=w: (
                        http.post("/chat", json={"message": w}, headers=h)
                    )
                )
                for i, w in enumerate(words)
            ]
        )
        assert all(r.status_code == 200 for r in turns), [r.text for r in turns]
        numbers = sorted(r.json()["turn"] for r in turns)
        assert numbers == list(range(1, 7))
        history = one.get("/chat/history", params={"limit": 10}, headers=chat_a).json()["items"]
        assert [t["turn"] for t in history] == [6, 5, 4, 3, 2, 1]
        assert sorted(t["message"] for t in history) == sorted(words)
        assert all(t["reply"] for t in history)
