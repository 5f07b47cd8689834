"""HTTP endpoints of the catalog part of the contract (availability lives in ``inventory``)."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from pydantic_core import to_json

from threadline.catalog import images, recommend, search, search_log, service
from threadline.catalog.dependencies import (
    ReadDbSession,
    SearchIndexDep,
    current_index,
    personal_boosts,
)
from threadline.catalog.schemas import ProductList, ProductQuery, ProductRead, Recommendations

router = APIRouter(prefix="/products", tags=["catalog"])

_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "product_not_found"}}
_INVALID: dict[int | str, dict[str, Any]] = {422: {"description": "validation_error"}}
_IMAGE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/svg+xml": {}}, "description": "An SVG picture."},
    304: {"description": "Unchanged since the ETag sent in If-None-Match."},
    **_NOT_FOUND,
}
# A product's picture changes only when the product does; a week's caching with an ETag to
# revalidate keeps kiosks and chat previews from asking again for every page.
_IMAGE_CACHE = "public, max-age=604800"
# The SVG embeds product text: should any markup slip through, it still cannot run scripts
# or load anything when the image is opened directly.
_IMAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


def _query_parameters() -> list[dict[str, Any]]:
    """OpenAPI parameters of ``GET /products`` (read by hand there, so declared here)."""
    schema = ProductQuery.model_json_schema()
    parameters = [
        {"name": name, "in": "query", "required": False, "schema": prop}
        | ({"description": prop["description"]} if "description" in prop else {})
        for name, prop in schema["properties"].items()
    ]
    token = {
        "name": "X-Session-Token",
        "in": "header",
        "required": False,
        "schema": {"type": "string"},
        "description": "Optional: personalises the order for the session's customer "
        "(an unknown or expired token is ignored).",
    }
    return [*parameters, token]


@router.get(
    "",
    response_model=ProductList,
    responses=_INVALID,
    openapi_extra={"parameters": _query_parameters()},
)
async def list_products(request: Request) -> Response:
    """Search and browse the catalog.

    ``q`` is matched against name, brand, category, colour, occasion, material and description,
    with synonyms (tee → T-shirts), Hinglish (joota → shoes) and typos (jeens → jeans)
    understood.  Without ``q`` the most popular come first.  With a valid ``X-Session-Token``
    the customer's preferences, purchases and recent views reorder the results.
    """
    # The catalog's hottest path: the query, headers and app state are read directly rather
    # than through a dependency tree solved per request (as in sessions.router).
    try:
        params = ProductQuery.model_validate(dict(request.query_params))
    except ValidationError as exc:  # rendered like any other invalid query by core.handlers
        errors = exc.errors(include_url=False, include_context=False)
        raise RequestValidationError([{**e, "loc": ("query", *e["loc"])} for e in errors]) from None
    state = request.app.state
    index = current_index(state)
    boosts, channel = await personal_boosts(state, index, request.headers.get("x-session-token"))
    result = search.search(index, search.Query(**params.model_dump()), boosts=boosts)
    # Nothing matched the whole request: noted for the staff dashboard (no write here), but
    # only for a caller with a session (``channel`` is None without a valid token), so that
    # anonymous requests cannot fill the staff's list; see catalog.search_log.
    missed = result.total == 0 or not result.exact
    if channel is not None and not params.offset and missed:
        state.search_misses.note(search_log.describe(params.model_dump()), channel)
    return _json({"items": result.items, "total": result.total})


@router.get("/{sku}", response_model=ProductRead, responses=_NOT_FOUND)
async def get_product(sku: str, db: ReadDbSession) -> Response:
    """One product by sku."""
    return _json(service.render(await service.get(db, sku)))


@router.get("/{sku}/image.svg", response_class=Response, responses=_IMAGE)
async def product_image(
    sku: str,
    db: ReadDbSession,
    if_none_match: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    """A generated picture of the product (for products without their own image_url)."""
    svg = images.render_svg(await service.get(db, sku)).encode()
    etag = f'"{hashlib.sha256(svg).hexdigest()[:32]}"'
    headers = {"Cache-Control": _IMAGE_CACHE, "ETag": etag}
    if if_none_match == etag:
        return Response(status_code=304, headers=headers)
    headers["Content-Security-Policy"] = _IMAGE_POLICY
    return Response(svg, media_type="image/svg+xml", headers=headers)


@router.get("/{sku}/recommendations", response_model=Recommendations, responses=_NOT_FOUND)
async def recommendations(
    sku: str,
    db: ReadDbSession,
    index: SearchIndexDep,
    limit: Annotated[int, Query(ge=1, le=20, description="Items per list.")] = 6,
) -> Response:
    """What completes the look with this product, and products like it."""
    product = await service.get(db, sku)
    look = recommend.complete_the_look(index, product, limit=limit)
    alike = recommend.similar(index, product, limit=limit)
    return _json(
        {
            "complete_the_look": [doc.product for doc in look],
            "similar": [doc.product for doc in alike],
        }
    )


def _json(content: dict[str, Any]) -> Response:
    # The routes declare their response_model for the OpenAPI description; the content was
    # already shaped by catalog.service.render, so a second validation would only cost time.
    return Response(to_json(content), media_type="application/json")
