"""The sample inventory: exactly its documented findings, pinned by a golden report."""

from __future__ import annotations

import json

import lineage
from paths import SAMPLE

EXPECTED = [
    "TP222:F30:phone", "TP301:F31:J2@2025-04-01", "TP123:F33:phone", "TP103:F36:gender",
    "TP102:F37:C05", "TP101:F38", "TP801:F39", "TP111:F41", "TP203:F44:address",
    "TP203:F44:name",
]

#: With the law pack too (--rules policy,appi): the Act's findings. F45-F48 satisfy the
#: policy but not the Act; F31 breaks both.
EXPECTED_LAW = [
    "AP212:F31:J2@2025-04-01", "AP221:F45", "AP251:F46", "AP241:F47", "AP261:F48",
]


def test_sample_findings_are_the_documented_ones():
    audit = lineage.check(SAMPLE)
    assert [f.id for f in audit.results] == EXPECTED
    assert [f.id for f in audit.results if f.waived] == ["TP102:F37:C05"]
    assert audit.summary()["status"] == {"ok": 39, "warning": 0, "violation": 8, "waived": 1}
    assert audit.exit_code() == 1


def test_sample_side_by_side_with_the_act():
    audit = lineage.check(SAMPLE, packs=("policy", "appi"))
    assert [f.id for f in audit.results if f.rule.startswith("AP")] == EXPECTED_LAW
    assert [f.id for f in audit.results if f.rule.startswith("TP")] == EXPECTED
    summary = audit.summary()
    assert summary["by_pack"] == {
        "policy": {"ok": 39, "warning": 0, "violation": 8, "waived": 1},
        "appi": {"ok": 43, "warning": 0, "violation": 5, "waived": 0}}
    assert summary["policy_ok_law_violation"] == 4
    assert audit.policy_ok_law_violation == ["F45", "F46", "F47", "F48"]
    assert len({f.rule for f in audit.results if f.rule.startswith("AP")}) >= 5
    assert audit.exit_code() == 1


def test_sample_law_pack_alone():
    audit = lineage.check(SAMPLE, packs=("appi",))
    assert [f.id for f in audit.results] == EXPECTED_LAW
    assert audit.summary()["status"] == {"ok": 43, "warning": 0, "violation": 5, "waived": 0}
    assert [w["state"] for w in audit.waivers] == ["not-selected"]


def test_sample_readme_lists_every_expected_finding():
    text = (SAMPLE / "README.md").read_text(encoding="utf-8")
    for fid in EXPECTED + EXPECTED_LAW:
        assert f"`{fid}`" in text, fid


def test_sample_json_report_is_golden(run_cli, golden):
    res = run_cli("check", SAMPLE, "--format", "json", expect=1)
    report = json.loads(res.stdout)
    assert report["format"] == "lineage-report/1"
    assert report["as_of"] == "2026-11-01"
    golden("monocollabo-report.json", res.stdout)


def test_sample_side_by_side_json_report_is_golden(run_cli, golden):
    res = run_cli("check", SAMPLE, "--rules", "policy,appi", "--format", "json", expect=1)
    report = json.loads(res.stdout)
    assert report["rules"] == ["policy", "appi"]
    assert report["summary"]["policy_ok_law_violation"] == 4
    assert all(set(f["status_by_pack"]) == {"policy", "appi"} for f in report["flows"])
    golden("monocollabo-report-appi.json", res.stdout)


def test_sample_report_is_byte_identical_across_runs(run_cli):
    first = run_cli("check", SAMPLE, "--format", "json", expect=1).stdout
    second = run_cli("check", SAMPLE, "--format", "json", expect=1).stdout
    assert first == second


def test_sample_routes_cover_every_kind_of_route():
    audit = lineage.check(SAMPLE)
    routes = {r.route for r in audit.flow_results}
    assert routes == {"collection", "internal", "outsourcing", "external", "storage_only",
                      "non_personal", "to_subject", "joint_use", "opt_out", "consent",
                      "none", "law", "succession"}
