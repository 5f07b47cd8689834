"""Importing the seed system's real customers file (350 rows, no phone column)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from tests.customers.helpers import SEED_CSV, count_customers, import_file, load
from threadline.core.clock import clock

NEHA_ORDERS = ["ORD491156", "ORD953640", "ORD175741", "ORD508942", "ORD211385"]


async def test_seed_file_imports_all_350_customers_without_rejections(app: FastAPI):
    report = await import_file(app, SEED_CSV)

    assert report.read == 350
    assert (report.inserted, report.updated) == (350, 0)
    assert report.rejected == []
    assert await count_customers(app) == 350


async def test_seed_file_import_notes_that_the_file_has_no_phone_column(app: FastAPI):
    report = await import_file(app, SEED_CSV)

    phone_notes = [note for note in report.notes if "no phone column" in note]
    assert len(phone_notes) == 1
    # The note tells staff how customers without a phone get one.
    assert "link-phone" in phone_notes[0]
    # Customers arrive without a phone rather than being rejected.
    customer = await load(app, "101")
    assert customer is not None
    assert customer.phone is None


async def test_seed_customer_101_is_neha_mehta_gold_with_1211_points(app: FastAPI):
    await import_file(app, SEED_CSV)

    customer = await load(app, "101")

    assert customer is not None
    assert customer.name == "Neha Mehta"
    assert customer.loyalty_tier == "gold"
    assert customer.loyalty_points == 1211
    assert customer.age == 29
    assert customer.gender == "Female"
    assert customer.city == "Ghaziabad"
    assert customer.source == "import"


async def test_seed_purchase_history_is_parsed_from_python_literal_into_orders(app: FastAPI):
    await import_file(app, SEED_CSV)

    customer = await load(app, "101")

    assert customer is not None
    history = customer.purchase_history
    assert isinstance(history, list)
    assert all(isinstance(order, dict) for order in history)
    assert [order["order_id"] for order in history] == NEHA_ORDERS
    assert history[0] == {
        "order_id": "ORD491156",
        "sku": "SKU-1052",
        "qty": 1,
        "amount": 224.04,
        "date": "2025-11-13",
        "rating": 4.6,
    }


async def test_seed_extra_columns_are_kept_in_the_profile(app: FastAPI):
    report = await import_file(app, SEED_CSV)

    customer = await load(app, "101")

    assert customer is not None
    assert customer.profile == {
        "device_preference": "mobile",
        "total_spend": 1120.2,
        "items_purchased": 14,
        "average_rating": 4.6,
        "days_since_last_purchase": 25,
        "satisfaction": "Satisfied",
    }
    assert any("device_preference" in note and "total_spend" in note for note in report.notes)


async def test_reimporting_seed_file_updates_every_row_and_adds_none(app: FastAPI):
    await import_file(app, SEED_CSV)
    before = await load(app, "101")
    clock.advance(timedelta(days=1))

    again = await import_file(app, SEED_CSV)

    assert (again.inserted, again.updated) == (0, 350)
    assert again.rejected == []
    assert await count_customers(app) == 350
    after = await load(app, "101")
    assert before is not None
    assert after is not None
    assert after.name == "Neha Mehta"
    assert after.loyalty_points == 1211
    assert [order["order_id"] for order in after.purchase_history] == NEHA_ORDERS
    # The record keeps the date it first arrived.
    assert after.created_at == before.created_at
