"""The sales agent's turn time and throughput, as ratios to ``GET /healthz`` of the same server.

What it measures, per store: one ``threadline serve`` process (one worker) on a fresh store
holding the demo data (1,200 products), no language model configured:

1. ``GET /healthz`` from 8 concurrent client loops: the baseline of the server itself
2. chat turns from 8 concurrent sessions, each a turn at a time as a shopper would, pausing
   ``--think`` seconds on average (0.5–1.5 x, jittered) between turns, each cycling through a
   scripted conversation: searches with colours, sizes and
   prices, "cheaper ones", "show more", details of "the second one", adding to the cart in a
   size, complete the look, availability, cart, offers, Hinglish and typos.  Server-side
   time is read from each reply's ``Server-Timing: turn;dur=`` (arrival to reply, waiting for
   the session's earlier turns included); client-side time is reported beside it.  The same
   8 sessions are then run without pauses: the saturated throughput, reported as the ratio
   to /healthz (a closed loop on one process measures queueing: p50 ~ 8 x the turn's cost).
3. one conversation of ``--long`` turns: the median server time of turns 6–15 (around the
   10th) against turns long-4 … long+5 (around the 500th).
4. with ``--llm``: the server again with ``LLM_BASE_URL`` pointing at a local fake
   OpenAI-compatible server that answers at once with a tool call (and a rewording); the
   agent's own time per turn is ``turn`` minus ``llm`` from ``Server-Timing``.

Targets: offline turn p50 <= 10 ms and p99 <= 50 ms server-side at 8 sessions; the 500th turn
no slower than 1.2 x the 10th; agent overhead with a model <= 5 ms beyond the model call.  The
throughput ratio to /healthz is reported (no target).  Any non-200 answer makes the run INVALID.

Run:  .venv/bin/python benchmarks/chat.py [--store sqlite|postgresql|both]
          [--duration 10] [--sessions 8] [--long 510] [--llm] [--check]
For PostgreSQL see sessions.py.  Writes ``benchmarks/results/chat-<store>.json`` and the server
log.  Exit 0; 1 with ``--check`` on a miss; 2 when it could not run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sessions import RESULTS, THREADLINE, BenchError, fresh_store, run_stores, server  # noqa: E402

CONVERSATION = [
    "hi",
    "show me blue shirts under 2000",
    "cheaper ones",
    "show more",
    "tell me about the second one",
    "add it in M",
    "what goes with it?",
    "black jeans for men",
    "same in blue",
    "is the first one available in 32?",
    "my cart",
    "any offers?",
    "kurta dikhao for women",
    "sasta wala",
    "the second one",
    "snekers under 3k",
    "show me white sneakers UK 9",
    "dress for a party below 2500",
    "where is your store in Pune?",
    "remove the jeans",
]
TARGETS = {"p50_ms": 10.0, "p99_ms": 50.0, "long_ratio": 1.2, "llm_overhead_ms": 5.0}


def pct(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def timing(response: httpx.Response) -> dict[str, float]:
    found = {}
    for part in response.headers.get("server-timing", "").split(","):
        name, _, dur = part.strip().partition(";dur=")
        if dur:
            found[name] = float(dur)
    return found


async def start_session(client: httpx.AsyncClient, n: int) -> str:
    resp = await client.post(
        "/session/start", json={"phone": f"+91650000{n:04d}", "channel": "kiosk"}
    )
    if resp.status_code != 200:
        raise BenchError(f"POST /session/start -> {resp.status_code}: {resp.text[:200]}")
    return str(resp.json()["session_token"])


async def healthz(base: str, loops: int, duration: float) -> dict[str, Any]:
    done = 0
    latencies: list[float] = []
    stop = time.perf_counter() + duration

    async def loop(client: httpx.AsyncClient) -> None:
        nonlocal done
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            resp = await client.get("/healthz")
            latencies.append((time.perf_counter() - t0) * 1000)
            if resp.status_code != 200:
                raise BenchError(f"/healthz -> {resp.status_code}")
            done += 1

    async with httpx.AsyncClient(base_url=base, timeout=10, trust_env=False) as client:
        started = time.perf_counter()
        await asyncio.gather(*(loop(client) for _ in range(loops)))
        elapsed = time.perf_counter() - started
    return {"rps": done / elapsed, "client_p50_ms": pct(latencies, 0.5)}


async def conversations(
    base: str, sessions: int, duration: float, think: float = 0.0
) -> dict[str, Any]:
    server_ms: list[float] = []
    client_ms: list[float] = []
    llm_ms: list[float] = []
    errors: list[str] = []
    stop = time.perf_counter() + duration

    async def shopper(client: httpx.AsyncClient, n: int) -> None:
        token = await start_session(client, n)
        pause = random.Random(n)
        i = 0
        while time.perf_counter() < stop:
            if think:  # a shopper reads the answer and types the next message
                await asyncio.sleep(think * pause.uniform(0.5, 1.5))
            message = CONVERSATION[i % len(CONVERSATION)]
            i += 1
            t0 = time.perf_counter()
            resp = await client.post(
                "/chat", json={"message": message}, headers={"X-Session-Token": token}
            )
            client_ms.append((time.perf_counter() - t0) * 1000)
            if resp.status_code != 200:
                errors.append(f"{message!r} -> {resp.status_code}: {resp.text[:200]}")
                continue
            found = timing(resp)
            server_ms.append(found["turn"])
            if "llm" in found:
                llm_ms.append(found["llm"])

    async with httpx.AsyncClient(base_url=base, timeout=30, trust_env=False) as client:
        started = time.perf_counter()
        await asyncio.gather(*(shopper(client, n) for n in range(sessions)))
        elapsed = time.perf_counter() - started
    own = [t - m for t, m in zip(server_ms, llm_ms, strict=False)] if llm_ms else []
    return {
        "turns": len(server_ms),
        "rps": len(server_ms) / elapsed,
        "p50_ms": pct(server_ms, 0.5),
        "p99_ms": pct(server_ms, 0.99),
        "client_p50_ms": pct(client_ms, 0.5),
        "client_p99_ms": pct(client_ms, 0.99),
        "llm_p50_ms": pct(llm_ms, 0.5) if llm_ms else None,
        "own_p50_ms": pct(own, 0.5) if own else None,
        "own_p99_ms": pct(own, 0.99) if own else None,
        "errors": errors[:5],
        "error_count": len(errors),
    }


async def long_conversation(base: str, turns: int) -> dict[str, Any]:
    """One session, ``turns`` turns in a row: is the 500th as quick as the 10th?"""
    times: list[float] = []
    async with httpx.AsyncClient(base_url=base, timeout=30, trust_env=False) as client:
        token = await start_session(client, 9999)
        for i in range(turns):
            message = CONVERSATION[1 + i % (len(CONVERSATION) - 1)]
            resp = await client.post(
                "/chat", json={"message": message}, headers={"X-Session-Token": token}
            )
            if resp.status_code != 200:
                raise BenchError(f"turn {i + 1}: {resp.status_code} {resp.text[:200]}")
            times.append(timing(resp)["turn"])
        session = await client.get("/session", headers={"X-Session-Token": token})
    # Medians over the same 20-message cycle positions, so the same messages are compared.
    early = statistics.median(times[:20])
    late = statistics.median(times[-20:])
    return {
        "turns": turns,
        "early_median_ms": early,
        "late_median_ms": late,
        "ratio": late / early if early else 0.0,
        "session_bytes": len(session.content),
    }


class FakeModel(BaseHTTPRequestHandler):
    """An OpenAI-compatible endpoint that answers at once: a search tool call, or a rewording."""

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if body.get("tools"):
            call = {
                "id": "call_1",
                "type": "function",
                "function": {
                    "name": "shopper_command",
                    "arguments": json.dumps(
                        {"intent": "search", "slots": {"category": "shirt", "color": "blue"}}
                    ),
                },
            }
            message: dict[str, Any] = {"role": "assistant", "content": None, "tool_calls": [call]}
        else:
            draft = body["messages"][-1]["content"]
            message = {"role": "assistant", "content": str(draft)[:2000]}
        payload = json.dumps(
            {"id": "x", "object": "chat.completion", "choices": [{"index": 0, "message": message}]}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *_: Any) -> None:
        return None


def bench_store(store: str, opts: argparse.Namespace) -> dict[str, Any]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {"store": store, "at": datetime.now(UTC).isoformat()}
    with tempfile.TemporaryDirectory(prefix="threadline-bench-") as tmp:
        workdir = Path(tmp)
        with fresh_store(store, workdir) as url:
            log_path = RESULTS / f"chat-{store}.server.log"
            with server(url, workdir, log_path) as base:
                asyncio.run(conversations(base, opts.sessions, 3))  # warm-up, discarded
                report["healthz"] = asyncio.run(healthz(base, opts.sessions, opts.duration))
                report["offline"] = asyncio.run(
                    conversations(base, opts.sessions, opts.duration, opts.think)
                )
                report["saturated"] = asyncio.run(conversations(base, opts.sessions, opts.duration))
                report["long"] = asyncio.run(long_conversation(base, opts.long))
            if opts.llm:
                fake = ThreadingHTTPServer(("127.0.0.1", 0), FakeModel)
                threading.Thread(target=fake.serve_forever, daemon=True).start()
                env = {
                    "LLM_BASE_URL": f"http://127.0.0.1:{fake.server_address[1]}/v1",
                    "LLM_MODEL": "fake-model",
                    "LLM_API_KEY": "bench",
                }
                try:
                    with server(
                        url, workdir, log_path.with_suffix(".llm.log"), extra_env=env
                    ) as base:
                        asyncio.run(conversations(base, opts.sessions, 3))
                        report["llm"] = asyncio.run(
                            conversations(base, opts.sessions, opts.duration, opts.think)
                        )
                finally:
                    fake.shutdown()
    offline, long = report["offline"], report["long"]
    report["ratio_to_healthz"] = report["saturated"]["rps"] / report["healthz"]["rps"]
    checks = {
        "p50": offline["p50_ms"] <= TARGETS["p50_ms"],
        "p99": offline["p99_ms"] <= TARGETS["p99_ms"],
        "long": long["ratio"] <= TARGETS["long_ratio"],
        "valid": offline["error_count"] == 0 and report["saturated"]["error_count"] == 0,
    }
    if "llm" in report:
        checks["llm_overhead"] = (report["llm"]["own_p50_ms"] or 0) <= TARGETS["llm_overhead_ms"]
        checks["valid"] = checks["valid"] and report["llm"]["error_count"] == 0
    report["checks"] = checks
    report["passed"] = all(checks.values())
    return report


def print_report(report: dict[str, Any]) -> None:
    off, sat, long, h = report["offline"], report["saturated"], report["long"], report["healthz"]
    print(f"\n== chat, {report['store']} ==")
    print(f"GET /healthz            {h['rps']:8.0f} req/s (8 client loops, no pause)")
    print(
        f"8 sessions, paced       {off['rps']:8.0f} turns/s   server p50 {off['p50_ms']:.1f} ms"
        f" (<= 10)  p99 {off['p99_ms']:.1f} ms (<= 50)   client p50 {off['client_p50_ms']:.1f}"
        f" p99 {off['client_p99_ms']:.1f} ms  [{off['turns']} turns, {off['error_count']} errors]"
    )
    print(
        f"8 sessions, no pause    {sat['rps']:8.0f} turns/s   ratio to /healthz"
        f" {report['ratio_to_healthz']:.3f}   server p50 {sat['p50_ms']:.1f} p99"
        f" {sat['p99_ms']:.1f} ms  [{sat['turns']} turns, {sat['error_count']} errors]"
    )
    print(
        f"long conversation       turn ~10: {long['early_median_ms']:.1f} ms, turn ~{long['turns']}:"
        f" {long['late_median_ms']:.1f} ms  ratio {long['ratio']:.2f} (<= 1.2)"
        f"  session {long['session_bytes']:,} bytes"
    )
    if "llm" in report:
        llm = report["llm"]
        print(
            f"with a model (paced)    server p50 {llm['p50_ms']:.1f} ms, model"
            f" {llm['llm_p50_ms']:.1f} ms, agent's own p50 {llm['own_p50_ms']:.1f} ms p99"
            f" {llm['own_p99_ms']:.1f} ms (<= 5)  [{llm['error_count']} errors]"
        )
    for err in off["errors"] + sat["errors"]:
        print("  error:", err)
    print("checks:", report["checks"], "PASSED" if report["passed"] else "MISSED")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--long", type=int, default=510)
    parser.add_argument(
        "--think", type=float, default=0.25, help="mean pause between a session's turns (s)"
    )
    parser.add_argument("--llm", action="store_true")
    parser.add_argument("--check", action="store_true")
    opts = parser.parse_args()
    if not THREADLINE.exists():
        print(f"{THREADLINE} not found: install the project", file=sys.stderr)
        return 2
    return run_stores(opts, bench_store, print_report, "chat")


if __name__ == "__main__":
    sys.exit(main())
