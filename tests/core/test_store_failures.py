"""A store that is away, full or read-only is a 503 with the contract's body; a bug stays a 500.

The errors are the drivers' own: SQLite's come from real sqlite3 connections (a read-only
one, one whose page limit is reached); asyncpg's are its exception classes, wrapped the way
SQLAlchemy wraps them (``DBAPIError`` whose ``orig`` was raised from the asyncpg error).
The end-to-end versions (a real PostgreSQL restarted, a real full disk) are in
``tests/e2e/test_faults.py``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import create_async_engine

from threadline.core import handlers
from threadline.core.middleware import RequestContextMiddleware
from threadline.db import store_failure


def _sqlite_error(tmp_path: Path, trouble: str) -> sqlite3.Error:
    path = tmp_path / "store.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (x TEXT UNIQUE)")
        db.execute("INSERT INTO t VALUES ('a')")
    db = sqlite3.connect(f"file:{path}?mode=ro" if trouble == "read_only" else path, uri=True)
    statement = {
        "read_only": "INSERT INTO t VALUES ('b')",
        "full": "INSERT INTO t VALUES (zeroblob(100000))",
        "constraint": "INSERT INTO t VALUES ('a')",
        "syntax": "INSERT INTO no_such_table VALUES (1)",
    }[trouble]
    if trouble == "full":
        db.execute("PRAGMA max_page_count = 3")
    try:
        db.execute(statement)
    except sqlite3.Error as error:
        return error
    finally:
        db.close()
    raise AssertionError("no error")


def _wrapped(error: Exception, cls: type[sa_exc.DBAPIError] = sa_exc.DBAPIError) -> Exception:
    """``error`` as SQLAlchemy raises it: a DBAPIError around the driver's error."""
    try:
        try:
            raise error
        except Exception as driver:
            adapted = RuntimeError(str(driver))
            raise adapted from driver
    except RuntimeError as adapted:
        return cls("SELECT 1", {}, adapted)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("trouble", "kind"),
    [("read_only", "read_only"), ("full", "full"), ("constraint", None), ("syntax", None)],
)
def test_sqlite_errors_are_told_apart(tmp_path: Path, trouble: str, kind: str | None) -> None:
    error = _sqlite_error(tmp_path, trouble)
    assert store_failure(error) == kind
    assert store_failure(sa_exc.OperationalError("INSERT", {}, error)) == kind


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (
            asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
            "unavailable",
        ),
        (asyncpg.exceptions.AdminShutdownError("terminating connection"), "unavailable"),
        (asyncpg.exceptions.TooManyConnectionsError("too many clients"), "unavailable"),
        (asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"), "unavailable"),
        (asyncpg.exceptions.DiskFullError("could not extend file"), "full"),
        (asyncpg.exceptions.ReadOnlySQLTransactionError("read-only transaction"), "read_only"),
        (asyncpg.exceptions.UniqueViolationError("duplicate key"), None),
        (asyncpg.exceptions.UndefinedTableError("relation does not exist"), None),
        (asyncpg.exceptions.QueryCanceledError("canceling statement"), None),
    ],
)
def test_postgresql_errors_are_told_apart(error: Exception, kind: str | None) -> None:
    assert store_failure(_wrapped(error)) == kind


def test_an_invalidated_connection_and_an_exhausted_pool_are_unavailable() -> None:
    lost = sa_exc.DBAPIError("SELECT 1", {}, RuntimeError("gone"), connection_invalidated=True)
    assert store_failure(lost) == "unavailable"
    assert store_failure(sa_exc.TimeoutError("QueuePool limit reached")) == "unavailable"


async def test_an_os_error_counts_only_when_the_store_client_raised_it() -> None:
    def ours() -> None:
        raise ConnectionRefusedError("our own outbound call")

    with pytest.raises(ConnectionRefusedError) as raised:
        ours()
    assert store_failure(raised.value) is None
    # The same error from the store's client: nothing listens on port 1.
    engine = create_async_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    try:
        with pytest.raises(ConnectionRefusedError) as raised:
            async with engine.connect():
                pass
    finally:
        await engine.dispose()
    assert store_failure(raised.value) == "unavailable"


def _app(error: Callable[[], Exception]) -> FastAPI:
    app = FastAPI()
    handlers.install(app)

    @app.get("/boom")
    async def boom() -> None:
        raise error()

    app.add_middleware(RequestContextMiddleware, access_log=False)
    return app


async def _get(app: FastAPI) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.get("/boom")


async def test_an_unreachable_store_is_503_database_unavailable_with_retry_after() -> None:
    starting = asyncpg.exceptions.CannotConnectNowError("the database system is starting up")
    response = await _get(_app(lambda: _wrapped(starting)))
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "database_unavailable"
    assert response.json()["error"]["message"]
    assert int(response.headers["Retry-After"]) > 0


async def test_a_full_disk_is_503_storage_full(tmp_path: Path) -> None:
    full = _sqlite_error(tmp_path, "full")
    response = await _get(_app(lambda: sa_exc.OperationalError("INSERT", {}, full)))
    assert response.status_code == 503
    assert response.json() == {
        "error": {
            "code": "storage_full",
            "message": "The server's disk is full, so this change could not be saved; "
            "please retry later.",
        }
    }
    assert int(response.headers["Retry-After"]) >= 2


async def test_a_read_only_store_is_503(tmp_path: Path) -> None:
    read_only = _sqlite_error(tmp_path, "read_only")
    response = await _get(_app(lambda: sa_exc.OperationalError("INSERT", {}, read_only)))
    assert response.status_code == 503
    assert "read-only" in response.json()["error"]["message"]


@pytest.mark.parametrize("trouble", ["constraint", "syntax"])
async def test_a_bug_in_a_statement_stays_a_500(tmp_path: Path, trouble: str) -> None:
    error = _sqlite_error(tmp_path, trouble)
    cls = sa_exc.IntegrityError if trouble == "constraint" else sa_exc.OperationalError
    response = await _get(_app(lambda: cls("INSERT", {}, error)))
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"


async def test_an_os_error_of_our_own_stays_a_500() -> None:
    response = await _get(_app(lambda: ConnectionRefusedError("an outbound call")))
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
