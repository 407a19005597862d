"""Benchmark: the explorer page at 5,000 parties / 15,000 flows in headless Chromium.

Not a test (it takes a minute or two). Run from the repo root:

    .venv/bin/python benchmarks/bench_explore.py              # 5,000 / 15,000
    .venv/bin/python benchmarks/bench_explore.py 1000 3000    # another size

The inventory comes from benchmarks/generate.py (a CSV folder, 200 items, 20
data-subject groups). Measured: writing the file (check + data + layout +
traces + HTML, what ``lineage explore`` does), the time from opening the file to
``data-state="ready"``, a click on a party to the focus view drawn (upstream and
impact included), one search, and the file size. Targets (issue 16): 10 s,
3 s, 0.5 s, 0.1 s, 10 MB. Debian's Chromium via Playwright, no GPU.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))

import lineage  # noqa: E402
from generate import generate  # noqa: E402
from lineage.explorer import write_page  # noqa: E402

TARGETS = {"write_s": 10.0, "ready_s": 3.0, "click_s": 0.5, "search_s": 0.1, "size_mb": 10.0}


def measure(parties: int, flows: int) -> dict:
    from explore_helpers import Opened, browser
    with tempfile.TemporaryDirectory() as tmp:
        inv = Path(tmp) / "inv"
        generate(inv, flows, parties, 200)
        out = Path(tmp) / "explorer.html"
        t0 = time.perf_counter()
        audit = lineage.check(inv)
        check_s = time.perf_counter() - t0
        write_page(audit, out)
        write_s = time.perf_counter() - t0
        size_mb = out.stat().st_size / 1e6
        with browser() as b:
            t0 = time.perf_counter()
            page = Opened(b, out)  # returns when data-state="ready"
            ready_s = time.perf_counter() - t0
            assert page.outside == [] and page.errors == [], (page.outside, page.errors)
            # a click on a party of the overview's member list, then on one in the focus
            # view; timed inside the page from the event to the view drawn
            click_s = page.js("""async () => {
                const api = window.lineageExplorer; const times = [];
                for (const id of ['p10', 'p200', 'org', 'g3']) {
                    const t = performance.now(); api.focus(id);
                    await new Promise(r => requestAnimationFrame(() => r()));
                    times.push(performance.now() - t);
                }
                return Math.max(...times) / 1000; }""")
            search_s = page.js("""() => { const api = window.lineageExplorer; const times = [];
                for (const q of ['p123', 'P4999', 'i01', 'ｐ７７']) {
                    const t = performance.now(); api.search(q); times.push(performance.now() - t); }
                return Math.max(...times) / 1000; }""")
            # not a target: the whole graph, one click away (positions from Python)
            full_s = page.js("""async () => { const t = performance.now();
                window.lineageExplorer.full();
                await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
                return (performance.now() - t) / 1000; }""")
            page.close()
    return {"write_s": write_s, "ready_s": ready_s, "click_s": click_s, "search_s": search_s,
            "size_mb": size_mb, "full_s": full_s, "check_s": check_s}


def main() -> None:
    parties = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    flows = int(sys.argv[2]) if len(sys.argv) > 2 else 3 * parties
    r = measure(parties, flows)
    print(f"explorer: {parties} parties / {flows} flows, {os.cpu_count()} cores")
    print("| measure | figure | target |\n|---|---|---|")
    names = {"write_s": "file written (s)", "ready_s": "ready after opening (s)",
             "click_s": "click to focus view (s)", "search_s": "search (s)",
             "size_mb": "file size (MB)"}
    for key, label in names.items():
        ok = "ok" if r[key] <= TARGETS[key] else "OVER"
        print(f"| {label} | {r[key]:.3f} | ≤ {TARGETS[key]:g} ({ok}) |")
    print(f"| of which the check (s) | {r['check_s']:.3f} | (lineage check) |")
    print(f"| full graph drawn (s) | {r['full_s']:.3f} | none |")


if __name__ == "__main__":
    main()
