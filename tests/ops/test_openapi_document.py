"""``/openapi.json`` lists, per operation, the error answers the shared machinery gives.

The routers declare their own errors; ``core.openapi`` adds those of the code around every
route: ``400 malformed_json`` (a body that is not JSON), ``413 payload_too_large`` (the body
limit) and ``503`` (the store away or full, or the server stopping), each with the contract's
``Error`` body.  The fuzz test (``test_openapi_fuzz.py``) checks that nothing else is answered.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import make_settings
from threadline.app import create_app

DOCUMENT = create_app(make_settings("sqlite://")).openapi()
ERROR = {"$ref": "#/components/schemas/Error"}


def _operation(method: str, path: str) -> dict[str, Any]:
    operation: dict[str, Any] = DOCUMENT["paths"][path][method]
    return operation


def _answer(method: str, path: str, status: int) -> dict[str, Any]:
    """The documented ``status`` of an operation; it must point at the ``Error`` schema."""
    response: dict[str, Any] = _operation(method, path)["responses"][str(status)]
    assert response["content"]["application/json"]["schema"] == ERROR
    return response


def test_every_operation_with_a_json_body_lists_malformed_json_and_too_large() -> None:
    with_body = [
        (method, path)
        for path, operations in DOCUMENT["paths"].items()
        for method, operation in operations.items()
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    ]
    assert ("post", "/cart/items") in with_body
    for method, path in with_body:
        assert "malformed_json" in _answer(method, path, 400)["description"], (method, path)
        assert "payload_too_large" in _answer(method, path, 413)["description"], (method, path)


def test_a_route_s_own_400_keeps_its_code_beside_malformed_json() -> None:
    description = _answer("post", "/checkout", 400)["description"]
    assert "idempotency_key_required" in description
    assert "malformed_json" in description


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/products/{sku}"), ("get", "/stores"), ("post", "/cart/items"), ("get", "/session")],
)
def test_operations_using_the_store_list_503(method: str, path: str) -> None:
    description = _answer(method, path, 503)["description"]
    assert "database_unavailable" in description
    assert "storage_full" in description


@pytest.mark.parametrize(("method", "path"), [("get", "/healthz"), ("get", "/kiosk")])
def test_operations_without_a_store_list_only_the_stopping_503(method: str, path: str) -> None:
    description = _answer(method, path, 503)["description"]
    assert description.startswith("server_stopping")
    assert "database_unavailable" not in description


def test_every_operation_lists_the_stopping_503() -> None:
    for path, operations in DOCUMENT["paths"].items():
        for method in operations:
            assert "server_stopping" in _answer(method, path, 503)["description"], (method, path)


def test_the_chat_s_own_503_keeps_chat_busy() -> None:
    description = _answer("post", "/chat", 503)["description"]
    assert "chat_busy" in description
    assert "database_unavailable" in description


def test_route_answers_the_routers_leave_out_are_listed() -> None:
    assert "too_many_attempts" in _answer("post", "/session/start", 429)["description"]
    assert "delivery_failed" in _answer("post", "/auth/otp/request", 502)["description"]


def test_no_operation_lists_a_500_or_a_405() -> None:
    listed = {
        status
        for operations in DOCUMENT["paths"].values()
        for operation in operations.values()
        for status in operation["responses"]
    }
    assert not listed & {"405", "500"}


async def test_the_listed_400_and_413_are_what_the_service_answers(
    client: httpx.AsyncClient,
) -> None:
    not_json = await client.post(
        "/cart/items", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert not_json.status_code == 400
    assert not_json.json()["error"]["code"] == "malformed_json"
    too_large = await client.post(
        "/session/start",
        content=b" " * (make_settings("sqlite://").max_body_bytes + 1),
        headers={"Content-Type": "application/json"},
    )
    assert too_large.status_code == 413
    assert too_large.json()["error"]["code"] == "payload_too_large"
    assert "400" in _operation("post", "/cart/items")["responses"]
    assert "413" in _operation("post", "/session/start")["responses"]
