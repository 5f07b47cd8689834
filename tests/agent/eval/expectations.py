"""A dialogue's expectations checked against what the app showed: the reply, its products, the
cart and the shopper's orders.  ``check`` returns every way a turn (or the outcome after the last
turn) falls short, so one failing key never hides another.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tests.agent.eval.client import Conversation, Reply
from tests.agent.eval.sets import REF, TURN_REF, category_ids

# Which stored genders a shopper's gender admits (a men's search may show unisex products).
GENDER_ADMITS = {
    "men": {"men", "unisex"},
    "women": {"women", "unisex"},
    "boys": {"boys", "kids"},
    "girls": {"girls", "kids"},
    "kids": {"kids", "boys", "girls"},
    "unisex": {"unisex"},
}
# Actions that show a result list, the list "list[i]" points into.
LIST_ACTIONS = {"searched", "refined", "showed_more", "showed_look"}


# --- products (shared with test_chat_search_consistency) ------------------------------------


def color_matches(wanted: str, actual: str | None) -> bool:
    """Whether the shopper's colour word is in the product's colour ("blue" ⊂ "Navy Blue")."""
    pattern = rf"\b{re.escape(wanted.strip().lower())}\b"
    return bool(actual) and re.search(pattern, str(actual).lower()) is not None


def product_problems(product: Mapping[str, Any], want: Mapping[str, Any]) -> list[str]:
    """How ``product`` (the API's Product) fails ``want`` (products_match keys); [] if it fits."""
    label = f"{product.get('sku')} {product.get('name')!r}"
    problems = []
    if "category" in want and product.get("category") not in category_ids(want["category"]):
        problems.append(f"{label}: category {product.get('category')!r}, wanted {want['category']}")
    if "color" in want and not color_matches(want["color"], product.get("color")):
        problems.append(f"{label}: colour {product.get('color')!r}, wanted {want['color']!r}")
    price = float(product.get("price") or 0)
    if "max_price" in want and price > want["max_price"]:
        problems.append(f"{label}: price {price:g} above {want['max_price']}")
    if "min_price" in want and price < want["min_price"]:
        problems.append(f"{label}: price {price:g} below {want['min_price']}")
    if "gender" in want and product.get("gender") not in GENDER_ADMITS[want["gender"]]:
        problems.append(f"{label}: gender {product.get('gender')!r}, wanted {want['gender']!r}")
    for key in ("brand", "occasion"):
        if key in want and str(product.get(key) or "").casefold() != want[key].casefold():
            problems.append(f"{label}: {key} {product.get(key)!r}, wanted {want[key]!r}")
    return problems


# --- checking expectations ------------------------------------------------------------------


@dataclass
class Scene:
    """What one set of expectations is checked against."""

    conversation: Conversation
    earlier: list[Reply]  # the turns before this one, turn 1 first
    cart: dict[str, Any]
    reply: Reply | None = None  # None when checking the outcome
    previous_cart: dict[str, Any] | None = None
    orders_before: int | None = None
    orders_after: int | None = None

    def sku(self, ref: str) -> str | None:
        found = REF.match(ref)
        assert found, ref  # load_dialogues validated it
        if found["turn"]:
            products = self.earlier[int(found["turn"]) - 1].products
        else:
            lists = [r for r in self.earlier if r.action in LIST_ACTIONS and r.products]
            products = lists[-1].products if lists else []
        index = int(found["index"])
        return products[index]["sku"] if -len(products) <= index < len(products) else None

    def turn_products(self, ref: str) -> list[dict[str, Any]]:
        found = TURN_REF.match(str(ref))
        assert found, ref
        return self.earlier[int(found["turn"]) - 1].products


def _lines(cart: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    return list((cart or {}).get("items") or [])


def _units(cart: Mapping[str, Any] | None) -> int:
    if cart and "item_count" in cart:
        return int(cart["item_count"])
    return sum(int(line.get("qty", 0)) for line in _lines(cart))


def _signature(cart: Mapping[str, Any] | None) -> list[tuple[str, str, int]]:
    return sorted((li["sku"], str(li["size"]), int(li["qty"])) for li in _lines(cart))


def _mean_price(products: Sequence[Mapping[str, Any]]) -> float | None:
    return sum(float(p["price"]) for p in products) / len(products) if products else None


async def _line_matches(scene: Scene, line: Mapping[str, Any], want: Mapping[str, Any]) -> bool:
    if "sku" in want and line["sku"] != want["sku"]:
        return False
    if "sku_from" in want and line["sku"] != scene.sku(want["sku_from"]):
        return False
    if "size" in want and str(line["size"]).casefold() != str(want["size"]).casefold():
        return False
    if "qty" in want and int(line["qty"]) != int(want["qty"]):
        return False
    if "category" in want or "color" in want:
        product = await scene.conversation.product(line["sku"])
        if "category" in want and product.get("category") not in category_ids(want["category"]):
            return False
        if "color" in want and not color_matches(want["color"], product.get("color")):
            return False
    return True


async def _check_cart_has(scene: Scene, wanted: Sequence[Mapping[str, Any]]) -> list[str]:
    problems = []
    for want in wanted:
        matches = [await _line_matches(scene, line, want) for line in _lines(scene.cart)]
        if not any(matches):
            shown = {
                k: (f"{v} = {scene.sku(v)}" if k == "sku_from" else v) for k, v in want.items()
            }
            problems.append(f"no cart line matches {shown}; cart: {_signature(scene.cart)}")
    return problems


def _check_reply(scene: Scene, key: str, value: Any, order_id: str | None) -> list[str]:
    assert scene.reply is not None
    reply = scene.reply
    texts = [str(v).replace("{order_id}", order_id or "{order_id}") for v in value]
    found = [t for t in texts if t.casefold() in reply.reply.casefold()]
    if key == "reply_contains" and len(found) < len(texts):
        return [f"reply lacks {sorted(set(texts) - set(found))}"]
    if key == "reply_contains_any" and not found:
        return [f"reply has none of {texts}"]
    return []


def _check_products(scene: Scene, key: str, value: Any) -> list[str]:
    assert scene.reply is not None
    products = scene.reply.products
    skus = {str(p.get("sku")) for p in products}
    if key == "products_min" and len(products) < value:
        return [f"{len(products)} products, wanted at least {value}"]
    if key == "products_max" and len(products) > value:
        return [f"{len(products)} products, wanted at most {value}"]
    if key == "products_match":
        problems = [problem for p in products for problem in product_problems(p, value)]
        more = [f"… and {len(problems) - 6} more"] if len(problems) > 6 else []
        return problems[:6] + more
    if key == "products_exclude":
        again = skus & {sku for sku in map(scene.sku, value) if sku}
        return [f"shows {sorted(again)} again"] if again else []
    if key == "products_new_vs":
        again = skus & {str(p["sku"]) for p in scene.turn_products(value)}
        return [f"shows {sorted(again)} from {value} again"] if again else []
    if key == "cheaper_than":
        now, before = _mean_price(products), _mean_price(scene.turn_products(value))
        if now is None or before is None or now >= before:
            return [f"mean price {now} is not below {value}'s {before}"]
    return []


def _check_turn_only(scene: Scene, key: str, value: Any) -> list[str]:
    assert scene.reply is not None
    reply = scene.reply
    if key == "action" and reply.action != value:
        return [f"action {reply.action!r}, wanted {value!r}"]
    if key == "action_in" and reply.action not in value:
        return [f"action {reply.action!r}, wanted one of {value}"]
    if key == "asks" and value:
        asks = reply.action.startswith("asked_") and reply.reply.rstrip().endswith("?")
        return [] if asks else [f"no question asked (action {reply.action!r})"]
    if key == "intent":
        intent = (reply.body.get("command") or {}).get("intent")
        return [] if intent == value else [f"understood as {intent!r}, wanted {value!r}"]
    if key == "order_placed":
        placed = (scene.orders_after or 0) > (scene.orders_before or 0)
        return [] if placed == bool(value) else [f"order placed: {placed}, wanted {value}"]
    return _check_products(scene, key, value)


async def _check_cart(scene: Scene, key: str, value: Any) -> list[str]:
    cart = scene.cart
    if key == "cart_count" and _units(cart) != value:
        return [f"cart has {_units(cart)} items, wanted {value}"]
    if key == "cart_lines" and len(_lines(cart)) != value:
        return [f"cart has {len(_lines(cart))} lines, wanted {value}"]
    if key == "cart_has":
        return await _check_cart_has(scene, value)
    if key == "cart_unchanged" and value and _signature(cart) != _signature(scene.previous_cart):
        return [f"cart changed: {_signature(scene.previous_cart)} → {_signature(cart)}"]
    if key == "cart_total_min" and float(cart.get("total") or 0) < value:
        return [f"cart total {cart.get('total')} below {value}"]
    if key == "cart_coupon" and not _has_coupon(cart, value):
        return [f"coupon {value} not applied: {cart.get('coupon')}"]
    if key == "orders_placed":
        placed = (scene.orders_after or 0) - (scene.orders_before or 0)
        return [] if placed == value else [f"{placed} orders placed, wanted {value}"]
    return []


async def check(scene: Scene, expect: Mapping[str, Any]) -> list[str]:
    """Every way ``scene`` falls short of ``expect`` (empty when it all holds)."""
    order_id = None
    if any("{order_id}" in str(v) for v in expect.values()):
        orders = await scene.conversation.orders()
        order_id = orders[0]["order_id"] if orders else None
    problems: list[str] = []
    for key, value in expect.items():
        if key in ("reply_contains", "reply_contains_any"):
            problems += _check_reply(scene, key, value, order_id)
        elif key.startswith("cart_") or key == "orders_placed":
            problems += await _check_cart(scene, key, value)
        else:
            problems += _check_turn_only(scene, key, value)
    return problems


def _has_coupon(cart: Mapping[str, Any], code: str) -> bool:
    coupon = cart.get("coupon") or {}
    if str(coupon.get("code", "")).upper() == code.upper() and coupon.get("applied", True):
        return True
    return any(
        str(o.get("code", "")).upper() == code.upper() for o in cart.get("applied_offers") or []
    )
