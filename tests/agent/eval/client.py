"""Talking to the app as a client would: the app in-process on a store holding the demo data,
and one shopper's conversation through ``POST /session/start``, ``POST /chat``, ``GET /cart``,
``GET /orders`` and ``GET /products/{sku}`` only.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager

from tests.agent.eval.sets import DEMO_PRODUCTS, AgentUnavailable

_phones = itertools.count(1)


def fresh_phone() -> str:
    """A valid mobile number no demo customer has (theirs never start +9160)."""
    return f"+9160000{next(_phones):05d}"


@dataclass
class Reply:
    """One answer of POST /chat."""

    text: str
    status: int
    body: dict[str, Any]

    @property
    def action(self) -> str:
        return str(self.body.get("action", ""))

    @property
    def reply(self) -> str:
        return str(self.body.get("reply", ""))

    @property
    def products(self) -> list[dict[str, Any]]:
        return list(self.body.get("products") or [])

    @property
    def cart(self) -> dict[str, Any] | None:
        cart = self.body.get("cart")
        return cart if isinstance(cart, dict) else None

    def shape_problems(self) -> list[str]:
        if self.status != 200:
            return [f"POST /chat answered {self.status}: {self.body}"]
        missing = {"reply", "products", "cart", "suggestions", "action"} - set(self.body)
        return [f"the response lacks {sorted(missing)}"] if missing else []


class Conversation:
    """One shopper talking to the agent, possibly from several channels."""

    def __init__(self, client: httpx.AsyncClient, phone: str, catalog: dict[str, Any]) -> None:
        self.client, self.phone, self.catalog = client, phone, catalog
        self.channel = ""
        self.token = ""

    async def join(self, channel: str) -> None:
        """Start (or join) the shopper's session from ``channel``: a new token, same session."""
        body = {"phone": self.phone, "channel": channel}
        response = await self.client.post("/session/start", json=body)
        if response.status_code != 200:
            raise RuntimeError(
                f"POST /session/start answered {response.status_code}: {response.text}"
            )
        self.channel, self.token = channel, response.json()["session_token"]

    async def say(self, text: str) -> Reply:
        response = await self.client.post("/chat", json={"message": text}, headers=self._auth())
        body = _json(response)
        code = (body.get("error") or {}).get("code")
        if response.status_code in (404, 405) and code != "session_not_found":
            raise AgentUnavailable(
                f"POST /chat answered {response.status_code} {response.text[:200]}: the app does "
                "not serve the agent yet (is its router included in create_app?)"
            )
        return Reply(text, response.status_code, body)

    async def cart(self) -> dict[str, Any]:
        return await self._get("/cart")

    async def orders(self) -> list[dict[str, Any]]:
        return list((await self._get("/orders", limit=100)).get("items") or [])

    async def product(self, sku: str) -> dict[str, Any]:
        if sku not in self.catalog:
            self.catalog[sku] = await self._get(f"/products/{sku}")
        return dict(self.catalog[sku])

    async def fill(self, text: str) -> str:
        """``text`` with {order_id} replaced by the shopper's newest order id."""
        if "{order_id}" not in text:
            return text
        orders = await self.orders()
        return text.replace("{order_id}", orders[0]["order_id"] if orders else "TL-NOORDERYET")

    def _auth(self) -> dict[str, str]:
        return {"X-Session-Token": self.token}

    async def _get(self, path: str, **params: Any) -> dict[str, Any]:
        response = await self.client.get(path, params=params, headers=self._auth())
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}: {response.text[:300]}")
        return dict(response.json())


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {"error": {"code": "not_json", "message": response.text[:300]}}
    return body if isinstance(body, dict) else {"body": body}


@asynccontextmanager
async def demo_client(database_url: str | None = None) -> AsyncIterator[httpx.AsyncClient]:
    """The app on a store holding the demo data (a temporary SQLite file unless given a URL).

    Demo data loads only into an empty store, so a store that already holds a catalog (an
    imported one) keeps it and gains the demo shops, customers and offers.
    """
    from tests.conftest import make_settings
    from threadline.app import create_app

    with tempfile.TemporaryDirectory(prefix="threadline-eval-") as tmp:
        settings = make_settings(
            database_url or f"sqlite:///{Path(tmp) / 'eval.db'}",
            load_demo_data=True,
            demo_customers=5,
            demo_products=DEMO_PRODUCTS,
            data_dir=Path(tmp),
            access_log=False,
            log_level="WARNING",
        )
        app = create_app(settings)
        transport = httpx.ASGITransport(app=app)
        # Loading 1,200 products and indexing them takes longer than asgi-lifespan's 5 s default.
        async with (
            LifespanManager(app, startup_timeout=120, shutdown_timeout=30),
            httpx.AsyncClient(transport=transport, base_url="http://threadline.eval") as client,
        ):
            yield client
