"""Fixtures for the WhatsApp channel: a fake Cloud API and the app configured to use it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI

from tests.channels.platform import FakePlatform, serve
from tests.channels.whatsapp.helpers import (
    ACCESS_TOKEN,
    APP_SECRET,
    NUMBER_ID,
    VERIFY_TOKEN,
    cloud_api,
)
from tests.conftest import make_settings, running
from threadline.config import Settings


@pytest.fixture(scope="module")
def platform() -> Iterator[FakePlatform]:
    with serve(ok=cloud_api) as server:
        yield server


@pytest.fixture
def fake(platform: FakePlatform) -> FakePlatform:
    with platform.lock:
        platform.calls.clear()
        platform.script.clear()
    return platform


@pytest.fixture
def settings(database_url: str, fake: FakePlatform) -> Settings:
    return make_settings(
        database_url,
        whatsapp_api_base=fake.base,
        whatsapp_access_token=ACCESS_TOKEN,
        whatsapp_phone_number_id=NUMBER_ID,
        whatsapp_app_secret=APP_SECRET,
        whatsapp_verify_token=VERIFY_TOKEN,
        channel_retry_base_seconds=0.05,
        channel_send_attempts=3,
    )


@pytest.fixture
async def wa(settings: Settings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The started app with the WhatsApp channel configured and its worker running."""
    async with running(settings) as pair:
        yield pair
