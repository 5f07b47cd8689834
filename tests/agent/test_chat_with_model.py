"""``POST /chat`` with a language model configured: it understands and rewords; when it fails,
is slow or answers nonsense, the same turn is answered offline.  The model is a real local
HTTP server speaking the OpenAI chat-completions protocol."""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.agent.conftest import open_agent_shop, say
from tests.agent.test_llm import text_answer, tool_call
from tests.conftest import make_settings, running
from tests.factories import new_phone, start

Answer = Callable[[dict[str, Any]], tuple[int, Any]]


class FakeModel:
    """Answers each request with ``answer(request_json)`` → (status, body)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.answer: Answer = lambda _: (500, {"error": {"message": "not scripted"}})
        self.hold = threading.Event()

    @contextmanager
    def serve(self) -> Iterator[str]:
        """Run the server for the ``with`` block; its base URL."""
        model = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                model.requests.append(body)
                status, reply = model.answer(body)
                if reply == "hang":
                    model.hold.wait(5)
                    status, reply = 200, text_answer("too late")
                data = json.dumps(reply).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/v1"
        finally:
            self.hold.set()
            server.shutdown()
            server.server_close()


@pytest.fixture
def model() -> Iterator[tuple[FakeModel, str]]:
    fake = FakeModel()
    with fake.serve() as base:
        yield fake, base


@pytest.fixture
async def shop_with_model(
    database_url: str, model: tuple[FakeModel, str]
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient, FakeModel]]:
    fake, base = model
    settings = make_settings(
        database_url,
        llm_base_url=base,
        llm_model="test-model",
        llm_api_key="sk-test",
        llm_timeout_seconds=0.5,
    )
    async with running(settings) as (app, client):
        await open_agent_shop(app)
        yield app, client, fake


def understands(intent: str, **slots: Any) -> Answer:
    """A model that understands every message as this command and rewords nothing."""

    def answer(request: dict[str, Any]) -> tuple[int, Any]:
        if request.get("tools"):
            return 200, tool_call({"intent": intent, "slots": slots})
        return 503, {"error": {"message": "phrasing unavailable"}}

    return answer


async def _token(client: httpx.AsyncClient) -> str:
    return str((await start(client, new_phone(), channel="web"))["session_token"])


async def test_the_model_understands_and_the_store_answers(shop_with_model: Any) -> None:
    _, client, fake = shop_with_model
    fake.answer = understands("search", category="jeans")
    token = await _token(client)
    body = await say(client, token, "something for my legs, denim maybe")
    assert body["command"]["source"] == "llm"
    assert body["action"] == "searched"
    assert [p["sku"] for p in body["products"]] == ["T-JEANS"]
    assert "₹1,999" in body["reply"]  # the price is the store's, not the model's
    sent = fake.requests[0]
    assert sent["model"] == "test-model"
    assert sent["tool_choice"]["function"]["name"] == "shopper_command"
    assert "something for my legs" in json.dumps(sent["messages"])


@pytest.mark.parametrize(
    "answer",
    [
        lambda _: (500, {"error": {"message": "boom"}}),
        lambda _: (200, text_answer("I think you want shirts!")),
        lambda _: (200, tool_call("{not json")),
        lambda _: (200, tool_call({"intent": "teleport", "slots": {}})),
        lambda _: (200, tool_call({"intent": "search", "slots": {"max_price": -5}})),
        lambda _: (200, "hang"),
    ],
    ids=["error", "no-tool-call", "bad-json", "unknown-intent", "invalid-slot", "timeout"],
)
async def test_a_failing_model_falls_back_offline_in_the_same_turn(
    shop_with_model: Any, answer: Answer
) -> None:
    _, client, fake = shop_with_model
    fake.answer = answer
    token = await _token(client)
    body = await say(client, token, "show me shirts")
    assert body["command"]["source"] == "offline"
    assert body["action"] == "searched"
    assert [p["sku"] for p in body["products"]] == ["T-SHIRT"]


async def test_a_rewording_is_used_only_when_it_keeps_the_facts(shop_with_model: Any) -> None:
    _, client, fake = shop_with_model
    token = await _token(client)
    wording = {"text": "Namaste! Happy to help you find something lovely today."}

    def model(request: dict[str, Any]) -> tuple[int, Any]:
        if request.get("tools"):
            said = request["messages"][-1]["content"]
            intent = "greeting" if "hello" in said else "search"
            slots = {} if intent == "greeting" else {"category": "shirt"}
            return 200, tool_call({"intent": intent, "slots": slots})
        return 200, text_answer(wording["text"])

    fake.answer = model
    body = await say(client, token, "hello")
    assert body["reply"] == wording["text"]
    session = await client.get("/session", headers={"X-Session-Token": token})
    assert session.json()["data"]["chat_context"][-1]["text"] == wording["text"]

    wording["text"] = "Hello! Everything is 80% off today only!"
    body = await say(client, token, "hello")
    assert "80%" not in body["reply"]  # a figure the store never said is dropped

    # Replies that list products and prices keep the store's words, whatever the model says.
    wording["text"] = "The Oxford Shirt is ₹1,499 and lovely."
    body = await say(client, token, "shirts please")
    assert body["reply"].startswith("Here are shirts")
    assert "₹1,499" in body["reply"]
