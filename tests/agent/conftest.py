"""The sales agent's tests talk to a started app with the small test shop open."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.commerce.shop import open_shop
from tests.conftest import running
from tests.factories import auth
from threadline.agent.schemas import ChatReply
from threadline.config import Settings


async def open_agent_shop(app: FastAPI) -> None:
    await open_shop(app)
    await app.state.search_index.refresh(app.state.read_sessionmaker)


@pytest.fixture
async def shop_client(settings: Settings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    async with running(settings) as (app, client):
        await open_agent_shop(app)
        yield app, client


async def say(client: httpx.AsyncClient, token: str, message: str) -> dict[str, Any]:
    """One chat turn that must succeed; the reply body."""
    response = await client.post("/chat", json={"message": message}, headers=auth(token))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    # The route sends its body without re-validating it: every reply must still fit the schema.
    ChatReply.model_validate(body)
    assert 2 <= len(body["suggestions"]) <= 4, body
    return body
