"""A local HTTP server playing a messaging platform's send API, for the channel tests.

It listens on a real port (the service reaches it over HTTP, as it would reach Meta or
Telegram), records every request and answers from a script: by default a success body built by
the channel's ``ok`` function; queued :class:`Scripted` answers (a 500, a 429 with Retry-After,
a 400) are used first, in order.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Scripted:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FakePlatform:
    """Requests seen (``calls``) and answers to give (``script``), shared with the server thread."""

    ok: Callable[[Recorded], Any]
    base: str = ""
    calls: list[Recorded] = field(default_factory=list)
    script: list[Scripted] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, status: int, body: Any, **headers: str) -> None:
        with self.lock:
            self.script.append(Scripted(status, body, headers))

    def sent(self, path_suffix: str = "") -> list[Recorded]:
        """Requests answered with success (the ones the platform accepted), in order."""
        with self.lock:
            return [
                c
                for c in self.calls
                if c.path.endswith(path_suffix) and c.headers.get("x-fake-status") == "200"
            ]

    def wait_for(self, count: int, path_suffix: str = "", timeout: float = 30.0) -> list[Recorded]:
        """Block until ``count`` accepted requests (to paths ending in ``path_suffix``) arrived."""
        deadline = time.monotonic() + timeout
        while True:
            accepted = self.sent(path_suffix)
            if len(accepted) >= count:
                return accepted
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"expected {count} requests to *{path_suffix}, got {len(accepted)}: "
                    f"{[(c.path, c.body) for c in self.calls]}"
                )
            time.sleep(0.02)


@contextmanager
def serve(ok: Callable[[Recorded], Any]) -> Iterator[FakePlatform]:
    """Run a fake platform on a free port for the duration of the ``with``."""
    platform = FakePlatform(ok=ok)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output quiet
            pass

        def _handle(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body: Any = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode("utf-8", "replace")
            headers = {k.lower(): v for k, v in self.headers.items()}
            call = Recorded(self.command, self.path, headers, body)
            with platform.lock:
                scripted = platform.script.pop(0) if platform.script else None
            if scripted is None:
                scripted = Scripted(200, platform.ok(call))
            call.headers["x-fake-status"] = str(scripted.status)
            with platform.lock:
                platform.calls.append(call)
            payload = json.dumps(scripted.body).encode()
            self.send_response(scripted.status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            for name, value in scripted.headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(payload)

        do_POST = _handle  # noqa: N815
        do_GET = _handle  # noqa: N815

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    platform.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield platform
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
