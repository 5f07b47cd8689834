"""The dashboard's tests: a started app with the small test shop open, a staff user, and the
clock at noon in the shop's time zone (so a test's events never straddle midnight)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta

import httpx
import pytest
from fastapi import FastAPI

from tests.agent.conftest import open_agent_shop
from tests.conftest import running
from threadline.config import Settings
from threadline.core.clock import clock
from threadline.core.localdays import zone
from threadline.db import session_scope
from threadline.staff import service as staff

STAFF = "asha"
STAFF_PASSWORD = "ledger lantern 42"


def noon_tomorrow(settings: Settings) -> date:
    """Move the clock to noon of the shop's next day; returns that day."""
    local = clock.now().astimezone(zone(settings.dashboard_timezone))
    noon = (local + timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)
    clock.advance(noon - local)
    return noon.date()


async def add_staff(app: FastAPI, username: str = STAFF, password: str = STAFF_PASSWORD) -> None:
    async with session_scope(app.state.sessionmaker) as db:
        await staff.create(db, app.state.settings, username=username, password=password)


async def sign_in(
    client: httpx.AsyncClient, username: str = STAFF, password: str = STAFF_PASSWORD
) -> httpx.Response:
    return await client.post("/admin/api/login", json={"username": username, "password": password})


@pytest.fixture
async def app_and_client(settings: Settings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    async with running(settings) as (app, client):
        await open_agent_shop(app)
        await add_staff(app)
        yield app, client


@pytest.fixture
def today(settings: Settings) -> date:
    return noon_tomorrow(settings)


@pytest.fixture
async def staff_client(client: httpx.AsyncClient, today: date) -> httpx.AsyncClient:
    """The client, signed in as the staff user (the cookie is in its jar) once the clock is
    at noon."""
    response = await sign_in(client)
    assert response.status_code == 200, response.text
    return client
