"""The cart: lines, merging, repricing from the store, the session mirror, coupons and offers."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.commerce.shop import (
    add,
    assert_error,
    cart_of,
    place,
    set_customer,
    set_price,
    shopper,
    stock,
)
from tests.factories import auth, start


async def test_added_item_shows_store_price_and_totals(client: httpx.AsyncClient):
    _, token = await shopper(client)

    cart = await add(client, token, "T-SHIRT", "M")

    [line] = cart["items"]
    assert line["sku"] == "T-SHIRT"
    assert line["name"] == "Oxford Shirt"
    assert line["size"] == "M"
    assert line["qty"] == 1
    assert line["unit_price"] == 1499
    assert line["line_total"] == 1499
    assert line["line_id"]
    assert (cart["subtotal"], cart["discount"], cart["total"]) == (1499, 0, 1499)
    assert cart["applied_offers"] == []
    assert await cart_of(client, token) == cart


async def test_size_is_matched_in_any_case_and_a_single_size_needs_none(
    client: httpx.AsyncClient,
):
    _, token = await shopper(client)

    await add(client, token, "T-SNEAKER", "uk 9")
    saree = await client.post("/cart/items", json={"sku": "T-SAREE"}, headers=auth(token))

    assert saree.status_code == 200, saree.text
    sizes = {i["sku"]: i["size"] for i in saree.json()["items"]}
    assert sizes == {"T-SNEAKER": "UK 9", "T-SAREE": "Free Size"}


async def test_same_sku_and_size_again_adds_to_that_line(client: httpx.AsyncClient):
    _, token = await shopper(client)
    first = await add(client, token, "T-SHIRT", "M")

    cart = await add(client, token, "T-SHIRT", "m", qty=2)

    [line] = cart["items"]
    assert line["line_id"] == first["items"][0]["line_id"]
    assert line["qty"] == 3
    assert line["line_total"] == 3 * 1499
    assert cart["item_count"] == 3


async def test_same_sku_in_another_size_is_a_separate_line(client: httpx.AsyncClient):
    _, token = await shopper(client)
    await add(client, token, "T-SHIRT", "M")

    cart = await add(client, token, "T-SHIRT", "L")

    assert sorted((i["size"], i["qty"]) for i in cart["items"]) == [("L", 1), ("M", 1)]


async def test_patch_sets_the_quantity_and_reprices(client: httpx.AsyncClient):
    _, token = await shopper(client)
    line_id = (await add(client, token, "T-JEANS", "32"))["items"][0]["line_id"]

    response = await client.patch(f"/cart/items/{line_id}", json={"qty": 4}, headers=auth(token))

    assert response.status_code == 200, response.text
    [line] = response.json()["items"]
    assert (line["qty"], line["line_total"]) == (4, 4 * 1999)
    assert response.json()["subtotal"] == 4 * 1999


async def test_patch_to_zero_removes_the_line(client: httpx.AsyncClient):
    _, token = await shopper(client)
    await add(client, token, "T-SHIRT", "M")
    line_id = (await add(client, token, "T-JEANS", "32"))["items"][1]["line_id"]

    response = await client.patch(f"/cart/items/{line_id}", json={"qty": 0}, headers=auth(token))

    assert response.status_code == 200, response.text
    assert [i["sku"] for i in response.json()["items"]] == ["T-SHIRT"]
    assert response.json()["total"] == 1499
    assert [i["sku"] for i in (await cart_of(client, token))["items"]] == ["T-SHIRT"]


async def test_delete_removes_the_line(client: httpx.AsyncClient):
    _, token = await shopper(client)
    line_id = (await add(client, token, "T-SHIRT", "M"))["items"][0]["line_id"]

    response = await client.delete(f"/cart/items/{line_id}", headers=auth(token))

    assert response.status_code == 200, response.text
    cart = response.json()
    assert cart["items"] == []
    assert (cart["subtotal"], cart["discount"], cart["total"]) == (0, 0, 0)


async def test_price_change_in_the_store_shows_on_the_next_look_at_the_cart(
    client: httpx.AsyncClient, app: FastAPI
):
    _, token = await shopper(client)
    await add(client, token, "T-SHIRT", "M", qty=1)

    await set_price(app, "T-SHIRT", 1299)
    cart = await cart_of(client, token)

    assert cart["items"][0]["unit_price"] == 1299
    assert cart["total"] == 1299
    session = (await client.get("/session", headers=auth(token))).json()
    assert session["data"]["cart"][0]["unit_price"] == 1299


async def test_price_sent_by_the_client_is_ignored(client: httpx.AsyncClient):
    _, token = await shopper(client)

    response = await client.post(
        "/cart/items",
        json={"sku": "T-JACKET", "size": "M", "qty": 1, "unit_price": 1, "price": 1, "total": 1},
        headers=auth(token),
    )

    assert response.status_code == 200, response.text
    assert response.json()["items"][0]["unit_price"] == 12999
    assert response.json()["total"] == 12999


async def test_session_data_cart_mirrors_get_cart(client: httpx.AsyncClient):
    _, token = await shopper(client)
    await add(client, token, "T-SHIRT", "M")
    await add(client, token, "T-KURTA", "S", qty=2)

    cart = await cart_of(client, token)
    session = (await client.get("/session", headers=auth(token))).json()

    assert session["data"]["cart"] == cart["items"]
    assert len(cart["items"]) == 2


async def test_second_device_of_the_same_phone_sees_and_edits_the_same_cart(
    client: httpx.AsyncClient,
):
    phone, kiosk = await shopper(client, channel="kiosk")
    await add(client, kiosk, "T-SHIRT", "M")
    web = (await start(client, phone, channel="web"))["session_token"]
    whatsapp = (await start(client, phone, channel="whatsapp"))["session_token"]

    on_web = await cart_of(client, web)
    await add(client, whatsapp, "T-JEANS", "32")
    on_kiosk = await cart_of(client, kiosk)

    assert [i["sku"] for i in on_web["items"]] == ["T-SHIRT"]
    assert [i["sku"] for i in on_kiosk["items"]] == ["T-SHIRT", "T-JEANS"]
    session = (await client.get("/session", headers=auth(web))).json()
    assert session["data"]["cart"] == on_kiosk["items"]


# --- coupons ------------------------------------------------------------------------------


async def test_flat_coupon_takes_its_value_off_and_is_listed(client: httpx.AsyncClient):
    _, token = await shopper(client)
    await add(client, token, "T-JEANS", "32")

    response = await client.post("/cart/coupon", json={"code": "flat200"}, headers=auth(token))

    assert response.status_code == 200, response.text
    cart = response.json()
    [offer] = cart["applied_offers"]
    assert (offer["kind"], offer["code"], offer["amount"]) == ("coupon", "FLAT200", 200)
    assert (cart["subtotal"], cart["discount"], cart["total"]) == (1999, 200, 1799)
    assert cart["coupon"] == {"code": "FLAT200", "applied": True, "message": None}
    assert (await cart_of(client, token))["total"] == 1799


async def test_percent_coupon_is_capped_at_its_maximum(client: httpx.AsyncClient):
    _, token = await shopper(client)
    await add(client, token, "T-JACKET", "M")

    response = await client.post("/cart/coupon", json={"code": "WELCOME10"}, headers=auth(token))

    assert response.status_code == 200, response.text
    [offer] = response.json()["applied_offers"]
    assert (offer["code"], offer["amount"]) == ("WELCOME10", 500)  # 10% would be 1,299.90
    assert response.json()["total"] == 12499


async def test_category_coupon_discounts_only_items_in_its_category(client: httpx.AsyncClient):
    _, token = await shopper(client)
    await add(client, token, "T-KURTA", "M")

    response = await client.post("/cart/coupon", json={"code": "FESTIVE15"}, headers=auth(token))

    assert response.status_code == 200, response.text
    cart = response.json()
    assert cart["applied_offers"][0]["amount"] == 194.85  # 15% of 1,299
    assert cart["total"] == 1104.15


async def test_coupon_whose_minimum_is_no_longer_met_stays_but_stops_applying(
    client: httpx.AsyncClient,
):
    _, token = await shopper(client)
    line_id = (await add(client, token, "T-JEANS", "32", qty=2))["items"][0]["line_id"]
    await client.post("/cart/coupon", json={"code": "FLAT200"}, headers=auth(token))

    response = await client.patch(f"/cart/items/{line_id}", json={"qty": 0}, headers=auth(token))
    await add(client, token, "T-SHIRT", "M")
    cart = await cart_of(client, token)

    assert response.status_code == 200, response.text
    assert cart["total"] == 1499
    assert cart["coupon"]["applied"] is False
    assert "1,999" in cart["coupon"]["message"]
    assert all(o["kind"] != "coupon" for o in cart["applied_offers"])


async def test_coupon_that_does_not_apply_is_invalid_coupon_saying_why(
    client: httpx.AsyncClient,
):
    _, token = await shopper(client)
    await add(client, token, "T-SHIRT", "M")
    cases = {
        "NOSUCHCODE": "no coupon",  # unknown
        "MONSOON20": "expired",  # its sale is over
        "FLAT200": "₹1,999",  # ₹1,499 is below its minimum order
        "FESTIVE15": "kurta",  # only for kurtas
        "SNEAKER500": "sneakers",  # only for sneakers
    }

    for code, says in cases.items():
        response = await client.post("/cart/coupon", json={"code": code}, headers=auth(token))
        error = assert_error(response, 422, "invalid_coupon")
        assert says in error["message"], (code, error)
        assert error["field"] == "code"
    cart = await cart_of(client, token)
    assert cart["coupon"] is None
    assert cart["applied_offers"] == []
    assert cart["total"] == 1499


async def test_welcome_coupon_is_refused_once_the_customer_has_used_it(
    client: httpx.AsyncClient,
):
    _, token = await shopper(client)
    await add(client, token, "T-JEANS", "32")
    await client.post("/cart/coupon", json={"code": "WELCOME10"}, headers=auth(token))
    order = await place(client, token)
    assert order["coupon_code"] == "WELCOME10"
    assert order["discount"] == 199.9

    await add(client, token, "T-JEANS", "32")
    response = await client.post("/cart/coupon", json={"code": "WELCOME10"}, headers=auth(token))

    assert "already used" in assert_error(response, 422, "invalid_coupon")["message"]
    _, newcomer = await shopper(client)
    await add(client, newcomer, "T-JEANS", "32")
    fresh = await client.post("/cart/coupon", json={"code": "WELCOME10"}, headers=auth(newcomer))
    assert fresh.status_code == 200, fresh.text


async def test_removing_the_coupon_restores_the_full_price(client: httpx.AsyncClient):
    _, token = await shopper(client)
    await add(client, token, "T-JEANS", "32")
    await client.post("/cart/coupon", json={"code": "FLAT200"}, headers=auth(token))

    response = await client.delete("/cart/coupon", headers=auth(token))

    assert response.status_code == 200, response.text
    assert response.json()["total"] == 1999
    assert response.json()["coupon"] is None


# --- automatic offers and tiers -----------------------------------------------------------


async def test_two_items_get_buy2get10_automatically(client: httpx.AsyncClient):
    _, token = await shopper(client)
    one = await add(client, token, "T-SHIRT", "M")
    assert one["applied_offers"] == []

    cart = await add(client, token, "T-JEANS", "32")

    [offer] = cart["applied_offers"]
    assert (offer["kind"], offer["code"], offer["amount"]) == ("offer", "BUY2GET10", 349.8)
    assert (cart["subtotal"], cart["discount"], cart["total"]) == (3498, 349.8, 3148.2)


async def test_better_offer_wins_and_offers_do_not_stack(client: httpx.AsyncClient):
    _, token = await shopper(client)

    cart = await add(client, token, "T-KURTA", "M", qty=3)

    assert [o["code"] for o in cart["applied_offers"]] == ["ETHNIC3"]
    assert cart["discount"] == 779.4  # 20% of 3 × 1,299, not 10% + 20%
    assert cart["total"] == 3117.6


async def test_gold_member_sees_the_gold_discount_and_triple_points(
    client: httpx.AsyncClient, app: FastAPI
):
    phone, token = await shopper(client)
    await set_customer(app, phone, loyalty_tier="gold")

    cart = await add(client, token, "T-SHIRT", "M")

    [offer] = cart["applied_offers"]
    assert offer["kind"] == "tier"
    assert offer["label"].startswith("Gold member discount")
    assert offer["amount"] == 149.9
    assert cart["total"] == 1349.1
    assert cart["loyalty"]["tier"] == "gold"
    assert cart["loyalty"]["points_to_earn"] == 13 * 3


async def test_bronze_shopper_sees_points_to_earn_per_100_rupees(client: httpx.AsyncClient):
    _, token = await shopper(client)

    cart = await add(client, token, "T-SNEAKER", "UK 8")

    assert cart["loyalty"] == {"tier": "bronze", "points_balance": 0, "points_to_earn": 34}


# --- mistakes the shopper can make --------------------------------------------------------


async def test_unknown_sku_is_product_not_found(client: httpx.AsyncClient):
    _, token = await shopper(client)

    response = await client.post(
        "/cart/items", json={"sku": "NOPE-1", "size": "M"}, headers=auth(token)
    )

    assert_error(response, 404, "product_not_found")
    assert (await cart_of(client, token))["items"] == []


async def test_size_not_offered_or_missing_is_invalid_size_listing_the_sizes(
    client: httpx.AsyncClient,
):
    _, token = await shopper(client)

    response = await client.post(
        "/cart/items", json={"sku": "T-JEANS", "size": "XL"}, headers=auth(token)
    )

    error = assert_error(response, 422, "invalid_size")
    assert error["field"] == "size"
    assert "28, 30, 32, 34, 36" in error["message"]
    no_size = await client.post("/cart/items", json={"sku": "T-SHIRT"}, headers=auth(token))
    assert "Choose a size" in assert_error(no_size, 422, "invalid_size")["message"]
    assert (await cart_of(client, token))["items"] == []


async def test_more_than_in_stock_is_out_of_stock_and_cart_unchanged(client: httpx.AsyncClient):
    _, token = await shopper(client)
    # 16 units in all, but at most 10 in one place (online): one order line ships from, or is
    # collected at, one place, so 10 is what can be ordered.
    assert sum((await stock(client, "T-SHIRT", "M")).values()) == 16

    too_many = await client.post(
        "/cart/items", json={"sku": "T-SHIRT", "size": "M", "qty": 11}, headers=auth(token)
    )
    await add(client, token, "T-SHIRT", "M", qty=10)
    one_more = await client.post(
        "/cart/items", json={"sku": "T-SHIRT", "size": "M", "qty": 1}, headers=auth(token)
    )
    sold_out = await client.post(
        "/cart/items", json={"sku": "T-LAST", "size": "S"}, headers=auth(token)
    )

    assert "only 10 available" in assert_error(too_many, 409, "out_of_stock")["message"]
    assert_error(one_more, 409, "out_of_stock")
    assert "out of stock" in assert_error(sold_out, 409, "out_of_stock")["message"]
    assert [(i["sku"], i["qty"]) for i in (await cart_of(client, token))["items"]] == [
        ("T-SHIRT", 10)
    ]


async def test_patch_beyond_stock_is_out_of_stock(client: httpx.AsyncClient):
    _, token = await shopper(client)
    line_id = (await add(client, token, "T-LAST", "M"))["items"][0]["line_id"]

    response = await client.patch(f"/cart/items/{line_id}", json={"qty": 2}, headers=auth(token))

    assert_error(response, 409, "out_of_stock")
    assert (await cart_of(client, token))["items"][0]["qty"] == 1


async def test_unknown_line_or_another_customers_line_is_cart_line_not_found(
    client: httpx.AsyncClient,
):
    _, mine = await shopper(client)
    _, theirs = await shopper(client)
    await add(client, mine, "T-JEANS", "32")
    their_line = (await add(client, theirs, "T-SHIRT", "M"))["items"][0]["line_id"]
    unknown = "00000000-0000-0000-0000-000000000000"

    answers = [
        await client.patch(f"/cart/items/{unknown}", json={"qty": 2}, headers=auth(mine)),
        await client.delete(f"/cart/items/{unknown}", headers=auth(mine)),
        await client.patch(f"/cart/items/{their_line}", json={"qty": 2}, headers=auth(mine)),
        await client.delete(f"/cart/items/{their_line}", headers=auth(mine)),
    ]

    for response in answers:
        assert_error(response, 404, "cart_line_not_found")
    assert [(i["sku"], i["qty"]) for i in (await cart_of(client, mine))["items"]] == [
        ("T-JEANS", 1)
    ]
    assert [(i["sku"], i["qty"]) for i in (await cart_of(client, theirs))["items"]] == [
        ("T-SHIRT", 1)
    ]
