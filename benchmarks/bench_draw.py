"""Benchmark: draw synthetic inventories of growing size and report where the time goes.

Not a test (it takes minutes). Run from the repo root:

    .venv/bin/python benchmarks/bench_draw.py                 # 500, 1000, 2000, 5000 parties
    .venv/bin/python benchmarks/bench_draw.py 5000 2000       # chosen sizes
    .venv/bin/python benchmarks/bench_draw.py --group role 5000   # force the summary

Each size has three flows per party (5,000 parties -> 15,000 flows). The
inventory is written once as a YAML file (``--cache``, default
``/tmp/lineage-bench-draw``). Each size is measured twice: in-process, stage by
stage (read the file, check, plan, DOT text, Graphviz, write the SVG), then as
a user runs it (``python -m lineage draw FILE -o map.svg``, wall time of the
whole process, Python start-up included). The figures in ``docs/drawing.md``
come from this script.
"""
from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import lineage  # noqa: E402
from lineage.model.schema import Inventory  # noqa: E402

ROLES = ["outsourcee"] * 5 + ["third_party"] * 3 + ["joint_user", "public_body"]


def synthetic(parties: int, flows_per_party: int = 3, seed: int = 7) -> Inventory:
    """An inventory of ``parties`` parties and ``3 x parties`` flows, reproducibly random.

    Parties hang off the organisation in a tree (subjects feed it, outsourcees
    pass data on to sub-outsourcees, some flows cross branches), like a big group.
    """
    rnd = random.Random(seed)
    items = [{"id": f"i{k}", "name": f"項目{k}", "name_en": f"Item {k}"} for k in range(40)]
    ps = [{"id": "org", "name": "本社", "name_en": "Head office", "role": "self"}]
    n_subjects = max(1, parties // 50)
    for k in range(n_subjects):
        ps.append({"id": f"s{k}", "name": f"本人グループ{k}", "role": "data_subject"})
    for k in range(len(ps), parties):
        ps.append({"id": f"p{k}", "name": f"株式会社サンプル{k}", "name_en": f"Sample {k} Ltd",
                   "role": rnd.choice(ROLES)})
    ids = [p["id"] for p in ps]
    flows = []
    start = "2024-04-01"

    def flow(frm, to):
        flows.append({"id": f"F{len(flows) + 1}", "from": frm, "to": to,
                      "items": sorted(rnd.sample([i["id"] for i in items], rnd.randint(1, 4))),
                      "start": start})
    for k in range(n_subjects):
        flow(f"s{k}", "org")
    for k, pid in enumerate(ids[n_subjects + 1:], start=n_subjects + 1):
        parent = "org" if k < n_subjects + 1 + parties // 10 else ids[rnd.randrange(1, k)]
        if parent.startswith("s"):
            parent = "org"
        flow(parent, pid)
    target = flows_per_party * parties
    while len(flows) < target:
        a, b = rnd.sample(ids[n_subjects:], 2)
        flow(a, b)
    return Inventory(format="lineage/1", organisation="org", as_of="2025-04-01",
                     data_items=items, parties=ps, flows=flows)


def cached(parties: int, cache: Path) -> Path:
    """The YAML file of ``synthetic(parties)``, written once under ``cache``."""
    from lineage.forms import write_inventory
    target = cache / f"draw-{parties}.yaml"
    if not target.exists():
        cache.mkdir(parents=True, exist_ok=True)
        write_inventory(synthetic(parties), target, form="yaml-file")
    return target


def run(parties: int, cache: Path, group: str = "auto") -> None:
    import subprocess

    from lineage.model.loading import load
    from lineage.audit import check
    path = cached(parties, cache)
    root = Path(__file__).resolve().parent.parent
    times = {}
    t = time.perf_counter()
    inv = load(path)
    times["read"] = time.perf_counter() - t
    t = time.perf_counter()
    audit = check(inv)
    audit.graph
    times["check"] = time.perf_counter() - t
    t = time.perf_counter()
    drawing = lineage.draw(audit, group=group)
    times["plan"] = time.perf_counter() - t
    t = time.perf_counter()
    dot = drawing.source
    times["DOT"] = time.perf_counter() - t
    t = time.perf_counter()
    svg = drawing.render("svg")
    times["Graphviz"] = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        (Path(tmp) / "map.svg").write_bytes(svg)
        times["write"] = time.perf_counter() - t
        out = Path(tmp) / "cli.svg"
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "lineage", "draw", str(path), "-o", str(out),
                               "--group", group], cwd=root, capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(root)})
        command = time.perf_counter() - t
    how = (f"summary by {drawing.group}" if drawing.summary is not None
           else drawing.steps[-1].describe() if len(drawing.steps) == 1
           else drawing.steps[0].describe())
    stages = " | ".join(f"{k} {v:5.1f} s" for k, v in times.items())
    print(f"{parties:>6} parties {3 * parties:>6} flows | {stages} | in-process "
          f"{sum(times.values()):5.1f} s | DOT {len(dot) / 1e6:.1f} MB, SVG {len(svg) / 1e6:.1f} MB"
          f" | {how}", flush=True)
    print(f"{'':>6} whole command `lineage draw`: {command:5.1f} s, exit {proc.returncode}",
          flush=True)
    for line in proc.stderr.splitlines():
        print(f"{'':>6} {line}", flush=True)


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sizes", nargs="*", type=int, default=[500, 1000, 2000, 5000])
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "lineage-bench-draw")
    ap.add_argument("--group", default="auto", choices=["auto", "none", "role", "entity"])
    a = ap.parse_args()
    from lineage.cli import _tune_gc
    _tune_gc()  # as the CLI does, so the in-process stages add up to the command
    print(f"lineage draw benchmark on {os.cpu_count()} cores", flush=True)
    for n in a.sizes:
        run(n, a.cache, a.group)
