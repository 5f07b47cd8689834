"""A reply as the Bot API calls a shopper's Telegram would receive, in order."""

from __future__ import annotations

from typing import Any

from tests.conftest import make_settings
from threadline.channels.base import Inbound, Outgoing
from threadline.channels.telegram.adapter import TelegramAdapter
from threadline.core.types import Channel

CHAT = 5213370042
SHIRT: dict[str, Any] = {
    "sku": "T-SHIRT",
    "name": "Oxford Shirt",
    "brand": "Urbane",
    "price": 1499.0,
    "mrp": 2499.0,
    "discount_percent": 40,
    "sizes": ["S", "M", "L"],
    "image_url": "https://cdn.example.com/p/T-SHIRT.jpg",
}


def inbound(kind: str = "text", **kw: Any) -> Inbound:
    values: dict[str, Any] = {
        "channel": Channel.telegram,
        "external_id": "1",
        "address": str(CHAT),
        "kind": kind,
        "user_id": str(CHAT),
    }
    values.update(kw)
    return Inbound(**values)


def adapter(**overrides: Any) -> TelegramAdapter:
    return TelegramAdapter(make_settings("sqlite://", telegram_bot_token="1:abc", **overrides))


def render(reply: Outgoing, **kw: Any) -> list[dict[str, Any]]:
    return adapter().render(inbound(**kw), reply)


def methods(requests: list[dict[str, Any]]) -> list[str]:
    return [r["method"] for r in requests]


def test_configured_only_with_a_bot_token() -> None:
    assert adapter().configured()
    assert not TelegramAdapter(make_settings("sqlite://")).configured()
    assert TelegramAdapter(make_settings("sqlite://")).channel is Channel.telegram


def test_the_reply_text_carries_the_suggestions_as_inline_buttons() -> None:
    out = render(Outgoing("Here you go.", suggestions=["Show me jeans", "My cart", "Offers"]))
    assert methods(out) == ["sendMessage"]
    body = out[0]["body"]
    assert (body["chat_id"], body["text"]) == (CHAT, "Here you go.")
    rows = body["reply_markup"]["inline_keyboard"]
    assert rows == [
        [
            {"text": "Show me jeans", "callback_data": "say:Show me jeans"},
            {"text": "My cart", "callback_data": "say:My cart"},
        ],
        [{"text": "Offers", "callback_data": "say:Offers"}],
    ]


def test_a_suggestion_over_64_bytes_of_callback_data_gets_no_button() -> None:
    fits = "x" * 60  # "say:" + 60 = 64 bytes
    too_long = "é" * 31  # 4 + 62 bytes: short in characters, long in UTF-8
    out = render(Outgoing("Hi", suggestions=[fits, too_long]))
    buttons = [b for row in out[0]["body"]["reply_markup"]["inline_keyboard"] for b in row]
    assert [b["callback_data"] for b in buttons] == ["say:" + fits]


def test_no_suggestions_no_markup() -> None:
    out = render(Outgoing("Hi"))
    assert "reply_markup" not in out[0]["body"]


def test_a_button_press_is_not_acknowledged_again_with_the_reply() -> None:
    # The webhook's response acknowledged it already (a second answer is refused by Telegram).
    out = render(Outgoing("Added."), kind="button", data="add:T-SHIRT", callback_id="99")
    assert methods(out) == ["sendMessage"]


def test_asking_for_the_phone_shows_the_share_contact_keyboard() -> None:
    out = render(Outgoing("Please share your number.", ask_contact=True), kind="start")
    assert methods(out) == ["sendMessage"]
    markup = out[0]["body"]["reply_markup"]
    assert markup["keyboard"] == [[{"text": "Share my phone number", "request_contact": True}]]
    assert markup["one_time_keyboard"] is True


def test_suggestions_next_to_the_contact_keyboard_follow_in_their_own_message() -> None:
    out = render(Outgoing("Share your number?", suggestions=["Browse"], ask_contact=True))
    assert methods(out) == ["sendMessage", "sendMessage"]
    assert "keyboard" in out[0]["body"]["reply_markup"]
    assert out[1]["body"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "Browse"


def test_the_reply_to_a_shared_contact_removes_the_keyboard() -> None:
    out = render(Outgoing("Welcome back, Priya!", suggestions=["My cart"]), kind="contact")
    assert out[0]["body"]["reply_markup"] == {"remove_keyboard": True}
    assert out[0]["body"]["text"] == "Welcome back, Priya!"
    assert out[1]["body"]["reply_markup"]["inline_keyboard"] == [
        [{"text": "My cart", "callback_data": "say:My cart"}]
    ]


def test_a_product_with_an_image_is_a_photo_with_caption_and_add_button() -> None:
    out = render(Outgoing("One shirt:", products=[SHIRT]))
    assert methods(out) == ["sendMessage", "sendPhoto"]
    photo = out[1]["body"]
    assert photo["photo"] == SHIRT["image_url"]
    assert photo["parse_mode"] == "HTML"
    caption = photo["caption"]
    assert "<b>Oxford Shirt</b>" in caption
    assert "Urbane" in caption
    assert "₹1,499" in caption
    assert "<s>₹2,499</s>" in caption
    assert "40% off" in caption
    assert "Sizes: S, M, L" in caption
    assert photo["reply_markup"] == {
        "inline_keyboard": [[{"text": "Add to cart", "callback_data": "add:T-SHIRT"}]]
    }


def test_a_product_without_a_usable_image_is_a_text_card() -> None:
    product = {**SHIRT, "image_url": None, "mrp": 1499.0, "name": "Tee <Limited> & Co"}
    out = render(Outgoing("", products=[product]))
    assert methods(out) == ["sendMessage"]
    card = out[0]["body"]
    assert card["parse_mode"] == "HTML"
    assert "<b>Tee &lt;Limited&gt; &amp; Co</b>" in card["text"]
    assert "MRP" not in card["text"]  # not higher than the price
    assert card["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "add:T-SHIRT"


def test_at_most_four_cards_and_a_long_sku_gets_no_button() -> None:
    products = [{**SHIRT, "sku": f"SKU-{n}"} for n in range(6)]
    products[0] = {**SHIRT, "sku": "S" * 61}
    out = render(Outgoing("Many:", products=products))
    assert methods(out) == ["sendMessage"] + ["sendPhoto"] * 4
    assert "reply_markup" not in out[1]["body"]


def test_the_caption_stays_within_telegrams_limit() -> None:
    product = {**SHIRT, "name": "N" * 5000, "brand": "B" * 5000, "sizes": ["XL"] * 2000}
    caption = render(Outgoing("", products=[product]))[0]["body"]["caption"]
    assert len(caption) <= 1024


def test_a_long_reply_is_split_and_the_buttons_go_on_the_last_part() -> None:
    text = ("word " * 1000).strip() + "\n" + "line " * 200
    out = render(Outgoing(text, suggestions=["More"]))
    assert methods(out) == ["sendMessage", "sendMessage"]
    assert all(len(r["body"]["text"]) <= 4096 for r in out)
    assert "reply_markup" not in out[0]["body"]
    assert "reply_markup" in out[1]["body"]
    assert " ".join(r["body"]["text"] for r in out).split() == text.split()


def test_paise_are_shown_and_big_prices_grouped() -> None:
    product = {**SHIRT, "price": 12999.5, "mrp": 15999, "image_url": None}
    text = render(Outgoing("", products=[product]))[0]["body"]["text"]
    assert "₹12,999.50" in text
    assert "<s>₹15,999</s>" in text
