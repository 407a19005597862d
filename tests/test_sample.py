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


def test_sample_findings_are_the_documented_ones():
    audit = lineage.check(SAMPLE)
    assert [f.id for f in audit.results] == EXPECTED
    assert [f.id for f in audit.results if f.waived] == ["TP102:F37:C05"]
    assert audit.summary()["status"] == {"ok": 35, "warning": 0, "violation": 8, "waived": 1}
    assert audit.exit_code() == 1


def test_sample_readme_lists_every_expected_finding():
    text = (SAMPLE / "README.md").read_text(encoding="utf-8")
    for fid in EXPECTED:
        assert f"`{fid}`" in text, fid


def test_sample_json_report_is_golden(run_cli, golden):
    res = run_cli("check", SAMPLE, "--format", "json", expect=1)
    report = json.loads(res.stdout)
    assert report["format"] == "lineage-report/1"
    assert report["as_of"] == "2026-11-01"
    golden("monocollabo-report.json", res.stdout)


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
