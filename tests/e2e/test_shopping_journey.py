"""The commerce issue's "done means", over real HTTP against a real ``threadline serve``.

Browse and search the demo catalog, fill a cart on the kiosk, finish on the web, be declined on
card, pay by UPI, pick up in store, return the item: on both stores.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import SERVICE_KEY
from tests.e2e.test_server_process import server
from tests.factories import new_phone

pytestmark = pytest.mark.e2e
CARD_LIMIT = 10_000  # PAYMENT_CARD_LIMIT_INR's default: card payments above it are declined


def _pickable(http: httpx.Client) -> tuple[dict[str, Any], str, str, int]:
    """A product over the card limit (in quantity) with a size some shop has in stock."""
    found = http.get("/products", params={"q": "jacket", "min_price": 2000, "limit": 50})
    assert found.status_code == 200, found.text
    for product in found.json()["items"]:
        for size in product["sizes"]:
            stock = http.get(f"/products/{product['sku']}/availability", params={"size": size})
            for shop in stock.json()["stores"]:
                qty = CARD_LIMIT // int(product["price"]) + 1
                if shop["qty"] >= qty:
                    return product, size, shop["store_id"], qty
    raise AssertionError("the demo catalog has no jacket a shop holds enough of")


def _shop_units(http: httpx.Client, sku: str, size: str, store_id: str) -> int:
    stock = http.get(f"/products/{sku}/availability", params={"size": size}).json()
    return next(s["qty"] for s in stock["stores"] if s["store_id"] == store_id)


def test_browse_cart_on_kiosk_pay_on_web_after_a_decline_pick_up_and_return(
    database_url: str, tmp_path: Path
):
    phone = new_phone()
    with (
        server(database_url, tmp_path / "server.log") as srv,
        httpx.Client(base_url=srv.base, timeout=10) as http,
    ):
        tees = http.get("/products", params={"q": "tee", "gender": "men"}).json()
        assert tees["total"] > 0
        assert all(p["category"] == "tshirt" for p in tees["items"][:5])
        product, size, store_id, qty = _pickable(http)
        units_before = _shop_units(http, product["sku"], size, store_id)

        kiosk = http.post("/session/start", json={"phone": phone, "channel": "kiosk"}).json()
        added = http.post(
            "/cart/items",
            json={"sku": product["sku"], "size": size, "qty": qty},
            headers={"X-Session-Token": kiosk["session_token"]},
        )
        assert added.status_code == 200, added.text

        web = http.post("/session/start", json={"phone": phone, "channel": "web"}).json()
        on_web = {"X-Session-Token": web["session_token"]}
        cart = http.get("/cart", headers=on_web).json()
        assert [(i["sku"], i["qty"]) for i in cart["items"]] == [(product["sku"], qty)]
        assert cart["total"] > CARD_LIMIT

        pickup = {"type": "pickup", "store_id": store_id}
        declined = http.post(
            "/checkout",
            json={"payment_method": "card", "fulfillment": pickup},
            headers={**on_web, "Idempotency-Key": "journey-card"},
        )
        assert declined.status_code == 402, declined.text
        assert {"upi", "cod"} <= {a["payment_method"] for a in declined.json()["alternatives"]}
        assert http.get("/cart", headers=on_web).json()["items"], "the cart survives a decline"

        placed = http.post(
            "/checkout",
            json={"payment_method": "upi", "fulfillment": pickup},
            headers={**on_web, "Idempotency-Key": "journey-upi"},
        )
        assert placed.status_code == 201, placed.text
        order = placed.json()
        assert order["payment"] == {
            "method": "upi",
            "status": "captured",
            "reference": order["payment"]["reference"],
        }
        assert _shop_units(http, product["sku"], size, store_id) == units_before - qty

        staff = {"X-Service-Key": SERVICE_KEY}
        url = f"/orders/{order['order_id']}"
        assert (
            http.post(
                f"{url}/status", json={"status": "ready_for_pickup"}, headers=staff
            ).status_code
            == 200
        )
        code = order["fulfillment"]["pickup_code"]
        collected = http.post(
            f"{url}/status", json={"status": "collected", "pickup_code": code}, headers=staff
        )
        assert collected.status_code == 200, collected.text

        returned = http.post(
            f"{url}/return",
            json={"line_ids": [order["items"][0]["line_id"]], "reason": "Colour looks different"},
            headers={"X-Session-Token": kiosk["session_token"]},
        )
        assert returned.status_code == 201, returned.text
        assert returned.json()["status"] == "returned"
        assert returned.json()["returns"][0]["refund"] == order["total"]
        assert _shop_units(http, product["sku"], size, store_id) == units_before

        history = http.get("/orders", headers=on_web).json()
        assert [o["order_id"] for o in history["items"]] == [order["order_id"]]
        statuses = [e["status"] for e in history["items"][0]["status_history"]]
        assert statuses == ["confirmed", "ready_for_pickup", "collected", "returned"]
