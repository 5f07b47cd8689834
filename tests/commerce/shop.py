"""A small shop with exact prices and stock, for the commerce tests to reason about."""

from __future__ import annotations

import itertools
from typing import Any

import httpx
from sqlalchemy import insert, select, update

from tests.conftest import SERVICE_KEY
from tests.factories import auth, new_phone, start
from threadline.catalog.models import Product
from threadline.catalog.service import bump_version
from threadline.core.clock import clock
from threadline.customers.models import Customer
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
                {
                    "store_id": s,
                    "name": n,
                    "kind": k,
                    "city": c,
                    "is_active": True,
                    "created_at": now,
                }
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


# --- helpers the commerce tests share -------------------------------------------------------

ADDRESS = {"line1": "12 Hill Road", "city": "Mumbai", "pincode": "400050"}
DELIVERY: dict[str, Any] = {"type": "delivery", "address": ADDRESS}
PICKUP_PUNE: dict[str, Any] = {"type": "pickup", "store_id": "STORE_PUNE"}
RESERVE_MUMBAI: dict[str, Any] = {"type": "reserve_in_store", "store_id": "STORE_MUMBAI"}

_keys = itertools.count(1)


def new_key() -> str:
    """A fresh Idempotency-Key."""
    return f"key-{next(_keys)}"


async def shopper(client: httpx.AsyncClient, channel: str = "web") -> tuple[str, str]:
    """A new customer with a session: ``(phone, token)``."""
    phone = new_phone()
    started = await start(client, phone, channel=channel)
    return phone, started["session_token"]


async def add(
    client: httpx.AsyncClient, token: str, sku: str, size: str, qty: int = 1
) -> dict[str, Any]:
    """Put ``qty`` of ``sku``/``size`` in the cart (must succeed); returns the cart."""
    response = await client.post(
        "/cart/items", json={"sku": sku, "size": size, "qty": qty}, headers=auth(token)
    )
    assert response.status_code == 200, response.text
    cart: dict[str, Any] = response.json()
    return cart


async def cart_of(client: httpx.AsyncClient, token: str) -> dict[str, Any]:
    response = await client.get("/cart", headers=auth(token))
    assert response.status_code == 200, response.text
    cart: dict[str, Any] = response.json()
    return cart


async def checkout(
    client: httpx.AsyncClient,
    token: str,
    *,
    payment_method: str = "upi",
    fulfillment: dict[str, Any] | None = None,
    key: str | None = None,
    **extra: Any,
) -> httpx.Response:
    """``POST /checkout`` (delivery to Mumbai by UPI unless told otherwise)."""
    body = {"payment_method": payment_method, "fulfillment": fulfillment or DELIVERY, **extra}
    headers = {**auth(token), "Idempotency-Key": key or new_key()}
    return await client.post("/checkout", json=body, headers=headers)


async def place(client: httpx.AsyncClient, token: str, **kwargs: Any) -> dict[str, Any]:
    """A checkout that must succeed; returns the order."""
    response = await checkout(client, token, **kwargs)
    assert response.status_code == 201, response.text
    order: dict[str, Any] = response.json()
    return order


async def stock(client: httpx.AsyncClient, sku: str, size: str) -> dict[str, Any]:
    """``{"online": n, "STORE_MUMBAI": n, "STORE_PUNE": n}`` from the availability endpoint."""
    response = await client.get(f"/products/{sku}/availability", params={"size": size})
    assert response.status_code == 200, response.text
    body = response.json()
    return {"online": body["online"], **{s["store_id"]: s["qty"] for s in body["stores"]}}


async def move(
    client: httpx.AsyncClient, order_id: str, *statuses: str, pickup_code: str | None = None
) -> dict[str, Any]:
    """Staff moves the order through ``statuses`` (each must be accepted); returns the order."""
    order: dict[str, Any] = {}
    for status in statuses:
        body: dict[str, Any] = {"status": status}
        if status == "collected":
            body["pickup_code"] = pickup_code
        response = await client.post(
            f"/orders/{order_id}/status", json=body, headers={"X-Service-Key": SERVICE_KEY}
        )
        assert response.status_code == 200, response.text
        order = response.json()
    return order


async def set_customer(app: Any, phone: str, **values: Any) -> None:
    """Change the customer's record directly (a back-office edit: tier, points)."""
    async with app.state.sessionmaker() as db:
        await db.execute(update(Customer).where(Customer.phone == phone).values(**values))
        await db.commit()


async def customer(app: Any, phone: str) -> Customer:
    async with app.state.sessionmaker() as db:
        row = await db.scalar(select(Customer).where(Customer.phone == phone))
        assert row is not None
        return row


async def set_price(app: Any, sku: str, rupees: int) -> None:
    """A merchandiser changes a price in the store."""
    async with app.state.sessionmaker() as db:
        await db.execute(update(Product).where(Product.sku == sku).values(price_paise=rupees * 100))
        await bump_version(db)
        await db.commit()


def paise(amount: float) -> int:
    """The API's rupee number as integer paise (exact for two decimals)."""
    return round(amount * 100)


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The response is the contract's error body with this status and code; returns ``error``."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) <= {"error", "alternatives"}
    assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str)
    assert body["error"]["message"].strip()
    error: dict[str, Any] = body["error"]
    return error
