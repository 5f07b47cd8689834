"""SIGTERM to a real ``threadline serve`` while work is in flight, on both stores.

The slow part is real: the language model is a local server speaking the OpenAI protocol that
holds its answer until the test lets it go, so a chat turn (or a WhatsApp message being
answered) is provably inside the server when the signal arrives.  The server must refuse new
connections at once, finish what it was doing, commit it, and exit with status 0; a restart on
the same store shows the effect, done once.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.agent.test_llm import tool_call
from tests.channels.platform import serve
from tests.channels.whatsapp.helpers import (
    ACCESS_TOKEN,
    APP_SECRET,
    NUMBER_ID,
    WEBHOOK,
    cloud_api,
    encode,
    new_wa_id,
    signature,
    text_delivery,
)
from tests.conftest import make_settings, run_sync
from tests.e2e.test_server_process import server
from tests.factories import new_phone
from threadline.channels.models import InboxMessage
from threadline.db import create_engine

pytestmark = pytest.mark.e2e
MESSAGE = "something for my legs"
HOLD = 60.0  # the model never holds longer than this, whatever happens to the test


class SlowModel:
    """Holds every answer until ``release`` is set; ``received`` says a request has arrived."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.received = threading.Event()
        self.release = threading.Event()

    @contextmanager
    def serve(self) -> Iterator[str]:
        model = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                model.requests.append(body)
                model.received.set()
                model.release.wait(HOLD)
                answer = tool_call({"intent": "search", "slots": {"category": "jeans"}})
                data = json.dumps(answer).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass

            def log_message(self, *args: object) -> None:
                pass

        http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=http.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{http.server_address[1]}/v1"
        finally:
            self.release.set()
            http.shutdown()
            http.server_close()


@pytest.fixture
def model() -> Iterator[tuple[SlowModel, str]]:
    slow = SlowModel()
    with slow.serve() as base:
        yield slow, base


def model_env(base: str) -> dict[str, str]:
    return {
        "LLM_BASE_URL": base,
        "LLM_MODEL": "slow-model",
        "LLM_TIMEOUT_SECONDS": "90",
        "LLM_PHRASING": "false",
        "SHUTDOWN_GRACE_SECONDS": "60",
        "DEMO_PRODUCTS": "300",  # a smaller catalog starts faster; it still has jeans
    }


def wait_until_refused(base: str, timeout: float = 30.0) -> None:
    """Until a new connection to the server is refused (it has stopped listening)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            httpx.get(base + "/healthz", timeout=2, headers={"Connection": "close"})
        except httpx.ConnectError:
            return
        except httpx.TransportError:
            pass  # accepted just before the listener closed, then shut: not yet the answer
        assert time.monotonic() < deadline, "the server still accepts connections"
        time.sleep(0.05)


def test_sigterm_finishes_the_chat_turn_in_flight_then_exits_0(
    database_url: str, tmp_path: Path, model: tuple[SlowModel, str]
) -> None:
    slow, base = model
    env = model_env(base)
    answered: dict[str, httpx.Response] = {}
    with server(database_url, tmp_path / "server.log", env) as srv:
        http = httpx.Client(base_url=srv.base, timeout=120)
        started = http.post("/session/start", json={"phone": new_phone(), "channel": "web"})
        token = started.json()["session_token"]

        def talk() -> None:
            answered["chat"] = http.post(
                "/chat", json={"message": MESSAGE}, headers={"X-Session-Token": token}
            )

        talker = threading.Thread(target=talk)
        talker.start()
        assert slow.received.wait(60), "the turn never reached the model"
        srv.process.send_signal(signal.SIGTERM)

        wait_until_refused(srv.base)
        with pytest.raises(httpx.ConnectError):
            httpx.post(srv.base + "/session/start", json={"phone": new_phone(), "channel": "web"})
        assert srv.process.poll() is None  # still there: the turn has not finished
        slow.release.set()
        talker.join(timeout=90)

        chat = answered["chat"]
        assert chat.status_code == 200, chat.text
        body = chat.json()
        assert body["command"]["source"] == "llm"  # the slow model's answer, not a fallback
        assert body["action"] == "searched"
        assert body["products"]
        assert {p["category"] for p in body["products"]} == {"jeans"}
        assert srv.process.wait(timeout=90) == 0
        http.close()

    with (
        server(database_url, tmp_path / "restarted.log", env) as srv,
        httpx.Client(base_url=srv.base, timeout=30) as http,
    ):
        history = http.get("/chat/history", headers={"X-Session-Token": token})
        assert history.status_code == 200, history.text
        (turn,) = history.json()["items"]
        assert (turn["message"], turn["action"]) == (MESSAGE, "searched")
        assert turn["reply"] == body["reply"]
    log = (tmp_path / "server.log").read_text()
    assert "Traceback" not in log
    assert '"event": "app.stopped"' in log


async def _inbox(database_url: str) -> list[tuple[str, int]]:
    engine = create_engine(make_settings(database_url))
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(select(InboxMessage.status, InboxMessage.attempts))
            return [(status, attempts) for status, attempts in rows]
    finally:
        await engine.dispose()


def test_sigterm_lets_the_channel_worker_finish_the_message_it_is_answering(
    database_url: str, tmp_path: Path, model: tuple[SlowModel, str]
) -> None:
    slow, base = model
    with serve(cloud_api) as platform:
        env = {
            **model_env(base),
            "WHATSAPP_API_BASE": platform.base,
            "WHATSAPP_ACCESS_TOKEN": ACCESS_TOKEN,
            "WHATSAPP_PHONE_NUMBER_ID": NUMBER_ID,
            "WHATSAPP_APP_SECRET": APP_SECRET,
        }
        wa_id = new_wa_id()
        with server(database_url, tmp_path / "server.log", env) as srv:
            raw = encode(text_delivery(wa_id, MESSAGE))
            delivered = httpx.post(
                srv.base + WEBHOOK,
                content=raw,
                headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature(raw)},
            )
            assert delivered.status_code == 200
            assert slow.received.wait(60), "the worker never reached the model"
            srv.process.send_signal(signal.SIGTERM)

            wait_until_refused(srv.base)
            assert srv.process.poll() is None  # waiting for the message it is answering
            slow.release.set()
            assert srv.process.wait(timeout=90) == 0

        # Answered before the process ended, once: not left half-done for a lease to lapse.
        assert run_sync(_inbox(database_url)) == [("done", 1)]
        with server(database_url, tmp_path / "restarted.log", env):
            replies = platform.wait_for(1, "/messages", 60)
        assert {r.body["to"] for r in replies} == {wa_id}
        assert len(slow.requests) == 1  # the restarted server did not answer it again
    assert "Traceback" not in (tmp_path / "server.log").read_text()


def test_a_message_still_unanswered_after_the_grace_period_is_released_not_lost(
    database_url: str, tmp_path: Path, model: tuple[SlowModel, str]
) -> None:
    slow, base = model
    with serve(cloud_api) as platform:
        env = {
            **model_env(base),
            "SHUTDOWN_GRACE_SECONDS": "1",
            "WHATSAPP_API_BASE": platform.base,
            "WHATSAPP_ACCESS_TOKEN": ACCESS_TOKEN,
            "WHATSAPP_PHONE_NUMBER_ID": NUMBER_ID,
            "WHATSAPP_APP_SECRET": APP_SECRET,
        }
        wa_id = new_wa_id()
        with server(database_url, tmp_path / "server.log", env) as srv:
            raw = encode(text_delivery(wa_id, MESSAGE))
            delivered = httpx.post(
                srv.base + WEBHOOK,
                content=raw,
                headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature(raw)},
            )
            assert delivered.status_code == 200
            assert slow.received.wait(60), "the worker never reached the model"
            srv.process.send_signal(signal.SIGTERM)
            # The model keeps holding: the grace period runs out first.
            assert srv.process.wait(timeout=60) == 0

        # Given back at once (no lease left to run out), and not counted as a try.
        assert run_sync(_inbox(database_url)) == [("pending", 0)]
        slow.release.set()
        with server(database_url, tmp_path / "restarted.log", env):
            replies = platform.wait_for(1, "/messages", 60)
        assert {r.body["to"] for r in replies} == {wa_id}
        assert run_sync(_inbox(database_url)) == [("done", 1)]
        assert len(slow.requests) == 2  # asked again by the restarted server
    assert "Traceback" not in (tmp_path / "server.log").read_text()


def test_requests_and_channel_messages_share_one_grace_period_from_the_signal(
    database_url: str, tmp_path: Path, model: tuple[SlowModel, str]
) -> None:
    """A chat turn over HTTP and a WhatsApp message both held past the grace period: the
    process ends about ``SHUTDOWN_GRACE_SECONDS`` after the signal, not twice that (the
    channel worker's wait used to start only once the requests' wait had run out), so a
    process manager allowing the documented grace never has to kill it."""
    slow, base = model
    grace = 5.0
    with serve(cloud_api) as platform:
        env = {
            **model_env(base),
            "SHUTDOWN_GRACE_SECONDS": str(grace),
            "WHATSAPP_API_BASE": platform.base,
            "WHATSAPP_ACCESS_TOKEN": ACCESS_TOKEN,
            "WHATSAPP_PHONE_NUMBER_ID": NUMBER_ID,
            "WHATSAPP_APP_SECRET": APP_SECRET,
        }
        with server(database_url, tmp_path / "server.log", env) as srv:
            http = httpx.Client(base_url=srv.base, timeout=120)
            raw = encode(text_delivery(new_wa_id(), MESSAGE))
            delivered = http.post(
                WEBHOOK,
                content=raw,
                headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature(raw)},
            )
            assert delivered.status_code == 200
            assert slow.received.wait(60), "the worker never reached the model"
            token = http.post(
                "/session/start", json={"phone": new_phone(), "channel": "web"}
            ).json()["session_token"]
            answered: dict[str, httpx.Response] = {}

            def talk() -> None:
                answered["chat"] = http.post(
                    "/chat", json={"message": MESSAGE}, headers={"X-Session-Token": token}
                )

            talker = threading.Thread(target=talk, daemon=True)
            talker.start()
            deadline = time.monotonic() + 60
            while len(slow.requests) < 2:
                assert time.monotonic() < deadline, "the chat turn never reached the model"
                time.sleep(0.02)

            signalled = time.monotonic()
            srv.process.send_signal(signal.SIGTERM)
            assert srv.process.wait(timeout=60) == 0
            took = time.monotonic() - signalled
            talker.join(timeout=30)
            http.close()

    assert grace <= took < 1.5 * grace, f"stopped {took:.1f} s after the signal"
    # The turn cut off at the end of the grace period is told to retry, in the contract's body.
    cut = answered["chat"]
    assert cut.status_code == 503, cut.text
    assert cut.json()["error"]["code"] == "server_stopping"
    assert cut.headers["Retry-After"] == "1"
    # The message the worker could not finish is given back, not lost and not counted.
    assert run_sync(_inbox(database_url)) == [("pending", 0)]
    assert "Traceback" not in (tmp_path / "server.log").read_text()
