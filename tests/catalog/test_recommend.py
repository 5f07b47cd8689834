"""Recommendations: what completes a look, and what is like a product (on both stores)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.catalog.search_catalog import add_products, catalog_store, product
from threadline.catalog.recommend import complete_the_look, similar
from threadline.catalog.search import load_index
from threadline.catalog.search_index import Doc, SearchIndex


@pytest.fixture
async def maker(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    async with catalog_store(database_url) as sessionmaker:
        yield sessionmaker


@pytest.fixture
async def index(maker: async_sessionmaker[AsyncSession]) -> SearchIndex:
    return await load_index(maker)


def doc(index: SearchIndex, sku: str) -> Doc:
    found = index.get(sku)
    assert found is not None
    return found


async def test_jeans_are_completed_by_a_shirt_a_tshirt_a_belt_and_sneakers(
    index: SearchIndex,
) -> None:
    look = complete_the_look(index, doc(index, "JN-BLK-M"), limit=4)
    assert sorted(d.category for d in look) == ["belt", "shirt", "sneakers", "tshirt"]


async def test_a_look_keeps_to_the_products_gender_or_unisex(index: SearchIndex) -> None:
    look = complete_the_look(index, doc(index, "JN-BLK-M"), limit=20)
    assert {d.gender for d in look} <= {"men", "unisex"}
    assert "SH-NVY-W" not in {d.sku for d in look}
    assert look, "men's jeans have complements in the test catalog"


async def test_a_look_prefers_prices_that_suit_the_product(
    maker: async_sessionmaker[AsyncSession],
) -> None:
    designer = product(
        "BE-LUX-M", "Men Designer Belt", "Gucci", "belt", "men", "Black", 25_000, "party", 4.9, 5000
    )
    await add_products(maker, [designer])
    index = await load_index(maker)
    belts = [
        d.sku
        for d in complete_the_look(index, doc(index, "JN-BLK-M"), limit=8)
        if d.category == "belt"
    ]
    assert belts[0] == "BE-BRN-M"  # the ₹25,000 belt is more popular, but not for ₹2,499 jeans


async def test_a_look_is_empty_rather_than_unrelated_when_nothing_goes_with_it(
    index: SearchIndex,
) -> None:
    # Kurtas go with jewellery, sandals and ethnic sets, none of which the test catalog has.
    assert complete_the_look(index, doc(index, "KU-RED-W"), limit=6) == []


async def test_similar_products_share_category_and_gender_but_not_the_sku(
    index: SearchIndex,
) -> None:
    assert [d.sku for d in similar(index, doc(index, "SH-BLU-M"), limit=6)] == ["SH-WHT-M"]
    assert [d.sku for d in similar(index, doc(index, "TS-GRY-M"), limit=6)] == ["TS-BLK-U"]


async def test_similar_prefers_the_same_colour_and_a_near_price(
    maker: async_sessionmaker[AsyncSession],
) -> None:
    court = product(
        "SN-WHT-M2",
        "Men White Court Sneakers",
        "Adidas",
        "sneakers",
        "men",
        "White",
        4599,
        "sports",
    )
    await add_products(maker, [court])
    index = await load_index(maker)
    assert [d.sku for d in similar(index, doc(index, "SN-WHT-M"), limit=6)] == [
        "SN-WHT-M2",
        "SN-BLU-U",
    ]


async def test_limit_caps_both_lists(index: SearchIndex) -> None:
    assert len(complete_the_look(index, doc(index, "JN-BLK-M"), limit=2)) == 2
    assert len(similar(index, doc(index, "SN-WHT-M"), limit=1)) == 1
