"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from threadline.config import Settings
from threadline.core import handlers, metrics
from threadline.core.deps import SettingsDep
from threadline.core.errors import error_body
from threadline.ops.errors import MetricsClosed, MetricsTokenRequired

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness: the process answers. Touches no database."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "database_unavailable"}})
async def readyz(request: Request) -> JSONResponse:
    """Readiness: the store answers a query."""
    try:
        async with request.app.state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to reach the store means "not ready"
        return JSONResponse(
            error_body(
                "database_unavailable", f"The store cannot be reached: {type(exc).__name__}"
            ),
            status_code=503,
            headers=handlers.retry_after("unavailable"),  # as every store refusal says
        )
    return JSONResponse({"status": "ready", "database": request.app.state.engine.dialect.name})


def _error_doc(code: str, text: str) -> dict[str, Any]:
    return {
        "description": f"{code}: {text}",
        "content": {"application/json": {"example": {"error": {"code": code, "message": text}}}},
    }


_METRICS_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Prometheus text exposition (all server processes of this `serve`)",
        "content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}},
    },
    401: _error_doc(
        "metrics_token_required",
        "METRICS_TOKEN is set and the Authorization: Bearer header is missing or wrong",
    ),
    403: _error_doc("metrics_closed", "production without a METRICS_TOKEN: /metrics stays closed"),
}


# auto_error=False: a missing or non-Bearer header reaches the check below, which says why.
_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="metricsToken",
    description="METRICS_TOKEN, when it is set (then every scrape needs it).",
)


def check_metrics_access(
    settings: Settings, credentials: HTTPAuthorizationCredentials | None
) -> None:
    """Let a scrape through, or raise: a token set must come as ``Authorization: Bearer
    <token>`` (compared in constant time); no token is open outside production, closed in it."""
    expected = settings.metrics_token.get_secret_value()
    if not expected:
        if settings.environment == "production":
            raise MetricsClosed()
        return
    given = credentials.credentials if credentials is not None else ""
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise MetricsTokenRequired()


@router.get("/metrics", response_class=Response, responses=_METRICS_RESPONSES)
async def metrics_endpoint(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Response:
    """Prometheus text exposition: requests, sessions, conversation, commerce and channels.

    With ``METRICS_TOKEN`` set, a scrape needs ``Authorization: Bearer <METRICS_TOKEN>``.
    Without it the endpoint is open in development and test, and closed (403) in production.
    """
    check_metrics_access(settings, credentials)
    return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
