"""Staff link a phone to an imported customer, who can then start sessions by phone."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.customers.helpers import SEED_CSV, count_customers, import_file, load
from tests.factories import new_phone, start
from threadline.customers.errors import CustomerNotFound, PhoneInUse
from threadline.customers.service import link_phone


async def link(app: FastAPI, customer_id: str, phone: str, *, replace: bool = False) -> None:
    async with app.state.sessionmaker() as db:
        await link_phone(db, customer_id, phone, replace=replace)
        await db.commit()


@pytest.fixture
async def imported(app: FastAPI) -> FastAPI:
    await import_file(app, SEED_CSV)
    return app


async def test_session_with_linked_phone_resolves_to_imported_customer(
    imported: FastAPI, client: httpx.AsyncClient
):
    phone = new_phone()
    await link(imported, "101", phone)

    body = await start(client, phone, "kiosk")

    assert body["session"]["customer_id"] == "101"
    assert body["session"]["user_id"] == "101"
    assert body["session"]["phone"] == phone
    # The imported record is the one in use: no new customer, history intact.
    assert await count_customers(imported) == 350
    customer = await load(imported, "101")
    assert customer is not None
    assert customer.name == "Neha Mehta"
    assert len(customer.purchase_history) == 5


async def test_linked_phone_typed_in_local_form_still_finds_the_customer(
    imported: FastAPI, client: httpx.AsyncClient
):
    phone = new_phone()
    await link(imported, "101", phone)

    body = await start(client, phone.replace("+91", "0"), "web")

    assert body["session"]["customer_id"] == "101"


async def test_reimport_keeps_phone_linked_by_staff(imported: FastAPI):
    phone = new_phone()
    await link(imported, "101", phone)

    report = await import_file(imported, SEED_CSV)

    assert (report.inserted, report.updated, report.rejected) == (0, 350, [])
    customer = await load(imported, "101")
    assert customer is not None
    assert customer.phone == phone


async def test_linking_a_phone_owned_by_another_customer_raises_phone_in_use(
    imported: FastAPI,
):
    phone = new_phone()
    await link(imported, "101", phone)

    with pytest.raises(PhoneInUse, match="already belongs to customer 101"):
        await link(imported, "102", phone)

    other = await load(imported, "102")
    assert other is not None
    assert other.phone is None


async def test_linking_a_phone_of_a_walk_in_customer_raises_phone_in_use(
    imported: FastAPI, client: httpx.AsyncClient
):
    phone = new_phone()
    walk_in = (await start(client, phone))["session"]["customer_id"]

    with pytest.raises(PhoneInUse, match=f"already belongs to customer {walk_in}"):
        await link(imported, "101", phone)


async def test_linking_a_phone_to_an_unknown_customer_raises_customer_not_found(
    imported: FastAPI,
):
    with pytest.raises(CustomerNotFound, match="999999"):
        await link(imported, "999999", new_phone())


async def test_changing_a_customers_phone_needs_replace(
    imported: FastAPI, client: httpx.AsyncClient
):
    old, new = new_phone(), new_phone()
    await link(imported, "101", old)

    with pytest.raises(PhoneInUse, match="replace"):
        await link(imported, "101", new)
    kept = await load(imported, "101")
    assert kept is not None
    assert kept.phone == old

    await link(imported, "101", new, replace=True)

    replaced = await load(imported, "101")
    assert replaced is not None
    assert replaced.phone == new
    assert (await start(client, new))["session"]["customer_id"] == "101"
    # The old number no longer opens this customer's record.
    assert (await start(client, old))["session"]["customer_id"] != "101"


async def test_linking_the_same_phone_again_is_harmless(imported: FastAPI):
    phone = new_phone()
    await link(imported, "101", phone)

    await link(imported, "101", phone)

    customer = await load(imported, "101")
    assert customer is not None
    assert customer.phone == phone
