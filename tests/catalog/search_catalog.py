"""A small, hand-made catalog for the search and recommendation tests, and ways to store it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import make_settings
from threadline.catalog.models import Product
from threadline.catalog.service import bump_version
from threadline.catalog.taxonomy import sizes_for
from threadline.core.clock import clock
from threadline.core.logging import configure_logging
from threadline.db import create_engine, create_sessionmaker, session_scope
from threadline.migrations import migrate

# sku, name, brand, category, gender, colour, price (₹), occasion, rating, ratings, material
ROWS = [
    ("SH-BLU-M", "Men Blue Casual Shirt", "Roadster", "shirt", "men", "Blue", 999, "casual", 4.2, 120, "Cotton"),
    ("SH-WHT-M", "Men White Formal Shirt", "Louis Philippe", "shirt", "men", "White", 1899, "formal", 4.5, 300, "Cotton"),
    ("SH-NVY-W", "Women Navy Blue Shirt", "Vero Moda", "shirt", "women", "Navy Blue", 1299, "casual", 4.0, 50, "Viscose"),
    ("TS-GRY-M", "Men Grey Printed T-Shirt", "HRX", "tshirt", "men", "Grey", 499, "casual", 4.1, 800, "Cotton"),
    ("TS-BLK-U", "Unisex Black Round Neck Tee", "Bewakoof", "tshirt", "unisex", "Black", 399, "casual", 4.3, 1500, "Cotton"),
    ("TS-RED-B", "Boys Red Graphic T-shirt", "Max", "tshirt", "boys", "Red", 299, "casual", 4.0, 90, "Cotton"),
    ("JN-BLK-M", "Men Black Slim Fit Jeans", "Levis", "jeans", "men", "Black", 2499, "casual", 4.4, 900, "Denim"),
    ("JN-BLU-W", "Women Blue Skinny Jeans", "Only", "jeans", "women", "Blue", 1999, "casual", 4.0, 200, "Denim"),
    ("TR-KHK-M", "Men Khaki Slim Fit Chinos", "Dockers", "trousers", "men", "Khaki", 1799, "casual", 4.1, 150, "Cotton"),
    ("TR-GRY-M", "Men Grey Formal Trousers", "Van Heusen", "trousers", "men", "Grey", 1599, "formal", 4.2, 100, "Polyester"),
    ("TP-BLK-M", "Men Black Track Pants", "Puma", "track_pants", "men", "Black", 1299, "sports", 4.0, 400, "Polyester"),
    ("KU-RED-W", "Women Red Embroidered Kurta", "Biba", "kurta", "women", "Red", 1499, "festive", 4.6, 700, "Silk"),
    ("KU-YEL-W", "Women Yellow Cotton Kurti", "W", "kurta", "women", "Yellow", 899, "casual", 4.0, 300, "Cotton"),
    ("KU-WHT-M", "Men White Chikankari Kurta", "Fabindia", "kurta", "men", "White", 1999, "festive", 4.4, 250, "Cotton"),
    ("SA-PNK-W", "Women Pink Banarasi Saree", "Kalki", "saree", "women", "Pink", 4999, "festive", 4.7, 90, "Silk"),
    ("SN-WHT-M", "Men White Running Sneakers", "Nike", "sneakers", "men", "White", 4999, "sports", 4.5, 1100, "Mesh"),
    ("SN-BLU-U", "Unisex Blue Canvas Trainers", "Puma", "sneakers", "unisex", "Blue", 2999, "casual", 4.2, 600, "Canvas"),
    ("FS-BRN-M", "Men Brown Leather Oxfords", "Red Tape", "formal_shoes", "men", "Brown", 3499, "formal", 4.1, 200, "Leather"),
    ("BE-BRN-M", "Men Brown Leather Belt", "Tommy Hilfiger", "belt", "men", "Brown", 1299, "casual", 4.3, 150, "Leather"),
    ("DR-BLK-W", "Women Black Party Dress", "Zara", "dress", "women", "Black", 2999, "party", 4.4, 220, "Polyester"),
    ("HB-TAN-W", "Women Tan Handbag", "Lavie", "bag", "women", "Tan", 2499, "casual", 4.0, 80, "Synthetic"),
    ("SW-NVY-M", "Men Navy Blue Jumper", "United Colors of Benetton", "sweater", "men", "Navy Blue", 2299, "casual", 3.9, 60, "Wool"),
    ("WA-BLK-M", "Men Black Analogue Watch", "Titan", "watch", "men", "Black", 3999, "formal", 4.6, 500, "Steel"),
    ("SG-BLK-U", "Unisex Black Aviator Sunglasses", "Ray-Ban", "sunglasses", "unisex", "Black", 6999, "casual", 4.5, 300, "Metal"),
]  # fmt: skip
DESCRIPTIONS = {
    "KU-RED-W": "Straight kurta with zari work, for weddings and pujas",
    "SN-WHT-M": "Lightweight running shoes with a cushioned sole",
    "TS-BLK-U": "A plain tee for every day",
}


def product(
    sku: str,
    name: str,
    brand: str,
    category: str,
    gender: str,
    color: str | None,
    price: int,
    occasion: str | None = "casual",
    rating: float | None = 4.0,
    rating_count: int = 10,
    material: str | None = None,
    *,
    is_active: bool = True,
) -> Product:
    now = clock.now()
    return Product(
        sku=sku,
        name=name,
        brand=brand,
        category=category,
        subcategory=None,
        gender=gender,
        color=color,
        sizes=list(sizes_for(category, gender)),
        price_paise=price * 100,
        mrp_paise=price * 125,
        occasion=occasion,
        description=DESCRIPTIONS.get(sku, f"{name} by {brand}."),
        image_url=None,
        rating=rating,
        rating_count=rating_count,
        material=material,
        attributes={},
        source="seed",
        is_active=is_active,
        created_at=now,
        updated_at=now,
    )


def catalog() -> list[Product]:
    """The test catalog, plus one discontinued shirt that search must never show."""
    discontinued = product(
        "SH-OLD-M", "Men Blue Casual Shirt Old", "Roadster", "shirt", "men", "Blue", 899,
        is_active=False,
    )  # fmt: skip
    return [product(*row) for row in ROWS] + [discontinued]


async def add_products(
    maker: async_sessionmaker[AsyncSession], products: Iterable[Product]
) -> None:
    """Store products as a catalog write does: in one transaction that bumps the version."""
    async with session_scope(maker) as db:
        db.add_all(products)
        await db.flush()
        await bump_version(db)


@asynccontextmanager
async def catalog_store(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A migrated store at ``database_url`` holding :func:`catalog`."""
    settings = make_settings(database_url)
    # As create_app would: a CLI test run earlier may have left structlog writing to its
    # runner's closed output.
    configure_logging(log_format=settings.log_format, level=settings.log_level)
    engine = create_engine(settings)
    await migrate(engine)
    maker = create_sessionmaker(engine)
    await add_products(maker, catalog())
    try:
        yield maker
    finally:
        await engine.dispose()
