"""``threadline load-demo`` and ``threadline import products|stock|stores`` as staff run them.

Plain (sync) tests: the CLI runs its own event loop with ``asyncio.run``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.catalog.import_helpers import (
    SEED_PRODUCTS_CSV,
    SEED_STOCK_CSV,
    SEED_STORES_CSV,
    write_csv,
)
from threadline.cli import app as cli
from threadline.config import get_settings

runner = CliRunner()


@pytest.fixture
def cli_store(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


def run(*args: str) -> tuple[int, str]:
    """Exit code and output, with rich's line wrapping folded back into single spaces."""
    # A wide terminal: rich's error box breaks long paths (tmp_path) mid-word otherwise.
    result = runner.invoke(cli, list(args), env={"COLUMNS": "1000"})
    return result.exit_code, " ".join(result.output.split())


@pytest.mark.usefixtures("cli_store")
def test_load_demo_loads_customers_and_the_catalog_once():
    code, output = run("load-demo", "--count", "5", "--products", "100")
    again_code, again = run("load-demo", "--count", "5", "--products", "100")

    assert code == 0, output
    assert "5 demo customers loaded" in output
    assert "100 demo products loaded, with 8 locations and their stock" in output
    assert again_code == 0, again
    assert "catalog is not empty; no demo products loaded" in again


@pytest.mark.usefixtures("cli_store")
def test_import_products_reports_counts_and_inferences_then_nothing_new():
    code, output = run("import", "products", str(SEED_PRODUCTS_CSV))
    again_code, again = run("import", "products", str(SEED_PRODUCTS_CSV))

    assert code == 0, output
    assert "read 902 rows: 902 added, 0 updated, 0 unchanged, 0 rejected" in output
    assert "recognised the seed system's products file" in output
    assert "categories inferred from product names" in output
    assert again_code == 0, again
    assert "0 added, 0 updated, 902 unchanged, 0 rejected" in again


@pytest.mark.usefixtures("cli_store")
def test_import_products_lists_rejected_rows_with_line_and_reason(tmp_path: Path):
    path = write_csv(
        tmp_path / "p.csv",
        ["sku", "name", "price", "mrp"],
        [["A1", "Blue Shirt", "999", ""], ["A2", "Red Shirt", "999", "499"]],
    )

    code, output = run("import", "products", str(path))

    assert code == 0, output
    assert "1 added" in output
    assert "1 rejected" in output
    assert "Rejected rows" in output
    assert "mrp 499 is below price 999" in output


@pytest.mark.usefixtures("cli_store")
def test_import_products_with_a_mapping_inline_or_in_a_file(tmp_path: Path):
    path = write_csv(
        tmp_path / "o.csv", ["Code", "Title", "Cost"], [["Z1", "Men Navy Chinos", "1499"]]
    )
    mapping = {"sku": "Code", "name": "Title", "price": "Cost"}
    mapping_file = tmp_path / "mapping.json"
    mapping_file.write_text(json.dumps(mapping), encoding="utf-8")

    code, output = run("import", "products", str(path), "--mapping", json.dumps(mapping))
    file_code, from_file = run(
        "import", "products", str(path), "--mapping", str(mapping_file), "--source", "partner"
    )

    assert code == 0, output
    assert "1 added" in output
    assert file_code == 0, from_file
    assert "1 updated" in from_file  # only the source changed


@pytest.mark.usefixtures("cli_store")
def test_import_products_refuses_a_bad_mapping_or_an_unreadable_layout(tmp_path: Path):
    path = write_csv(tmp_path / "o.csv", ["Code", "Title"], [["Z1", "Men Navy Chinos"]])

    unknown, unknown_out = run("import", "products", str(path), "--mapping", '{"skew": "Code"}')
    no_price, no_price_out = run("import", "products", str(path))

    assert unknown == 2
    assert "unknown column(s) skew" in unknown_out
    assert no_price == 2
    assert "no sku or price column" in no_price_out
    assert "--mapping" in no_price_out


@pytest.mark.usefixtures("cli_store")
def test_import_stores_then_stock_for_the_seed_files():
    stores_code, stores = run("import", "stores", str(SEED_STORES_CSV))
    assert run("import", "products", str(SEED_PRODUCTS_CSV))[0] == 0

    stock_code, stock = run("import", "stock", str(SEED_STOCK_CSV))

    assert stores_code == 0, stores
    assert "read 5 rows: 5 added" in stores
    assert stock_code == 0, stock
    assert "read 4510 rows" in stock
    assert "0 rejected" in stock
    assert "spread evenly over the product's sizes" in stock


@pytest.mark.usefixtures("cli_store")
def test_import_stock_of_a_missing_file_fails(tmp_path: Path):
    code, output = run("import", "stock", str(tmp_path / "nope.csv"))

    assert code != 0
    assert "nope.csv" in output
