"""Reserve in store: the hold, collection, and the release of holds nobody came for."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from tests.commerce.shop import (
    RESERVE_MUMBAI,
    add,
    customer,
    move,
    place,
    shopper,
    stock,
)
from tests.factories import auth
from threadline.core.clock import clock
from threadline.orders.service import release_lapsed


async def _release(app: FastAPI) -> int:
    """One run of the release job, as the app's background task does it."""
    async with app.state.sessionmaker() as db:
        released = await release_lapsed(db, app.state.payment_gateway)
        await db.commit()
    return released


async def _reserve(
    client: httpx.AsyncClient, token: str, payment_method: str = "cod"
) -> dict[str, Any]:
    await add(client, token, "T-SHIRT", "M")
    return await place(client, token, payment_method=payment_method, fulfillment=RESERVE_MUMBAI)


async def test_reservation_holds_the_units_at_the_chosen_store_for_two_hours(
    client: httpx.AsyncClient,
):
    _, token = await shopper(client)

    order = await _reserve(client, token)

    assert order["status"] == "reserved"
    assert (order["payment"]["method"], order["payment"]["status"]) == ("cod", "pending")
    fulfillment = order["fulfillment"]
    assert fulfillment["type"] == "reserve_in_store"
    assert fulfillment["store_id"] == "STORE_MUMBAI"
    assert len(fulfillment["pickup_code"]) == 6
    held_for = datetime.fromisoformat(fulfillment["hold_expires_at"]) - datetime.fromisoformat(
        order["created_at"]
    )
    assert abs(held_for - timedelta(hours=2)) < timedelta(seconds=5)
    assert await stock(client, "T-SHIRT", "M") == {"online": 10, "STORE_MUMBAI": 2, "STORE_PUNE": 3}
    assert [e["status"] for e in order["status_history"]] == ["reserved"]


async def test_lapsed_reservation_goes_back_on_sale_and_expires(
    client: httpx.AsyncClient, app: FastAPI
):
    phone, token = await shopper(client)
    order = await _reserve(client, token)
    # Pay at the store: the points are earned when the money is, not at reservation.
    assert order["loyalty_points_earned"] == 14
    assert (await customer(app, phone)).loyalty_points == 0

    clock.advance(timedelta(hours=3))
    released = await _release(app)

    assert released == 1
    assert (await stock(client, "T-SHIRT", "M"))["STORE_MUMBAI"] == 3
    seen = (await client.get(f"/orders/{order['order_id']}", headers=auth(token))).json()
    assert seen["status"] == "expired"
    assert seen["payment"]["status"] == "cancelled"
    assert [e["status"] for e in seen["status_history"]] == ["reserved", "expired"]
    assert "back on sale" in seen["status_history"][-1]["note"]
    assert (await customer(app, phone)).loyalty_points == 0
    assert await _release(app) == 0  # nothing is released twice
    assert (await stock(client, "T-SHIRT", "M"))["STORE_MUMBAI"] == 3


async def test_reservation_still_within_its_hold_is_kept(client: httpx.AsyncClient, app: FastAPI):
    _, token = await shopper(client)
    order = await _reserve(client, token)

    clock.advance(timedelta(hours=1, minutes=55))
    released = await _release(app)

    assert released == 0
    seen = (await client.get(f"/orders/{order['order_id']}", headers=auth(token))).json()
    assert seen["status"] == "reserved"
    assert (await stock(client, "T-SHIRT", "M"))["STORE_MUMBAI"] == 2


async def test_collected_reservation_is_never_released(client: httpx.AsyncClient, app: FastAPI):
    _, token = await shopper(client)
    order = await _reserve(client, token)
    code = order["fulfillment"]["pickup_code"]

    collected = await move(client, order["order_id"], "collected", pickup_code=code)
    clock.advance(timedelta(hours=3))
    released = await _release(app)

    assert collected["status"] == "collected"
    assert collected["payment"]["status"] == "captured"  # paid at the counter
    assert released == 0
    seen = (await client.get(f"/orders/{order['order_id']}", headers=auth(token))).json()
    assert seen["status"] == "collected"
    assert (await stock(client, "T-SHIRT", "M"))["STORE_MUMBAI"] == 2


async def test_lapsed_prepaid_reservation_is_refunded(client: httpx.AsyncClient, app: FastAPI):
    _, token = await shopper(client)
    order = await _reserve(client, token, payment_method="upi")
    assert order["payment"]["status"] == "captured"

    clock.advance(timedelta(hours=3))
    await _release(app)

    seen = (await client.get(f"/orders/{order['order_id']}", headers=auth(token))).json()
    assert seen["status"] == "expired"
    assert seen["payment"]["status"] == "refunded"
    assert app.state.payment_gateway.refunded == {order["payment"]["reference"]: 149_900}


async def test_only_the_lapsed_ones_of_several_reservations_are_released(
    client: httpx.AsyncClient, app: FastAPI
):
    _, early = await shopper(client)
    _, late = await shopper(client)
    first = await _reserve(client, early)
    clock.advance(timedelta(hours=1, minutes=30))
    second = await _reserve(client, late)
    assert (await stock(client, "T-SHIRT", "M"))["STORE_MUMBAI"] == 1

    clock.advance(timedelta(hours=1))
    released = await _release(app)

    assert released == 1
    assert (await stock(client, "T-SHIRT", "M"))["STORE_MUMBAI"] == 2
    statuses = [
        (await client.get(f"/orders/{o['order_id']}", headers=auth(t))).json()["status"]
        for o, t in ((first, early), (second, late))
    ]
    assert statuses == ["expired", "reserved"]
