"""SIGTERM or SIGINT during `lineage draw` stops Graphviz and removes its temporary files.

Graphviz is replaced on PATH by a stand-in ``dot`` that never finishes, so the
signal always arrives while it runs (a real layout may end before the test
sees it); everything else is the real CLI on a big graph.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from paths import ROOT


def _big_inventory(path, parties=300, flows=1500):
    lines = ["format: lineage/1", "organisation: p0", "as_of: 2026-01-01", "parties:",
             "  - {id: p0, role: self}"]
    lines += [f"  - {{id: p{i}, role: outsourcee}}" for i in range(1, parties)]
    lines.append("flows:")
    for i in range(flows):
        a, b = i % parties, (i * 7 + 1) % parties
        if a == b:
            b = (b + 1) % parties
        lines.append(f"  - {{id: F{i}, from: p{a}, to: p{b}, items: [name], "
                     f"start: 2025-01-01}}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _children(pid):
    """PIDs of the live processes whose parent is ``pid``."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            out.append(int(entry))
    return out


def _cmdline(pid) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read()
    except OSError:
        return b""


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_during_draw_kills_graphviz_and_removes_temp_files(tmp_path, signum):
    inv = tmp_path / "big.yaml"
    _big_inventory(inv)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    out = tmp_path / "map.svg"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "dot").write_text(f"#!{sys.executable}\nimport time\ntime.sleep(600)\n")
    os.chmod(bin_dir / "dot", 0o755)
    path = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    proc = subprocess.Popen([sys.executable, "-m", "lineage", "draw", inv, "-o", out,
                             "--timeout", "600"],
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT),
                                           "TMPDIR": str(tmp), "PATH": path},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # Wait (by events, not a fixed sleep) until Graphviz runs with its DOT file on disk.
        deadline = time.monotonic() + 120
        dots = []
        while not dots:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "Graphviz never started"
            dots = [c for c in _children(proc.pid) if b"in.dot" in _cmdline(c)]
            time.sleep(0.05)
        assert any(tmp.rglob("in.dot"))
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + signum, err
    assert "interrupted" in err and "Traceback" not in err
    assert not any(_alive(d) for d in dots)
    assert list(tmp.iterdir()) == []
    assert not out.exists()
