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


def test_a_pack_with_no_rule_selected_judges_nothing():
    # --rules policy,appi --select AP ran the Act's rules only: the policy gave every flow
    # "ok" and counted the Act's violations as "policy ok, Act not" (a trial found it)
    audit = check(build_example(MIXED), packs=TWO, select=["AP"])
    report = audit.as_dict()
    assert report["rules"] == ["appi"] and audit.packs == ("appi",)
    assert "by_pack" not in report["summary"]
    assert "policy_ok_law_violation" not in report["summary"]
    assert all("status_by_pack" not in f for f in report["flows"])
    assert [f["id"] for f in report["findings"]] == ["AP231:F2"]
    # a selection within both packs keeps both
    both = check(build_example(MIXED), packs=TWO, select=["AP231", "TP2"])
    assert both.packs == TWO and both.as_dict()["summary"]["policy_ok_law_violation"] == 1


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


# -- outputs of the side-by-side status ----------------------------------------------

def _edge_lines(dot: str) -> dict:
    import re
    return {m.group(1): line for line in dot.splitlines()
            if (m := re.search(r'\[id="flow-([^"]+)"', line))}


def test_drawing_marks_flows_lawful_under_the_policy_only():
    from paths import SAMPLE
    from lineage.drawing import context_of
    from lineage.drawing.dot import build_dot
    from lineage.drawing.style import LAW_ONLY_STYLE, STATUS_STYLE
    audit = check(SAMPLE, packs=TWO)
    dot = build_dot(audit.graph, context_of(audit))
    edges = _edge_lines(dot)
    for flow in ("F45", "F46", "F47", "F48"):
        assert f'color="{LAW_ONLY_STYLE["color"]}"' in edges[flow], flow
        assert "law-only" in edges[flow] and "§ violation AP" in edges[flow], flow
    # F31 breaks the policy too: it stays red.
    assert f'color="{STATUS_STYLE["violation"]["color"]}"' in edges["F31"]
    assert "law-only" not in edges["F31"]
    assert "§ policy ok, Act violated: AP rule IDs" in dot
    assert "lawful under the policy but not the Act" in dot.splitlines()[1]
    single = build_dot(check(SAMPLE).graph, context_of(check(SAMPLE)))
    assert "law-only" not in single and "§" not in single


def test_drawing_marks_sensitive_items_and_foreign_recipients():
    from lineage.drawing import context_of
    from lineage.drawing.dot import build_dot
    audit = check(build_example("""
data_items:
  - {id: dental, name: 歯科診療記録, name_en: Dental record, kind: sensitive}
parties:
  - {id: ph-centre, name: フィリピンのコールセンター, name_en: PH call centre, role: outsourcee,
     country: PH}
flows:
  - {id: F1, from: customers, to: mc, items: [name, dental], start: 2024-01-01}
"""))
    dot = build_dot(audit.graph, context_of(audit))
    assert "F1: Name, ◆Dental record" in _edge_lines(dot)["F1"]
    assert "PH call centre\\n◇ abroad: PH" in dot
    assert "◆</b></td><td align=\"left\">sensitive item (要配慮個人情報)" in dot
    assert "◇</b></td><td align=\"left\">in a foreign country (ISO code)" in dot
    ja = build_dot(audit.graph, context_of(audit, lang="ja"))
    assert "◇ 外国: PH" in ja and "◆歯科診療記録" in ja


def test_merged_edge_is_law_only_when_all_its_violations_are():
    from lineage.drawing.views import merge_parallel
    import networkx as nx
    g = nx.MultiDiGraph()
    g.add_edge("a", "b", key="F1", items=["x"], start="2025-01-01", end=None,
               status="violation", law_only=True)
    g.add_edge("a", "b", key="F2", items=["y"], start="2025-01-01", end=None,
               status="ok", law_only=False)
    g.add_edge("a", "c", key="F3", items=["x"], start="2025-01-01", end=None,
               status="violation", law_only=True)
    g.add_edge("a", "c", key="F4", items=["y"], start="2025-01-01", end=None,
               status="violation", law_only=False)
    merged = merge_parallel(g)
    assert merged.edges["a", "b", "F1"]["law_only"] is True
    assert merged.edges["a", "c", "F3"]["law_only"] is False


def test_draw_command_takes_the_packs(run_cli, tmp_path):
    from paths import SAMPLE
    out = tmp_path / "map.dot"
    run_cli("draw", SAMPLE, "-o", out, "--rules", "policy,appi")
    assert 'class="flow status-violation route-outsourcing law-only"' in \
        out.read_text(encoding="utf-8")


def test_terminal_table_shows_each_pack_and_the_gap(run_cli):
    from paths import SAMPLE
    out = run_cli("check", SAMPLE, "--rules", "policy,appi", expect=1).stdout
    lines = out.splitlines()
    f48 = next(line for line in lines if line.startswith("F48 "))
    assert f48.endswith("VIOLATION  [policy ok · appi violation]  § policy ok, Act not")
    f31 = next(line for line in lines if line.startswith("F31 "))
    assert f31.endswith("[policy violation · appi violation]")
    assert lines[-3:] == [
        "by pack policy: 48 flows: 39 ok, 0 warning, 8 violation, 1 waived",
        "by pack appi: 48 flows: 43 ok, 0 warning, 5 violation, 0 waived",
        "satisfy the policy but not the Act: 4 flows (F45, F46, F47, F48)"]
    ja = run_cli("check", SAMPLE, "--rules", "policy,appi", "--lang", "ja", expect=1).stdout
    assert "[方針 違反 · 個人情報保護法 違反]" in ja
    assert "方針には適合し法には違反: フロー 4 件 (F45, F46, F47, F48)" in ja


def test_csv_gives_the_pack_and_each_pack_status(run_cli):
    import csv
    from paths import SAMPLE
    out = run_cli("check", SAMPLE, "--rules", "policy,appi", "--format", "csv", expect=1).stdout
    rows = {r["id"]: r for r in csv.DictReader(out.removeprefix("\ufeff").splitlines())}
    assert list(next(iter(rows.values())))[-3:] == ["pack", "status_policy", "status_appi"]
    assert (rows["AP261:F48"]["pack"], rows["AP261:F48"]["status_policy"],
            rows["AP261:F48"]["status_appi"]) == ("appi", "ok", "violation")
    assert rows["TP301:F31:J2@2025-04-01"]["pack"] == "policy"
    single = run_cli("check", SAMPLE, "--format", "csv", expect=1).stdout
    assert "status_policy" not in single.splitlines()[0]


@pytest.mark.parametrize("fmt", ["sarif", "junit"])
def test_other_formats_run_with_law_findings(run_cli, fmt):
    from paths import SAMPLE
    out = run_cli("check", SAMPLE, "--rules", "policy,appi", "--format", fmt, expect=1).stdout
    assert "AP221" in out


def test_xlsx_runs_with_law_findings(run_cli, tmp_path):
    from paths import SAMPLE
    out = tmp_path / "f.xlsx"
    run_cli("check", SAMPLE, "--rules", "policy,appi", "--format", "xlsx", "-o", out, expect=1)
    assert out.stat().st_size > 0


def test_explain_a_law_rule(run_cli):
    out = run_cli("explain", "ap221").stdout
    assert out.startswith("AP221  Provision to a third party in a foreign country")
    assert "Act (法): 個人情報保護法 第28条 外国にある第三者への提供の制限" in out
    assert "https://laws.e-gov.go.jp/law/415AC0000000057" in out
    assert "checked with --rules policy,appi" in out
    assert "Failing example (outsourcing to a call centre in the Philippines) -> AP221:F1:" in out


def test_reference_page_has_the_law_pack_with_headings_and_no_wording():
    from paths import ROOT
    page = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    law = page[page.index("## Law pack `appi`"):]
    assert "The Act's own wording is not quoted" in law
    assert "https://laws.e-gov.go.jp/law/415AC0000000057" in law
    from lineage.rules.registry import REGISTRY
    for rule in REGISTRY.select(["appi"]):
        if rule.id.startswith("AP"):
            assert f"### {rule.id}: {rule.title_en}" in law
            assert f"Article {rule.clause.heading_ja} ({rule.clause})" in law


def test_a_selection_leaving_no_rule_of_the_packs_is_an_error(run_cli):
    # --rules appi --select TP101 ran no rule and called every flow ok (a review found it)
    res = run_cli("check", "inventories/monocollabo", "--rules", "appi", "--select", "TP101",
                  expect=2)
    assert res.stderr.splitlines()[0] == (
        "error: --select/--ignore leave no rule of the rule packs to run (appi)")
    res = run_cli("check", "inventories/monocollabo", "--ignore", "TP", "--lang", "ja",
                  expect=2)
    assert "ルールパック（policy）の規則が一つも残りません" in res.stderr
