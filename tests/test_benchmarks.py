"""The benchmark scripts run as their users run them (tiny sizes: what is checked is
that they work and say what they measure, not how fast anything is)."""

import re
import subprocess
import sys

from paths import ROOT, SAMPLE


def _bench(*argv: str) -> str:
    out = subprocess.run([sys.executable, *argv], cwd=ROOT, capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_formats_prints_a_row_per_form_and_the_snapshot_lines(tmp_path):
    text = _bench("benchmarks/bench_formats.py", "--sizes", "300", "--formats", "csv,yaml,xlsx",
                  "--repeat", "1", "--snapshots", "--cache", str(tmp_path))
    rows = re.findall(r"^(csv|yaml|xlsx) +300 +[\d.]+ +[\d.]+ +[\d.]+ +([\d.]+) ", text, re.M)
    assert rows == [("csv", "5.0"), ("yaml", "3.0"), ("xlsx", "2.0")]
    # each row ends with the kernel CPU of the tool and of the floor
    assert re.search(r"KB/flow +target +sys s +floor sys$", text, re.M)
    assert len(re.findall(r"^(?:csv|yaml|xlsx) .* 1\.5 +\d+\.\d\d +\d+\.\d\d$", text, re.M)) == 3
    assert re.search(r"^snapshot +300: create in a new store [\d.]+ s / check [\d.]+ s", text,
                     re.M)
    assert re.search(r"^snapshot +300: stored bytes first [\d,]+ then", text, re.M)
    # generated once, in a child, then read from the cache
    assert sorted(p.name for p in tmp_path.iterdir()) == ["csv-300", "xlsx-300.xlsx",
                                                          "yaml-300.yaml"]


def test_formats_memory_is_not_the_generating_process(tmp_path):
    # The inventories are generated in a child: the first measured run's peak is
    # the tool's own, the same as a run from the cache.
    first = _bench("benchmarks/bench_formats.py", "--sizes", "5000", "--formats", "yaml",
                   "--repeat", "1", "--cache", str(tmp_path))
    again = _bench("benchmarks/bench_formats.py", "--sizes", "5000", "--formats", "yaml",
                   "--repeat", "1", "--cache", str(tmp_path))

    def peak(text):
        return int(re.search(r"^yaml +5,000 +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+ +(\d+) ", text,
                             re.M).group(1))
    # (generated in this process, the first peak was 84 MiB against 52)
    assert abs(peak(first) - peak(again)) <= 8, (first, again)


def test_phases_names_each_phase_and_the_total():
    text = _bench("benchmarks/bench_phases.py", str(SAMPLE), "--repeat", "1",
                  "--packs", "policy,appi")
    assert "48 flows" in text.splitlines()[0]
    assert re.search(r"^total +[\d.]+ +[\d.]+$", text, re.M)
    assert re.search(r"^load +[\d.]+ ", text, re.M)


def test_touch_prints_both_passes():
    text = _bench("benchmarks/bench_touch.py", "--mib", "16", "--idle", "0")
    assert text.startswith("cores: ")
    faults = [int(n.replace(",", "")) for n in re.findall(r"faults ([\d,]+)", text)]
    assert len(faults) == 2 and all(n >= 4096 for n in faults), text  # 16 MiB of 4 KiB pages


def test_branches_prints_a_row_per_size():
    text = _bench("benchmarks/bench_branches.py", "20", "40", "--flows", "50", "--repeat", "1")
    assert re.match(r"one company's branches, each with a contract, checked: \d+ cores", text)
    assert re.findall(r"^ +([\d,]+) branches 50 flows: check [\d.]+ s, floor [\d.]+ s = "
                      r"[\d.]+x, [\d.]+ ms per branch, peak \d+ MiB$", text, re.M) == ["20", "40"]


def test_columnar_prints_each_step_of_each_engine(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_formats import build

    folder = build(300, "csv", tmp_path)
    text = _bench("benchmarks/bench_columnar.py", str(folder), "--repeat", "1")
    assert "300 flows" in text.splitlines()[0]
    steps = re.findall(r"^pandas +(\w+) +[\d.]+ +[\d.]+$", text, re.M)
    assert steps == ["read", "codes", "classify", "report", "total"]
