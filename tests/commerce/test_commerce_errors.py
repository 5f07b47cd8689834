"""Client mistakes on the cart, checkout and order endpoints: the contract's error body, never a
500, and nothing changed."""

from __future__ import annotations

from typing import Any

import httpx

from tests.commerce.shop import (
    DELIVERY,
    add,
    assert_error,
    cart_of,
    checkout,
    place,
    shopper,
    stock,
)
from tests.conftest import SERVICE_KEY
from tests.factories import auth

LINE = "00000000-0000-0000-0000-000000000000"
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/cart", None),
    ("POST", "/cart/items", {"sku": "T-SHIRT", "size": "M", "qty": 1}),
    ("PATCH", f"/cart/items/{LINE}", {"qty": 1}),
    ("DELETE", f"/cart/items/{LINE}", None),
    ("POST", "/cart/coupon", {"code": "FLAT200"}),
    ("DELETE", "/cart/coupon", None),
    ("POST", "/checkout", {"payment_method": "upi", "fulfillment": DELIVERY}),
    ("GET", "/orders", None),
    ("GET", "/orders/TL-AAAAAAAAAA", None),
    ("POST", "/orders/TL-AAAAAAAAAA/return", {"line_ids": [LINE], "reason": "x"}),
]


async def _call_all(client: httpx.AsyncClient, headers: dict[str, str]) -> list[httpx.Response]:
    return [
        await client.request(method, url, json=body, headers={**headers, "Idempotency-Key": "k1"})
        for method, url, body in ENDPOINTS
    ]


async def test_every_commerce_call_without_a_token_is_401(client: httpx.AsyncClient):
    for (method, url, _), response in zip(ENDPOINTS, await _call_all(client, {}), strict=True):
        assert response.status_code == 401, (method, url, response.text)
        assert_error(response, 401, "session_token_required")


async def test_every_commerce_call_with_an_unknown_or_logged_out_token_is_404(
    client: httpx.AsyncClient,
):
    _, token = await shopper(client)
    await add(client, token, "T-SHIRT", "M")
    assert (await client.post("/auth/logout", json={}, headers=auth(token))).status_code == 204

    for headers in (auth("not-a-real-token-" + "x" * 30), auth(token)):
        for (method, url, _), response in zip(
            ENDPOINTS, await _call_all(client, headers), strict=True
        ):
            assert response.status_code == 404, (method, url, response.text)
            assert_error(response, 404, "session_not_found")
    assert (await stock(client, "T-SHIRT", "M"))["online"] == 10


async def test_impossible_quantities_are_refused_with_the_field_named(client: httpx.AsyncClient):
    _, token = await shopper(client)
    line_id = (await add(client, token, "T-SHIRT", "M"))["items"][0]["line_id"]

    for qty in (0, 21, -1, "two", 2.5, None):
        response = await client.post(
            "/cart/items", json={"sku": "T-JEANS", "size": "32", "qty": qty}, headers=auth(token)
        )
        error = assert_error(response, 422, "validation_error")
        assert error["field"] == "qty", (qty, error)
        assert error["message"].startswith("qty")
    for qty in (21, -1, "lots"):
        response = await client.patch(
            f"/cart/items/{line_id}", json={"qty": qty}, headers=auth(token)
        )
        assert assert_error(response, 422, "validation_error")["field"] == "qty"
    cart = await cart_of(client, token)
    assert [(i["sku"], i["qty"]) for i in cart["items"]] == [("T-SHIRT", 1)]


async def test_malformed_cart_bodies_are_client_errors(client: httpx.AsyncClient):
    _, token = await shopper(client)
    headers = {**auth(token), "Content-Type": "application/json"}

    broken = await client.post("/cart/items", content=b'{"sku": "T-SHIRT",', headers=headers)
    no_body = await client.post("/cart/items", headers=auth(token))
    no_sku = await client.post("/cart/items", json={"size": "M"}, headers=auth(token))
    long_sku = await client.post(
        "/cart/items", json={"sku": "X" * 65, "size": "M"}, headers=auth(token)
    )
    odd_sku = await client.post(
        "/cart/items", json={"sku": "../../etc/passwd", "size": "M"}, headers=auth(token)
    )
    empty_code = await client.post("/cart/coupon", json={"code": ""}, headers=auth(token))

    assert_error(broken, 400, "malformed_json")
    assert_error(no_body, 422, "validation_error")
    assert assert_error(no_sku, 422, "validation_error")["field"] == "sku"
    assert assert_error(long_sku, 422, "validation_error")["field"] == "sku"
    assert_error(odd_sku, 404, "product_not_found")
    assert assert_error(empty_code, 422, "validation_error")["field"] == "code"
    assert (await cart_of(client, token))["items"] == []


async def test_impossible_checkout_bodies_are_refused_and_nothing_is_taken(
    client: httpx.AsyncClient,
):
    _, token = await shopper(client)
    await add(client, token, "T-SHIRT", "M")
    bad_pincode = {"type": "delivery", "address": {**DELIVERY["address"], "pincode": "12"}}

    cases = [
        (await checkout(client, token, payment_method="bitcoin"), "payment_method"),
        (await checkout(client, token, fulfillment={"type": "drone"}), "fulfillment.type"),
        (await checkout(client, token, fulfillment=bad_pincode), "fulfillment.address.pincode"),
        (await checkout(client, token, use_loyalty_points="sometimes"), "use_loyalty_points"),
        (await checkout(client, token, key="k" * 256), "idempotency-key"),
    ]

    for response, field in cases:
        error = assert_error(response, 422, "validation_error")
        assert error["field"].lower() == field, (field, error)
    assert len((await cart_of(client, token))["items"]) == 1
    assert (await stock(client, "T-SHIRT", "M"))["online"] == 10
    assert (await client.get("/orders", headers=auth(token))).json()["total"] == 0


async def test_impossible_return_and_status_bodies_are_refused(client: httpx.AsyncClient):
    _, token = await shopper(client)
    await add(client, token, "T-SHIRT", "M")
    order = await place(client, token)
    url = f"/orders/{order['order_id']}"
    line_id = order["items"][0]["line_id"]

    no_lines = await client.post(
        f"{url}/return", json={"line_ids": [], "reason": "x"}, headers=auth(token)
    )
    no_reason = await client.post(
        f"{url}/return", json={"line_ids": [line_id]}, headers=auth(token)
    )
    unknown_status = await client.post(
        f"{url}/status", json={"status": "teleported"}, headers={"X-Service-Key": SERVICE_KEY}
    )

    assert assert_error(no_lines, 422, "validation_error")["field"] == "line_ids"
    assert assert_error(no_reason, 422, "validation_error")["field"] == "reason"
    assert assert_error(unknown_status, 422, "validation_error")["field"] == "status"
    assert (await client.get(url, headers=auth(token))).json()["status"] == "confirmed"


async def test_availability_of_unknown_product_or_size_is_a_clear_error(
    client: httpx.AsyncClient,
):
    unknown = await client.get("/products/NOPE-1/availability")
    bad_size = await client.get("/products/T-JEANS/availability", params={"size": "XL"})
    all_sizes = await client.get("/products/T-JEANS/availability")

    assert_error(unknown, 404, "product_not_found")
    assert_error(bad_size, 422, "invalid_size")
    assert all_sizes.json()["online"] == 5 * 10  # five waist sizes, 10 each online
