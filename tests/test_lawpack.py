"""The law pack side by side with the policy: status_by_pack, by_pack, the CLI."""

from __future__ import annotations

import json

import pytest
from lineage.audit import check
from lineage.rules.examples import build_example

TWO = ("policy", "appi")

MIXED = """
consents:
  - {id: K1, subjects: customers, recipients: [partner], items: [name], obtained_on: 2020-01-01}
flows:
  - {id: F1, from: mc, to: partner, items: [name], start: 2020-04-01, end: 2022-03-31}
  - {id: F2, from: mc, to: partner, items: [name], start: 2025-01-01}
  - {id: F3, from: mc, to: partner, items: [phone], start: 2025-01-01, recorded: true}
"""


def test_single_pack_report_has_no_side_by_side_fields():
    report = check(build_example(MIXED)).as_dict()
    assert "by_pack" not in report["summary"]
    assert "policy_ok_law_violation" not in report["summary"]
    assert all("status_by_pack" not in f for f in report["flows"])
    assert "status_policy" not in check(build_example(MIXED)).flows.columns


def test_appi_alone_has_no_side_by_side_fields():
    report = check(build_example(MIXED), packs=("appi",)).as_dict()
    assert report["rules"] == ["appi"]
    assert "by_pack" not in report["summary"]
    assert [f["id"] for f in report["findings"]] == ["AP231:F2"]


def test_two_packs_report_status_by_pack_and_counts():
    audit = check(build_example(MIXED), packs=TWO)
    report = audit.as_dict()
    rows = {f["id"]: f["status_by_pack"] for f in report["flows"]}
    assert rows == {"C1": {"policy": "ok", "appi": "ok"},
                    "F1": {"policy": "ok"},
                    "F2": {"policy": "ok", "appi": "violation"},
                    "F3": {"policy": "violation", "appi": "ok"}}
    summary = report["summary"]
    assert summary["by_pack"] == {
        "policy": {"ok": 3, "warning": 0, "violation": 1, "waived": 0},
        "appi": {"ok": 2, "warning": 0, "violation": 1, "waived": 0}}
    assert summary["policy_ok_law_violation"] == 1
    assert audit.policy_ok_law_violation == ["F2"]
    assert list(report["summary"]) == ["flows", "status", "findings", "by_pack",
                                       "policy_ok_law_violation"]


def test_flows_frame_has_a_status_column_per_pack():
    flows = check(build_example(MIXED), packs=TWO).flows.set_index("id")
    assert flows.loc["F2", "status_policy"] == "ok"
    assert flows.loc["F2", "status_appi"] == "violation"
    assert flows["status_appi"].isna().tolist() == [False, True, False, False]
    assert list(flows["status_appi"].cat.categories) == ["ok", "warning", "violation", "waived"]


@pytest.mark.parametrize("packs, code", [("appi", 1), ("policy,appi", 1), ("policy", 1)])
def test_cli_runs_each_selection(run_cli, tmp_path, packs, code):
    inv = tmp_path / "inventory.yaml"
    inv.write_text(build_example_text(MIXED), encoding="utf-8")
    result = run_cli("check", inv, "--rules", packs, "--format", "json", expect=code)
    report = json.loads(result.stdout)
    assert report["rules"] == packs.split(",")


def build_example_text(fragment: str) -> str:
    """The example inventory as one YAML text (the CLI reads files)."""
    import yaml
    from lineage.rules.examples import BASE, _merge
    return yaml.safe_dump(_merge(yaml.safe_load(BASE), yaml.safe_load(fragment)),
                          allow_unicode=True, sort_keys=False)


def test_law_pack_is_the_spec_table():
    """The appi pack has exactly the spec's AP rules, each citing the spec's Article."""
    import re
    from paths import ROOT
    from lineage.rules.registry import REGISTRY
    spec = (ROOT / "docs" / "spec" / "rules.md").read_text(encoding="utf-8")
    table = dict(re.findall(r"^\| (AP\d{3}) \| ([^|]+?) \|", spec, re.M))
    assert len(table) == 13
    registered = {r.id: str(r.clause) for r in REGISTRY.select(["appi"]) if r.id.startswith("AP")}
    expected = {rid: art if art.startswith("Rule") else f"Art. {art}"
                for rid, art in table.items()}
    assert registered == expected
    assert REGISTRY.packs["appi"] == sorted(table)
