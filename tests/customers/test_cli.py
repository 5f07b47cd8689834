"""The ``threadline`` command on a SQLite file: import, link a phone, show, purge, migrate.

Plain (sync) tests: the CLI runs its own event loop with ``asyncio.run``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from typer.testing import CliRunner

from tests.conftest import make_settings, run_sync
from tests.customers.helpers import SEED_CSV
from tests.factories import start
from threadline.app import create_app
from threadline.cli import app as cli
from threadline.config import get_settings
from threadline.core.clock import clock

runner = CliRunner()


@pytest.fixture
def sqlite_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def run(*args: str) -> tuple[int, str]:
    """Exit code and output, with rich's line wrapping folded back into single spaces."""
    # A wide terminal: rich's error box breaks long paths (tmp_path) mid-word otherwise.
    result = runner.invoke(cli, list(args), env={"COLUMNS": "1000"})
    return result.exit_code, " ".join(result.output.split())


@pytest.fixture
def imported(sqlite_url: str) -> str:
    code, output = run("import", "customers", str(SEED_CSV))
    assert code == 0, output
    return sqlite_url


@pytest.mark.usefixtures("sqlite_url")
def test_import_customers_reports_350_added_and_the_missing_phone_column():
    code, output = run("import", "customers", str(SEED_CSV))

    assert code == 0, output
    assert "read 350 rows" in output
    assert "350 added" in output
    assert "0 rejected" in output
    assert "no phone column" in output


@pytest.mark.usefixtures("imported")
def test_import_customers_twice_reports_updates_not_additions():
    code, output = run("import", "customers", str(SEED_CSV))

    assert code == 0, output
    assert "0 added" in output
    assert "350 updated" in output


@pytest.mark.usefixtures("sqlite_url")
def test_import_customers_lists_rejected_rows_with_line_numbers(tmp_path: Path):
    path = tmp_path / "bad.csv"
    path.write_text("customer_id,loyalty_tier\nX1,gold\nX2,diamond\n", encoding="utf-8")

    code, output = run("import", "customers", str(path))

    assert code == 0, output
    assert "1 added" in output
    assert "1 rejected" in output
    assert "diamond" in output


@pytest.mark.usefixtures("sqlite_url")
def test_import_customers_of_a_missing_file_fails(tmp_path: Path):
    code, output = run("import", "customers", str(tmp_path / "nope.csv"))

    assert code != 0
    assert "nope.csv" in output


@pytest.mark.usefixtures("imported")
def test_link_phone_stores_the_number_in_e164_and_show_prints_it():
    code, output = run("customers", "link-phone", "101", "9876500001")

    assert code == 0, output
    assert "+919876500001" in output
    code, shown = run("customers", "show", "101")
    assert code == 0, shown
    assert "+919876500001" in shown
    assert "Neha Mehta" in shown
    assert "gold" in shown


@pytest.mark.usefixtures("imported")
def test_link_phone_with_letters_fails_with_a_clear_message():
    code, output = run("customers", "link-phone", "101", "abc")

    assert code != 0
    assert "error" in output
    assert "digits" in output
    _, shown = run("customers", "show", "101")
    assert "+91" not in shown


@pytest.mark.usefixtures("imported")
def test_link_phone_for_an_unknown_customer_fails_with_a_clear_message():
    code, output = run("customers", "link-phone", "999999", "9876500002")

    assert code == 1
    assert "No customer has the id '999999'" in output


@pytest.mark.usefixtures("imported")
def test_link_phone_already_used_by_another_customer_fails_without_changes():
    assert run("customers", "link-phone", "101", "9876500003")[0] == 0

    code, output = run("customers", "link-phone", "102", "9876500003")

    assert code == 1
    assert "already belongs to customer 101" in output
    _, shown = run("customers", "show", "102")
    assert "+919876500003" not in shown


@pytest.mark.usefixtures("imported")
def test_link_phone_replaces_an_existing_phone_only_with_replace():
    assert run("customers", "link-phone", "101", "9876500004")[0] == 0

    refused, message = run("customers", "link-phone", "101", "9876500005")
    replaced, _ = run("customers", "link-phone", "101", "9876500005", "--replace")

    assert refused == 1
    assert "--replace" in message
    assert replaced == 0
    _, shown = run("customers", "show", "101")
    assert "+919876500005" in shown


@pytest.mark.usefixtures("sqlite_url")
def test_show_an_unknown_customer_fails():
    code, output = run("customers", "show", "nobody")

    assert code == 1
    assert "no customer nobody" in output


async def _start_session(url: str, phone: str) -> None:
    app = create_app(make_settings(url))
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://threadline.test") as c:
            await start(c, phone)


def test_sessions_purge_reports_how_many_sessions_it_removed(sqlite_url: str):
    run_sync(_start_session(sqlite_url, "+919876500006"))
    run_sync(_start_session(sqlite_url, "+919876500007"))
    clock.advance(timedelta(days=8))

    code, output = run("sessions", "purge")
    again_code, again = run("sessions", "purge")

    assert code == 0, output
    assert "2 expired sessions removed" in output
    assert again_code == 0, again
    assert "0 expired sessions removed" in again


def test_sessions_purge_keeps_live_sessions(sqlite_url: str):
    run_sync(_start_session(sqlite_url, "+919876500008"))

    code, output = run("sessions", "purge")

    assert code == 0, output
    assert "0 expired sessions removed" in output


def test_migrate_creates_the_schema_on_a_new_store(sqlite_url: str, tmp_path: Path):
    code, output = run("migrate")

    assert code == 0, output
    assert "schema is up to date on sqlite" in output
    assert (tmp_path / "cli.db").exists()
    # Running it again is harmless.
    assert run("migrate")[0] == 0
