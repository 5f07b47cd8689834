"""Session restore at scale: the same load on 10,000 and on 1,000,000 sessions in PostgreSQL.

What it measures: a dedicated database (``--database``, default ``threadline_bench_scale``;
dropped at the end unless ``--keep``), migrated with ``threadline migrate``, then bulk-loaded
in SQL (``INSERT … SELECT … generate_series``) with ``--small`` customers, each with an active
session and one session token stored the way the service stores them: ``customers``,
``sessions`` (realistic ``data``: channels, recently viewed, a chat context, sometimes a cart)
and ``session_tokens`` holding the SHA-256 of a token ``tl_<43 url-safe characters>`` that
this script can recompute, so restores of these tokens genuinely succeed (checked before each
measurement).  ``VACUUM (ANALYZE)`` after every load.  Then, for each size (``--small``, then grown to
``--large``):

* a random sample of ``--sample`` tokens (the same number at both sizes: the same working set,
  a bigger store);
* three ``threadline serve`` processes in turn (one worker, demo catalog loaded):
  1. the session cache on, its entries kept for the whole run (``SESSION_CACHE_SECONDS=900``;
     the default 60 would let part of the sample expire mid-run on a slow machine and mix the
     cache-off path in): ``GET /healthz``, the cache filled with every sampled token, a
     discarded warm-up, then ``POST /session/restore`` and ``GET /session`` with
     ``lua/tokens.lua``;
  2. the cache off (``SESSION_CACHE_SECONDS=0``): every request reads the store; the same runs;
  3. the cache off and ``SESSION_TOUCH_SECONDS=0``: every restore also writes the sliding
     expiry (``last_activity_at``, ``last_used_at``), which the service does at most once a
     minute per token: the write path's worst case.
  In 1 and 2, ``SESSION_TOUCH_SECONDS=86400`` so that they measure the read path alone;
* the server's resident memory (``VmRSS``) after start-up, after the warm-up and after the load;
* ``EXPLAIN (ANALYZE, BUFFERS)`` of the statements a restore actually issues: captured by
  running the service's own ``authenticate_read`` in this process against the database (cache
  off, activity write due) with SQLAlchemy's ``before_cursor_execute`` hook, in a transaction
  rolled back, then explained with the same parameters (writes rolled back again).  Every plan must use indexes only: a ``Seq Scan`` on
  customers, sessions or session_tokens fails the run.

Printed: each run's req/s, ratio to ``/healthz`` of the same server, p50/p99 and errors per
size; then large ÷ small for p50, p99, req/s and req/s ÷ /healthz (targets: latency at most
1.5 x, throughput at least 1/1.5 of the small store's), and the memory ratio (target within
±20%).  Any non-2xx answer or socket error makes a run invalid.

Run:  .venv/bin/python benchmarks/scale.py [--small 10000] [--large 1000000] [--sample 10000]
          [--duration 10] [--connections 32] [--warmup 2] [--keep] [--check]
Needs wrk and PostgreSQL at 127.0.0.1:5432 (user postgres, trust auth); 1,000,000 sessions
take about 2 GB of disk.  Writes ``benchmarks/results/scale-postgresql.json`` and the server
logs next to it.  Exit 0; 1 with ``--check`` when a target is missed; 2 when it could not run.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy import event
from sqlalchemy.ext.asyncio import async_sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sessions import (  # noqa: E402
    PG_ADMIN_DSN,
    RESULTS,
    THREADLINE,
    WRK_THREADS,
    BenchError,
    missing_tools,
    run_stores,
    run_wrk,
    server,
)
from threadline.config import Settings  # noqa: E402
from threadline.core.security import hash_token  # noqa: E402
from threadline.db import create_engine  # noqa: E402
from threadline.sessions import access  # noqa: E402
from threadline.sessions.cache import SessionCache  # noqa: E402

TARGET_SLOWDOWN = 1.5
RSS_BAND = 0.20
CHUNK = 250_000  # rows per load transaction
MIN_FREE_BYTES_PER_SESSION = 4_000  # what 1M sessions take, doubled (measured ~1.9 KB/session)
TABLES = ("customers", "sessions", "session_tokens")
LOOKUPS = 2_000  # sampled tokens whose query alone is timed


def _turns(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    out = []
    for shopper, agent in pairs:
        for role, text in (("user", shopper), ("assistant", agent)):
            out.append({"role": role, "text": text, "channel": "web", "at": "2026-02-10T11:02:03Z"})
    return out


def _data(channels: list[str], **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "cart": [],
        "recent": [],
        "chat_context": [],
        "last_action": None,
        "channels": channels,
        "conversation_summary": "",
        "last_recommended_skus": [],
    }
    return {**base, **extra}


# What sessions hold after a little shopping (the service's own shapes; ~0.3 to 1.4 KB each).
SESSION_DATA = [
    _data(["web"]),
    _data(
        ["kiosk", "whatsapp"],
        recent=["TL00042", "TL00315", "TL00871"],
        last_action="viewed_product",
        last_recommended_skus=["TL00042", "TL00315", "TL00871", "TL00990"],
        chat_context=_turns(
            ("show me blue shirts under 2000", "Here are 4 blue shirts under ₹2,000."),
            ("the second one", "Linen shirt in blue, ₹1,499, sizes S to XL."),
        ),
    ),
    _data(
        ["app"],
        cart=[
            {
                "line_id": "5d0a3f0e-8a49-4c56-9a36-0b6f3d1c2e11",
                "sku": "TL00107",
                "size": "M",
                "qty": 1,
            }
        ],
        recent=["TL00107", "TL00412"],
        last_action="added_to_cart",
        chat_context=_turns(("kurta dikhao for women", "Here are 6 kurtas for women.")),
    ),
    _data(
        ["web", "telegram"],
        recent=["TL00777", "TL01003", "TL00250", "TL00019", "TL00641"],
        last_action="searched",
        conversation_summary="Looking for black jeans for men, waist 32, under ₹3,000.",
        last_recommended_skus=["TL00777", "TL01003", "TL00250"],
        chat_context=_turns(
            ("black jeans for men", "Here are 5 black jeans for men."),
            ("same in blue", "Here are 5 blue jeans for men."),
            ("is the first one available in 32?", "Yes: 7 online, and 3 at the Pune store."),
        ),
    ),
]

_CUSTOMER_ID = "'CB' || lpad(upper(to_hex(n)), 11, '0')"
_TOKEN = (
    "'tl_' || rtrim(translate(encode(sha256(convert_to($3 || ':' || n, 'UTF8')), 'base64'),"
    " '+/', '-_'), '=')"
)
LOAD_SQL = [
    f"""INSERT INTO customers (customer_id, phone, name, city, loyalty_tier, loyalty_points,
        preferences, profile, purchase_history, source, created_at, updated_at)
    SELECT {_CUSTOMER_ID}, '+91' || (6000000000 + n)::text, 'Shopper ' || n,
        (ARRAY['Pune', 'Mumbai', 'Delhi', 'Bengaluru', 'Chennai'])[n % 5 + 1],
        (ARRAY['bronze', 'bronze', 'silver', 'gold'])[n % 4 + 1], n % 700, '{{}}', '{{}}', '[]',
        'session', now() - (1 + n % 60) * interval '1 day', now() - (n % 7200) * interval '1 s'
    FROM generate_series($1::int, $2::int) AS n""",
    f"""INSERT INTO sessions (session_id, customer_id, is_active, data, created_at, updated_at,
        last_activity_at)
    SELECT md5($3 || ':s:' || n)::uuid, {_CUSTOMER_ID}, true,
        (ARRAY[$4::text, $5::text, $6::text, $7::text])[n % 4 + 1]::json,
        now() - (1 + n % 30) * interval '1 day', now() - (120 + n % 7200) * interval '1 s',
        now() - (120 + n % 7200) * interval '1 s'
    FROM generate_series($1::int, $2::int) AS n""",
    f"""INSERT INTO session_tokens (token_id, token_hash, session_id, customer_id, channel,
        user_agent, created_at, last_used_at)
    SELECT md5($3 || ':t:' || n)::uuid, encode(sha256(convert_to({_TOKEN}, 'UTF8')), 'hex'),
        md5($3 || ':s:' || n)::uuid, {_CUSTOMER_ID},
        (ARRAY['web', 'kiosk', 'app', 'whatsapp'])[n % 4 + 1],
        'Mozilla/5.0 (Linux; Android 14) Threadline-bench', now() - (1 + n % 30) * interval '1 day',
        now() - (120 + n % 7200) * interval '1 s'
    FROM generate_series($1::int, $2::int) AS n""",
]

# (label, server settings, endpoints measured)
CONFIGS: list[tuple[str, dict[str, str], list[str]]] = [
    # Entries kept for the whole run (the default 60 s, jittered down to 30, would expire part
    # of the sample mid-run on a slow machine and mix the cache-off path into these figures).
    (
        "cache on",
        {"SESSION_CACHE_SECONDS": "900", "SESSION_TOUCH_SECONDS": "86400"},
        ["restore", "get"],
    ),
    (
        "cache off",
        {"SESSION_CACHE_SECONDS": "0", "SESSION_TOUCH_SECONDS": "86400"},
        ["restore", "get"],
    ),
    (
        "cache off, write each",
        {"SESSION_CACHE_SECONDS": "0", "SESSION_TOUCH_SECONDS": "0"},
        ["restore"],
    ),
]
ENDPOINTS = {
    "restore": ("POST /session/restore", "/session/restore", "POST"),
    "get": (
        "GET /session",
        "/session",
        "GET",
    ),
}


def token_of(seed: str, n: int) -> str:
    """The token of loaded session ``n``, as the SQL above makes it (``tl_`` + 43 characters,
    the shape of ``new_session_token()``)."""
    digest = hashlib.sha256(f"{seed}:{n}".encode()).digest()
    return "tl_" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def session_id_of(seed: str, n: int) -> uuid.UUID:
    return uuid.UUID(hashlib.md5(f"{seed}:s:{n}".encode()).hexdigest())


def customer_id_of(n: int) -> str:
    return f"CB{n:011X}"


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def create_database(name: str) -> str:
    try:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError) as exc:
        raise BenchError(f"cannot create a PostgreSQL database at {PG_ADMIN_DSN}: {exc}") from exc
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def migrate(url: str, workdir: Path) -> None:
    env = {**os.environ, "DATABASE_URL": url, "DATA_DIR": str(workdir), "LOG_LEVEL": "WARNING"}
    proc = subprocess.run(
        [str(THREADLINE), "migrate"], env=env, cwd=workdir, capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise BenchError(f"threadline migrate failed: {proc.stderr or proc.stdout}")


async def load(url: str, seed: str, first: int, last: int) -> dict[str, Any]:
    """Customers, sessions and tokens ``first``..``last``; VACUUM ANALYZE; checked complete."""
    templates = [json.dumps(d, ensure_ascii=False) for d in SESSION_DATA]
    conn = await asyncpg.connect(url)
    began = time.perf_counter()
    try:
        await conn.execute("SET synchronous_commit = off")  # a benchmark load, not user data
        for low in range(first, last + 1, CHUNK):
            high = min(last, low + CHUNK - 1)
            async with conn.transaction():
                for sql in LOAD_SQL:
                    args = [low, high, seed, *templates]
                    used = max(int(x) for x in re.findall(r"\$(\d+)", sql))
                    await conn.execute(sql, *args[:used])
            print(f"  loaded sessions {low:,}..{high:,} ({time.perf_counter() - began:.0f} s)")
        loaded = time.perf_counter() - began
        # VACUUM too: a store with autovacuum on (the usual) would otherwise vacuum the
        # freshly inserted rows in the middle of the measurement; it also sets hint bits.
        await conn.execute("VACUUM (ANALYZE) customers, sessions, session_tokens")
        counts = {t: await conn.fetchval(f"SELECT count(*) FROM {t}") for t in TABLES}
        stored = await conn.fetchval(
            "SELECT token_hash FROM session_tokens WHERE token_id = md5($1 || ':t:' || $2)::uuid",
            seed,
            str(last),
        )
        size = await conn.fetchval("SELECT pg_database_size(current_database())")
    except asyncpg.PostgresError as exc:
        raise BenchError(f"loading failed: {exc}") from exc
    finally:
        await conn.close()
    if any(count != last for count in counts.values()):
        raise BenchError(f"loading is incomplete: {counts}, expected {last:,} each")
    if stored != hash_token(token_of(seed, last)):
        raise BenchError("the loaded token hashes do not match the service's hash_token()")
    return {
        "seconds": loaded,
        "analyze_seconds": time.perf_counter() - began - loaded,
        "rows": counts,
        "database_bytes": size,
    }


def rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
    if not match:
        raise BenchError(f"no VmRSS for pid {pid}")
    return int(match[1])


def check_restores(base: str, seed: str, sample: list[int]) -> None:
    """A few sampled tokens must restore their own session, over HTTP."""
    with httpx.Client(base_url=base, timeout=10, trust_env=False) as client:
        for n in sample:
            resp = client.post("/session/restore", headers={"X-Session-Token": token_of(seed, n)})
            if resp.status_code != 200:
                raise BenchError(
                    f"restore of loaded session {n} -> {resp.status_code}: {resp.text[:300]}"
                )
            session = resp.json()["session"]
            if (session["session_id"], session["customer_id"]) != (
                str(session_id_of(seed, n)),
                customer_id_of(n),
            ):
                raise BenchError(f"restore of loaded session {n} returned {session['session_id']}")


async def restore_all(base: str, tokens: list[str], concurrency: int) -> float:
    """Restore every token once (all must succeed); returns the seconds it took.  With the
    cache on, this puts the whole working set in it before anything is measured.

    A minimal HTTP/1.1 keep-alive client on asyncio streams: httpx costs the client ~5 ms of
    CPU per request on a busy 2-core machine, and a pass slower than the cache's lifetime
    (30 to 60 s) would let the first entries expire before the measurement.
    """
    host, port = base.removeprefix("http://").split(":")
    pending = list(reversed(tokens))
    failed: list[str] = []

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            while pending:
                token = pending.pop()
                writer.write(
                    f"POST /session/restore HTTP/1.1\r\nHost: {host}\r\n"
                    f"X-Session-Token: {token}\r\nContent-Length: 0\r\n\r\n".encode()
                )
                head = await reader.readuntil(b"\r\n\r\n")
                length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
                if length is None:
                    raise BenchError(f"an answer without Content-Length: {head[:200]!r}")
                body = await reader.readexactly(int(length[1]))
                if not head.startswith(b"HTTP/1.1 200 "):
                    status = head.partition(b"\r\n")[0].decode()
                    failed.append(f"{status}: {body[:200]!r}")
        finally:
            writer.close()

    began = time.perf_counter()
    try:
        await asyncio.gather(*(connection() for _ in range(concurrency)))
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
        raise BenchError(f"restoring the sampled tokens failed: {exc!r}") from exc
    if failed:
        raise BenchError(
            f"{len(failed)} of {len(tokens)} sampled tokens did not restore: {failed[0]}"
        )
    return time.perf_counter() - began


async def touched_since(url: str, since: datetime) -> int:
    conn = await asyncpg.connect(url)
    try:
        return int(
            await conn.fetchval("SELECT count(*) FROM sessions WHERE last_activity_at >= $1", since)
        )
    finally:
        await conn.close()


def log_errors(path: Path) -> list[str]:
    lines = path.read_text(errors="replace").splitlines()
    return [line for line in lines if re.search(r"error|exception|traceback", line, re.I)]


def measure_size(url: str, seed: str, size: int, workdir: Path, opts: argparse.Namespace) -> dict:
    sample = random.Random(f"{seed}:{size}").sample(range(1, size + 1), min(opts.sample, size))
    tokens = workdir / f"tokens-{size}.txt"
    tokens.write_text("".join(token_of(seed, n) + "\n" for n in sample))
    runs: dict[str, Any] = {}
    for number, (label, env, endpoints) in enumerate(CONFIGS):
        procs: list[subprocess.Popen] = []
        log_path = RESULTS / f"scale-{size}-{label.replace(', ', '-').replace(' ', '-')}.server.log"
        with server(url, workdir, log_path, extra_env=env, started=procs) as base:
            pid = procs[0].pid
            check_restores(base, seed, sample[:20])
            run: dict[str, Any] = {"settings": env, "rss_kib": {"started": rss_kib(pid)}}
            before = run_wrk(base + "/healthz", None, [], opts.duration, opts.connections)
            if number == 0:  # the cache on: fill it; and the store's pages for the sample
                took = asyncio.run(restore_all(base, tokens.read_text().split(), opts.connections))
                run["full_pass_seconds"] = took
                if took > 300:  # cached entries live 450 to 900 s: some expire mid-run
                    print(
                        f"!! restoring the {len(sample):,} sampled tokens took {took:.0f} s: "
                        "some cache entries will expire during the cache-on runs",
                        file=sys.stderr,
                    )
            if opts.warmup > 0:
                run_wrk(
                    base + "/session/restore",
                    "tokens.lua",
                    [str(tokens), "POST"],
                    opts.warmup,
                    opts.connections,
                )
            run["rss_kib"]["warmed_up"] = rss_kib(pid)
            for key in endpoints:
                _, path, method = ENDPOINTS[key]
                since = datetime.now(UTC)
                figures = run_wrk(
                    base + path,
                    "tokens.lua",
                    [str(tokens), method],
                    opts.duration,
                    opts.connections,
                )
                figures["valid"] = figures["non_2xx"] == 0 and figures["socket_errors"] == 0
                if env.get("SESSION_TOUCH_SECONDS") == "0":  # the writes did happen
                    figures["writes"] = asyncio.run(touched_since(url, since))
                    if not figures["writes"]:
                        raise BenchError(f"{label}: the restores wrote no activity")
                run[key] = figures
            run["rss_kib"]["after_load"] = rss_kib(pid)
            after = run_wrk(base + "/healthz", None, [], opts.duration, opts.connections)
        # /healthz before and after this server's runs: their mean is the baseline, and far
        # apart they say the machine's speed changed while it was measured (other work).
        run["healthz"] = {
            **before,
            "rps": (before["rps"] + after["rps"]) / 2,
            "rps_before": before["rps"],
            "rps_after": after["rps"],
        }
        for key in endpoints:
            run[key]["ratio"] = run[key]["rps"] / run["healthz"]["rps"]
        run["server_log"] = str(log_path.relative_to(RESULTS.parent.parent))
        run["server_error_lines"] = log_errors(log_path)[:20]
        runs[label] = run
    plans = asyncio.run(explain_restore(url, seed, sample[0]))
    hashes = [hash_token(token_of(seed, n)) for n in sample[:LOOKUPS]]
    return {
        "sessions": size,
        "sample": len(sample),
        "runs": runs,
        "plans": plans,
        "lookup": asyncio.run(time_lookups(url, plans[0]["sql"], hashes)),
    }


async def time_lookups(url: str, sql: str, hashes: list[str], passes: int = 3) -> dict[str, Any]:
    """The restore's token query alone, prepared once and run for each hash in turn (no HTTP,
    no server process): how the store itself scales, much less sensitive to a busy CPU.
    ``passes`` passes over the hashes; the one with the lowest p50 is reported (the others
    were slowed by something else on the machine)."""
    if "$1" not in sql or "token_hash" not in sql:
        raise BenchError(f"the first statement of a restore is not the token lookup: {sql}")
    conn = await asyncpg.connect(url)
    results = []
    try:
        lookup = await conn.prepare(sql)
        for _ in range(passes):
            times: list[float] = []
            for token_hash in hashes:
                began = time.perf_counter()
                row = await lookup.fetchrow(token_hash)
                times.append((time.perf_counter() - began) * 1000)
                if row is None:
                    raise BenchError("a sampled token's lookup found no session")
            times.sort()
            results.append(
                {
                    "count": len(times),
                    "p50_ms": times[len(times) // 2],
                    "p99_ms": times[min(len(times) - 1, int(0.99 * len(times)))],
                    "mean_ms": sum(times) / len(times),
                }
            )
    finally:
        await conn.close()
    return {**min(results, key=lambda r: r["p50_ms"]), "passes": results}


async def explain_restore(url: str, seed: str, n: int) -> list[dict[str, Any]]:
    """The statements one restore issues (cache off, the activity write due), each with its
    EXPLAIN (ANALYZE, BUFFERS) plan; the writes are rolled back."""
    settings = Settings(
        _env_file=None,
        database_url=url,
        session_cache_seconds=0,
        session_touch_seconds=0,
        log_level="WARNING",
    )
    engine = create_engine(settings)
    captured: list[tuple[str, tuple]] = []
    cache = SessionCache(ttl_seconds=0)

    def record(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if re.search(r"\b(customers|sessions|session_tokens)\b", statement):
            captured.append((statement, tuple(params or ())))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        # The service's units of work become savepoints of one transaction rolled back here,
        # so the row still needs the write when its UPDATE is explained below.
        async with engine.connect() as conn:
            outer = await conn.begin()
            maker = async_sessionmaker(
                bind=conn, expire_on_commit=False, join_transaction_mode="create_savepoint"
            )
            await access.authenticate_read(maker, maker, settings, cache, token_of(seed, n))
            await outer.rollback()
    finally:
        await engine.dispose()
    if not captured:
        raise BenchError("captured no statements from a restore")
    plans = []
    conn = await asyncpg.connect(url)
    try:
        for statement, params in captured:
            tx = conn.transaction()
            await tx.start()
            try:
                rows = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", *params)
            finally:
                await tx.rollback()
            plan = [r[0] for r in rows]
            text = "\n".join(plan)
            seq = re.findall(r"Seq Scan on (\w+)", text)
            plans.append(
                {
                    "sql": statement,
                    "statement": " ".join(statement.split()),
                    "plan": plan,
                    "index_scans": re.findall(r"Index (?:Only )?Scan using (\w+)", text),
                    "seq_scans": seq,
                    "uses_indexes_only": not any(t in TABLES for t in seq),
                }
            )
    finally:
        await conn.close()
    return plans


def _ratio(large: float, small: float) -> float:
    return large / small if small else float("inf")


def compare(small: dict[str, Any], large: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for label, _, endpoints in CONFIGS:
        for key in endpoints:
            a, b = small["runs"][label][key], large["runs"][label][key]
            row = {
                "run": label,
                "endpoint": ENDPOINTS[key][0],
                "p50": _ratio(b["p50_ms"], a["p50_ms"]),
                "p99": _ratio(b["p99_ms"], a["p99_ms"]),
                "rps": _ratio(b["rps"], a["rps"]),
                "rps_vs_healthz": _ratio(b["ratio"], a["ratio"]),
                # /healthz of the two servers: far from 1, the machine's speed changed between
                # the runs (other work) and the raw ratios measure that too
                "healthz": _ratio(
                    large["runs"][label]["healthz"]["rps"], small["runs"][label]["healthz"]["rps"]
                ),
                "valid": a["valid"] and b["valid"],
            }
            row["passed"] = (
                row["valid"]
                and row["p50"] <= TARGET_SLOWDOWN
                and row["p99"] <= TARGET_SLOWDOWN
                and row["rps_vs_healthz"] >= 1 / TARGET_SLOWDOWN
            )
            rows.append(row)
    return rows


def memory(small: dict[str, Any], large: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for label, *_ in CONFIGS:
        for moment in ("started", "warmed_up", "after_load"):
            a = small["runs"][label]["rss_kib"].get(moment)
            b = large["runs"][label]["rss_kib"].get(moment)
            if a and b:
                ratio = b / a
                rows.append(
                    {
                        "run": label,
                        "moment": moment,
                        "small_kib": a,
                        "large_kib": b,
                        "ratio": ratio,
                        "passed": abs(ratio - 1) <= RSS_BAND,
                    }
                )
    return rows


def bench(_store: str, opts: argparse.Namespace) -> dict[str, Any]:
    if opts.large <= opts.small or opts.sample > opts.small:
        raise BenchError("need --small < --large and --sample <= --small")
    free = shutil.disk_usage("/").free
    if free < opts.large * MIN_FREE_BYTES_PER_SESSION:
        raise BenchError(
            f"only {free / 1e9:.1f} GB free on /: {opts.large:,} sessions need about "
            f"{opts.large * MIN_FREE_BYTES_PER_SESSION / 2e9:.1f} GB"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    seed = os.urandom(8).hex()  # the tokens are secrets of this run only
    report: dict[str, Any] = {
        "store": "postgresql",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        **{
            k: vars(opts)[k]
            for k in ("small", "large", "sample", "duration", "connections", "warmup", "database")
        },
        "wrk_threads": WRK_THREADS,
        "disk_free_bytes_before": free,
    }
    url = create_database(opts.database)
    try:
        with tempfile.TemporaryDirectory(prefix="threadline-bench-") as tmp:
            workdir = Path(tmp)
            migrate(url, workdir)
            print(f"loading {opts.small:,} sessions into {opts.database}")
            report["load_small"] = asyncio.run(load(url, seed, 1, opts.small))
            report["load_average_small"] = os.getloadavg()
            small = measure_size(url, seed, opts.small, workdir, opts)
            print(f"growing to {opts.large:,} sessions")
            report["load_large"] = asyncio.run(load(url, seed, opts.small + 1, opts.large))
            report["disk_free_bytes_loaded"] = shutil.disk_usage("/").free
            report["load_average_large"] = os.getloadavg()
            large = measure_size(url, seed, opts.large, workdir, opts)
    finally:
        if not opts.keep:
            asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{opts.database}" WITH (FORCE)'))
    report["small_store"], report["large_store"] = small, large
    report["comparison"] = compare(small, large)
    report["memory"] = memory(small, large)
    # What one cached token costs the server: the full pass put the whole sample in the cache.
    per_entry = [
        (
            size["runs"]["cache on"]["rss_kib"]["warmed_up"]
            - size["runs"]["cache on"]["rss_kib"]["started"]
        )
        * 1024
        / size["sample"]
        for size in (small, large)
    ]
    report["cache_bytes_per_token"] = sum(per_entry) / len(per_entry)
    report["cache_max_entries"] = SessionCache(ttl_seconds=1).max_entries
    report["plans_index_only"] = all(
        p["uses_indexes_only"] for size in (small, large) for p in size["plans"]
    )
    report["server_error_lines"] = [
        line
        for size in (small, large)
        for run in size["runs"].values()
        for line in run["server_error_lines"]
    ]
    # Other work on the machine changed its speed during the measurements (see print_report).
    report["noisy"] = any(
        not 0.8 <= run["healthz"]["rps_after"] / run["healthz"]["rps_before"] <= 1.25
        for size in (small, large)
        for run in size["runs"].values()
    ) or any(not 0.8 <= row["healthz"] <= 1.25 for row in report["comparison"])
    report["passed"] = (
        all(r["passed"] for r in report["comparison"])
        and all(r["passed"] for r in report["memory"] if r["moment"] == "after_load")
        and report["plans_index_only"]
        and not report["server_error_lines"]
    )
    return report


_RUN = "{:<22} {:<22} {:>10} {:>8} {:>7} {:>8} {:>8} {:>8} {:>6}  {}"


def print_report(r: dict[str, Any]) -> None:
    small, large = r["small_store"], r["large_store"]
    for key, size in (("load_small", small), ("load_large", large)):
        load = r[key]
        print(
            f"\nloaded up to {size['sessions']:,} sessions in {load['seconds']:.1f} s "
            f"(+ VACUUM ANALYZE {load['analyze_seconds']:.1f} s); database "
            f"{load['database_bytes'] / 1e6:,.0f} MB"
        )
    avg = ", ".join(f"{x:.2f}" for x in r["load_average_large"])
    print(
        f"\n{r['duration']} s per run, {r['connections']} connections, {WRK_THREADS} wrk threads, "
        f"1 server worker; {r['sample']:,} sampled tokens per size (load average {avg})"
    )
    head = _RUN.format(
        "run",
        "request",
        "sessions",
        "req/s",
        "ratio",
        "p50 ms",
        "p99 ms",
        "non-2xx",
        "errs",
        "note",
    )
    print(head + "\n" + "-" * len(head))
    for label, _, endpoints in CONFIGS:
        for size in (small, large):
            run = size["runs"][label]
            h = run["healthz"]
            print(
                _RUN.format(
                    label,
                    "GET /healthz",
                    f"{size['sessions']:,}",
                    f"{h['rps']:.0f}",
                    "1.00",
                    f"{h['p50_ms']:.2f}",
                    f"{h['p99_ms']:.2f}",
                    h["non_2xx"],
                    h["socket_errors"],
                    f"mean of {h['rps_before']:.0f} before, {h['rps_after']:.0f} after",
                )
            )
            for key in endpoints:
                f = run[key]
                writes = f"{f['writes']:,} sessions written" if "writes" in f else ""
                print(
                    _RUN.format(
                        label,
                        ENDPOINTS[key][0],
                        f"{size['sessions']:,}",
                        f"{f['rps']:.0f}",
                        f"{f['ratio']:.2f}",
                        f"{f['p50_ms']:.2f}",
                        f"{f['p99_ms']:.2f}",
                        f["non_2xx"],
                        f["socket_errors"],
                        writes,
                    )
                )
    for label, *_ in CONFIGS:
        for size in (small, large):
            h = size["runs"][label]["healthz"]
            if not 0.8 <= h["rps_after"] / h["rps_before"] <= 1.25:
                print(
                    f"!! {label}, {size['sessions']:,} sessions: /healthz went from "
                    f"{h['rps_before']:.0f} to {h['rps_after']:.0f} req/s while this server was "
                    "measured: the machine was busy with other work",
                    file=sys.stderr,
                )
    print(
        f"\n{large['sessions']:,} ÷ {small['sessions']:,} sessions (target: latency <= "
        f"{TARGET_SLOWDOWN}x, throughput >= {1 / TARGET_SLOWDOWN:.2f}x)"
    )
    for row in r["comparison"]:
        verdict = "PASS" if row["passed"] else ("FAIL" if row["valid"] else "INVALID")
        print(
            f"  {row['run']:<22} {row['endpoint']:<22} p50 {row['p50']:.2f}x  p99 "
            f"{row['p99']:.2f}x  req/s {row['rps']:.2f}x  req/s÷healthz "
            f"{row['rps_vs_healthz']:.2f}x  (/healthz {row['healthz']:.2f}x)  {verdict}"
        )
    drift = [row["healthz"] for row in r["comparison"] if not 0.8 <= row["healthz"] <= 1.25]
    if drift:
        print(
            f"!! /healthz itself changed between the sizes ({min(drift):.2f}x .. "
            f"{max(drift):.2f}x): the machine was busier in one of the runs; the raw ratios "
            "include that, req/s÷healthz much less. Re-run on a quiet machine.",
            file=sys.stderr,
        )
    a, b = small["lookup"], large["lookup"]
    print(
        f"  the token query alone (asyncpg, prepared, {b['count']:,} sampled tokens in turn, best "
        f"of {len(b['passes'])} passes): "
        f"p50 {a['p50_ms']:.3f} -> {b['p50_ms']:.3f} ms ({b['p50_ms'] / a['p50_ms']:.2f}x), "
        f"p99 {a['p99_ms']:.3f} -> {b['p99_ms']:.3f} ms ({b['p99_ms'] / a['p99_ms']:.2f}x)"
    )
    print(
        f"\nserver memory (VmRSS), {large['sessions']:,} ÷ {small['sessions']:,} "
        f"(target within ±{RSS_BAND:.0%} after the load)"
    )
    for row in r["memory"]:
        print(
            f"  {row['run']:<22} {row['moment']:<11} {row['small_kib'] / 1024:7.1f} MB -> "
            f"{row['large_kib'] / 1024:7.1f} MB  {row['ratio']:.2f}x  "
            f"{'PASS' if row['passed'] else 'FAIL'}"
        )
    per = r["cache_bytes_per_token"]
    print(
        f"  the session cache costs about {per / 1024:.1f} KB per cached token (RSS after the "
        f"full pass over the sample − at start); at its bound of {r['cache_max_entries']:,} "
        f"entries that is about {per * r['cache_max_entries'] / 2**20:,.0f} MB: memory follows "
        "the tokens used within SESSION_CACHE_SECONDS, not the sessions stored"
    )
    for size in (small, large):
        print(
            f"\nstatements of one restore (cache off, activity write due), "
            f"{size['sessions']:,} sessions: EXPLAIN (ANALYZE, BUFFERS)"
        )
        for plan in size["plans"]:
            print(f"  {plan['statement'][:150]}{'…' if len(plan['statement']) > 150 else ''}")
            for line in plan["plan"]:
                print(f"      {line}")
    print(f"\nplans use indexes only: {'yes' if r['plans_index_only'] else 'NO'}")
    for line in r["server_error_lines"][:5]:
        print(f"!! server log: {line}", file=sys.stderr)
    noisy = " (the machine was busy: /healthz moved; re-run when it is quiet)" if r["noisy"] else ""
    print(f"result: {'PASS' if r['passed'] else 'FAIL'}{noisy}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=10_000, help="sessions in the first store")
    parser.add_argument("--large", type=int, default=1_000_000, help="grown to this many")
    parser.add_argument("--sample", type=int, default=10_000, help="tokens the load uses")
    parser.add_argument("--duration", type=int, default=10, help="seconds per run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--warmup", type=int, default=2, help="discarded seconds before a run")
    parser.add_argument("--database", default="threadline_bench_scale")
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    opts = parser.parse_args()
    opts.store = "postgresql"
    if problem := missing_tools():
        print(problem, file=sys.stderr)
        return 2
    return run_stores(opts, bench, print_report, "scale")


if __name__ == "__main__":
    sys.exit(main())
