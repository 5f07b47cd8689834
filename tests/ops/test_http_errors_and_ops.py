"""Operations endpoints, the error body on every failure path, logs and metrics."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.conftest import make_settings
from tests.factories import auth, new_phone, start
from threadline.app import create_app
from threadline.db import create_engine


async def test_healthz_and_readyz(client: httpx.AsyncClient):
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"


async def test_readyz_is_503_and_healthz_200_when_store_is_unreachable():
    settings = make_settings("postgresql://postgres@127.0.0.1:9/nowhere")
    application = create_app(settings)
    application.state.engine = create_engine(settings)  # no lifespan: the store never came up
    transport = httpx.ASGITransport(app=application)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            ready = await c.get("/readyz")
            health = await c.get("/healthz")
    finally:
        await application.state.engine.dispose()
    assert ready.status_code == 503
    assert ready.json()["error"]["code"] == "database_unavailable"
    assert int(ready.headers["Retry-After"]) > 0
    assert health.status_code == 200


async def test_metrics_count_requests_and_sessions_by_channel(client: httpx.AsyncClient):
    token = (await start(client, channel="app"))["session_token"]
    await client.post("/session/restore", headers=auth(token))
    text = (await client.get("/metrics")).text
    assert 'threadline_sessions_started_total{channel="app",new="true"}' in text
    assert 'threadline_sessions_restored_total{by="token",channel="app"}' in text
    assert 'route="/session/start"' in text
    assert "threadline_http_request_duration_seconds_bucket" in text


async def test_openapi_describes_every_session_endpoint(client: httpx.AsyncClient):
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert {
        "/session/start",
        "/session/restore",
        "/session",
        "/healthz",
        "/readyz",
        "/metrics",
    } <= set(paths)
    assert "post" in paths["/session/start"]
    assert "get" in paths["/session"]


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/no/such/page", 404, "not_found"),
        ("DELETE", "/session/start", 405, "method_not_allowed"),
    ],
)
async def test_routing_errors_have_the_error_body(client, method, path, status, code):
    response = await client.request(method, path)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


async def test_malformed_json_is_400_with_error_body(client: httpx.AsyncClient):
    response = await client.post(
        "/session/start", content=b'{"phone": "98', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"


async def test_non_object_json_is_a_validation_error(client: httpx.AsyncClient):
    response = await client.post("/session/start", json=["phone"])
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


async def test_oversized_body_is_413_and_not_processed(client: httpx.AsyncClient, app):
    limit = app.state.settings.max_body_bytes
    phone = new_phone()
    body = json.dumps({"phone": phone, "channel": "web", "pad": "x" * limit}).encode()
    response = await client.post(
        "/session/start", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"

    async def chunks():
        for _ in range(limit // 65536 + 2):
            yield b"x" * 65536

    streamed = await client.post(
        "/session/start", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413
    # Nothing was created for that phone: a later start is a brand-new customer's first visit.
    assert (await start(client, phone))["session"]["data"]["channels"] == ["kiosk"]


async def test_too_long_message_fields_are_422_not_500(client: httpx.AsyncClient):
    response = await client.post(
        "/session/start",
        json={"phone": new_phone(), "channel": "web", "customer_id": "C" * 5000},
    )
    assert response.status_code == 422
    response = await client.post(
        "/session/recent", json={"sku": "'; DROP TABLE sessions; --"}, headers=auth("x")
    )
    assert response.status_code in (404, 422)


async def test_request_id_is_echoed(client: httpx.AsyncClient):
    response = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    assert len((await client.get("/healthz")).headers["x-request-id"]) >= 8


async def test_logs_name_stages_mask_phones_and_never_show_tokens(
    client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
):
    phone = new_phone()
    body = await start(client, phone, "kiosk")
    await client.post("/session/restore", headers=auth(body["session_token"]))
    await client.post("/session/restore", headers=auth("tl_wrong"))

    out = capsys.readouterr().out
    for event in (
        "session.create.start",
        "session.create.success",
        "session.restore.success",
        "session.restore.not_found",
        "http.request",
    ):
        assert event in out, event
    assert body["session_token"] not in out
    assert phone not in out
    assert phone[3:] not in out
    assert phone[:3] + "XXXXXX" + phone[-4:] in out


async def test_openapi_documents_every_error_with_the_contract_body(client: httpx.AsyncClient):
    document = (await client.get("/openapi.json")).json()
    errors = {
        f"{method.upper()} {path} {status}": response
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        for status, response in operation["responses"].items()
        if status[0] in "45"
    }
    assert "POST /session/start 422" in errors
    assert "GET /products/{sku} 422" in errors  # FastAPI's own 422 for path parameters
    wrong = [
        name
        for name, response in errors.items()
        if response["content"]["application/json"]["schema"]
        != {"$ref": "#/components/schemas/Error"}
    ]
    assert wrong == []
    assert "HTTPValidationError" not in document["components"]["schemas"]
    error = document["components"]["schemas"]["Error"]["properties"]["error"]
    assert set(error["properties"]) == {"code", "message", "field"}
