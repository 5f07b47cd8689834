"""Files the importer meets in the wild: none of them may stop the rows that are fine."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from tests.customers.helpers import count_customers, import_file, load


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


async def test_undecodable_nul_huge_and_infinite_cells_reject_only_their_rows(
    app: FastAPI, tmp_path: Path
):
    huge = b"x" * 200_000
    data = (
        b"customer_id,name,notes\n"
        b"G1,Asha Rao,ok\n"
        b"B1,R\xe9vi,latin-1 byte\n"
        b"G2,Kiran Das,ok\n"
        b"B2,Nul\x00Name,nul\n"
        b"B3,Big," + huge + b"\n"
        b"B4,Inf Value,1e400\n"
        b"G3,Meera Nair,ok\n"
    )
    report = await import_file(app, _write(tmp_path / "hostile.csv", data))

    reasons = dict(report.rejected)
    assert report.inserted == 4, report.rejected  # G1, G2, G3 and B4 (its cell is kept as text)
    assert "UTF-8" in reasons[3]
    assert "NUL" in reasons[5]
    assert "longer than" in reasons[6]
    assert await count_customers(app) == 4
    b4 = await load(app, "B4")
    assert b4 is not None
    assert b4.profile["notes"] == "1e400"


async def test_non_finite_number_in_history_rejects_the_row(app: FastAPI, tmp_path: Path):
    data = (
        b"customer_id,purchase_history\n"
        b'H1,"[{""amount"": 1e400}]"\n'
        b'H2,"[{""amount"": NaN}]"\n'
        b'H3,"[{""amount"": 10.5}]"\n'
    )
    report = await import_file(app, _write(tmp_path / "history.csv", data))
    assert [line for line, _ in report.rejected] == [2, 3]
    h3 = await load(app, "H3")
    assert h3 is not None
    assert h3.purchase_history == [{"amount": 10.5}]
