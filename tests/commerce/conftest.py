"""Every commerce test gets a started app with the small test shop open."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from tests.commerce.shop import open_shop
from tests.conftest import running
from threadline.config import Settings


@pytest.fixture
async def app_and_client(settings: Settings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    async with running(settings) as (app, client):
        await open_shop(app)
        yield app, client
