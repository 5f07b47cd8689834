"""A store that refuses writes (read-only here; full is the same path) never fails a read.

The sliding-expiry write a read may owe is skipped while a refused write is remembered; these
are the reads that come when nothing is remembered (the memory has lapsed, or the refusal is
the first one), so the touch is tried, refused, and the read must still answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.engine import Connection

from tests.factories import auth, start
from threadline import db as db_module
from threadline.core.clock import clock


@pytest.fixture
def refusing(app: FastAPI) -> Iterator[dict[str, bool]]:
    """While ``["on"]``, every write unit of work runs in a transaction the store refuses to
    write in (the store's own error: SQLITE_READONLY, PostgreSQL 25006)."""
    engine = app.state.engine.sync_engine
    state = {"on": False}
    sqlite = engine.dialect.name == "sqlite"

    def _on_checkin(dbapi_connection: Any, _record: Any) -> None:
        if sqlite and dbapi_connection is not None:  # the next BEGIN IMMEDIATE takes the lock,
            cursor = dbapi_connection.cursor()  # as it does on a full disk
            cursor.execute("PRAGMA query_only = OFF")
            cursor.close()

    def _on_begin(conn: Connection) -> None:
        if state["on"]:
            conn.exec_driver_sql(
                "PRAGMA query_only = ON" if sqlite else "SET TRANSACTION READ ONLY"
            )

    event.listen(engine, "checkin", _on_checkin)
    event.listen(engine, "begin", _on_begin)
    yield state
    state["on"] = False
    event.remove(engine, "begin", _on_begin)
    event.remove(engine, "checkin", _on_checkin)


def _forget_refusals() -> None:
    db_module._refused_at.clear()  # as when REFUSAL_MEMORY_SECONDS have passed


async def test_reads_whose_touch_is_refused_still_answer(
    client: httpx.AsyncClient, refusing: dict[str, Any]
) -> None:
    token = (await start(client))["session_token"]
    refusing["on"] = True

    for path in ("/session", "/cart", "/session", "/cart"):
        clock.advance(timedelta(minutes=2))  # the touch is due
        _forget_refusals()
        response = await client.get(path, headers=auth(token))
        assert response.status_code == 200, (path, response.text)

    refusing["on"] = False
    clock.advance(timedelta(minutes=2))
    _forget_refusals()
    assert (await client.get("/cart", headers=auth(token))).status_code == 200
    assert (await client.get("/session", headers=auth(token))).status_code == 200
