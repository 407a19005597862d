#!/usr/bin/env python3
"""Long fuzzing run: mutated inventories through the real `lineage` CLI, one subprocess each.

Every case (see tests/fuzz/fuzzlib.py) runs each command of ``COMMANDS`` in a
subprocess limited to --memory MiB of address space and --timeout seconds; a
run fails on an exit code other than 0/1/2, a traceback, "internal error", a
library warning, an over-long or escape-carrying error line, a timeout, running
out of memory, or any change to an input file. Failing cases are copied to
--failures with the command and output, to become regression cases.

    nice -n 10 python scripts/fuzz.py --minutes 30 > /tmp/hostile-fuzz.log 2>&1

Exit 0: no failure; 1: failures (listed at the end).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "fuzz"))

from fuzzlib import COMMANDS, judge, make_case, snapshot, today  # noqa: E402


def _limits(memory_mib: int, cpu_seconds: int):
    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (memory_mib << 20, memory_mib << 20))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return apply


def run_case(seed: int, args) -> list[str]:
    """Run every command on the case of ``seed``; return its failures."""
    failures = []
    with tempfile.TemporaryDirectory(prefix="lineage-fuzz-") as tmp:
        tmp = Path(tmp)
        path, what = make_case(seed, tmp / "case")
        before = snapshot(path)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "LC_ALL": "C.UTF-8"}
        env.pop("LINEAGE_DEBUG", None)
        for n, command in enumerate(COMMANDS):
            cmd = [sys.executable, "-m", "lineage", command[0], str(path)] + [
                a.replace("OUTDIR", str(tmp / f"out{n}")).replace("OUT", str(tmp / f"out{n}"))
                for a in command[1:]]
            started = time.monotonic()
            try:
                proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                                      timeout=args.timeout, cwd=tmp, env=env,
                                      preexec_fn=_limits(args.memory, int(args.timeout)))
            except subprocess.TimeoutExpired:
                failures.append(f"{what}: {' '.join(command)}: no answer within "
                                f"{args.timeout:.0f} s")
                continue
            took = time.monotonic() - started
            wrong = judge(proc.returncode, proc.stdout, proc.stderr)
            if proc.returncode < 0:
                wrong = f"killed by signal {-proc.returncode} (memory or CPU limit?)"
            elif "MemoryError" in proc.stderr:
                wrong = "ran out of memory"
            if wrong:
                failures.append(f"{what}: {' '.join(command)}: {wrong} ({took:.1f} s)\n"
                                f"{proc.stderr[-1500:]}")
        if snapshot(path) != before:
            failures.append(f"{what}: an input file changed")
        if failures and args.failures:
            keep = Path(args.failures) / f"seed-{seed}"
            shutil.rmtree(keep, ignore_errors=True)
            shutil.copytree(tmp / "case", keep, symlinks=True)
            (keep / "FAILURE.txt").write_text("\n\n".join(failures), encoding="utf-8")
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0, help="how long to run")
    parser.add_argument("--start", type=int, default=1_000_000,
                        help="first seed (the suite uses hypothesis' own seeds)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per command")
    parser.add_argument("--memory", type=int, default=2048, help="MiB of memory per command")
    parser.add_argument("--failures", default="/tmp/hostile-fuzz-failures",
                        help="folder for failing cases")
    args = parser.parse_args()
    deadline = time.monotonic() + args.minutes * 60
    seed, tried, failed = args.start, 0, []
    print(f"{today()} fuzzing from seed {seed} for {args.minutes:g} min; "
          f"{len(COMMANDS)} commands per case", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1 if failed else 0))
    try:
        while time.monotonic() < deadline:
            problems = run_case(seed, args)
            tried += 1
            if problems:
                failed.append(seed)
                print(f"{today()} FAIL seed {seed}:\n  " + "\n  ".join(problems), flush=True)
            if tried % 10 == 0:
                print(f"{today()} {tried} cases ({tried * len(COMMANDS)} runs), "
                      f"{len(failed)} failing", flush=True)
            seed += 1
    finally:
        print(f"{today()} done: {tried} cases, {tried * len(COMMANDS)} CLI runs, "
              f"{len(failed)} failing seeds {failed}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
