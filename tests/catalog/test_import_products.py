"""Importing products: the two real files as they are, the native layout, mappings, bad rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.catalog.import_helpers import (
    MYNTRA_CSV,
    SEED_PRODUCTS_CSV,
    count,
    fetch,
    reasons,
    run,
    store,
    version,
    write_csv,
)
from threadline.catalog.importer import TARGET, LayoutError, import_products, parse_row
from threadline.catalog.inference import infer_category, infer_occasion
from threadline.catalog.layouts import detect, resolve_category
from threadline.catalog.models import Product
from threadline.core.csvimport import ImportReport, write_batch
from threadline.db import session_scope

NATIVE = ["sku", "name", "brand", "category", "gender", "color", "sizes", "price", "mrp"]
_NATIVE_LAYOUT = detect(["sku", "name", "price"])


async def test_myntra_export_imports_every_row_and_says_what_it_inferred(database_url: str):
    async with store(database_url) as maker:
        report = await run(maker, import_products, MYNTRA_CSV)

        assert (report.read, report.inserted, report.rejected) == (12_491, 12_491, [])
        notes = " | ".join(report.notes)
        assert "recognised the Myntra catalog export" in notes
        assert "categories inferred from product names for 12491 rows" in notes
        assert 'fell into "other"' in notes
        assert "sizes set to the category's standard size run for 12491 rows" in notes
        assert "MRP taken as the price for 12491 rows" in notes
        assert "894 rows have no colour" in notes
        async with maker() as db:
            by_category = dict(
                (
                    await db.execute(
                        select(Product.category, func.count()).group_by(Product.category)
                    )
                ).all()
            )
        assert by_category["other"] < 0.02 * 12_491  # nearly every name names its category
        assert by_category["kurta"] > 500
        assert by_category["home"] > 500  # curtains, cushion covers: not clothes, still kept

        bag = await fetch(maker, Product, "10017413")  # "DKNY … Medium Trolley Bag"
        assert (bag.category, bag.subcategory, bag.sizes) == ("bag", "Trolley Bag", ["Free Size"])
        assert bag.price_paise == bag.mrp_paise == 1_174_500
        assert (bag.brand, bag.gender, bag.color, bag.source) == (
            "DKNY",
            "unisex",
            "Black",
            "myntra",
        )
        kurta_set = await fetch(maker, Product, "10016283")  # "… Kurta Set with Jacket"
        assert kurta_set.category == "ethnic_set"
        assert kurta_set.sizes == ["S", "M", "L", "XL", "XXL"]
        assert kurta_set.attributes == {"num_images": "7"}
        assert await version(maker) >= 1


async def test_seed_products_file_imports_902_products_with_their_own_sizes(database_url: str):
    async with store(database_url) as maker:
        report = await run(maker, import_products, SEED_PRODUCTS_CSV)

        assert (report.read, report.inserted, report.updated, report.rejected) == (902, 902, 0, [])
        assert any("categories inferred from product names for 449 rows" in n for n in report.notes)
        flip_flops = await fetch(maker, Product, "SKU000001")
        assert flip_flops.name == "Men Black Possession Flip Flops"
        assert (flip_flops.category, flip_flops.gender, flip_flops.occasion) == (
            "flip_flops",
            "men",
            "casual",
        )
        assert flip_flops.sizes[0] == "US 6"
        assert (flip_flops.price_paise, flip_flops.mrp_paise) == (490_087, 724_805)
        assert (flip_flops.rating, flip_flops.rating_count) == (4.7, 234)
        assert (flip_flops.color, flip_flops.material) == ("Black", "Mesh")
        # A path inside the seed system's repository is no picture here: kept, not served.
        assert flip_flops.image_url is None
        assert flip_flops.attributes["original_image_url"] == "reebok_images/item_0.jpg"
        deo = await fetch(maker, Product, "SKU000002")
        assert (deo.category, deo.sizes) == ("beauty", ["Free Size"])
        assert await count(maker, Product, Product.category == "sunglasses") == 121


async def test_reimporting_a_file_adds_nothing_changes_nothing_and_keeps_the_version(
    database_url: str,
):
    async with store(database_url) as maker:
        await run(maker, import_products, SEED_PRODUCTS_CSV)
        before_version = await version(maker)
        before = await fetch(maker, Product, "SKU000001")

        again = await run(maker, import_products, SEED_PRODUCTS_CSV)

        assert (again.inserted, again.updated, again.unchanged, again.rejected) == (0, 0, 902, [])
        assert await version(maker) == before_version
        after = await fetch(maker, Product, "SKU000001")
        assert after.updated_at == before.updated_at


async def test_a_changed_row_is_updated_and_bumps_the_catalog_version(
    database_url: str, tmp_path: Path
):
    first = [["P1", "Blue Shirt", "Acme", "shirt", "Men", "Blue", "S;M", "999", "1299"]]
    second = [["P1", "Blue Shirt", "Acme", "shirt", "Men", "Blue", "S;M", "899", "1299"]]
    async with store(database_url) as maker:
        await run(maker, import_products, write_csv(tmp_path / "a.csv", NATIVE, first))
        before_version = await version(maker)

        report = await run(maker, import_products, write_csv(tmp_path / "b.csv", NATIVE, second))

        assert (report.inserted, report.updated, report.unchanged) == (0, 1, 0)
        assert (await fetch(maker, Product, "P1")).price_paise == 89_900
        assert await version(maker) == before_version + 1


async def test_native_layout_reads_category_words_sizes_rupees_and_extra_columns(
    database_url: str, tmp_path: Path
):
    header = [*NATIVE, "occasion", "image_url", "rating", "fabric_care"]
    rows = [
        ["N1", "Graphic Tee", "Acme", "T-shirts", "Boys", "Red", "", "1,299.50", "", "", "", "4.5", "Hand wash"],
        ["N2", "Silk Saree", "Acme", "", "Women", "Pink", "one size", "₹ 4999", "5999", "Wedding", "https://img.example/n2.jpg", "", ""],
    ]  # fmt: skip
    async with store(database_url) as maker:
        report = await run(maker, import_products, write_csv(tmp_path / "n.csv", header, rows))

        assert (report.inserted, report.rejected) == (2, [])
        tee = await fetch(maker, Product, "N1")
        assert (tee.category, tee.gender, tee.sizes[0]) == ("tshirt", "boys", "2-3Y")
        assert (tee.price_paise, tee.mrp_paise, tee.source) == (129_950, 129_950, "csv")
        assert tee.attributes == {"fabric_care": "Hand wash"}
        saree = await fetch(maker, Product, "N2")
        assert (saree.category, saree.sizes, saree.occasion) == ("saree", ["Free Size"], "festive")
        assert saree.image_url == "https://img.example/n2.jpg"


async def test_hostile_rows_are_rejected_one_by_one_with_line_and_reason(
    database_url: str, tmp_path: Path
):
    path = tmp_path / "hostile.csv"
    path.write_bytes(
        b"sku,name,price,mrp,rating\n"
        b"G1,Good One,499,599,4.1\n"
        b",No Sku,499,,\n"
        b"B2,,499,,\n"
        b"B3,Bad Price,abc,,\n"
        b"B4,Negative,-10,,\n"
        b"B5,Nul\x00Name,499,,\n"
        b"B6,Latin R\xe9vi,499,,\n"
        b"B7," + b"x" * 70_000 + b",499,,\n"
        b"B8,Above MRP,999,499,\n"
        b"G1,Duplicate,499,,\n"
        b"B9,Bad Rating,499,,7\n"
        b"G2,Good Two,1e3,,\n"
    )
    async with store(database_url) as maker:
        report = await run(maker, import_products, path)

        why = reasons(report)
        assert (report.read, report.inserted) == (12, 2)
        assert "sku is empty" in why[3]
        assert "name is empty" in why[4]
        assert "not an amount" in why[5]
        assert "from 0 to" in why[6]
        assert "NUL" in why[7]
        assert "UTF-8" in why[8]
        assert "longer than" in why[9]
        assert "below price" in why[10]
        assert "appears earlier in the file (line 2)" in why[11]
        assert "rating" in why[12]
        assert (await fetch(maker, Product, "G2")).price_paise == 100_000
        assert await count(maker, Product) == 2


async def test_mapping_reads_another_layout(database_url: str, tmp_path: Path):
    header = ["Item Code", "Title", "Label", "Cost (Rs)", "Kind"]
    rows = [["X-1", "Women Black Block Heels", "Acme", "1499", "Footwear"]]
    path = write_csv(tmp_path / "other.csv", header, rows)
    mapping = {"sku": "Item Code", "name": "Title", "brand": "Label", "price": "Cost (Rs)"}
    async with store(database_url) as maker:
        report = await run(maker, import_products, path, mapping=mapping, source="partner")

        assert (report.inserted, report.rejected) == (1, [])
        heels = await fetch(maker, Product, "X-1")
        assert (heels.category, heels.source, heels.brand) == ("sandals", "partner", "Acme")
        assert heels.attributes == {"kind": "Footwear"}


async def test_a_file_that_cannot_be_mapped_is_refused_before_any_row(
    database_url: str, tmp_path: Path
):
    path = write_csv(tmp_path / "x.csv", ["Item Code", "Title"], [["X-1", "Shirt"]])
    async with store(database_url) as maker:
        with pytest.raises(LayoutError, match="no price column"):
            await run(maker, import_products, path)
        with pytest.raises(LayoutError, match="lacks: Cost"):
            await run(maker, import_products, path, mapping={"price": "Cost"})
        assert await count(maker, Product) == 0


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("Libas Women Navy Blue Printed Straight Kurta", "kurta"),
        ("DKNY Unisex Black & Grey Printed Medium Trolley Bag", "bag"),
        ("AURELIA Women Red Kurta with Palazzos & Dupatta", "ethnic_set"),
        ("Puma Men Black Running Shoes", "sneakers"),
        ("Red Tape Men Black Formal Derbys", "formal_shoes"),
        ("Tokyo Talkies Women Mustard Shirt Dress", "dress"),
        ("HRX Men Polo Collar T-shirt", "tshirt"),
        ("Roadster Men Navy Slim Fit Casual Shirt", "shirt"),
        ("Soumya Turquoise Blue Single Long Door Curtains", "home"),
        ("Lakme Absolute Matte Lipstick", "beauty"),
        ("Kvsfab Women Yellow Embroidered Poly Georgette Saree", "saree"),
        ("boAt BassHeads 242 Wired Earphones", None),
    ],
)
def test_category_is_read_from_the_product_name(name: str, category: str | None):
    guess = infer_category(name)
    assert (guess.category if guess else None) == category


def test_a_name_that_contradicts_the_files_group_loses_to_the_group():
    # The seed file lists "Men United Runner White" under Shoes: a shoe, not a table runner.
    assert resolve_category("shoes", "Men United Runner White")[0] == "sneakers"
    assert resolve_category("topwear", "Men Sublime Grey T-shirt")[:1] == ("tshirt",)


def test_occasion_is_read_from_words_else_the_categorys_usual_one():
    assert infer_occasion("Women Maroon Wedding Lehenga", "ethnic_set") == "festive"
    assert infer_occasion("Men White Office Shirt", "shirt") == "formal"
    assert infer_occasion("Women Black Party Dress", "dress") == "party"
    assert infer_occasion("Men Grey Gym T-shirt", "tshirt") == "sports"
    assert infer_occasion("Men Black Derbys", "formal_shoes") == "formal"
    assert infer_occasion("Men Blue Shirt", "shirt") == "casual"


async def test_a_row_the_store_refuses_costs_only_that_row(database_url: str):
    # Rows the parser lets through can still break a constraint (a hand-built row here); the
    # batch is retried row by row inside savepoints and only the bad one is lost.
    good = parse_row({"sku": "OK1", "name": "Good", "price": "10"}, _NATIVE_LAYOUT, source="t")[0]
    other = {**good, "sku": "OK2"}
    bad = {**good, "sku": "BAD", "mrp_paise": good["price_paise"] - 1}
    async with store(database_url) as maker:
        report = ImportReport()
        async with session_scope(maker) as db:
            await write_batch(db, TARGET, [(2, good), (3, bad), (4, other)], report)

        assert (report.inserted, [line for line, _ in report.rejected]) == (2, [3])
        assert "refused" in report.rejected[0][1]
        assert await count(maker, Product) == 2


async def test_an_unclosed_quote_costs_only_the_rows_it_swallows(database_url: str, tmp_path: Path):
    path = tmp_path / "cut.csv"
    path.write_bytes(b'sku,name,price\nA1,Fine,100\nA2,"Never closed,100\nA3,Lost,100\n')
    async with store(database_url) as maker:
        report = await run(maker, import_products, path)

        # The quote runs to the end of the file: A2 swallows A3 and has no price left.
        assert (report.read, report.inserted) == (2, 1)
        assert reasons(report) == {4: "price is empty"}
