"""Checkout throughput, and proof that racing checkouts never oversell.

What it measures: one ``threadline serve`` process on a fresh store (demo data loaded).  The
script gives the store two benchmark products through SQL (``BENCH-P00``…``BENCH-P19`` with ample stock,
``BENCH-HOT`` with ``--hot-stock`` units of one size), opens ``--orders`` sessions of distinct
customers and fills each cart through the API (not timed): half want one of the ample products, half the
hot variant.  Then all checkouts are fired at ``--concurrency`` at once (UPI, delivery, a fresh
Idempotency-Key each) and timed.  The same client then times ``GET /healthz`` the same number of
times at the same concurrency, so the ratio compares like with like.

Checked afterwards, in the store: orders for ``BENCH-HOT`` == its starting stock, its stock is 0
(never negative), every other hot checkout got ``409 out_of_stock``, and no answer was a 5xx.
Target: >= 100 orders/s on PostgreSQL without oversell.

Run:  .venv/bin/python benchmarks/checkout.py [--store sqlite|postgresql|both]
          [--orders 2000] [--concurrency 32] [--hot-stock 300] [--check]
Writes ``benchmarks/results/checkout-<store>.json``.  Exit 0, 1 with ``--check`` when a target
is missed or stock was oversold, 2 when it could not run.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sessions import (  # noqa: E402
    RESULTS,
    WRK_THREADS,
    fresh_store,
    missing_tools,
    run_stores,
    run_wrk,
    server,
)

TARGET_ORDERS_PER_S = 100.0
# A shop sells many products: the timed checkouts spread over these, as real orders do.
PLENTY = [f"BENCH-P{n:02d}" for n in range(20)]
ADDRESS = {"line1": "12 MG Road", "city": "Pune", "pincode": "411001"}
PRODUCT_SQL = (
    "INSERT INTO products (sku, name, brand, category, gender, color, sizes, price_paise,"
    " mrp_paise, occasion, description, image_url, rating, rating_count, material, attributes,"
    " source, is_active, created_at, updated_at) VALUES ({p}, {p}, 'Benchmark', 'tshirt', 'men',"
    " 'black', '[\"M\"]', 49900, 59900, 'casual', 'benchmark item', NULL, 4.0, 1, NULL, '{{}}',"
    " 'bench', {true}, {now}, {now})"
)
STORE_SQL = (
    "INSERT INTO stores (store_id, name, kind, city, is_active, created_at) VALUES"
    " ('ONLINE', 'Online warehouse', 'warehouse', 'Bhiwandi', {true}, {now})"
    " ON CONFLICT (store_id) DO NOTHING"
)
STOCK_SQL = "INSERT INTO stock (sku, size, store_id, qty, updated_at) VALUES ({p}, 'M', 'ONLINE', {p}, {now})"


async def _sql(url: str, statements: list[tuple[str, tuple]]) -> list:
    """Run statements against the store directly (setup and final checks only)."""
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            out = [conn.execute(sql.format(p="?"), args).fetchall() for sql, args in statements]
            conn.commit()
            return out
        finally:
            conn.close()
    pg = await asyncpg.connect(url)
    try:
        results = []
        for sql, args in statements:
            numbered = sql
            for n in range(1, len(args) + 1):
                numbered = numbered.replace("{p}", f"${n}", 1)
            results.append(await pg.fetch(numbered.format(p="", true="true", now="now()"), *args))
        return results
    finally:
        await pg.close()


async def add_products(url: str, hot_stock: int) -> None:
    sqlite = url.startswith("sqlite")
    now = "datetime('now')" if sqlite else "now()"
    true = "1" if sqlite else "true"
    product = PRODUCT_SQL.replace("{now}", now).replace("{true}", true)
    stock = STOCK_SQL.replace("{now}", now)
    store = STORE_SQL.replace("{now}", now).replace("{true}", true)
    await _sql(
        url,
        [
            (store, ()),
            *[(product, (sku, f"Benchmark tee {sku}")) for sku in PLENTY],
            (product, ("BENCH-HOT", "Benchmark tee (last units)")),
            *[(stock, (sku, 1_000_000)) for sku in PLENTY],
            (stock, ("BENCH-HOT", hot_stock)),
            ("UPDATE catalog_state SET version = version + 1", ()),
        ],
    )


async def fill_carts(client: httpx.AsyncClient, orders: int, concurrency: int) -> list[tuple]:
    """``orders`` sessions of new customers, each with one item in the cart."""
    gate = asyncio.Semaphore(concurrency)

    async def one(n: int) -> tuple[str, str]:
        sku = "BENCH-HOT" if n % 2 else PLENTY[(n // 2) % len(PLENTY)]
        async with gate:
            start = await client.post(
                "/session/start", json={"phone": f"+91700{n:07d}", "channel": "web"}
            )
            token = start.json()["session_token"]
            added = await client.post(
                "/cart/items",
                json={"sku": sku, "size": "M", "qty": 1},
                headers={"X-Session-Token": token},
            )
            if added.status_code != 200:
                raise RuntimeError(f"cart add -> {added.status_code}: {added.text[:200]}")
        return token, sku

    return list(await asyncio.gather(*(one(n) for n in range(orders))))


async def timed(calls: list, concurrency: int) -> tuple[float, list[int], list[float]]:
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def one(call) -> int:
        async with gate:
            began = time.perf_counter()
            response = await call()
            latencies.append((time.perf_counter() - began) * 1000)
            return response.status_code

    began = time.perf_counter()
    codes = await asyncio.gather(*(one(c) for c in calls))
    return time.perf_counter() - began, list(codes), sorted(latencies)


def _p(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] if values else 0.0


async def _count_orders(url: str) -> int:
    ((count,),) = await _sql(url, [("SELECT count(*) FROM orders", ())])
    return int(count[0])


async def measure(base: str, url: str, workdir: Path, opts: argparse.Namespace) -> dict:
    await add_products(url, opts.hot_stock)
    limits = httpx.Limits(max_connections=opts.concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits, trust_env=False) as c:
        carts = await fill_carts(c, opts.orders, opts.concurrency)
        plenty = [t for t, sku in carts if sku != "BENCH-HOT"]
        hot = [(t, sku) for t, sku in carts if sku == "BENCH-HOT"]
        tokens = workdir / "checkout-tokens.txt"
        tokens.write_text("\n".join(plenty) + "\n")
        health = run_wrk(base + "/healthz", None, [], opts.duration, opts.concurrency)
        before = await _count_orders(url)
        wrk = run_wrk(
            base + "/checkout",
            "checkout.lua",
            [str(tokens), str(WRK_THREADS)],
            opts.duration,
            opts.concurrency,
        )
        created_timed = await _count_orders(url) - before
        body = {"payment_method": "upi", "fulfillment": {"type": "delivery", "address": ADDRESS}}

        def checkout(token: str):
            headers = {"X-Session-Token": token, "Idempotency-Key": uuid.uuid4().hex}
            return lambda: c.post("/checkout", json=body, headers=headers)

        _, codes, _ = await timed([checkout(t) for t, _ in hot], opts.concurrency)
    hot_codes = codes
    (stock,), (hot_orders,) = await _sql(
        url,
        [
            ("SELECT qty FROM stock WHERE sku = 'BENCH-HOT'", ()),
            ("SELECT count(*) FROM order_lines WHERE sku = 'BENCH-HOT'", ()),
        ],
    )
    rate = created_timed / opts.duration
    no_oversell = hot_orders[0] == min(opts.hot_stock, len(hot_codes)) and stock[0] >= 0
    return {
        "orders_per_s": rate,
        "healthz_per_s": health["rps"],
        "ratio": rate / health["rps"],
        "checkout_p50_ms": wrk["p50_ms"],
        "checkout_p99_ms": wrk["p99_ms"],
        "orders_created": created_timed,
        "timed_non_2xx": wrk["non_2xx"] + wrk["socket_errors"],
        "answers": {str(k): codes.count(k) for k in sorted(set(codes))},
        "hot_stock_start": opts.hot_stock,
        "hot_orders": int(hot_orders[0]),
        "hot_stock_left": int(stock[0]),
        "hot_409": hot_codes.count(409),
        "no_oversell": no_oversell,
        "server_errors": sum(1 for code in codes if code >= 500),
    }


def bench_store(store: str, opts: argparse.Namespace) -> dict:
    RESULTS.mkdir(parents=True, exist_ok=True)
    log_path = RESULTS / f"checkout-{store}.server.log"
    with tempfile.TemporaryDirectory(prefix="threadline-bench-") as tmp:
        workdir = Path(tmp)
        database = fresh_store(store, workdir)
        workers = opts.workers if store == "postgresql" else 1
        with database as url, server(url, workdir, log_path, workers) as base:
            figures = asyncio.run(measure(base, url, workdir, opts))
    target = TARGET_ORDERS_PER_S if store == "postgresql" else None
    passed = (
        figures["no_oversell"] and not figures["server_errors"] and not figures["timed_non_2xx"]
    )
    if target is not None:
        passed = passed and figures["orders_per_s"] >= target
    return {
        "store": store,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "orders": opts.orders,
        "duration": opts.duration,
        "concurrency": opts.concurrency,
        "workers": workers,
        "target_orders_per_s": target,
        **figures,
        "passed": passed,
    }


def print_report(r: dict) -> None:
    target = f">= {r['target_orders_per_s']:g}/s" if r["target_orders_per_s"] else "none"
    print(
        f"\n{r['store']}: {r['duration']} s of checkouts at {r['concurrency']} connections, {r['workers']} server process(es)\n"
        f"  orders/s          {r['orders_per_s']:.0f}   (target {target})\n"
        f"  GET /healthz/s    {r['healthz_per_s']:.0f}   same client, same concurrency\n"
        f"  ratio             {r['ratio']:.3f}\n"
        f"  checkout p50/p99  {r['checkout_p50_ms']:.1f} / {r['checkout_p99_ms']:.1f} ms\n"
        f"  timed non-2xx     {r['timed_non_2xx']} (must be 0: more carts if not)\n"
        f"  hot race answers  {r['answers']}\n"
        f"  hot variant       {r['hot_stock_start']} units, {r['hot_orders']} ordered, "
        f"{r['hot_stock_left']} left, {r['hot_409']} told out_of_stock\n"
        f"  oversold          {'no' if r['no_oversell'] else 'YES'}\n"
        f"  result            {'PASS' if r['passed'] else 'FAIL'}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", choices=["sqlite", "postgresql", "both"], default="postgresql")
    parser.add_argument("--orders", type=int, default=3000, help="carts filled beforehand")
    parser.add_argument("--duration", type=int, default=5, help="seconds of timed checkouts")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=1, help="server processes (PostgreSQL only)")
    parser.add_argument("--hot-stock", type=int, default=300)
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    opts = parser.parse_args()
    if problem := missing_tools():
        print(problem, file=sys.stderr)
        return 2
    return run_stores(opts, bench_store, print_report, "checkout")


if __name__ == "__main__":
    sys.exit(main())
