"""A shoppers' mix on one server: reads, chat turns, cart writes and checkouts together.

What it measures, per store: one ``threadline serve`` process (one worker) on a fresh store
with the demo data.  Beforehand (not timed) it opens ``--sessions`` sessions of new customers,
each with one in-stock item in its cart, and restocks the online warehouse (every variant it
has in stock gets ``RESTOCK`` units) so that checkouts do not run the demo stock out.  Then,
at ``--connections`` connections (default 64), 2 wrk threads:

1. ``GET /healthz``: the baseline of the server itself, same connections, same duration;
2. a discarded warm-up of the mix (``--warmup`` seconds), then the carts are re-read and the
   warehouse restocked again;
3. the mix (``lua/mixed.lua``) for ``--duration`` seconds, per 20 requests: 10 ``GET /session``
   and 4 ``POST /session/restore`` (70% session reads), 3 ``POST /chat`` turns with shopper
   messages (15%), 2 cart writes (10%: add an in-stock item, change a quantity, remove a line)
   and 1 ``POST /checkout`` (5%: UPI, delivery, a new Idempotency-Key, of a session whose cart
   holds something).  No session ever has two requests in flight.

Printed per kind and per request type: count, share, req/s, p50/p90/p99/max latency (measured
by the wrk script per request) and the answers by status (and error code); overall req/s and
its ratio to ``/healthz``; 409 ``out_of_stock`` checkouts are counted apart.  Checked: no 5xx
(server log lines quoted), no socket errors, no other non-2xx, orders created in the store ==
201 checkouts, and every kind was exercised.  There is no ratio target: the run is valid or not.

Run:  .venv/bin/python benchmarks/mixed.py [--store sqlite|postgresql|both]
          [--duration 20] [--connections 64] [--sessions 1024] [--warmup 3] [--check]
Writes ``benchmarks/results/mixed-<store>.json`` and the server log next to it.  Exit 0; 1 with
``--check`` when the run was not valid; 2 when it could not run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from chat import CONVERSATION  # noqa: E402

from sessions import (  # noqa: E402
    LUA,
    RESULTS,
    WRK_THREADS,
    BenchError,
    fresh_store,
    missing_tools,
    parse_wrk,
    run_stores,
    run_wrk,
    server,
)

RESTOCK = 100_000  # units per in-stock online variant: thousands of orders do not sell it out
VARIANTS = 200  # in-stock variants the cart writes pick from
MIX = {"read": 0.70, "chat": 0.15, "cart": 0.10, "checkout": 0.05}
KIND_ORDER = ["read", "chat", "cart", "checkout"]
OP_LABELS = {
    "get": "GET /session",
    "restore": "POST /session/restore",
    "chat": "POST /chat",
    "add": "POST /cart/items",
    "qty": "PATCH /cart/items/{id}",
    "del": "DELETE /cart/items/{id}",
    "checkout": "POST /checkout",
    "prep": "POST /cart/items (for a checkout)",
}
# Answers that are part of the workload, not errors: the item sold out (counted apart).
EXPECTED = {(op, "409/out_of_stock") for op in ("checkout", "add", "qty", "prep")}


def store_sql(url: str, sql: str, args: tuple = ()) -> list[tuple]:
    """One statement against the store (setup and checks only); ``?`` placeholders."""
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30)
        try:
            rows = conn.execute(sql, args).fetchall()
            conn.commit()
            return rows
        finally:
            conn.close()

    async def run() -> list[tuple]:
        numbered = sql
        for n in range(1, len(args) + 1):
            numbered = numbered.replace("?", f"${n}", 1)
        conn = await asyncpg.connect(url)
        try:
            return [tuple(r) for r in await conn.fetch(numbered, *args)]
        finally:
            await conn.close()

    return asyncio.run(run())


def in_stock_variants(url: str) -> list[tuple[str, str]]:
    rows = store_sql(
        url,
        "SELECT s.sku, s.size FROM stock AS s JOIN products AS p ON p.sku = s.sku"
        " WHERE s.store_id = 'ONLINE' AND s.qty > 0 AND p.is_active ORDER BY s.sku, s.size",
    )
    if len(rows) < VARIANTS:
        raise BenchError(f"only {len(rows)} in-stock online variants: is the demo data loaded?")
    return random.Random(7).sample([(str(a), str(b)) for a, b in rows], VARIANTS)


def restock(url: str, units: int) -> int:
    """Every variant the online warehouse has in stock gets ``units`` (sold-out ones stay so)."""
    store_sql(url, "UPDATE stock SET qty = ? WHERE store_id = 'ONLINE' AND qty > 0", (units,))
    ((count,),) = store_sql(
        url, "SELECT count(*) FROM stock WHERE store_id = 'ONLINE' AND qty = ?", (units,)
    )
    return int(count)


def count_orders(url: str) -> int:
    ((count,),) = store_sql(url, "SELECT count(*) FROM orders")
    return int(count)


def settle(url: str, timeout: float = 30.0) -> int:
    """Wait until the requests wrk left in flight have finished (the order count holds still
    for a second); returns the order count."""
    deadline = time.monotonic() + timeout
    time.sleep(1.0)
    last = count_orders(url)
    while time.monotonic() < deadline:
        time.sleep(1.0)
        now = count_orders(url)
        if now == last:
            return now
        last = now
    raise BenchError(f"the server was still creating orders {timeout:.0f} s after the load")


async def open_sessions(base: str, count: int, variants: list[tuple[str, str]]) -> list[str]:
    """``count`` sessions of new customers, each with one item in the cart; their tokens."""
    gate = asyncio.Semaphore(16)

    async def one(client: httpx.AsyncClient, n: int) -> str:
        async with gate:
            resp = await client.post(
                "/session/start",
                json={"phone": f"+9162{n:08d}", "channel": ("web", "kiosk", "app")[n % 3]},
            )
            if resp.status_code != 200:
                raise BenchError(f"POST /session/start -> {resp.status_code}: {resp.text[:300]}")
            token = str(resp.json()["session_token"])
            sku, size = variants[n % len(variants)]
            resp = await client.post(
                "/cart/items",
                json={"sku": sku, "size": size, "qty": 1},
                headers={"X-Session-Token": token},
            )
            if resp.status_code != 200:
                raise BenchError(f"POST /cart/items -> {resp.status_code}: {resp.text[:300]}")
            return token

    async with httpx.AsyncClient(base_url=base, timeout=30, trust_env=False) as client:
        return list(await asyncio.gather(*(one(client, n) for n in range(count))))


async def write_state(base: str, tokens: list[str], path: Path) -> int:
    """The state file of lua/mixed.lua: each session's token and its cart's line ids, as the
    store has them now.  Returns how many carts hold something."""
    gate = asyncio.Semaphore(16)

    async def one(client: httpx.AsyncClient, token: str) -> str:
        async with gate:
            resp = await client.get("/cart", headers={"X-Session-Token": token})
        if resp.status_code != 200:
            raise BenchError(f"GET /cart -> {resp.status_code}: {resp.text[:300]}")
        return ",".join(str(item["line_id"]) for item in resp.json()["items"])

    async with httpx.AsyncClient(base_url=base, timeout=30, trust_env=False) as client:
        carts = await asyncio.gather(*(one(client, t) for t in tokens))
    path.write_text("".join(f"{t}\t{c}\n" for t, c in zip(tokens, carts, strict=True)))
    return sum(1 for c in carts if c)


def run_mix(base: str, files: dict[str, Path], duration: int, conns: int) -> dict[str, Any]:
    """wrk with lua/mixed.lua: wrk's own summary plus the script's per-op and per-kind rows."""
    salt = os.urandom(4).hex()  # Idempotency-Keys never repeat across runs
    cmd = ["wrk", f"-t{WRK_THREADS}", f"-c{conns}", f"-d{duration}s", "--latency"]
    cmd += ["--timeout", "5s", "-s", str(LUA / "mixed.lua"), base, "--"]
    cmd += [str(files["state"]), str(files["variants"]), str(files["messages"])]
    cmd += [str(WRK_THREADS), salt]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0 or "MIXED_DURATION_US" not in proc.stdout:
        raise BenchError(f"wrk failed ({proc.returncode}): {proc.stderr or proc.stdout}")
    summary = parse_wrk(proc.stdout)
    rows: dict[str, dict[str, Any]] = {}
    seconds = 0.0
    for line in proc.stdout.splitlines():
        fields = line.split("\t")
        if fields[0] == "MIXED_DURATION_US":
            seconds = int(fields[1]) / 1e6
        elif fields[0] == "MIXED":
            name, count, p50, p90, p99, top, statuses = fields[1:8]
            answers = dict(part.split("=") for part in statuses.split(",") if part)
            rows[name] = {
                "count": int(count),
                "p50_ms": float(p50),
                "p90_ms": float(p90),
                "p99_ms": float(p99),
                "max_ms": float(top),
                "answers": {k: int(v) for k, v in answers.items()},
            }
    if "all" not in rows or seconds <= 0:
        raise BenchError(f"the wrk script printed no tallies:\n{proc.stdout}")
    for row in rows.values():
        row["rps"] = row["count"] / seconds
    return {"wrk": summary, "seconds": seconds, "rows": rows}


def judge(
    mix: dict[str, Any], orders_created: int, connections: int, log_errors: list[str]
) -> dict[str, Any]:
    """What went wrong, if anything, and the figures the report prints."""
    rows, wrk = mix["rows"], mix["wrk"]
    total = rows["all"]["count"]
    problems: list[str] = []
    if "op:unknown" in rows:
        problems.append(f"{rows['op:unknown']['count']} answers without our X-Request-ID")
    # response() runs for every complete answer, so its tally must match wrk's own count.
    if abs(total - wrk["requests"]) > max(2, 0.001 * wrk["requests"]):
        problems.append(f"script counted {total} answers, wrk {wrk['requests']}")
    for kind in KIND_ORDER:
        if rows.get(f"kind:{kind}", {}).get("count", 0) == 0:
            problems.append(f"no {kind} requests completed")
    server_errors: dict[str, int] = {}
    unexpected: dict[str, int] = {}
    out_of_stock = {"checkout": 0, "cart": 0}
    for name, row in rows.items():
        if not name.startswith("op:"):
            continue
        op = name[3:]
        for answer, n in row["answers"].items():
            status = int(answer.split("/")[0])
            if status < 300:
                continue
            if (op, answer) in EXPECTED:
                out_of_stock["checkout" if op == "checkout" else "cart"] += n
            elif status >= 500:
                server_errors[f"{op} {answer}"] = n
            else:
                unexpected[f"{op} {answer}"] = n
    if server_errors:
        problems.append(f"5xx answers: {server_errors}")
    if unexpected:
        problems.append(f"unexpected non-2xx answers: {unexpected}")
    if wrk["socket_errors"]:
        problems.append(f"{wrk['socket_errors']} socket errors (connect/read/write/timeout)")
    checkouts_201 = rows.get("op:checkout", {}).get("answers", {}).get("201", 0)
    # Checkouts still in flight when wrk stopped were answered after its last tally.
    if not checkouts_201 <= orders_created <= checkouts_201 + connections:
        problems.append(f"{orders_created} orders in the store but {checkouts_201} 201 checkouts")
    if log_errors:
        problems.append(f"the server logged {len(log_errors)} error lines")
    return {
        "problems": problems,
        "server_errors": server_errors,
        "unexpected_non_2xx": unexpected,
        "checkout_out_of_stock": out_of_stock["checkout"],
        "cart_out_of_stock": out_of_stock["cart"],
        "checkouts_201": checkouts_201,
        "orders_created": orders_created,
        "checkout_without_cart": rows.get("op:prep", {}).get("count", 0),
        "shares": {k: rows.get(f"kind:{k}", {}).get("count", 0) / total for k in KIND_ORDER},
    }


def bench_store(store: str, opts: argparse.Namespace) -> dict[str, Any]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    log_path = RESULTS / f"mixed-{store}.server.log"
    with tempfile.TemporaryDirectory(prefix="threadline-bench-") as tmp:
        workdir = Path(tmp)
        files = {name: workdir / f"{name}.txt" for name in ("state", "variants", "messages")}
        with fresh_store(store, workdir) as url, server(url, workdir, log_path) as base:
            variants = in_stock_variants(url)
            files["variants"].write_text("".join(f"{s}\t{z}\n" for s, z in variants))
            files["messages"].write_text("\n".join(CONVERSATION) + "\n")
            restocked = restock(url, opts.restock)
            tokens = asyncio.run(open_sessions(base, opts.sessions, variants))
            asyncio.run(write_state(base, tokens, files["state"]))
            health = run_wrk(base + "/healthz", None, [], opts.duration, opts.connections)
            if opts.warmup > 0:  # discarded: the pool, the caches and the index settle
                run_mix(base, files, opts.warmup, opts.connections)
                settle(url)
                restock(url, opts.restock)
            carts = asyncio.run(write_state(base, tokens, files["state"]))
            before = count_orders(url)
            mix = run_mix(base, files, opts.duration, opts.connections)
            created = settle(url) - before
    log_lines = log_path.read_text(errors="replace").splitlines()
    log_errors = [line for line in log_lines if re.search(r"error|exception|traceback", line, re.I)]
    verdict = judge(mix, created, opts.connections, log_errors)
    return {
        "store": store,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        **{k: vars(opts)[k] for k in ("duration", "connections", "sessions", "warmup", "restock")},
        "wrk_threads": WRK_THREADS,
        "load_average": os.getloadavg(),
        "restocked_variants": restocked,
        "carts_filled_at_start": carts,
        "healthz": health,
        "mix": mix,
        "ratio": mix["rows"]["all"]["rps"] / health["rps"] if health["rps"] else 0.0,
        **verdict,
        "server_log": str(log_path.relative_to(RESULTS.parent.parent)),
        "server_error_lines": log_errors[:20],
        "passed": not verdict["problems"],
    }


_ROW = "{:<34} {:>7} {:>6} {:>8} {:>8} {:>8} {:>8} {:>8}  {}"


def _non_2xx(answers: dict[str, int]) -> str:
    bad = {k: v for k, v in sorted(answers.items()) if int(k.split("/")[0]) >= 300}
    return ", ".join(f"{k}: {v}" for k, v in bad.items()) or "-"


def print_report(r: dict[str, Any]) -> None:
    rows, seconds = r["mix"]["rows"], r["mix"]["seconds"]
    load = ", ".join(f"{x:.2f}" for x in r["load_average"])
    print(
        f"\n{r['store']}: mixed load, {r['connections']} connections, {seconds:.1f} s, "
        f"{r['sessions']} sessions, {WRK_THREADS} wrk threads, 1 server worker "
        f"(load average {load})"
    )
    head = _ROW.format(
        "request", "count", "share", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "non-2xx"
    )
    print(head + "\n" + "-" * len(head))
    total = rows["all"]["count"]

    def line(label: str, row: dict[str, Any]) -> None:
        print(
            _ROW.format(
                label,
                row["count"],
                f"{100 * row['count'] / total:.1f}%",
                f"{row['rps']:.0f}",
                f"{row['p50_ms']:.2f}",
                f"{row['p90_ms']:.2f}",
                f"{row['p99_ms']:.2f}",
                f"{row['max_ms']:.1f}",
                _non_2xx(row["answers"]),
            )
        )

    for kind in KIND_ORDER:
        if f"kind:{kind}" in rows:
            line(f"{kind} (target {100 * MIX[kind]:.0f}%)", rows[f"kind:{kind}"])
        for op, label in OP_LABELS.items():
            if f"op:{op}" in rows and _kind(op) == kind:
                line(f"  {label}", rows[f"op:{op}"])
    line("all", rows["all"])
    health = r["healthz"]
    print(
        f"GET /healthz (same connections, same run): {health['rps']:.0f} req/s, "
        f"p50 {health['p50_ms']:.2f} ms, p99 {health['p99_ms']:.2f} ms\n"
        f"mix: {rows['all']['rps']:.0f} req/s = {r['ratio']:.3f} x /healthz; "
        f"wrk: {r['mix']['wrk']['rps']:.0f} req/s, {r['mix']['wrk']['socket_errors']} socket "
        f"errors\ncheckouts: {r['checkouts_201']} orders (store gained {r['orders_created']}), "
        f"{r['checkout_out_of_stock']} x 409 out_of_stock (cart writes: "
        f"{r['cart_out_of_stock']}), "
        f"{r['checkout_without_cart']} found no cart; 5xx: {r['server_errors'] or 'none'}"
    )
    for line_text in r["server_error_lines"][:5]:
        print(f"!! server log: {line_text}", file=sys.stderr)
    for problem in r["problems"]:
        print(f"!! {problem}", file=sys.stderr)
    print(f"result: {'VALID' if r['passed'] else 'INVALID'}")


def _kind(op: str) -> str:
    return {"get": "read", "restore": "read", "chat": "chat", "checkout": "checkout"}.get(
        op, "checkout" if op == "prep" else "cart"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--duration", type=int, default=20, help="seconds of the measured mix")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--sessions", type=int, default=1024, help="sessions prepared")
    parser.add_argument("--warmup", type=int, default=3, help="discarded seconds of the mix")
    parser.add_argument(
        "--restock", type=int, default=RESTOCK, help="units per in-stock online variant"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when the run is not valid")
    opts = parser.parse_args()
    if problem := missing_tools():
        print(problem, file=sys.stderr)
        return 2
    if opts.sessions < 4 * opts.connections:
        print("--sessions should be at least 4 x --connections", file=sys.stderr)
        return 2
    return run_stores(opts, bench_store, print_report, "mixed")


if __name__ == "__main__":
    sys.exit(main())
