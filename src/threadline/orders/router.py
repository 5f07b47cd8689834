"""HTTP endpoints of checkout, orders and returns (``X-Session-Token``; staff updates with
``X-Service-Key``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response
from fastapi.responses import JSONResponse

from threadline.core.deps import SettingsDep, TrustedCaller
from threadline.core.errors import ServiceKeyRequired
from threadline.db import DbSession
from threadline.orders import checkout as checkouts
from threadline.orders import placement, returns, service
from threadline.orders.errors import IdempotencyKeyRequired
from threadline.orders.schemas import (
    CheckoutRequest,
    OrderList,
    OrderRead,
    ReturnCreate,
    StatusChange,
)
from threadline.payments.dependencies import GatewayDep
from threadline.sessions.dependencies import CurrentSession, SessionCacheDep

router = APIRouter(tags=["orders"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "idempotency_key_required"},
    401: {"description": "session_token_required"},
    402: {"description": "payment_declined, with `alternatives`"},
    404: {"description": "session_not_found, order_not_found or store_not_found"},
    409: {
        "description": "empty_cart, out_of_stock, cart_changed, return_not_allowed, already_returned"
    },
    422: {
        "description": "idempotency_key_reused, invalid_fulfillment, invalid_coupon, validation_error"
    },
}


@router.post(
    "/checkout",
    status_code=201,
    response_model=OrderRead,
    responses={
        200: {"description": "A replay of an earlier checkout with the same key"},
        **_ERRORS,
    },
)
async def checkout(
    body: CheckoutRequest,
    db: DbSession,
    settings: SettingsDep,
    cache: SessionCacheDep,
    gateway: GatewayDep,
    ctx: CurrentSession,
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
) -> Response:
    """Pay for the cart and place the order; the same key and body again returns that order."""
    if not idempotency_key or not idempotency_key.strip():
        raise IdempotencyKeyRequired(field="Idempotency-Key")
    outcome = await checkouts.checkout(
        db, settings, cache, gateway, ctx, key=idempotency_key.strip(), body=body
    )
    # Through the response model, so a new order reads exactly as ``GET /orders/{id}`` shows it.
    order = OrderRead.model_validate(outcome.order).model_dump(mode="json")
    return JSONResponse(order, status_code=outcome.status_code)


@router.get("/orders", response_model=OrderList, responses=_ERRORS)
async def list_orders(
    db: DbSession,
    ctx: CurrentSession,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> dict[str, Any]:
    """The customer's orders, newest first."""
    return await service.list_orders(db, ctx.session.customer_id, limit=limit, offset=offset)


@router.get("/orders/{order_id}", response_model=OrderRead, responses=_ERRORS)
async def get_order(order_id: str, db: DbSession, ctx: CurrentSession) -> dict[str, Any]:
    """One order with its status history and returns."""
    order = await service.own_order(db, ctx.session.customer_id, order_id)
    return await placement.render(db, order)


@router.post(
    "/orders/{order_id}/return", status_code=201, response_model=OrderRead, responses=_ERRORS
)
async def return_items(
    order_id: str,
    body: ReturnCreate,
    db: DbSession,
    settings: SettingsDep,
    gateway: GatewayDep,
    ctx: CurrentSession,
) -> dict[str, Any]:
    """Return (or, with ``exchange_size``, exchange) lines of a received order."""
    order = await returns.request_return(
        db, settings, gateway, ctx.session.customer_id, order_id, body
    )
    return await placement.render(db, order)


@router.post("/orders/{order_id}/status", response_model=OrderRead, responses=_ERRORS)
async def change_status(
    order_id: str,
    body: StatusChange,
    db: DbSession,
    settings: SettingsDep,
    gateway: GatewayDep,
    trusted: TrustedCaller,
) -> dict[str, Any]:
    """Staff and carriers move an order along (shipped, delivered, ready, collected, cancelled)."""
    if not trusted:
        raise ServiceKeyRequired()
    order = await service.change_status(
        db,
        gateway,
        order_id,
        body.status,
        pickup_code=body.pickup_code,
        note=body.note,
        point_value_paise=settings.loyalty_point_value_paise,
    )
    return await placement.render(db, order)
