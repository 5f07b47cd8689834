"""End to end: a real ``threadline serve`` process driven over HTTP, and killed with SIGKILL."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import SERVICE_KEY
from tests.factories import new_phone

pytestmark = pytest.mark.e2e
THREADLINE = str(Path(sys.executable).with_name("threadline"))


# Below Linux's ephemeral range (32768-60999): a port the kernel handed out for bind(0) can be
# given again at once as the local end of any outgoing connection (to PostgreSQL, a browser's),
# and a server started a moment later then finds it taken.  Ours are picked at random here.
_PORTS = range(20000, 32000)


def free_port() -> int:
    """A port nobody listens on now, outside the range outgoing connections take theirs from."""
    for _ in range(200):
        port = random.choice(_PORTS)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError(f"no free port in {_PORTS}")


@dataclass
class Server:
    base: str
    process: subprocess.Popen[bytes]


@contextmanager
def server(
    database_url: str,
    log_path: Path,
    extra_env: dict[str, str] | None = None,
    *,
    workers: int = 1,
) -> Iterator[Server]:
    """A ``threadline serve`` on a free port with the demo data; its log goes to ``log_path``.

    ``DATA_DIR`` is the log's folder (the dev OTP outbox lands there); ``extra_env`` adds or
    overrides settings; ``workers`` is ``--workers``.
    """
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SERVICE_API_KEY": SERVICE_KEY,
        "LOAD_DEMO_DATA": "true",
        "DEMO_CUSTOMERS": "20",
        "LOG_FORMAT": "json",
        "DATA_DIR": str(log_path.parent),
        **(extra_env or {}),
    }
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            [THREADLINE, "serve", "--host", "127.0.0.1", "--port", str(port)]
            + ["--workers", str(workers)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, "server did not become ready"
            time.sleep(0.1)
        yield Server(base, proc)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)


def assert_json_lines(log: str) -> list[dict[str, Any]]:
    """With LOG_FORMAT=json every line is one JSON object with an event and a level, the
    server's own (uvicorn's start, stop and errors) included: what a log shipper expects."""
    events = []
    for line in log.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            raise AssertionError(f"not a JSON line: {line!r}") from None
        assert isinstance(event, dict), line
        assert event.get("event"), line
        assert event.get("level"), line
        events.append(event)
    assert events, "nothing was logged"
    return events


def test_seed_test_cases_over_http_against_a_real_server(database_url: str, tmp_path: Path):
    with (
        server(database_url, tmp_path / "server.log") as srv,
        httpx.Client(base_url=srv.base) as http,
    ):
        # Test case 1: fresh kiosk login with the seed's phone (a demo customer).
        kiosk = http.post("/session/start", json={"phone": "+919876543210", "channel": "kiosk"})
        assert kiosk.status_code == 200
        token = kiosk.json()["session_token"]
        assert kiosk.json()["session"]["customer_id"] == "C10001"
        # Test case 2: restoration with the stored token.
        restored = http.post("/session/restore", headers={"X-Session-Token": token})
        assert restored.json()["session"]["session_id"] == kiosk.json()["session"]["session_id"]
        # Test case 3: another device on the website joins the same conversation.
        web = http.post("/session/start", json={"phone": "9876543210", "channel": "web"})
        assert web.json()["session"]["session_id"] == kiosk.json()["session"]["session_id"]
        assert web.json()["session"]["metadata"]["channels"] == ["kiosk", "web"]
        assert "threadline_sessions_started_total" in http.get("/metrics").text

    log = (tmp_path / "server.log").read_text()
    assert_json_lines(log)
    assert '"event": "session.create.success"' in log
    assert '"event": "session.channel.added"' in log
    assert token not in log
    assert "+919876543210" not in log


def test_acknowledged_writes_survive_sigkill(database_url: str, tmp_path: Path):
    phone = new_phone()
    acked: list[str] = []
    with server(database_url, tmp_path / "server.log") as srv:
        http = httpx.Client(base_url=srv.base, timeout=5)
        token = http.post("/session/start", json={"phone": phone, "channel": "app"}).json()[
            "session_token"
        ]
        stop = threading.Event()

        def writer() -> None:
            i = 0
            while not stop.is_set():
                sku = f"K{i:05d}"
                try:
                    r = http.post(
                        "/session/recent", json={"sku": sku}, headers={"X-Session-Token": token}
                    )
                except httpx.TransportError:
                    return
                if r.status_code == 200:
                    acked.append(sku)
                i += 1

        thread = threading.Thread(target=writer)
        thread.start()
        while len(acked) < 30:
            time.sleep(0.01)
        srv.process.send_signal(signal.SIGKILL)  # no shutdown hook, no flush: a crash
        srv.process.wait(timeout=10)
        thread.join(timeout=10)
        stop.set()
        http.close()

    with (
        server(database_url, tmp_path / "server2.log") as srv,
        httpx.Client(base_url=srv.base) as http,
    ):
        session = http.get("/session", headers={"X-Session-Token": token})
        assert session.status_code == 200
        recent = session.json()["data"]["recent"]
        # recent keeps the 50 newest. One write may have committed without its answer arriving
        # before the kill, so the newest 49 acknowledged ones must all be there, in order.
        expected = list(reversed(acked))[:49]
        assert [sku for sku in recent if sku in set(expected)] == expected
