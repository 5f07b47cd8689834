"""Checkouts and cart edits at the same moment (on PostgreSQL, truly concurrent transactions)."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from tests.commerce.shop import (
    RESERVE_MUMBAI,
    add,
    cart_of,
    checkout,
    customer,
    move,
    new_key,
    place,
    shopper,
    stock,
)
from tests.factories import auth, start
from threadline.inventory.models import StockLevel
from threadline.orders.models import Order

SHOPPERS = 10


async def test_many_shoppers_racing_for_the_last_unit_make_exactly_one_order(
    client: httpx.AsyncClient, app: FastAPI
):
    tokens = [(await shopper(client))[1] for _ in range(SHOPPERS)]
    for token in tokens:
        await add(client, token, "T-LAST", "M")

    answers = await asyncio.gather(*(checkout(client, token) for token in tokens))

    assert Counter(r.status_code for r in answers) == {201: 1, 409: SHOPPERS - 1}, [
        r.text for r in answers if r.status_code not in (201, 409)
    ]
    assert {r.json()["error"]["code"] for r in answers if r.status_code == 409} == {"out_of_stock"}
    assert await stock(client, "T-LAST", "M") == {"online": 0, "STORE_MUMBAI": 0, "STORE_PUNE": 0}
    async with app.state.sessionmaker() as db:
        assert await db.scalar(select(func.count()).select_from(Order)) == 1
        assert await db.scalar(select(func.min(StockLevel.qty))) == 0
    for token, answer in zip(tokens, answers, strict=True):
        if answer.status_code == 409:
            assert len((await cart_of(client, token))["items"]) == 1  # the losers keep their cart


async def test_racing_reservations_never_hold_more_than_the_store_has(client: httpx.AsyncClient):
    tokens = [(await shopper(client))[1] for _ in range(5)]
    for token in tokens:
        await add(client, token, "T-KURTA", "S")  # the Mumbai store has 3

    answers = await asyncio.gather(
        *(checkout(client, t, payment_method="cod", fulfillment=RESERVE_MUMBAI) for t in tokens)
    )

    assert Counter(r.status_code for r in answers) == {201: 3, 409: 2}
    assert (await stock(client, "T-KURTA", "S"))["STORE_MUMBAI"] == 0


async def test_same_key_sent_five_times_at_once_places_one_order(
    client: httpx.AsyncClient, app: FastAPI
):
    phone, token = await shopper(client)
    await add(client, token, "T-JEANS", "32")
    key = new_key()

    answers = await asyncio.gather(*(checkout(client, token, key=key) for _ in range(5)))

    assert sorted(r.status_code for r in answers) == [200, 200, 200, 200, 201], [
        r.text for r in answers
    ]
    assert len({r.json()["order_id"] for r in answers}) == 1
    assert (await stock(client, "T-JEANS", "32"))["online"] == 9
    assert (await customer(app, phone)).loyalty_points == 19
    assert (await client.get("/orders", headers=auth(token))).json()["total"] == 1


async def test_same_declined_key_sent_five_times_at_once_is_declined_every_time(
    client: httpx.AsyncClient,
):
    _, token = await shopper(client)
    await add(client, token, "T-JACKET", "M")
    key = new_key()

    answers = await asyncio.gather(
        *(checkout(client, token, key=key, payment_method="card") for _ in range(5))
    )

    assert [r.status_code for r in answers] == [402] * 5, [r.text for r in answers]
    assert {r.json()["error"]["code"] for r in answers} == {"payment_declined"}
    assert len((await cart_of(client, token))["items"]) == 1
    assert (await stock(client, "T-JACKET", "M"))["online"] == 10


async def test_double_tap_from_two_devices_with_different_keys_places_one_order(
    client: httpx.AsyncClient,
):
    phone, kiosk = await shopper(client, channel="kiosk")
    web = (await start(client, phone, channel="web"))["session_token"]
    await add(client, kiosk, "T-SHIRT", "M")

    answers = await asyncio.gather(checkout(client, kiosk), checkout(client, web))

    assert sorted(r.status_code for r in answers) == [201, 409]
    assert {r.json()["error"]["code"] for r in answers if r.status_code == 409} == {"empty_cart"}
    assert (await stock(client, "T-SHIRT", "M"))["online"] == 9


async def test_concurrent_adds_from_two_devices_all_land(client: httpx.AsyncClient):
    phone, kiosk = await shopper(client, channel="kiosk")
    web = (await start(client, phone, channel="web"))["session_token"]
    wanted = [
        ("T-SHIRT", "S"),
        ("T-SHIRT", "L"),
        ("T-JEANS", "30"),
        ("T-JEANS", "34"),
        ("T-KURTA", "M"),
        ("T-SNEAKER", "UK 8"),
        ("T-SAREE", "Free Size"),
        ("T-JACKET", "XL"),
    ]

    answers = await asyncio.gather(
        *(
            client.post(
                "/cart/items",
                json={"sku": sku, "size": size, "qty": 1},
                headers=auth((kiosk, web)[i % 2]),
            )
            for i, (sku, size) in enumerate(wanted)
        )
    )

    assert all(r.status_code == 200 for r in answers), [r.text for r in answers]
    cart = await cart_of(client, web)
    assert sorted((i["sku"], i["size"]) for i in cart["items"]) == sorted(wanted)
    assert cart["subtotal"] == 1499 * 2 + 1999 * 2 + 1299 + 3499 + 4999 + 12999


async def test_concurrent_adds_of_one_item_from_two_devices_add_up(client: httpx.AsyncClient):
    phone, kiosk = await shopper(client, channel="kiosk")
    web = (await start(client, phone, channel="web"))["session_token"]

    answers = await asyncio.gather(
        *(
            client.post(
                "/cart/items",
                json={"sku": "T-SHIRT", "size": "M", "qty": 1},
                headers=auth((kiosk, web)[i % 2]),
            )
            for i in range(6)
        )
    )

    assert all(r.status_code == 200 for r in answers), [r.text for r in answers]
    [line] = (await cart_of(client, kiosk))["items"]
    assert line["qty"] == 6


async def test_returning_one_line_twice_at_once_refunds_it_once(
    client: httpx.AsyncClient, app: FastAPI
):
    _, token = await shopper(client)
    await add(client, token, "T-SHIRT", "M")
    order = await place(client, token)
    await move(client, order["order_id"], "shipped", "delivered")
    body = {"line_ids": [order["items"][0]["line_id"]], "reason": "too small"}

    answers = await asyncio.gather(
        *(
            client.post(f"/orders/{order['order_id']}/return", json=body, headers=auth(token))
            for _ in range(3)
        )
    )

    assert sorted(r.status_code for r in answers) == [201, 409, 409], [r.text for r in answers]
    assert {r.json()["error"]["code"] for r in answers if r.status_code == 409} == {
        "already_returned"
    }
    assert (await stock(client, "T-SHIRT", "M"))["online"] == 10
    assert app.state.payment_gateway.refunded == {order["payment"]["reference"]: 149_900}
