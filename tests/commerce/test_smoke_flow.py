"""The issue's "done means": browse, cart on the kiosk, finish on the web, decline, UPI, pickup, return."""

from __future__ import annotations

import httpx

from tests.conftest import SERVICE_KEY
from tests.factories import auth, new_phone, start


async def test_kiosk_cart_web_checkout_decline_then_upi_pickup_and_return(
    client: httpx.AsyncClient,
):
    phone = new_phone()
    kiosk = await start(client, phone, channel="kiosk")
    added = await client.post(
        "/cart/items",
        json={"sku": "T-JACKET", "size": "M", "qty": 1},
        headers=auth(kiosk["session_token"]),
    )
    assert added.status_code == 200, added.text
    web = await start(client, phone, channel="web")
    cart = (await client.get("/cart", headers=auth(web["session_token"]))).json()
    assert [i["sku"] for i in cart["items"]] == ["T-JACKET"]
    body = {"payment_method": "card", "fulfillment": {"type": "pickup", "store_id": "STORE_PUNE"}}
    declined = await client.post(
        "/checkout", json=body, headers={**auth(web["session_token"]), "Idempotency-Key": "a1"}
    )
    assert declined.status_code == 402, declined.text
    assert declined.json()["error"]["code"] == "payment_declined"
    assert (await client.get("/cart", headers=auth(web["session_token"]))).json()["items"]
    body["payment_method"] = "upi"
    placed = await client.post(
        "/checkout", json=body, headers={**auth(web["session_token"]), "Idempotency-Key": "a2"}
    )
    assert placed.status_code == 201, placed.text
    order = placed.json()
    ready = await client.post(
        f"/orders/{order['order_id']}/status",
        json={"status": "ready_for_pickup"},
        headers={"X-Service-Key": SERVICE_KEY},
    )
    assert ready.status_code == 200, ready.text
    collected = await client.post(
        f"/orders/{order['order_id']}/status",
        json={"status": "collected", "pickup_code": order["fulfillment"]["pickup_code"]},
        headers={"X-Service-Key": SERVICE_KEY},
    )
    assert collected.status_code == 200, collected.text
    returned = await client.post(
        f"/orders/{order['order_id']}/return",
        json={"line_ids": [order["items"][0]["line_id"]], "reason": "too big"},
        headers=auth(kiosk["session_token"]),
    )
    assert returned.status_code == 201, returned.text
    assert returned.json()["status"] == "returned"
