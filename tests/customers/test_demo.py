"""Deterministic demo customers, loaded only into an empty store."""

from __future__ import annotations

from typing import Any

import httpx
from asgi_lifespan import LifespanManager

from tests.conftest import make_settings
from tests.customers.helpers import SEED_CSV, count_customers, import_file, load
from tests.factories import start
from threadline.app import create_app
from threadline.core.phone import normalize_phone
from threadline.customers import demo

TIMESTAMPS = ("created_at", "updated_at")


def people(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records without the load time stamped on them."""
    return [{k: v for k, v in row.items() if k not in TIMESTAMPS} for row in rows]


def test_generate_gives_the_same_customers_on_every_call():
    assert people(demo.generate(50)) == people(demo.generate(50))


def test_a_larger_demo_set_starts_with_the_same_customers():
    assert people(demo.generate(200))[:50] == people(demo.generate(50))


def test_generated_customer_ids_and_phones_are_unique():
    rows = demo.generate(50)

    assert len(rows) == 50
    assert len({row["customer_id"] for row in rows}) == 50
    assert len({row["phone"] for row in rows}) == 50


def test_generated_phones_are_already_normalised_indian_mobiles():
    for row in demo.generate(50):
        phone = row["phone"]
        assert normalize_phone(phone) == phone
        assert phone.startswith("+91")
        assert len(phone) == 13
        assert phone[3] in "6789", phone


def test_first_demo_customer_has_the_seed_documents_phone():
    first = demo.generate(50)[0]

    assert first["phone"] == "+919876543210"
    assert first["name"] == "Priya Sharma"


def test_generated_records_are_complete_and_marked_as_demo():
    for row in demo.generate(50):
        assert row["name"]
        assert row["city"]
        assert row["loyalty_tier"] in ("bronze", "silver", "gold", "platinum")
        assert row["loyalty_points"] >= 0
        assert row["source"] == "demo"


async def test_app_start_loads_demo_customers_into_an_empty_store(database_url: str):
    app = create_app(make_settings(database_url, load_demo_data=True, demo_customers=25))

    async with LifespanManager(app):
        assert await count_customers(app) == 25
        first = await load(app, "C10001")
        assert first is not None
        assert first.phone == "+919876543210"


async def test_second_app_start_on_the_same_store_adds_no_demo_customers(database_url: str):
    settings = make_settings(database_url, load_demo_data=True, demo_customers=25)
    async with LifespanManager(create_app(settings)):
        pass

    app = create_app(settings)
    async with LifespanManager(app):
        assert await count_customers(app) == 25


async def test_demo_data_is_not_loaded_into_a_store_that_has_customers(database_url: str):
    plain = create_app(make_settings(database_url))
    async with LifespanManager(plain):
        await import_file(plain, SEED_CSV)

    app = create_app(make_settings(database_url, load_demo_data=True, demo_customers=25))
    async with LifespanManager(app):
        assert await count_customers(app) == 350
        assert await load(app, "C10001") is None


async def test_load_if_empty_returns_how_many_it_added(database_url: str):
    app = create_app(make_settings(database_url))
    async with LifespanManager(app):
        async with app.state.sessionmaker() as db:
            first = await demo.load_if_empty(db, customers=10)
            await db.commit()
        async with app.state.sessionmaker() as db:
            second = await demo.load_if_empty(db, customers=10)
            await db.commit()

        assert (first, second) == (10, 0)
        assert await count_customers(app) == 10


async def test_seed_phone_starts_a_session_as_the_first_demo_customer(database_url: str):
    app = create_app(make_settings(database_url, load_demo_data=True, demo_customers=25))
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://threadline.test") as c:
            body = await start(c, "9876543210", "kiosk")

    assert body["session"]["customer_id"] == "C10001"
    assert body["session"]["phone"] == "+919876543210"
