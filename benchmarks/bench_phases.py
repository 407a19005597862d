"""Where a ``lineage check`` of real files spends its time, phase by phase.

Usage::

    .venv/bin/python benchmarks/bench_phases.py benchmarks/.cache/csv-1000000
    .venv/bin/python benchmarks/bench_phases.py INVENTORY --repeat 3 --packs policy,appi

Each run is a child process doing what ``lineage check --format json`` does,
with the collector paused as the CLI pauses it: load the files, run the engine,
write the JSON report to ``/dev/null``. The engine's own steps are timed by
wrapping them where :func:`lineage.rules.engine.run` calls them (the context,
judging every flow, each rule's whole-inventory check, ordering the findings),
so the figures are those of the code as it runs, not of a copy. Prints the
median of ``--repeat`` runs per phase, and each phase's microseconds per flow:
the figures the README's "Where the rest goes" quotes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: One run, in a child: prints a JSON object of phase -> seconds, and the flow count.
_RUN = r"""
import gc, json, os, sys, time
from collections import Counter
gc.collect(); gc.freeze(); gc.disable()
from lineage.model import load
from lineage.output import jsonreport
from lineage.result import AuditResult
import lineage.rules.engine as engine
from lineage.rules.registry import REGISTRY

spent = Counter()

def timed(name, fn):
    def wrapper(*args, **kwargs):
        t = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter() - t
    return wrapper

for name in ("Context", "judge_all", "_in_order", "_apply_waivers"):
    setattr(engine, name, timed(name.strip("_"), getattr(engine, name)))

select = REGISTRY.select
def select_timed(*args, **kwargs):
    rules = select(*args, **kwargs)
    for rule in rules:
        check = getattr(rule, "check", None)
        if check is not None and not getattr(check, "timed", False):
            def whole(ctx, judged, check=check, name=rule.id):
                t = time.perf_counter()
                found = list(check(ctx, judged))  # a generator's work happens as it is read
                spent[name] += time.perf_counter() - t
                return found
            whole.timed = True
            rule.check = whole
    return rules
REGISTRY.select = select_timed

path, packs = sys.argv[1], tuple(sys.argv[2].split(","))
t0 = time.perf_counter()
inventory = load(path)
t1 = time.perf_counter()
audit = AuditResult(inventory, packs=packs)
t2 = time.perf_counter()
with open(os.devnull, "wb") as sink:
    for piece in jsonreport.chunks(jsonreport.report_data(audit)):
        sink.write(piece if type(piece) is bytes else piece.encode("utf-8", "surrogatepass"))
t3 = time.perf_counter()
engine_parts = sum(spent.values())
phases = {"load": t1 - t0, **spent, "engine, other": (t2 - t1) - engine_parts,
          "report": t3 - t2, "total": t3 - t0}
print(json.dumps({"flows": len(inventory.flows), "phases": phases}))
os._exit(0)  # the inventory is not freed object by object (the CLI does the same)
"""


def run_once(path: Path, packs: str) -> tuple[int, dict[str, float]]:
    """One child run: the flow count and seconds per phase."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", _RUN, str(path), packs], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    return got["flows"], got["phases"]


def main() -> None:
    """Time the phases ``--repeat`` times and print their medians."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("inventory", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--packs", default="policy")
    a = ap.parse_args()
    runs = [run_once(a.inventory.resolve(), a.packs) for _ in range(a.repeat)]
    flows = runs[0][0]
    names = list(dict.fromkeys(name for _, phases in runs for name in phases))
    print(f"cores: {os.cpu_count()}  python {sys.version.split()[0]}  {flows:,} flows  "
          f"repeat {a.repeat} (median)")
    print(f"{'phase':16} {'seconds':>8} {'µs/flow':>8}")
    for name in sorted(names, key=lambda n: (n == "total", -statistics.median(
            phases.get(n, 0.0) for _, phases in runs))):
        s = statistics.median(phases.get(name, 0.0) for _, phases in runs)
        if s >= 0.005 or name == "total":
            print(f"{name:16} {s:8.2f} {s * 1e6 / max(flows, 1):8.2f}")


if __name__ == "__main__":
    main()
