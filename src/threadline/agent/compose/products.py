"""Replies about products: search results, details, the look, availability and stores."""

from __future__ import annotations

from typing import Any

from threadline.agent.compose.common import Context, Rendered, listing, money, named, tier_line
from threadline.agent.turn import Outcome


def found(o: Outcome, ctx: Context) -> Rendered:
    want = o.facts.get("want") or "products"
    products = o.products
    if o.action == "showed_more":
        head = f"Here are more {want}:"
    elif o.action == "refined":
        like = o.facts.get("like")
        head = f"Here's what I found like {like['name']}:" if like else f"Here are {want}:"
    else:
        head = f"Here are {want}:" if want != "products" else "Here's what I found:"
    lines = [head, listing(products)]
    tier = tier_line(ctx)
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


def no_results(o: Outcome, ctx: Context) -> Rendered:
    want = o.facts.get("want") or "that"
    if o.facts.get("end"):
        return f"That's all the {want} I have in stock.", ["Cheaper ones", "Show me something else"]
    if o.products:
        dropped = ", ".join(str(k).replace("_", " ") for k in o.facts.get("relaxed") or [])
        closest = o.facts.get("relaxed_want") or "the closest matches"
        return (
            f"I couldn't find {want} in stock. The closest I have (without the {dropped}) "
            f"are {closest}:\n{listing(o.products)}",
            ["Show more", "Show me something else", "Talk to a person"],
        )
    return (
        f"Sorry, I couldn't find {want} in stock right now. Try another colour, size or budget.",
        ["Show me shirts", "Talk to a person"],
    )


def details(o: Outcome, ctx: Context) -> Rendered:
    p = o.facts["product"]
    parts = [f"{named(p)} — {money(p['price'])}"]
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
    tier = tier_line(ctx)
    if tier:
        parts.append(tier)
    sizes = [f"Add in {s}" for s in in_stock[:2]]
    return " ".join(parts), [*sizes, "What goes with it?", "Similar in another colour"]


def look(o: Outcome, ctx: Context) -> Rendered:
    anchor = o.facts["anchor"]
    return (
        f"To go with the {anchor['name']}:\n{listing(o.products)}",
        ["Add the first one", "Show more", "My cart"],
    )


def rejected(o: Outcome, ctx: Context) -> Rendered:
    p = o.facts["product"]
    return (
        f"Noted — I won't suggest {p['name']} again. Want me to show something else?",
        ["Show more", "Cheaper ones", "Different colour"],
    )


def availability(o: Outcome, ctx: Context) -> Rendered:
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


def stores(o: Outcome, ctx: Context) -> Rendered:
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
