"""Exception handlers: every error leaves as ``{"error": {"code", "message", "field"}}``."""

from __future__ import annotations

import sqlite3
from typing import Any

import asyncpg
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

from threadline.core.errors import AppError, error_body
from threadline.db import StoreFailure, store_failure

log = structlog.get_logger()

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
}
# Pydantic error types that are client mistakes in the body's *syntax* rather than its content.
_SYNTAX_ERRORS = {"json_invalid", "json_type"}


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


async def app_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return _json(exc.status, exc.body(), exc.headers)


async def validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    first = (
        errors[0] if errors else {"type": "validation_error", "msg": "Invalid request", "loc": ()}
    )
    kind = str(first.get("type", "validation_error"))
    loc = [
        str(part)
        for part in first.get("loc", ())
        if part not in ("body", "query", "header", "path")
    ]
    field = ".".join(loc) or None
    if kind in _SYNTAX_ERRORS:
        return _json(400, error_body("malformed_json", "The request body is not valid JSON."))
    if kind == "missing" and not loc:
        return _json(422, error_body("validation_error", "A JSON request body is required."))
    if kind == "missing" and field == "channel":
        # A channel is part of every session call: a missing one is an invalid one.
        kind = "invalid_channel"
    code = kind if kind.startswith("invalid_") else "validation_error"
    message = str(first.get("msg", "Invalid request"))
    if code == "invalid_channel" and first.get("type") == "missing":
        message = "channel is required: one of web, kiosk, app, whatsapp, telegram"
    if code == "validation_error" and field:
        message = f"{field}: {message}"
    return _json(422, error_body(code, message, field))


async def http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    if exc.status_code == 404:
        message = "There is nothing at this address."
    elif exc.status_code == 405:
        message = "This address does not accept that method."
    else:
        message = str(exc.detail)
    return _json(exc.status_code, error_body(code, message), getattr(exc, "headers", None))


async def unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.exception("http.unhandled_error", error=type(exc).__name__)
    return _json(500, error_body("internal_error", "Something went wrong on our side."))


# What a client sees when the store is away, full or read-only: each passes (PostgreSQL comes
# back, an operator frees space), so 503 with a Retry-After rather than a 500.
_STORE_FAILURES: dict[StoreFailure, tuple[str, str, int]] = {
    "unavailable": (
        "database_unavailable",
        "The store cannot be reached right now; please retry in a moment.",
        2,
    ),
    "full": (
        "storage_full",
        "The server's disk is full, so this change could not be saved; please retry later.",
        30,
    ),
    "read_only": (
        "database_unavailable",
        "The store is read-only right now, so this change could not be saved; please retry later.",
        30,
    ),
}

# SQLSTATEs of text the store cannot hold (a NUL character, an unencodable one): a client's
# data, not our bug, whichever field it arrived in.
_UNSTORABLE_TEXT = {"22021", "22P05"}


def retry_after(kind: StoreFailure) -> dict[str, str]:
    """The ``Retry-After`` header for a 503 caused by the store being ``kind``."""
    return {"Retry-After": str(_STORE_FAILURES[kind][2])}


def store_unavailable(kind: StoreFailure) -> JSONResponse:
    code, message, _ = _STORE_FAILURES[kind]
    return _json(503, error_body(code, message), retry_after(kind))


async def store_error(request: Request, exc: Exception) -> JSONResponse:
    """Any error of the store's client (and any OSError): 503 when the store is away, full or
    read-only; 422 for text it cannot hold; otherwise a bug, 500."""
    kind = store_failure(exc)
    if kind is not None:
        # One line, no traceback: during an outage every request lands here.
        log.error("db.unavailable", reason=kind, error=type(exc).__name__, detail=_detail(exc))
        return store_unavailable(kind)
    orig = getattr(exc, "orig", None)
    if getattr(orig, "sqlstate", None) in _UNSTORABLE_TEXT:
        return _json(
            422,
            error_body("invalid_text", "The request contains characters that cannot be stored."),
        )
    return await unexpected(request, exc)


def _detail(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return str(orig).splitlines()[0][:200] if str(orig) else type(orig).__name__


def install(app: FastAPI) -> None:
    app.add_exception_handler(AppError, app_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    # The store's client errors, by family; store_error decides 503, 422 or 500 for each.
    for family in (sa_exc.SQLAlchemyError, sqlite3.Error, asyncpg.PostgresError, OSError):
        app.add_exception_handler(family, store_error)
    app.add_exception_handler(asyncpg.InterfaceError, store_error)
    # Anything else is a bug: core.middleware.RequestContextMiddleware logs it and answers 500.
