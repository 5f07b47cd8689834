"""Webhook acknowledgement time under load, as measured by the platform's side of the call.

What it measures, per store: one ``threadline serve`` process (one worker, its channel worker
inside it, answering every message through the sales agent while the load runs) on a fresh
store holding the demo data, with the WhatsApp and Telegram send APIs played by a local fake
that answers at once:

1. ``GET /healthz`` with ``--connections`` (50) concurrent connections: the baseline
2. ``POST /channels/whatsapp/webhook``: signed deliveries (``X-Hub-Signature-256``), each a
   new message id from one of 200 shoppers, with shopping phrases ("show me blue shirts",
   "add the second one in M", …)
3. ``POST /channels/telegram/webhook``: updates with the secret header, each a new update id

``wrk`` sends pre-signed bodies (``lua/signed_bodies.lua``); every 2xx is an acknowledged,
durably stored message.  After the load it waits for the worker to answer the backlog and
reports how many replies the fake platform received and how long the backlog took.

Target: webhook acknowledgement p99 <= 20 ms at 50 concurrent deliveries (also shown as a
ratio to /healthz's p99).  Any non-2xx or socket error makes the run INVALID.

Run:  .venv/bin/python benchmarks/channels.py [--store sqlite|postgresql|both]
          [--duration 10] [--connections 50] [--check]
Writes ``benchmarks/results/channels-<store>.json``.  Exit 0; 1 with ``--check`` on a miss;
2 when it could not run.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import hmac
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from tests.channels.platform import Recorded, serve  # noqa: E402

from sessions import (  # noqa: E402
    BenchError,
    fresh_store,
    missing_tools,
    run_stores,
    run_wrk,
    server,
)

APP_SECRET = "bench-app-secret"
TG_SECRET = "bench-telegram-secret"
PHRASES = [
    "hi",
    "show me blue shirts under 2000",
    "cheaper ones",
    "tell me about the second one",
    "add it in M",
    "what's in my cart?",
    "kurta dikhao",
    "any offers?",
]
TARGET_P99_MS = 20.0
ENDPOINTS = (
    ("whatsapp", "/channels/whatsapp/webhook", "X-Hub-Signature-256"),
    ("telegram", "/channels/telegram/webhook", "X-Telegram-Bot-Api-Secret-Token"),
)


def platform_ok(call: Recorded) -> Any:
    if "/bot" in call.path:
        return {"ok": True, "result": {"message_id": len(call.path) + int(time.time())}}
    return {"messaging_product": "whatsapp", "messages": [{"id": f"wamid.out{time.time_ns()}"}]}


def whatsapp_bodies(path: Path, count: int, first: int = 0) -> None:
    """``count`` signed WhatsApp deliveries, one per line: signature TAB body."""
    with path.open("w") as out:
        for n in range(first, first + count):
            wa_id = f"9177{n % 200:08d}"
            body = {
                "object": "whatsapp_business_account",
                "entry": [
                    {
                        "id": "102290129340398",
                        "changes": [
                            {
                                "field": "messages",
                                "value": {
                                    "messaging_product": "whatsapp",
                                    "metadata": {
                                        "display_phone_number": "15550783881",
                                        "phone_number_id": "106540352242922",
                                    },
                                    "contacts": [{"profile": {"name": "Shopper"}, "wa_id": wa_id}],
                                    "messages": [
                                        {
                                            "from": wa_id,
                                            "id": f"wamid.bench{n:09d}",
                                            "timestamp": str(1_700_000_000 + n),
                                            "type": "text",
                                            "text": {"body": PHRASES[n % len(PHRASES)]},
                                        }
                                    ],
                                },
                            }
                        ],
                    }
                ],
            }
            raw = json.dumps(body, separators=(",", ":"))
            digest = hmac.new(APP_SECRET.encode(), raw.encode(), hashlib.sha256).hexdigest()
            out.write(f"sha256={digest}\t{raw}\n")


def telegram_bodies(path: Path, count: int, first: int = 0) -> None:
    """``count`` Telegram updates (the secret is the same header on each)."""
    with path.open("w") as out:
        for n in range(first, first + count):
            chat = 500_000 + n % 200
            body = {
                "update_id": 10_000 + n,
                "message": {
                    "message_id": n + 1,
                    "from": {"id": chat, "is_bot": False, "first_name": "Shopper"},
                    "chat": {"id": chat, "first_name": "Shopper", "type": "private"},
                    "date": 1_700_000_000 + n,
                    "text": PHRASES[n % len(PHRASES)],
                },
            }
            out.write(f"{TG_SECRET}\t{json.dumps(body, separators=(',', ':'))}\n")


def _counter(metrics: str, name: str, **labels: str) -> float:
    """The sum of a Prometheus counter's samples whose labels include ``labels``."""
    total = 0.0
    for line in metrics.splitlines():
        if not line.startswith(name + "{"):
            continue
        head, _, value = line.rpartition(" ")
        if all(f'{k}="{v}"' in head for k, v in labels.items()):
            total += float(value)
    return total


def wait_for_backlog(
    base: str, channel: str, fake: Any, limit: float = 900.0, worker: str | None = None
) -> float:
    """Seconds until every message the server accepted on ``channel`` has been answered and
    every reply written to the outbox has been sent (or given up), as its metrics say."""
    started = time.monotonic()
    seen, last_change = -1, time.monotonic()
    while time.monotonic() - started < limit:
        text = httpx.get(base + "/metrics", timeout=10).text
        accepted = _counter(
            text, "threadline_channel_inbound_total", channel=channel, outcome="accepted"
        )
        if worker is not None:  # answered by another process: its counters
            text = httpx.get(worker + "/metrics", timeout=10).text
        answered = _counter(text, "threadline_channel_answered_total", channel=channel)
        queued = _counter(text, "threadline_channel_replies_queued_total", channel=channel)
        ended = _counter(text, "threadline_channel_sends_total", channel=channel, result="sent")
        ended += _counter(text, "threadline_channel_sends_total", channel=channel, result="failed")
        count = len(fake.calls)
        if count != seen:
            seen, last_change = count, time.monotonic()
        if answered >= accepted and ended >= queued:
            return round(last_change - started, 1)
        time.sleep(0.5)
    raise BenchError(f"{channel}: the backlog was not answered within {limit:.0f} s")


def bench_store(store: str, opts: argparse.Namespace) -> dict[str, Any]:
    with (
        tempfile.TemporaryDirectory(prefix="threadline-bench-") as tmp,
        fresh_store(store, Path(tmp)) as url,
        serve(platform_ok) as fake,
    ):
        workdir = Path(tmp)
        env = {
            "WHATSAPP_APP_SECRET": APP_SECRET,
            "WHATSAPP_VERIFY_TOKEN": "bench-verify",
            "WHATSAPP_API_BASE": fake.base,
            "WHATSAPP_ACCESS_TOKEN": "bench-access-token",
            "WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
            "TELEGRAM_API_BASE": fake.base,
            "TELEGRAM_BOT_TOKEN": "123456:bench",
            "TELEGRAM_WEBHOOK_SECRET": TG_SECRET,
        }
        # Enough distinct deliveries for the whole run at several thousand per second.
        count = max(opts.duration * 4000, 20_000)
        whatsapp_bodies(workdir / "whatsapp.txt", count)
        telegram_bodies(workdir / "telegram.txt", count)
        whatsapp_bodies(workdir / "whatsapp-warmup.txt", 2000, first=count)
        telegram_bodies(workdir / "telegram-warmup.txt", 2000, first=count)
        log_path = workdir / "server.log"
        with contextlib.ExitStack() as stack:
            worker = None
            if opts.separate_worker:
                # A second process answers; the measured one only acknowledges.
                worker_env = {**env, "CHANNEL_WORKER": "true"}
                worker = stack.enter_context(
                    server(url, workdir, workdir / "worker.log", extra_env=worker_env)
                )
                env = {**env, "CHANNEL_WORKER": "false"}
            base = stack.enter_context(server(url, workdir, log_path, extra_env=env))
            paced = paced_phase(base, workdir, opts, fake, worker)
            if not opts.stress:
                stack.close()
                return _report(store, opts, paced, {})
            run_wrk(base + "/healthz", None, [], 1, opts.connections)  # warm-up
            health = run_wrk(base + "/healthz", None, [], opts.duration, opts.connections)
            results: dict[str, Any] = {"healthz": health}
            for name, path, header in ENDPOINTS:
                before = len(fake.calls)
                run = run_wrk(
                    base + path,
                    "signed_bodies.lua",
                    [str(workdir / f"{name}.txt"), header],
                    opts.duration,
                    opts.connections,
                )
                run["backlog_seconds"] = wait_for_backlog(base, name, fake, worker=worker)
                run["replies_sent"] = len(fake.calls) - before
                run["p99_vs_healthz"] = round(run["p99_ms"] / max(health["p99_ms"], 0.001), 2)
                results[name] = run
    return _report(store, opts, paced, results)


def _report(
    store: str, opts: argparse.Namespace, paced: dict[str, Any], results: dict[str, Any]
) -> dict[str, Any]:
    runs = [*paced.values(), *results.values()]
    valid = all(r["non_2xx"] == 0 and r["socket_errors"] == 0 for r in runs)
    passed = valid and all(paced[n]["p99_ms"] <= TARGET_P99_MS for n in ("whatsapp", "telegram"))
    return {
        "store": store,
        "connections": opts.connections,
        "duration": opts.duration,
        "pause_ms": opts.pause,
        "separate_worker": opts.separate_worker,
        "paced": paced,
        "results": results,
        "valid": valid,
        "passed": passed,
    }


def paced_phase(
    base: str, workdir: Path, opts: argparse.Namespace, fake: Any, worker: str | None
) -> dict[str, Any]:
    """Each of ``--connections`` connections sends a delivery, waits for its 200, pauses
    ``--pause`` ms, and again: deliveries arrive in waves of up to 50 at once, at a rate the
    server keeps up with, while the agent answers the earlier ones in the background."""
    pause = str(opts.pause)
    out: dict[str, Any] = {
        "healthz": run_wrk(base + "/healthz", "paced.lua", [pause], opts.duration, opts.connections)
    }
    for name, path, header in ENDPOINTS:
        # Warm-up (first calls build caches); its deliveries are answered before measuring.
        warm = workdir / f"{name}-warmup.txt"
        run_wrk(base + path, "signed_bodies.lua", [str(warm), header, pause], 2, opts.connections)
        wait_for_backlog(base, name, fake, worker=worker)
        before = len(fake.calls)
        run = run_wrk(
            base + path,
            "signed_bodies.lua",
            [str(workdir / f"{name}.txt"), header, pause],
            opts.duration,
            opts.connections,
        )
        run["backlog_seconds"] = wait_for_backlog(base, name, fake, worker=worker)
        run["replies_sent"] = len(fake.calls) - before
        run["p99_vs_healthz"] = round(run["p99_ms"] / max(out["healthz"]["p99_ms"], 0.001), 2)
        out[name] = run
    return out


def _table(title: str, runs: dict[str, Any]) -> None:
    print(title)
    print(f"{'endpoint':<12}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'x healthz p99':>15}")
    for name, r in runs.items():
        ratio = r.get("p99_vs_healthz", 1.0)
        print(f"{name:<12}{r['rps']:>9.0f}{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}{ratio:>15.2f}")
    for name, _, _ in ENDPOINTS:
        r = runs[name]
        print(
            f"  {name}: {r['requests']} deliveries acknowledged, {r['replies_sent']} replies "
            f"sent; the backlog was answered {r['backlog_seconds']} s after the load ended"
        )


def print_report(report: dict[str, Any]) -> None:
    store, conns = report["store"], report["connections"]
    _table(
        f"\n== webhooks, {store}: {conns} connections, each pausing {report['pause_ms']} ms "
        "between deliveries; the agent answers in the background ==",
        report["paced"],
    )
    if report["results"]:
        _table(
            f"\n== webhooks, {store}: {conns} connections flat out (stress) ==", report["results"]
        )
    verdict = "PASS" if report["passed"] else ("MISS" if report["valid"] else "INVALID")
    print(f"target ack p99 <= {TARGET_P99_MS:.0f} ms (paced): {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--duration", type=int, default=10, help="seconds per endpoint")
    parser.add_argument("--connections", type=int, default=50, help="deliveries at once")
    parser.add_argument(
        "--pause", type=int, default=250, help="ms each connection waits between deliveries"
    )
    parser.add_argument(
        "--separate-worker",
        action="store_true",
        help="answer in a second server process (CHANNEL_WORKER=false on the measured one)",
    )
    parser.add_argument(
        "--no-stress", dest="stress", action="store_false", help="skip the flat-out phase"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    opts = parser.parse_args()
    if problem := missing_tools():
        print(problem, file=sys.stderr)
        return 2
    name = "channels-separate-worker" if opts.separate_worker else "channels"
    return run_stores(opts, bench_store, print_report, name)


if __name__ == "__main__":
    sys.exit(main())
