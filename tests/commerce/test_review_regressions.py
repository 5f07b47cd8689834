"""Defects a code review found, each pinned by the behaviour a shopper or the shop would notice."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.commerce.shop import (
    add,
    assert_error,
    cart_of,
    checkout,
    customer,
    move,
    place,
    set_price,
    shopper,
)
from tests.factories import auth

PICKUP_PUNE = {"type": "pickup", "store_id": "STORE_PUNE"}


async def test_cash_orders_earn_points_only_when_paid(client: httpx.AsyncClient, app: FastAPI):
    phone, token = await shopper(client)
    await add(client, token, "T-SHIRT", "M")
    order = await place(client, token, payment_method="cod", fulfillment=PICKUP_PUNE)

    assert order["loyalty_points_earned"] == 14
    assert (await customer(app, phone)).loyalty_points == 0
    await move(
        client,
        order["order_id"],
        "ready_for_pickup",
        "collected",
        pickup_code=order["fulfillment"]["pickup_code"],
    )
    assert (await customer(app, phone)).loyalty_points == 14


async def test_points_spent_before_a_return_come_off_the_refund(
    client: httpx.AsyncClient, app: FastAPI
):
    phone, token = await shopper(client)
    await add(client, token, "T-JACKET", "M")
    jacket = await place(client, token, fulfillment=PICKUP_PUNE)
    earned = jacket["loyalty_points_earned"]
    assert (await customer(app, phone)).loyalty_points == earned
    await move(
        client,
        jacket["order_id"],
        "ready_for_pickup",
        "collected",
        pickup_code=jacket["fulfillment"]["pickup_code"],
    )
    await add(client, token, "T-SHIRT", "M")
    shirt = await place(client, token, use_loyalty_points=True)
    spent = shirt["points_redeemed"]
    assert spent > 0

    returned = await client.post(
        f"/orders/{jacket['order_id']}/return",
        json={"line_ids": [jacket["items"][0]["line_id"]], "reason": "changed my mind"},
        headers=auth(token),
    )

    assert returned.status_code == 201, returned.text
    refund = returned.json()["returns"][0]["refund"]
    # The points still held are taken back; the ones spent on the shirt are paid for in money.
    assert refund == jacket["total"] - (spent - shirt["loyalty_points_earned"]) * 1
    assert (await customer(app, phone)).loyalty_points == 0


async def test_cart_changed_checkout_leaves_the_new_prices_in_the_session(
    client: httpx.AsyncClient, app: FastAPI
):
    _, token = await shopper(client)
    await add(client, token, "T-SHIRT", "M")
    await set_price(app, "T-SHIRT", 1399)

    first = await checkout(client, token)
    session = (await client.get("/session", headers=auth(token))).json()
    second = await checkout(client, token)

    assert_error(first, 409, "cart_changed")
    assert session["data"]["cart"][0]["unit_price"] == 1399
    assert second.status_code == 201, second.text
    assert second.json()["total"] == 1399


async def test_huge_order_offset_is_a_validation_error(client: httpx.AsyncClient):
    _, token = await shopper(client)
    response = await client.get(
        "/orders", params={"offset": 9223372036854775808}, headers=auth(token)
    )
    assert_error(response, 422, "validation_error")


async def test_cart_counts_what_one_place_holds(client: httpx.AsyncClient):
    _, token = await shopper(client)
    # T-SHIRT M: 10 online, 3 in each shop — 16 in all, but no single place has 11.
    response = await client.post(
        "/cart/items", json={"sku": "T-SHIRT", "size": "M", "qty": 11}, headers=auth(token)
    )
    assert_error(response, 409, "out_of_stock")
    assert (await cart_of(client, token))["items"] == []


async def test_pickup_where_the_shop_has_none_says_where_it_is(client: httpx.AsyncClient):
    _, token = await shopper(client)
    await add(client, token, "T-LAST", "M")  # the last unit is in the warehouse only
    response = await checkout(client, token, fulfillment=PICKUP_PUNE)
    message = assert_error(response, 409, "out_of_stock")["message"]
    assert "not in stock at Threadline Koregaon Park Pune" in message
    assert "delivered instead" in message


async def test_spending_past_a_tier_threshold_raises_the_tier(
    client: httpx.AsyncClient, app: FastAPI
):
    phone, token = await shopper(client)
    assert (await customer(app, phone)).loyalty_tier == "bronze"
    await add(client, token, "T-JACKET", "M")  # ₹12,999: silver starts at ₹10,000
    await place(client, token)

    assert (await customer(app, phone)).loyalty_tier == "silver"
    await add(client, token, "T-SHIRT", "M")
    cart = await cart_of(client, token)
    assert "Silver member discount (5%)" in [o["label"] for o in cart["applied_offers"]]


async def test_an_unpaid_cash_order_does_not_raise_the_tier(
    client: httpx.AsyncClient, app: FastAPI
):
    phone, token = await shopper(client)
    await add(client, token, "T-JACKET", "M")
    await place(client, token, payment_method="cod")
    assert (await customer(app, phone)).loyalty_tier == "bronze"
