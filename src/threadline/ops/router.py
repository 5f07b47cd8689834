"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from threadline.core.errors import error_body

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
        )
    return JSONResponse({"status": "ready", "database": request.app.state.engine.dialect.name})


@router.get("/metrics", response_class=Response)
async def metrics() -> Response:
    """Prometheus text exposition."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
