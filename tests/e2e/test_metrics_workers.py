"""``threadline serve --workers 2``: one scrape of ``/metrics`` adds up both worker processes.

Each worker keeps its numbers in its own file in a private folder (prometheus_client's
multiprocess mode); the test reads those files one by one to know that both workers really
served requests, and checks that a scrape, whichever worker answers it, reports their sum.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from prometheus_client.multiprocess import MultiProcessCollector

from tests.e2e.test_server_process import assert_json_lines, server
from tests.factories import new_phone
from tests.ops.scrape import parse, total

pytestmark = [pytest.mark.e2e, pytest.mark.postgresql]
STARTED = "threadline_sessions_started_total"


def _per_worker(folder: Path) -> dict[str, float]:
    """Sessions started on the web, by the worker file that counted them."""
    counts = {}
    for path in sorted(folder.glob("counter_*.db")):
        value = 0.0
        for family in MultiProcessCollector.merge([str(path)], accumulate=False):
            for sample in family.samples:
                if sample.name == STARTED and sample.labels.get("channel") == "web":
                    value += sample.value
        counts[path.name] = value
    return counts


def _scrape(base: str) -> float:
    # A new connection each time, so the scrape may land on either worker.
    response = httpx.get(base + "/metrics", headers={"Connection": "close"}, timeout=10)
    assert response.status_code == 200, response.text
    return total(parse(response.text), STARTED, channel="web")


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_one_scrape_adds_up_the_requests_both_workers_served(
    database_url: str, tmp_path: Path
) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    with server(database_url, tmp_path / "server.log", {"TMPDIR": str(temp)}, workers=2) as srv:
        (folder,) = temp.glob("threadline-metrics-*")
        before = _scrape(srv.base)
        made = 0
        # Connections are shared out by the kernel, so keep starting sessions (each on a new
        # connection) until both workers' files have counted some; a few dozen suffice.
        deadline = time.monotonic() + 120
        while True:
            started = httpx.post(
                srv.base + "/session/start",
                json={"phone": new_phone(), "channel": "web"},
                headers={"Connection": "close"},
                timeout=30,
            )
            assert started.status_code == 200, started.text
            made += 1
            counts = _per_worker(folder)
            if made >= 10 and len([c for c in counts.values() if c > 0]) >= 2:
                break
            assert time.monotonic() < deadline, f"one worker served everything: {counts}"

        scrapes = [_scrape(srv.base) for _ in range(4)]

        assert sum(_per_worker(folder).values()) - before == made
        assert scrapes == [before + made] * 4
    # The folder was private to that run: it is gone with the server.
    assert not folder.exists()
    assert srv.process.returncode == 0
    events = assert_json_lines((tmp_path / "server.log").read_text())
    started = [e for e in events if e.get("logger") == "uvicorn.error" and "Started" in e["event"]]
    assert len(started) >= 2, "each worker's start is logged"
