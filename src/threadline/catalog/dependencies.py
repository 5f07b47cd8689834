"""Dependencies of the catalog routes: the search index, the read store and the optional
caller whose profile personalises a search."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from sqlalchemy.ext.asyncio import AsyncSession

from threadline.catalog import personalise
from threadline.catalog.search import Boosts, CatalogSearch, load_index
from threadline.catalog.search_index import SearchIndex
from threadline.catalog.search_log import MissLog
from threadline.customers import service as customers
from threadline.db import session_scope
from threadline.sessions import access
from threadline.sessions.errors import SessionNotFound


async def build_index_on_startup(app: FastAPI, *, check_interval: float = 1.0) -> None:
    """Build this process's search index; call in ``lifespan`` after migrations and demo data,
    and run :func:`refresh_index_periodically` beside the app."""
    index = await load_index(app.state.read_sessionmaker)
    app.state.search_index = CatalogSearch(index, check_interval=check_interval)
    app.state.catalog_customers = {}  # see _customer_traits
    app.state.search_misses = MissLog(app.state.settings.dashboard_timezone)


async def flush_search_misses_periodically(app: FastAPI) -> None:
    """Write the searches that found nothing to the store every few seconds (and once more
    when cancelled); runs beside the app."""
    misses: MissLog = app.state.search_misses
    await misses.keep_flushing(app.state.sessionmaker)


async def refresh_index_periodically(app: FastAPI) -> None:
    """Pick up catalog writes (of any process) within about a second; runs until cancelled."""
    search: CatalogSearch = app.state.search_index
    await search.keep_fresh(app.state.read_sessionmaker)


def current_index(state: Any) -> SearchIndex:
    search: CatalogSearch = state.search_index
    return search.index


async def get_search_index(request: Request) -> SearchIndex:
    return current_index(request.app.state)


SearchIndexDep = Annotated[SearchIndex, Depends(get_search_index)]


async def get_read_db(request: Request) -> AsyncIterator[AsyncSession]:
    """A read-only unit of work (beside the writer on SQLite)."""
    async with session_scope(request.app.state.read_sessionmaker) as db:
        yield db


ReadDbSession = Annotated[AsyncSession, Depends(get_read_db, scope="function")]


async def personal_boosts(
    state: Any, index: SearchIndex, token: str | None
) -> tuple[Boosts | None, str | None]:
    """Boosts for the customer behind an ``X-Session-Token`` and the token's channel; none
    without a usable token.

    The header is optional on the public catalog, so an unknown or expired token is ignored
    rather than refused: a stale token left in a browser must not break browsing, and the
    anonymous answer reveals nothing the caller could not get without a token.
    """
    if not token:
        return None, None
    try:
        ctx = await access.authenticate_read(
            state.sessionmaker, state.read_sessionmaker, state.settings, state.session_cache, token
        )
    except SessionNotFound:
        return None, None
    preferences, history = await _customer_traits(state, ctx.session.customer_id)
    profile = personalise.profile_for(
        index,
        preferences=preferences,
        purchase_history=history,
        recent=ctx.session.data.get("recent"),
    )
    return personalise.boosts(index, profile), ctx.channel


# A customer's preferences and purchases are read once per CUSTOMER_TTL seconds per process: a
# personal order may lag a change of preferences that long, and a searching shopper costs no
# store read per search (on SQLite that read waits for the searches around it to yield the GIL).
CUSTOMER_TTL = 30.0
_CACHED_CUSTOMERS = 10_000
Traits = tuple[dict[str, Any] | None, list[Any] | None]


async def _customer_traits(state: Any, customer_id: str) -> Traits:
    cache: dict[str, tuple[float, Traits]] = state.catalog_customers
    now = time.monotonic()
    hit = cache.get(customer_id)
    if hit is not None and hit[0] > now:
        return hit[1]
    async with session_scope(state.read_sessionmaker) as db:
        customer = await customers.get(db, customer_id)
    traits: Traits = (customer.preferences, customer.purchase_history) if customer else (None, None)
    cache.pop(customer_id, None)
    if len(cache) >= _CACHED_CUSTOMERS:
        del cache[next(iter(cache))]  # the oldest
    cache[customer_id] = (now + CUSTOMER_TTL, traits)
    return traits
