"""Throughput of the session endpoints, as ratios to ``GET /healthz`` of the same server.

What it measures: one ``threadline serve`` process (one worker) on a fresh store, loaded with
``wrk`` (2 threads, ``--connections`` connections, ``--duration`` seconds, ``--latency``) on:

1. ``GET /healthz``                        no database: the baseline of the server itself
2. ``GET /session``                        200 tokens of different customers, rotated
3. ``POST /session/restore``               the same tokens
4. ``POST /session/start`` (new customer)  a never-seen phone per request: customer + session
5. ``POST /session/start`` (existing)      the 200 pre-created phones: join + new token

Absolute req/s depend on the machine; the ratio to /healthz in the same run is what is compared.
Targets: GET /session >= 0.5, restore >= 0.5, both start variants >= 0.3, p99 < 20 ms on all.
A run with non-2xx answers or socket errors is invalid and reported as such.

Run:  .venv/bin/python benchmarks/sessions.py [--store sqlite|postgresql|both]
          [--duration 10] [--connections 32] [--check]
Needs wrk (``apt-get install wrk`` or ``make bench-deps``) and, for PostgreSQL, a server at
127.0.0.1:5432 (user postgres, trust auth); a database is created for the run and dropped.
Writes ``benchmarks/results/sessions-<store>.json`` (and the server log next to it).
Exit code 0, or 1 with ``--check`` when a target is missed, or 2 when it could not run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx

HERE = Path(__file__).resolve().parent
LUA = HERE / "lua"
RESULTS = HERE / "results"
THREADLINE = Path(sys.executable).parent / "threadline"
PG_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
WRK_THREADS = 2
SESSIONS = 200
P99_LIMIT_MS = 20.0
# (label, path, lua script in benchmarks/lua, script arguments, minimum ratio to /healthz)
ENDPOINTS = [
    ("GET /healthz", "/healthz", None, [], None),
    ("GET /session", "/session", "tokens.lua", ["{tokens}", "GET"], 0.5),
    ("POST /session/restore", "/session/restore", "tokens.lua", ["{tokens}", "POST"], 0.5),
    ("POST /session/start (new)", "/session/start", "start_new.lua", ["{salt}"], 0.3),
    ("POST /session/start (existing)", "/session/start", "start_existing.lua", ["{phones}"], 0.3),
]


class BenchError(RuntimeError):
    """The benchmark could not run (as opposed to: it ran and a target was missed)."""


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh database for this run, dropped afterwards (even when the run fails)."""
    name = f"threadline_bench_{os.getpid()}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(PG_ADMIN_DSN)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    try:
        asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError) as exc:
        raise BenchError(f"cannot create a PostgreSQL database at {PG_ADMIN_DSN}: {exc}") from exc
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def fresh_store(store: str, workdir: Path) -> AbstractContextManager[str]:
    """The plain URL of an empty store of this kind (a PostgreSQL database is dropped after)."""
    if store == "postgresql":
        return postgres_database()
    return nullcontext(f"sqlite:///{workdir / 'bench.db'}")


def missing_tools() -> str | None:
    """Why the benchmarks cannot run here, or None."""
    if not shutil.which("wrk"):
        return "wrk is not installed: `apt-get install wrk` or `make bench-deps`."
    if not THREADLINE.exists():
        return f"{THREADLINE} not found: install the project into this virtualenv."
    return None


@contextmanager
def server(
    database_url: str,
    workdir: Path,
    log_path: Path,
    workers: int = 1,
    extra_env: dict[str, str] | None = None,
    started: list[subprocess.Popen] | None = None,
) -> Iterator[str]:
    """Start ``threadline serve`` on a free port, wait for /healthz, always stop it.

    ``started``, if given, receives the server process (with one worker, the process that
    serves: its pid is the one whose memory to read)."""
    with socket.socket() as sock:  # a free port; the tiny race with other programs is accepted
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DATA_DIR": str(workdir),
        "SERVICE_API_KEY": os.urandom(16).hex(),
        "LOG_LEVEL": "WARNING",
        "ACCESS_LOG": "false",
        "LOAD_DEMO_DATA": "true",
        **(extra_env or {}),
    }
    cmd = [str(THREADLINE), "serve", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--workers", str(workers)]
    base, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 60
    with log_path.open("wb") as log:
        # Own session: Ctrl-C reaches this script, which then stops the server in order.
        # cwd=workdir so a developer's .env in the project does not change the settings.
        proc = subprocess.Popen(
            cmd, env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        if started is not None:
            started.append(proc)
        try:
            while not _healthy(base):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise BenchError(f"server did not start (exit {proc.poll()}); see {log_path}")
                time.sleep(0.2)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=1, trust_env=False).status_code == 200
    except httpx.TransportError:
        return False


def create_sessions(base: str, workdir: Path) -> dict[str, Path]:
    """Start SESSIONS sessions of distinct new customers; write their tokens and phones."""
    tokens, phones = [], []
    with httpx.Client(base_url=base, timeout=10, trust_env=False) as client:
        for n in range(SESSIONS):
            phone = f"+91600000{n:04d}"
            body = {"phone": phone, "channel": ("web", "kiosk", "app")[n % 3]}
            resp = client.post("/session/start", json=body)
            if resp.status_code != 200:
                raise BenchError(f"POST /session/start -> {resp.status_code}: {resp.text[:300]}")
            tokens.append(resp.json()["session_token"])
            phones.append(phone)
        resp = client.get("/session", headers={"X-Session-Token": tokens[0]})
        if resp.status_code != 200:
            raise BenchError(f"GET /session -> {resp.status_code}: {resp.text[:300]}")
    files = {"tokens": workdir / "tokens.txt", "phones": workdir / "phones.txt"}
    files["tokens"].write_text("\n".join(tokens) + "\n")
    files["phones"].write_text("\n".join(phones) + "\n")
    return files


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise BenchError(f"unexpected wrk latency {text!r}")
    return float(match[1]) * _UNITS_MS[match[2]]


def parse_wrk(out: str) -> dict[str, float | int]:
    """Requests/sec, p50/p99 (from --latency), non-2xx and socket errors of a wrk report."""
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", out, re.M)
    total = re.search(r"^\s*(\d+) requests in", out, re.M)
    pct = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.M))
    if not (rps and total and "50" in pct and "99" in pct):
        raise BenchError(f"cannot parse wrk output:\n{out}")
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "requests": int(total[1]),
        "rps": float(rps[1]),
        "p50_ms": _ms(pct["50"]),
        "p99_ms": _ms(pct["99"]),
        "non_2xx": int(non2xx[1]) if non2xx else 0,
        "socket_errors": sum(int(n) for n in sock.groups()) if sock else 0,
    }


def run_wrk(url: str, script: str | None, args: list[str], duration: int, conns: int) -> dict:
    cmd = ["wrk", f"-t{WRK_THREADS}", f"-c{conns}", f"-d{duration}s", "--latency"]
    cmd += ["--timeout", "5s"]  # a slower answer counts as a socket error, not a latency
    if script:
        cmd += ["-s", str(LUA / script)]
    cmd.append(url)
    if args:
        cmd += ["--", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise BenchError(f"wrk failed ({proc.returncode}): {proc.stderr or proc.stdout}")
    return parse_wrk(proc.stdout)


def bench_store(store: str, opts: argparse.Namespace) -> dict:
    RESULTS.mkdir(parents=True, exist_ok=True)
    log_path = RESULTS / f"sessions-{store}.server.log"
    with tempfile.TemporaryDirectory(prefix="threadline-bench-") as tmp:
        workdir = Path(tmp)
        database = fresh_store(store, workdir)
        with database as url, server(url, workdir, log_path) as base:
            files = {k: str(v) for k, v in create_sessions(base, workdir).items()}
            rows: list[dict] = []
            for label, path, script, args, target in ENDPOINTS:
                if opts.warmup > 0:  # discarded: lets caches and the connection pool settle
                    warm = [a.format(**files, salt=0) for a in args]
                    run_wrk(base + path, script, warm, opts.warmup, opts.connections)
                # salt 1: a phone range the warm-up did not use, so every start is a new customer
                measured = [a.format(**files, salt=1) for a in args]
                figures = run_wrk(base + path, script, measured, opts.duration, opts.connections)
                rows.append({"endpoint": label, "target_ratio": target, **figures})
    baseline = rows[0]["rps"]
    for row in rows:
        row["ratio"] = row["rps"] / baseline if baseline else 0.0
        row["valid"] = row["non_2xx"] == 0 and row["socket_errors"] == 0
        row["passed"] = (
            row["valid"]
            and row["p99_ms"] < P99_LIMIT_MS
            and (row["target_ratio"] is None or row["ratio"] >= row["target_ratio"])
        )
    # The server logs at WARNING: anything that looks like an error is worth reporting.
    log_lines = log_path.read_text(errors="replace").splitlines()
    errors = [line for line in log_lines if re.search(r"error|exception|traceback", line, re.I)]
    return {
        "store": store,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        **{k: vars(opts)[k] for k in ("duration", "connections", "warmup")},
        "wrk_threads": WRK_THREADS,
        "p99_limit_ms": P99_LIMIT_MS,
        "server_log": str(log_path.relative_to(HERE.parent)),
        "server_error_lines": errors,
        "results": rows,
        "passed": all(row["passed"] for row in rows),
    }


_ROW = "{:<31} {:>8} {:>6} {:>7} {:>7} {:>8} {:>9}  {:<18} {}"


def print_table(report: dict) -> None:
    print(
        f"\n{report['store']}: {report['duration']} s per endpoint, {report['connections']} "
        f"connections, {WRK_THREADS} wrk threads, 1 server worker"
    )
    head = _ROW.format(
        "endpoint", "req/s", "ratio", "p50 ms", "p99 ms", "non-2xx", "sock errs", "target", "result"
    )
    print(head + "\n" + "-" * len(head))
    warnings = []
    if lines := report["server_error_lines"]:
        warnings.append(
            f"server logged {len(lines)} error lines ({report['server_log']}): {lines[0]}"
        )
    for row in report["results"]:
        target = f"p99<{P99_LIMIT_MS:g}ms"
        if row["target_ratio"] is not None:
            target = f">={row['target_ratio']:.2f}x, {target}"
        result = "PASS" if row["passed"] else ("FAIL" if row["valid"] else "INVALID")
        figures = (f"{row['rps']:.0f}", f"{row['ratio']:.2f}", f"{row['p50_ms']:.2f}")
        errors = (f"{row['p99_ms']:.2f}", row["non_2xx"], row["socket_errors"])
        print(_ROW.format(row["endpoint"], *figures, *errors, target, result))
        if not row["valid"]:  # loudly: these figures measure error answers, not the endpoint
            warnings.append(
                f"{row['endpoint']}: {row['non_2xx']} non-2xx answers and {row['socket_errors']}"
                f" socket errors in {row['requests']} requests; its figures are NOT VALID"
            )
    for warning in warnings:
        print(f"!! {warning}", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--duration", type=int, default=10, help="seconds per endpoint")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--warmup", type=int, default=1, help="discarded seconds before each")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    opts = parser.parse_args()
    if problem := missing_tools():
        print(problem, file=sys.stderr)
        return 2
    return run_stores(opts, bench_store, print_table, "sessions")


def run_stores(
    opts: argparse.Namespace,
    bench: Callable[[str, argparse.Namespace], dict],
    show: Callable[[dict], None],
    name: str,
) -> int:
    """Benchmark each chosen store, print and save its report; the process exit code."""
    stores = ["sqlite", "postgresql"] if opts.store == "both" else [opts.store]
    passed = True
    try:
        for store in stores:
            report = bench(store, opts)
            show(report)
            out = RESULTS / f"{name}-{store}.json"
            RESULTS.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(report, indent=2) + "\n")
            print(f"written to {out.relative_to(HERE.parent)}")
            passed = passed and report["passed"]
    except BenchError as exc:
        print(f"benchmark could not run: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 1 if opts.check and not passed else 0


if __name__ == "__main__":
    sys.exit(main())
