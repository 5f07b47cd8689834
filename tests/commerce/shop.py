"""A small shop with exact prices and stock, for the commerce tests to reason about."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert

from threadline.catalog.models import Product
from threadline.catalog.service import bump_version
from threadline.core.clock import clock
from threadline.inventory.models import StockLevel, Store
from threadline.loyalty import rules

APPAREL = ["S", "M", "L", "XL", "XXL"]
WAIST = ["28", "30", "32", "34", "36"]
SHOES = ["UK 7", "UK 8", "UK 9", "UK 10"]

# sku: (name, brand, category, gender, price ₹, mrp ₹, sizes)
PRODUCTS: dict[str, tuple[str, str, str, str, int, int, list[str]]] = {
    "T-SHIRT": ("Oxford Shirt", "Urbane", "shirt", "men", 1499, 2499, APPAREL),
    "T-JEANS": ("Slim Jeans", "Denimwala", "jeans", "men", 1999, 2999, WAIST),
    "T-KURTA": ("Cotton Kurta", "Rangrez", "kurta", "women", 1299, 1799, APPAREL),
    "T-SNEAKER": ("Court Sneakers", "Strideon", "sneakers", "men", 3499, 4999, SHOES),
    "T-LAST": ("Graphic Tee", "Urbane", "tshirt", "men", 799, 999, APPAREL),
    "T-JACKET": ("Leather Jacket", "Urbane", "jacket", "men", 12999, 15999, APPAREL),
    "T-SAREE": ("Silk Saree", "Rangrez", "saree", "women", 4999, 6999, ["Free Size"]),
}
STORES = [
    ("ONLINE", "Threadline Online Warehouse", "warehouse", "Bhiwandi"),
    ("STORE_MUMBAI", "Threadline Phoenix Mumbai", "store", "Mumbai"),
    ("STORE_PUNE", "Threadline Koregaon Park Pune", "store", "Pune"),
]


def stock_rows() -> list[dict[str, Any]]:
    now = clock.now()
    rows = []
    for sku, (*_, sizes) in PRODUCTS.items():
        for size in sizes:
            for store_id, _, _, _ in STORES:
                qty = 10 if store_id == "ONLINE" else 3
                if sku == "T-LAST":
                    # The last unit: one M, online only; nothing else of it anywhere.
                    qty = 1 if (size == "M" and store_id == "ONLINE") else 0
                rows.append(
                    {"sku": sku, "size": size, "store_id": store_id, "qty": qty, "updated_at": now}
                )
    return rows


async def open_shop(app: Any) -> None:
    """Load the shop above, plus the demo offer and loyalty rules, into the app's store."""
    now = clock.now()
    async with app.state.sessionmaker() as db:
        await db.execute(
            insert(Store),
            [
                {"store_id": s, "name": n, "kind": k, "city": c, "is_active": True, "created_at": now}
                for s, n, k, c in STORES
            ],
        )
        await db.execute(
            insert(Product),
            [
                {
                    "sku": sku,
                    "name": name,
                    "brand": brand,
                    "category": category,
                    "gender": gender,
                    "color": "blue",
                    "sizes": sizes,
                    "price_paise": price * 100,
                    "mrp_paise": mrp * 100,
                    "occasion": "casual",
                    "description": f"{name} by {brand}",
                    "rating": 4.2,
                    "rating_count": 10,
                    "attributes": {},
                    "source": "test",
                    "is_active": True,
                    "created_at": now,
                    "updated_at": now,
                }
                for sku, (name, brand, category, gender, price, mrp, sizes) in PRODUCTS.items()
            ],
        )
        await db.execute(insert(StockLevel), stock_rows())
        await bump_version(db)
        await rules.load_if_empty(db)
        await db.commit()
