"""The CI pieces: pre-commit hooks and the documented recipe."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys

import yaml

from paths import ROOT, SAMPLE


def test_pre_commit_hooks_run_lineage_on_the_whole_inventory():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    by_id = {h["id"]: h for h in hooks}
    assert set(by_id) == {"lineage-check", "lineage-validate"}
    for hook in hooks:
        assert hook["language"] == "python" and hook["pass_filenames"] is False
        assert re.search(hook["files"], "inventory/flows.yaml")
        assert not re.search(hook["files"], "README.md")
    # the entry works as pre-commit runs it: entry + args
    entry = shlex.split(by_id["lineage-check"]["entry"])
    assert entry[0] == "lineage"
    res = subprocess.run([sys.executable, "-m", "lineage", *entry[1:], str(SAMPLE)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 1 and "48 flows: 39 ok" in res.stdout  # the sample's violations
    entry = shlex.split(by_id["lineage-validate"]["entry"])
    res = subprocess.run([sys.executable, "-m", "lineage", *entry[1:], str(SAMPLE)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr


def test_documented_commands_exist(run_cli):
    doc = (ROOT / "docs" / "snapshots.md").read_text(encoding="utf-8")
    for command in ("snapshot create", "snapshot list", "snapshot show", "snapshot verify",
                    "snapshot diff", "report"):
        assert f"lineage {command}" in doc
    for option in ("--format sarif", "--format junit", "--baseline", "--head"):
        assert option in doc
    for args in (("snapshot", "--help"), ("report", "--help"), ("check", "--help")):
        run_cli(*args)
    assert "--baseline STORE[:SNAPSHOT]" in run_cli("check", "--help").stdout
