"""The OpenAPI document, with every error status an operation really answers and its body.

FastAPI describes its validation errors as ``HTTPValidationError`` (``{"detail": [...]}``) and
leaves the other error responses without a body; here every error leaves as the contract's
``{"error": {"code", "message", "field"}}`` (``core.handlers``), so the document says so, and a
client generated from it (or a fuzzer checking answers against it) is told the truth.

The routers declare the errors of their own code (``responses=``); the answers that come from
the shared machinery around every route are added here: ``400 malformed_json`` for a body that
is not JSON, ``413 payload_too_large`` from the body limit, ``503`` when the store is away or
full, or when the server stops with the request still running.  No operation lists 405 (a
documented method is never refused) nor 500 (a bug).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

ERROR_REF = "#/components/schemas/Error"
ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "snake_case, stable"},
                "message": {"type": "string", "description": "A sentence for people."},
                "field": {
                    "anyOf": [{"type": "string"}, {"type": "null"}],
                    "description": "The request field at fault, when there is one.",
                },
            },
            "additionalProperties": False,
        }
    },
}
# FastAPI's own description of a 422, which no response of this API has.
_FASTAPI_ERRORS = ("HTTPValidationError", "ValidationError")


def install(app: FastAPI) -> None:
    """Serve ``app``'s document with the contract's error body on every error response."""
    default = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = describe_errors(default())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented extension point


# (status, codes, why) of the answers the machinery around the routes gives.
_MALFORMED_JSON = (400, "malformed_json", "the body is not JSON")  # core.handlers
_TOO_LARGE = (413, "payload_too_large", "the body is larger than MAX_BODY_BYTES")  # middleware
_STORE_FAILED = (
    503,
    "database_unavailable or storage_full",
    "the store cannot be reached, or is full or read-only; retry after Retry-After seconds",
)  # core.handlers.store_error
_STOPPING = (
    503,
    "server_stopping",
    "the server stopped with this request still running; retry after Retry-After seconds",
)  # core.middleware.RequestContextMiddleware, for any route
# core.middleware.BodyLimitMiddleware reads (and limits) the body of every other method.
_UNLIMITED_METHODS = frozenset({"get", "head", "options", "delete"})
# The operations whose store failures never reach core.handlers.store_error: they touch no
# store, or (/readyz) answer their own 503.  Any other may answer _STORE_FAILED.
_STORE_FREE = frozenset(
    {
        ("get", "/healthz"),
        ("get", "/readyz"),
        ("get", "/metrics"),
        ("get", "/"),
        ("get", "/kiosk"),
        ("get", "/admin"),
        ("get", "/channels/whatsapp/webhook"),
    }
)


def describe_errors(document: dict[str, Any]) -> dict[str, Any]:
    """Add the shared error answers to every operation of ``document`` and point every 4xx and
    5xx response at the ``Error`` schema (in place)."""
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status, code, why in _shared_answers(path, method, operation):
                _document(responses, status, code, why)
            for status, response in responses.items():
                if str(status)[0] in "45":
                    media = response.setdefault("content", {}).setdefault("application/json", {})
                    media["schema"] = {"$ref": ERROR_REF}
            operation["responses"] = dict(sorted(responses.items()))
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in _FASTAPI_ERRORS:
        schemas.pop(name, None)
    schemas["Error"] = ERROR_SCHEMA
    return document


def _shared_answers(
    path: str, method: str, operation: dict[str, Any]
) -> list[tuple[int, str, str]]:
    answers = []
    if "application/json" in operation.get("requestBody", {}).get("content", {}):
        answers.append(_MALFORMED_JSON)
    if method not in _UNLIMITED_METHODS:
        answers.append(_TOO_LARGE)
    if (method, path) not in _STORE_FREE:
        answers.append(_STORE_FAILED)
    answers.append(_STOPPING)
    return answers


def _document(responses: dict[str, Any], status: int, code: str, why: str) -> None:
    """List ``code`` under ``status``, beside what the route already says there."""
    response = responses.get(str(status))
    if response is None:
        responses[str(status)] = {"description": f"{code}: {why}"}
    elif code not in response.get("description", ""):
        response["description"] = f"{response['description']}; or {code}: {why}"
