"""``GET /kiosk`` and ``GET /``: the pages, served by the app itself (no front-end server).

The pages are static files under ``static/``: HTML, one stylesheet and ES modules that call the
JSON API.  They are read once per process and sent with a short cache lifetime; the modules
and the stylesheet are served from ``/static``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

STATIC = Path(__file__).with_name("static")

router = APIRouter(tags=["pages"], include_in_schema=True)


@cache
def _page(name: str) -> bytes:
    return (STATIC / name).read_bytes()


def _html(name: str) -> HTMLResponse:
    return HTMLResponse(_page(name), headers={"Cache-Control": "no-cache"})


@router.get("/", response_class=HTMLResponse)
async def website() -> HTMLResponse:
    """The website chat: login or signup, the sales agent, cart, checkout, orders and returns."""
    return _html("index.html")


@router.get("/kiosk", response_class=HTMLResponse)
async def kiosk() -> HTMLResponse:
    """The in-store kiosk: full-screen, large touch targets, idle logout, QR handoff to a phone."""
    return _html("kiosk.html")
