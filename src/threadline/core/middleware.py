"""Pure ASGI middleware (no per-request task or body copy like ``BaseHTTPMiddleware``).

``RequestContextMiddleware`` gives every request an id (``X-Request-ID``, echoed back), binds it
to the log context, counts and times the request by route template, and writes one
``http.request`` event.  ``BodyLimitMiddleware`` refuses bodies over ``MAX_BODY_BYTES`` with
``413 payload_too_large`` before the application reads them.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import time

import structlog
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from threadline.core import metrics
from threadline.core.errors import error_body
from threadline.core.stopsignal import stopping
from threadline.db import track_request_commits

log = structlog.get_logger()

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")
# Probes and scrapes would drown the access log; they are still counted in metrics.
_QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, *, access_log: bool = True) -> None:
        self.app = app
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _incoming_request_id(scope) or secrets.token_hex(8)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        status = 500
        started_response = False
        commits = track_request_commits()

        async def send_with_id(message: Message) -> None:
            nonlocal status, started_response
            if message["type"] == "http.response.start":
                status = message["status"]
                started_response = True
                MutableHeaders(scope=message).append("x-request-id", request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except asyncio.CancelledError:
            if not stopping(scope.get("app")):
                raise  # cancelled by whoever awaits this app (a test client's timeout): theirs
            # The request outlived the server's grace period at a stop (SHUTDOWN_GRACE_SECONDS)
            # and uvicorn cancelled it; an unfinished unit of work is rolled back.  The client
            # is told so in the contract's body, instead of uvicorn's plain-text 500 and a
            # traceback in the log.  Nothing awaits this task any more (uvicorn has moved on to
            # the app's shutdown), so the cancellation ends here.
            status = 503
            log.warning("http.request.cut_off", committed=bool(commits))
            if not started_response:
                await send_json(
                    send,
                    503,
                    _cut_off_body(bool(commits)),
                    request_id,
                    close=True,
                    retry_after=None if commits else 1,
                )
        except Exception as exc:
            # The one place a bug is logged (once, without local variables) and turned into
            # the contract's 500 body; it is not re-raised, so the server does not log it again.
            log.exception("http.unhandled_error", error=type(exc).__name__)
            status = 500
            if not started_response:
                await send_json(
                    send,
                    500,
                    error_body("internal_error", "Something went wrong on our side."),
                    request_id,
                )
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            elapsed = time.perf_counter() - started
            method = scope["method"]
            metrics.HTTP_REQUESTS.labels(method, route, str(status)).inc()
            metrics.HTTP_LATENCY.labels(method, route).observe(elapsed)
            if self.access_log and route not in _QUIET_ROUTES:
                log.info(
                    "http.request",
                    method=method,
                    path=scope["path"],
                    route=route,
                    status=status,
                    duration_ms=round(elapsed * 1000, 2),
                )


def _cut_off_body(committed: bool) -> dict[str, object]:
    if committed:
        # It got as far as committing: it may have taken effect, and a blind retry could do it
        # twice (a chat message answered twice, an item added twice).
        message = (
            "The server is restarting and cut this request off after it may have taken "
            "effect; check (for example reload the session or cart) before repeating it."
        )
    else:
        message = "The server is restarting and cut this request off; please retry in a moment."
    return error_body("server_stopping", message)


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _REQUEST_ID.match(text) else None
    return None


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._too_large(send)
            return
        # Read the whole body first (it is at most max_bytes) so a chunked upload that grows past
        # the limit is refused before the application has seen any of it.
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._too_large(send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, send: Send) -> None:
        body = error_body(
            "payload_too_large", f"The request body is larger than {self.max_bytes} bytes."
        )
        await send_json(send, 413, body, close=True)


async def send_json(
    send: Send,
    status: int,
    body: dict[str, object],
    request_id: str | None = None,
    *,
    close: bool = False,
    retry_after: int | None = None,
) -> None:
    payload = json.dumps(body).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
    ]
    if request_id:
        headers.append((b"x-request-id", request_id.encode()))
    if close:  # the unread rest of the request is still on the wire
        headers.append((b"connection", b"close"))
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class SecurityHeadersMiddleware:
    """Headers every response carries; HTML pages also get a strict Content-Security-Policy."""

    HEADERS = (
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"strict-origin-when-cross-origin"),
        (b"cross-origin-opener-policy", b"same-origin"),
    )
    PAGE_POLICY = (
        # Imported catalogues may point product photos at other hosts (http or https).
        b"default-src 'self'; img-src 'self' data: https: http:; style-src 'self' 'unsafe-inline'; "
        b"script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.HEADERS:
                    headers.append(name.decode(), value.decode())
                if headers.get("content-type", "").startswith("text/html"):
                    headers.append("content-security-policy", self.PAGE_POLICY.decode())
            await send(message)

        await self.app(scope, receive, send_with_headers)
