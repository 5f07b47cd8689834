"""The optional language model, checked against a real local chat-completions server.

The fake server speaks the OpenAI protocol over HTTP on 127.0.0.1, records every request and
serves scripted answers, so the client's real request building, timeouts and parsing run.
Speed is not asserted here; measure it by timing ``understand()`` against this server with
an instant answer (a few hundred calls, mean and p99).
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from structlog.testing import capture_logs

from threadline.agent.commands import Intent, Slots
from threadline.agent.llm import (
    CATEGORY_GROUPS,
    LanguageModel,
    command_schema,
    create_language_model,
    unverified,
)
from threadline.config import Settings

API_KEY = "sk-test-7f3a9c0e1b2d4f6a"
MODEL = "threadline-test-model"


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # a dict is sent as JSON, bytes as they are
    content_type: str = "application/json"
    delay: float = 0.0


@dataclass
class ChatApi:
    """A stand-in for an OpenAI-compatible server: records requests, serves ``reply``."""

    port: int = 0
    requests: list[dict[str, Any]] = field(default_factory=list)
    reply: Reply = field(default_factory=Reply)
    released: threading.Event = field(default_factory=threading.Event)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1/"


def completion(message: dict[str, Any], finish_reason: str = "tool_calls") -> dict[str, Any]:
    """A chat.completion object as the OpenAI API returns it."""
    return {
        "id": "chatcmpl-9xYz",
        "object": "chat.completion",
        "created": 1732000000,
        "model": MODEL,
        "choices": [
            {"index": 0, "message": message, "logprobs": None, "finish_reason": finish_reason}
        ],
        "usage": {"prompt_tokens": 812, "completion_tokens": 24, "total_tokens": 836},
    }


def tool_call(arguments: dict[str, Any] | str) -> dict[str, Any]:
    text = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return completion(
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_abc123",
                    "type": "function",
                    "function": {"name": "shopper_command", "arguments": text},
                }
            ],
        }
    )


def text_answer(content: str) -> dict[str, Any]:
    return completion({"role": "assistant", "content": content}, finish_reason="stop")


@pytest.fixture
def chat_api() -> Iterator[ChatApi]:
    api = ChatApi()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            api.requests.append(
                {"path": self.path, "headers": dict(self.headers), "json": json.loads(raw)}
            )
            reply = api.reply
            if reply.delay:
                api.released.wait(reply.delay)
            body = reply.body
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:  # the client gave up waiting (the timeout tests)
                pass

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
        api.released.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


def make_settings(**values: object) -> Settings:
    """Validated settings with these values (they win over the environment)."""
    return Settings.model_validate({"environment": "test", **values})


def llm_settings(base_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "llm_base_url": base_url,
        "llm_api_key": API_KEY,
        "llm_model": MODEL,
        "llm_timeout_seconds": 2.0,
        "llm_phrasing": True,
    }
    values.update(overrides)
    return make_settings(**values)


def model_for(api: ChatApi, http: httpx.AsyncClient, **overrides: object) -> LanguageModel:
    model = create_language_model(llm_settings(api.base, **overrides), http)
    assert model is not None
    return model


def fallbacks(stage: str, reason: str) -> float:
    labels = {"stage": stage, "reason": reason}
    return REGISTRY.get_sample_value("threadline_agent_llm_fallbacks_total", labels) or 0.0


CONTEXT = "Shown: 1. Metro Loom Oxford Shirt (TL00012) 2. Urbane Linen Shirt (TL00031)"


# --- understanding ------------------------------------------------------------------------------


async def test_a_tool_call_becomes_the_command_the_engine_executes(
    chat_api: ChatApi, http: httpx.AsyncClient
):
    chat_api.reply = Reply(
        body=tool_call(
            {"intent": "search", "slots": {"category": "shirt", "color": "blue", "max_price": 2000}}
        )
    )

    command = await model_for(chat_api, http).understand("blue shirts under 2k", CONTEXT)

    assert command is not None
    assert command.intent is Intent.SEARCH
    assert command.slots.filled() == {"category": "shirt", "color": "blue", "max_price": 2000}
    assert command.source == "llm"


async def test_the_request_carries_key_model_forced_tool_message_and_context(
    chat_api: ChatApi, http: httpx.AsyncClient
):
    chat_api.reply = Reply(body=tool_call({"intent": "add_to_cart", "slots": {"ordinal": 2}}))

    await model_for(chat_api, http).understand("add the second one in M", CONTEXT)

    assert len(chat_api.requests) == 1
    sent = chat_api.requests[0]
    assert sent["path"] == "/v1/chat/completions"  # the base URL's trailing slash is dropped
    headers = {k.lower(): v for k, v in sent["headers"].items()}
    assert headers["authorization"] == f"Bearer {API_KEY}"
    body = sent["json"]
    assert body["model"] == MODEL
    assert body["temperature"] == 0
    [tool] = body["tools"]
    assert tool["type"] == "function"
    assert tool["function"]["name"] == "shopper_command"
    assert tool["function"]["parameters"] == command_schema()
    assert body["tool_choice"] == {"type": "function", "function": {"name": "shopper_command"}}
    system, user = body["messages"]
    assert system["role"] == "system"
    assert "understanding layer" in system["content"]
    assert CONTEXT in system["content"]
    assert user == {"role": "user", "content": "add the second one in M"}


async def test_without_a_key_no_authorization_header_is_sent(
    chat_api: ChatApi, http: httpx.AsyncClient
):
    chat_api.reply = Reply(body=tool_call({"intent": "greeting", "slots": {}}))

    command = await model_for(chat_api, http, llm_api_key="").understand("hi", "")

    assert command is not None
    assert command.intent is Intent.GREETING
    assert "authorization" not in {k.lower() for k in chat_api.requests[0]["headers"]}


async def test_a_legacy_function_call_answer_is_understood(
    chat_api: ChatApi, http: httpx.AsyncClient
):
    arguments = {"intent": "checkout", "slots": {"payment_method": "upi"}}
    chat_api.reply = Reply(
        body=completion(
            {
                "role": "assistant",
                "content": None,
                "function_call": {"name": "shopper_command", "arguments": json.dumps(arguments)},
            },
            finish_reason="function_call",
        )
    )

    command = await model_for(chat_api, http).understand("checkout with gpay", "")

    assert command is not None
    assert command.intent is Intent.CHECKOUT
    assert command.slots.payment_method == "upi"
    assert command.source == "llm"


async def test_unset_slots_sent_as_null_or_empty_are_left_out_and_groups_are_categories(
    chat_api: ChatApi, http: httpx.AsyncClient
):
    slots = {"category": "Footwear", "color": None, "brand": "", "occasion": "festive"}
    chat_api.reply = Reply(body=tool_call({"intent": "search", "slots": slots}))

    command = await model_for(chat_api, http).understand("shoes for a wedding", "")

    assert command is not None
    assert command.slots.filled() == {"category": "footwear", "occasion": "festive"}


UNUSABLE = {
    "server_error": (Reply(status=500, body={"error": {"message": "boom"}}), "http_error"),
    "rate_limited": (
        Reply(status=429, body={"error": {"message": "Rate limit reached", "type": "requests"}}),
        "rate_limited",
    ),
    "html_404": (
        Reply(status=404, body=b"<html><body>Not Found</body></html>", content_type="text/html"),
        "http_error",
    ),
    "invalid_json": (Reply(body=b"{'choices': [", content_type="text/plain"), "invalid_json"),
    "no_choices": (Reply(body={"id": "chatcmpl-1", "choices": []}), "no_choices"),
    "text_not_tool_call": (Reply(body=text_answer("Sure! Here are shirts.")), "no_tool_call"),
    "arguments_not_json": (
        Reply(body=tool_call('{"intent": "search", "slots": {')),
        "bad_arguments",
    ),
    "unknown_intent": (Reply(body=tool_call({"intent": "buy_everything"})), "unknown_intent"),
    "unknown_slot": (
        Reply(body=tool_call({"intent": "search", "slots": {"category": "shirt", "fabric": "x"}})),
        "invalid_slots",
    ),
    "negative_price": (
        Reply(body=tool_call({"intent": "refine", "slots": {"max_price": -500}})),
        "invalid_slots",
    ),
    "unknown_category": (
        Reply(body=tool_call({"intent": "search", "slots": {"category": "spaceship"}})),
        "invalid_slots",
    ),
}


@pytest.mark.parametrize(("reply", "reason"), UNUSABLE.values(), ids=UNUSABLE.keys())
async def test_an_unusable_answer_falls_back_to_offline_understanding(
    chat_api: ChatApi, http: httpx.AsyncClient, reply: Reply, reason: str
):
    chat_api.reply = reply
    before = fallbacks("understand", reason)

    with capture_logs() as logs:
        command = await model_for(chat_api, http).understand("show me blue shirts", "")

    assert command is None
    assert fallbacks("understand", reason) == before + 1
    warnings = [e for e in logs if e["event"] == "agent.llm_fallback"]
    assert len(warnings) == 1
    assert warnings[0]["log_level"] == "warning"
    assert warnings[0]["stage"] == "understand"
    assert warnings[0]["reason"] == reason


async def test_a_slow_model_times_out_as_a_whole_call(chat_api: ChatApi, http: httpx.AsyncClient):
    chat_api.reply = Reply(body=tool_call({"intent": "greeting"}), delay=10)
    before = fallbacks("understand", "timeout")
    model = model_for(chat_api, http, llm_timeout_seconds=0.2)

    started = time.monotonic()
    command = await model.understand("hello", "")

    assert command is None
    assert time.monotonic() - started < 5  # the turn went on long before the model answered
    assert fallbacks("understand", "timeout") == before + 1


async def test_a_refused_connection_falls_back(http: httpx.AsyncClient):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    before = fallbacks("understand", "connection_error")
    model = create_language_model(llm_settings(f"http://127.0.0.1:{port}/v1"), http)
    assert model is not None

    assert await model.understand("hello", "") is None
    assert fallbacks("understand", "connection_error") == before + 1


async def test_a_cancelled_turn_cancels_the_call_instead_of_falling_back(
    chat_api: ChatApi, http: httpx.AsyncClient
):
    chat_api.reply = Reply(body=tool_call({"intent": "greeting"}), delay=10)
    before = fallbacks("understand", "timeout") + fallbacks("understand", "unexpected")
    task = asyncio.create_task(model_for(chat_api, http).understand("hello", ""))
    while not chat_api.requests:
        await asyncio.sleep(0.01)

    task.cancel()

    with pytest.raises(asyncio.CancelledError):
        await task
    assert fallbacks("understand", "timeout") + fallbacks("understand", "unexpected") == before


async def test_without_base_url_and_model_there_is_no_language_model(http: httpx.AsyncClient):
    assert create_language_model(make_settings(llm_base_url="", llm_model=""), http) is None
    only_url = make_settings(llm_base_url="http://127.0.0.1:9/v1", llm_model="")
    assert create_language_model(only_url, http) is None
    assert not LanguageModel(only_url, http).enabled
    assert await LanguageModel(only_url, http).understand("hi", "") is None


def test_the_tool_schema_is_self_contained_and_matches_the_command_model():
    schema = command_schema()
    text = json.dumps(schema)

    assert "$ref" not in text
    assert "$defs" not in text
    assert '"null"' not in text
    assert schema["additionalProperties"] is False
    assert schema["properties"]["intent"]["enum"] == [i.value for i in Intent]
    slots = schema["properties"]["slots"]
    assert slots["additionalProperties"] is False
    assert set(slots["properties"]) == set(Slots.model_fields)
    assert set(CATEGORY_GROUPS) <= set(slots["properties"]["category"]["enum"])
    assert "shirt" in slots["properties"]["category"]["enum"]
    assert slots["properties"]["max_price"]["minimum"] == 0


# --- phrasing -----------------------------------------------------------------------------------

DRAFT = (
    "Here are blue shirts:\n"
    "1. Metro Loom Oxford Shirt by Metro Loom — ₹1,299 (MRP ₹1,999, 35% off)\n"
    "2. Urbane Linen Shirt by Urbane — ₹999"
)
FACTS = ["TL00012 Metro Loom Oxford Shirt price 1299 mrp 1999", "TL00031 Urbane Linen Shirt 999"]


async def test_phrase_returns_a_rewording_that_keeps_the_facts(
    chat_api: ChatApi, http: httpx.AsyncClient
):
    reworded = (
        "Great picks in blue for you!\n"
        "1. Metro Loom Oxford Shirt by Metro Loom — ₹1299 (MRP ₹1,999.00, 35% off)\n"
        "2. Urbane Linen Shirt by Urbane — just ₹999"
    )
    chat_api.reply = Reply(body=text_answer(reworded))

    answer = await model_for(chat_api, http).phrase(DRAFT, FACTS, "shopper: blue shirts")

    assert answer == reworded
    body = chat_api.requests[0]["json"]
    assert "tools" not in body
    prompt = body["messages"][1]["content"]
    assert DRAFT in prompt
    assert all(fact in prompt for fact in FACTS)


INVENTED = {
    "price": "Here you go!\n1. Metro Loom Oxford Shirt — ₹1,199\n2. Urbane Linen Shirt — ₹999",
    "discount": "1. Metro Loom Oxford Shirt — ₹1,299, 50% off today!\n2. Urbane Linen Shirt — ₹999",
    "product": "Metro Loom Oxford Shirt ₹1,299, or try the Raymond Blazer too!",
    "sku": "Metro Loom Oxford Shirt (TL00099) — ₹1,299",
}


@pytest.mark.parametrize("reworded", INVENTED.values(), ids=INVENTED.keys())
async def test_phrase_rejects_a_rewording_that_invents_facts(
    chat_api: ChatApi, http: httpx.AsyncClient, reworded: str
):
    chat_api.reply = Reply(body=text_answer(reworded))
    before = fallbacks("phrase", "unverified")

    with capture_logs() as logs:
        answer = await model_for(chat_api, http).phrase(DRAFT, FACTS, "")

    assert answer is None
    assert fallbacks("phrase", "unverified") == before + 1
    assert [e["reason"] for e in logs if e["event"] == "agent.llm_fallback"] == ["unverified"]


async def test_phrase_falls_back_when_the_model_errors(chat_api: ChatApi, http: httpx.AsyncClient):
    chat_api.reply = Reply(status=503, body={"error": {"message": "overloaded"}})
    before = fallbacks("phrase", "http_error")

    assert await model_for(chat_api, http).phrase(DRAFT, FACTS, "") is None
    assert fallbacks("phrase", "http_error") == before + 1


async def test_phrasing_turned_off_makes_no_request(chat_api: ChatApi, http: httpx.AsyncClient):
    model = model_for(chat_api, http, llm_phrasing=False)

    assert await model.phrase(DRAFT, FACTS, "") is None
    assert chat_api.requests == []


@pytest.mark.parametrize(
    ("answer", "failed"),
    [
        ("Only ₹1,299 for the 32 waist.", None),
        ("Sirf 1299 rupaye mein, size 32.", None),
        ("That's Rs 1,299.00 in size 32 — nice!", None),
        ("Under 2k: ₹1,299 in 32.", None),
        ("₹1,299 in 34.", "number"),
        ("₹1,299 with 10% off.", "number"),
        ("₹1,299 in XL.", "size"),
        ("Use code FEST32 for ₹1,299 in 32.", "code"),
        ("", "empty"),
        ("₹1,299 in 32. " * 40, "length"),
    ],
)
def test_honesty_check_accepts_only_numbers_and_codes_from_the_draft(answer: str, failed: str):
    draft = "Metro Loom Slim Jeans — ₹1,299 in waist 32, under ₹2,000."
    assert unverified(answer, draft, []) == failed


# --- secrets -----------------------------------------------------------------------------------


async def test_the_api_key_and_the_message_never_reach_the_logs(
    chat_api: ChatApi, http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
):
    message = "my secret address is 42 Palm Grove, show me kurtas"
    model = model_for(chat_api, http)
    caplog.set_level(logging.DEBUG)

    with capture_logs() as logs:
        chat_api.reply = Reply(status=401, body={"error": {"message": f"bad key {API_KEY}"}})
        assert await model.understand(message, CONTEXT) is None
        chat_api.reply = Reply(body=tool_call({"intent": "search", "slots": {"category": "kurta"}}))
        assert await model.understand(message, CONTEXT) is not None
        chat_api.reply = Reply(body=text_answer(f"{message} costs ₹5"))
        assert await model.phrase("Kurtas start at ₹799.", [], CONTEXT) is None

    assert [e["reason"] for e in logs if e["event"] == "agent.llm_fallback"] == [
        "http_error",
        "unverified",
    ]
    captured = repr(logs) + caplog.text
    assert API_KEY not in captured
    assert "Palm Grove" not in captured
