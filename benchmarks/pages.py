"""The pages' first load in a real browser: bytes transferred and time until usable.

One ``threadline serve`` (SQLite, demo data); Debian's Chromium driven by Playwright opens
``/kiosk`` and ``/`` with an empty cache ``--runs`` times each (a new browser context per run)
and reads the browser's own Navigation and Resource Timing entries:

- transferred: the page and every resource it loaded (``transferSize``, headers included)
- DOMContentLoaded and load, from navigation start
- interactive: from navigation start until the phone field of the login form can be typed
  in (the page's modules have run and attached their handlers), measured in the page

Targets (kiosk): first load <= 300 KB transferred and interactive within 1 s on localhost.
The median run is reported, with the slowest.

Run:  .venv/bin/python benchmarks/pages.py [--runs 5] [--check]
Needs /usr/bin/chromium (``apt-get install chromium``).  Writes
``benchmarks/results/pages.json``.  Exit 0; 1 with ``--check`` on a miss; 2 when it could not run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from sessions import RESULTS, BenchError, fresh_store, missing_tools, server  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
TARGET_KB = 300.0
TARGET_INTERACTIVE_MS = 1000.0
# Resolves once the login form's phone field is on screen and enabled: the time from
# navigation start, by the page's own clock.
_INTERACTIVE = """
() => new Promise((resolve) => {
  const ready = () => {
    const field = document.querySelector('input[type="tel"]');
    return field && !field.disabled && field.offsetParent !== null;
  };
  const check = () => ready() ? resolve(performance.now()) : requestAnimationFrame(check);
  check();
})
"""
_TIMING = """
() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const resources = performance.getEntriesByType('resource');
  return {
    transferred: nav.transferSize + resources.reduce((n, r) => n + r.transferSize, 0),
    requests: 1 + resources.length,
    dom_content_loaded_ms: nav.domContentLoadedEventEnd,
    load_ms: nav.loadEventEnd,
  };
}
"""


def measure(base: str, path: str, runs: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    samples: list[dict[str, Any]] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        try:
            for _ in range(runs):
                context = browser.new_context()
                page = context.new_page()
                page.goto(base + path, wait_until="load")
                interactive = float(page.evaluate(_INTERACTIVE))
                page.wait_for_timeout(200)  # late resources (images) land in the entries
                sample = page.evaluate(_TIMING)
                sample["interactive_ms"] = interactive
                samples.append(sample)
                context.close()
        finally:
            browser.close()
    median = sorted(samples, key=lambda s: s["interactive_ms"])[len(samples) // 2]
    return {
        "path": path,
        "transferred_kb": round(median["transferred"] / 1024, 1),
        "requests": median["requests"],
        "dom_content_loaded_ms": round(median["dom_content_loaded_ms"], 1),
        "load_ms": round(median["load_ms"], 1),
        "interactive_ms": round(median["interactive_ms"], 1),
        "interactive_ms_median": round(statistics.median(s["interactive_ms"] for s in samples), 1),
        "interactive_ms_worst": round(max(s["interactive_ms"] for s in samples), 1),
        "runs": runs,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    opts = parser.parse_args()
    if problem := missing_tools():
        print(problem, file=sys.stderr)
        return 2
    if not CHROMIUM.exists():
        print("Chromium is not installed: apt-get install chromium", file=sys.stderr)
        return 2
    try:
        with (
            tempfile.TemporaryDirectory(prefix="threadline-bench-") as tmp,
            fresh_store("sqlite", Path(tmp)) as url,
            server(url, Path(tmp), Path(tmp) / "server.log") as base,
        ):
            pages = [measure(base, path, opts.runs) for path in ("/kiosk", "/")]
    except BenchError as exc:
        print(f"benchmark could not run: {exc}", file=sys.stderr)
        return 2
    kiosk = pages[0]
    passed = (
        kiosk["transferred_kb"] <= TARGET_KB
        and kiosk["interactive_ms_worst"] <= TARGET_INTERACTIVE_MS
    )
    print(f"\n== pages, first load in Chromium, median of {opts.runs} ==")
    print(
        f"{'page':<8}{'KB':>8}{'requests':>10}{'DCL ms':>9}{'load ms':>9}{'usable ms':>11}{'worst':>8}"
    )
    for p in pages:
        print(
            f"{p['path']:<8}{p['transferred_kb']:>8.1f}{p['requests']:>10}"
            f"{p['dom_content_loaded_ms']:>9.1f}{p['load_ms']:>9.1f}"
            f"{p['interactive_ms']:>11.1f}{p['interactive_ms_worst']:>8.1f}"
        )
    print(
        f"target kiosk <= {TARGET_KB:.0f} KB and usable <= {TARGET_INTERACTIVE_MS:.0f} ms "
        f"(worst run): {'PASS' if passed else 'MISS'}"
    )
    out = RESULTS / "pages.json"
    RESULTS.mkdir(parents=True, exist_ok=True)  # a fresh checkout has none
    out.write_text(json.dumps({"pages": pages, "passed": passed}, indent=2) + "\n")
    print(f"written to {out.relative_to(HERE.parent)}")
    return 1 if opts.check and not passed else 0


if __name__ == "__main__":
    sys.exit(main())
