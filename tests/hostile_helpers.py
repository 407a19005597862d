"""Helpers for the hostile-input tests: a tiny inventory, a real `lineage` subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from paths import ROOT

TINY = """format: lineage/1
organisation: mc
as_of: 2026-01-01
parties:
  - {id: mc, role: self}
  - {id: carrier, role: outsourcee}
flows:
  - {id: F1, from: mc, to: carrier, items: [name], start: 2025-01-01}
"""

#: Drops root's power to read and write any file, so permission bits count (tests run as root).
_NO_DAC = ["--inh-caps=-dac_override,-dac_read_search",
           "--bounding-set=-dac_override,-dac_read_search"]


class Run:
    """What a subprocess run printed and returned."""

    def __init__(self, code: int, stdout: str, stderr: str):
        self.code, self.stdout, self.stderr = code, stdout, stderr


def lineage(*args, timeout: float = 60, env: dict | None = None, cwd=None,
            no_dac: bool = False) -> Run:
    """Run the real ``lineage`` CLI in a subprocess; a hang fails the test at ``timeout``."""
    cmd = [sys.executable, "-m", "lineage", *map(str, args)]
    if no_dac and os.geteuid() == 0:
        cmd = [shutil.which("setpriv"), *_NO_DAC, *cmd]
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                          env=full_env, cwd=cwd or ROOT)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def assert_clean_failure(run: Run, *needles: str) -> None:
    """Exit 2 with one clear message: no traceback, no library warning or path."""
    assert run.code == 2, (run.code, run.stdout, run.stderr)
    for bad in ("Traceback", "internal error", "site-packages", "Warning", "warn("):
        assert bad not in run.stderr, run.stderr
    for needle in needles:
        assert needle in run.stderr, (needle, run.stderr)
