"""The start check (``threadline serve`` / ``migrate``) reaches PostgreSQL as the app does."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import make_settings, run_sync
from tests.e2e.test_server_process import THREADLINE, free_port
from threadline.db import create_engine
from threadline.ops import preflight


@pytest.mark.postgresql
def test_url_options_the_app_accepts_pass_the_check(pg_database: str) -> None:
    preflight.check_store(make_settings(pg_database + "?ssl=prefer"))


@pytest.mark.postgresql
def test_libpq_options_in_the_url_reach_the_driver(pg_database: str) -> None:
    # Hosts hand out URLs with libpq's names; asyncpg spells them otherwise.
    url = pg_database + "?sslmode=prefer&connect_timeout=7&application_name=threadline-check"
    settings = make_settings(url)
    preflight.check_store(settings)

    async def application_name() -> str:
        engine = create_engine(settings)
        try:
            async with engine.connect() as conn:
                return str((await conn.execute(text("SHOW application_name"))).scalar())
        finally:
            await engine.dispose()

    assert run_sync(application_name()) == "threadline-check"


def test_an_unreachable_postgresql_is_one_line() -> None:
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/test"
    with pytest.raises(preflight.StoreNotUsable) as raised:
        preflight.check_store(make_settings(url))
    message = str(raised.value)
    assert "cannot be reached" in message, message
    assert "\n" not in message, message


def test_a_file_that_is_not_sqlite_is_named(tmp_path: Path) -> None:
    database = tmp_path / "threadline.db"
    database.write_bytes(os.urandom(8192))
    with pytest.raises(preflight.StoreNotUsable) as raised:
        preflight.check_store(make_settings(f"sqlite:///{database}"))
    assert str(database) in str(raised.value)
    done = subprocess.run(
        [THREADLINE, "migrate"],
        env={**os.environ, "DATABASE_URL": f"sqlite:///{database}"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output, output
    assert f"cannot open the SQLite file {database}" in output, output
