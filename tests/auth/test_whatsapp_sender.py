"""OTP delivery through the WhatsApp Cloud API, checked against a real local HTTP server."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.auth.helpers import assert_error, outbox_codes, verify
from tests.conftest import make_settings, running
from tests.factories import new_phone
from threadline.auth.otp import DevOutboxSender, MessageSender, WhatsAppSender
from threadline.config import Settings

CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


@dataclass
class CloudApi:
    """A stand-in for graph.facebook.com: records each request, answers like the Cloud API."""

    port: int = 0
    requests: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def texts_to(self, phone: str) -> list[str]:
        """Bodies of the text messages the recipient ``phone`` has been sent."""
        return [
            r["json"]["text"]["body"]
            for r in self.requests
            if r["json"].get("to") == phone.lstrip("+") and r["json"].get("type") == "text"
        ]


@pytest.fixture
def cloud_api() -> Iterator[CloudApi]:
    api = CloudApi()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            body = json.loads(raw or b"{}")
            api.requests.append(
                {"method": "POST", "path": self.path, "headers": dict(self.headers), "json": body}
            )
            if api.status == 200:
                answer = {
                    "messaging_product": "whatsapp",
                    "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
                    "messages": [{"id": "wamid.X"}],
                }
            else:
                answer = {"error": {"message": "upstream trouble", "code": 131000}}
            data = json.dumps(answer).encode()
            self.send_response(api.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    api.port = server.server_address[1]
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def whatsapp_settings(database_url: str, tmp_path: Path, api: CloudApi) -> Settings:
    return make_settings(
        database_url,
        data_dir=tmp_path,
        otp_sender="whatsapp",
        whatsapp_api_base=api.base,
        whatsapp_access_token="tkn",
        whatsapp_phone_number_id="123",
    )


async def test_otp_request_sends_a_whatsapp_text_with_the_code(
    database_url: str, tmp_path: Path, cloud_api: CloudApi, capsys: pytest.CaptureFixture[str]
):
    phone = new_phone()
    async with running(whatsapp_settings(database_url, tmp_path, cloud_api)) as (_, client):
        response = await client.post("/auth/otp/request", json={"phone": phone, "channel": "web"})
        assert response.status_code == 202, response.text
        assert response.json() == {"sent": True, "expires_in_seconds": 300}

        assert len(cloud_api.requests) == 1
        sent = cloud_api.requests[0]
        assert sent["method"] == "POST"
        assert sent["path"] == "/123/messages"
        headers = {k.lower(): v for k, v in sent["headers"].items()}
        assert headers["authorization"] == "Bearer tkn"
        assert headers["content-type"].startswith("application/json")
        message = sent["json"]
        assert message["messaging_product"] == "whatsapp"
        assert message["to"] == phone.removeprefix("+")
        assert message["type"] == "text"
        codes = CODE.findall(message["text"]["body"])
        assert len(codes) == 1
        code = codes[0]

        verified = await verify(client, phone, code)
        assert verified.status_code == 200, verified.text
        assert verified.json()["customer"]["phone"] == phone

    assert outbox_codes(tmp_path, phone) == []  # the code went to WhatsApp only
    log = capsys.readouterr().out
    assert "otp.sent" in log
    assert "Bearer tkn" not in log
    assert not re.search(rf"(?<!\d){code}(?!\d)", log)


async def test_whatsapp_refusing_the_message_is_an_error_not_a_sent_code(
    database_url: str, tmp_path: Path, cloud_api: CloudApi
):
    cloud_api.status = 500
    phone = new_phone()
    async with running(whatsapp_settings(database_url, tmp_path, cloud_api)) as (_, client):
        response = await client.post("/auth/otp/request", json={"phone": phone, "channel": "web"})

        assert response.status_code >= 500
        assert_error(response, response.status_code)
        assert len(cloud_api.requests) == 1
        # Once WhatsApp is back, the phone can ask again and log in with the new code.
        cloud_api.status = 200
        again = await client.post("/auth/otp/request", json={"phone": phone, "channel": "web"})
        assert again.status_code == 202
        code = CODE.findall(cloud_api.texts_to(phone)[-1])[0]
        assert (await verify(client, phone, code)).status_code == 200


# --- one contract for every sender -------------------------------------------------------------

Inbox = Callable[[str], list[str]]


@pytest.fixture(params=["dev-outbox", "whatsapp"])
async def sender_and_inbox(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[MessageSender, Inbox]]:
    """A sender and a way for the recipient to read what reached their phone."""
    if request.param == "dev-outbox":
        yield DevOutboxSender(tmp_path / "dev-outbox.jsonl"), lambda p: outbox_codes(tmp_path, p)
        return
    api: CloudApi = request.getfixturevalue("cloud_api")
    async with httpx.AsyncClient() as http:
        sender = WhatsAppSender(http, base_url=api.base, token="tkn", number_id="123")
        yield sender, api.texts_to


async def test_the_recipient_can_read_exactly_the_code_that_was_sent(
    sender_and_inbox: tuple[MessageSender, Inbox],
):
    sender, inbox = sender_and_inbox
    phone, other = new_phone(), new_phone()
    send: Callable[[str, str], Awaitable[None]] = sender.send_code

    await send(phone, "042917")
    await send(other, "555555")
    await send(phone, "000123")

    received = [CODE.findall(text) for text in inbox(phone)]
    assert received == [["042917"], ["000123"]]
    assert [CODE.findall(text) for text in inbox(other)] == [["555555"]]
