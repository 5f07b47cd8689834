"""Row-level import rules: bad rows are reported by line and never stop the good ones."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from tests.customers.helpers import count_customers, import_file, load, must_load, write_csv
from tests.factories import new_phone, start

HEADER = ["customer_id", "phone", "name", "loyalty_tier", "loyalty_points", "purchase_history"]
# Line 1 is the header; each row's comment gives its line in the file.
MIXED_ROWS = [
    ["G1", "98765 43210", "Good One", "gold", "100", "[{'order_id': 'O1'}]"],  # 2
    ["", "9876543211", "No Id", "silver", "5", ""],  # 3
    ["B2", "12345", "Bad Phone", "silver", "5", ""],  # 4
    ["G2", "098765-43212", "Good Two", "Silver", "5", "[]"],  # 5
    ["B3", "9876543213", "Bad Tier", "diamond", "5", ""],  # 6
    ["B4", "9876543214", "Negative Points", "bronze", "-5", ""],  # 7
    ["B5", "9876543215", "Broken History", "bronze", "5", "[{'order_id': 'O2'"],  # 8
    ["G1", "9876543216", "Duplicate Id", "gold", "1", ""],  # 9
    ["B6", "+919876543210", "Phone Again", "bronze", "1", ""],  # 10
    ["G3", "", "Good Without Phone", "", "", ""],  # 11
    ["G4", "+91 98765 43217", "Good Four", "platinum", "9000", '[{"order_id": "O3"}]'],  # 12
]
# For each rejected line: words its reason must contain to name the problem.
EXPECTED_REASONS = {
    3: ["customer_id", "empty"],
    4: ["phone", "12345"],
    6: ["loyalty_tier", "diamond"],
    7: ["loyalty_points", "-5"],
    8: ["purchase_history"],
    9: ["customer_id", "G1", "earlier"],
    10: ["phone", "earlier"],
}


@pytest.fixture
def mixed_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "mixed.csv", HEADER, MIXED_ROWS)


async def test_each_bad_row_is_rejected_with_its_line_and_reason(app: FastAPI, mixed_csv: Path):
    report = await import_file(app, mixed_csv)

    assert report.read == len(MIXED_ROWS)
    rejected = dict(report.rejected)
    assert sorted(rejected) == sorted(EXPECTED_REASONS)
    for line, words in EXPECTED_REASONS.items():
        for word in words:
            assert word in rejected[line], f"line {line}: {rejected[line]!r} lacks {word!r}"


async def test_good_rows_are_all_imported_despite_bad_rows_between_them(
    app: FastAPI, mixed_csv: Path
):
    report = await import_file(app, mixed_csv)

    assert (report.inserted, report.updated) == (4, 0)
    assert await count_customers(app) == 4
    for customer_id in ("G1", "G2", "G3", "G4"):
        assert await load(app, customer_id) is not None, customer_id
    for customer_id in ("B2", "B3", "B4", "B5", "B6"):
        assert await load(app, customer_id) is None, customer_id


async def test_first_row_of_a_duplicated_customer_id_wins(app: FastAPI, mixed_csv: Path):
    await import_file(app, mixed_csv)

    customer = await load(app, "G1")

    assert customer is not None
    assert customer.name == "Good One"
    assert customer.loyalty_points == 100
    assert customer.purchase_history == [{"order_id": "O1"}]


async def test_phones_written_in_local_forms_are_stored_in_e164(app: FastAPI, mixed_csv: Path):
    await import_file(app, mixed_csv)

    phones = {cid: (await must_load(app, cid)).phone for cid in ("G1", "G2", "G3", "G4")}

    assert phones == {
        "G1": "+919876543210",  # "98765 43210"
        "G2": "+919876543212",  # "098765-43212"
        "G3": None,
        "G4": "+919876543217",  # "+91 98765 43217"
    }


async def test_tier_is_case_insensitive_and_defaults_to_bronze(app: FastAPI, mixed_csv: Path):
    await import_file(app, mixed_csv)

    silver = await load(app, "G2")
    blank = await load(app, "G3")

    assert silver is not None
    assert blank is not None
    assert silver.loyalty_tier == "silver"
    assert (blank.loyalty_tier, blank.loyalty_points) == ("bronze", 0)
    assert blank.purchase_history == []


async def test_line_numbers_count_physical_lines_after_a_multiline_field(
    app: FastAPI, tmp_path: Path
):
    path = write_csv(
        tmp_path / "multiline.csv",
        ["customer_id", "name", "loyalty_tier"],
        [
            ["M1", "Name over\ntwo lines", "gold"],  # lines 2-3
            ["M2", "Bad Tier", "diamond"],  # line 4
        ],
    )

    report = await import_file(app, path)

    assert [line for line, _ in report.rejected] == [4]
    customer = await load(app, "M1")
    assert customer is not None
    assert customer.name == "Name over\ntwo lines"


async def test_unhashable_python_literal_history_is_rejected_not_fatal(
    app: FastAPI, tmp_path: Path
):
    # ast.literal_eval raises TypeError (not ValueError/SyntaxError) for "{['x']: 1}".
    path = write_csv(
        tmp_path / "unhashable.csv",
        ["customer_id", "purchase_history"],
        [
            ["U1", "[{['x']: 1}]"],  # line 2
            ["U2", "[{'order_id': 'O9'}]"],  # line 3
        ],
    )

    report = await import_file(app, path)

    assert [line for line, _ in report.rejected] == [2]
    assert "purchase_history" in report.rejected[0][1]
    assert report.inserted == 1
    assert await load(app, "U2") is not None


async def test_phone_of_another_customer_in_the_store_is_rejected(
    app: FastAPI, client: httpx.AsyncClient, tmp_path: Path
):
    phone = new_phone()
    owner = (await start(client, phone))["session"]["customer_id"]
    path = write_csv(
        tmp_path / "taken.csv",
        ["customer_id", "phone", "name"],
        [
            ["T1", phone.replace("+91", "0"), "Wants Taken Phone"],  # line 2
            ["T2", new_phone(), "Own Phone"],  # line 3
        ],
    )

    report = await import_file(app, path)

    assert len(report.rejected) == 1
    line, reason = report.rejected[0]
    assert line == 2
    assert f"already belongs to customer {owner}" in reason
    assert report.inserted == 1
    assert await load(app, "T1") is None
    assert await load(app, "T2") is not None
    # The phone still opens the owner's record.
    again = await start(client, phone, "web")
    assert again["session"]["customer_id"] == owner


async def test_reimporting_a_customer_with_their_own_phone_is_not_a_conflict(
    app: FastAPI, tmp_path: Path
):
    phone = new_phone()
    path = write_csv(tmp_path / "own.csv", ["customer_id", "phone"], [["O1", phone]])
    await import_file(app, path)

    again = await import_file(app, path)

    assert again.rejected == []
    assert (again.inserted, again.updated) == (0, 1)
    customer = await load(app, "O1")
    assert customer is not None
    assert customer.phone == phone


async def test_reimport_applies_changed_values_to_the_existing_record(app: FastAPI, tmp_path: Path):
    header = ["customer_id", "name", "loyalty_tier", "loyalty_points"]
    await import_file(
        app, write_csv(tmp_path / "v1.csv", header, [["R1", "Ravi", "silver", "600"]])
    )

    report = await import_file(
        app, write_csv(tmp_path / "v2.csv", header, [["R1", "Ravi Kumar", "gold", "1600"]])
    )

    assert (report.inserted, report.updated) == (0, 1)
    customer = await load(app, "R1")
    assert customer is not None
    assert (customer.name, customer.loyalty_tier, customer.loyalty_points) == (
        "Ravi Kumar",
        "gold",
        1600,
    )


async def test_file_without_customer_id_column_imports_nothing_and_says_why(
    app: FastAPI, tmp_path: Path
):
    path = write_csv(tmp_path / "noid.csv", ["name", "phone"], [["Asha", "9876500009"]])

    report = await import_file(app, path)

    assert (report.inserted, report.updated, report.rejected) == (0, 0, [])
    assert any("no customer_id column" in note for note in report.notes)
    assert await count_customers(app) == 0


async def test_nan_or_infinity_in_an_extra_column_is_kept_as_text_not_fatal(
    app: FastAPI, tmp_path: Path
):
    # json.loads turns "NaN"/"Infinity" into floats that are not valid JSON for PostgreSQL.
    path = write_csv(
        tmp_path / "nan.csv",
        ["customer_id", "average_rating"],
        [["N1", "NaN"], ["N2", "Infinity"], ["N3", "4.5"]],
    )

    report = await import_file(app, path)

    assert (report.inserted, report.rejected) == (3, [])
    profiles = {cid: (await must_load(app, cid)).profile for cid in ("N1", "N2", "N3")}
    assert profiles == {
        "N1": {"average_rating": "NaN"},
        "N2": {"average_rating": "Infinity"},
        "N3": {"average_rating": 4.5},
    }
