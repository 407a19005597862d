"""``lineage check`` from real files, as a ratio to reading the same files.

Usage::

    .venv/bin/python benchmarks/bench_formats.py                  # 10k and 100k flows
    .venv/bin/python benchmarks/bench_formats.py --sizes 1000000 --formats csv
    .venv/bin/python benchmarks/bench_formats.py --repeat 5 --cache /tmp/lineage-bench

For each size it writes the synthetic inventory of ``bench_check.py`` once in
each form (CSV folder, one YAML file, an Excel workbook) with lineage's own
writers, and caches it. Then, interleaved in the same run so that a noisy,
shared machine slows both sides alike, it times:

- the tool: ``python -m lineage check PATH --format json`` in a child process,
  as a user runs it (start-up, reading, validation, rules, report);
- the floor for that form, also in a child process:
  CSV: pandas ``read_csv`` of every file plus the merge of flows with parties
  on both ends; YAML: a libyaml ``CSafeLoader`` parse; xlsx: openpyxl's
  read-only mode iterating every row of every sheet.

Each figure is the median of ``--repeat`` runs. Peak memory is the child's
maximum resident set (``wait4``), reported per flow above the baseline of
``python -m lineage --version`` (the same interpreter with the tool's
imports, reading nothing). The targets are issue 14's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

#: Ratio targets per form (tool time / floor time), and memory per flow.
TARGETS = {"csv": 5.0, "yaml": 3.0, "xlsx": 2.0}
KB_PER_FLOW = 1.5

FLOORS = {
    "csv": """
import sys, pandas as pd, pathlib
d = pathlib.Path(sys.argv[1])
frames = {p.stem: pd.read_csv(p, dtype=str, keep_default_na=False) for p in d.glob('*.csv')}
parties = frames['parties'][['id', 'role']]
f = frames['flows'].merge(parties.add_prefix('from_'), left_on='from', right_on='from_id')
f = f.merge(parties.add_prefix('to_'), left_on='to', right_on='to_id')
print(len(f))
""",
    "yaml": """
import sys, yaml
with open(sys.argv[1], 'rb') as fh:
    data = yaml.load(fh, Loader=yaml.CSafeLoader)
print(len(data['flows']))
""",
    "xlsx": """
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
n = 0
for ws in wb.worksheets:
    for row in ws.iter_rows(values_only=True):
        n += 1
print(n)
""",
}


def build(n: int, form: str, cache: Path) -> Path:
    """The cached inventory of ``n`` flows in ``form``, written on first use."""
    target = cache / {"csv": f"csv-{n}", "yaml": f"yaml-{n}.yaml",
                      "xlsx": f"xlsx-{n}.xlsx"}[form]
    if target.exists():
        return target
    from pydantic import TypeAdapter

    from bench_check import synthetic
    from lineage.forms import write_inventory
    from lineage.model import schema

    data = synthetic(n)
    fields = {k: v for k, v in data.items() if not isinstance(v, list)}
    for name, model in schema.COLLECTIONS.items():
        if name in data:
            fields[name] = TypeAdapter(list[model]).validate_python(data[name])
    inv = schema.Inventory.model_validate(fields)
    cache.mkdir(parents=True, exist_ok=True)
    form_name = {"csv": "csv-folder", "yaml": "yaml-file", "xlsx": "xlsx"}[form]
    write_inventory(inv, target, form=form_name)
    return target


def measure(argv: list[str]) -> tuple[float, int, int]:
    """Wall seconds, peak RSS (KiB) and exit code of one child process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            cwd=ROOT, env={**os.environ, "NO_COLOR": "1"})
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}:\n{err[-2000:]}")
    return seconds, usage.ru_maxrss, proc.returncode


def main() -> None:
    """Run the interleaved measurements and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--formats", default="csv,yaml,xlsx")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cache", type=Path, default=HERE / ".cache")
    a = ap.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    forms = a.formats.split(",")
    py = sys.executable
    base = [measure([py, "-m", "lineage", "--version"])[1] for _ in range(a.repeat)]
    baseline = statistics.median(base)
    print(f"cores: {os.cpu_count()}  python {sys.version.split()[0]}  "
          f"baseline RSS {baseline / 1024:.0f} MiB  repeat {a.repeat} (median)")
    print(f"{'form':5} {'flows':>9} {'tool s':>8} {'floor s':>8} {'ratio':>6} {'target':>6} "
          f"{'peak MiB':>9} {'KB/flow':>8} {'target':>6}")
    for n in sizes:
        for form in forms:
            path = build(n, form, a.cache)
            tool, floor, peak = [], [], []
            for _ in range(a.repeat):
                s, rss, _ = measure([py, "-m", "lineage", "check", str(path),
                                     "--format", "json"])
                tool.append(s)
                peak.append(rss)
                floor.append(measure([py, "-c", FLOORS[form], str(path)])[0])
            t, f, p = statistics.median(tool), statistics.median(floor), statistics.median(peak)
            per_flow = max(0.0, (p - baseline) * 1024 / n / 1000)
            print(f"{form:5} {n:>9,} {t:8.2f} {f:8.2f} {t / f:6.1f} {TARGETS[form]:6.1f} "
                  f"{p / 1024:9.0f} {per_flow:8.2f} {KB_PER_FLOW:6.1f}", flush=True)


if __name__ == "__main__":
    main()
