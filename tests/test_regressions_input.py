"""Inputs that once failed (fuzzing, issue 13) keep ending as they should.

Each entry of ``tests/regressions_input/cases.json`` names an input, the
command run on it (``OUT`` is a fresh output path), the exit code and a piece
of the message; the input must be unchanged afterwards.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "regressions_input"
CASES = json.loads((HERE / "cases.json").read_text(encoding="utf-8"))


def _digest(path: Path) -> str:
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    return hashlib.sha256(b"".join(p.read_bytes() for p in files)).hexdigest()


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_past_failure_stays_fixed(tmp_path, run_cli, name):
    case = CASES[name]
    path = HERE / name
    before = _digest(path)
    command = [case["command"][0], path] + [
        str(tmp_path / a[3:].join(("out", ""))) if a.startswith("OUT") else a
        for a in case["command"][1:]]
    res = run_cli(*command, expect=case["exit"])
    assert case["stderr"] in res.stderr, res.stderr
    assert _digest(path) == before
