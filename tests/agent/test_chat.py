"""``POST /chat`` as a shopper uses it: find, refine, add, check out, come back elsewhere."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from tests.agent.conftest import say
from tests.commerce.shop import assert_error, cart_of, customer, set_customer
from tests.factories import auth, new_phone, start
from threadline.agent.models import ChatTurn

Shop = tuple[FastAPI, httpx.AsyncClient]


async def _shopper(client: httpx.AsyncClient, channel: str = "kiosk") -> tuple[str, str]:
    phone = new_phone()
    started = await start(client, phone, channel=channel)
    return phone, started["session_token"]


async def _session(client: httpx.AsyncClient, token: str) -> dict[str, Any]:
    response = await client.get("/session", headers=auth(token))
    assert response.status_code == 200, response.text
    session: dict[str, Any] = response.json()
    return session


async def _turns(app: FastAPI) -> list[ChatTurn]:
    async with app.state.sessionmaker() as db:
        return list(await db.scalars(select(ChatTurn).order_by(ChatTurn.seq)))


# --- the contract ---------------------------------------------------------------------------


async def test_chat_needs_a_session(shop_client: Shop) -> None:
    _, client = shop_client
    assert_error(await client.post("/chat", json={"message": "hi"}), 401, "session_token_required")
    response = await client.post("/chat", json={"message": "hi"}, headers=auth("nope" * 10))
    assert_error(response, 404, "session_not_found")


@pytest.mark.parametrize("message", ["", "x" * 2001])
async def test_a_message_must_be_1_to_2000_characters(shop_client: Shop, message: str) -> None:
    _, client = shop_client
    _, token = await _shopper(client)
    response = await client.post("/chat", json={"message": message}, headers=auth(token))
    error = assert_error(response, 422, "validation_error")
    assert error["field"] == "message"


@pytest.mark.parametrize(
    "body", [{}, {"message": 5}, {"message": None}, {"message": "hi", "extra": 1}, []]
)
async def test_a_malformed_body_is_a_422(shop_client: Shop, body: Any) -> None:
    _, client = shop_client
    _, token = await _shopper(client)
    response = await client.post("/chat", json=body, headers=auth(token))
    assert_error(response, 422, "validation_error")


@pytest.mark.parametrize(
    "message",
    ["x" * 2000, "\x00\x01 DROP TABLE sessions; --", "😀😀😀", "   ", "'; SELECT 1", "ñ" * 500],
)
async def test_any_text_gets_an_answer_not_an_error(shop_client: Shop, message: str) -> None:
    app, client = shop_client
    _, token = await _shopper(client)
    body = await say(client, token, message)
    assert body["reply"]
    assert body["cart"]["item_count"] == 0
    (turn,) = await _turns(app)
    assert turn.status == "done"
    assert "\x00" not in turn.message


@pytest.mark.parametrize("before", [2**31, 10**20])
async def test_history_before_a_turn_no_store_can_hold_is_a_422(
    shop_client: Shop, before: int
) -> None:
    # Found by the OpenAPI fuzz: the number reached the store and overflowed its integer (500).
    _, client = shop_client
    _, token = await _shopper(client)
    await say(client, token, "show me shirts")
    response = await client.get("/chat/history", params={"before": before}, headers=auth(token))
    assert assert_error(response, 422, "validation_error")["field"] == "before"
    last = await client.get("/chat/history", params={"before": 2**31 - 1}, headers=auth(token))
    assert [turn["turn"] for turn in last.json()["items"]] == [1]


# --- finding and remembering ------------------------------------------------------------------


async def test_a_search_shows_products_and_remembers_them(shop_client: Shop) -> None:
    _, client = shop_client
    _, token = await _shopper(client)
    body = await say(client, token, "show me shirts")
    assert body["action"] == "searched"
    assert [p["sku"] for p in body["products"]] == ["T-SHIRT"]
    assert "Oxford Shirt" in body["reply"]
    assert "₹1,499" in body["reply"]
    session = await _session(client, token)
    assert session["data"]["last_recommended_skus"] == ["T-SHIRT"]
    assert session["metadata"]["last_recommended_skus"] == ["T-SHIRT"]
    context = session["metadata"]["chat_context"]
    assert [m["role"] for m in context] == ["user", "assistant"]
    assert context[0]["text"] == "show me shirts"
    assert context[1]["text"] == body["reply"]
    assert "shirts" in session["metadata"]["conversation_summary"].lower()


async def test_the_second_one_then_a_size_question_then_the_size(shop_client: Shop) -> None:
    _, client = shop_client
    _, token = await _shopper(client)
    shown = await say(client, token, "show me urbane")
    skus = [p["sku"] for p in shown["products"]]
    assert len(skus) >= 2
    assert all(p["brand"] == "Urbane" for p in shown["products"])
    second = shown["products"][1]
    asked = await say(client, token, "add the second one")
    assert asked["action"] == "asked_size"
    assert "size" in asked["reply"].lower()
    assert asked["cart"]["item_count"] == 0  # a question, not a guess that changes the cart
    size = next(s for s in second["sizes"] if s in ("M",))
    added = await say(client, token, size)
    assert added["action"] == "added_to_cart"
    assert [(x["sku"], x["size"]) for x in added["cart"]["items"]] == [(second["sku"], size)]
    assert (await cart_of(client, token))["item_count"] == 1


async def test_a_bare_reference_shows_that_product(shop_client: Shop) -> None:
    _, client = shop_client
    _, token = await _shopper(client)
    shown = await say(client, token, "show me urbane")
    body = await say(client, token, "the second one")
    assert body["action"] == "showed_details"
    assert [p["sku"] for p in body["products"]] == [shown["products"][1]["sku"]]
    added = await say(client, token, "add it in M")  # "it" is now the product in focus
    assert [x["sku"] for x in added["cart"]["items"]] == [shown["products"][1]["sku"]]


async def test_out_of_stock_size_offers_what_there_is(shop_client: Shop) -> None:
    _, client = shop_client
    _, token = await _shopper(client)
    await say(client, token, "show me graphic tees")
    body = await say(client, token, "add it in L")
    assert body["action"] == "out_of_stock"
    assert "M" in body["reply"]  # the one size still in stock
    assert body["cart"]["item_count"] == 0


async def test_scarcity_is_mentioned_only_when_stock_is_low(shop_client: Shop) -> None:
    _, client = shop_client
    _, token = await _shopper(client)
    await say(client, token, "show me graphic tees")
    last = await say(client, token, "add it in M")
    assert last["action"] == "added_to_cart"
    assert "Only 1 left" in last["reply"]
    await say(client, token, "show me shirts")
    plenty = await say(client, token, "add it in L")
    assert plenty["action"] == "added_to_cart"
    assert "left" not in plenty["reply"]


async def test_tier_benefits_are_offered_only_when_real(shop_client: Shop) -> None:
    app, client = shop_client
    phone, token = await _shopper(client)
    bronze = await say(client, token, "show me shirts")
    assert "member" not in bronze["reply"]  # bronze gives no discount: nothing to boast of
    await set_customer(app, phone, loyalty_tier="gold")
    gold = await say(client, token, "show me jeans")
    assert "Gold member" in gold["reply"]
    assert "10%" in gold["reply"]


async def test_sizes_and_colours_are_learned_into_the_profile(shop_client: Shop) -> None:
    app, client = shop_client
    phone, token = await _shopper(client)
    await say(client, token, "blue shirts under 2000")
    await say(client, token, "add it in L")
    profile = await customer(app, phone)
    assert profile.preferences["sizes"] == {"shirt": "L"}
    assert profile.preferences["colors"] == ["blue"]
    assert profile.preferences["budget"] == 2000


# --- checkout through the conversation --------------------------------------------------------


async def test_checkout_by_conversation_pickup_and_upi(shop_client: Shop) -> None:
    _, client = shop_client
    _, token = await _shopper(client)
    await say(client, token, "show me shirts")
    await say(client, token, "add it in M")
    asked = await say(client, token, "checkout")
    assert asked["action"] == "asked_fulfillment"
    asked = await say(client, token, "I'll pick it up at the Mumbai store")
    assert asked["action"] == "asked_payment", asked
    placed = await say(client, token, "UPI")
    assert placed["action"] == "order_placed", placed
    assert placed["cart"]["item_count"] == 0
    orders = (await client.get("/orders", headers=auth(token))).json()["items"]
    assert len(orders) == 1
    order = orders[0]
    assert order["payment"] == {
        "method": "upi",
        "status": "captured",
        "reference": order["payment"]["reference"],
    }
    assert order["fulfillment"]["store_id"] == "STORE_MUMBAI"
    assert order["order_id"] in placed["reply"]
    assert order["fulfillment"]["pickup_code"] in placed["reply"]
    status = await say(client, token, "where is my order?")
    assert status["action"] == "showed_order_status"
    assert order["order_id"] in status["reply"]


async def test_a_declined_card_keeps_the_cart_and_upi_then_works(shop_client: Shop) -> None:
    _, client = shop_client
    _, token = await _shopper(client)
    await say(client, token, "show me leather jackets")
    await say(client, token, "add it in M")
    assert (await say(client, token, "checkout"))["action"] == "asked_fulfillment"
    assert (await say(client, token, "home delivery"))["action"] == "asked_address"
    asked = await say(client, token, "12 Hill Road, Mumbai, 400050")
    assert asked["action"] == "asked_payment", asked
    declined = await say(client, token, "pay by card")
    assert declined["action"] == "payment_declined"
    assert "UPI" in declined["suggestions"]
    assert declined["cart"]["item_count"] == 1
    assert (await client.get("/orders", headers=auth(token))).json()["items"] == []
    placed = await say(client, token, "UPI")
    assert placed["action"] == "order_placed", placed
    (order,) = (await client.get("/orders", headers=auth(token))).json()["items"]
    assert order["fulfillment"]["address"]["pincode"] == "400050"
    assert order["payment"]["method"] == "upi"


async def test_an_empty_cart_cannot_check_out(shop_client: Shop) -> None:
    _, client = shop_client
    _, token = await _shopper(client)
    body = await say(client, token, "checkout")
    assert body["action"] == "checkout_blocked"


# --- one conversation across channels ---------------------------------------------------------


async def test_kiosk_to_web_add_the_second_one_too(shop_client: Shop) -> None:
    """The issue's "done means": find, refine, add on the kiosk; on the web, the second one."""
    _, client = shop_client
    phone, kiosk = await _shopper(client, "kiosk")
    found = await say(client, kiosk, "show me urbane products")
    assert len(found["products"]) >= 2
    refined = await say(client, kiosk, "under 2000")
    assert refined["action"] == "refined"
    assert all(p["price"] <= 2000 for p in refined["products"])
    first = refined["products"][0]
    second = refined["products"][1]
    added = await say(client, kiosk, "add the first one in M")
    assert added["action"] == "added_to_cart"

    web = (await start(client, phone, channel="web"))["session_token"]
    hello = await say(client, web, "hi")
    assert "Welcome back" in hello["reply"]
    assert "1 item" in hello["reply"]
    also = await say(client, web, "add the second one too in M")
    assert also["action"] == "added_to_cart", also
    assert "Welcome back" not in also["reply"]  # once is enough
    skus = sorted(x["sku"] for x in also["cart"]["items"])
    assert skus == sorted([first["sku"], second["sku"]])
    session = await _session(client, web)
    assert session["data"]["channels"] == ["kiosk", "web"]
    assert {m["channel"] for m in session["metadata"]["chat_context"]} == {"kiosk", "web"}


# --- memory is bounded; history is kept -------------------------------------------------------


async def test_a_long_conversation_keeps_the_session_bounded(shop_client: Shop) -> None:
    app, client = shop_client
    _, token = await _shopper(client)
    keep = app.state.settings.chat_context_turns
    sizes = []
    for i in range(keep + 8):
        await say(client, token, "show me shirts" if i % 2 else "show me jeans")
        session = await _session(client, token)
        sizes.append(len(json.dumps(session["data"])))
    context = session["metadata"]["chat_context"]
    assert len(context) == 2 * keep
    assert context[-2]["text"] == "show me shirts"
    assert max(sizes[keep:]) <= max(sizes[:keep]) * 1.2  # does not grow with the conversation
    assert "jeans" in session["metadata"]["conversation_summary"].lower()
    assert len(await _turns(app)) == keep + 8
    page = (await client.get("/chat/history", params={"limit": 5}, headers=auth(token))).json()
    assert [t["turn"] for t in page["items"]] == list(range(keep + 8, keep + 3, -1))
    older = await client.get(
        "/chat/history", params={"limit": 5, "before": page["next_before"]}, headers=auth(token)
    )
    assert [t["turn"] for t in older.json()["items"]] == list(range(keep + 3, keep - 2, -1))


# --- one turn at a time per session, in arrival order ------------------------------------------


async def test_concurrent_messages_of_one_session_run_one_at_a_time(shop_client: Shop) -> None:
    app, client = shop_client
    _, token = await _shopper(client)
    await say(client, token, "show me shirts")
    replies = await asyncio.gather(*(say(client, token, "add it in M") for _ in range(6)))
    assert all(r["action"] == "added_to_cart" for r in replies)
    # Serialised: each turn saw the cart the one before it left, so no add was lost.
    assert sorted(r["cart"]["items"][0]["qty"] for r in replies) == [1, 2, 3, 4, 5, 6]
    turns = await _turns(app)
    assert [t.seq for t in turns] == list(range(1, 8))
    assert all(t.status == "done" for t in turns)
    # Every turn finished before the next began.
    for before, after in zip(turns, turns[1:], strict=False):
        assert before.finished_at is not None
        assert after.finished_at is not None
        assert before.finished_at <= after.finished_at
    assert (await cart_of(client, token))["items"][0]["qty"] == 6


async def test_a_turn_waits_for_the_unfinished_turn_before_it(shop_client: Shop) -> None:
    app, client = shop_client
    _, token = await _shopper(client)
    await say(client, token, "hello")
    async with app.state.sessionmaker() as db:
        await db.execute(update(ChatTurn).values(status="waiting"))
        await db.commit()
    waiting = asyncio.create_task(say(client, token, "show me shirts"))
    await asyncio.sleep(0.3)
    assert not waiting.done()
    async with app.state.sessionmaker() as db:
        await db.execute(update(ChatTurn).where(ChatTurn.seq == 1).values(status="done"))
        await db.commit()
    body = await asyncio.wait_for(waiting, 5)
    assert body["action"] == "searched"


async def test_a_turn_whose_server_died_is_skipped_after_the_timeout(database_url: str) -> None:
    from tests.agent.conftest import open_agent_shop
    from tests.conftest import make_settings, running

    settings = make_settings(database_url, chat_turn_timeout_seconds=0.5)
    async with running(settings) as (app, client):
        await open_agent_shop(app)
        _, token = await _shopper(client)
        await say(client, token, "hello")
        async with app.state.sessionmaker() as db:
            await db.execute(update(ChatTurn).values(status="waiting"))
            await db.commit()
        body = await asyncio.wait_for(say(client, token, "show me shirts"), 5)
        assert body["action"] == "searched"
        first, second = await _turns(app)
        assert (first.status, second.status) == ("abandoned", "done")


async def test_turns_of_one_session_split_over_two_server_processes(
    database_url: str, tmp_path: Any
) -> None:
    """Two app instances on one store: one queue per session, nothing lost or doubled."""
    from tests.agent.conftest import open_agent_shop
    from tests.conftest import make_settings, running

    settings = make_settings(database_url, data_dir=tmp_path)
    async with running(settings) as (app, first), running(settings) as (other, second):
        await open_agent_shop(app)
        await other.state.search_index.refresh(other.state.read_sessionmaker)
        _, token = await _shopper(first)
        await say(first, token, "show me shirts")
        clients = [first, second] * 4
        replies = await asyncio.gather(*(say(c, token, "add it in M") for c in clients))
        assert sorted(r["cart"]["items"][0]["qty"] for r in replies) == list(range(1, 9))
        turns = await _turns(app)
        assert [t.seq for t in turns] == list(range(1, 10))
        assert all(t.status == "done" for t in turns)
        session = await _session(second, token)
        context = session["metadata"]["chat_context"]
        # The context holds the turns in the order they were answered, which is seq order.
        quantities = [
            int(m["text"].split("Your cart has ")[1].split(" ")[0])
            for m in context
            if m["role"] == "assistant" and "Your cart has" in m["text"]
        ]
        assert quantities == sorted(quantities)
        assert (await cart_of(first, token))["items"][0]["qty"] == 8
