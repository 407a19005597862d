"""``lineage check`` of one outsourcee company with many branches, each with its own contract.

    python benchmarks/bench_branches.py                 # 1,000, 4,000 and 8,000 branches
    python benchmarks/bench_branches.py 16000 --flows 5000

Contracts bind the legal entity (rules.md: what one department holds, its
company holds), so every branch shares its company's contracts. A look-up per
branch over the company's contracts is quadratic: round 11's first version
took 24.8 s and 2.1 GB at 8,000 branches. This measures the whole command, as
a user runs it, beside a libyaml parse of the same file (the floor), and
prints the ratio, the peak memory and the core count. The time per branch
should stay flat as the company grows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FLOOR = ("import sys, yaml\n"
         "yaml.load(open(sys.argv[1], 'rb'), Loader=yaml.CSafeLoader)\n")


def inventory(branches: int, flows: int, announced: str = "2000-01-01") -> str:
    """The inventory's YAML: ``branches`` parties of one outsourcee, each holding a
    contract signed on its own day, and ``flows`` outsourcing flows spread over them.
    A purpose ``announced`` after the flows start sends each through TP201's search
    for the contract its run cites."""
    d0 = dt.date(2000, 1, 1)
    out = ["format: lineage/1", "organisation: mc", "as_of: 2026-11-01",
           "data_items: [{id: name, name: n}, {id: phone, name: p}]",
           f"purposes: [{{id: shipping, name: s, announced_on: {announced}}}]",
           "parties:", "  - {id: mc, name: MC, role: self}",
           "  - {id: customers, name: c, role: data_subject}",
           "  - {id: carrier, name: c, role: outsourcee}"]
    out += [f"  - {{id: b{i}, name: b, role: outsourcee, legal_entity: carrier}}"
            for i in range(branches)]
    out.append("contracts:")
    out += [f"  - {{id: K{i}, party: b{i}, signed_on: {d0 + dt.timedelta(days=2 * i)}, "
            "items: [name], no_leak: true, no_re_provision: true}" for i in range(branches)]
    out.append("flows:")
    out.append("  - {id: C1, from: customers, to: mc, items: [name, phone], "
               "purposes: [shipping], start: 2000-01-01}")
    out += [f"  - {{id: F{j}, from: mc, to: b{j % branches}, items: [name, phone], "
            f"purposes: [shipping], basis: outsourcing, start: {d0 + dt.timedelta(days=j % 9000)}}}"
            for j in range(flows)]
    return "\n".join(out) + "\n"


def measure(argv: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MiB of a child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            cwd=ROOT)
    _, _, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss / 1024


def main() -> None:
    """Generate each size, then time the check and the floor, interleaved."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sizes", nargs="*", type=int, default=[1000, 4000, 8000])
    ap.add_argument("--flows", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--unannounced", action="store_true",
                    help="the purpose announced after every flow starts (TP201 cites a contract)")
    args = ap.parse_args()
    py = sys.executable
    print(f"one company's branches, each with a contract, checked: "
          f"{os.cpu_count()} cores, median of {args.repeat}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            path = Path(tmp) / f"branches-{n}.yaml"
            path.write_text(inventory(n, args.flows, "2030-01-01" if args.unannounced
                                      else "2000-01-01"), encoding="utf-8")
            tool, floor, peak = [], [], 0.0
            for _ in range(args.repeat):
                t, m = measure([py, "-m", "lineage", "check", str(path), "--format", "json"])
                tool.append(t)
                peak = max(peak, m)
                floor.append(measure([py, "-c", FLOOR, str(path)])[0])
            t, f = sorted(tool)[len(tool) // 2], sorted(floor)[len(floor) // 2]
            print(f"{n:>7,} branches {args.flows:,} flows: check {t:.2f} s, floor {f:.2f} s "
                  f"= {t / f:.1f}x, {t / n * 1e3:.2f} ms per branch, peak {peak:.0f} MiB",
                  flush=True)


if __name__ == "__main__":
    main()
