"""Checkout: the order it makes, idempotency, fulfilment choices, declines and loyalty points."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
from fastapi import FastAPI

from tests.commerce.shop import (
    DELIVERY,
    PICKUP_PUNE,
    add,
    assert_error,
    cart_of,
    checkout,
    customer,
    new_key,
    place,
    set_customer,
    set_price,
    shopper,
    stock,
)
from tests.factories import auth


async def test_checkout_makes_an_order_with_every_contract_field(client: httpx.AsyncClient):
    _, token = await shopper(client)
    await add(client, token, "T-SHIRT", "M")
    cart = await add(client, token, "T-JEANS", "32")

    response = await checkout(client, token, payment_method="upi", fulfillment=DELIVERY)

    assert response.status_code == 201, response.text
    order = response.json()
    assert order["order_id"].startswith("TL-")
    assert order["status"] == "confirmed"
    assert sorted(
        (i["line_id"], i["sku"], i["size"], i["qty"], i["unit_price"]) for i in order["items"]
    ) == sorted(
        (i["line_id"], i["sku"], i["size"], i["qty"], i["unit_price"]) for i in cart["items"]
    )
    assert (order["subtotal"], order["discount"], order["total"]) == (3498, 349.8, 3148.2)
    assert [o["code"] for o in order["applied_offers"]] == ["BUY2GET10"]
    assert order["payment"]["method"] == "upi"
    assert order["payment"]["status"] == "captured"
    assert order["fulfillment"]["type"] == "delivery"
    assert order["fulfillment"]["store_id"] is None
    assert order["fulfillment"]["address"]["pincode"] == "400050"
    created = datetime.fromisoformat(order["created_at"])
    assert created.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - created) < timedelta(minutes=1)
    # Mumbai is a metro: two days.
    assert date.fromisoformat(order["fulfillment"]["eta"]) == (created + timedelta(days=2)).date()
    assert order["loyalty_points_earned"] == 31  # 1 point per whole ₹100 of ₹3,148.20
    assert [e["status"] for e in order["status_history"]] == ["confirmed"]
    fetched = await client.get(f"/orders/{order['order_id']}", headers=auth(token))
    assert fetched.json() == order


async def test_checkout_empties_the_cart_on_every_device(client: httpx.AsyncClient):
    _, token = await shopper(client)
    await add(client, token, "T-SHIRT", "M")

    await place(client, token)

    cart = await cart_of(client, token)
    assert cart["items"] == []
    assert cart["total"] == 0
    session = (await client.get("/session", headers=auth(token))).json()
    assert session["data"]["cart"] == []


async def test_delivery_takes_stock_from_the_warehouse(client: httpx.AsyncClient):
    _, token = await shopper(client)
    await add(client, token, "T-SHIRT", "M", qty=2)

    order = await place(client, token)

    assert await stock(client, "T-SHIRT", "M") == {
        "online": 8,
        "STORE_MUMBAI": 3,
        "STORE_PUNE": 3,
    }
    assert order["items"][0]["store_id"] == "ONLINE"


async def test_pickup_takes_stock_from_the_chosen_store(client: httpx.AsyncClient):
    _, token = await shopper(client)
    await add(client, token, "T-KURTA", "L")

    order = await place(client, token, fulfillment=PICKUP_PUNE)

    assert await stock(client, "T-KURTA", "L") == {"online": 10, "STORE_MUMBAI": 3, "STORE_PUNE": 2}
    assert order["fulfillment"]["store_id"] == "STORE_PUNE"
    assert order["fulfillment"]["store_name"] == "Threadline Koregaon Park Pune"
    assert len(order["fulfillment"]["pickup_code"]) == 6


async def test_checkout_without_idempotency_key_is_refused_and_nothing_happens(
    client: httpx.AsyncClient,
):
    _, token = await shopper(client)
    await add(client, token, "T-SHIRT", "M")
    body = {"payment_method": "upi", "fulfillment": DELIVERY}

    missing = await client.post("/checkout", json=body, headers=auth(token))
    blank = await client.post(
        "/checkout", json=body, headers={**auth(token), "Idempotency-Key": "  "}
    )

    assert assert_error(missing, 400, "idempotency_key_required")["field"] == "Idempotency-Key"
    assert_error(blank, 400, "idempotency_key_required")
    assert len((await cart_of(client, token))["items"]) == 1
    assert (await stock(client, "T-SHIRT", "M"))["online"] == 10


async def test_same_key_and_body_again_returns_the_same_order_once(
    client: httpx.AsyncClient, app: FastAPI
):
    phone, token = await shopper(client)
    await add(client, token, "T-JEANS", "32")
    key = new_key()

    first = await checkout(client, token, key=key)
    again = await checkout(client, token, key=key)

    assert first.status_code == 201, first.text
    assert again.status_code == 200, again.text
    assert again.json()["order_id"] == first.json()["order_id"]
    assert again.json()["total"] == first.json()["total"] == 1999
    assert (await stock(client, "T-JEANS", "32"))["online"] == 9
    assert (await customer(app, phone)).loyalty_points == 19
    orders = (await client.get("/orders", headers=auth(token))).json()
    assert orders["total"] == 1


async def test_same_key_with_a_different_body_is_idempotency_key_reused(
    client: httpx.AsyncClient,
):
    _, token = await shopper(client)
    await add(client, token, "T-JEANS", "32")
    key = new_key()
    await place(client, token, key=key, payment_method="upi")
    await add(client, token, "T-JEANS", "32")

    response = await checkout(client, token, key=key, payment_method="cod")

    assert_error(response, 422, "idempotency_key_reused")
    assert len((await cart_of(client, token))["items"]) == 1
    assert (await client.get("/orders", headers=auth(token))).json()["total"] == 1


async def test_keys_belong_to_one_customer(client: httpx.AsyncClient):
    _, mine = await shopper(client)
    _, theirs = await shopper(client)
    await add(client, mine, "T-SHIRT", "M")
    await add(client, theirs, "T-JEANS", "32")

    a = await place(client, mine, key="shared-key")
    b = await checkout(client, theirs, key="shared-key")

    assert b.status_code == 201, b.text
    assert b.json()["order_id"] != a["order_id"]
    assert b.json()["items"][0]["sku"] == "T-JEANS"


async def test_empty_cart_is_empty_cart(client: httpx.AsyncClient):
    _, token = await shopper(client)

    assert_error(await checkout(client, token), 409, "empty_cart")


async def test_delivery_without_address_or_pickup_without_store_is_unprocessable(
    client: httpx.AsyncClient,
):
    _, token = await shopper(client)
    await add(client, token, "T-SHIRT", "M")

    no_address = await checkout(client, token, fulfillment={"type": "delivery"})
    no_store = await checkout(client, token, fulfillment={"type": "pickup"})

    error = assert_error(no_address, 422, "invalid_fulfillment")
    assert error["field"] == "fulfillment.address"
    assert "address" in error["message"]
    assert assert_error(no_store, 422, "invalid_fulfillment")["field"] == "fulfillment.store_id"
    assert len((await cart_of(client, token))["items"]) == 1
    assert (await stock(client, "T-SHIRT", "M"))["online"] == 10


async def test_pickup_at_unknown_store_is_store_not_found_and_warehouse_is_refused(
    client: httpx.AsyncClient,
):
    _, token = await shopper(client)
    await add(client, token, "T-SHIRT", "M")

    unknown = await checkout(client, token, fulfillment={"type": "pickup", "store_id": "NOPE"})
    warehouse = await checkout(
        client, token, fulfillment={"type": "reserve_in_store", "store_id": "ONLINE"}
    )

    assert_error(unknown, 404, "store_not_found")
    assert "warehouse" in assert_error(warehouse, 422, "invalid_fulfillment")["message"]
    assert (await stock(client, "T-SHIRT", "M"))["online"] == 10


async def test_rejected_checkout_does_not_use_up_its_key(client: httpx.AsyncClient):
    _, token = await shopper(client)
    await add(client, token, "T-SHIRT", "M")
    key = new_key()

    rejected = await checkout(client, token, key=key, fulfillment={"type": "pickup"})
    placed = await checkout(client, token, key=key, fulfillment=PICKUP_PUNE)

    assert rejected.status_code == 422
    assert placed.status_code == 201, placed.text


async def test_card_over_limit_is_declined_with_alternatives_and_keeps_cart_and_stock(
    client: httpx.AsyncClient, app: FastAPI
):
    phone, token = await shopper(client)
    await add(client, token, "T-JACKET", "M")
    declined_key = new_key()

    declined = await checkout(client, token, key=declined_key, payment_method="card")

    error = assert_error(declined, 402, "payment_declined")
    assert "10,000" in error["message"]
    alternatives = declined.json()["alternatives"]
    methods = {a["payment_method"] for a in alternatives}
    assert {"upi", "cod"} <= methods
    assert "card" not in methods
    assert any(a.get("fulfillment") == "reserve_in_store" for a in alternatives)
    assert [i["sku"] for i in (await cart_of(client, token))["items"]] == ["T-JACKET"]
    assert (await stock(client, "T-JACKET", "M"))["online"] == 10
    assert (await client.get("/orders", headers=auth(token))).json()["total"] == 0
    assert (await customer(app, phone)).loyalty_points == 0

    replayed = await checkout(client, token, key=declined_key, payment_method="card")
    assert_error(replayed, 402, "payment_declined")
    assert replayed.json()["alternatives"] == alternatives

    paid = await checkout(client, token, key=new_key(), payment_method="upi")
    assert paid.status_code == 201, paid.text
    assert paid.json()["total"] == 12999
    assert paid.json()["payment"]["status"] == "captured"
    assert (await stock(client, "T-JACKET", "M"))["online"] == 9


async def test_card_within_limit_is_captured(client: httpx.AsyncClient):
    _, token = await shopper(client)
    await add(client, token, "T-SAREE", "Free Size")

    order = await place(client, token, payment_method="card")

    assert order["payment"] == {
        "method": "card",
        "status": "captured",
        "reference": order["payment"]["reference"],
    }
    assert order["payment"]["reference"]


async def test_decline_token_declines_upi_too(client: httpx.AsyncClient):
    _, token = await shopper(client)
    await add(client, token, "T-SHIRT", "M")

    response = await checkout(client, token, payment_method="upi", payment_token="tok_decline")

    assert_error(response, 402, "payment_declined")
    assert "upi" not in {a["payment_method"] for a in response.json()["alternatives"]}
    assert len((await cart_of(client, token))["items"]) == 1
    assert (await stock(client, "T-SHIRT", "M"))["online"] == 10


async def test_decline_leaves_coupon_usable_and_points_untouched(
    client: httpx.AsyncClient, app: FastAPI
):
    phone, token = await shopper(client)
    await set_customer(app, phone, loyalty_points=500)
    await add(client, token, "T-JEANS", "32")
    await client.post("/cart/coupon", json={"code": "WELCOME10"}, headers=auth(token))

    declined = await checkout(client, token, payment_token="tok_decline", use_loyalty_points=True)

    assert declined.status_code == 402, declined.text
    assert (await customer(app, phone)).loyalty_points == 500
    cart = await cart_of(client, token)
    assert cart["coupon"]["applied"] is True
    order = await place(client, token, use_loyalty_points=True)
    assert order["coupon_code"] == "WELCOME10"


async def test_cash_on_delivery_is_confirmed_with_payment_pending(client: httpx.AsyncClient):
    _, token = await shopper(client)
    await add(client, token, "T-SHIRT", "M")

    order = await place(client, token, payment_method="cod")

    assert order["status"] == "confirmed"
    assert order["payment"]["method"] == "cod"
    assert order["payment"]["status"] == "pending"


async def test_points_pay_at_most_a_fifth_of_the_order_and_leave_the_balance(
    client: httpx.AsyncClient, app: FastAPI
):
    phone, token = await shopper(client)
    await set_customer(app, phone, loyalty_points=5000)
    await add(client, token, "T-SHIRT", "M")

    order = await place(client, token, use_loyalty_points=True)

    # 20% of ₹1,499 is ₹299.80: 299 whole points.
    assert order["points_redeemed"] == 299
    assert order["total"] == 1200
    assert order["discount"] == 299
    assert order["loyalty_points_earned"] == 12
    assert (await customer(app, phone)).loyalty_points == 5000 - 299 + 12


async def test_small_balance_is_spent_in_full(client: httpx.AsyncClient, app: FastAPI):
    phone, token = await shopper(client)
    await set_customer(app, phone, loyalty_points=100)
    await add(client, token, "T-SHIRT", "M")
    before = await cart_of(client, token)
    assert before["loyalty"]["points_balance"] == 100

    order = await place(client, token, use_loyalty_points=True)

    assert order["points_redeemed"] == 100
    assert order["total"] == 1399
    assert (await customer(app, phone)).loyalty_points == 13


async def test_points_earned_are_the_ones_the_cart_promised(
    client: httpx.AsyncClient, app: FastAPI
):
    phone, token = await shopper(client)
    await set_customer(app, phone, loyalty_tier="silver", loyalty_points=7)
    await add(client, token, "T-SNEAKER", "UK 9")
    promised = (await cart_of(client, token))["loyalty"]["points_to_earn"]

    order = await place(client, token)

    assert promised == order["loyalty_points_earned"] == 33 * 2  # ₹3,324.05 at 2 per ₹100
    assert (await customer(app, phone)).loyalty_points == 7 + promised


async def test_coupon_in_the_cart_is_in_the_order(client: httpx.AsyncClient):
    _, token = await shopper(client)
    await add(client, token, "T-JEANS", "32")
    await client.post("/cart/coupon", json={"code": "FLAT200"}, headers=auth(token))

    order = await place(client, token)

    assert order["coupon_code"] == "FLAT200"
    assert (order["discount"], order["total"]) == (200, 1799)


async def test_price_change_after_the_shopper_looked_is_cart_changed(
    client: httpx.AsyncClient, app: FastAPI
):
    _, token = await shopper(client)
    await add(client, token, "T-SHIRT", "M")
    await set_price(app, "T-SHIRT", 1599)

    stale = await checkout(client, token)

    assert_error(stale, 409, "cart_changed")
    assert (await stock(client, "T-SHIRT", "M"))["online"] == 10
    assert (await cart_of(client, token))["total"] == 1599
    assert (await place(client, token))["total"] == 1599


async def test_stock_gone_since_it_was_added_is_out_of_stock_and_nothing_charged(
    client: httpx.AsyncClient, app: FastAPI
):
    phone, token = await shopper(client)
    _, rival = await shopper(client)
    await add(client, token, "T-LAST", "M")
    await add(client, rival, "T-LAST", "M")
    await place(client, rival)

    late = await checkout(client, token)

    assert_error(late, 409, "out_of_stock")
    assert (await stock(client, "T-LAST", "M"))["online"] == 0
    assert len((await cart_of(client, token))["items"]) == 1
    assert (await customer(app, phone)).loyalty_points == 0
    assert (await client.get("/orders", headers=auth(token))).json()["total"] == 0
