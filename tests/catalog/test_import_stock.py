"""Importing stock and stores: the seed system's files onto the demo shops, and bad rows."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from tests.catalog.import_helpers import (
    SEED_PRODUCTS_CSV,
    SEED_STOCK_CSV,
    SEED_STORES_CSV,
    Maker,
    count,
    fetch,
    reasons,
    run,
    store,
    write_csv,
)
from threadline.catalog import demo
from threadline.catalog.importer import import_products
from threadline.db import session_scope
from threadline.inventory.importer import import_stock, import_stores
from threadline.inventory.models import StockLevel, Store


async def _levels(maker: Maker, sku: str, store_id: str) -> dict[str, int]:
    async with maker() as db:
        rows = await db.execute(
            select(StockLevel.size, StockLevel.qty).where(
                StockLevel.sku == sku, StockLevel.store_id == store_id
            )
        )
        return dict(rows.all())


async def _demo_with_seed_products(maker: Maker) -> None:
    async with session_scope(maker) as db:
        await demo.load_if_empty(db, products=20)
    await run(maker, import_products, SEED_PRODUCTS_CSV)


async def test_seed_inventory_lands_on_the_demo_shops_spread_over_each_products_sizes(
    database_url: str,
):
    async with store(database_url) as maker:
        await _demo_with_seed_products(maker)

        report = await run(maker, import_stock, SEED_STOCK_CSV)

        assert (report.read, report.rejected) == (4510, [])
        assert any("no size column" in note and "spread" in note for note in report.notes)
        mumbai = await _levels(maker, "SKU000001", "STORE_MUMBAI")  # 182 units in the file
        assert sum(mumbai.values()) == 182
        assert mumbai == {f"US {n}": 26 for n in range(6, 13)}  # 182 = 7 sizes x 26
        delhi = await _levels(maker, "SKU000001", "STORE_DELHI")  # 249 = 7 x 35 + 4
        assert sorted(delhi.values()) == [35, 35, 35, 36, 36, 36, 36]
        one_size = await _levels(maker, "SKU000002", "STORE_DELHI")
        assert list(one_size) == ["Free Size"]
        seed_rows = await count(maker, StockLevel, StockLevel.sku.like("SKU%"))
        assert seed_rows == report.inserted


async def test_reimporting_the_seed_inventory_changes_nothing(database_url: str):
    async with store(database_url) as maker:
        await _demo_with_seed_products(maker)
        first = await run(maker, import_stock, SEED_STOCK_CSV)

        again = await run(maker, import_stock, SEED_STOCK_CSV)

        assert (again.inserted, again.updated, again.rejected) == (0, 0, [])
        assert again.unchanged == first.inserted


async def test_stock_import_sets_units_rather_than_adding_them(database_url: str, tmp_path: Path):
    header = ["sku", "size", "store_id", "qty"]
    async with store(database_url) as maker:
        async with session_scope(maker) as db:
            await demo.load_if_empty(db, products=5)
        five = write_csv(tmp_path / "a.csv", header, [["TL00001", "m", "STORE_PUNE", "5"]])
        two = write_csv(tmp_path / "b.csv", header, [["TL00001", "M", "STORE_PUNE", "2"]])

        await run(maker, import_stock, five)
        report = await run(maker, import_stock, two)

        assert (report.updated, report.rejected) == (1, [])
        assert (await _levels(maker, "TL00001", "STORE_PUNE"))["M"] == 2


async def test_bad_stock_rows_are_rejected_with_reasons(database_url: str, tmp_path: Path):
    rows = [
        ["TL00001", "L", "ONLINE", "7"],
        ["NOPE", "L", "ONLINE", "1"],
        ["TL00001", "L", "STORE_NOWHERE", "1"],
        ["TL00001", "XS", "ONLINE", "1"],
        ["TL00001", "L", "STORE_PUNE", "-4"],
        ["TL00001", "L", "STORE_DELHI", "2.5"],
        ["TL00001", "L", "STORE_KOLKATA", "many"],
        ["TL00001", "L", "ONLINE", "3"],
    ]
    path = write_csv(tmp_path / "stock.csv", ["sku", "size", "store_id", "qty"], rows)
    async with store(database_url) as maker:
        async with session_scope(maker) as db:
            await demo.load_if_empty(db, products=5)

        report = await run(maker, import_stock, path)

        why = reasons(report)
        assert report.read == 8
        assert "unknown sku 'NOPE'" in why[3]
        assert "unknown store 'STORE_NOWHERE'" in why[4]
        assert "size 'XS' is not one of S, M, L, XL, XXL" in why[5]
        assert "negative" in why[6]
        assert "not a whole number" in why[7]
        assert "not a whole number" in why[8]
        assert "appear earlier (line 2)" in why[9]
        assert (await _levels(maker, "TL00001", "ONLINE"))["L"] == 7


async def test_stock_for_a_store_with_no_shops_says_to_load_them_first(
    database_url: str, tmp_path: Path
):
    path = write_csv(tmp_path / "s.csv", ["sku", "store_id", "qty"], [["X", "STORE_PUNE", "1"]])
    async with store(database_url) as maker:
        report = await run(maker, import_stock, path)

        assert any("import stores" in note for note in report.notes)
        assert "unknown store" in reasons(report)[2]


async def test_seed_stores_file_imports_its_five_shops(database_url: str):
    async with store(database_url) as maker:
        report = await run(maker, import_stores, SEED_STORES_CSV)
        again = await run(maker, import_stores, SEED_STORES_CSV)

        assert (report.read, report.inserted, report.rejected) == (5, 5, [])
        assert (again.inserted, again.updated, again.unchanged) == (0, 0, 5)
        assert any("brand_covered" in note for note in report.notes)
        bengaluru = await fetch(maker, Store, "STORE_BANGALORE")
        assert bengaluru.name == "ABFRL City Hub Bengaluru"
        assert (bengaluru.kind, bengaluru.city, bengaluru.pincode) == (
            "store",
            "Bengaluru",
            "560055",
        )
        assert bengaluru.area == "Orion Mall, Rajajinagar"
        assert (bengaluru.latitude, bengaluru.longitude) == (13.0116, 77.5545)
        assert (bengaluru.opening_time, bengaluru.closing_time) == ("10:00", "22:00")
        assert (bengaluru.phone, bengaluru.is_active) == ("+91-9900012345", True)


async def test_bad_store_rows_are_rejected_and_warehouses_recognised(
    database_url: str, tmp_path: Path
):
    header = ["store_id", "name", "kind", "city", "latitude", "opening_time", "is_active"]
    rows = [
        ["WH_NAGPUR", "Nagpur DC", "Warehouse", "Nagpur", "21.1", "9:30", "yes"],
        ["S_BAD_LAT", "Somewhere", "store", "Goa", "123", "10:00", "yes"],
        ["S_BAD_TIME", "Somewhere", "store", "Goa", "15.4", "25:00", "yes"],
        ["S_NO_CITY", "Somewhere", "store", "", "15.4", "10:00", "yes"],
        ["S_MAYBE", "Somewhere", "store", "Goa", "15.4", "10:00", "perhaps"],
        ["S_CLOSED", "Old Shop", "Mall", "Goa", "15.4", "10:00", "Inactive"],
    ]
    async with store(database_url) as maker:
        report = await run(maker, import_stores, write_csv(tmp_path / "s.csv", header, rows))

        why = reasons(report)
        assert report.inserted == 2
        assert "latitude" in why[3]
        assert "not a time" in why[4]
        assert "city" in why[5]
        assert "neither yes nor no" in why[6]
        warehouse = await fetch(maker, Store, "WH_NAGPUR")
        assert (warehouse.kind, warehouse.opening_time) == ("warehouse", "09:30")
        assert (await fetch(maker, Store, "S_CLOSED")).is_active is False
