"""HTTP endpoints of the Auth part of the contract (and its extensions: devices, OTP)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, Response, status
from pydantic_core import to_json

from threadline.auth import otp
from threadline.auth import service as auth
from threadline.auth.schemas import (
    AuthEnvelope,
    DeviceList,
    LoginRequest,
    LogoutRequest,
    OtpRequest,
    OtpSent,
    OtpVerify,
    PasswordChange,
    SignupRequest,
)
from threadline.config import Settings
from threadline.core.deps import SettingsDep
from threadline.core.types import Channel
from threadline.customers.models import Customer
from threadline.db import DbSession, get_stores
from threadline.sessions import guests
from threadline.sessions import service as sessions
from threadline.sessions.dependencies import CurrentSession, SessionCacheDep
from threadline.sessions.state import SessionContext, render

router = APIRouter(prefix="/auth", tags=["auth"])
UserAgent = Annotated[str | None, Header(include_in_schema=False)]
# A guest session's token, sent along when logging in from the same device: its cart moves over.
GuestToken = Annotated[str | None, Header(alias="X-Session-Token")]

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "invalid_credentials, invalid_code or session_token_required"},
    404: {"description": "session_not_found or device_not_found"},
    409: {"description": "already_registered"},
    422: {"description": "weak_password, invalid_phone, invalid_channel or validation_error"},
    429: {"description": "too_many_attempts (with Retry-After)"},
}


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _envelope(
    token: str, ctx: SessionContext, customer: Customer, settings: Settings, status_code: int
) -> Response:
    body = {
        "session_token": token,
        "session": render(ctx, settings),
        "customer": {
            "customer_id": customer.customer_id,
            "phone": customer.phone,
            "name": customer.name,
            "email": customer.email,
            "loyalty_tier": customer.loyalty_tier,
            "loyalty_points": customer.loyalty_points,
        },
    }
    return Response(to_json(body), status_code=status_code, media_type="application/json")


@router.post("/signup", status_code=201, response_model=AuthEnvelope, responses=_ERRORS)
async def signup(
    body: SignupRequest,
    db: DbSession,
    settings: SettingsDep,
    cache: SessionCacheDep,
    user_agent: UserAgent = None,
    guest_token: GuestToken = None,
) -> Response:
    """Create an account (a known phone, e.g. imported, keeps its customer id and history)."""
    token, ctx, customer = await auth.signup(
        db,
        settings,
        cache,
        phone=body.phone,
        password=body.password,
        name=body.name,
        email=body.email,
        channel=body.channel or Channel.web,
        user_agent=user_agent,
    )
    if guest_token:
        await guests.merge_into(db, settings, cache, guest_token, ctx)
    return _envelope(token, ctx, customer, settings, status.HTTP_201_CREATED)


@router.post("/login", response_model=AuthEnvelope, responses=_ERRORS)
async def login(
    body: LoginRequest,
    request: Request,
    db: DbSession,
    settings: SettingsDep,
    cache: SessionCacheDep,
    user_agent: UserAgent = None,
    guest_token: GuestToken = None,
) -> Response:
    """Log in with phone and password; joins the customer's session with a new token."""
    customer = await auth.check_password(
        db,
        get_stores(request),
        settings,
        phone=body.phone,
        password=body.password,
        client_ip=client_ip(request),
    )
    assert customer is not None  # a password was given, so it was checked
    token, ctx = await sessions.join_customer(
        db, settings, cache, customer, body.channel, user_agent=user_agent
    )
    if guest_token:
        await guests.merge_into(db, settings, cache, guest_token, ctx)
    return _envelope(token, ctx, customer, settings, status.HTTP_200_OK)


@router.post("/logout", status_code=204, responses=_ERRORS)
async def logout(
    ctx: CurrentSession,
    db: DbSession,
    cache: SessionCacheDep,
    body: LogoutRequest | None = None,
) -> Response:
    """End this device's token, or with ``all_devices`` every token of the customer."""
    await auth.logout(db, cache, ctx, all_devices=bool(body and body.all_devices))
    return Response(status_code=204)


@router.get("/sessions", response_model=DeviceList, responses=_ERRORS)
async def devices(ctx: CurrentSession, db: DbSession) -> dict[str, Any]:
    """The customer's signed-in devices and channels (never their tokens)."""
    return {"devices": await auth.list_devices(db, ctx)}


@router.delete("/sessions/{device_id}", status_code=204, responses=_ERRORS)
async def end_device(
    device_id: uuid.UUID, ctx: CurrentSession, db: DbSession, cache: SessionCacheDep
) -> Response:
    """Sign one device out."""
    await auth.end_device(db, cache, ctx, device_id)
    return Response(status_code=204)


@router.post("/password", status_code=204, responses=_ERRORS)
async def change_password(
    body: PasswordChange,
    request: Request,
    ctx: CurrentSession,
    db: DbSession,
    settings: SettingsDep,
    cache: SessionCacheDep,
) -> Response:
    """Change the password; every other device is signed out."""
    await auth.change_password(
        db,
        get_stores(request),
        settings,
        cache,
        ctx,
        current=body.current_password,
        new=body.new_password,
        client_ip=client_ip(request),
    )
    return Response(status_code=204)


@router.post(
    "/otp/request",
    status_code=202,
    response_model=OtpSent,
    responses={
        **_ERRORS,
        502: {"description": "delivery_failed: the message provider did not take the code"},
    },
)
async def request_otp(
    body: OtpRequest, request: Request, db: DbSession, settings: SettingsDep
) -> dict[str, Any]:
    """Send a 6-digit login code to the phone (the answer is the same for any phone)."""
    await otp.request_code(
        db, request.app.state.sessionmaker, settings, request.app.state.otp_sender, body.phone
    )
    return {"sent": True, "expires_in_seconds": int(otp.CODE_LIFETIME.total_seconds())}


@router.post("/otp/verify", response_model=AuthEnvelope, responses=_ERRORS)
async def verify_otp(
    body: OtpVerify,
    request: Request,
    db: DbSession,
    settings: SettingsDep,
    cache: SessionCacheDep,
    user_agent: UserAgent = None,
    guest_token: GuestToken = None,
) -> Response:
    """Log in with the code: the same answer as /auth/login (a new phone becomes a customer)."""
    await otp.verify_code(
        db,
        request.app.state.sessionmaker,
        settings,
        phone=body.phone,
        code=body.code,
        client_ip=client_ip(request),
    )
    token, ctx, customer = await sessions.join_verified_phone(
        db, settings, cache, body.phone, body.channel, user_agent=user_agent
    )
    if guest_token:
        await guests.merge_into(db, settings, cache, guest_token, ctx)
    return _envelope(token, ctx, customer, settings, status.HTTP_200_OK)
