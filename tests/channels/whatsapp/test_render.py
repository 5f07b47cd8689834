"""Replies as Cloud API message bodies: buttons, lists, the text fallback, product cards."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.conftest import make_settings
from threadline.channels.base import Inbound, Outgoing
from threadline.channels.whatsapp.adapter import WhatsAppAdapter
from threadline.channels.whatsapp.render import (
    BODY_LIMIT,
    MAX_CARDS,
    MORE_CHOICES,
    TEXT_LIMIT,
    card_text,
)
from threadline.core.types import Channel

WA_ID = "919876543210"
SHIRT = {
    "sku": "T-SHIRT",
    "name": "Oxford Shirt",
    "brand": "Urbane",
    "price": 1499.0,
    "mrp": 2499.0,
    "discount_percent": 40,
    "sizes": ["S", "M", "L"],
    "image_url": "https://cdn.example.com/p/T-SHIRT.jpg",
}


def inbound(**kw: Any) -> Inbound:
    values: dict[str, Any] = {
        "channel": Channel.whatsapp,
        "external_id": "wamid.IN1",
        "address": WA_ID,
        "kind": "text",
        "text": "hi",
        "user_id": WA_ID,
        "phone": "+" + WA_ID,
        "platform_time": datetime.now(UTC),
    }
    values.update(kw)
    return Inbound(**values)


def render(reply: Outgoing, **kw: Any) -> list[dict[str, Any]]:
    adapter = WhatsAppAdapter(make_settings("sqlite://"))
    requests = adapter.render(inbound(**kw), reply)
    for request in requests:
        assert request["method"] == "messages"
        body = request["body"]
        assert body["messaging_product"] == "whatsapp"
        assert body["recipient_type"] == "individual"
        assert body["to"] == WA_ID
        assert body["type"] in body
    return [r["body"] for r in requests]


def test_a_plain_reply_is_one_text_message() -> None:
    [body] = render(Outgoing("Hello! What are you shopping for today?"))
    assert body["type"] == "text"
    assert body["text"] == {"preview_url": False, "body": "Hello! What are you shopping for today?"}


def test_up_to_three_short_suggestions_are_reply_buttons() -> None:
    [body] = render(Outgoing("Here you go.", suggestions=["Show jeans", "View cart", "Offers"]))
    assert body["type"] == "interactive"
    interactive = body["interactive"]
    assert interactive["type"] == "button"
    assert interactive["body"] == {"text": "Here you go."}
    assert interactive["action"]["buttons"] == [
        {"type": "reply", "reply": {"id": "say:Show jeans", "title": "Show jeans"}},
        {"type": "reply", "reply": {"id": "say:View cart", "title": "View cart"}},
        {"type": "reply", "reply": {"id": "say:Offers", "title": "Offers"}},
    ]


def test_a_button_title_is_at_most_twenty_characters() -> None:
    fits = "x" * 20
    [body] = render(Outgoing("Pick one", suggestions=[fits]))
    assert body["interactive"]["type"] == "button"
    [body] = render(Outgoing("Pick one", suggestions=[fits + "y"]))
    assert body["interactive"]["type"] == "list"


def test_four_to_ten_suggestions_are_a_list() -> None:
    suggestions = [f"Option number {n}" for n in range(1, 11)]
    [body] = render(Outgoing("Pick one", suggestions=suggestions))
    interactive = body["interactive"]
    assert interactive["type"] == "list"
    assert interactive["body"] == {"text": "Pick one"}
    action = interactive["action"]
    assert action["button"] == "Options"
    assert len(action["button"]) <= 20
    [section] = action["sections"]
    assert len(section["title"]) <= 24
    assert section["rows"] == [{"id": f"say:{s}", "title": s} for s in suggestions]


def test_a_suggestion_too_long_for_a_row_title_is_shown_whole_as_its_description() -> None:
    long = "Tell me about the first one"  # 27 characters
    [body] = render(Outgoing("Pick", suggestions=["Show more", "Cheaper ones", "z" * 24, long]))
    rows = body["interactive"]["action"]["sections"][0]["rows"]
    assert rows[2] == {"id": "say:" + "z" * 24, "title": "z" * 24}
    assert rows[3]["id"] == f"say:{long}"
    assert rows[3]["description"] == long
    assert len(rows[3]["title"]) == 24
    assert rows[3]["title"].endswith("…")
    assert all(len(r["title"]) <= 24 for r in rows)


def test_suggestions_that_fit_no_buttons_fall_back_to_text_lines() -> None:
    long = "Show me something I could wear to a beach wedding in Goa during the monsoon"
    [body] = render(Outgoing("Sure.", suggestions=["Jeans", long]))
    assert body["type"] == "text"
    assert body["text"]["body"] == f"Sure.\n\nYou can also say:\n• Jeans\n• {long}"
    eleven = [f"S{n}" for n in range(11)]
    [body] = render(Outgoing("Sure.", suggestions=eleven))
    assert body["type"] == "text"
    assert all(f"• {s}" in body["text"]["body"] for s in eleven)


def test_duplicate_and_blank_suggestions_are_dropped() -> None:
    [body] = render(Outgoing("Hi", suggestions=["Cart", " Cart ", "", "  "]))
    assert [b["reply"]["id"] for b in body["interactive"]["action"]["buttons"]] == ["say:Cart"]


def test_a_reply_longer_than_an_interactive_body_goes_as_text_then_buttons() -> None:
    text = "word " * 300  # 1500 characters
    bodies = render(Outgoing(text, suggestions=["Yes", "No"]))
    assert [b["type"] for b in bodies] == ["text", "interactive"]
    assert bodies[0]["text"]["body"] == text.strip()
    assert bodies[1]["interactive"]["body"] == {"text": MORE_CHOICES}


def test_text_is_split_at_4096_characters() -> None:
    text = ("a" * 100 + "\n") * 90  # 9090 characters
    bodies = render(Outgoing(text))
    assert len(bodies) == 3
    assert all(len(b["text"]["body"]) <= TEXT_LIMIT for b in bodies)
    # Cut at line ends: every part is whole lines.
    assert all(line == "a" * 100 for b in bodies for line in b["text"]["body"].split("\n"))
    assert sum(b["text"]["body"].count("a") for b in bodies) == 9000


def test_suggestions_without_text_still_get_a_body() -> None:
    [body] = render(Outgoing("", suggestions=["Cart"]))
    assert body["interactive"]["body"] == {"text": MORE_CHOICES}


def test_nothing_to_say_sends_nothing() -> None:
    assert render(Outgoing("   ")) == []


def test_a_product_is_a_card_with_its_photo_and_an_add_to_cart_button() -> None:
    bodies = render(Outgoing("Here's a shirt.", products=[SHIRT]))
    assert [b["type"] for b in bodies] == ["text", "interactive"]
    card = bodies[1]["interactive"]
    assert card["type"] == "button"
    assert card["header"] == {
        "type": "image",
        "image": {"link": "https://cdn.example.com/p/T-SHIRT.jpg"},
    }
    assert card["body"]["text"] == (
        "*Oxford Shirt*\nUrbane\n*₹1,499*  MRP ~₹2,499~ (40% off)\nSizes: S, M, L"
    )
    assert card["action"]["buttons"] == [
        {"type": "reply", "reply": {"id": "add:T-SHIRT", "title": "Add to cart"}}
    ]


def test_a_product_without_a_usable_photo_has_no_header() -> None:
    for image in (None, "/static/p/T-SHIRT.svg", ""):
        [_, body] = render(Outgoing("Look", products=[{**SHIRT, "image_url": image}]))
        assert "header" not in body["interactive"]
        assert body["interactive"]["action"]["buttons"][0]["reply"]["id"] == "add:T-SHIRT"


def test_the_mrp_is_shown_only_when_higher() -> None:
    text = card_text({**SHIRT, "mrp": 1499.0, "discount_percent": 0})
    assert "MRP" not in text
    assert "*₹1,499*" in text
    assert "₹1,299.50" in card_text({**SHIRT, "price": 1299.5, "mrp": None})


def test_at_most_four_cards() -> None:
    products = [{**SHIRT, "sku": f"T-{n}"} for n in range(6)]
    bodies = render(Outgoing("Lots", products=products))
    assert len(bodies) == 1 + MAX_CARDS


def test_a_card_stays_within_the_body_limit_whatever_the_product() -> None:
    huge = {
        **SHIRT,
        "name": "N" * 5000,
        "brand": "B" * 5000,
        "sizes": [f"size-{n}" for n in range(1000)],
    }
    [_, body] = render(Outgoing("Big", products=[huge]))
    assert len(body["interactive"]["body"]["text"]) <= BODY_LIMIT


@pytest.mark.parametrize("sku", ["", "S" * 260])
def test_a_product_without_a_button_is_a_photo_with_a_caption(sku: str) -> None:
    [_, body] = render(Outgoing("Look", products=[{**SHIRT, "sku": sku}]))
    assert body["type"] == "image"
    assert body["image"]["link"] == SHIRT["image_url"]
    assert body["image"]["caption"].startswith("*Oxford Shirt*")
    [_, body] = render(Outgoing("Look", products=[{**SHIRT, "sku": sku, "image_url": None}]))
    assert body["type"] == "text"
    assert body["text"]["body"].startswith("*Oxford Shirt*")


def test_asking_for_the_contact_changes_nothing_on_whatsapp() -> None:
    plain = render(Outgoing("Hello", suggestions=["Cart"]))
    assert render(Outgoing("Hello", suggestions=["Cart"], ask_contact=True)) == plain


def test_replies_go_to_the_senders_wa_id() -> None:
    adapter = WhatsAppAdapter(make_settings("sqlite://"))
    [request] = adapter.render(inbound(address="447700900123"), Outgoing("Hi"))
    assert request["body"]["to"] == "447700900123"
