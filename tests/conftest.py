"""Test fixtures: every API test runs once on SQLite and once on PostgreSQL.

PostgreSQL comes from ``TEST_DATABASE_URL`` (default: the local server's ``test`` database);
the suite creates its own scratch database there and drops it afterwards.  With
``TEST_STORES=sqlite`` only SQLite runs (a machine without PostgreSQL); CI sets
``REQUIRE_POSTGRES=1`` and then an unreachable PostgreSQL is a failure, never a skip.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from threadline.app import create_app
from threadline.config import Settings
from threadline.core.clock import clock

SERVICE_KEY = "test-service-key-0123456789"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
PG_BASE_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
STORES = [s for s in os.environ.get("TEST_STORES", "sqlite,postgresql").split(",") if s]
TABLES = (
    "staff_sessions",
    "staff_users",
    "session_activity",
    "search_misses",
    "channel_outbox",
    "channel_inbox",
    "channel_statuses",
    "channel_links",
    "chat_turns",
    "session_handoffs",
    "session_tokens",
    "sessions",
    "otp_codes",
    "auth_throttle",
    "returns",
    "order_events",
    "order_lines",
    "orders",
    "idempotency_keys",
    "payment_attempts",
    "loyalty_ledger",
    "coupon_redemptions",
    "coupons",
    "offers",
    "loyalty_tiers",
    "stock",
    "stores",
    "products",
    "catalog_state",
    "customers",
)
T = TypeVar("T")


def pg_url(database: str) -> str:
    return make_url(PG_BASE_URL).set(database=database).render_as_string(hide_password=False)


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from sync code, whether or not a loop is running here."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _admin(sql: str, url: str = PG_BASE_URL) -> Any:
    conn = await asyncpg.connect(_asyncpg_dsn(url), timeout=5)
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A scratch PostgreSQL database for this test run; yields its plain URL."""
    name = f"threadline_test_{uuid.uuid4().hex[:10]}"
    try:
        run_sync(_admin(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError) as exc:
        message = f"PostgreSQL at {PG_BASE_URL} is unreachable: {exc!r}"
        if os.environ.get("REQUIRE_POSTGRES"):
            message += " (REQUIRE_POSTGRES is set, so this fails rather than skips)"
        pytest.fail(message + "; start it, or run `make test-sqlite`")
    try:
        yield pg_url(name)
    finally:
        run_sync(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=STORES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store: a new SQLite file, or the PostgreSQL scratch database emptied first."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'threadline.db'}"
    url: str = request.getfixturevalue("pg_database")
    tables = ", ".join(TABLES)
    run_sync(
        _admin(
            "DO $$ BEGIN IF to_regclass('public.customers') IS NOT NULL THEN "
            f"TRUNCATE {tables} CASCADE; END IF; END $$",
            url,
        )
    )
    return url


def make_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "environment": "test",
        "service_api_key": SERVICE_KEY,
        "load_demo_data": False,
        "session_purge_interval_seconds": 0,
        "order_release_interval_seconds": 0,
        "log_level": "INFO",
        # Fast hashing keeps password tests quick; production parameters live in Settings.
        "argon2_time_cost": 1,
        "argon2_memory_kib": 1024,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """A started app with these settings and an HTTP client for it."""
    application = create_app(settings)
    transport = httpx.ASGITransport(app=application)
    async with (
        LifespanManager(application),
        httpx.AsyncClient(transport=transport, base_url="http://threadline.test") as client,
    ):
        yield application, client


@pytest.fixture
async def app_and_client(settings: Settings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    async with running(settings) as pair:
        yield pair


@pytest.fixture
def app(app_and_client: tuple[FastAPI, httpx.AsyncClient]) -> FastAPI:
    return app_and_client[0]


@pytest.fixture
def client(app_and_client: tuple[FastAPI, httpx.AsyncClient]) -> httpx.AsyncClient:
    return app_and_client[1]


@pytest.fixture(autouse=True)
def _reset_clock() -> Iterator[None]:
    yield
    clock.reset()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under xdist (``make test`` runs two workers), the tests of ``tests/e2e`` run on one
    worker, one after another: each starts servers and puts load on them, and two at once
    would take more PostgreSQL connections than its default 100 (and more cores than CI has)."""
    for item in items:
        if item.nodeid.startswith("tests/e2e/"):
            item.add_marker(pytest.mark.xdist_group("servers"))
