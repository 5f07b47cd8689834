"""Products: what the shops sell.  Prices are integer paise; the API shows rupees."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from threadline.db import Base, UTCDateTime


class Product(Base):
    __tablename__ = "products"

    sku: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    brand: Mapped[str] = mapped_column(String(120), index=True)
    # One of catalog.taxonomy.CATEGORIES (shirt, tshirt, jeans, …); imports infer it.
    category: Mapped[str] = mapped_column(String(40), index=True)
    subcategory: Mapped[str | None] = mapped_column(String(80))
    # men, women, boys, girls, unisex, kids
    gender: Mapped[str] = mapped_column(String(16), index=True)
    color: Mapped[str | None] = mapped_column(String(40))
    sizes: Mapped[list[str]] = mapped_column(JSON, default=list)
    price_paise: Mapped[int] = mapped_column(Integer)
    mrp_paise: Mapped[int] = mapped_column(Integer)
    # casual, formal, party, festive, sports
    occasion: Mapped[str | None] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    # Empty means the generated SVG at /products/{sku}/image.svg.
    image_url: Mapped[str | None] = mapped_column(String(500))
    rating: Mapped[float | None] = mapped_column(Float)
    rating_count: Mapped[int] = mapped_column(Integer, default=0)
    material: Mapped[str | None] = mapped_column(String(60))
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # demo, myntra, seed, csv: where the row came from.
    source: Mapped[str] = mapped_column(String(20), default="demo")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        CheckConstraint("price_paise >= 0", name="ck_products_price_nonnegative"),
        CheckConstraint("mrp_paise >= price_paise", name="ck_products_mrp_not_below_price"),
    )


class CatalogState(Base):
    """One row whose ``version`` every catalog write bumps in the same transaction.

    Server processes keep an in-memory search index; they rebuild it when the version they
    built from is no longer the stored one (see ``catalog.search``).
    """

    __tablename__ = "catalog_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SearchMiss(Base):
    """Searches that found nothing, counted per day, request and channel (see ``search_log``).

    One row per (day, request, channel), whatever the number of searches: the table grows with
    the variety of unmet requests, not with traffic, and old days are purged.
    """

    __tablename__ = "search_misses"

    # The calendar day in DASHBOARD_TIMEZONE.
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    # The normalised request: its words and filters ("swimwear · women · size xl").
    query: Mapped[str] = mapped_column(String(120), primary_key=True)
    # The shopper's channel, "" when unknown (a catalog call without a session).
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)
