"""What a columnar check could cost at most: the steps it could not avoid, timed.

Usage::

    .venv/bin/python benchmarks/bench_columnar.py benchmarks/.cache/csv-1000000
    PYTHONPATH=/path/to/pyarrow .venv/bin/python benchmarks/bench_columnar.py INVENTORY

lineage checks an inventory as one Python object per flow (the loader builds
them column by column, the engine judges flows by class, the report reads them
once). At a million flows each phase costs about as much as reading a million
scattered objects, which is why ``lineage check`` stays near 9x the pandas
floor there (``bench_formats.py``). The other design is an engine over
columns: no flow object, codes per column, the rules over arrays.

This script times, in a child process each, the parts such an engine could not
skip, on the inventory's ``flows.csv`` and ``parties.csv``:

- read: the two files, as text columns;
- codes: every flow ID against the ID pattern, both ends as party codes
  (unknown ones counted), the lists of items split and coded, start days parsed;
- classify: each flow's class from its sender's kind, as the engine's first pass;
- report: each flow's entry of the JSON report (every field, indented as the
  report is), written to ``/dev/null``.

It does it twice: with pandas (object strings, what lineage already depends
on) and, when ``import pyarrow`` works, with pyarrow's compute kernels. No
rule is evaluated: the figures are a floor for a columnar engine, to set
beside ``bench_phases.py``'s load and report phases. pyarrow is not a
dependency of lineage; put it on ``PYTHONPATH`` to include it.
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

#: The steps over pandas' object strings.
_PANDAS = r"""
import gc, json, sys, time
gc.disable()
import numpy as np, pandas as pd
d = sys.argv[1]
t0 = time.perf_counter()
fl = pd.read_csv(f"{d}/flows.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
pa = pd.read_csv(f"{d}/parties.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
t1 = time.perf_counter()
ids_ok = bool(fl["id"].str.fullmatch(sys.argv[2]).all())
code = {p: i for i, p in enumerate(pa["id"])}
frm, to = fl["from"].map(code), fl["to"].map(code)
unknown = int(frm.isna().sum() + to.isna().sum())
items, distinct = pd.factorize(fl["items"].str.split(";").explode())
start = pd.to_datetime(fl["start"], format="%Y-%m-%d")
t2 = time.perf_counter()
kind = np.where(pa["role"].to_numpy() == "data_subject", 2, 6)
key = kind[frm.fillna(0).astype(int).to_numpy()]
classes = {k: v for k, v in pd.Series(np.arange(len(fl))).groupby(key).indices.items()}
t3 = time.perf_counter()
def q(col):
    return '"' + fl[col] + '"'
def listed(col):
    inner = fl[col].str.replace(";", '",\n        "', regex=False)
    return np.where(fl[col] == "", "[]", '[\n        "' + inner + '"\n      ]')
def opt(col):
    return np.where(fl[col] == "", "null", '"' + fl[col] + '"')
entry = ("    {\n      \"id\": " + q("id") + ",\n      \"from\": " + q("from")
         + ",\n      \"to\": " + q("to") + ",\n      \"items\": " + listed("items")
         + ",\n      \"purposes\": " + listed("purposes") + ",\n      \"basis\": " + opt("basis")
         + ",\n      \"start\": " + q("start")
         + ",\n      \"end\": null,\n      \"route\": \"collection\",\n      \"status\": \"ok\","
         "\n      \"findings\": []\n    }")
with open("/dev/null", "w") as sink:
    sink.write(",\n".join(entry.tolist()))
t4 = time.perf_counter()
print(json.dumps({"flows": len(fl), "check": [ids_ok, unknown, len(distinct)],
                  "steps": {"read": t1 - t0, "codes": t2 - t1, "classify": t3 - t2,
                            "report": t4 - t3}}))
"""

#: The same steps over pyarrow's compute kernels.
_PYARROW = r"""
import gc, json, sys, time
gc.disable()
import numpy as np
import pyarrow as pa, pyarrow.compute as pc, pyarrow.csv as pcsv
d = sys.argv[1]
t0 = time.perf_counter()
def read(name):
    names = pcsv.read_csv(f"{d}/{name}", read_options=pcsv.ReadOptions(skip_rows_after_names=10**9)).column_names
    return pcsv.read_csv(f"{d}/{name}", convert_options=pcsv.ConvertOptions(
        column_types={n: pa.string() for n in names}, strings_can_be_null=False))
fl, pt = read("flows.csv"), read("parties.csv")
t1 = time.perf_counter()
ids_ok = pc.all(pc.match_substring_regex(fl["id"], sys.argv[2])).as_py()
frm = pc.index_in(fl["from"], value_set=pt["id"])
to = pc.index_in(fl["to"], value_set=pt["id"])
unknown = pc.sum(pc.is_null(frm)).as_py() or 0
unknown += pc.sum(pc.is_null(to)).as_py() or 0
coded = pc.dictionary_encode(pc.list_flatten(pc.split_pattern(fl["items"], ";"))).combine_chunks()
start = pc.strptime(fl["start"], format="%Y-%m-%d", unit="s")
t2 = time.perf_counter()
kind = np.where(pc.equal(pt["role"], "data_subject").to_numpy(zero_copy_only=False), 2, 6)
key = kind[pc.fill_null(frm, 0).to_numpy(zero_copy_only=False)]
order = np.argsort(key, kind="stable")
classes = np.split(order, np.flatnonzero(np.diff(key[order])) + 1)
t3 = time.perf_counter()
join = pc.binary_join_element_wise
def q(col):
    return join('"', fl[col], '"', "")
def listed(col):
    inner = pc.replace_substring(fl[col], ";", '",\n        "')
    return pc.if_else(pc.equal(fl[col], ""), "[]", join('[\n        "', inner, '"\n      ]', ""))
def opt(col):
    return pc.if_else(pc.equal(fl[col], ""), "null", q(col))
entry = join("    {\n      \"id\": ", q("id"), ",\n      \"from\": ", q("from"),
             ",\n      \"to\": ", q("to"), ",\n      \"items\": ", listed("items"),
             ",\n      \"purposes\": ", listed("purposes"), ",\n      \"basis\": ", opt("basis"),
             ",\n      \"start\": ", q("start"),
             ",\n      \"end\": null,\n      \"route\": \"collection\",\n      \"status\": \"ok\","
             "\n      \"findings\": []\n    }", "")
with open("/dev/null", "wb") as sink:
    for chunk in entry.chunks:
        text = pc.binary_join(pa.ListArray.from_arrays(pa.array([0, len(chunk)], pa.int32()),
                                                      chunk), ",\n")
        sink.write(text[0].as_buffer())
t4 = time.perf_counter()
print(json.dumps({"flows": fl.num_rows, "check": [ids_ok, unknown, len(coded.dictionary)],
                  "steps": {"read": t1 - t0, "codes": t2 - t1, "classify": t3 - t2,
                            "report": t4 - t3}}))
"""


def run_once(code: str, inventory: Path) -> dict:
    """One child run of ``code``: its flow count, sanity figures and seconds per step."""
    # The children import nothing of lineage (the floor is the libraries' own
    # work); the ID pattern they test is the schema's.
    sys.path.insert(0, str(ROOT))
    from lineage.model.schema import ID_PATTERN

    out = subprocess.run([sys.executable, "-c", code, str(inventory), ID_PATTERN],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def has_pyarrow() -> bool:
    """Whether this interpreter can import pyarrow (it is not a dependency)."""
    probe = subprocess.run([sys.executable, "-c", "import pyarrow"], capture_output=True)
    return probe.returncode == 0


def main() -> None:
    """Time each engine's steps ``--repeat`` times, interleaved, and print the medians."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("inventory", type=Path, help="a CSV-folder inventory (flows.csv, parties.csv)")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    engines = {"pandas": _PANDAS}
    if has_pyarrow():
        engines["pyarrow"] = _PYARROW
    runs: dict[str, list] = {name: [] for name in engines}
    for _ in range(a.repeat):
        for name, code in engines.items():
            runs[name].append(run_once(code, a.inventory.resolve()))
    flows = runs["pandas"][0]["flows"]
    print(f"cores: {os.cpu_count()}  python {sys.version.split()[0]}  {flows:,} flows  "
          f"repeat {a.repeat} (median)")
    if "pyarrow" not in engines:
        print("pyarrow: not importable, left out")
    checks = {name: got[0]["check"] for name, got in runs.items()}
    if len({json.dumps(c) for c in checks.values()}) > 1:
        raise SystemExit(f"the engines read the files differently: {checks}")
    ids_ok, unknown, items = checks["pandas"]
    print(f"every flow ID valid: {ids_ok}; unknown ends: {unknown}; distinct items: {items}")
    print(f"{'engine':8} {'step':9} {'seconds':>8} {'µs/flow':>8}")
    for name, got in runs.items():
        if any(run["check"] != got[0]["check"] for run in got):
            raise SystemExit(f"{name}: runs disagree: {[run['check'] for run in got]}")
        total = 0.0
        for step in got[0]["steps"]:
            s = statistics.median(run["steps"][step] for run in got)
            total += s
            print(f"{name:8} {step:9} {s:8.2f} {s * 1e6 / max(flows, 1):8.2f}")
        print(f"{name:8} {'total':9} {total:8.2f} {total * 1e6 / max(flows, 1):8.2f}")


if __name__ == "__main__":
    main()
