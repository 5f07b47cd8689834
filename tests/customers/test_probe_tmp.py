from pathlib import Path
from fastapi import FastAPI
from tests.customers.helpers import import_file, load, write_csv

async def test_probe(app: FastAPI, tmp_path: Path):
    path = write_csv(tmp_path / "n.csv", ["customer_id", "score"], [["N1", "NaN"], ["N2", "7"]])
    report = await import_file(app, path)
    print(report)
    c = await load(app, "N1")
    print(c.profile)
