"""Reading recorded WhatsApp deliveries: the typed models and what the worker is handed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from tests.channels.whatsapp.helpers import NUMBER_ID, PAYLOADS, payload, raw_payload, value_of
from threadline.channels.base import Inbound, StatusReport
from threadline.channels.whatsapp.adapter import parse
from threadline.channels.whatsapp.payloads import WebhookPayload
from threadline.core.types import Channel

WA_ID = "919876543210"
OUT_ID = "wamid.HBgMOTE5ODc2NTQzMjEwFQIAERgSMjE0NkE3RjZFNUMzRjNGMzQ5AA=="
ALL = sorted(p.stem for p in PAYLOADS.glob("*.json"))


def read(body: dict[str, Any] | str) -> tuple[list[Inbound], list[StatusReport]]:
    if isinstance(body, str):
        model = WebhookPayload.model_validate_json(raw_payload(body))
    else:
        model = WebhookPayload.model_validate(body)
    return parse(model, NUMBER_ID)


def one(name: str) -> Inbound:
    messages, statuses = read(name)
    assert statuses == []
    assert len(messages) == 1, messages
    return messages[0]


def test_the_recorded_shapes_are_all_there() -> None:
    expected = {
        "text",
        "button_reply",
        "list_reply",
        "image",
        "sticker",
        "location",
        "unknown",
        "status_sent",
        "status_delivered",
        "status_read",
        "status_failed",
        "two_messages_one_delivery",
    }
    assert expected <= set(ALL)


@pytest.mark.parametrize("name", ALL)
def test_every_recorded_delivery_parses(name: str) -> None:
    model = WebhookPayload.model_validate_json(raw_payload(name))
    assert model.object == "whatsapp_business_account"
    assert model.entry[0].id == "102290129340398"


def test_a_text_message_is_text_from_a_verified_phone() -> None:
    item = one("text")
    assert item == Inbound(
        channel=Channel.whatsapp,
        external_id="wamid.HBgMOTE5ODc2NTQzMjEwFQIAEhgWM0VCMDlBQjY3RjYxRUU4RDQ2QjEyNwA=",
        address=WA_ID,
        kind="text",
        text="show me shirts",
        user_id=WA_ID,
        phone="+919876543210",
        name="Asha Verma",
        platform_time=datetime(2026, 2, 12, 14, 30, tzinfo=UTC),
    )
    # What the inbox stores comes back the same.
    assert Inbound.from_dict(item.to_dict()) == item


def test_a_reply_button_is_its_action() -> None:
    item = one("button_reply")
    assert (item.kind, item.data, item.text) == ("button", "add:TL-SHIRT-0042", "Add to cart")
    assert item.phone == "+919876543210"


def test_a_list_row_is_its_action() -> None:
    item = one("list_reply")
    assert (item.kind, item.data) == ("button", "say:Show me new arrivals")
    assert item.text == "Show me new arrivals"


def test_a_template_quick_reply_is_said_as_its_text() -> None:
    item = one("template_button")
    assert (item.kind, item.text, item.data) == ("text", "Show my cart", "")


def test_a_template_button_carrying_our_action_is_that_action() -> None:
    body = payload("template_button")
    value_of(body)["messages"][0]["button"] = {"payload": "add:T-SHIRT", "text": "Add it"}
    [item], _ = read(body)
    assert (item.kind, item.data) == ("button", "add:T-SHIRT")


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("image", "photo"),
        ("sticker", "sticker"),
        ("location", "location"),
        ("audio_voice", "voice message"),
        ("unknown", "message of that kind"),
    ],
)
def test_what_the_shop_cannot_read_is_unsupported_and_named(name: str, what: str) -> None:
    item = one(name)
    assert (item.kind, item.what) == ("unsupported", what)
    assert item.phone == "+919876543210"
    assert item.text == ""


@pytest.mark.parametrize(
    ("kind", "content", "what"),
    [
        ("video", {"video": {"id": "1", "mime_type": "video/mp4"}}, "video"),
        ("document", {"document": {"id": "2", "filename": "bill.pdf"}}, "document"),
        ("audio", {"audio": {"id": "3", "mime_type": "audio/mpeg", "voice": False}}, "audio clip"),
        ("contacts", {"contacts": [{"name": {"formatted_name": "Ravi"}}]}, "contact card"),
        ("unknown", {"errors": [{"code": 131051, "details": "x", "title": "y"}]}, None),
        ("hologram", {"hologram": {"beam": 3}}, None),
        (
            "interactive",
            {"interactive": {"type": "nfm_reply", "nfm_reply": {"response_json": "{}"}}},
            "form reply",
        ),
    ],
)
def test_other_kinds_and_types_meta_may_add_parse_as_unsupported(
    kind: str, content: dict[str, Any], what: str | None
) -> None:
    body = payload("text")
    message = value_of(body)["messages"][0]
    del message["text"]
    message.update({"type": kind, **content})
    [item], _ = read(body)
    assert (item.kind, item.what) == ("unsupported", what or "message of that kind")


def test_a_reaction_is_not_a_message_to_answer() -> None:
    assert read("reaction") == ([], [])


def test_a_first_contact_request_is_a_start() -> None:
    body = payload("text")
    message = value_of(body)["messages"][0]
    del message["text"]
    message["type"] = "request_welcome"
    [item], _ = read(body)
    assert item.kind == "start"


def test_two_messages_in_one_delivery_are_both_read_in_order() -> None:
    messages, _ = read("two_messages_one_delivery")
    assert [m.text for m in messages] == ["hi", "show me kurtas under 2000"]
    assert messages[0].platform_time is not None
    assert messages[1].platform_time is not None
    assert messages[0].platform_time < messages[1].platform_time


def test_a_message_repeated_in_one_delivery_is_read_once() -> None:
    body = payload("text")
    value = value_of(body)
    value["messages"].append(dict(value["messages"][0]))
    messages, _ = read(body)
    assert len(messages) == 1


@pytest.mark.parametrize("status", ["sent", "delivered", "read"])
def test_a_status_is_a_report_on_the_message_we_sent(status: str) -> None:
    messages, reports = read(f"status_{status}")
    assert messages == []
    [report] = reports
    assert report.channel == Channel.whatsapp
    assert (report.platform_message_id, report.status) == (OUT_ID, status)
    assert report.recipient == WA_ID
    assert report.error is None
    assert report.occurred_at.tzinfo is not None


def test_a_failed_status_carries_the_first_errors_code_and_title() -> None:
    [report] = read("status_failed")[1]
    assert report.status == "failed"
    assert report.error is not None
    assert report.error.startswith("131047 Re-engagement message")
    assert "24 hours" in report.error


def test_unknown_fields_anywhere_are_ignored() -> None:
    body = payload("text")
    body["brand_new"] = {"x": 1}
    body["entry"][0]["time"] = 1770906600
    value = value_of(body)
    value["some_new_list"] = [1, 2]
    value["contacts"][0]["user_id"] = "IN.123"
    value["messages"][0]["referral"] = {"source_type": "ad", "ctwa_clid": "abc"}
    value["messages"][0]["text"]["emphasis"] = "bold"
    [item], _ = read(body)
    assert item.text == "show me shirts"


def test_integer_timestamps_are_read_like_strings() -> None:
    body = payload("text")
    value_of(body)["messages"][0]["timestamp"] = 1770906600
    [item], _ = read(body)
    assert item.platform_time == datetime(2026, 2, 12, 14, 30, tzinfo=UTC)


def test_other_webhook_fields_carry_no_messages() -> None:
    assert read("template_status_update") == ([], [])


def test_messages_to_another_business_number_are_not_ours() -> None:
    body = payload("text")
    value_of(body)["metadata"]["phone_number_id"] = "999999999999999"
    assert read(body) == ([], [])
    # Without a configured number every change is read.
    model = WebhookPayload.model_validate(body)
    assert len(parse(model)[0]) == 1


def test_the_name_is_the_senders_own_profile() -> None:
    body = payload("two_messages_one_delivery")
    value = value_of(body)
    value["contacts"] = [
        {"profile": {"name": "Somebody Else"}, "wa_id": "919000000001"},
        {"profile": {"name": "Asha"}, "wa_id": WA_ID},
    ]
    messages, _ = read(body)
    assert {m.name for m in messages} == {"Asha"}


def test_a_message_without_a_sender_is_skipped() -> None:
    body = payload("text")
    del value_of(body)["messages"][0]["from"]
    assert read(body) == ([], [])


@pytest.mark.parametrize(
    "body",
    [
        [1, 2],
        {"object": "page", "entry": []},
        {"object": "whatsapp_business_account"},
        {"object": "whatsapp_business_account", "entry": [{"changes": "nope"}]},
        {
            "object": "whatsapp_business_account",
            "entry": [{"id": "1", "changes": [{"field": "messages", "value": {"messages": [{}]}}]}],
        },
    ],
)
def test_a_body_that_is_not_a_whatsapp_delivery_is_refused(body: Any) -> None:
    with pytest.raises(ValidationError):
        WebhookPayload.model_validate(body)


@pytest.mark.parametrize(("field", "value"), [("id", "w" * 129), ("id", ""), ("from", "9" * 65)])
def test_ids_longer_than_the_store_keeps_are_refused(field: str, value: str) -> None:
    body = payload("text")
    value_of(body)["messages"][0][field] = value
    with pytest.raises(ValidationError):
        WebhookPayload.model_validate(body)


def test_a_timestamp_that_is_not_unix_seconds_is_refused() -> None:
    body = payload("text")
    value_of(body)["messages"][0]["timestamp"] = "yesterday"
    with pytest.raises(ValidationError):
        WebhookPayload.model_validate(body)
