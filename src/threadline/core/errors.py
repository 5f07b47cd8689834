"""Application errors and their rendering as the contract's error body.

Hierarchy::

    AppError                      any expected failure; carries code, message, status, field
    ├── BadRequest (400)          e.g. identity_required, malformed_json
    ├── Unauthorized (401)        e.g. invalid_credentials, service_key_required
    ├── NotFound (404)            e.g. session_not_found
    ├── Conflict (409)            e.g. customer_mismatch
    ├── Unprocessable (422)       e.g. invalid_phone, validation_error
    └── ServiceUnavailable (503)  the store cannot be reached

Domain packages subclass these in their own ``errors.py``; services raise them and one handler
turns them into ``{"error": {"code", "message", "field"}}``.  Anything else that escapes a
request is a bug and is rendered as ``500 internal_error`` without details.
"""

from __future__ import annotations

from typing import Any, ClassVar


class AppError(Exception):
    """An expected failure with a stable, snake_case ``code`` that clients can branch on."""

    status: ClassVar[int] = 400
    code: str = "bad_request"
    message: str = "The request could not be processed."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or type(self).message
        self.code = code or type(self).code
        self.field = field
        self.headers = headers or {}
        super().__init__(self.message)

    def body(self) -> dict[str, Any]:
        return error_body(self.code, self.message, self.field)


class BadRequest(AppError):
    status = 400


class Unauthorized(AppError):
    status = 401
    code = "unauthorized"
    message = "Authentication is required."


class NotFound(AppError):
    status = 404
    code = "not_found"
    message = "Not found."


class Conflict(AppError):
    status = 409
    code = "conflict"
    message = "The request conflicts with the current state."


class Unprocessable(AppError):
    status = 422
    code = "validation_error"
    message = "The request is not valid."


class ServiceUnavailable(AppError):
    status = 503
    code = "service_unavailable"
    message = "The service is temporarily unavailable; please retry shortly."


class ServiceKeyRequired(Unauthorized):
    code = "service_key_required"
    message = "This call is reserved for trusted services and needs a valid X-Service-Key."


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if field is not None:
        error["field"] = field
    return {"error": error}
