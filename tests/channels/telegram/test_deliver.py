"""Sending through the Bot API, against a local server that speaks it."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from tests.channels.platform import FakePlatform, serve
from tests.channels.telegram.helpers import TOKEN, bot_api, method_of
from tests.conftest import make_settings
from threadline.channels.base import SendError
from threadline.channels.telegram.adapter import TelegramAdapter

MESSAGE = {"method": "sendMessage", "body": {"chat_id": 42, "text": "Hello"}}
PHOTO = {
    "method": "sendPhoto",
    "body": {
        "chat_id": 42,
        "photo": "https://cdn.example.com/p/T-SHIRT.jpg",
        "caption": "<b>Oxford Shirt</b>",
        "parse_mode": "HTML",
        "reply_markup": {"inline_keyboard": [[{"text": "Add to cart", "callback_data": "add:X"}]]},
    },
}


@pytest.fixture(scope="module")
def platform() -> Iterator[FakePlatform]:
    with serve(ok=bot_api) as running:
        yield running


@pytest.fixture
def fake(platform: FakePlatform) -> FakePlatform:
    with platform.lock:
        platform.calls.clear()
        platform.script.clear()
    return platform


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


def adapter(base: str, token: str = TOKEN) -> TelegramAdapter:
    return TelegramAdapter(
        make_settings("sqlite://", telegram_api_base=base, telegram_bot_token=token)
    )


async def refused(fake: FakePlatform, http: httpx.AsyncClient, request: Any) -> SendError:
    with pytest.raises(SendError) as caught:
        await adapter(fake.base).deliver(http, request)
    assert TOKEN not in str(caught.value)
    return caught.value


async def test_a_sent_message_returns_its_message_id(
    fake: FakePlatform, http: httpx.AsyncClient
) -> None:
    message_id = await adapter(fake.base).deliver(http, MESSAGE)
    [call] = fake.calls
    assert call.path == f"/bot{TOKEN}/sendMessage"
    assert call.method == "POST"
    assert call.headers["content-type"] == "application/json"
    assert call.body == MESSAGE["body"]
    assert message_id is not None
    assert message_id.isdigit()


async def test_a_call_without_a_message_returns_none(
    fake: FakePlatform, http: httpx.AsyncClient
) -> None:
    request = {"method": "answerCallbackQuery", "body": {"callback_query_id": "9"}}
    assert await adapter(fake.base).deliver(http, request) is None


async def test_a_server_error_is_retryable(fake: FakePlatform, http: httpx.AsyncClient) -> None:
    fake.fail_next(500, {"ok": False, "error_code": 500, "description": "Internal Server Error"})
    error = await refused(fake, http, MESSAGE)
    assert error.retryable
    assert "500" in str(error)


async def test_too_many_requests_waits_as_long_as_telegram_says(
    fake: FakePlatform, http: httpx.AsyncClient
) -> None:
    fake.fail_next(
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 7",
            "parameters": {"retry_after": 7},
        },
    )
    error = await refused(fake, http, MESSAGE)
    assert (error.retryable, error.retry_after) == (True, 7.0)


async def test_a_bad_request_is_not_retried(fake: FakePlatform, http: httpx.AsyncClient) -> None:
    fake.fail_next(
        400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
    )
    error = await refused(fake, http, MESSAGE)
    assert not error.retryable
    assert "chat not found" in str(error)


async def test_a_blocked_bot_is_not_retried(fake: FakePlatform, http: httpx.AsyncClient) -> None:
    body = {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
    fake.fail_next(403, body)
    assert not (await refused(fake, http, MESSAGE)).retryable


async def test_an_unreachable_api_is_retryable_and_keeps_the_token_secret(
    http: httpx.AsyncClient,
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(SendError) as caught:
        await adapter(f"http://127.0.0.1:{port}").deliver(http, MESSAGE)
    assert caught.value.retryable
    assert TOKEN not in str(caught.value)
    assert caught.value.__cause__ is None


async def test_a_photo_telegram_cannot_fetch_is_sent_as_a_text_card(
    fake: FakePlatform, http: httpx.AsyncClient
) -> None:
    body = {"ok": False, "error_code": 400, "description": "Bad Request: wrong file identifier"}
    fake.fail_next(400, body)
    message_id = await adapter(fake.base).deliver(http, PHOTO)
    assert message_id is not None
    assert [method_of(c) for c in fake.calls] == ["sendPhoto", "sendMessage"]
    text = fake.calls[1].body
    assert text["text"] == "<b>Oxford Shirt</b>"
    assert text["parse_mode"] == "HTML"
    assert text["reply_markup"] == PHOTO["body"]["reply_markup"]
    assert "photo" not in text


async def test_a_photo_refused_for_a_server_error_is_retried_as_a_photo(
    fake: FakePlatform, http: httpx.AsyncClient
) -> None:
    fake.fail_next(502, {"ok": False, "error_code": 502, "description": "Bad Gateway"})
    assert (await refused(fake, http, PHOTO)).retryable
    assert [method_of(c) for c in fake.calls] == ["sendPhoto"]


async def test_without_a_token_nothing_is_sent(fake: FakePlatform, http: httpx.AsyncClient) -> None:
    with pytest.raises(SendError) as caught:
        await adapter(fake.base, token="").deliver(http, MESSAGE)
    assert not caught.value.retryable
    assert fake.calls == []
