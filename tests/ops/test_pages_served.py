"""The pages and their files as the server sends them (the browser tests are in tests/pages)."""

from __future__ import annotations

import re

import httpx
import pytest


@pytest.mark.parametrize(("path", "marker"), [("/", "js/web.js"), ("/kiosk", "js/kiosk.js")])
async def test_each_page_is_html_with_a_strict_policy(
    client: httpx.AsyncClient, path: str, marker: str
) -> None:
    page = await client.get(path)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert marker in page.text
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert (await client.head(path)).status_code == 200


async def test_every_file_a_page_loads_is_served_and_revalidated(
    client: httpx.AsyncClient,
) -> None:
    # After a deploy the browser must not run old modules against new pages.
    for path in ("/", "/kiosk"):
        html = (await client.get(path)).text
        assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
        assert assets, html
        for asset in assets:
            response = await client.get(asset)
            assert response.status_code == 200, asset
            assert response.headers["cache-control"] == "no-cache", asset


async def test_an_unknown_static_file_is_a_404_with_the_error_body(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/static/nope.js")
    assert response.status_code == 404
    assert response.json()["error"]["code"]


async def test_scripts_and_stylesheets_go_out_gzipped_to_browsers_that_ask(
    client: httpx.AsyncClient,
) -> None:
    for asset in ("/static/app.css", "/static/js/checkout.js"):
        plain = await client.get(asset, headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers, asset
        zipped = await client.get(asset, headers={"Accept-Encoding": "gzip, br"})
        assert zipped.headers["content-encoding"] == "gzip", asset
        assert zipped.headers["vary"] == "Accept-Encoding", asset
        assert zipped.content == plain.content, asset  # httpx decodes it
        assert int(zipped.headers["content-length"]) < len(plain.content) / 2, asset
        assert zipped.headers["cache-control"] == "no-cache", asset
