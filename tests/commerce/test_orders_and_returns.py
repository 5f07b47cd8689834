"""Orders after checkout: listing, status changes by staff, returns, refunds and exchanges."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from tests.commerce.shop import (
    PICKUP_PUNE,
    add,
    assert_error,
    customer,
    move,
    paise,
    place,
    set_customer,
    shopper,
    stock,
)
from tests.conftest import SERVICE_KEY
from tests.factories import auth, start
from threadline.core.clock import clock


async def _return(
    client: httpx.AsyncClient, token: str, order_id: str, line_ids: list[str], **extra: str
) -> httpx.Response:
    return await client.post(
        f"/orders/{order_id}/return",
        json={"line_ids": line_ids, "reason": "does not fit", **extra},
        headers=auth(token),
    )


async def _status(client: httpx.AsyncClient, order_id: str, **body: str) -> httpx.Response:
    return await client.post(
        f"/orders/{order_id}/status", json=body, headers={"X-Service-Key": SERVICE_KEY}
    )


async def _delivered(
    client: httpx.AsyncClient, token: str, *items: tuple[str, str]
) -> dict[str, Any]:
    for sku, size in items:
        await add(client, token, sku, size)
    order = await place(client, token)
    return await move(client, order["order_id"], "shipped", "delivered")


# --- reading orders -----------------------------------------------------------------------


async def test_orders_are_listed_newest_first_with_their_totals(client: httpx.AsyncClient):
    _, token = await shopper(client)
    placed = []
    for sku, size in [("T-SHIRT", "M"), ("T-JEANS", "32"), ("T-KURTA", "S")]:
        await add(client, token, sku, size)
        placed.append(await place(client, token))

    listed = (await client.get("/orders", headers=auth(token))).json()
    page = (await client.get("/orders?limit=2&offset=1", headers=auth(token))).json()

    assert [o["order_id"] for o in listed["items"]] == [o["order_id"] for o in reversed(placed)]
    assert [o["total"] for o in listed["items"]] == [1299, 1999, 1499]
    assert listed["total"] == 3
    assert [o["order_id"] for o in page["items"]] == [placed[1]["order_id"], placed[0]["order_id"]]
    assert page["total"] == 3


async def test_another_customers_order_is_order_not_found(client: httpx.AsyncClient):
    _, mine = await shopper(client)
    _, theirs = await shopper(client)
    await add(client, theirs, "T-SHIRT", "M")
    order = await place(client, theirs)

    peek = await client.get(f"/orders/{order['order_id']}", headers=auth(mine))
    unknown = await client.get("/orders/TL-NOSUCHORDR", headers=auth(mine))
    steal = await _return(client, mine, order["order_id"], [order["items"][0]["line_id"]])

    assert_error(peek, 404, "order_not_found")
    assert peek.json() == unknown.json()
    assert_error(steal, 404, "order_not_found")
    assert (await client.get("/orders", headers=auth(mine))).json() == {"items": [], "total": 0}


# --- status changes -----------------------------------------------------------------------


async def test_delivery_order_history_grows_confirmed_shipped_delivered(
    client: httpx.AsyncClient,
):
    _, token = await shopper(client)
    await add(client, token, "T-SHIRT", "M")
    order = await place(client, token, payment_method="cod")

    shipped = await move(client, order["order_id"], "shipped")
    delivered = await move(client, order["order_id"], "delivered")
    seen = (await client.get(f"/orders/{order['order_id']}", headers=auth(token))).json()

    assert shipped["status"] == "shipped"
    assert delivered["status"] == "delivered"
    assert [e["status"] for e in seen["status_history"]] == ["confirmed", "shipped", "delivered"]
    assert seen["payment"]["status"] == "captured"  # the cash changed hands at the door


async def test_status_change_needs_the_service_key(client: httpx.AsyncClient):
    _, token = await shopper(client)
    await add(client, token, "T-SHIRT", "M")
    order = await place(client, token)
    url = f"/orders/{order['order_id']}/status"

    without = await client.post(url, json={"status": "shipped"})
    wrong = await client.post(url, json={"status": "shipped"}, headers={"X-Service-Key": "nope"})
    as_customer = await client.post(url, json={"status": "shipped"}, headers=auth(token))

    for response in (without, wrong, as_customer):
        assert_error(response, 401, "service_key_required")
    seen = (await client.get(f"/orders/{order['order_id']}", headers=auth(token))).json()
    assert seen["status"] == "confirmed"


async def test_skipping_or_reversing_a_status_is_invalid_status_change(
    client: httpx.AsyncClient,
):
    _, token = await shopper(client)
    await add(client, token, "T-SHIRT", "M")
    order_id = (await place(client, token))["order_id"]

    skip = await _status(client, order_id, status="delivered")
    wrong_flow = await _status(client, order_id, status="ready_for_pickup")
    await move(client, order_id, "shipped", "delivered")
    back = await _status(client, order_id, status="shipped")
    cancel_late = await _status(client, order_id, status="cancelled")

    assert "confirmed" in assert_error(skip, 409, "invalid_status_change")["message"]
    assert_error(wrong_flow, 409, "invalid_status_change")
    assert_error(back, 409, "invalid_status_change")
    assert_error(cancel_late, 409, "invalid_status_change")
    unknown = await _status(client, "TL-NOSUCHORDR", status="shipped")
    assert_error(unknown, 404, "order_not_found")


async def test_collecting_with_the_wrong_pickup_code_is_refused(client: httpx.AsyncClient):
    _, token = await shopper(client)
    await add(client, token, "T-SHIRT", "M")
    order = await place(client, token, fulfillment=PICKUP_PUNE)
    await move(client, order["order_id"], "ready_for_pickup")
    code = order["fulfillment"]["pickup_code"]
    wrong = "AAAAAA" if code != "AAAAAA" else "BBBBBB"

    refused = await _status(client, order["order_id"], status="collected", pickup_code=wrong)
    missing = await _status(client, order["order_id"], status="collected")
    collected = await _status(
        client, order["order_id"], status="collected", pickup_code=code.lower()
    )

    assert assert_error(refused, 422, "invalid_pickup_code")["field"] == "pickup_code"
    assert_error(missing, 422, "invalid_pickup_code")
    assert collected.status_code == 200, collected.text
    assert [e["status"] for e in collected.json()["status_history"]] == [
        "confirmed",
        "ready_for_pickup",
        "collected",
    ]


async def test_cancelling_puts_stock_back_refunds_and_takes_points_back(
    client: httpx.AsyncClient, app: FastAPI
):
    phone, token = await shopper(client)
    await add(client, token, "T-SNEAKER", "UK 9")
    order = await place(client, token)
    assert (await customer(app, phone)).loyalty_points == 34

    cancelled = await move(client, order["order_id"], "cancelled")

    assert cancelled["status"] == "cancelled"
    assert cancelled["payment"]["status"] == "refunded"
    assert app.state.payment_gateway.refunded == {order["payment"]["reference"]: 349_900}
    assert (await stock(client, "T-SNEAKER", "UK 9"))["online"] == 10
    assert (await customer(app, phone)).loyalty_points == 0


# --- returns ------------------------------------------------------------------------------


async def test_return_before_the_goods_arrive_is_not_allowed(client: httpx.AsyncClient):
    _, token = await shopper(client)
    await add(client, token, "T-SHIRT", "M")
    order = await place(client, token)
    line_ids = [order["items"][0]["line_id"]]

    confirmed = await _return(client, token, order["order_id"], line_ids)
    await move(client, order["order_id"], "shipped")
    shipped = await _return(client, token, order["order_id"], line_ids)

    assert "once received" in assert_error(confirmed, 409, "return_not_allowed")["message"]
    assert_error(shipped, 409, "return_not_allowed")
    assert (await stock(client, "T-SHIRT", "M"))["online"] == 9


async def test_return_is_allowed_for_30_days_after_delivery_and_not_after(
    client: httpx.AsyncClient,
):
    phone, token = await shopper(client)
    first = await _delivered(client, token, ("T-SHIRT", "M"))
    second = await _delivered(client, token, ("T-JEANS", "32"))

    clock.advance(timedelta(days=29))
    token = (await start(client, phone))["session_token"]  # the old session has lapsed by now
    in_time = await _return(client, token, first["order_id"], [first["items"][0]["line_id"]])
    clock.advance(timedelta(days=2))
    token = (await start(client, phone))["session_token"]
    too_late = await _return(client, token, second["order_id"], [second["items"][0]["line_id"]])

    assert in_time.status_code == 201, in_time.text
    assert "30-day" in assert_error(too_late, 409, "return_not_allowed")["message"]
    assert (await stock(client, "T-JEANS", "32"))["online"] == 9


async def test_returning_a_line_not_in_the_order_is_invalid_line_ids(client: httpx.AsyncClient):
    _, token = await shopper(client)
    order = await _delivered(client, token, ("T-SHIRT", "M"))
    other = await _delivered(client, token, ("T-JEANS", "32"))

    made_up = await _return(client, token, order["order_id"], ["no-such-line"])
    from_other = await _return(client, token, order["order_id"], [other["items"][0]["line_id"]])

    assert assert_error(made_up, 422, "invalid_line_ids")["field"] == "line_ids"
    assert_error(from_other, 422, "invalid_line_ids")
    assert (await stock(client, "T-SHIRT", "M"))["online"] == 9


async def test_returning_the_same_line_twice_is_already_returned(
    client: httpx.AsyncClient, app: FastAPI
):
    _, token = await shopper(client)
    order = await _delivered(client, token, ("T-SHIRT", "M"))
    line_ids = [order["items"][0]["line_id"]]
    await _return(client, token, order["order_id"], line_ids)

    again = await _return(client, token, order["order_id"], line_ids)

    assert_error(again, 409, "already_returned")
    assert (await stock(client, "T-SHIRT", "M"))["online"] == 10
    assert app.state.payment_gateway.refunded == {order["payment"]["reference"]: 149_900}


async def test_partial_return_refunds_what_was_paid_for_the_line_and_restocks_it(
    client: httpx.AsyncClient, app: FastAPI
):
    phone, token = await shopper(client)
    order = await _delivered(client, token, ("T-SHIRT", "M"), ("T-JEANS", "32"))
    assert order["total"] == 3148.2  # BUY2GET10 on ₹3,498
    assert (await customer(app, phone)).loyalty_points == 31
    shirt = next(i for i in order["items"] if i["sku"] == "T-SHIRT")

    response = await _return(client, token, order["order_id"], [shirt["line_id"]])

    assert response.status_code == 201, response.text
    returned = response.json()
    assert returned["status"] == "partially_returned"
    assert returned["payment"]["status"] == "partially_refunded"
    [record] = returned["returns"]
    assert record["kind"] == "return"
    assert record["line_ids"] == [shirt["line_id"]]
    assert record["refund"] == 1349.1  # ₹1,499 less its 10% share of the offer
    assert app.state.payment_gateway.refunded == {order["payment"]["reference"]: 134_910}
    assert (await stock(client, "T-SHIRT", "M"))["online"] == 10
    assert (await stock(client, "T-JEANS", "32"))["online"] == 9
    returned_line = next(i for i in returned["items"] if i["line_id"] == shirt["line_id"])
    assert returned_line["returned_qty"] == 1
    # 31 points were earned on ₹3,148.20; the shirt was 1,349.10 of it.
    assert record["points_reversed"] == 13
    assert (await customer(app, phone)).loyalty_points == 18


async def test_returning_everything_refunds_the_total_and_every_earned_point(
    client: httpx.AsyncClient, app: FastAPI
):
    phone, token = await shopper(client)
    order = await _delivered(client, token, ("T-SHIRT", "M"), ("T-JEANS", "32"))
    ids = [i["line_id"] for i in order["items"]]

    await _return(client, token, order["order_id"], ids[:1])
    response = await _return(client, token, order["order_id"], ids[1:])

    final = response.json()
    assert final["status"] == "returned"
    assert final["payment"]["status"] == "refunded"
    assert sum(paise(r["refund"]) for r in final["returns"]) == paise(order["total"])
    assert app.state.payment_gateway.refunded == {order["payment"]["reference"]: 314_820}
    assert (await customer(app, phone)).loyalty_points == 0
    assert [e["status"] for e in final["status_history"]] == [
        "confirmed",
        "shipped",
        "delivered",
        "partially_returned",
        "returned",
    ]


async def test_return_of_an_order_paid_partly_with_points_gives_back_money_and_points(
    client: httpx.AsyncClient, app: FastAPI
):
    phone, token = await shopper(client)
    await set_customer(app, phone, loyalty_points=5000)
    await add(client, token, "T-SHIRT", "M")
    await add(client, token, "T-JEANS", "32")
    order = await place(client, token, use_loyalty_points=True)
    # ₹3,148.20 after BUY2GET10; 20% of it is ₹629.64, so 629 points and ₹2,519.20 in money.
    assert (order["points_redeemed"], order["total"], order["loyalty_points_earned"]) == (
        629,
        2519.2,
        25,
    )
    await move(client, order["order_id"], "shipped", "delivered")
    shirt, jeans = sorted(order["items"], key=lambda i: i["sku"] != "T-SHIRT")

    first = await _return(client, token, order["order_id"], [shirt["line_id"]])
    midway = (await customer(app, phone)).loyalty_points
    second = await _return(client, token, order["order_id"], [jeans["line_id"]])

    assert first.status_code == 201, first.text
    assert second.status_code == 201, second.text
    refunds = [paise(r["refund"]) for r in second.json()["returns"]]
    # The shirt was ₹1,349.10 of the ₹3,148.20; its money share is that part of ₹2,519.20.
    assert abs(refunds[0] - 251_920 * 134_910 // 314_820) <= 1
    assert sum(refunds) == 251_920
    assert app.state.payment_gateway.refunded == {order["payment"]["reference"]: 251_920}
    # Halfway, about 43% of the 629 points came back and 43% of the 25 earned went.
    assert 5000 - 629 + 25 < midway < 5000
    assert (await customer(app, phone)).loyalty_points == 5000


async def test_return_of_a_collected_pickup_restocks_the_store(client: httpx.AsyncClient):
    _, token = await shopper(client)
    await add(client, token, "T-KURTA", "M")
    order = await place(client, token, fulfillment=PICKUP_PUNE)
    code = order["fulfillment"]["pickup_code"]
    await move(client, order["order_id"], "ready_for_pickup", "collected", pickup_code=code)
    assert (await stock(client, "T-KURTA", "M"))["STORE_PUNE"] == 2

    response = await _return(client, token, order["order_id"], [order["items"][0]["line_id"]])

    assert response.json()["status"] == "returned"
    assert (await stock(client, "T-KURTA", "M"))["STORE_PUNE"] == 3


async def test_exchange_swaps_the_line_for_another_size_and_moves_the_stock(
    client: httpx.AsyncClient, app: FastAPI
):
    _, token = await shopper(client)
    order = await _delivered(client, token, ("T-SHIRT", "M"))
    line_id = order["items"][0]["line_id"]

    response = await _return(client, token, order["order_id"], [line_id], exchange_size="l")

    assert response.status_code == 201, response.text
    exchanged = response.json()
    assert exchanged["status"] == "delivered"
    old = next(i for i in exchanged["items"] if i["line_id"] == line_id)
    [new] = [i for i in exchanged["items"] if i["line_id"] != line_id]
    assert old["returned_qty"] == 1
    assert (new["sku"], new["size"], new["qty"], new["unit_price"]) == ("T-SHIRT", "L", 1, 1499)
    [record] = exchanged["returns"]
    assert (record["kind"], record["refund"]) == ("exchange", 0)
    assert (await stock(client, "T-SHIRT", "M"))["online"] == 10
    assert (await stock(client, "T-SHIRT", "L"))["online"] == 9
    assert app.state.payment_gateway.refunded == {}


async def test_exchange_into_an_unavailable_size_changes_nothing(client: httpx.AsyncClient):
    _, token = await shopper(client)
    order = await _delivered(client, token, ("T-LAST", "M"))
    line_id = order["items"][0]["line_id"]

    sold_out = await _return(client, token, order["order_id"], [line_id], exchange_size="S")
    not_made = await _return(client, token, order["order_id"], [line_id], exchange_size="XXXL")

    assert_error(sold_out, 409, "out_of_stock")
    assert_error(not_made, 422, "invalid_size")
    seen = (await client.get(f"/orders/{order['order_id']}", headers=auth(token))).json()
    assert seen["returns"] == []
    assert seen["items"][0]["returned_qty"] == 0
    assert (await stock(client, "T-LAST", "M"))["online"] == 0
