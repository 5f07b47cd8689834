"""The agent's questions: which size, product or line, how many, where, how to pay, shall I."""

from __future__ import annotations

from collections.abc import Callable

from threadline.agent.compose.common import Context, Rendered, cart_summary, listing, money
from threadline.agent.turn import Outcome


def asked(o: Outcome, ctx: Context) -> Rendered:
    """An ``asked_<kind>`` outcome: the question for that kind."""
    kind = o.action.removeprefix("asked_")
    ask = _QUESTIONS.get(kind)
    rendered = ask(o, ctx) if ask else None
    return rendered if rendered is not None else ("Could you tell me a bit more?", [])


def _size(o: Outcome, ctx: Context) -> Rendered:
    f = o.facts
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


def _which(o: Outcome, ctx: Context) -> Rendered:
    f = o.facts
    if f.get("lines"):
        names = "; ".join(
            f"{i}. {x['name']} ({x['size']})" for i, x in enumerate(f["lines"][:6], 1)
        )
        return f"{names}. Which item do you mean?", []
    if o.products:
        return (
            f"{listing(o.products)}\nWhich one do you mean — the first, the second…?",
            [],
        )
    problem = str(f.get("problem") or "I'm not sure which product you mean").rstrip(".")
    return f"{problem[0].upper()}{problem[1:]}. Which product do you mean?", ["Show me shirts"]


def _fulfillment(o: Outcome, ctx: Context) -> Rendered:
    f = o.facts
    total = f"Your total is {money(f['total'])}. " if f.get("total") else ""
    return (
        f"{total}How would you like to get your order — home delivery, pick up in store, "
        "or reserve in store and pay there?",
        [],
    )


def _store(o: Outcome, ctx: Context) -> Rendered:
    f = o.facts
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


def _address(o: Outcome, ctx: Context) -> Rendered:
    f = o.facts
    problem = f"{f['problem']} " if f.get("problem") else ""
    return (
        f"{problem}Send the address as house and street, city, 6-digit PIN code (for example "
        '"12 MG Road, Pune, 411001"). Where should we deliver?',
        [],
    )


def _payment(o: Outcome, ctx: Context) -> Rendered:
    f = o.facts
    total = f"Your total is {money(f['total'])}. " if f.get("total") else ""
    return f"{total}How would you like to pay — UPI, card, wallet or cash?", []


def _qty(o: Outcome, ctx: Context) -> Rendered:
    f = o.facts
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


def _coupon(o: Outcome, ctx: Context) -> Rendered:
    return "Which coupon code would you like to apply?", ["Any offers?", "My cart"]


def _confirmation(o: Outcome, ctx: Context) -> Rendered | None:
    """Shall I go ahead: with a return, or with a cart whose total changed (else None)."""
    f = o.facts
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
            f"Prices or offers changed since your cart was shown. {cart_summary(cart)} "
            "Shall I place the order at this total?",
            ["Yes, place it", "No"],
        )
    return None


def _what(o: Outcome, ctx: Context) -> Rendered:
    return 'For example "black jeans size 32". What are you looking for?', []


_QUESTIONS: dict[str, Callable[[Outcome, Context], Rendered | None]] = {
    "size": _size,
    "which": _which,
    "fulfillment": _fulfillment,
    "store": _store,
    "address": _address,
    "payment": _payment,
    "qty": _qty,
    "coupon": _coupon,
    "confirmation": _confirmation,
    "what": _what,
}
