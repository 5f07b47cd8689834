"""HTTP endpoints of the cart (``X-Session-Token``); the same cart is ``session.data.cart``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from threadline.cart import service
from threadline.cart.schemas import CartItemCreate, CartItemUpdate, CartRead, CouponApply
from threadline.core.deps import SettingsDep
from threadline.db import DbSession
from threadline.sessions.dependencies import CurrentSession, SessionCacheDep

router = APIRouter(prefix="/cart", tags=["cart"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "session_token_required"},
    404: {"description": "session_not_found, product_not_found or cart_line_not_found"},
    409: {"description": "out_of_stock"},
    422: {"description": "invalid_size, invalid_coupon or validation_error"},
}


@router.get("", response_model=CartRead, responses=_ERRORS)
async def get_cart(
    db: DbSession, settings: SettingsDep, cache: SessionCacheDep, ctx: CurrentSession
) -> dict[str, Any]:
    """The cart, repriced from today's prices and rules."""
    return await service.get_cart(db, settings, cache, ctx)


@router.post("/items", response_model=CartRead, responses=_ERRORS)
async def add_item(
    body: CartItemCreate,
    db: DbSession,
    settings: SettingsDep,
    cache: SessionCacheDep,
    ctx: CurrentSession,
) -> dict[str, Any]:
    """Add ``qty`` of a product in a size; the same sku and size again adds to that line."""
    return await service.add_item(
        db, settings, cache, ctx, sku=body.sku, size=body.size, qty=body.qty
    )


@router.patch("/items/{line_id}", response_model=CartRead, responses=_ERRORS)
async def update_item(
    line_id: str,
    body: CartItemUpdate,
    db: DbSession,
    settings: SettingsDep,
    cache: SessionCacheDep,
    ctx: CurrentSession,
) -> dict[str, Any]:
    """Change a line's quantity; 0 removes it."""
    return await service.set_qty(db, settings, cache, ctx, line_id=line_id, qty=body.qty)


@router.delete("/items/{line_id}", response_model=CartRead, responses=_ERRORS)
async def remove_item(
    line_id: str, db: DbSession, settings: SettingsDep, cache: SessionCacheDep, ctx: CurrentSession
) -> dict[str, Any]:
    return await service.remove_item(db, settings, cache, ctx, line_id)


@router.post("/coupon", response_model=CartRead, responses=_ERRORS)
async def apply_coupon(
    body: CouponApply,
    db: DbSession,
    settings: SettingsDep,
    cache: SessionCacheDep,
    ctx: CurrentSession,
) -> dict[str, Any]:
    """Apply a coupon code; ``422 invalid_coupon`` says why one does not apply."""
    return await service.apply_coupon(db, settings, cache, ctx, body.code)


@router.delete("/coupon", response_model=CartRead, responses=_ERRORS)
async def remove_coupon(
    db: DbSession, settings: SettingsDep, cache: SessionCacheDep, ctx: CurrentSession
) -> dict[str, Any]:
    return await service.remove_coupon(db, settings, cache, ctx)
