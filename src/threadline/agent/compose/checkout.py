"""Replies at the end of a checkout: the order placed, a declined payment, a blocked checkout."""

from __future__ import annotations

from threadline.agent.compose.common import Context, Rendered, money
from threadline.agent.turn import Outcome


def order_placed(o: Outcome, ctx: Context) -> Rendered:
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


def declined(o: Outcome, ctx: Context) -> Rendered:
    alternatives = o.facts.get("alternatives") or []
    options = ", ".join(a["label"].lower() for a in alternatives[:4])
    return (
        f"Sorry, that payment didn't go through ({o.facts['message'].rstrip('.')}). Nothing was "
        f"charged and your cart is saved. You can try another way: {options}. Which would you like?",
        [],
    )


def blocked(o: Outcome, ctx: Context) -> Rendered:
    if o.facts.get("reason") == "empty":
        return "Your cart is empty — let's find something first!", ["Show me shirts", "Any offers?"]
    return f"I couldn't complete that: {o.facts.get('error', 'something is missing')}", [
        "My cart",
        "Talk to a person",
    ]
