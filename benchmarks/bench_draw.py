"""Benchmark: draw synthetic inventories of growing size and report the timings.

Not a test (it takes minutes). Run from the repo root:

    .venv/bin/python benchmarks/bench_draw.py            # 500, 1000, 5000 parties
    .venv/bin/python benchmarks/bench_draw.py 5000       # one size

Each size has three flows per party (5,000 parties -> 15,000 flows). The
figures in ``docs/drawing.md`` come from this script.
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


def run(parties: int) -> None:
    t0 = time.perf_counter()
    inv = synthetic(parties)
    audit = lineage.check(inv)
    t1 = time.perf_counter()
    drawing = audit.draw()
    dot = drawing.source
    t2 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "map.svg"
        notes = drawing.save(out)
        size = out.stat().st_size
    t3 = time.perf_counter()
    print(f"{parties:>5} parties {len(inv.flows):>6} flows | check {t1 - t0:6.1f} s | "
          f"DOT {t2 - t1:5.1f} s ({len(dot) / 1e6:.1f} MB) | render SVG {t3 - t2:6.1f} s "
          f"({size / 1e6:.1f} MB) | total {t3 - t0:6.1f} s", flush=True)
    for n in notes:
        print(f"      note: {n}", flush=True)


if __name__ == "__main__":
    sizes = [int(a) for a in sys.argv[1:]] or [500, 1000, 5000]
    print(f"lineage draw benchmark on {os.cpu_count()} cores", flush=True)
    for n in sizes:
        run(n)
