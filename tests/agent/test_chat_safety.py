"""The agent never does more than the shopper asked, and a failure leaves nothing behind.

Each test is a scenario a careful review found; they run on both stores.
"""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from tests.agent.conftest import open_agent_shop, say
from tests.agent.test_chat_with_model import FakeModel
from tests.agent.test_llm import tool_call
from tests.commerce.shop import ADDRESS, add, cart_of, move, place
from tests.conftest import make_settings, running
from tests.factories import auth, new_phone, start
from threadline.agent.models import ChatTurn
from threadline.inventory.models import StockLevel
from threadline.orders.models import Order, OrderLine

Shop = tuple[FastAPI, httpx.AsyncClient]
ADDRESS_TEXT = f"{ADDRESS['line1']}, {ADDRESS['city']}, {ADDRESS['pincode']}"


async def _shopper(client: httpx.AsyncClient) -> str:
    return str((await start(client, new_phone(), channel="web"))["session_token"])


async def _count(app: FastAPI, model: Any) -> int:
    async with app.state.sessionmaker() as db:
        return int(await db.scalar(select(func.count()).select_from(model)) or 0)


async def _to_payment(client: httpx.AsyncClient, token: str) -> None:
    assert (await say(client, token, "checkout"))["action"] == "asked_fulfillment"
    assert (await say(client, token, "home delivery"))["action"] == "asked_address"
    assert (await say(client, token, ADDRESS_TEXT))["action"] == "asked_payment"


async def test_shoppers_racing_for_the_last_unit_leave_one_order(shop_client: Shop) -> None:
    app, client = shop_client
    tokens = [await _shopper(client) for _ in range(5)]
    for token in tokens:
        await add(client, token, "T-LAST", "M")  # one unit left, online only
        await _to_payment(client, token)
    replies = await asyncio.gather(*(say(client, t, "UPI") for t in tokens))
    actions = sorted(r["action"] for r in replies)
    assert actions == ["checkout_blocked"] * 4 + ["order_placed"]
    # A checkout that failed after writing part of an order leaves none of it behind.
    assert await _count(app, Order) == 1
    assert await _count(app, OrderLine) == 1
    async with app.state.sessionmaker() as db:
        left = await db.scalar(
            select(func.sum(StockLevel.qty)).where(
                StockLevel.sku == "T-LAST", StockLevel.size == "M"
            )
        )
    assert left == 0


async def test_a_six_digit_number_in_a_new_request_is_not_an_address(shop_client: Shop) -> None:
    app, client = shop_client
    token = await _shopper(client)
    await add(client, token, "T-SHIRT", "M")
    await say(client, token, "checkout with UPI")
    assert (await say(client, token, "home delivery"))["action"] == "asked_address"
    body = await say(client, token, "actually show me jackets under 200000")
    assert body["action"] == "searched"
    assert (await say(client, token, "checkout with UPI"))["action"] == "asked_fulfillment"
    assert (await say(client, token, "home delivery"))["action"] == "asked_address"
    body = await say(client, token, "actually, show me jackets at 200000")
    assert body["action"] != "order_placed"
    assert await _count(app, Order) == 0


async def test_a_store_question_during_checkout_places_no_order(shop_client: Shop) -> None:
    app, client = shop_client
    token = await _shopper(client)
    await add(client, token, "T-SHIRT", "M")
    await say(client, token, "checkout with UPI")
    assert (await say(client, token, "pick it up in store"))["action"] == "asked_store"
    body = await say(client, token, "where is your store in Pune?")
    assert body["action"] == "listed_stores"
    assert await _count(app, Order) == 0
    # Leaving the checkout forgets its choices: a later "checkout" asks again.
    assert (await say(client, token, "checkout"))["action"] == "asked_fulfillment"


async def test_the_answer_to_which_one_counts_in_the_list_given(shop_client: Shop) -> None:
    _, client = shop_client
    token = await _shopper(client)
    await add(client, token, "T-SHIRT", "M")
    await add(client, token, "T-JEANS", "32")
    await add(client, token, "T-JEANS", "34")
    asked = await say(client, token, "remove the jeans")
    assert asked["action"] == "asked_which"
    assert "1. Slim Jeans (32)" in asked["reply"]
    assert "2. Slim Jeans (34)" in asked["reply"]
    removed = await say(client, token, "the second one")
    assert removed["action"] == "removed_from_cart"
    kept = sorted((x["sku"], x["size"]) for x in (await cart_of(client, token))["items"])
    assert kept == [("T-JEANS", "32"), ("T-SHIRT", "M")]


async def test_naming_another_product_is_not_an_answer_to_a_size_question(
    shop_client: Shop,
) -> None:
    _, client = shop_client
    token = await _shopper(client)
    await say(client, token, "show me urbane")
    assert (await say(client, token, "add the oxford shirt"))["action"] == "asked_size"
    body = await say(client, token, "add the leather jacket in L")
    assert body["action"] == "added_to_cart"
    assert [(x["sku"], x["size"]) for x in body["cart"]["items"]] == [("T-JACKET", "L")]


async def test_too_many_is_a_question_about_how_many_not_a_sold_out(shop_client: Shop) -> None:
    _, client = shop_client
    token = await _shopper(client)
    await say(client, token, "show me shirts")
    body = await say(client, token, "add 50 of it in L")
    assert body["action"] == "asked_qty"
    assert "sold out" not in body["reply"]
    assert "only 10" in body["reply"]
    added = await say(client, token, "2")
    assert added["action"] == "added_to_cart"
    assert added["cart"]["items"][0]["qty"] == 2


async def test_refining_again_and_again_keeps_the_session_small(shop_client: Shop) -> None:
    _, client = shop_client
    token = await _shopper(client)
    await say(client, token, "show me shirts")
    sizes = []
    for i in range(30):
        await say(client, token, "in linen" if i % 2 else "cotton ones under 2000")
        session = (await client.get("/session", headers=auth(token))).json()
        sizes.append(len(json.dumps(session["data"])))
    assert max(sizes[20:]) <= max(sizes[:10]) * 1.1
    query = session["data"]["agent"]["search"]["filters"].get("query", "")
    assert len(query.split()) <= 4


async def test_an_exchange_to_a_size_one_item_lacks_changes_nothing(shop_client: Shop) -> None:
    app, client = shop_client
    token = await _shopper(client)
    await add(client, token, "T-KURTA", "M")
    await add(client, token, "T-JEANS", "32")
    order = await place(
        client, token, payment_method="upi", fulfillment={"type": "delivery", "address": ADDRESS}
    )
    await move(client, order["order_id"], "shipped", "delivered")
    body = await say(client, token, "exchange my last order for L")
    assert body["action"] == "return_blocked"
    assert "Slim Jeans" in body["reply"]
    refreshed = (await client.get(f"/orders/{order['order_id']}", headers=auth(token))).json()
    assert [x["returned_qty"] for x in refreshed["items"]] == [0, 0]
    assert refreshed["returns"] == []


async def test_a_slow_model_does_not_hold_up_other_shoppers(database_url: str) -> None:
    fake = FakeModel()

    def slow(request: dict[str, Any]) -> tuple[int, Any]:
        if request.get("tools"):
            fake.hold.wait(10)  # until the test has seen the other shopper served
            return 200, tool_call({"intent": "search", "slots": {"category": "shirt"}})
        return 503, {"error": {"message": "no phrasing"}}

    fake.answer = slow
    with fake.serve() as base:
        settings = make_settings(
            database_url, llm_base_url=base, llm_model="m", llm_timeout_seconds=20
        )
        async with running(settings) as (app, client):
            await open_agent_shop(app)
            chatting, other = await _shopper(client), await _shopper(client)
            turn = asyncio.create_task(say(client, chatting, "something nice"))
            await asyncio.sleep(0.3)  # the turn is waiting on the model now
            response = await client.post(
                "/cart/items",
                json={"sku": "T-SHIRT", "size": "M", "qty": 1},
                headers=auth(other),
            )
            assert response.status_code == 200
            assert not turn.done()  # the other shopper did not wait for the model
            fake.hold.set()
            assert (await turn)["action"] == "searched"


async def test_a_backlog_of_live_turns_is_not_mistaken_for_a_dead_one(database_url: str) -> None:
    fake = FakeModel()

    def slow(request: dict[str, Any]) -> tuple[int, Any]:
        if request.get("tools"):
            threading.Event().wait(0.4)
            return 200, tool_call({"intent": "search", "slots": {"category": "shirt"}})
        return 503, {"error": {"message": "no phrasing"}}

    fake.answer = slow
    with fake.serve() as base:
        settings = make_settings(
            database_url,
            llm_base_url=base,
            llm_model="m",
            llm_timeout_seconds=10,
            # Each turn takes ~0.4 s of model time, far under the limit; the 8 turns together
            # take ~3.2 s, over it: only a turn's own time on the floor may count.
            chat_turn_timeout_seconds=2.0,
        )
        async with running(settings) as (app, client):
            await open_agent_shop(app)
            token = await _shopper(client)
            replies = await asyncio.gather(*(say(client, token, f"shirts {i}") for i in range(8)))
            assert all(r["action"] == "searched" for r in replies)
            async with app.state.sessionmaker() as db:
                statuses = list(await db.scalars(select(ChatTurn.status).order_by(ChatTurn.seq)))
            assert statuses == ["done"] * 8


async def test_a_blocked_checkout_forgets_its_choices(shop_client: Shop) -> None:
    app, client = shop_client
    token, rival = await _shopper(client), await _shopper(client)
    await add(client, token, "T-LAST", "M")
    await _to_payment(client, token)
    await add(client, rival, "T-LAST", "M")
    await place(
        client, rival, payment_method="upi", fulfillment={"type": "delivery", "address": ADDRESS}
    )
    assert (await say(client, token, "UPI"))["action"] == "checkout_blocked"
    await say(client, token, "remove it")
    await add(client, token, "T-JACKET", "M")
    asked = await say(client, token, "checkout")
    assert asked["action"] == "asked_fulfillment"  # asked again, nothing charged
    assert await _count(app, Order) == 1  # the rival's


async def test_which_line_answer_keeps_the_exchange(shop_client: Shop) -> None:
    _, client = shop_client
    token = await _shopper(client)
    await add(client, token, "T-JEANS", "30")
    await add(client, token, "T-JEANS", "32")
    order = await place(
        client, token, payment_method="upi", fulfillment={"type": "delivery", "address": ADDRESS}
    )
    await move(client, order["order_id"], "shipped", "delivered")
    asked = await say(client, token, "exchange the jeans for size 34")
    assert asked["action"] == "asked_which"
    confirm = await say(client, token, "the first one")
    assert confirm["action"] == "asked_confirmation"
    assert "exchange" in confirm["reply"].lower()
    assert "size 34" in confirm["reply"]
    done = await say(client, token, "yes")
    assert done["action"] == "return_requested"
    refreshed = (await client.get(f"/orders/{order['order_id']}", headers=auth(token))).json()
    assert [r["kind"] for r in refreshed["returns"]] == ["exchange"]


async def test_asking_for_more_than_is_left_counts_the_cart(shop_client: Shop) -> None:
    _, client = shop_client
    token = await _shopper(client)
    await say(client, token, "show me shirts")
    assert (await say(client, token, "add 6 of it in L"))["action"] == "added_to_cart"
    body = await say(client, token, "add 6 of it in L")
    assert body["action"] == "asked_qty"
    assert "only 4 more" in body["reply"]
    assert (await say(client, token, "4"))["cart"]["items"][0]["qty"] == 10


async def test_a_greeting_or_a_look_at_the_cart_does_not_leave_the_checkout(
    shop_client: Shop,
) -> None:
    app, client = shop_client
    token = await _shopper(client)
    await add(client, token, "T-SHIRT", "M")
    assert (await say(client, token, "checkout"))["action"] == "asked_fulfillment"
    assert (await say(client, token, "pick up at the Mumbai store"))["action"] == "asked_payment"
    assert (await say(client, token, "hi"))["action"] == "greeted"
    assert (await say(client, token, "my cart"))["action"] == "showed_cart"
    placed = await say(client, token, "UPI")
    assert placed["action"] == "order_placed"
    assert await _count(app, Order) == 1
