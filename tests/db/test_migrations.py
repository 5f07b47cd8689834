"""Migrations run upgrade → downgrade → upgrade on both stores, and match the models."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from tests.conftest import STORES, _admin, make_settings, pg_url
from threadline.db import async_url, create_engine
from threadline.migrations import migrate
from threadline.models import Base

APP_TABLES = {
    "staff_users",
    "staff_sessions",
    "session_activity",
    "search_misses",
    "channel_inbox",
    "channel_outbox",
    "channel_statuses",
    "channel_links",
    "chat_turns",
    "session_handoffs",
    "customers",
    "sessions",
    "session_tokens",
    "auth_throttle",
    "otp_codes",
    "products",
    "catalog_state",
    "stores",
    "stock",
    "coupons",
    "coupon_redemptions",
    "offers",
    "loyalty_tiers",
    "loyalty_ledger",
    "orders",
    "order_lines",
    "order_events",
    "idempotency_keys",
    "returns",
    "payment_attempts",
}


@pytest.fixture(params=STORES)
async def fresh_url(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    name = f"threadline_mig_{uuid.uuid4().hex[:10]}"
    await _admin(f'CREATE DATABASE "{name}"')
    try:
        yield pg_url(name)
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _tables(engine) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def test_upgrade_downgrade_upgrade(fresh_url: str):
    engine = create_engine(make_settings(fresh_url))
    try:
        await migrate(engine)
        assert await _tables(engine) >= APP_TABLES
        await migrate(engine, action="downgrade", revision="base")
        assert not (await _tables(engine) & APP_TABLES)
        await migrate(engine)
        assert await _tables(engine) >= APP_TABLES
        await migrate(engine)  # already at head: a no-op, as on every restart
    finally:
        await engine.dispose()


async def test_migrated_schema_matches_the_models(fresh_url: str):
    engine = create_engine(make_settings(fresh_url))
    try:
        await migrate(engine)
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(c), Base.metadata)
            )
    finally:
        await engine.dispose()
    assert diff == [], f"models and migrations disagree: {diff}"


def test_plain_urls_map_to_async_drivers():
    assert async_url("sqlite:///data/x.db") == "sqlite+aiosqlite:///data/x.db"
    assert async_url("postgresql://u:p@h:5432/d") == "postgresql+asyncpg://u:p@h:5432/d"
    assert async_url("postgres://u@h/d?sslmode=require").endswith("/d?ssl=require")
    with pytest.raises(ValueError, match="unsupported"):
        async_url("mysql://u@h/d")
