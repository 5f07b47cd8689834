"""What the agent shows for a product request fits the request, on two real-sized catalogs.

Each query goes to ``POST /chat`` from a new shopper; every product in the answer must be of the
asked category (a group such as footwear admits its categories), have the colour word in its
colour, sit inside the price bounds and suit the gender (a men's request admits unisex).  The
demo catalog has matches for every query, so something must come back there.  The imported
Myntra catalog may lack some: when the agent says so (``no_results``), products it offers
instead are alternatives and are not held to the query.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.agent.eval import run as evaluation
from tests.catalog.import_helpers import MYNTRA_CSV, run, store
from tests.factories import auth
from threadline.catalog.importer import import_products


@dataclass(frozen=True)
class Query:
    message: str
    category: str
    color: str | None = None
    min_price: int | None = None
    max_price: int | None = None
    gender: str | None = None

    def constraints(self) -> dict[str, Any]:
        fields = ("category", "color", "min_price", "max_price", "gender")
        return {k: getattr(self, k) for k in fields if getattr(self, k) is not None}


QUERIES = [
    Query("blue shirts under 2000", "shirt", color="blue", max_price=2000),
    Query("black jeans for women", "jeans", color="black", gender="women"),
    Query("grey jeans for men", "jeans", color="grey", gender="men"),
    Query("kurta for women under 1500", "kurta", max_price=1500, gender="women"),
    Query("sneakers between 2000 and 4000", "sneakers", min_price=2000, max_price=4000),
    Query("red dress for a party", "dress", color="red"),
    Query("white sneakers for men", "sneakers", color="white", gender="men"),
    Query("t-shirts for men under 800", "tshirt", max_price=800, gender="men"),
    Query("lehenga for my wife", "ethnic_set", gender="women"),
    Query("watches above 5000", "watch", min_price=5000),
    Query("shoes for men under 3000", "footwear", max_price=3000, gender="men"),
    Query("maroon saree", "saree", color="maroon"),
    Query("ethnic wear for women below ₹2000", "ethnic", max_price=2000, gender="women"),
    Query("brown belts for men", "belt", color="brown", gender="men"),
    Query("navy blue trousers", "trousers", color="navy blue"),
    Query(
        "jackets for women between 2000 and 4000",
        "jacket",
        min_price=2000,
        max_price=4000,
        gender="women",
    ),
]
IDS = [q.message for q in QUERIES]


@pytest.fixture(scope="module")
async def demo_catalog(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[httpx.AsyncClient]:
    """The app on the 1,200-product demo catalog."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    async with evaluation.demo_client(url) as client:
        yield client


@pytest.fixture(scope="module")
async def myntra_catalog(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[httpx.AsyncClient]:
    """The app on the imported Myntra export (12,491 products), with the demo shops."""
    path: Path = tmp_path_factory.mktemp("myntra") / "myntra.db"
    url = f"sqlite:///{path}"
    async with store(url) as maker:
        await run(maker, import_products, MYNTRA_CSV)
    async with evaluation.demo_client(url) as client:
        yield client


async def ask(client: httpx.AsyncClient, message: str) -> dict[str, Any]:
    """``message`` from a shopper with a fresh session; the /chat answer."""
    started = await client.post(
        "/session/start", json={"phone": evaluation.fresh_phone(), "channel": "web"}
    )
    assert started.status_code == 200, started.text
    response = await client.post(
        "/chat", json={"message": message}, headers=auth(started.json()["session_token"])
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def misfits(body: dict[str, Any], query: Query) -> list[str]:
    wanted = query.constraints()
    return [p for product in body["products"] for p in evaluation.product_problems(product, wanted)]


@pytest.mark.parametrize("query", QUERIES, ids=IDS)
async def test_demo_catalog_answers_fit_the_request(
    demo_catalog: httpx.AsyncClient, query: Query
) -> None:
    body = await ask(demo_catalog, query.message)
    summary = f"action={body['action']!r} reply={body['reply']!r}"

    assert body["products"], f"nothing shown for {query.message!r}: {summary}"
    assert misfits(body, query) == [], summary


@pytest.mark.parametrize("query", QUERIES, ids=IDS)
async def test_myntra_catalog_answers_fit_the_request(
    myntra_catalog: httpx.AsyncClient, query: Query
) -> None:
    body = await ask(myntra_catalog, query.message)
    if body["action"] == "no_results":
        return  # anything shown is offered as an alternative, and the reply says so

    assert misfits(body, query) == [], f"action={body['action']!r} reply={body['reply']!r}"
