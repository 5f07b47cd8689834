"""Sending through the Cloud API ``/messages``, against a local server that speaks it."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from structlog.testing import capture_logs

from tests.channels.platform import FakePlatform
from tests.channels.whatsapp.helpers import ACCESS_TOKEN, NUMBER_ID
from tests.conftest import make_settings
from threadline.channels.base import SendError
from threadline.channels.whatsapp.adapter import WhatsAppAdapter

TEXT = {
    "method": "messages",
    "body": {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "919876543210",
        "type": "text",
        "text": {"preview_url": False, "body": "Hello"},
    },
}


def meta_error(code: int, message: str, status_type: str = "OAuthException") -> dict[str, Any]:
    return {
        "error": {
            "message": message,
            "type": status_type,
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": message},
            "fbtrace_id": "AazQ1Wl5b2uM_example",
        }
    }


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


def adapter(base: str, token: str = ACCESS_TOKEN, number: str = NUMBER_ID) -> WhatsAppAdapter:
    return WhatsAppAdapter(
        make_settings(
            "sqlite://",
            whatsapp_api_base=base + "/v21.0",
            whatsapp_access_token=token,
            whatsapp_phone_number_id=number,
        )
    )


async def refused(fake: FakePlatform, http: httpx.AsyncClient) -> SendError:
    with capture_logs() as logs, pytest.raises(SendError) as caught:
        await adapter(fake.base).deliver(http, TEXT)
    assert ACCESS_TOKEN not in str(caught.value)
    assert ACCESS_TOKEN not in repr(logs)
    return caught.value


async def test_a_sent_message_returns_its_wamid(
    fake: FakePlatform, http: httpx.AsyncClient
) -> None:
    message_id = await adapter(fake.base).deliver(http, TEXT)
    [call] = fake.calls
    assert call.method == "POST"
    assert call.path == f"/v21.0/{NUMBER_ID}/messages"
    assert call.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert call.headers["content-type"] == "application/json"
    assert call.body == TEXT["body"]
    assert message_id is not None
    assert message_id.startswith("wamid.")


async def test_a_success_without_a_message_id_returns_none(
    fake: FakePlatform, http: httpx.AsyncClient
) -> None:
    read = {
        "method": "messages",
        "body": {"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.X"},
    }
    assert await adapter(fake.base).deliver(http, read) is None


async def test_a_server_error_is_retryable(fake: FakePlatform, http: httpx.AsyncClient) -> None:
    fake.fail_next(500, meta_error(2, "Service temporarily unavailable"))
    error = await refused(fake, http)
    assert error.retryable
    assert "500" in str(error)


async def test_too_many_requests_is_retried_after_what_meta_says(
    fake: FakePlatform, http: httpx.AsyncClient
) -> None:
    fake.fail_next(429, meta_error(130429, "Rate limit hit"), retry_after="7")
    error = await refused(fake, http)
    assert (error.retryable, error.retry_after) == (True, 7.0)


async def test_a_bad_request_is_not_retried(fake: FakePlatform, http: httpx.AsyncClient) -> None:
    fake.fail_next(400, meta_error(131030, "Recipient phone number not in allowed list"))
    error = await refused(fake, http)
    assert not error.retryable
    assert "131030" in str(error)
    assert "not in allowed list" in str(error)


async def test_an_expired_token_is_not_retried(fake: FakePlatform, http: httpx.AsyncClient) -> None:
    fake.fail_next(401, meta_error(190, "Error validating access token: Session has expired"))
    assert not (await refused(fake, http)).retryable


@pytest.mark.parametrize("code", [130429, 131056, 80007, 131000])
async def test_metas_rate_limits_are_retried_even_as_a_400(
    fake: FakePlatform, http: httpx.AsyncClient, code: int
) -> None:
    fake.fail_next(400, meta_error(code, "(#130429) Rate limit hit"))
    assert (await refused(fake, http)).retryable


async def test_a_refusal_that_is_not_json_is_still_classified(
    fake: FakePlatform, http: httpx.AsyncClient
) -> None:
    fake.fail_next(502, "<html>Bad Gateway</html>")
    assert (await refused(fake, http)).retryable
    fake.fail_next(404, "Not Found")
    assert not (await refused(fake, http)).retryable


async def test_an_unreachable_api_is_retryable(http: httpx.AsyncClient) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Nothing listens on that port any more: the connection is refused.
    with capture_logs() as logs, pytest.raises(SendError) as caught:
        await adapter(f"http://127.0.0.1:{port}").deliver(http, TEXT)
    assert caught.value.retryable
    assert "unreachable" in str(caught.value)
    assert ACCESS_TOKEN not in str(caught.value) + repr(logs)


@pytest.mark.parametrize(("token", "number"), [("", NUMBER_ID), (ACCESS_TOKEN, "")])
async def test_an_unconfigured_adapter_says_so_and_sends_nothing(
    fake: FakePlatform, http: httpx.AsyncClient, token: str, number: str
) -> None:
    unconfigured = adapter(fake.base, token=token, number=number)
    assert not unconfigured.configured()
    with pytest.raises(SendError):
        await unconfigured.deliver(http, TEXT)
    assert fake.calls == []


def test_configured_needs_the_token_and_the_number() -> None:
    assert adapter("http://x").configured()
