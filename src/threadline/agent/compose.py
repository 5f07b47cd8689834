"""The reply composer: words and buttons from what the workers found, and nothing else.

Every price, stock level, offer and order state in a reply comes from the ``Outcome``'s facts,
which the workers read from the store in this turn.  Persuasion stays honest: a tier benefit
is mentioned only when the tier really gives a discount, an offer only when it applies or is
one item away, scarcity only when three or fewer units are left, and alternatives only when
they exist.  Every reply comes with 2–4 suggestions the page can show as buttons.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from threadline.agent.turn import Outcome
from threadline.catalog.taxonomy import CATEGORIES
from threadline.loyalty.pricing import OfferRule, TierRule

DEFAULT_SUGGESTIONS = ["Show me shirts", "Kurtas for women", "Sneakers under ₹3000", "My cart"]


@dataclass(slots=True)
class Context:
    """What the composer may mention besides the outcome (all read from the store)."""

    name: str | None = None
    tier: TierRule | None = None
    offers: list[OfferRule] = field(default_factory=list)
    cart: dict[str, Any] | None = None
    welcome_back: dict[str, Any] | None = None
    channel: str = "web"


def money(value: float | int | None) -> str:
    amount = float(value or 0)
    return f"₹{amount:,.0f}" if amount == int(amount) else f"₹{amount:,.2f}"


def _product_line(n: int, product: dict[str, Any]) -> str:
    price = money(product["price"])
    mrp = product.get("mrp") or 0
    off = (
        f" (MRP {money(mrp)}, {product['discount_percent']}% off)" if mrp > product["price"] else ""
    )
    return f"{n}. {_named(product)} — {price}{off}"


def _named(product: dict[str, Any]) -> str:
    """The product's name, with its brand unless the name already says it."""
    name, brand = str(product["name"]), str(product.get("brand") or "")
    return name if not brand or brand.lower() in name.lower() else f"{name} by {brand}"


def _listing(products: list[dict[str, Any]]) -> str:
    return "\n".join(_product_line(i, p) for i, p in enumerate(products, 1))


def _label(category: str | None) -> str:
    if not category:
        return "products"
    known = CATEGORIES.get(category)
    return known.label.lower() if known else category.replace("_", " ")


def _tier_line(ctx: Context) -> str | None:
    tier = ctx.tier
    if tier is None or tier.discount_percent <= 0:
        return None
    return (
        f"As a {tier.tier.title()} member you get an extra {tier.discount_percent}% off "
        "at checkout."
    )


def _cart_summary(cart: dict[str, Any]) -> str:
    count = int(cart.get("item_count") or 0)
    noun = "item" if count == 1 else "items"
    text = f"Your cart has {count} {noun}, total {money(cart.get('total'))}"
    if cart.get("discount"):
        text += f" after {money(cart['discount'])} off"
    return text + "."


def _offer_nudge(ctx: Context, cart: dict[str, Any]) -> str | None:
    """An applied offer, or one that is one more item away (honestly either)."""
    applied = [o for o in cart.get("applied_offers") or [] if o.get("kind") == "offer"]
    if applied:
        first = applied[0]
        return f"{first['label']} is applied: you save {money(first['amount'])}."
    count = int(cart.get("item_count") or 0)
    subtotal_paise = round(float(cart.get("subtotal") or 0) * 100)
    for offer in ctx.offers:
        if (
            offer.min_qty == count + 1
            and not offer.scope.category
            and not offer.scope.brand
            and subtotal_paise >= offer.min_order_paise
        ):
            return f"Add one more item for this offer: {offer.description.rstrip('.')}."
    return None


def _tier_saving(cart: dict[str, Any]) -> str | None:
    for applied in cart.get("applied_offers") or []:
        if applied.get("kind") == "tier" and applied.get("amount"):
            return f"{applied['label']} saves you {money(applied['amount'])} on this cart."
    return None


def compose(outcome: Outcome, ctx: Context) -> tuple[str, list[str]]:
    """The reply and its 2–4 suggestions."""
    render = _RENDERERS.get(outcome.action) or _RENDERERS.get(outcome.action.split("_")[0])
    text, defaults = render(outcome, ctx) if render else _unknown(outcome, ctx)
    if ctx.welcome_back:
        back = ctx.welcome_back
        count = int(back.get("item_count") or 0)
        noun = "item" if count == 1 else "items"
        text = (
            f"Welcome back! You still have {count} {noun} in your cart "
            f"({money(back.get('total'))}) from your last visit. " + text
        )
        defaults = ["Show my cart", *defaults]
    suggestions = list(dict.fromkeys([*outcome.suggestions, *defaults, *DEFAULT_SUGGESTIONS]))
    return text.strip(), [s[:40] for s in suggestions[:4]]


# --- per action ---------------------------------------------------------------------------------

Rendered = tuple[str, list[str]]


def _greeted(o: Outcome, ctx: Context) -> Rendered:
    hello = f"Hello {ctx.name.split()[0]}!" if ctx.name else "Hello!"
    return (
        f"{hello} I'm Threadline's shopping assistant. Tell me what you're looking for — "
        'for example "blue shirts under 2000" or "a kurta for a wedding".',
        ["Show me shirts", "Ethnic wear for a wedding", "Any offers?"],
    )


def _helped(o: Outcome, ctx: Context) -> Rendered:
    return (
        'I can find products ("black jeans size 32 under 2k"), show details and stock, '
        "add to your cart, apply coupons, check out with UPI, card, wallet or cash, "
        "tell you where your order is, start a return, or call a store associate.",
        ["Show me shirts", "My cart", "Where is my order?", "Talk to a person"],
    )


def _small_talk(o: Outcome, ctx: Context) -> Rendered:
    kind = o.facts.get("kind")
    if kind == "thanks":
        return "You're welcome! Anything else I can find for you?", [
            "Show me new arrivals",
            "My cart",
        ]
    if kind == "bye":
        return "Thank you for shopping with us — see you soon!", ["My cart", "Show me shirts"]
    return (
        "I'm here to help you shop. What are you looking for today?",
        ["Show me shirts", "Dresses for a party"],
    )


def _not_understood(o: Outcome, ctx: Context) -> Rendered:
    return (
        'Sorry, I didn\'t catch that. You can ask for a product ("white sneakers UK 9"), '
        'say "add the second one", or ask "where is my order?".',
        ["Show me shirts", "Help", "Talk to a person"],
    )


def _unknown(o: Outcome, ctx: Context) -> Rendered:
    return _not_understood(o, ctx)


def _found(o: Outcome, ctx: Context) -> Rendered:
    want = o.facts.get("want") or "products"
    products = o.products
    if o.action == "showed_more":
        head = f"Here are more {want}:"
    elif o.action == "refined":
        like = o.facts.get("like")
        head = f"Here's what I found like {like['name']}:" if like else f"Here are {want}:"
    else:
        head = f"Here are {want}:" if want != "products" else "Here's what I found:"
    lines = [head, _listing(products)]
    tier = _tier_line(ctx)
    if tier:
        lines.append(tier)
    if len(products) > 1:
        lines.append('Say "add the second one in M" or "tell me about the first one".')
    else:
        lines.append('Say "add it in M" or "tell me more".')
    return "\n".join(lines), [
        "Add the first one",
        "Show more",
        "Cheaper ones",
        "Tell me about the first one",
    ]


def _no_results(o: Outcome, ctx: Context) -> Rendered:
    want = o.facts.get("want") or "that"
    if o.facts.get("end"):
        return f"That's all the {want} I have in stock.", ["Cheaper ones", "Show me something else"]
    if o.products:
        dropped = ", ".join(str(k).replace("_", " ") for k in o.facts.get("relaxed") or [])
        closest = o.facts.get("relaxed_want") or "the closest matches"
        return (
            f"I couldn't find {want} in stock. The closest I have (without the {dropped}) "
            f"are {closest}:\n{_listing(o.products)}",
            ["Show more", "Show me something else", "Talk to a person"],
        )
    return (
        f"Sorry, I couldn't find {want} in stock right now. Try another colour, size or budget.",
        ["Show me shirts", "Talk to a person"],
    )


def _details(o: Outcome, ctx: Context) -> Rendered:
    p = o.facts["product"]
    parts = [f"{_named(p)} — {money(p['price'])}"]
    if p.get("mrp") and p["mrp"] > p["price"]:
        parts[0] += f" (MRP {money(p['mrp'])}, {p['discount_percent']}% off)"
    parts[0] += "."
    if p.get("material"):
        parts.append(f"Material: {p['material']}.")
    if p.get("description"):
        parts.append(
            str(p["description"])[:240].rstrip() + ("…" if len(p["description"]) > 240 else "")
        )
    if p.get("rating"):
        parts.append(f"Rated {p['rating']:.1f}/5 by {p.get('rating_count') or 0:,} shoppers.")
    in_stock = o.facts.get("in_stock") or []
    if in_stock:
        parts.append("In stock in " + ", ".join(in_stock) + ".")
    else:
        parts.append("It is out of stock in every size right now.")
    low = o.facts.get("low") or {}
    if low:
        parts.append("Only " + ", ".join(f"{n} left in {s}" for s, n in low.items()) + ".")
    tier = _tier_line(ctx)
    if tier:
        parts.append(tier)
    sizes = [f"Add in {s}" for s in in_stock[:2]]
    return " ".join(parts), [*sizes, "What goes with it?", "Similar in another colour"]


def _look(o: Outcome, ctx: Context) -> Rendered:
    anchor = o.facts["anchor"]
    return (
        f"To go with the {anchor['name']}:\n{_listing(o.products)}",
        ["Add the first one", "Show more", "My cart"],
    )


def _rejected(o: Outcome, ctx: Context) -> Rendered:
    p = o.facts["product"]
    return (
        f"Noted — I won't suggest {p['name']} again. Want me to show something else?",
        ["Show more", "Cheaper ones", "Different colour"],
    )


def _availability(o: Outcome, ctx: Context) -> Rendered:
    f = o.facts
    p = f["product"]
    if f.get("not_sold"):
        return (
            f"{p['name']} doesn't come in size {f['size']}; it comes in {', '.join(f['sizes'])}.",
            [f"Is it in {s}?" for s in f["sizes"][:2]],
        )
    if "by_size" in f:
        in_stock = [s for s, n in f["by_size"].items() if n > 0]
        if not in_stock:
            return f"{p['name']} is out of stock in every size.", [
                "Show similar",
                "Show me something else",
            ]
        low = [f"{s} (only {n} left)" if n <= 3 else s for s, n in f["by_size"].items() if n > 0]
        text = f"{p['name']} is in stock in " + ", ".join(low) + "."
        if f.get("city_stores") is not None:
            text += _city_text(f)
        return text, [f"Add in {s}" for s in in_stock[:2]] + ["Which store has it?"]
    size = f["size"]
    shops = f.get("shops") or []
    if not f.get("online") and not shops:
        return (
            f"Sorry, {p['name']} in {size} is out of stock everywhere.",
            ["Other sizes", "Show similar"],
        )
    parts = [f"{p['name']} in {size}:"]
    if f.get("online"):
        parts.append(
            f"{f['online']} available for delivery"
            + (" (only a few left)" if f["online"] <= 3 else "")
            + ";"
        )
    if shops:
        parts.append(
            "in store at " + ", ".join(f"{s['name']} ({s['qty']})" for s in shops[:4]) + "."
        )
    text = " ".join(parts).rstrip(";")
    if f.get("city_stores") is not None:
        text += _city_text(f)
    return text, [f"Add it in {size}", "Reserve it in store", "Show similar"]


def _city_text(f: dict[str, Any]) -> str:
    city_stores = f.get("city_stores") or []
    if not city_stores:
        return f" We have no store in {f.get('city')}."
    with_stock = [s for s in city_stores if s["qty"] > 0]
    if with_stock:
        return (
            " In "
            + str(f["city"])
            + ": "
            + ", ".join(f"{s['name']} has {s['qty']}" for s in with_stock)
            + "."
        )
    return f" Our {f['city']} store doesn't have it right now."


def _stores(o: Outcome, ctx: Context) -> Rendered:
    f = o.facts
    listed = f.get("matching") if f.get("city") else f["stores"]
    if f.get("city") and not listed:
        cities = sorted({s["city"] for s in f["stores"]})
        return (
            f"We don't have a store in {f['city']} yet. Our stores are in {', '.join(cities)} — "
            "and we deliver everywhere.",
            [f"Store in {c}" for c in cities[:3]],
        )
    lines = ["Our stores:" if not f.get("city") else f"In {f['city']}:"]
    for s in listed or []:
        line = f"• {s['name']}"
        if s.get("area"):
            line += f", {s['area']}"
        line += f", {s['city']}"
        if s.get("hours"):
            line += f" (open {s['hours']})"
        lines.append(line)
    return "\n".join(lines), ["Show me shirts", "My cart"]


def _added(o: Outcome, ctx: Context) -> Rendered:
    f = o.facts
    p = f["product"]
    qty = int(f.get("qty") or 1)
    what = f"{qty} × {p['name']}" if qty > 1 else p["name"]
    parts = [f"Added {what} in size {f['size']} to your cart."]
    if f.get("remembered_size"):
        parts[0] = f"Added {what} in size {f['size']} (the size you chose before) to your cart."
    cart = o.cart or ctx.cart or {}
    parts.append(_cart_summary(cart))
    if f.get("low_stock"):
        parts.append(f"Only {f['low_stock']} left in {f['size']}, so don't wait too long.")
    saving = _tier_saving(cart)
    if saving:
        parts.append(saving)
    nudge = _offer_nudge(ctx, cart)
    if nudge:
        parts.append(nudge)
    look = f.get("look") or []
    if look:
        parts.append(
            "It goes well with "
            + " or ".join(f"{x['name']} ({money(x['price'])})" for x in look[:2])
            + "."
        )
    return " ".join(parts), ["Checkout", "Complete the look", "Show more", "My cart"]


def _asked(o: Outcome, ctx: Context) -> Rendered:
    f = o.facts
    kind = o.action.removeprefix("asked_")
    if kind == "size":
        p = f.get("product") or {}
        name = p.get("name", "It")
        head = f"{name} doesn't come in {f['not_sold']}. " if f.get("not_sold") else ""
        in_stock = f.get("in_stock") or []
        if not in_stock:
            return f"{head}Sorry — {name} is out of stock in every size.", ["Show similar"]
        text = f"{head}{name} is in stock in {', '.join(in_stock)}."
        if f.get("remembered"):
            text += f" Last time you chose {f['remembered']}."
        return f"{text} Which size would you like?", []
    if kind == "which":
        if f.get("lines"):
            names = "; ".join(
                f"{i}. {x['name']} ({x['size']})" for i, x in enumerate(f["lines"][:6], 1)
            )
            return f"{names}. Which item do you mean?", []
        if o.products:
            return (
                f"{_listing(o.products)}\nWhich one do you mean — the first, the second…?",
                [],
            )
        problem = str(f.get("problem") or "I'm not sure which product you mean").rstrip(".")
        return f"{problem[0].upper()}{problem[1:]}. Which product do you mean?", ["Show me shirts"]
    if kind == "fulfillment":
        total = f"Your total is {money(f['total'])}. " if f.get("total") else ""
        return (
            f"{total}How would you like to get your order — home delivery, pick up in store, "
            "or reserve in store and pay there?",
            [],
        )
    if kind == "store":
        cities = ", ".join(dict.fromkeys(f.get("cities") or []))
        verb = "reserve it" if f.get("fulfillment") == "reserve_in_store" else "pick it up"
        problem = f"{f['problem']} " if f.get("problem") else ""
        where = f"We're in {cities}. " if cities else ""
        if f.get("missing"):
            problem = f"{', '.join(f['missing'])} isn't in stock at {f['at']}. "
            where = (
                f"These stores have everything: {cities}. "
                if cities
                else "No single store has everything; home delivery can bring it all. "
            )
        return f"{problem}{where}Which store would you like to {verb} at?", []
    if kind == "address":
        problem = f"{f['problem']} " if f.get("problem") else ""
        return (
            f"{problem}Send the address as house and street, city, 6-digit PIN code (for example "
            '"12 MG Road, Pune, 411001"). Where should we deliver?',
            [],
        )
    if kind == "payment":
        total = f"Your total is {money(f['total'])}. " if f.get("total") else ""
        return f"{total}How would you like to pay — UPI, card, wallet or cash?", []
    if kind == "qty":
        if f.get("available") is not None:
            p = f["product"]
            held = f" on top of the {f['in_cart']} in your cart" if f.get("in_cart") else ""
            return (
                f"I can add only {f['available']} more of {p['name']} in size {f['size']}"
                f"{held}, not {f['wanted']}. How many would you like?",
                [],
            )
        line = f.get("line") or {}
        return f"How many of the {line.get('name', 'item')} would you like?", ["1", "2", "3"]
    if kind == "coupon":
        return "Which coupon code would you like to apply?", ["Any offers?", "My cart"]
    if kind == "confirmation":
        if f.get("return"):
            names = ", ".join(f"{x['name']} ({x['size']})" for x in f["lines"])
            order = f["order"]["order_id"]
            if f.get("exchange_size"):
                return (
                    f"Shall I exchange {names} from order {order} for size {f['exchange_size']}?",
                    [],
                )
            paid = sum(float(x["line_total"]) for x in f["lines"])
            return (
                f"The refund goes back to your original payment (up to {money(paid)} for these "
                "items, less any discount they received). Shall I start a return of "
                f"{names} from order {order}?",
                [],
            )
        if f.get("reason") == "cart_changed":
            cart = ctx.cart or {}
            return (
                f"Prices or offers changed since your cart was shown. {_cart_summary(cart)} "
                "Shall I place the order at this total?",
                ["Yes, place it", "No"],
            )
    if kind == "what":
        return 'For example "black jeans size 32". What are you looking for?', []
    return "Could you tell me a bit more?", []


def _cart_shown(o: Outcome, ctx: Context) -> Rendered:
    cart = o.cart or {}
    items = cart.get("items") or []
    if not items:
        return "Your cart is empty. What can I find for you?", ["Show me shirts", "Any offers?"]
    lines = [
        f"{i}. {x['name']} ({x['size']}) × {x['qty']} — {money(x['line_total'])}"
        for i, x in enumerate(items, 1)
    ]
    text = "Your cart:\n" + "\n".join(lines) + "\n" + _cart_summary(cart)
    nudge = _offer_nudge(ctx, cart)
    if nudge:
        text += " " + nudge
    return text, ["Checkout", "Apply a coupon", "Continue shopping"]


def _updated(o: Outcome, ctx: Context) -> Rendered:
    line = o.facts.get("line") or {}
    cart = o.cart or {}
    if o.facts.get("size"):
        head = f"Changed {line.get('name', 'the item')} to size {o.facts['size']}."
    else:
        head = f"Updated {line.get('name', 'the item')} to {o.facts.get('qty')}."
    return f"{head} {_cart_summary(cart)}", ["Checkout", "My cart"]


def _removed(o: Outcome, ctx: Context) -> Rendered:
    line = o.facts.get("line") or {}
    cart = o.cart or {}
    return (
        f"Removed {line.get('name', 'the item')} ({line.get('size', '')}) from your cart. "
        + _cart_summary(cart),
        ["Checkout", "Continue shopping"],
    )


def _coupon(o: Outcome, ctx: Context) -> Rendered:
    if o.action == "coupon_rejected":
        return f"I couldn't apply {o.facts['code']}: {o.facts['error']}", ["Any offers?", "My cart"]
    cart = o.cart or {}
    coupon = cart.get("coupon") or {}
    saved = next(
        (a["amount"] for a in cart.get("applied_offers") or [] if a.get("kind") == "coupon"), 0
    )
    text = f"Coupon {o.facts['code']} applied"
    text += f": you save {money(saved)}." if saved else "."
    if coupon.get("message"):
        text += f" {coupon['message']}"
    return f"{text} {_cart_summary(cart)}", ["Checkout", "My cart"]


def _offers(o: Outcome, ctx: Context) -> Rendered:
    f = o.facts
    parts = []
    if f["offers"]:
        parts.append("Current offers: " + "; ".join(f["offers"]) + ".")
    else:
        parts.append("There are no store-wide offers right now.")
    if f.get("tier"):
        tier = f"You're a {str(f['tier']).title()} member"
        if f.get("tier_percent"):
            tier += f": {f['tier_percent']}% off every order"
        per = int(f["points_per_100"])
        tier += f", and you earn {per} point{'s' if per != 1 else ''} per ₹100."
        parts.append(tier)
    points = int(f.get("points") or 0)
    if points:
        worth = points * int(f["point_value_paise"]) / 100
        parts.append(
            f'You have {points:,} points (worth {money(worth)}); say "use my points" at checkout.'
        )
    return " ".join(parts), ["My cart", "Show me shirts", "Checkout"]


def _order_placed(o: Outcome, ctx: Context) -> Rendered:
    order = o.facts["order"]
    ful = order["fulfillment"]
    parts = [f"Order {order['order_id']} is placed — total {money(order['total'])}"]
    method = {"upi": "UPI", "card": "card", "wallet": "wallet", "cod": "cash"}.get(
        order["payment"]["method"], order["payment"]["method"]
    )
    if order["payment"]["status"] == "captured":
        parts[0] += f", paid by {method}."
    else:
        parts[0] += f", to pay by {method}" + (
            " at the store." if ful["type"] != "delivery" else " on delivery."
        )
    if ful["type"] == "delivery" and ful.get("eta"):
        parts.append(f"It should arrive by {ful['eta']}.")
    elif ful["type"] == "pickup":
        parts.append(
            f"Collect it at {ful.get('store_name') or 'the store'} with pickup code {ful['pickup_code']}."
        )
    elif ful["type"] == "reserve_in_store":
        parts.append(
            f"It's held for you at {ful.get('store_name') or 'the store'}; show code "
            f"{ful['pickup_code']} and pay there."
        )
    points = order.get("loyalty_points_earned")
    if points and order["payment"]["status"] == "captured":
        parts.append(f"You've earned {points} loyalty points.")
    elif points:
        parts.append(f"You'll earn {points} loyalty points once it's paid.")
    return " ".join(parts), ["Where is my order?", "Continue shopping"]


def _declined(o: Outcome, ctx: Context) -> Rendered:
    alternatives = o.facts.get("alternatives") or []
    options = ", ".join(a["label"].lower() for a in alternatives[:4])
    return (
        f"Sorry, that payment didn't go through ({o.facts['message'].rstrip('.')}). Nothing was "
        f"charged and your cart is saved. You can try another way: {options}. Which would you like?",
        [],
    )


def _blocked(o: Outcome, ctx: Context) -> Rendered:
    if o.facts.get("reason") == "empty":
        return "Your cart is empty — let's find something first!", ["Show me shirts", "Any offers?"]
    return f"I couldn't complete that: {o.facts.get('error', 'something is missing')}", [
        "My cart",
        "Talk to a person",
    ]


def _out_of_stock(o: Outcome, ctx: Context) -> Rendered:
    f = o.facts
    if f.get("error"):
        return f"Sorry — {f['error']}", ["My cart", "Show similar"]
    p = f["product"]
    parts = [f"Sorry, {p['name']} is sold out in size {f['size']}."]
    if f.get("other_sizes"):
        parts.append("It's still available in " + ", ".join(f["other_sizes"]) + ".")
    if o.products:
        parts.append("Similar ones in your size:\n" + _listing(o.products))
    return " ".join(parts), ["Show similar", "Talk to a person"]


def _order_status(o: Outcome, ctx: Context) -> Rendered:
    if o.facts.get("missing"):
        if o.facts.get("order_id"):
            return f"I can't find an order {o.facts['order_id']} on your account.", [
                "My orders",
                "Talk to a person",
            ]
        return "You haven't placed an order with us yet.", ["Show me shirts", "My cart"]
    order = o.facts["order"]
    status = str(order["status"]).replace("_", " ")
    ful = order["fulfillment"]
    items = ", ".join(f"{x['name']} ({x['size']})" for x in order["items"][:3])
    text = f"Order {order['order_id']} ({items}) is {status}."
    if (
        ful["type"] == "delivery"
        and ful.get("eta")
        and order["status"] not in ("delivered", "cancelled")
    ):
        text += f" Expected by {ful['eta']}."
    if ful["type"] in ("pickup", "reserve_in_store") and order["status"] not in (
        "collected",
        "cancelled",
    ):
        text += f" Pickup code {ful['pickup_code']} at {ful.get('store_name') or 'the store'}."
    return text, ["Return an item", "Continue shopping"]


def _returned(o: Outcome, ctx: Context) -> Rendered:
    made = o.facts.get("return") or {}
    if made.get("kind") == "exchange":
        return "Your exchange is booked — we'll swap the size for you.", ["Where is my order?"]
    refund = money(made.get("refund"))
    return f"Your return is booked; {refund} will be refunded to your original payment.", [
        "Where is my order?",
        "Continue shopping",
    ]


def _return_blocked(o: Outcome, ctx: Context) -> Rendered:
    reason = o.facts.get("reason")
    if reason == "no_order":
        return "I can't find an order to return on your account.", ["Where is my order?"]
    if reason == "not_received":
        order = o.facts["order"]
        return (
            f"Order {order['order_id']} is {str(order['status']).replace('_', ' ')}; items can "
            "be returned once they're delivered or collected.",
            ["Where is my order?", "Talk to a person"],
        )
    if reason == "no_line":
        return "I couldn't find that item in your order.", ["Where is my order?"]
    return f"I couldn't start that return: {o.facts.get('error', '')}", ["Talk to a person"]


def _staff(o: Outcome, ctx: Context) -> Rendered:
    if o.facts.get("channel") == "kiosk":
        return (
            "I've asked a store associate to come over to this kiosk — they'll be with you shortly.",
            ["My cart", "Keep browsing"],
        )
    return (
        "I've asked a member of our team to pick up this conversation; they'll reply here. "
        "Meanwhile I can keep helping.",
        ["My cart", "Where is my order?"],
    )


def _cancelled(o: Outcome, ctx: Context) -> Rendered:
    return "No problem — I've left things as they were. What next?", ["My cart", "Show me shirts"]


_RENDERERS = {
    "greeted": _greeted,
    "helped": _helped,
    "small_talk": _small_talk,
    "not_understood": _not_understood,
    "searched": _found,
    "refined": _found,
    "showed_more": _found,
    "no_results": _no_results,
    "showed_details": _details,
    "showed_look": _look,
    "noted_rejection": _rejected,
    "checked_availability": _availability,
    "listed_stores": _stores,
    "added_to_cart": _added,
    "asked": _asked,
    "showed_cart": _cart_shown,
    "updated_cart": _updated,
    "removed_from_cart": _removed,
    "applied_coupon": _coupon,
    "coupon_rejected": _coupon,
    "showed_offers": _offers,
    "order_placed": _order_placed,
    "payment_declined": _declined,
    "checkout_blocked": _blocked,
    "out_of_stock": _out_of_stock,
    "showed_order_status": _order_status,
    "return_requested": _returned,
    "return_blocked": _return_blocked,
    "handed_to_staff": _staff,
    "cancelled": _cancelled,
}
