"""The organisation's own policy (inventory ``policy:``): reports quote it and nothing else.

An inventory of another organisation, without a ``policy`` section, must get
reports that quote none of the reference company's policy; with its own
``policy`` section, every report quotes its labels and words.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import openpyxl
import pytest

import lineage
from lineage.model import InventoryError, load
from lineage.model.schema import POLICY_CLAUSES
from lineage.output import csvtable, jsonreport, sarif, table, xlsx
from lineage.output import report_html
from lineage.rules.clauses import Clause, cite
from lineage.rules.registry import REGISTRY

from paths import SAMPLE

#: Sentences only the reference company's policy (docs/spec/policy-ja.txt) says, and the
#: English glosses earlier versions of lineage printed for them.
REFERENCE = [
    "漏えいや再提供を行わないよう契約により義務づけ",
    "あらかじめご本人の同意を得ないで、個人情報を第三者に提供しません",
    "共同して利用される個人情報の項目",
    "その目的と方法を開示してまいります",
    "利用目的に第三者への提供を含むこと",
    "法令に基づく場合",
    "モノコラボは、",
    "we oblige the outsourcee by contract",
    "Except in the listed cases we do not provide",
]

#: Another organisation's own policy, in words no other text of lineage has.
OWN_POLICY = """\
policy:
  title: さくら歯科 個人情報の取扱方針
  publisher: 医療法人さくら歯科
  url: https://sakura-dental.example/privacy
  revised_on: 2025-04-01
  file: docs/方針.md
  clauses:
    "5[1]": {label: 第九条の二, text: さくら歯科は患者さまの承諾なく診療情報を外部へ渡しません。}
    "5[2]3": {label: 第十一条, text: 系列医院とは告知した範囲でのみ共に利用いたします。}
    "5[3]": {label: 第十一条の三}
    "5[1]5": {label: 第十条, text: 届け出た手順で停止の求めに応じ提供を止めます。}
    "1.5": {label: 第七条, text: 委託先には再提供を禁ずる契約を課します。}
    "5[1]1": {label: 第九条第一号, text: 法律の定めによるとき。}
    "8": {label: 第十五条, text: 端末識別子も氏名と結び付ければ個人の情報として扱います。}
"""
OWN_TEXT = "# さくら歯科 個人情報の取扱方針\n\n第九条の二 さくら歯科は患者さまの承諾なく…\n\n附則 全文の末尾。\n"


def _other_org(tmp_path: Path, policy: str | None) -> Path:
    """The sample's flows under another organisation's name, with ``policy`` or none."""
    inv = tmp_path / "sakura"
    shutil.copytree(SAMPLE, inv, ignore=shutil.ignore_patterns(".lineage", "policy.*"))
    top = (inv / "inventory.yaml").read_text(encoding="utf-8")
    if policy is not None:
        top += policy
        (inv / "docs").mkdir()
        (inv / "docs" / "方針.md").write_text(OWN_TEXT, encoding="utf-8")
    (inv / "inventory.yaml").write_text(top, encoding="utf-8")
    return inv


def _xlsx_text(data: bytes) -> str:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return "\n".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows()
                     for c in row if c.value is not None)


def _reports(audit) -> dict[str, str]:
    out = {}
    for lang in ("en", "ja"):
        rep = report_html.build(audit, lang=lang, drawing=False)
        out.update({
            f"json-{lang}": jsonreport.render(audit),
            f"table-{lang}": table.render(audit, lang),
            f"csv-{lang}": csvtable.render(audit, lang),
            f"markdown-{lang}": report_html.render_markdown(rep),
            f"html-{lang}": report_html.render_html(rep),
            f"xlsx-{lang}": _xlsx_text(xlsx.render(audit, lang)),
            f"sarif-{lang}": sarif.render(audit, lang=lang),
        })
    return out


def test_sample_quotes_its_own_policy_everywhere():
    inv = load(SAMPLE)
    assert inv.policy.title == "個人情報保護方針"
    # every clause the policy rules cite has the sample's own words
    cited = {p for r in REGISTRY.rules.values() if isinstance(r.clause, Clause)
             for p in r.clause.parts}
    for part in sorted(cited - {"waivers"}):
        assert all(c.quoted for c in cite(part, inv.policy)), part
    assert inv.policy.full_text == (SAMPLE / "policy.txt").read_text(encoding="utf-8")
    assert set(POLICY_CLAUSES) <= set(inv.policy.clauses)


def test_another_organisation_without_policy_gets_no_reference_text(tmp_path):
    audit = lineage.check(_other_org(tmp_path, None))
    assert audit.inventory.policy is None and audit.results
    reports = _reports(audit)
    for name, text in reports.items():
        for sentence in REFERENCE:
            assert sentence not in text, (name, sentence)
    # a finding still cites its rule and clause key, and the spec's restatement
    html = reports["html-en"]
    tp222 = html[html.index('id="finding-TP222:F30:phone"'):]
    assert "5[2]3" in tp222[:3000]
    assert "A joint-use flow carries an item the notice does not list" in tp222[:3000]
    data = json.loads(reports["json-en"])
    assert "policy" not in data and not any("policy" in f for f in data["findings"])
    assert reports["csv-en"].splitlines()[1].endswith(",false,,")


def test_another_organisation_with_policy_quotes_its_labels_and_text(tmp_path):
    audit = lineage.check(_other_org(tmp_path, OWN_POLICY))
    reports = _reports(audit)
    for name, text in reports.items():
        for sentence in REFERENCE:
            assert sentence not in text, (name, sentence)
        # TP222 cites 5[2]3, TP101 5[1]: their labels everywhere, their words where a
        # report quotes text (the terminal table lists them once at the end)
        for label in ("第十一条", "第九条の二"):
            assert label in text, (name, label)
        for words in ("系列医院とは告知した範囲でのみ共に利用いたします。",
                      "さくら歯科は患者さまの承諾なく診療情報を外部へ渡しません。"):
            assert words in text, (name, words)
    data = json.loads(reports["json-en"])
    assert data["policy"] == {"title": "さくら歯科 個人情報の取扱方針",
                              "publisher": "医療法人さくら歯科",
                              "url": "https://sakura-dental.example/privacy",
                              "revised_on": "2025-04-01", "file": "docs/方針.md"}
    tp123 = next(f for f in data["findings"] if f["rule"] == "TP123")
    # 5[1]5(2) is not mapped: nothing is quoted, not even the enclosing 5[1]5 the policy
    # maps (inventory.md: "for a clause it does not map ... quotes no policy text")
    assert tp123["clause"] == "5[1]5(2)" and tp123["policy"] == []
    tp301 = next(f for f in data["findings"] if f["rule"] == "TP301")
    assert tp301["policy"] == [{"clause": "5[3]", "label": "第十一条の三", "text": None}]
    # the whole text is the HTML report's appendix
    assert "附則 全文の末尾。" in reports["html-ja"]


@pytest.mark.parametrize("path, message", [
    ("../outside.md", "lies outside the inventory's folder"),
    ("/etc/passwd", "lies outside the inventory's folder"),
    ("missing.md", "no such file"),
])
def test_policy_file_outside_or_missing_is_an_input_error(tmp_path, path, message):
    inv = _other_org(tmp_path, OWN_POLICY.replace("docs/方針.md", path))
    (tmp_path / "outside.md").write_text("secret", encoding="utf-8")
    with pytest.raises(InventoryError) as exc:
        load(inv)
    text = str(exc.value)
    assert "inventory.yaml" in text and "field 'policy.file'" in text and message in text


def test_policy_clause_key_and_fields_are_checked(tmp_path):
    inv = _other_org(tmp_path, OWN_POLICY.replace('"5[3]": {label: 第十一条の三}',
                                                  '"5[3]": {lable: 第十一条の三}\n'
                                                  '    "fünf": {label: x}'))
    with pytest.raises(InventoryError) as exc:
        load(inv)
    text = str(exc.value)
    assert "unknown key 'lable'" in text and "did you mean 'label'" in text
    assert "fünf" in text


@pytest.mark.parametrize("form, name", [("csv", "csv"), ("yaml", "yaml"),
                                        ("xlsx", "inv.xlsx"), ("yaml", "one.yaml")])
def test_policy_survives_every_form(tmp_path, run_cli, form, name):
    src = _other_org(tmp_path, OWN_POLICY)
    out = tmp_path / "out" / name
    out.parent.mkdir()
    args = ["convert", src, out] + (["--to", form] if "." not in name else [])
    run_cli(*args)
    a, b = load(src), load(out)
    assert b.model_dump() == a.model_dump()
    assert b.policy.full_text == OWN_TEXT
    assert jsonreport.render(lineage.check(b)) == jsonreport.render(lineage.check(a))


def test_csv_folder_policy_files_are_readable_by_hand(tmp_path, run_cli):
    out = tmp_path / "csv"
    run_cli("convert", _other_org(tmp_path, OWN_POLICY), out, "--to", "csv")
    top = (out / "inventory.csv").read_text(encoding="utf-8-sig").splitlines()
    assert top[0] == ("format,organisation,as_of,policy.title,policy.publisher,policy.url,"
                      "policy.revised_on,policy.file")
    clauses = (out / "policy_clauses.csv").read_text(encoding="utf-8-sig").splitlines()
    assert clauses[0] == "clause,label,text"
    assert clauses[1] == "5[1],第九条の二,さくら歯科は患者さまの承諾なく診療情報を外部へ渡しません。"
    assert (out / "docs" / "方針.md").read_text(encoding="utf-8") == OWN_TEXT


def test_template_and_schema_offer_the_policy_section(tmp_path, run_cli):
    out = tmp_path / "t.xlsx"
    run_cli("template", out)
    wb = openpyxl.load_workbook(out)
    head = [c.value for c in wb["inventory"][1]]
    assert any(str(h).startswith("policy.title") for h in head)
    ws = wb["policy_clauses"]
    assert str(ws["A1"].value).startswith("clause")
    assert "5[1]5(3)" in ws["A1"].comment.text  # the keys a user may map, listed
    assert load(out).policy.clauses["5[1]"].label == "第5条第1項"
    schema = json.loads(run_cli("schema").stdout)
    clauses = schema["$defs"]["Policy"]["properties"]["clauses"]
    assert clauses["propertyNames"]["examples"] == list(POLICY_CLAUSES)
    assert re.search(r"方針", schema["properties"]["policy"]["description"])


def test_hostile_policy_text_stays_text(tmp_path):
    """The policy's title reaches the print stylesheet (page header) and its words the page:
    neither can end the style element, start a script, or run in the PDF header."""
    hostile = '"</style><script>window.__pwned=1</script>'
    policy = OWN_POLICY.replace("title: さくら歯科 個人情報の取扱方針", f"title: '{hostile}'")
    policy = policy.replace("label: 第十一条,", f"label: '{hostile}',")
    audit = lineage.check(_other_org(tmp_path, policy))
    page = report_html.render_html(report_html.build(audit, lang="ja", drawing=False))
    assert "<script" not in page and page.count("</style>") == 1
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    style = page[page.index("<style>"):page.index("</style>")]
    assert "\\3c /style\\3e " in style and "\\22 " in style


def test_each_part_of_a_code_is_quoted_once_and_its_enclosing_clause_never():
    # the trial of round 14 read the policy's 5[1] twice under TP112 (5[1]2, 5[1]3), which
    # fell back to it; since the audit of round 15 each part quotes its own clause only
    from lineage.audit import check
    from lineage.rules.examples import build_example
    from lineage.rules.policy.TP112 import TP112
    general, life, health = ("当会はあらかじめ同意を得ずに提供しません。", "生命等の保護のため。",
                             "公衆衛生の向上のため。")
    inv = build_example(TP112.fail.inventory + "policy:\n  title: 方針\n  clauses:\n"
                        f'    "5[1]": {{label: 第5条第1項, text: {general}}}\n'
                        f'    "5[1]2": {{label: 第5条第1項第2号, text: {life}}}\n'
                        f'    "5[1]3": {{label: 第5条第1項第3号, text: {health}}}\n')
    audit = check(inv)
    assert [(f.id, f.clause) for f in audit.results] == [("TP112:F1", "5[1]2, 5[1]3")]
    reports = _reports(audit)
    for name in ("table", "csv", "markdown", "html", "json"):
        for lang in ("en", "ja"):
            text = reports[f"{name}-{lang}"]
            assert (text.count(general), text.count(life), text.count(health)) == (0, 1, 1), (
                name, lang)


def test_a_clause_is_quoted_only_where_the_policy_maps_that_very_clause():
    # the audit of round 15: with only 5[1] mapped, TP111 (5[1]1, the "based on laws"
    # exemption) quoted the general prohibition as if it were that exemption's wording,
    # and TP112 (5[1]2, 5[1]3) quoted it twice in the JSON report
    from lineage.model.schema import Policy
    only = Policy(clauses={"5[1]": {"label": "第6条第1項", "text": "当社は…提供しません。"}})
    assert [c.quoted for c in cite("5[1]1", only)] == [False]
    assert [c.quoted for c in cite("5[1]2, 5[1]3", only)] == [False, False]
    assert [(c.clause, c.label) for c in cite("5[1]", only)] == [("5[1]", "第6条第1項")]


def test_a_range_quotes_each_clause_in_it_that_the_policy_maps():
    # TP122 cites 5[1]5(1)-(4): the four elements lineage schema offers to map
    # (it quoted nothing when all four were mapped, only a map of 5[1]5 itself)
    inv = load(SAMPLE)
    got = cite("5[1]5(1)-(4)", inv.policy)
    assert [(c.clause, c.label) for c in got] == [
        ("5[1]5(1)", "方針5 [1] 第5号(1)"), ("5[1]5(2)", "方針5 [1] 第5号(2)"),
        ("5[1]5(3)", "方針5 [1] 第5号(3)"), ("5[1]5(4)", "方針5 [1] 第5号(4)")]
    assert {"5[1]5(1)", "5[1]5(4)"} <= set(POLICY_CLAUSES)


def test_the_json_report_quotes_neither_twice_nor_an_enclosing_clause(tmp_path):
    inv = tmp_path / "inv.yaml"
    inv.write_text("""\
format: lineage/1
organisation: mc
as_of: 2026-01-01
policy:
  title: 方針
  publisher: 株式会社テスト
  clauses:
    "5[1]": {label: 第6条第1項, text: 当社は同意なく提供しません}
    "5[1]2": {label: 第6条第1項第2号, text: 人の生命、身体又は財産の保護のために必要な場合}
parties:
  - {id: mc, role: self}
  - {id: customers, role: data_subject}
  - {id: partner, role: third_party}
data_items:
  - {id: name}
purposes:
  - {id: ads, announced_on: 2024-01-01}
flows:
  - {id: C1, from: customers, to: mc, items: [name], purposes: [ads], start: 2024-01-01}
  - {id: P3, from: mc, to: partner, items: [name], purposes: [ads], basis: life,
     start: 2025-01-01}
""", encoding="utf-8")
    data = json.loads(jsonreport.render(lineage.check(inv)))
    tp112 = next(f for f in data["findings"] if f["rule"] == "TP112")
    assert tp112["clause"] == "5[1]2, 5[1]3"
    # (the code before quoted 5[1] for 5[1]3, and in the JSON once more for 5[1]2's
    # neighbour: the audit of round 15)
    assert tp112["policy"] == [{"clause": "5[1]2", "label": "第6条第1項第2号",
                                "text": "人の生命、身体又は財産の保護のために必要な場合"}]


def test_a_policy_file_with_windows_line_ends_reads_cleanly_in_the_report(tmp_path):
    # the review of round 15: every line of the appendix ended with a shown "\x0d"
    inv = tmp_path / "inv"
    shutil.copytree(SAMPLE, inv, ignore=shutil.ignore_patterns(".lineage"))
    text = (inv / "policy.txt").read_text(encoding="utf-8")
    # every line ends with CR, the last with CR alone (sed 's/$/\r/' on a file without a
    # final line feed): the review's case
    (inv / "policy.txt").write_bytes((text.rstrip("\n").replace("\n", "\r\n") + "\r")
                                     .encode("utf-8"))
    page = report_html.render_html(report_html.build(lineage.check(inv), drawing=False))
    assert "\\x0d" not in page and "\r" not in page
    assert "このページのTOPへ戻る\n</div>" in page  # the last line: its CR ended it
