"""Telegram updates, as recorded from the Bot API, read as the worker's messages."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.channels.telegram.helpers import payload
from threadline.channels.base import Inbound
from threadline.channels.telegram.adapter import NotAnUpdate, parse_update
from threadline.core.types import Channel

CHAT = "5213370042"


def only(raw: dict[str, Any]) -> Inbound:
    items = parse_update(raw)
    assert len(items) == 1, items
    return items[0]


def test_start_command_opens_the_chat() -> None:
    item = only(payload("start"))
    assert item.channel is Channel.telegram
    assert (item.kind, item.external_id, item.address, item.user_id) == (
        "start",
        "804512301",
        CHAT,
        CHAT,
    )
    assert item.name == "Priya"
    assert item.platform_time == datetime(2026, 2, 12, 14, 30, tzinfo=UTC)
    assert item.phone is None


def test_a_typed_message_is_text() -> None:
    item = only(payload("text"))
    assert (item.kind, item.text) == ("text", "show me blue shirts under 2000")
    assert item.platform_time is not None
    assert item.platform_time.tzinfo is not None


def test_the_senders_own_contact_carries_the_phone_in_e164() -> None:
    # Telegram sends "919876543210", without the plus.
    item = only(payload("contact_own"))
    assert (item.kind, item.phone) == ("contact", "+919876543210")


def test_a_foreign_number_without_plus_is_not_taken_for_an_indian_one() -> None:
    raw = payload("contact_own")
    raw["message"]["contact"]["phone_number"] = "447700900123"
    assert only(raw).phone == "+447700900123"


def test_an_own_contact_with_an_impossible_number_has_no_phone() -> None:
    raw = payload("contact_own")
    raw["message"]["contact"]["phone_number"] = "888012"
    item = only(raw)
    assert (item.kind, item.phone) == ("contact", None)


def test_somebody_elses_contact_is_foreign_and_its_number_is_never_read() -> None:
    item = only(payload("contact_foreign"))
    assert (item.kind, item.phone) == ("foreign_contact", None)


def test_a_contact_without_user_id_is_foreign() -> None:
    raw = payload("contact_own")
    del raw["message"]["contact"]["user_id"]
    item = only(raw)
    assert (item.kind, item.phone) == ("foreign_contact", None)


def test_a_button_press_carries_its_data_and_the_query_to_answer() -> None:
    item = only(payload("callback_add"))
    assert (item.kind, item.data, item.callback_id) == (
        "button",
        "add:TL-SH-001",
        "2239158212837165391",
    )
    assert (item.address, item.user_id, item.name) == (CHAT, CHAT, "Priya")
    assert item.platform_time is not None
    assert item.platform_time.microsecond == 0


@pytest.mark.parametrize(
    ("name", "what"), [("sticker", "sticker"), ("location", "location"), ("photo", "photo")]
)
def test_what_the_agent_cannot_read_is_unsupported_and_named(name: str, what: str) -> None:
    item = only(payload(name))
    assert (item.kind, item.what, item.text) == ("unsupported", what, "")


def test_a_voice_note_is_named_for_people() -> None:
    raw = payload("location")
    del raw["message"]["location"]
    raw["message"]["voice"] = {
        "duration": 3,
        "mime_type": "audio/ogg",
        "file_id": "AwACAgUAAxkBAAIBDmfHrE",
        "file_unique_id": "AgADvx",
        "file_size": 8911,
    }
    assert only(raw).what == "voice message"


@pytest.mark.parametrize("name", ["edited_message", "group_text"])
def test_edits_and_group_chats_are_ignored(name: str) -> None:
    assert parse_update(payload(name)) == []


def test_a_channel_post_is_ignored() -> None:
    raw = payload("text")
    post = raw.pop("message")
    post.pop("from")
    post["chat"] = {"id": -1001122334455, "title": "Threadline news", "type": "channel"}
    raw["channel_post"] = post
    assert parse_update(raw) == []


def test_a_message_from_a_bot_is_ignored() -> None:
    raw = payload("text")
    raw["message"]["from"]["is_bot"] = True
    assert parse_update(raw) == []


def test_other_commands_are_said_as_words() -> None:
    raw = payload("start")
    raw["message"]["text"] = "/cart@ThreadlineShopBot"
    raw["message"]["entities"] = [{"offset": 0, "length": 23, "type": "bot_command"}]
    item = only(raw)
    assert (item.kind, item.text) == ("text", "cart")


def test_start_with_a_deep_link_parameter_is_still_start() -> None:
    raw = payload("start")
    raw["message"]["text"] = "/start kiosk-42"
    item = only(raw)
    assert (item.kind, item.text) == ("start", "/start kiosk-42")


def test_a_parsed_message_survives_the_inbox_round_trip() -> None:
    for name in ("start", "contact_own", "callback_add", "sticker"):
        item = only(payload(name))
        assert Inbound.from_dict(item.to_dict()) == item


@pytest.mark.parametrize(
    "raw",
    [
        {},
        {"update_id": "12"},
        {"update_id": True},
        {"update_id": 5, "message": {"text": "no chat, no date"}},
        {"update_id": 5, "message": {"message_id": 1, "date": "yesterday", "chat": {}}},
        {"update_id": 5, "callback_query": {"id": "1"}},
        {"update_id": 2**60},
    ],
)
def test_what_is_not_an_update_is_refused(raw: dict[str, Any]) -> None:
    with pytest.raises(NotAnUpdate):
        parse_update(copy.deepcopy(raw))


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    children = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, value in children:
        found += _paths(value, (*prefix, key))
    return found


@pytest.mark.parametrize("name", ["start", "contact_own", "callback_add", "sticker"])
def test_a_field_of_the_wrong_type_is_refused_or_ignored_never_a_crash(name: str) -> None:
    recorded = payload(name)
    for path in _paths(recorded):
        for wrong in (None, "x", 7, True, [1], {"a": 1}, 1e300, 10**30):
            raw = copy.deepcopy(recorded)
            node = raw
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = wrong
            try:
                items = parse_update(raw)
            except NotAnUpdate:
                continue
            for item in items:
                assert isinstance(item.address, str)
                assert item.address.lstrip("-").isdigit()
                assert isinstance(item.text, str)
                assert isinstance(item.data, str)
