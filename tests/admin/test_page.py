"""``GET /admin`` as the server sends it (the browser tests are in tests/pages/test_admin.py)."""

from __future__ import annotations

import re

import httpx


async def test_the_dashboard_page_is_html_under_the_strict_policy(client: httpx.AsyncClient):
    page = await client.get("/admin")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "js/admin.js" in page.text
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "<script>" not in page.text  # no inline script: the policy would refuse it
    assert (await client.head("/admin")).status_code == 200


async def test_every_file_the_dashboard_loads_is_served_and_revalidated(client: httpx.AsyncClient):
    html = (await client.get("/admin")).text
    assets = set(re.findall(r'(?:src|href)="(/static/[^"]+)"', html))
    assert {"/static/admin.css", "/static/js/admin.js", "/static/js/charts.js"} <= assets
    for asset in assets:
        response = await client.get(asset)
        assert response.status_code == 200, asset
        assert response.headers["cache-control"] == "no-cache", asset
    # The modules the page's modules import are served too.
    for module in ("admin.js", "admin-figures.js", "charts.js"):
        source = (await client.get(f"/static/js/{module}")).text
        for imported in re.findall(r'from "\./([\w-]+\.js)"', source):
            assert (await client.get(f"/static/js/{imported}")).status_code == 200, imported


async def test_the_api_is_described_in_openapi(client: httpx.AsyncClient):
    paths = (await client.get("/openapi.json")).json()["paths"]
    for path in ("/admin/api/login", "/admin/api/logout", "/admin/api/me", "/admin/api/overview"):
        assert path in paths
    parameters = {p["name"] for p in paths["/admin/api/overview"]["get"]["parameters"]}
    assert {"preset", "from", "to"} <= parameters
