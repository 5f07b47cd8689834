"""HTTP endpoints for stock and stores."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from threadline.catalog import service as catalog
from threadline.db import DbSession
from threadline.inventory import service

router = APIRouter(tags=["catalog"])


class StoreStock(BaseModel):
    store_id: str
    name: str
    city: str
    qty: int


class Availability(BaseModel):
    sku: str
    size: str | None
    online: int
    stores: list[StoreStock]


class StoreRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    store_id: str
    name: str
    city: str
    state: str | None
    area: str | None
    pincode: str | None
    opening_time: str | None
    closing_time: str | None
    phone: str | None


@router.get(
    "/products/{sku}/availability",
    response_model=Availability,
    responses={404: {"description": "product_not_found"}, 422: {"description": "invalid_size"}},
)
async def availability(
    sku: str,
    db: DbSession,
    size: Annotated[str | None, Query(max_length=24)] = None,
) -> dict[str, Any]:
    """Units online and in each store, for one size or summed over all sizes."""
    product = await catalog.get(db, sku)
    chosen = catalog.check_size(product, size) if size is not None else None
    return await service.availability(db, sku, chosen)


@router.get("/stores", response_model=list[StoreRead])
async def list_stores(db: DbSession) -> list[Any]:
    """The shops customers can visit, pick up from or reserve in."""
    return list(await service.stores(db))
