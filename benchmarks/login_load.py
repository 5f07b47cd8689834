"""Does slow argon2 login stall the server? GET /session throughput with and without logins.

One ``threadline serve`` (1 worker, production argon2: time cost 3, 64 MiB) on a fresh store
with 200 sessions of different customers (20 signed up with a password). ``wrk`` (2 threads,
``--connections``, ``--duration`` s, ``lua/tokens.lua`` rotating the tokens) loads GET /session
a) alone, b) while httpx starts a correct ``POST /auth/login`` of one of the 20 every 250 ms
(open loop, 4/s; correct, so throttling never starts). Target (issue 3): b >= 0.8 x a.
INVALID when wrk saw non-2xx or socket errors, a login failed, or logins completed at
< 3.8/s (the server did not keep up, so the condition was not met).

Run:  .venv/bin/python benchmarks/login_load.py [--store sqlite|postgresql|both] [--duration 10]
          [--connections 32] [--check]
Needs what sessions.py needs. Writes results/login-load-<store>.json and .server.log. Exit 0;
1 with --check on a miss; 2 when it could not run.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sessions import (  # noqa: E402
    RESULTS,
    SESSIONS,
    THREADLINE,
    BenchError,
    fresh_store,
    run_stores,
    run_wrk,
    server,
)

ACCOUNTS, PASSWORD, CHANNELS = 20, "kurta saree 42", ("web", "kiosk", "app")
LOGIN_INTERVAL, MIN_LOGIN_RATE, TARGET_RATIO = 0.25, 3.8, 0.8


def create_sessions(base: str, workdir: Path) -> tuple[Path, list[str]]:
    """ACCOUNTS signups plus plain session starts: SESSIONS tokens of different customers."""
    tokens, accounts = [], []
    with httpx.Client(base_url=base, timeout=30, trust_env=False) as client:
        for n in range(SESSIONS):
            body = {"phone": f"+91650000{n:04d}", "channel": CHANNELS[n % 3]}
            if n < ACCOUNTS:
                body |= {"password": PASSWORD, "name": f"Bench Customer {n}"}
                accounts.append(body["phone"])
            resp = client.post("/auth/signup" if n < ACCOUNTS else "/session/start", json=body)
            if resp.status_code not in (200, 201):
                raise BenchError(f"creating sessions -> {resp.status_code}: {resp.text[:300]}")
            tokens.append(resp.json()["session_token"])
    (path := workdir / "tokens.txt").write_text("\n".join(tokens) + "\n")
    return path, accounts


def pct(values: list[float], q: float) -> float | None:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else None


async def with_logins(base: str, accounts: list[str], wrk_args: tuple) -> tuple[dict, dict]:
    """Run wrk in a thread while starting a login every LOGIN_INTERVAL s until it finishes."""
    async with httpx.AsyncClient(base_url=base, timeout=30, trust_env=False) as client:

        async def login(n: int) -> tuple[float, str, float]:  # finished at, status, latency ms
            body = {"phone": accounts[n % len(accounts)], "password": PASSWORD}
            start = time.monotonic()
            try:
                resp = await client.post("/auth/login", json=body | {"channel": CHANNELS[n % 3]})
                status = str(resp.status_code)
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            return time.monotonic(), status, (time.monotonic() - start) * 1000

        wrk = asyncio.create_task(asyncio.to_thread(run_wrk, *wrk_args))
        t0, tasks = time.monotonic(), []
        while not wrk.done():  # open loop: a slow login does not delay the next one
            tasks.append(asyncio.create_task(login(len(tasks))))
            await asyncio.wait(
                {wrk}, timeout=max(0, t0 + len(tasks) * LOGIN_INTERVAL - time.monotonic())
            )
        end = time.monotonic()
        done = await asyncio.gather(*tasks)
    ok = [(at, lat) for at, status, lat in done if status == "200"]
    # Throughput of logins completed in the wrk window, from the first completion: unlike the
    # sending rate it falls when logins queue up (latency growing over the run).
    in_window = sorted(at for at, _ in ok if at <= end)
    span = end - in_window[0] if in_window else 0
    logins = {
        "sent": len(tasks),
        "ok": len(ok),
        "completed_in_window": len(in_window),
        "statuses": dict(Counter(status for _, status, _ in done)),
        "rate_per_s": (len(in_window) - 1) / span if span else 0.0,
        "p50_ms": pct([lat for _, lat in ok], 0.50),
        "p99_ms": pct([lat for _, lat in ok], 0.99),
        "latencies_ms": [round(lat) for _, _, lat in done],  # in sending order
    }
    return wrk.result(), logins


def bench_store(store: str, opts: argparse.Namespace) -> dict:
    RESULTS.mkdir(parents=True, exist_ok=True)
    log_path = RESULTS / f"login-load-{store}.server.log"
    with tempfile.TemporaryDirectory(prefix="threadline-bench-") as tmp:
        workdir = Path(tmp)
        database = fresh_store(store, workdir)
        with database as url, server(url, workdir, log_path) as base:
            tokens, accounts = create_sessions(base, workdir)
            wrk = [base + "/session", "tokens.lua", [str(tokens), "GET"]]
            run_wrk(*wrk, 1, opts.connections)  # warm-up, discarded
            alone = run_wrk(*wrk, opts.duration, opts.connections)
            loaded, logins = asyncio.run(
                with_logins(base, accounts, (*wrk, opts.duration, opts.connections))
            )
    lines = log_path.read_text(errors="replace").splitlines()  # scanned as in sessions.py
    errors = [line for line in lines if re.search(r"error|exception|traceback", line, re.I)]
    ratio = loaded["rps"] / alone["rps"] if alone["rps"] else 0.0
    valid = (
        all(r["non_2xx"] == r["socket_errors"] == 0 for r in (alone, loaded))
        and logins["ok"] == logins["sent"]
        and logins["rate_per_s"] >= MIN_LOGIN_RATE
    )
    return {
        "store": store,
        "duration": opts.duration,
        "connections": opts.connections,
        "cpus": os.cpu_count(),  # wrk, the server and argon2 share them
        "alone": alone,
        "with_logins": loaded,
        "logins": logins,
        "ratio": ratio,
        "target_ratio": TARGET_RATIO,
        "valid": valid,
        "passed": valid and ratio >= TARGET_RATIO,
        "server_error_lines": errors,
    }


def print_report(r: dict) -> None:
    print(f"\n{r['store']}: {r['duration']} s per run, {r['connections']} connections, 1 worker")
    for label, row in (("alone", r["alone"]), ("with 4 logins/s", r["with_logins"])):
        print(
            f"  GET /session {label:<16} {row['rps']:>7.0f} req/s  p99 {row['p99_ms']:.2f} ms  "
            f"non-2xx {row['non_2xx']}  socket errors {row['socket_errors']}"
        )
    verdict = "PASS" if r["passed"] else ("FAIL" if r["valid"] else "INVALID")
    print(f"  ratio {r['ratio']:.2f} (target >= {TARGET_RATIO})  {verdict}")
    lg = r["logins"]
    print(
        f"  logins: {lg['ok']}/{lg['sent']} ok, {lg['rate_per_s']:.2f}/s achieved, p50 "
        f"{lg['p50_ms'] or 0:.0f} ms, p99 {lg['p99_ms'] or 0:.0f} ms, statuses {lg['statuses']}"
    )
    if errors := r["server_error_lines"]:
        print(f"!! server logged {len(errors)} error lines: {errors[0]}", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    opts = parser.parse_args()
    if not shutil.which("wrk") or not THREADLINE.exists():
        print("needs wrk (`make bench-deps`) and threadline in this virtualenv", file=sys.stderr)
        return 2
    return run_stores(opts, bench_store, print_report, "login-load")


if __name__ == "__main__":
    sys.exit(main())
