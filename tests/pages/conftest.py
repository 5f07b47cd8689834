"""Fixtures of the browser tests: Debian's Chromium (never Playwright's own download) and one
real ``threadline serve`` on SQLite shared by each test module; the seed cases also run on
PostgreSQL.

Module-scoped, not session-scoped: Playwright's sync API keeps its own event loop running in
the main thread while it is open, and the asyncio tests that run after these modules need
that thread's loop free."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import STORES, TABLES, _admin, run_sync
from tests.e2e.test_server_process import server
from tests.pages.browser import CHROMIUM, MISSING_CHROMIUM, PHONE_VIEWPORT, ConsoleLog, Site

# A cart line is a fresh stock unit each time; UI waits are generous for a loaded CI machine.
expect.set_options(timeout=10_000)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(MISSING_CHROMIUM + " (REQUIRE_BROWSER=1 is set, so this fails)")
        pytest.skip(MISSING_CHROMIUM)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        try:
            yield chromium
        finally:
            chromium.close()


def _site(database_url: str, folder: Path) -> Iterator[Site]:
    with (
        server(database_url, folder / "server.log") as srv,
        httpx.Client(base_url=srv.base, timeout=10) as http,
    ):
        yield Site(srv.base, folder, http)


@pytest.fixture(scope="module")
def site(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The server a module's browser tests share (SQLite, demo data)."""
    folder = tmp_path_factory.mktemp("pages-sqlite")
    yield from _site(f"sqlite:///{folder / 'threadline.db'}", folder)


@pytest.fixture(
    scope="module",
    params=[
        pytest.param(s, marks=pytest.mark.postgresql) if s == "postgresql" else s for s in STORES
    ],
)
def any_store_site(
    request: pytest.FixtureRequest, browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """The shared SQLite server, then one on PostgreSQL (an emptied scratch database)."""
    if request.param == "sqlite":
        yield request.getfixturevalue("site")
        return
    url: str = request.getfixturevalue("pg_database")
    run_sync(
        _admin(
            "DO $$ BEGIN IF to_regclass('public.customers') IS NOT NULL THEN "
            f"TRUNCATE {', '.join(TABLES)} CASCADE; END IF; END $$",
            url,
        )
    )
    yield from _site(url, tmp_path_factory.mktemp("pages-postgresql"))


@pytest.fixture
def console() -> ConsoleLog:
    return ConsoleLog()


OpenPage = Callable[..., Page]


@pytest.fixture
def open_page(browser: Browser, console: ConsoleLog) -> Iterator[OpenPage]:
    """Open a path of a site in a new browser context (a separate device): desktop by default,
    ``phone=True`` for a 390×844 touch phone; ``clock=True`` installs Playwright's fake clock
    before the page loads (time still flows; ``page.clock.fast_forward`` jumps ahead).
    Contexts are closed after the test."""
    contexts = []

    def opener(base: str, path: str, *, phone: bool = False, clock: bool = False) -> Page:
        if phone:
            context = browser.new_context(
                viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True, device_scale_factor=2
            )
        else:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        console.watch(page)
        if clock:
            page.clock.install()
        page.goto(base + path)
        return page

    yield opener
    for context in contexts:
        context.close()
