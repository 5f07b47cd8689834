"""Request and response bodies of the catalog part of the contract."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

_Word = Annotated[str, Field(max_length=100)]
# Rupees; "nan" and "inf" parse as floats but are not prices, and neither is 1e308 (which
# overflows on the way to paise).  ₹100 crore is far above any product.
_Price = Annotated[float, Field(ge=0, le=1_000_000_000, allow_inf_nan=False)]


class ProductRead(BaseModel):
    """The contract's ``Product`` (what ``catalog.service.render`` builds)."""

    model_config = ConfigDict(title="Product")

    sku: str
    name: str
    brand: str
    category: str = Field(description="A category id of catalog.taxonomy, e.g. tshirt, jeans.")
    subcategory: str | None
    gender: str = Field(description="men, women, boys, girls, kids or unisex")
    color: str | None
    sizes: list[str]
    price: float = Field(description="Selling price in rupees.")
    mrp: float = Field(description="Maximum retail price in rupees.")
    discount_percent: int
    occasion: str | None = Field(description="casual, formal, party, festive or sports")
    description: str
    image_url: str
    rating: float | None
    rating_count: int
    material: str | None


class ProductList(BaseModel):
    items: list[ProductRead]
    total: int = Field(description="How many products match, over all pages.")


class Recommendations(BaseModel):
    complete_the_look: list[ProductRead]
    similar: list[ProductRead]


class ProductQuery(BaseModel):
    """The query of ``GET /products``; every filter is optional and they combine with AND."""

    q: str | None = Field(
        None, max_length=200, description="Words to look for; synonyms and typos are understood."
    )
    category: _Word | None = Field(None, description="A category id such as tshirt or jeans.")
    gender: _Word | None = Field(None, description="men and women include unisex products.")
    color: _Word | None = Field(None, description="Case-insensitive; blue includes Navy Blue.")
    size: _Word | None = Field(None, description="Only products offered in this size.")
    brand: _Word | None = None
    occasion: _Word | None = None
    min_price: _Price | None = Field(None, description="Rupees, inclusive.")
    max_price: _Price | None = Field(None, description="Rupees, inclusive.")
    limit: int = Field(20, ge=1, le=100)
    # Bounded: a page a million results in is beyond any catalog, and 2**63 broke the ranking.
    offset: int = Field(0, ge=0, le=1_000_000)
