"""The cart worker: add, change, remove and show, through the cart service only."""

from __future__ import annotations

from typing import Any

from threadline.agent import memory
from threadline.agent.turn import Outcome, Turn
from threadline.agent.workers.inventory import sold_size
from threadline.cart import service as cart
from threadline.catalog import recommend
from threadline.catalog.errors import InvalidSize, ProductNotFound
from threadline.catalog.search_index import Doc, size_key
from threadline.core.errors import AppError
from threadline.inventory import service as inventory
from threadline.inventory.errors import OutOfStock

LOW_STOCK = 3
# Suggestion buttons that answer "which one?" (a product's name would read as a search).
ORDINAL_ANSWERS = ["The first one", "The second one", "The third one", "The fourth one"]


def size_question(doc: Doc, qty: int, stock: dict[str, int], remembered: str | None) -> Outcome:
    """Ask which size, offering the sizes in stock (the remembered one first)."""
    in_stock = [s for s in doc.product["sizes"] if stock.get(s, 0) > 0]
    options = sorted(in_stock, key=lambda s: s != remembered)
    return Outcome(
        "asked_size",
        {"product": doc.product, "in_stock": in_stock, "remembered": remembered},
        products=[doc.product],
        ask={"ask": "size", "sku": doc.sku, "qty": qty},
        suggestions=[f"Size {s}" for s in options[:4]],
    )


async def add(turn: Turn, doc: Doc, size: str | None, qty: int) -> Outcome:
    """Put ``qty`` of ``doc`` in ``size`` in the cart, or ask for what is missing."""
    turn.state["focus"] = doc.sku
    stock = (await inventory.stock_by_sku(turn.db, [doc.sku])).get(doc.sku, {})
    sizes = doc.product["sizes"]
    chosen = sold_size(doc, size)
    if size is not None and chosen is None:
        return Outcome(
            "asked_size",
            {"product": doc.product, "not_sold": size, "in_stock": _in_stock(sizes, stock)},
            products=[doc.product],
            ask={"ask": "size", "sku": doc.sku, "qty": qty},
            suggestions=[f"Size {s}" for s in _in_stock(sizes, stock)[:4]],
        )
    if chosen is None:
        if len(sizes) == 1:
            chosen = sizes[0]
        else:
            # A size the shopper chose earlier in this conversation for this kind of item is
            # what they asked for, not a guess; the reply says so and how to change it.
            remembered = memory.size_for(turn.data, doc.category)
            if remembered and sold_size(doc, remembered) and stock.get(remembered, 0) >= qty:
                chosen = remembered
            else:
                return size_question(doc, qty, stock, remembered)
    try:
        view = await cart.add_item(
            turn.db, turn.settings, turn.cache, turn.ctx, sku=doc.sku, size=chosen, qty=qty
        )
    except OutOfStock:
        # One line ships from, or is collected at, one place: that is what can be had.
        in_cart = sum(
            int(x.get("qty") or 0)
            for x in turn.data.get("cart") or []
            if x.get("sku") == doc.sku and x.get("size") == chosen
        )
        have = await inventory.most_at_one_place(turn.db, doc.sku, chosen) - in_cart
        if have > 0:  # some are left, just not that many
            return Outcome(
                "asked_qty",
                {
                    "product": doc.product,
                    "size": chosen,
                    "available": have,
                    "wanted": qty,
                    "in_cart": in_cart,
                },
                products=[doc.product],
                ask={"ask": "add_qty", "sku": doc.sku, "size": chosen},
                suggestions=[str(n) for n in range(1, min(have, 3) + 1)],
            )
        return await _out_of_stock(turn, doc, chosen, stock)
    except (InvalidSize, ProductNotFound, AppError) as exc:
        return Outcome("checkout_blocked", {"error": exc.message}, products=[doc.product])
    memory.remember_size(turn.data, doc.category, chosen)
    memory.remember_added(turn.data, f"{doc.product['name']} ({chosen})")
    line = next((x for x in view["items"] if x["sku"] == doc.sku and x["size"] == chosen), None)
    if line is not None:
        turn.state["last_line"] = line["line_id"]
    left = stock.get(chosen, 0) - (line["qty"] if line else qty)
    looks = recommend.complete_the_look(turn.index, doc, limit=2)
    facts = {
        "product": doc.product,
        "size": chosen,
        "qty": qty,
        "remembered_size": size is None and len(sizes) > 1,
        "low_stock": stock.get(chosen, 0) if 0 < stock.get(chosen, 0) <= LOW_STOCK else None,
        "left": left,
        "look": [d.product for d in looks],
    }
    return Outcome("added_to_cart", facts, cart=view)


def _in_stock(sizes: list[str], stock: dict[str, int]) -> list[str]:
    return [s for s in sizes if stock.get(s, 0) > 0]


async def _out_of_stock(turn: Turn, doc: Doc, size: str, stock: dict[str, int]) -> Outcome:
    """Sold out in that size: other sizes, other shops, similar products in that size."""
    others = [s for s in _in_stock(doc.product["sizes"], stock) if s != size]
    similar = [
        d
        for d in recommend.similar(turn.index, doc, limit=12)
        if any(size_key(s) == size_key(size) for s in d.product["sizes"])
    ]
    similar_stock = await inventory.stock_by_sku(turn.db, [d.sku for d in similar])
    alternatives = [d for d in similar if similar_stock.get(d.sku, {}).get(size, 0) > 0][:3]
    return Outcome(
        "out_of_stock",
        {"product": doc.product, "size": size, "other_sizes": others},
        products=[d.product for d in alternatives],
        recommended=bool(alternatives),
        ask={"ask": "size", "sku": doc.sku, "qty": 1} if others else None,
        suggestions=[f"Size {s}" for s in others[:2]],
    )


async def change(turn: Turn, line: dict[str, Any], *, size: str | None, qty: int | None) -> Outcome:
    doc = turn.index.get(str(line["sku"]))
    try:
        if size is not None and doc is not None:
            chosen = sold_size(doc, size)
            if chosen is None:
                stock = (await inventory.stock_by_sku(turn.db, [doc.sku])).get(doc.sku, {})
                return Outcome(
                    "asked_size",
                    {
                        "product": doc.product,
                        "not_sold": size,
                        "in_stock": _in_stock(doc.product["sizes"], stock),
                    },
                    ask={"ask": "size", "line_id": line["line_id"]},
                )
            if chosen != line["size"]:
                await cart.add_item(
                    turn.db,
                    turn.settings,
                    turn.cache,
                    turn.ctx,
                    sku=doc.sku,
                    size=chosen,
                    qty=qty or int(line["qty"]),
                )
                view = await cart.remove_item(
                    turn.db, turn.settings, turn.cache, turn.ctx, str(line["line_id"])
                )
                memory.remember_size(turn.data, doc.category, chosen)
                return Outcome(
                    "updated_cart", {"line": line, "size": chosen, "qty": qty}, cart=view
                )
        if qty is None:
            return Outcome(
                "asked_qty", {"line": line}, ask={"ask": "qty", "line_id": line["line_id"]}
            )
        view = await cart.set_qty(
            turn.db, turn.settings, turn.cache, turn.ctx, line_id=str(line["line_id"]), qty=qty
        )
    except OutOfStock as exc:
        return Outcome("out_of_stock", {"error": exc.message, "line": line})
    action = "removed_from_cart" if qty == 0 else "updated_cart"
    return Outcome(action, {"line": line, "qty": qty}, cart=view)


async def remove(turn: Turn, line: dict[str, Any]) -> Outcome:
    view = await cart.remove_item(
        turn.db, turn.settings, turn.cache, turn.ctx, str(line["line_id"])
    )
    return Outcome("removed_from_cart", {"line": line}, cart=view)


async def show(turn: Turn) -> Outcome:
    view = await cart.get_cart(turn.db, turn.settings, turn.cache, turn.ctx)
    return Outcome("showed_cart", {}, cart=view)


def which_line(lines: list[dict[str, Any]], intent: str) -> Outcome:
    return Outcome(
        "asked_which",
        {"lines": lines, "for": intent},
        ask={"ask": "line", "intent": intent, "line_ids": [x["line_id"] for x in lines]},
        suggestions=ORDINAL_ANSWERS[: min(len(lines), 4)] + ["My cart"][: max(0, 2 - len(lines))],
    )
