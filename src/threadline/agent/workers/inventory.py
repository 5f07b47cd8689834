"""The inventory worker: is it in stock (a size, a shop), and where the shops are."""

from __future__ import annotations

from typing import Any

from threadline.agent.turn import Outcome, Turn
from threadline.catalog.search_index import Doc, size_key
from threadline.inventory import service as inventory


def sold_size(doc: Doc, size: str | None) -> str | None:
    """The product's own spelling of ``size`` ("m" → "M", "uk9" → "UK 9"), if it sells it."""
    if size is None:
        return None
    wanted = size_key(size)
    return next((s for s in doc.product["sizes"] if size_key(s) == wanted), None)


async def availability(turn: Turn, doc: Doc, size: str | None, city: str | None) -> Outcome:
    turn.state["focus"] = doc.sku
    facts: dict[str, Any] = {"product": doc.product, "city": city}
    if size is not None:
        chosen = sold_size(doc, size)
        if chosen is None:
            facts["size"] = size
            facts["sizes"] = doc.product["sizes"]
            return Outcome("checked_availability", {**facts, "not_sold": True})
        stock = await inventory.availability(turn.db, doc.sku, chosen)
        shops = [s for s in stock["stores"] if s["qty"] > 0]
        if city:
            shops_in_city = [s for s in stock["stores"] if inventory.in_city(s["city"], city)]
            facts["city_stores"] = shops_in_city
        facts.update(size=chosen, online=stock["online"], shops=shops)
        return Outcome("checked_availability", facts, products=[doc.product])
    by_size = (await inventory.stock_by_sku(turn.db, [doc.sku])).get(doc.sku, {})
    facts["by_size"] = {s: by_size.get(s, 0) for s in doc.product["sizes"]}
    if city:
        stores = await inventory.availability(turn.db, doc.sku, None)
        facts["city_stores"] = [s for s in stores["stores"] if inventory.in_city(s["city"], city)]
    return Outcome("checked_availability", facts, products=[doc.product])


async def stores(turn: Turn, city: str | None) -> Outcome:
    shops = await inventory.stores(turn.db)
    listed: list[dict[str, Any]] = [
        {
            "store_id": s.store_id,
            "name": s.name,
            "city": s.city,
            "area": s.area,
            "hours": f"{s.opening_time}–{s.closing_time}" if s.opening_time else None,
            "phone": s.phone,
        }
        for s in shops
    ]
    facts: dict[str, Any] = {"city": city, "stores": listed}
    if city:
        facts["matching"] = [s for s in listed if inventory.in_city(str(s["city"]), city)]
    return Outcome("listed_stores", facts)
