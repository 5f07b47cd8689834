"""``GET /kiosk``, ``GET /`` and ``GET /admin``: the pages, served by the app (no front-end server).

The pages are static files under ``static/``: HTML, one stylesheet and ES modules that call the
JSON API.  They are read once per process and sent with ``Cache-Control: no-cache``; the modules
and the stylesheet are served from ``/static`` by :class:`PageStatic`, which sends the same
header, so a browser revalidates them (a cheap 304 thanks to the ETag) and never runs last
deploy's script against this deploy's page.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC = Path(__file__).with_name("static")
NO_CACHE = "no-cache"

router = APIRouter(tags=["pages"], include_in_schema=True)


class PageStatic(StaticFiles):
    """The pages' scripts, stylesheet and icon: revalidated on every use (``no-cache``)."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = NO_CACHE
        return response


@cache
def _page(name: str) -> bytes:
    return (STATIC / name).read_bytes()


def _html(name: str) -> HTMLResponse:
    return HTMLResponse(_page(name), headers={"Cache-Control": NO_CACHE})


@router.get("/", response_class=HTMLResponse)
@router.head("/", include_in_schema=False)
async def website() -> HTMLResponse:
    """The website chat: login or signup, the sales agent, cart, checkout, orders and returns."""
    return _html("index.html")


@router.get("/kiosk", response_class=HTMLResponse)
@router.head("/kiosk", include_in_schema=False)
async def kiosk() -> HTMLResponse:
    """The in-store kiosk: full-screen, large touch targets, idle logout, QR handoff to a phone."""
    return _html("kiosk.html")


@router.get("/admin", response_class=HTMLResponse)
@router.head("/admin", include_in_schema=False)
async def admin() -> HTMLResponse:
    """The staff dashboard: sign-in, then the figures of a period with charts."""
    return _html("admin.html")
