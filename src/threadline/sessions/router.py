"""HTTP endpoints of the Sessions part of the contract."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import structlog
from fastapi import APIRouter, Header, Request, Response
from pydantic_core import PydanticCustomError, to_json

from threadline.auth import service as auth
from threadline.config import Settings
from threadline.core import metrics
from threadline.core.deps import SettingsDep, TrustedCaller
from threadline.core.errors import ServiceKeyRequired, Unprocessable
from threadline.core.security import service_key_matches
from threadline.core.types import parse_channel, parse_phone
from threadline.db import DbSession, get_stores, session_scope
from threadline.sessions import access, guests, handoff, service
from threadline.sessions.dependencies import CurrentSession, SessionCacheDep
from threadline.sessions.errors import SessionTokenRequired
from threadline.sessions.schemas import (
    GuestStart,
    HandoffCreated,
    HandoffRedeem,
    HandoffStatus,
    RecentItem,
    SessionEnvelope,
    SessionRead,
    SessionStart,
    parse_telegram_id,
)
from threadline.sessions.state import SessionContext, render

log = structlog.get_logger()
T = TypeVar("T")
router = APIRouter(prefix="/session", tags=["sessions"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "identity_required"},
    401: {"description": "invalid_credentials or service_key_required"},
    404: {"description": "session_not_found"},
    409: {"description": "customer_mismatch"},
    422: {"description": "invalid_phone, invalid_channel or validation_error"},
}


@router.post(
    "/start",
    response_model=SessionEnvelope,
    # A password given here goes through the login throttle (auth.service.check_password).
    responses={**_ERRORS, 429: {"description": "too_many_attempts (with Retry-After)"}},
)
async def start_session(
    body: SessionStart,
    request: Request,
    db: DbSession,
    settings: SettingsDep,
    cache: SessionCacheDep,
    trusted: TrustedCaller,
    user_agent: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    """Start a session, or join the customer's active one from another channel or device."""
    verified = None
    if body.phone is not None:
        verified = await auth.check_password(
            db,
            get_stores(request),
            settings,
            phone=body.phone,
            password=body.password,
            client_ip=request.client.host if request.client else None,
        )
    token, ctx = await service.start(
        db, settings, cache, body, trusted=trusted, verified=verified, user_agent=user_agent
    )
    return _envelope(token, ctx, settings)


@router.post("/guest", response_model=SessionEnvelope, responses=_ERRORS)
async def start_guest_session(
    body: GuestStart,
    db: DbSession,
    settings: SettingsDep,
    cache: SessionCacheDep,
    user_agent: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    """Start a session for a shopper who has not said who they are yet.

    Logging in later (/auth/login, /auth/signup, /auth/otp/verify) with this token in
    X-Session-Token moves the guest's cart into the customer's session.
    """
    token, ctx = await guests.start_guest(db, settings, cache, body.channel, user_agent=user_agent)
    return _envelope(token, ctx, settings)


@router.post(
    "/handoff",
    response_model=HandoffCreated,
    status_code=201,
    responses={
        401: {"description": "session_token_required"},
        404: {"description": "session_not_found"},
    },
)
async def create_handoff(
    request: Request, db: DbSession, settings: SettingsDep, ctx: CurrentSession
) -> dict[str, Any]:
    """A single-use, 5-minute ticket that opens this conversation on another device.

    The kiosk shows ``qr_svg``; the phone's camera opens ``url`` (the website, ``PUBLIC_BASE_URL``
    or this server's own address), which redeems the ticket with ``POST /session/handoff/redeem``.
    """
    base = settings.public_base_url or str(request.base_url)
    return await handoff.create(db, ctx, base_url=base)


@router.get(
    "/handoff",
    response_model=HandoffStatus,
    responses={
        401: {"description": "session_token_required"},
        404: {"description": "session_not_found, or handoff_not_found: this device made none"},
    },
)
async def handoff_status(db: DbSession, ctx: CurrentSession) -> dict[str, Any]:
    """Whether the last code this device showed has been scanned: the kiosk polls it while its
    QR code is on screen, and signs out only once the phone has the conversation."""
    return await handoff.status(db, ctx)


@router.post(
    "/handoff/redeem",
    response_model=SessionEnvelope,
    responses={
        404: {"description": "handoff_not_found: unknown, used or expired"},
        422: {"description": "invalid_channel or validation_error"},
    },
)
async def redeem_handoff(
    body: HandoffRedeem,
    db: DbSession,
    settings: SettingsDep,
    cache: SessionCacheDep,
    user_agent: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    """Join the conversation a handoff ticket belongs to, on this device's channel."""
    token, ctx = await handoff.redeem(
        db, settings, cache, body.handoff_token, body.channel, user_agent=user_agent
    )
    return _envelope(token, ctx, settings)


def _header_doc(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "header",
        "required": False,
        "schema": {"type": "string"},
        "description": description,
    }


_RESTORE_HEADERS = [
    _header_doc("X-Session-Token", "The device's token: restores its session."),
    _header_doc("X-Telegram-Id", "Trusted callers only (with X-Service-Key)."),
    _header_doc("X-Customer-Id", "Trusted callers only (with X-Service-Key)."),
    _header_doc("X-Phone", "Trusted callers only (with X-Service-Key)."),
    _header_doc("X-Channel", "Channel of the token an identity restore issues."),
    _header_doc("X-Service-Key", "The SERVICE_API_KEY of trusted internal callers."),
]


@router.post(
    "/restore",
    response_model=SessionEnvelope,
    responses=_ERRORS,
    openapi_extra={"parameters": _RESTORE_HEADERS},
)
async def restore_session(request: Request) -> Response:
    """Restore by the device's token, or, for trusted services, by Telegram id, customer id or
    phone.

    A token restore returns the same token; an identity restore issues a new token for
    ``X-Channel`` (default: telegram for X-Telegram-Id, else the session's latest channel).
    """
    # The hottest path after GET /session: headers and app state are read directly rather
    # than through a dependency tree solved per request.
    headers = request.headers
    state = request.app.state
    settings: Settings = state.settings
    token = headers.get("x-session-token")
    if token:
        ctx = await access.authenticate_read(
            state.sessionmaker, state.read_sessionmaker, settings, state.session_cache, token
        )
        metrics.SESSIONS_RESTORED.labels(channel=ctx.channel, by="token").inc()
        log.info("session.restore.success", session_id=str(ctx.session.session_id), by="token")
        return _envelope(token, ctx, settings)
    telegram_id, customer_id, phone = (
        headers.get("x-telegram-id"),
        headers.get("x-customer-id"),
        headers.get("x-phone"),
    )
    if not (telegram_id or customer_id or phone):
        raise SessionTokenRequired()
    key = headers.get("x-service-key")
    if not service_key_matches(key, settings.service_api_key.get_secret_value()):
        log.warning("session.restore.service_key_required")
        raise ServiceKeyRequired()
    async with session_scope(state.sessionmaker) as db:
        token, ctx = await service.restore_by_identity(
            db,
            settings,
            state.session_cache,
            telegram_chat_id=_header(parse_telegram_id, telegram_id, "X-Telegram-Id"),
            customer_id=customer_id,
            phone=_header(parse_phone, phone, "X-Phone"),
            channel=_header(parse_channel, headers.get("x-channel"), "X-Channel"),
            user_agent=headers.get("user-agent"),
        )
    metrics.SESSIONS_RESTORED.labels(channel=ctx.channel, by="service").inc()
    log.info("session.restore.success", session_id=str(ctx.session.session_id), by="service")
    return _envelope(token, ctx, settings)


@router.get("", response_model=SessionRead, responses=_ERRORS)
async def get_session(
    request: Request, x_session_token: Annotated[str | None, Header()] = None
) -> Response:
    """The session behind X-Session-Token (counts as activity: slides expires_at)."""
    if not x_session_token:
        raise SessionTokenRequired()
    state = request.app.state
    ctx = await access.authenticate_read(
        state.sessionmaker,
        state.read_sessionmaker,
        state.settings,
        state.session_cache,
        x_session_token,
    )
    return _json(render(ctx, state.settings))


@router.post("/recent", response_model=SessionRead, responses=_ERRORS)
async def add_recent(
    body: RecentItem,
    ctx: CurrentSession,
    db: DbSession,
    settings: SettingsDep,
    cache: SessionCacheDep,
) -> Response:
    """Record a product the customer looked at; ``data.recent`` lists them newest first."""
    ctx = await service.add_recent(db, settings, cache, ctx, body.sku)
    return _json(render(ctx, settings))


def _json(content: dict[str, Any]) -> Response:
    # The routes declare their response_model for the OpenAPI description; returning a
    # ready Response skips a second validation of data that service.render already shaped.
    return Response(to_json(content), media_type="application/json")


def _envelope(token: str, ctx: SessionContext, settings: Settings) -> Response:
    return _json({"session_token": token, "session": render(ctx, settings)})


def _header(parse: Callable[[Any], T], value: str | None, name: str) -> T | None:
    """Validate an identity header with the same rules as the body field it mirrors."""
    if value is None:
        return None
    try:
        return parse(value)
    except PydanticCustomError as exc:  # its type is the contract's code (invalid_phone, …)
        raise Unprocessable(exc.message(), code=exc.type, field=name) from None
