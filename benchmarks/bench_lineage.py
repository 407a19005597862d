"""Benchmark whole-graph lineage on a synthetic CSV-folder inventory.

    python benchmarks/bench_lineage.py --flows 1000000          # generates, then measures
    python benchmarks/bench_lineage.py --folder PATH             # an existing CSV folder

Measures, in one process: reading the flow graph (``read_network``, the fast
columnar path), the reach of every item from every data-subject group
(``group_reach``: one vectorised propagation per group, all items at once),
the reach of every item from the default origins (one ``sweep``), and one
``trace`` query; then the whole ``lineage trace`` command in a subprocess.
Prints wall times and peak RSS (``getrusage``) with the core count.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import generate  # noqa: E402
from lineage.analysis import group_reach, read_network, trace  # noqa: E402
from lineage.flownet import sweep  # noqa: E402


def _rss_mib(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def main() -> None:
    """Run the benchmark and print one line per step."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--flows", type=int, default=10_000)
    ap.add_argument("--parties", type=int, default=None)
    ap.add_argument("--items", type=int, default=200)
    ap.add_argument("--groups", type=int, default=20)
    ap.add_argument("--folder", type=Path, help="use this CSV folder instead of generating")
    a = ap.parse_args()
    tmp = None
    folder = a.folder
    if folder is None:
        tmp = tempfile.TemporaryDirectory()
        folder = Path(tmp.name) / "inv"
        t = time.perf_counter()
        generate(folder, a.flows, a.parties or max(a.flows // 10, a.groups + 10), a.items,
                 a.groups)
        print(f"generate           {time.perf_counter() - t:7.2f} s")
    print(f"cores              {os.cpu_count()}")
    base = _rss_mib()
    t = time.perf_counter()
    net = read_network(folder)
    load_s = time.perf_counter() - t
    print(f"read_network       {load_s:7.2f} s   {len(net.flows)} flows, "
          f"{len(net.parties)} parties, {len(net.items)} items, {len(net.pair_flow)} pairs")
    t = time.perf_counter()
    bits = group_reach(net)
    reach_s = time.perf_counter() - t
    reached = sum(int(np.unpackbits(b, axis=1)[:, :net.n_items].sum()) for b in bits.values())
    print(f"group_reach        {reach_s:7.2f} s   {len(bits)} groups, {reached} "
          f"(group, party, item) reached")
    t = time.perf_counter()
    seeds = {p: {i: __import__("datetime").date.min for i in net.items} for p in net.origins()}
    r = sweep(net, seeds)
    print(f"sweep (origins)    {time.perf_counter() - t:7.2f} s   {int(r.reached().sum())} "
          f"(party, item) reached in {r.rounds} rounds")
    t = time.perf_counter()
    tr = trace(net, net.items[0])
    print(f"trace {net.items[0]}         {time.perf_counter() - t:7.2f} s   "
          f"{len(tr.table)} parties")
    print(f"peak RSS           {_rss_mib():7.0f} MiB (before reading: {base:.0f} MiB)")
    t = time.perf_counter()
    cmd = [sys.executable, "-m", "lineage", "trace", str(folder), "--item", net.items[0],
           "--format", "csv"]
    with open(os.devnull, "w") as sink:
        subprocess.run(cmd, stdout=sink, check=True)
    print(f"lineage trace CLI  {time.perf_counter() - t:7.2f} s   peak RSS "
          f"{_rss_mib(resource.RUSAGE_CHILDREN):.0f} MiB")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
