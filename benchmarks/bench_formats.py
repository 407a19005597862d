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


def _target(n: int, form: str, cache: Path) -> Path:
    """Where the cached inventory of ``n`` flows in ``form`` is kept."""
    return cache / {"csv": f"csv-{n}", "yaml": f"yaml-{n}.yaml", "xlsx": f"xlsx-{n}.xlsx"}[form]


def prepare(n: int, form: str, cache: Path) -> Path:
    """:func:`build` in a child process, so that this process stays small.

    A measured child starts as a copy of this process (fork or vfork, then
    exec), and Linux counts the peak of that copy in the child's maximum
    resident set: a million flows generated here made every child that
    followed report 2-3 GB it never used.
    """
    target = _target(n, form, cache)
    if not target.exists():
        subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; "
                        "from bench_formats import build; "
                        "build(int(sys.argv[1]), sys.argv[2], Path(sys.argv[3]))",
                        str(n), form, str(cache)], check=True, cwd=HERE,
                       env={**os.environ, "PYTHONPATH": os.pathsep.join((str(HERE), str(ROOT)))})
    return target


def build(n: int, form: str, cache: Path) -> Path:
    """The cached inventory of ``n`` flows in ``form``, written on first use (in
    this process: the benchmark itself calls :func:`prepare`)."""
    target = _target(n, form, cache)
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


def measure(argv: list[str], root: Path = ROOT) -> tuple[float, int, int, float]:
    """Wall seconds, peak RSS (KiB), exit code and kernel CPU seconds of one child
    process run in ``root``.

    The kernel's share is mostly first touches of fresh memory: on a virtual
    machine whose host takes back the memory a guest freed (this one, after a
    few seconds idle), a page first touched costs several times what a page
    freed a moment ago does, so a program's time depends on how much memory
    it touches, not only on its work."""
    t0 = time.perf_counter()
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(root)}
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            cwd=root, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}:\n{err[-2000:]}")
    return seconds, usage.ru_maxrss, proc.returncode, usage.ru_stime


def tree_memory(argv: list[str], root: Path = ROOT) -> tuple[int, int]:
    """Peak summed PSS and the most processes at once (KiB, count) of one run of
    ``argv`` and the processes it starts (``snapshot create`` forks a child):
    /proc's smaps_rollup of each, sampled every 0.1 s. Its own run, not timed
    (a sample walks the page tables of a process of a gigabyte)."""
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(root)}
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            cwd=root, env=env)
    peak, most = 0, 1
    while proc.poll() is None:
        pids = _tree(proc.pid)
        most = max(most, len(pids))
        peak = max(peak, sum(map(_pss, pids)))
        time.sleep(0.1)
    return peak, most


def _tree(pid: int) -> list[int]:
    out = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                for child in f.read().split():
                    out += _tree(int(child))
    except OSError:  # ended meanwhile
        pass
    return out


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main() -> None:
    """Run the interleaved measurements and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--formats", default="csv,yaml,xlsx")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cache", type=Path, default=HERE / ".cache")
    ap.add_argument("--snapshots", action="store_true",
                    help="Also time the snapshot store on the CSV folder of each size: create "
                         "vs check, verify vs sha256sum of the store, list, diff, and bytes "
                         "per snapshot vs the gzip size of the JSON report.")
    ap.add_argument("--draw", default="", metavar="PARTIES",
                    help="Also time 'lineage draw' of bench_draw.py's inventory of PARTIES "
                         "parties (3 flows each), e.g. 5000, against the 60 s target.")
    ap.add_argument("--before", type=Path, metavar="CHECKOUT",
                    help="Also time the tool of another checkout (the code before a change), "
                         "interleaved: adds the columns 'before s' and 'before MiB'.")
    a = ap.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    forms = a.formats.split(",")
    py = sys.executable
    base = [measure([py, "-m", "lineage", "--version"])[1] for _ in range(a.repeat)]
    baseline = statistics.median(base)
    print(f"cores: {os.cpu_count()}  python {sys.version.split()[0]}  "
          f"baseline RSS {baseline / 1024:.0f} MiB  repeat {a.repeat} (median)")
    print(f"{'form':5} {'flows':>9} {'tool s':>8} {'floor s':>8} {'ratio':>6} {'target':>6} "
          f"{'peak MiB':>9} {'KB/flow':>8} {'target':>6} {'sys s':>6} {'floor sys':>9}"
          + (f" {'before s':>9} {'before MiB':>10}" if a.before else ""))
    for n in sizes:
        for form in forms:
            path = prepare(n, form, a.cache)
            tool, floor, peak, old, old_peak, sys_tool, sys_floor = [], [], [], [], [], [], []
            argv = [py, "-m", "lineage", "check", str(path.resolve()), "--format", "json"]
            for _ in range(a.repeat):
                s, rss, _, kernel = measure(argv)
                tool.append(s)
                peak.append(rss)
                sys_tool.append(kernel)
                s, _, _, kernel = measure([py, "-c", FLOORS[form], str(path)])
                floor.append(s)
                sys_floor.append(kernel)
                if a.before:
                    s, rss, _, _ = measure(argv, a.before.resolve())
                    old.append(s)
                    old_peak.append(rss)
            t, f, p = statistics.median(tool), statistics.median(floor), statistics.median(peak)
            per_flow = max(0.0, (p - baseline) * 1024 / n / 1000)
            extra = (f" {statistics.median(old):9.2f} {statistics.median(old_peak) / 1024:10.0f}"
                     if a.before else "")
            print(f"{form:5} {n:>9,} {t:8.2f} {f:8.2f} {t / f:6.1f} {TARGETS[form]:6.1f} "
                  f"{p / 1024:9.0f} {per_flow:8.2f} {KB_PER_FLOW:6.1f} "
                  f"{statistics.median(sys_tool):6.2f} {statistics.median(sys_floor):9.2f}{extra}",
                  flush=True)
    if a.snapshots:
        for n in sizes:
            snapshots(n, prepare(n, "csv", a.cache), a.repeat, a.before)
    for parties in (int(x) for x in a.draw.split(",") if x.strip()):
        draw(parties, a.cache)


def snapshots(n: int, path: Path, repeat: int, other: Path | None = None) -> None:
    """Time the snapshot store against its floors and print one line per target;
    ``other``: also time another checkout's first ``snapshot create`` into a new
    store, interleaved with this one's.

    Every figure is a median of ``repeat`` runs (at least two): a first snapshot
    into a new store is timed once into the store the later snapshots join, then
    into a store of its own each round; "again" is each later snapshot into the
    joined store."""
    import gzip
    import shutil
    import tempfile

    py = sys.executable
    inv = str(path.resolve())
    with tempfile.TemporaryDirectory(prefix="lineage-bench-") as tmp:
        store = Path(tmp) / "audits.db"
        report = Path(tmp) / "report.json"
        times: dict[str, list[float]] = {k: [] for k in
                                          ("create", "new", "check", "verify", "sha256",
                                           "list", "diff", "before")}
        sizes = []
        for k in range(max(2, repeat)):
            before = store.stat().st_size if store.exists() else 0
            times["create"].append(measure([py, "-m", "lineage", "snapshot", "create", inv,
                                            "--store", str(store), "--label", f"s{k}"])[0])
            sizes.append(store.stat().st_size - before)
            if k == 0:
                times["new"].append(times["create"][0])
            else:  # a first snapshot again, into a store of its own: a median, not one run
                fresh = Path(tmp) / f"new-{k}.db"
                times["new"].append(measure([py, "-m", "lineage", "snapshot", "create", inv,
                                             "--store", str(fresh)])[0])
                fresh.unlink()
            times["check"].append(measure([py, "-m", "lineage", "check", inv, "--format",
                                           "json", "-o", str(report)])[0])
            if other is not None:
                old_store = Path(tmp) / f"before-{k}.db"
                times["before"].append(measure([py, "-m", "lineage", "snapshot", "create", inv,
                                                "--store", str(old_store)], other.resolve())[0])
                old_store.unlink()
            times["verify"].append(measure([py, "-m", "lineage", "snapshot", "verify",
                                            "--store", str(store)])[0])
            sha = shutil.which("sha256sum")
            times["sha256"].append(measure([sha, str(store)] if sha else
                                           [py, "-c", "import hashlib,sys;hashlib.sha256("
                                            "open(sys.argv[1],'rb').read())", str(store)])[0])
            times["list"].append(measure([py, "-m", "lineage", "snapshot", "list",
                                          "--store", str(store)])[0])
            times["diff"].append(measure([py, "-m", "lineage", "snapshot", "diff", "s0",
                                          f"s{k}", "--store", str(store)])[0])
        memory = None
        if Path("/proc/self/smaps_rollup").exists():
            peak, most = tree_memory([py, "-m", "lineage", "snapshot", "create", inv,
                                      "--store", str(Path(tmp) / "memory.db")])
            memory = f"; create's peak {peak / 1024:,.0f} MiB summed PSS of {most} process(es)"
        gz = len(gzip.compress(report.read_bytes()))
        m = {k: statistics.median(v) for k, v in times.items() if v}
        first, later = sizes[0], statistics.median(sizes[1:])
        # a first snapshot fills a new store; later ones find most chunks stored already
        new, again = m["new"], statistics.median(times["create"][1:])
        print(f"snapshot {n:>9,}: create in a new store {new:.2f} s / check {m['check']:.2f} s "
              f"= {new / m['check']:.1f}x, again {again:.2f} s = {again / m['check']:.1f}x "
              f"(target 1.5x); verify {m['verify']:.2f} s / "
              f"sha256 {m['sha256']:.2f} s = {m['verify'] / m['sha256']:.1f}x (target 2x); "
              f"list {m['list']:.2f} s; diff {m['diff']:.2f} s{memory or ''}", flush=True)
        if other is not None:
            old = statistics.median(times["before"])
            print(f"snapshot {n:>9,}: before ({other}): create in a new store {old:.2f} s "
                  f"= {old / m['check']:.1f}x this check", flush=True)
        print(f"snapshot {n:>9,}: stored bytes first {first:,} then {later:,.0f} per unchanged "
              f"snapshot / gzip report {gz:,} = {first / gz:.1f}x then {later / gz:.1f}x "
              f"(target 5x); store {store.stat().st_size:,} bytes", flush=True)


def draw(parties: int, cache: Path) -> None:
    """Time ``lineage draw`` of bench_draw.py's synthetic inventory as a user runs it."""
    import tempfile

    from bench_draw import synthetic as drawn
    from lineage.forms import write_inventory

    target = cache / f"draw-{parties}.yaml"
    if not target.exists():
        cache.mkdir(parents=True, exist_ok=True)
        write_inventory(drawn(parties), target, form="yaml-file")
    with tempfile.TemporaryDirectory(prefix="lineage-bench-") as tmp:
        out = Path(tmp) / "map.svg"
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "lineage", "draw", str(target.resolve()),
                               "-o", str(out)], cwd=ROOT, capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
        seconds = time.perf_counter() - t0
        notes = [line for line in proc.stderr.splitlines() if line.strip()]
        size = out.stat().st_size if out.exists() else 0
    print(f"draw {parties:,} parties {3 * parties:,} flows: {seconds:.1f} s (target 60 s), "
          f"exit {proc.returncode}, SVG {size / 1e6:.1f} MB", flush=True)
    for line in notes[:6]:
        print(f"      {line}", flush=True)


if __name__ == "__main__":
    main()
