"""The demo catalog: realistic, deterministic products, eight locations and stock; its pictures."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict

from sqlalchemy import select

from tests.catalog.import_helpers import (
    SEED_PRODUCTS_CSV,
    SEED_STORES_CSV,
    count,
    fetch,
    run,
    store,
)
from threadline.catalog import demo
from threadline.catalog.images import NEUTRAL, colour_hex, render_svg
from threadline.catalog.importer import import_products
from threadline.catalog.models import Product
from threadline.catalog.service import catalog_version
from threadline.catalog.taxonomy import CATEGORIES, OCCASIONS, sizes_for
from threadline.db import session_scope
from threadline.inventory.importer import import_stores
from threadline.inventory.models import StockLevel, Store

REQUIRED = {
    *("shirt", "tshirt", "jeans", "trousers", "kurta", "saree", "dress", "top", "jacket"),
    *("sneakers", "formal_shoes", "ethnic_set", "belt", "watch", "bag", "sunglasses", "jewellery"),
}
PRODUCTS = demo.generate_products(1200)
STOCK = demo.generate_stock(PRODUCTS)
SVG = "{http://www.w3.org/2000/svg}"


def test_generation_is_deterministic_and_a_smaller_catalog_is_a_prefix():
    assert demo.generate_products(1200) == PRODUCTS
    assert demo.generate_products(60) == PRODUCTS[:60]
    assert demo.generate_stock(PRODUCTS) == STOCK


def test_demo_has_1200_products_over_every_required_category_and_gender():
    categories = Counter(p["category"] for p in PRODUCTS)
    genders = {p["gender"] for p in PRODUCTS}

    assert len(PRODUCTS) == 1200
    assert set(categories) >= REQUIRED
    assert all(categories[c] >= 20 for c in REQUIRED), categories
    assert {"men", "women", "boys", "girls"} <= genders
    assert len({p["sku"] for p in PRODUCTS}) == 1200
    assert len({p["name"] for p in PRODUCTS}) == 1200
    assert 12 <= len({p["brand"] for p in PRODUCTS}) <= 20


def test_every_product_is_sized_priced_and_described_like_a_shop_would():
    for p in PRODUCTS:
        assert re.fullmatch(r"TL\d{5}", p["sku"])
        assert p["category"] in CATEGORIES
        assert p["sizes"] == list(sizes_for(p["category"], p["gender"])), p["sku"]
        assert p["price_paise"] % 10_000 == 9_900, p  # ₹…99
        assert p["mrp_paise"] >= p["price_paise"]
        assert p["mrp_paise"] % 10_000 == 9_900
        assert p["occasion"] in OCCASIONS
        assert 3.2 <= p["rating"] <= 4.9
        assert p["rating_count"] > 0
        assert p["material"].lower() in p["description"].lower()
        assert p["color"] in p["name"]
        assert p["image_url"] is None
        assert p["source"] == "demo"


def test_occasions_are_plausible_for_each_category():
    occasions = defaultdict(set)
    for p in PRODUCTS:
        occasions[p["category"]].add(p["occasion"])

    assert occasions["formal_shoes"] == {"formal"}
    assert occasions["sneakers"] <= {"sports", "casual"}
    for ethnic in ("saree", "kurta", "ethnic_set"):
        assert occasions[ethnic] <= {"festive", "casual", "party"}
        assert "festive" in occasions[ethnic]


def test_kids_wear_kids_sizes_and_sarees_are_free_size():
    kids = [p for p in PRODUCTS if p["gender"] in ("boys", "girls") and p["category"] == "tshirt"]
    sarees = [p for p in PRODUCTS if p["category"] == "saree"]

    assert kids
    assert all("6-7Y" in p["sizes"] for p in kids)
    assert all(p["sizes"] == ["Free Size"] and p["gender"] == "women" for p in sarees)


def test_first_product_is_the_navy_oxford_shirt():
    first = PRODUCTS[0]

    assert first["sku"] == "TL00001"
    assert first["name"] == "Urbane Threads Men's Navy Blue Slim Fit Oxford Shirt"
    assert first["sizes"] == ["S", "M", "L", "XL", "XXL"]


def test_locations_are_seven_shops_and_the_online_warehouse():
    stores = {s["store_id"]: s for s in demo.demo_stores()}

    assert set(stores) == {
        *("STORE_MUMBAI", "STORE_DELHI", "STORE_BANGALORE", "STORE_PUNE", "STORE_CHENNAI"),
        *("STORE_HYDERABAD", "STORE_KOLKATA", "ONLINE"),
    }
    assert stores["ONLINE"]["kind"] == "warehouse"
    assert stores["ONLINE"]["city"] == "Bhiwandi"
    for shop in stores.values():
        assert re.fullmatch(r"\d{6}", shop["pincode"])
        assert 8 < shop["latitude"] < 30
        assert 68 < shop["longitude"] < 90
        assert re.fullmatch(r"\d\d:\d\d", shop["opening_time"])


def test_stock_has_plenty_nearly_sold_out_and_out_of_stock_variants():
    totals: Counter[tuple[str, str]] = Counter()
    online = set()
    for row in STOCK:
        totals[(row["sku"], row["size"])] += row["qty"]
        if row["store_id"] == "ONLINE":
            online.add((row["sku"], row["size"]))
    variants = {(p["sku"], s) for p in PRODUCTS for s in p["sizes"]}

    assert len(online) > 0.85 * len(variants)  # most sizes are sold online
    assert sum(1 for r in STOCK if r["qty"] == 0) > 100  # shops that sold out of a size
    assert sum(1 for r in STOCK if 1 <= r["qty"] <= 3) > 1000  # nearly sold out
    assert sum(1 for v in variants if totals[v] == 0) >= 1  # out of stock everywhere
    assert len(STOCK) > 30_000


def test_tl00001_xl_is_the_last_unit_online_and_xxl_is_sold_out():
    rows = [r for r in STOCK if r["sku"] == "TL00001"]

    assert [(r["store_id"], r["qty"]) for r in rows if r["size"] == "XL"] == [("ONLINE", 1)]
    assert sum(r["qty"] for r in rows if r["size"] == "XXL") == 0
    assert sum(r["qty"] for r in rows if r["size"] == "M") > 3


async def test_load_if_empty_loads_products_stores_and_stock_once(database_url: str):
    async with store(database_url) as maker:
        async with session_scope(maker) as db:
            added = await demo.load_if_empty(db)
        async with session_scope(maker) as db:
            again = await demo.load_if_empty(db)
            version = await catalog_version(db)

        assert (added, again) == (1200, 0)
        assert await count(maker, Product) == 1200
        assert await count(maker, Store) == 8
        assert await count(maker, StockLevel) == len(STOCK)
        assert version >= 1  # search indexes learn that the catalog changed
        async with maker() as db:
            last = await db.execute(
                select(StockLevel.store_id, StockLevel.qty).where(
                    StockLevel.sku == "TL00001", StockLevel.size == "XL"
                )
            )
            assert last.all() == [("ONLINE", 1)]
        shirt = await fetch(maker, Product, "TL00001")
        assert shirt.price_paise == PRODUCTS[0]["price_paise"]
        assert shirt.sizes == ["S", "M", "L", "XL", "XXL"]


async def test_demo_keeps_stores_imported_earlier_and_skips_a_store_with_products(
    database_url: str,
):
    async with store(database_url) as maker:
        await run(maker, import_stores, SEED_STORES_CSV)
        async with session_scope(maker) as db:
            assert await demo.load_if_empty(db, products=50) == 50
        await run(maker, import_products, SEED_PRODUCTS_CSV)
        async with session_scope(maker) as db:
            assert await demo.load_if_empty(db, products=50) == 0

        mumbai = await fetch(maker, Store, "STORE_MUMBAI")
        assert mumbai.name == "ABFRL Flagship Experience Mumbai"
        assert await count(maker, Store) == 8
        assert await count(maker, Product) == 50 + 902


def test_every_demo_category_renders_a_well_formed_picture_in_its_colour():
    for category in {p["category"] for p in PRODUCTS}:
        row = next(p for p in PRODUCTS if p["category"] == category)
        svg = render_svg(Product(**row))
        root = ET.fromstring(svg)

        assert root.tag == f"{SVG}svg"
        assert root.get("viewBox") == "0 0 400 500"
        fills = {p.get("fill") for p in root.iter(f"{SVG}path")}
        assert colour_hex(row["color"]) in fills, category
        assert render_svg(Product(**row)) == svg


def test_picture_text_is_escaped_and_unknown_colours_are_grey():
    row = {**PRODUCTS[0], "brand": 'A&B <Co> "x"', "name": "</text><script>alert(1)</script>"}
    svg = render_svg(Product(**{**row, "color": "Cosmic Latte"}))
    root = ET.fromstring(svg)  # would fail if the text broke out of its element

    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts[0] == 'A&B <Co> "x"'
    assert "<script>" in "".join(t or "" for t in texts[1:])
    assert not list(root.iter(f"{SVG}script"))
    assert NEUTRAL in {p.get("fill") for p in root.iter(f"{SVG}path")}


def test_colour_names_as_catalogues_spell_them():
    assert colour_hex("Navy Blue") == colour_hex("navy")
    assert colour_hex("Off-White") == colour_hex("Off White") != NEUTRAL
    assert colour_hex(" Maroon") != NEUTRAL
    assert colour_hex("Mustard") != NEUTRAL
    assert colour_hex("Black & Grey") == colour_hex("Black")
    assert colour_hex("Dark Olive Green") == colour_hex("Olive Green")
    assert colour_hex(None) == NEUTRAL
