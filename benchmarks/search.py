"""Catalog search latency and throughput, as ratios to ``GET /healthz`` of the same server.

What it measures, per store: one ``threadline serve`` process (one worker) on a fresh store
holding the demo data (``threadline load-demo``: 1,200 products), then the same after
``threadline import products ../shared/data/myntra_products_catalog.csv`` (12,491 more, 13,691
in all; the server notices the catalog version change and rebuilds its index, and the time
until search shows the new products is reported).  For each catalog, ``wrk`` (2 threads,
``--connections``, ``--duration`` s, ``--latency``) loads:

1. ``GET /healthz``                                  the baseline of the server itself
2. ``GET /products?q=…``  words                     "blue shirt", "women kurta festive", "joota"…
3. ``GET /products?…``    filters                   category, gender, colour, size, price, paging
4. ``GET /products?q=…``  typos                     "jeens", "kurtha", "snekers", "shrit"…
5. personalised: words and filters with the ``X-Session-Token`` of 50 demo customers (their
   stored preferences, two recently viewed products each)

``lua/paths.lua`` rotates over the requests.  In this process it also loads the index from the
store (build time, memory held by the index, via tracemalloc) and times ``search()`` itself on
the same queries: the cost of a search without HTTP.

Targets: search p99 <= 20 ms on the demo catalog and <= 50 ms with the Myntra catalog added.
The ratio to /healthz is printed (no target).  A row with non-2xx answers or socket errors is
INVALID.  Latency at a given number of connections is mostly queueing (connections / req/s).

Run:  .venv/bin/python benchmarks/search.py [--store sqlite|postgresql|both]
          [--duration 10] [--connections 16] [--check]
Needs wrk and the CSV at ../shared/data (see sessions.py for PostgreSQL).  Writes
``benchmarks/results/search-<store>.json`` and the server log.  Exit 0; 1 with ``--check`` on a
miss; 2 when it could not run.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from threadline.catalog.models import Product
from threadline.catalog.personalise import boosts, profile_for
from threadline.catalog.search import Query, load_index, search
from threadline.core.logging import configure_logging
from threadline.customers.demo import generate as demo_customers
from threadline.db import async_url, create_sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sessions import (  # noqa: E402
    RESULTS,
    THREADLINE,
    WRK_THREADS,
    BenchError,
    fresh_store,
    missing_tools,
    run_stores,
    run_wrk,
    server,
)

MYNTRA = Path(__file__).resolve().parents[2] / "shared" / "data" / "myntra_products_catalog.csv"
LIMITS_MS = {"demo": 20.0, "demo+myntra": 50.0}
CUSTOMERS = 50
WORDS = [
    "blue shirt", "men jeans", "kurta", "women kurta festive", "sneakers", "black t-shirt",
    "party dress", "formal shoes men", "silk saree", "track pants", "watch", "handbag women",
    "sunglasses", "white sneakers", "cotton shirt", "denim jacket", "ethnic wear", "joota",
    "tee", "pants for men",
]  # fmt: skip
TYPOS = [
    "jeens", "kurtha", "snekers", "shrit", "tshrit men", "sareee", "sunglases", "jaket",
    "handbg", "trousrs", "blu shirt", "wach",
]  # fmt: skip
FILTERS = [
    "category=jeans&gender=men", "category=kurta&gender=women&occasion=festive",
    "color=blue&max_price=1500", "size=M&category=tshirt", "min_price=1000&max_price=3000&gender=women",
    "q=shirt&gender=men&color=blue&size=L", "", "offset=100", "category=sneakers&size=UK 8",
    "brand=Stridewell&limit=10",
]  # fmt: skip
MIXES = {
    "words": [urlencode({"q": q}) for q in WORDS],
    "filters": [urlencode(parse_qsl(f)) for f in FILTERS],
    "typos": [urlencode({"q": q}) for q in TYPOS],
}
MIXES["personal"] = MIXES["words"][:10] + MIXES["filters"][:6]


def cli(args: list[str], env: dict[str, str], workdir: Path) -> None:
    done = subprocess.run(
        [str(THREADLINE), *args], env=env, cwd=workdir, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BenchError(f"threadline {' '.join(args)} failed: {done.stdout}{done.stderr}")


def start_sessions(base: str, workdir: Path) -> Path:
    """Sessions of demo customers (stored preferences), each with two viewed products."""
    with httpx.Client(base_url=base, timeout=30, trust_env=False) as client:
        page = client.get("/products", params={"limit": 100})
        if page.status_code != 200 or not page.json()["items"]:
            raise BenchError(f"GET /products -> {page.status_code}: {page.text[:300]}")
        skus = [p["sku"] for p in page.json()["items"]]
        tokens = []
        for n, customer in enumerate(demo_customers(CUSTOMERS)):
            resp = client.post(
                "/session/start", json={"phone": customer["phone"], "channel": "web"}
            )
            if resp.status_code != 200:
                raise BenchError(f"POST /session/start -> {resp.status_code}: {resp.text[:300]}")
            token = resp.json()["session_token"]
            for sku in (skus[n % len(skus)], skus[(n * 7 + 3) % len(skus)]):
                client.post(
                    "/session/recent", json={"sku": sku}, headers={"X-Session-Token": token}
                )
            tokens.append(token)
    (path := workdir / "tokens.txt").write_text("\n".join(tokens) + "\n")
    return path


def wait_for_total(base: str, total: int, timeout: float = 120) -> float:
    """Seconds until GET /products reports ``total`` products (the index was rebuilt)."""
    started = time.monotonic()
    with httpx.Client(base_url=base, timeout=10, trust_env=False) as client:
        while time.monotonic() - started < timeout:
            if client.get("/products", params={"limit": 1}).json()["total"] == total:
                return time.monotonic() - started
            time.sleep(0.05)
    raise BenchError(f"search did not show {total} products within {timeout} s")


async def count_active(url: str) -> int:
    engine = create_async_engine(async_url(url))
    try:
        async with engine.connect() as conn:
            found = await conn.scalar(select(func.count()).where(Product.is_active.is_(True)))
    finally:
        await engine.dispose()
    return int(found or 0)


def _query(params: str) -> Query:
    """The in-process twin of a request's query string."""
    values: dict[str, object] = dict(parse_qsl(params))
    for key in ("min_price", "max_price"):
        if key in values:
            values[key] = float(str(values[key]))
    for key in ("limit", "offset"):
        if key in values:
            values[key] = int(str(values[key]))
    return Query(**values)  # type: ignore[arg-type]


def _pct(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def in_process(url: str, repeat: int) -> dict:
    """Index build time and memory from the store, and search() latency without HTTP."""
    engine = create_async_engine(async_url(url))
    try:
        maker = create_sessionmaker(engine)
        started = time.perf_counter()
        index = await load_index(maker)
        build_ms = (time.perf_counter() - started) * 1000
        del index
        gc.collect()
        tracemalloc.start()
        index = await load_index(maker)
        gc.collect()  # what the index holds, not the store's garbage from loading it
        held, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        await engine.dispose()
    profiles = [
        profile_for(index, preferences=c["preferences"], purchase_history=[], recent=[d.sku for d in index.docs[n : n + 2]])
        for n, c in enumerate(demo_customers(CUSTOMERS))
    ]  # fmt: skip
    figures: dict[str, dict[str, float]] = {}
    for mix, queries in MIXES.items():
        times = []
        for n in range(repeat * len(queries)):
            query = _query(queries[n % len(queries)])
            start = time.perf_counter()
            boost = boosts(index, profiles[n % len(profiles)]) if mix == "personal" else None
            search(index, query, boosts=boost)
            times.append((time.perf_counter() - start) * 1000)
        figures[mix] = {"p50_ms": _pct(times, 0.5), "p99_ms": _pct(times, 0.99)}
    return {
        "products": len(index),
        "build_ms": build_ms,
        "memory_mb": held / 1e6,
        "peak_mb": peak / 1e6,
        "search": figures,
    }


def measure(phase: str, base: str, files: dict[str, Path], opts: argparse.Namespace) -> list:
    rows = []
    for label in ("healthz", *MIXES):
        path = "/healthz" if label == "healthz" else "/"
        args = [] if label == "healthz" else [str(files[label])]
        if label == "personal":
            args.append(str(files["tokens"]))
        script = None if label == "healthz" else "paths.lua"
        if opts.warmup > 0:
            run_wrk(base + path, script, args, opts.warmup, opts.connections)
        figures = run_wrk(base + path, script, args, opts.duration, opts.connections)
        rows.append({"phase": phase, "endpoint": label, **figures})
    baseline = rows[0]["rps"]
    for row in rows:
        row["ratio"] = row["rps"] / baseline if baseline else 0.0
        row["valid"] = row["non_2xx"] == 0 and row["socket_errors"] == 0
        limit = None if row["endpoint"] == "healthz" else LIMITS_MS[phase]
        row["p99_limit_ms"] = limit
        row["passed"] = row["valid"] and (limit is None or row["p99_ms"] <= limit)
    return rows


def bench_store(store: str, opts: argparse.Namespace) -> dict:
    RESULTS.mkdir(parents=True, exist_ok=True)
    log_path = RESULTS / f"search-{store}.server.log"
    with tempfile.TemporaryDirectory(prefix="threadline-bench-") as tmp:
        workdir = Path(tmp)
        database = fresh_store(store, workdir)
        with database as url:
            env = {
                **os.environ,
                "DATABASE_URL": url,
                "DATA_DIR": str(workdir),
                "LOG_LEVEL": "WARNING",
            }
            cli(["migrate"], env, workdir)
            cli(["load-demo"], env, workdir)
            files = {mix: workdir / f"{mix}.txt" for mix in MIXES}
            for mix, queries in MIXES.items():
                files[mix].write_text("".join(f"/products?{q}\n" for q in queries))
            report: dict = {"rows": [], "in_process": {}}
            with server(url, workdir, log_path) as base:
                files["tokens"] = start_sessions(base, workdir)
                report["in_process"]["demo"] = asyncio.run(in_process(url, opts.repeat))
                report["rows"] += measure("demo", base, files, opts)
                started = time.monotonic()
                cli(["import", "products", str(MYNTRA)], env, workdir)
                report["import_s"] = time.monotonic() - started
                report["visible_after_s"] = wait_for_total(base, asyncio.run(count_active(url)))
                report["in_process"]["demo+myntra"] = asyncio.run(in_process(url, opts.repeat))
                report["rows"] += measure("demo+myntra", base, files, opts)
    return {
        "store": store,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        **{k: vars(opts)[k] for k in ("duration", "connections", "warmup", "repeat")},
        "wrk_threads": WRK_THREADS,
        "server_log": str(log_path.relative_to(RESULTS.parent.parent)),
        **report,
        "passed": all(row["passed"] for row in report["rows"]),
    }


_ROW = "{:<12} {:<9} {:>8} {:>6} {:>7} {:>7} {:>8} {:>9}  {:<9} {}"


def print_report(report: dict) -> None:
    print(
        f"\n{report['store']}: {report['duration']} s per row, {report['connections']} "
        f"connections, {WRK_THREADS} wrk threads, 1 server worker"
    )
    head = _ROW.format("catalog", "mix", "req/s", "ratio", "p50 ms", "p99 ms", "non-2xx", "sock errs", "target", "result")  # fmt: skip
    print(head + "\n" + "-" * len(head))
    for row in report["rows"]:
        target = f"p99<={row['p99_limit_ms']:g}" if row["p99_limit_ms"] else ""
        result = "PASS" if row["passed"] else ("FAIL" if row["valid"] else "INVALID")
        print(_ROW.format(row["phase"], row["endpoint"], f"{row['rps']:.0f}", f"{row['ratio']:.2f}", f"{row['p50_ms']:.2f}", f"{row['p99_ms']:.2f}", row["non_2xx"], row["socket_errors"], target, result))  # fmt: skip
    print(f"import of the Myntra CSV: {report['import_s']:.1f} s; search showed it "
          f"{report['visible_after_s']:.1f} s later")  # fmt: skip
    for phase, figures in report["in_process"].items():
        searches = ", ".join(f"{mix} {f['p50_ms']:.2f}/{f['p99_ms']:.2f}" for mix, f in figures["search"].items())  # fmt: skip
        print(
            f"in-process, {phase} ({figures['products']} products): index load+build "
            f"{figures['build_ms']:.0f} ms, held {figures['memory_mb']:.1f} MB (peak "
            f"{figures['peak_mb']:.1f} MB); search() p50/p99 ms: {searches}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--duration", type=int, default=10, help="seconds per row")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--warmup", type=int, default=1, help="discarded seconds before each")
    parser.add_argument("--repeat", type=int, default=20, help="in-process runs of each query")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    opts = parser.parse_args()
    configure_logging(level="WARNING")  # the in-process index builds log at INFO
    if problem := missing_tools():
        print(problem, file=sys.stderr)
        return 2
    if not MYNTRA.exists():
        print(f"{MYNTRA} not found.", file=sys.stderr)
        return 2
    return run_stores(opts, bench_store, print_report, "search")


if __name__ == "__main__":
    sys.exit(main())
