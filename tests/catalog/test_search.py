"""Catalog search over the in-memory index, built from a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from tests.catalog.search_catalog import ROWS, add_products, catalog_store, product
from threadline.catalog.models import Product
from threadline.catalog.personalise import boosts, profile_for
from threadline.catalog.search import CatalogSearch, Query, load_index, search
from threadline.catalog.search_index import SearchIndex
from threadline.db import create_sessionmaker

SHIRTS = {"SH-BLU-M", "SH-WHT-M", "SH-NVY-W"}
TSHIRTS = {"TS-GRY-M", "TS-BLK-U", "TS-RED-B"}
KURTAS = {"KU-RED-W", "KU-YEL-W", "KU-WHT-M"}
SNEAKERS = {"SN-WHT-M", "SN-BLU-U"}


@pytest.fixture
async def maker(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    async with catalog_store(database_url) as sessionmaker:
        yield sessionmaker


@pytest.fixture
async def index(maker: async_sessionmaker[AsyncSession]) -> SearchIndex:
    return await load_index(maker)


def skus(index: SearchIndex, boost: dict[int, float] | None = None, **query: Any) -> list[str]:
    return [doc.sku for doc in search(index, Query(limit=100, **query), boosts=boost).docs]


# --- words -------------------------------------------------------------------------------------


async def test_tee_finds_tshirts(index: SearchIndex) -> None:
    assert set(skus(index, q="tee")) == TSHIRTS


@pytest.mark.parametrize("spelling", ["t-shirt", "T Shirts", "tshirts", "tee shirt"])
async def test_tshirt_spellings_all_find_tshirts(index: SearchIndex, spelling: str) -> None:
    assert set(skus(index, q=spelling)) == TSHIRTS


async def test_pants_finds_trousers_and_chinos(index: SearchIndex) -> None:
    assert {"TR-KHK-M", "TR-GRY-M", "TP-BLK-M"} <= set(skus(index, q="pants"))


async def test_shoes_finds_sneakers_but_sneakers_does_not_find_formal_shoes(
    index: SearchIndex,
) -> None:
    assert {*SNEAKERS, "FS-BRN-M"} <= set(skus(index, q="shoes"))
    assert set(skus(index, q="sneakers")) == SNEAKERS  # SN-BLU-U is named "trainers"


async def test_ethnic_finds_festive_kurtas_and_sarees(index: SearchIndex) -> None:
    assert {"KU-RED-W", "KU-WHT-M", "SA-PNK-W"} <= set(skus(index, q="ethnic"))
    assert {"KU-RED-W", "KU-WHT-M"} <= set(skus(index, q="wedding kurta"))


async def test_hinglish_words_find_shoes_and_colours(index: SearchIndex) -> None:
    assert {*SNEAKERS, "FS-BRN-M"} <= set(skus(index, q="joota"))
    assert skus(index, q="mujhe lal kurta chahiye") == ["KU-RED-W"]


async def test_kurti_and_kurta_find_each_other(index: SearchIndex) -> None:
    assert set(skus(index, q="kurti")) == KURTAS


@pytest.mark.parametrize(
    ("typo", "expected"),
    [
        ("jeens", {"JN-BLK-M", "JN-BLU-W"}),
        ("kurtha", KURTAS),
        ("snekers", SNEAKERS),
        ("shrit", SHIRTS),
        ("sunglases", {"SG-BLK-U"}),
    ],
)
async def test_typos_are_understood(index: SearchIndex, typo: str, expected: set[str]) -> None:
    assert set(skus(index, q=typo)) == expected


async def test_nonsense_and_short_unknown_words_find_nothing(index: SearchIndex) -> None:
    assert search(index, Query(q="xqzvw")).total == 0
    assert search(index, Query(q="jen")).total == 0  # too short to guess a typo


async def test_query_of_only_filler_words_browses(index: SearchIndex) -> None:
    assert search(index, Query(q="show me something")).total == len(ROWS)


# --- relevance ---------------------------------------------------------------------------------


async def test_exact_name_match_ranks_first(index: SearchIndex) -> None:
    assert skus(index, q="men white formal shirt")[0] == "SH-WHT-M"
    assert skus(index, q="white kurta")[0] == "KU-WHT-M"
    assert skus(index, q="black jeans")[0] == "JN-BLK-M"


async def test_men_blue_shirt_finds_mens_blue_shirts_only(index: SearchIndex) -> None:
    result = search(index, Query(q="men blue shirt"))
    assert [d.sku for d in result.docs] == ["SH-BLU-M"]  # not the discontinued one
    assert result.exact


async def test_men_query_includes_unisex_products(index: SearchIndex) -> None:
    found = skus(index, q="men tshirt")
    assert found[0] == "TS-GRY-M"  # made for men: ahead of the unisex tee
    assert "TS-BLK-U" in found
    assert "TS-RED-B" not in found


async def test_when_no_product_has_every_word_the_closest_are_shown(index: SearchIndex) -> None:
    result = search(index, Query(q="gucci shirt"))
    assert {d.sku for d in result.docs} == SHIRTS
    assert not result.exact


async def test_discontinued_products_are_not_found(index: SearchIndex) -> None:
    assert index.get("SH-OLD-M") is None
    assert search(index, Query(q="old")).total == 0


# --- filters -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"category": "jeans"}, {"JN-BLK-M", "JN-BLU-W"}),
        ({"category": "T-Shirts"}, TSHIRTS),
        ({"category": "no-such-thing"}, set()),
        ({"category": "footwear"}, {*SNEAKERS, "FS-BRN-M"}),
        ({"category": "accessories"}, {"BE-BRN-M", "HB-TAN-W", "WA-BLK-M", "SG-BLK-U"}),
        ({"color": "BLUE"}, {"SH-BLU-M", "SH-NVY-W", "JN-BLU-W", "SN-BLU-U", "SW-NVY-M"}),
        ({"color": "navy blue"}, {"SH-NVY-W", "SW-NVY-M"}),
        ({"brand": "puma"}, {"TP-BLK-M", "SN-BLU-U"}),
        ({"occasion": "Festive"}, {"KU-RED-W", "KU-WHT-M", "SA-PNK-W"}),
        ({"size": "uk8"}, {"SN-WHT-M", "SN-BLU-U", "FS-BRN-M"}),
        ({"size": "Free Size"}, {"SA-PNK-W", "HB-TAN-W", "WA-BLK-M", "SG-BLK-U"}),
        ({"gender": "boys"}, {"TS-RED-B"}),
        ({"min_price": 4999}, {"SA-PNK-W", "SN-WHT-M", "SG-BLK-U"}),
        ({"max_price": 399}, {"TS-BLK-U", "TS-RED-B"}),
        ({"min_price": 1499, "max_price": 1799}, {"KU-RED-W", "TR-GRY-M", "TR-KHK-M"}),
        ({"min_price": 2000, "max_price": 1000}, set()),
    ],
)
async def test_each_filter_admits_exactly_its_products(
    index: SearchIndex, filters: dict[str, Any], expected: set[str]
) -> None:
    result = search(index, Query(limit=100, **filters))
    assert {d.sku for d in result.docs} == expected
    assert result.total == len(expected)


async def test_gender_filter_for_men_includes_unisex(index: SearchIndex) -> None:
    found = set(skus(index, gender="Men"))
    assert {"TS-BLK-U", "SN-BLU-U", "SG-BLK-U", "SH-BLU-M"} <= found
    assert not found & {"SH-NVY-W", "KU-RED-W", "TS-RED-B"}


async def test_filters_combine_with_each_other_and_with_words(index: SearchIndex) -> None:
    assert skus(index, category="shirt", gender="men", color="blue", max_price=1500) == ["SH-BLU-M"]
    assert skus(index, q="shirt", gender="women") == ["SH-NVY-W"]
    assert set(skus(index, q="black", gender="men", size="M")) == {"TS-BLK-U", "TP-BLK-M"}


# --- order and pages ---------------------------------------------------------------------------


async def test_without_words_most_popular_come_first(index: SearchIndex) -> None:
    expected = [r[0] for r in sorted(ROWS, key=lambda r: (-r[8] * math.log1p(r[9]), r[0]))]
    assert skus(index) == expected


async def test_pages_are_disjoint_and_total_is_stable(index: SearchIndex) -> None:
    for query in ({}, {"q": "men"}, {"gender": "women"}):
        everything = skus(index, **query)
        pages, totals = [], set()
        for offset in range(0, len(everything) + 5, 5):
            result = search(index, Query(limit=5, offset=offset, **query))
            pages += [d.sku for d in result.docs]
            totals.add(result.total)
        assert pages == everything
        assert totals == {len(everything)}


# --- personalisation ---------------------------------------------------------------------------


async def test_preferred_colour_and_brand_come_first_without_removing_others(
    index: SearchIndex,
) -> None:
    prefs = {"colors": ["Blue"], "brands": ["Roadster"], "sizes": {"top": "M"}}
    boost = boosts(index, profile_for(index, preferences=prefs, purchase_history=[], recent=[]))
    assert skus(index, category="shirt", gender="men") == ["SH-WHT-M", "SH-BLU-M"]
    assert skus(index, boost, category="shirt", gender="men") == ["SH-BLU-M", "SH-WHT-M"]
    assert skus(index, boost, q="shirt")[0] == "SH-BLU-M"
    assert set(skus(index, boost, q="shirt")) == SHIRTS


async def test_brand_bought_before_is_preferred(index: SearchIndex) -> None:
    history = [{"sku": "JN-BLU-W", "qty": 1, "amount": 1999, "date": "2024-11-02"}]
    boost = boosts(index, profile_for(index, preferences={}, purchase_history=history, recent=[]))
    assert skus(index, q="jeans") == ["JN-BLK-M", "JN-BLU-W"]
    assert skus(index, boost, q="jeans") == ["JN-BLU-W", "JN-BLK-M"]


async def test_recently_viewed_products_are_boosted(index: SearchIndex) -> None:
    profile = profile_for(index, preferences=None, purchase_history=None, recent=["SW-NVY-M"])
    assert skus(index, boosts(index, profile), q="navy")[0] == "SW-NVY-M"


async def test_a_preferred_group_of_categories_lifts_all_of_them(index: SearchIndex) -> None:
    profile = profile_for(
        index, preferences={"categories": ["ethnic wear"]}, purchase_history=[], recent=[]
    )
    before = skus(index, gender="women")
    after = skus(index, boosts(index, profile), gender="women")
    assert sorted(after) == sorted(before)
    for ethnic in ("KU-RED-W", "KU-YEL-W", "SA-PNK-W"):
        assert after.index(ethnic) <= before.index(ethnic)
    assert after.index("SA-PNK-W") < before.index("SA-PNK-W")


async def test_malformed_preferences_and_history_are_ignored(index: SearchIndex) -> None:
    profile = profile_for(
        index,
        preferences={"colors": 5, "budget": "lots", "brands": None, "sizes": {"top": ["M"]}},
        purchase_history=["junk", {"sku": "NO-SUCH-SKU"}, {"qty": 2}, 7],
        recent=[None, {"sku": "SN-BLU-U"}, "NO-SUCH-SKU", 42, {"no": "sku"}],
    )
    assert profile.viewed_skus == {"SN-BLU-U"}
    assert profile_for(index, preferences=[], purchase_history=3, recent=5) == profile_for(
        index, preferences=None, purchase_history=None, recent=None
    )
    assert search(index, Query(), boosts=boosts(index, profile)).total == len(ROWS)


# --- freshness ---------------------------------------------------------------------------------


def jacket(sku: str = "JK-OLV-M") -> Product:
    return product(sku, "Men Olive Bomber Jacket", "Roadster", "jacket", "men", "Olive", 2999)


async def test_index_rebuilds_after_a_catalog_write(
    maker: async_sessionmaker[AsyncSession], index: SearchIndex
) -> None:
    holder = CatalogSearch(index)
    await add_products(maker, [jacket()])
    fresh = await holder.refresh(maker)
    assert fresh is not index
    assert skus(fresh, q="bomber") == ["JK-OLV-M"]
    assert search(index, Query(q="bomber")).total == 0  # the old snapshot was not touched


async def test_refresh_without_a_catalog_write_keeps_the_index(
    maker: async_sessionmaker[AsyncSession], index: SearchIndex
) -> None:
    holder = CatalogSearch(index)
    assert await holder.refresh(maker) is index


async def test_background_refresh_picks_up_writes_of_other_processes(
    maker: async_sessionmaker[AsyncSession], index: SearchIndex
) -> None:
    holder = CatalogSearch(index, check_interval=0.01)
    task = asyncio.create_task(holder.keep_fresh(maker))
    try:
        await add_products(maker, [jacket()])
        async with asyncio.timeout(10):
            while holder.index.get("JK-OLV-M") is None:
                await asyncio.sleep(0.01)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_concurrent_refreshes_share_one_rebuild(
    maker: async_sessionmaker[AsyncSession], index: SearchIndex
) -> None:
    holder = CatalogSearch(index)
    await add_products(maker, [jacket()])
    seen = await asyncio.gather(*(holder.refresh(maker) for _ in range(10)))
    assert {id(i) for i in seen} == {id(holder.index)}
    assert holder.index.get("JK-OLV-M") is not None


async def test_a_failing_store_keeps_the_last_index(index: SearchIndex) -> None:
    holder = CatalogSearch(index)
    engine = create_async_engine("sqlite+aiosqlite:////nonexistent/dir/x.db")
    try:
        assert await holder.refresh(create_sessionmaker(engine)) is index
    finally:
        await engine.dispose()
