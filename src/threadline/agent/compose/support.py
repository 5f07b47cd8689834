"""Replies after the sale and around it: order status, returns, staff, and conversation."""

from __future__ import annotations

from threadline.agent.compose.common import Context, Rendered, money
from threadline.agent.turn import Outcome


def order_status(o: Outcome, ctx: Context) -> Rendered:
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


def returned(o: Outcome, ctx: Context) -> Rendered:
    made = o.facts.get("return") or {}
    if made.get("kind") == "exchange":
        return "Your exchange is booked — we'll swap the size for you.", ["Where is my order?"]
    refund = money(made.get("refund"))
    return f"Your return is booked; {refund} will be refunded to your original payment.", [
        "Where is my order?",
        "Continue shopping",
    ]


def return_blocked(o: Outcome, ctx: Context) -> Rendered:
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


def staff(o: Outcome, ctx: Context) -> Rendered:
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


# --- conversation ---


def greeted(o: Outcome, ctx: Context) -> Rendered:
    hello = f"Hello {ctx.name.split()[0]}!" if ctx.name else "Hello!"
    return (
        f"{hello} I'm Threadline's shopping assistant. Tell me what you're looking for — "
        'for example "blue shirts under 2000" or "a kurta for a wedding".',
        ["Show me shirts", "Ethnic wear for a wedding", "Any offers?"],
    )


def helped(o: Outcome, ctx: Context) -> Rendered:
    return (
        'I can find products ("black jeans size 32 under 2k"), show details and stock, '
        "add to your cart, apply coupons, check out with UPI, card, wallet or cash, "
        "tell you where your order is, start a return, or call a store associate.",
        ["Show me shirts", "My cart", "Where is my order?", "Talk to a person"],
    )


def small_talk(o: Outcome, ctx: Context) -> Rendered:
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


def not_understood(o: Outcome, ctx: Context) -> Rendered:
    return (
        'Sorry, I didn\'t catch that. You can ask for a product ("white sneakers UK 9"), '
        'say "add the second one", or ask "where is my order?".',
        ["Show me shirts", "Help", "Talk to a person"],
    )


def unknown(o: Outcome, ctx: Context) -> Rendered:
    return not_understood(o, ctx)


def cancelled(o: Outcome, ctx: Context) -> Rendered:
    return "No problem — I've left things as they were. What next?", ["My cart", "Show me shirts"]
