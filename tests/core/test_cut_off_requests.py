"""A request cancelled under the middleware: cut off by a stopping server, or given up by its
caller — only the first is answered, and it says whether a retry is safe."""

from __future__ import annotations

import asyncio
import json
from collections.abc import MutableMapping
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession

from threadline.core.middleware import RequestContextMiddleware
from threadline.core.stopsignal import mark_stopping
from threadline.db import commit_now


class Held:
    """An ASGI app that holds every request (after committing, if asked) until cancelled."""

    def __init__(self, *, commit: bool) -> None:
        self.commit = commit
        self.state = SimpleNamespace()
        self.entered = asyncio.Event()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self.commit:
            await commit_now(cast(AsyncSession, _NoStore()))
        self.entered.set()
        await asyncio.Event().wait()


class _NoStore:
    """Stands in for a unit of work whose commit succeeds."""

    def __init__(self) -> None:
        self.info: dict[str, Any] = {}

    async def commit(self) -> None:
        return None


async def _cut_off(
    held: Held, *, stop: bool
) -> tuple[asyncio.Task[None], list[MutableMapping[str, Any]]]:
    sent: list[MutableMapping[str, Any]] = []

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    scope = {"type": "http", "method": "POST", "path": "/chat", "headers": [], "app": held}
    task = asyncio.create_task(RequestContextMiddleware(held)(scope, receive, send))
    await held.entered.wait()
    if stop:
        mark_stopping(held)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return task, sent


def _answer(sent: list[MutableMapping[str, Any]]) -> tuple[int, dict[str, str], dict[str, Any]]:
    start, body = sent
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    return start["status"], headers, json.loads(body["body"])


async def test_a_caller_that_gives_up_gets_its_cancellation_back():
    task, sent = await _cut_off(Held(commit=False), stop=False)
    assert task.cancelled()
    assert sent == []


async def test_cut_off_by_the_stop_before_committing_is_told_to_retry():
    task, sent = await _cut_off(Held(commit=False), stop=True)
    assert not task.cancelled()  # answered: uvicorn has nothing left to do with it
    status, headers, body = _answer(sent)
    assert status == 503
    assert body["error"]["code"] == "server_stopping"
    assert "retry" in body["error"]["message"]
    assert headers["retry-after"] == "1"
    assert headers["connection"] == "close"


async def test_cut_off_after_committing_says_it_may_have_taken_effect():
    _, sent = await _cut_off(Held(commit=True), stop=True)
    status, headers, body = _answer(sent)
    assert status == 503
    assert body["error"]["code"] == "server_stopping"
    assert "may have taken effect" in body["error"]["message"]
    assert "retry-after" not in headers  # a blind retry could do it twice
