"""``/admin/api``: staff sign-in (an HttpOnly cookie) and the dashboard's figures.

Every answer is ``Cache-Control: no-store``: figures and sign-ins stay out of shared caches
and the browser's history.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from threadline.admin import figures
from threadline.admin.period import PeriodDep
from threadline.admin.schemas import Overview, StaffLogin, StaffRead
from threadline.catalog.search_log import MissLog
from threadline.config import Settings
from threadline.core.deps import SettingsDep
from threadline.db import DbSession, get_stores, session_scope
from threadline.staff import service as staff
from threadline.staff.dependencies import COOKIE, COOKIE_PATH, CurrentStaff
from threadline.staff.service import StaffIdentity

router = APIRouter(prefix="/admin/api", tags=["admin"])
NO_STORE = {"Cache-Control": "no-store"}

_SIGNED_IN: dict[int | str, dict[str, Any]] = {401: {"description": "staff_login_required"}}
_LOGIN: dict[int | str, dict[str, Any]] = {
    401: {"description": "invalid_credentials"},
    422: {"description": "validation_error"},
    429: {"description": "too_many_attempts (with Retry-After)"},
}
_PERIOD: dict[int | str, dict[str, Any]] = {
    **_SIGNED_IN,
    422: {"description": "invalid_period, period_too_long or validation_error (a bad date)"},
}


def _secure(request: Request, settings: Settings) -> bool:
    # Behind a TLS proxy the request arrives as http unless uvicorn trusts the proxy's
    # X-Forwarded-Proto (FORWARDED_ALLOW_IPS), so production never relies on the scheme.
    return settings.environment == "production" or request.url.scheme == "https"


def _staff(identity: StaffIdentity) -> dict[str, Any]:
    return {"username": identity.username, "expires_at": identity.expires_at}


@router.post("/login", response_model=StaffRead, responses=_LOGIN)
async def login(body: StaffLogin, request: Request, settings: SettingsDep) -> Response:
    """Sign a staff user in: sets the ``tl_staff`` cookie (HttpOnly, SameSite=Strict)."""
    signed_in = await staff.login(
        get_stores(request),
        settings,
        username=body.username,
        password=body.password,
        client_ip=request.client.host if request.client else None,
    )
    identity = signed_in.identity
    response = JSONResponse(StaffRead(**_staff(identity)).model_dump(mode="json"), headers=NO_STORE)
    response.set_cookie(
        COOKIE,
        signed_in.token,
        max_age=int(settings.staff_session_hours * 3600),
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=_secure(request, settings),
    )
    return response


@router.post("/logout", status_code=204)
async def logout(request: Request, db: DbSession, settings: SettingsDep) -> Response:
    """End this browser's staff sign-in (if any) and clear its cookie."""
    await staff.logout(db, request.cookies.get(COOKIE))
    response = Response(status_code=204, headers=NO_STORE)
    response.delete_cookie(
        COOKIE,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=_secure(request, settings),
    )
    return response


@router.get("/me", response_model=StaffRead, responses=_SIGNED_IN)
async def me(identity: CurrentStaff, response: Response) -> dict[str, Any]:
    """Who is signed in, and until when."""
    response.headers.update(NO_STORE)
    return _staff(identity)


@router.get("/overview", response_model=Overview, responses=_PERIOD)
async def overview(
    _: CurrentStaff, period: PeriodDep, request: Request, settings: SettingsDep, response: Response
) -> dict[str, Any]:
    """Every figure of the dashboard for a period: ``preset`` (today, 7d, 30d) or ``from`` and
    ``to`` (YYYY-MM-DD, days in DASHBOARD_TIMEZONE, at most 366); the last 7 days by default."""
    state = request.app.state
    # This process's searches that found nothing, written now rather than within seconds.
    misses: MissLog = state.search_misses
    await misses.flush(state.sessionmaker)
    response.headers.update(NO_STORE)
    async with session_scope(state.read_sessionmaker) as db:
        return await figures.overview(db, settings, period)
