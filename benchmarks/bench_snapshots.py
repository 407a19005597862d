"""Benchmark the snapshot store: 100 snapshots of a 10,000-flow inventory.

    .venv/bin/python benchmarks/bench_snapshots.py [--flows 10000] [--snapshots 100]

Builds a synthetic inventory by repeating the sample's flows (IDs suffixed) in
a temporary folder, checks a few variants of it (items added and removed, so
findings differ between snapshots), stores the snapshots (each distinct chunk
once: a snapshot repeating a variant adds only its chunk list), then times what a
user runs: ``lineage snapshot list``, ``lineage snapshot diff`` of the first
and last snapshot, and ``lineage snapshot verify``, each as a fresh process
(Python start-up and imports included). Prints one line per figure.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "inventories" / "monocollabo"
sys.path.insert(0, str(ROOT))

import lineage  # noqa: E402
from lineage.snapshots import Store  # noqa: E402
from lineage.snapshots.record import Snapshot  # noqa: E402


def synthetic(folder: Path, flows: int, variant: int) -> Path:
    """The sample with its flows repeated up to ``flows`` flows; ``variant`` changes items."""
    inv = folder / f"inv{variant}"
    shutil.copytree(SAMPLE, inv, ignore=shutil.ignore_patterns(".lineage", "flows.yaml",
                                                                "stop_requests.yaml",
                                                                "waivers.yaml"))
    base = yaml.safe_load((SAMPLE / "flows.yaml").read_text(encoding="utf-8"))["flows"]
    out = []
    copies = -(-flows // len(base))
    for k in range(copies):
        for f in base:
            if len(out) == flows:
                break
            g = dict(f)
            g["id"] = f"{f['id']}-{k:04d}"
            g.pop("note", None)
            # each variant adds the phone number to a different slice of the copies
            if variant and k % 4 == variant % 4 and "phone" not in g["items"]:
                g["items"] = list(g["items"]) + ["phone"]
            out.append(g)
    (inv / "flows.yaml").write_text(yaml.safe_dump({"flows": out}, allow_unicode=True,
                                                   sort_keys=False), encoding="utf-8")
    return inv


def timed(label: str, func):
    start = time.perf_counter()
    value = func()
    print(f"{label}: {time.perf_counter() - start:.2f} s", flush=True)
    return value


def run(*args) -> str:
    res = subprocess.run([sys.executable, "-m", "lineage", *map(str, args)], cwd=ROOT,
                         capture_output=True, text=True)
    if res.returncode not in (0, 1):
        raise SystemExit(res.stderr)
    return res.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flows", type=int, default=10_000)
    parser.add_argument("--snapshots", type=int, default=100)
    parser.add_argument("--variants", type=int, default=4)
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, python {sys.version.split()[0]}, "
          f"sqlite {__import__('sqlite3').sqlite_version}")
    folder = Path(tempfile.mkdtemp(prefix="lineage-bench-"))
    try:
        snaps = []
        for v in range(args.variants):
            inv = synthetic(folder, args.flows, v)
            audit = timed(f"check variant {v} ({args.flows} flows)", lambda: lineage.check(inv))
            snaps.append(Snapshot.from_audit(audit, source=str(inv)))
            print(f"  findings: {len(snaps[-1].findings)}")
        path = folder / "audits.db"
        start = time.perf_counter()
        with Store(path) as store:
            for i in range(args.snapshots):
                store.add(dataclasses.replace(snaps[i % len(snaps)]), label=f"run-{i + 1:03d}")
        total = time.perf_counter() - start
        print(f"store {args.snapshots} snapshots: {total:.2f} s "
              f"({total / args.snapshots * 1000:.0f} ms each)")
        print(f"store size: {path.stat().st_size / 1e6:.1f} MB")
        import sqlite3
        conn = sqlite3.connect(path)
        blobs, stored = conn.execute("SELECT count(*), sum(length(data)) FROM blobs").fetchone()
        chunks = conn.execute("SELECT count(*) FROM parts").fetchone()[0]
        conn.close()
        # content addressing: the variants' chunks are stored once however often they recur
        print(f"  {chunks} chunks listed, {blobs} distinct stored ({stored / 1e6:.1f} MB "
              "compressed)")
        with Store(path) as store:
            timed("Store.list() (library)", store.list)
            timed("Store.history() (library)", store.history)
            timed("diff of two snapshots (library)",
                  lambda: lineage.diff("1", str(args.snapshots), store=store).counts())
        out = timed("lineage snapshot list (process)", lambda: run("snapshot", "list",
                                                                   "--store", path))
        assert len(out.splitlines()) == args.snapshots + 1
        out = timed("lineage snapshot diff 1 N (process)",
                    lambda: run("snapshot", "diff", "1", args.snapshots, "--store", path))
        print(f"  {out.splitlines()[3]}")
        out = timed("lineage snapshot verify (process)", lambda: run("snapshot", "verify",
                                                                     "--store", path))
        print(f"  {out.splitlines()[-2]}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
