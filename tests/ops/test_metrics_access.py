"""``GET /metrics`` behind ``METRICS_TOKEN``: a Bearer token when one is set; open without one
in development and test; closed in production until one is set.  No store is needed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from tests.conftest import make_settings
from tests.ops.scrape import parse
from threadline.app import create_app

TOKEN = "metrics-token_0123456789abcdef"
PRODUCTION: dict[str, Any] = {
    "environment": "production",
    "otp_sender": "whatsapp",
    "whatsapp_access_token": "token",
    "whatsapp_phone_number_id": "106540352242922",
}


@asynccontextmanager
async def service(tmp_path: Path, **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The app without its lifespan (``/metrics`` reads no store)."""
    app = create_app(make_settings(f"sqlite:///{tmp_path / 'unused.db'}", **settings))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_with_a_token_a_scrape_needs_it_as_a_bearer_token(tmp_path: Path) -> None:
    async with service(tmp_path, metrics_token=TOKEN) as client:
        missing = await client.get("/metrics")
        wrong = await client.get("/metrics", headers=bearer(TOKEN + "x"))
        basic = await client.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"})
        bare = await client.get("/metrics", headers={"Authorization": TOKEN})
        right = await client.get("/metrics", headers=bearer(TOKEN))

    for refused in (missing, wrong, basic, bare):
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "metrics_token_required"
        assert "Bearer" in refused.headers["www-authenticate"]
        assert TOKEN not in refused.text
    assert right.status_code == 200
    assert right.headers["content-type"].startswith("text/plain")
    assert any(name == "threadline_http_requests_total" for name, _ in parse(right.text))


async def test_without_a_token_metrics_are_open_outside_production(tmp_path: Path) -> None:
    async with service(tmp_path) as client:
        response = await client.get("/metrics")
    assert response.status_code == 200
    assert "threadline_http_requests_total" in response.text


async def test_in_production_metrics_stay_closed_until_a_token_is_set(tmp_path: Path) -> None:
    async with service(tmp_path, **PRODUCTION) as client:
        closed = await client.get("/metrics")
        guessed = await client.get("/metrics", headers=bearer("anything"))
    async with service(tmp_path, **PRODUCTION, metrics_token=TOKEN) as client:
        opened = await client.get("/metrics", headers=bearer(TOKEN))

    for response in (closed, guessed):
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "metrics_closed"
        message = response.json()["error"]["message"]
        assert "closed in production until METRICS_TOKEN is set" in message
    assert opened.status_code == 200


def test_a_placeholder_metrics_token_is_refused_in_production(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="METRICS_TOKEN is a placeholder"):
        make_settings(f"sqlite:///{tmp_path / 'x.db'}", **PRODUCTION, metrics_token="change-me")


async def test_openapi_describes_the_token_and_the_refusals(tmp_path: Path) -> None:
    async with service(tmp_path) as client:
        schema = (await client.get("/openapi.json")).json()
    operation = schema["paths"]["/metrics"]["get"]
    assert {"200", "401", "403"} <= set(operation["responses"])
    assert "metrics_token_required" in operation["responses"]["401"]["description"]
    assert "metrics_closed" in operation["responses"]["403"]["description"]
    assert operation["security"] == [{"metricsToken": []}]
    scheme = schema["components"]["securitySchemes"]["metricsToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
