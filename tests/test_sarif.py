"""SARIF 2.1.0 output: valid against the schema and Microsoft's validator, located at the YAML."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

import lineage
from lineage.output import sarif
from paths import ROOT, SAMPLE

PACKAGE = ROOT / ".tools" / "sarif" / "node_modules" / "@microsoft" / "sarif-multitool-linux"
HINT = "run `sh scripts/install-test-tools.sh` (or `sh scripts/setup.sh --test`)"


def _tool(name: str):
    path = PACKAGE / name
    if not path.exists():
        raise AssertionError(f"{path} is missing: {HINT}")
    return path


@pytest.fixture(scope="module")
def log_text(tmp_path_factory):
    out = subprocess.run([os.sys.executable, "-m", "lineage", "check", "inventories/monocollabo",
                          "--format", "sarif"], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 1, out.stderr
    return out.stdout


def test_validates_against_the_sarif_2_1_0_schema(log_text):
    import jsonschema
    schema = json.loads(_tool("sarif-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.validate(json.loads(log_text), schema,
                        format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def test_passes_microsofts_validator_without_errors(log_text, tmp_path):
    log = tmp_path / "lineage.sarif"
    log.write_text(log_text, encoding="utf-8")
    out = tmp_path / "validation.sarif"
    res = subprocess.run([str(_tool("Sarif.Multitool")), "validate", str(log), "-o", str(out)],
                         capture_output=True, text=True, timeout=300,
                         env={**os.environ, "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1"})
    assert res.returncode == 0, res.stdout + res.stderr
    results = json.loads(out.read_text(encoding="utf-8-sig"))["runs"][0]["results"]
    errors = [r for r in results if r.get("level", "warning") == "error"]
    assert errors == [], errors
    assert ": error " not in res.stdout, res.stdout
    # the only remark: no informationUri (lineage has no public home page to name)
    assert {r["ruleId"] for r in results} <= {"SARIF2005"}, results


def test_each_result_points_at_its_flow_in_the_yaml(log_text):
    log = json.loads(log_text)
    run = log["runs"][0]
    assert log["version"] == "2.1.0"
    assert run["tool"]["driver"]["name"] == "lineage"
    audit = lineage.check(SAMPLE)
    assert len(run["results"]) == len(audit.results)
    for result, finding in zip(run["results"], audit.results):
        assert result["partialFingerprints"] == {"lineageFindingId/v1": finding.id}
        assert result["ruleId"] == finding.rule
        rule = run["tool"]["driver"]["rules"][result["ruleIndex"]]
        assert rule["id"] == finding.rule
        loc = result["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"] == {"uri": "inventories/monocollabo/flows.yaml",
                                           "uriBaseId": "%SRCROOT%"}
        line = (ROOT / loc["artifactLocation"]["uri"]).read_text(
            encoding="utf-8").splitlines()[loc["region"]["startLine"] - 1]
        assert line.strip() == f"- id: {finding.flow}", (finding.id, line)
        assert result["level"] == finding.severity
    waived = [r for r in run["results"] if "suppressions" in r]
    assert [r["partialFingerprints"]["lineageFindingId/v1"] for r in waived] == ["TP102:F37:C05"]
    assert waived[0]["suppressions"][0]["kind"] == "external"
    assert "approved by 個人情報保護管理者 佐藤 花子" in waived[0]["suppressions"][0]["justification"]
    # in Japanese, the justification's own words are Japanese too
    ja = sarif.as_sarif(audit, lang="ja", root=ROOT)["runs"][0]["results"]
    note = next(r for r in ja if "suppressions" in r)["suppressions"][0]["justification"]
    assert "（承認者: 個人情報保護管理者 佐藤 花子、期限: " in note and "approved" not in note
    tp222 = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "TP222")
    assert "共同して利用" in tp222["help"]["text"]  # the clause's Japanese text
    assert tp222["properties"]["clause"] == "5[2]3"


def test_same_input_same_bytes_and_baseline_states(tmp_path):
    audit = lineage.check(SAMPLE)
    assert sarif.render(audit, root=ROOT) == sarif.render(lineage.check(SAMPLE), root=ROOT)
    from lineage.snapshots.baseline import Baseline
    store = tmp_path / "a.db"
    lineage.snapshot(SAMPLE, store=store, select=["TP2"])
    log = sarif.as_sarif(audit, baseline=Baseline.load(str(store)), root=ROOT)
    states = {r["partialFingerprints"]["lineageFindingId/v1"]: r["baselineState"]
              for r in log["runs"][0]["results"]}
    assert states["TP222:F30:phone"] == "unchanged" and states["TP101:F38"] == "new"


def test_japanese_messages(run_cli):
    log = json.loads(run_cli("check", SAMPLE, "--format", "sarif", "--lang", "ja",
                             expect=1).stdout)
    audit = lineage.check(SAMPLE)
    first = log["runs"][0]["results"][0]["message"]["text"]
    assert first.startswith(audit.results[0].message_ja) and first.endswith("。")


def test_rules_have_help_uri_and_security_severity(log_text):
    run = json.loads(log_text)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules} >= {"LW001", "LW002", "TP101"}
    for r in rules:
        assert r["helpUri"].endswith(f"docs/rules.md#{r['id'].lower()}"), r["helpUri"]
        assert r["help"]["markdown"].startswith("**") and r["help"]["text"]
        page = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
        assert f'<a id="{r["id"].lower()}"></a>' in page
        assert r["properties"]["security-severity"] == \
            {"error": "8.0", "warning": "4.0"}[r["properties"]["problem.severity"]]
    for res in run["results"]:
        assert res["properties"]["security-severity"] in ("8.0", "4.0")
        assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] \
            == "%SRCROOT%"
    assert "%SRCROOT%" in run["originalUriBaseIds"]


def test_help_uri_base_from_the_environment(monkeypatch):
    monkeypatch.setenv("LINEAGE_DOCS_URL", "https://example.org/lineage/blob/main/")
    log = sarif.as_sarif(lineage.check(SAMPLE))
    assert log["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] == \
        "https://example.org/lineage/blob/main/docs/rules.md#lw001"


def test_a_waiver_finding_is_located_at_the_waiver(run_cli):
    # the trial of round 14: an expired waiver's LW001 pointed at the flow, not at the
    # waiver someone renewing it has to edit
    log = json.loads(run_cli("check", SAMPLE, "--as-of", "2027-04-01", "--format", "sarif",
                             expect=1).stdout)
    [lw] = [r for r in log["runs"][0]["results"] if r["ruleId"] == "LW001"]
    where = lw["locations"][0]["physicalLocation"]
    assert where["artifactLocation"]["uri"].endswith("waivers.yaml")
    assert where["region"]["startLine"] == 3
