"""The OpenAPI document, with the error body every 4xx and 5xx really has.

FastAPI describes its validation errors as ``HTTPValidationError`` (``{"detail": [...]}``) and
leaves the other error responses without a body; here every error leaves as the contract's
``{"error": {"code", "message", "field"}}`` (``core.handlers``), so the document says so, and a
client generated from it (or a fuzzer checking answers against it) is told the truth.
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


def describe_errors(document: dict[str, Any]) -> dict[str, Any]:
    """Point every 4xx and 5xx response of ``document`` at the ``Error`` schema (in place)."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                if str(status)[0] in "45":
                    media = response.setdefault("content", {}).setdefault("application/json", {})
                    media["schema"] = {"$ref": ERROR_REF}
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in _FASTAPI_ERRORS:
        schemas.pop(name, None)
    schemas["Error"] = ERROR_SCHEMA
    return document
