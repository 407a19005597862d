"""Excel: the workbook inventory reader, the template, and the findings workbook."""

from __future__ import annotations

import datetime as dt
import io
import time

import openpyxl
import pytest

import lineage
from lineage.forms import convert
from lineage.model import InventoryError, load
from lineage.output import xlsx as findings_xlsx
from lineage.output.xlsxbase import neutralise

from paths import SAMPLE


@pytest.fixture
def book(tmp_path):
    """The sample as a workbook, to break by hand."""
    return convert(SAMPLE, tmp_path / "inv.xlsx")


def _column(ws, name: str) -> int:
    for cell in ws[1]:
        if cell.value and str(cell.value).splitlines()[0] == name:
            return cell.column
    raise KeyError(name)


def _problems(path) -> list[str]:
    with pytest.raises(InventoryError) as exc:
        load(path)
    return [str(p) for p in exc.value.problems]


# -- reading a hand-broken workbook ----------------------------------------------------
def test_hand_broken_workbook_names_sheet_row_and_column(book, tmp_path, run_cli):
    wb = openpyxl.load_workbook(book)
    parties, flows, consents = wb["parties"], wb["flows"], wb["consents"]
    parties.cell(row=3, column=_column(parties, "role")).value = "vendor"       # wrong enum
    consents.delete_cols(_column(consents, "items"))                            # missing column
    flows.cell(row=6, column=_column(flows, "to")).value = "nobody"             # dangling
    flows.cell(row=5, column=_column(flows, "start")).value = "April 2024"      # not a date
    broken = tmp_path / "broken.xlsx"
    wb.save(broken)
    for command in ("check", "validate"):
        result = run_cli(command, broken, expect=2)
        err = result.stderr
        assert "[sheet parties] row 3 column D (role): parties monocollabo-media: field " \
               "'role': 'vendor' is not one of" in err, err
        assert "[sheet consents] row 1 column items: consents: field 'items': required " \
               "column 'items' (データ項目) is missing" in err
        # one error for the column, not one more per row (the trial of round 12)
        assert "required field is missing" not in err
        assert "[sheet flows] row 6 column C (to): flows F05: field 'to': unknown party " \
               "'nobody'" in err
        assert "[sheet flows] row 5 column P (start): flows F04: field 'start': cannot " \
               "read 'April 2024' as a date (accepted forms: YYYY-MM-DD, YYYY/MM/DD, " \
               "YYYY.MM.DD, YYYY年M月D日, 令和N年M月D日 (R7.6.15))" in err
        assert err.rstrip().endswith("problems; nothing was checked.")


def test_unknown_sheet_unknown_column_formula_and_revision_of_unknown_notice(book, tmp_path):
    wb = openpyxl.load_workbook(book)
    wb.create_sheet("Sheet1")["A1"] = "x"
    flows = wb["flows"]
    flows.cell(row=1, column=flows.max_column + 1).value = "colour"
    flows.cell(row=2, column=_column(flows, "note")).value = "=1+1"
    revisions = wb["notice_revisions"]
    revisions.cell(row=2, column=_column(revisions, "notice")).value = "J9"
    broken = tmp_path / "broken.xlsx"
    wb.save(broken)
    problems = _problems(broken)
    text = "\n".join(problems)
    assert "[sheet Sheet1]: unknown sheet 'Sheet1'" in text
    assert "[sheet flows] row 1 column Y (colour): flows: field 'colour': unknown column " \
           "'colour' (typo?)" in text
    flow = flows.cell(row=2, column=_column(flows, "id")).value
    assert f"[sheet flows] row 2 column X (note): flows {flow}: field 'note': cell holds a " \
           "formula (=1+1)" in text
    assert "[sheet notice_revisions] row 2 column A (notice): notices J9: field " \
           "'revisions': revision of unknown notice 'J9'" in text


def test_an_unknown_or_repeated_column_hides_no_other_problem(book, tmp_path):
    # an unknown column stopped the read: the sheets' other problems were not reported
    # (a trial found it; a CSV folder reports them all)
    wb = openpyxl.load_workbook(book)
    parties, flows = wb["parties"], wb["flows"]
    flows.cell(row=1, column=flows.max_column + 1).value = "owner"
    parties.cell(row=1, column=parties.max_column + 1).value = "role"
    flows.cell(row=6, column=_column(flows, "to")).value = "nobody"
    broken = tmp_path / "broken.xlsx"
    wb.save(broken)
    text = "\n".join(_problems(broken))
    assert "[sheet flows] row 1 column Y (owner): flows: field 'owner': unknown column " \
           "'owner' (typo?)" in text
    assert "column 'role' appears twice (also D (role))" in text
    assert "[sheet flows] row 6 column C (to): flows F05: field 'to': unknown party " \
           "'nobody'" in text


def test_cells_as_users_type_them(tmp_path):
    wb = openpyxl.Workbook()
    top = wb.active
    top.title = "inventory"
    top.append(["format", "organisation", "as_of\n基準日"])
    top.append(["lineage/1", "org", dt.datetime(2026, 4, 1)])
    parties = wb.create_sheet("parties")
    parties.append(["ID", "名称", "役割"])             # Japanese headers only
    parties.append(["org", "組織", "self"])
    parties.append([7, "数字のID", "third_party"])     # an ID typed as a number
    parties.append([None, None, None])                 # blank rows are skipped
    flows = wb.create_sheet("flows")
    flows.append(["id", "from", "to", "items", "start", "end", "recorded", "storage_only"])
    flows.append(["F1", "org", 7.0, "name ; email", dt.datetime(2024, 1, 1), "2024-12-31",
                  True, "false"])
    path = tmp_path / "typed.xlsx"
    wb.save(path)
    inv = load(path)
    assert inv.as_of == dt.date(2026, 4, 1)
    assert [p.id for p in inv.parties] == ["org", "7"] and inv.parties[0].name == "組織"
    flow = inv.flows[0]
    assert (flow.to, flow.items, flow.start, flow.end, flow.recorded, flow.storage_only) == \
        ("7", ["name", "email"], dt.date(2024, 1, 1), dt.date(2024, 12, 31), True, False)


def test_a_date_with_a_time_of_day_is_refused(tmp_path):
    path = convert(SAMPLE, tmp_path / "inv.xlsx")
    wb = openpyxl.load_workbook(path)
    flows = wb["flows"]
    flows.cell(row=2, column=_column(flows, "start")).value = dt.datetime(2024, 1, 1, 9, 30)
    wb.save(path)
    assert any("row 2 column P (start)" in p and "without a time of day" in p
               for p in _problems(path))


def test_not_a_workbook(tmp_path, run_cli):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"PK not really")
    result = run_cli("validate", path, expect=2)
    assert "fake.xlsx: not a readable Excel workbook (.xlsx)" in result.stderr


def test_formula_like_names_are_text_in_the_inventory_workbook(tmp_path):
    src = tmp_path / "inv.yaml"
    src.write_text("format: lineage/1\norganisation: a\nparties:\n"
                   "  - {id: a, name: '=HYPERLINK(\"http://evil\",\"x\")'}\n"
                   "  - {id: b, name: '@SUM(1)', name_en: '-2+3'}\n"
                   "flows: [{id: F1, from: a, to: b, items: [x], start: 2024-01-01}]\n",
                   encoding="utf-8")
    out = convert(src, tmp_path / "inv.xlsx")
    ws = openpyxl.load_workbook(out)["parties"]
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert ws["B2"].value == '=HYPERLINK("http://evil","x")' and ws["B2"].quotePrefix
    assert [p.name for p in load(out).parties] == ['=HYPERLINK("http://evil","x")', "@SUM(1)"]


# -- the template ---------------------------------------------------------------------------
def test_template_has_every_sheet_headers_validations_and_one_example_row(tmp_path, run_cli):
    out = tmp_path / "template.xlsx"
    assert run_cli("template", out).stdout == f"{out}: template written\n"
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["inventory", "data_items", "purposes", "parties", "contracts",
                             "consents", "notices", "events", "stop_requests", "flows",
                             "waivers", "notice_revisions", "policy_clauses"]
    for ws in wb.worksheets:
        rows = ws.max_row - 1
        assert rows == {"parties": 5, "policy_clauses": 2}.get(ws.title, 1), (ws.title, rows)
        assert ws.freeze_panes == "A2" and ws["A1"].comment is not None
    assert wb["flows"]["B1"].value == "from\n提供元"
    assert wb["parties"]["D1"].value == "role\n役割"

    def lists(ws):
        return {str(dv.sqref).split(":")[0][:-1]: dv.formula1
                for dv in ws.data_validations.dataValidation if dv.type == "list"}

    role, kind, basis = (_column(wb["parties"], "role"), _column(wb["data_items"], "kind"),
                         _column(wb["flows"], "basis"))
    letter = openpyxl.utils.get_column_letter
    assert lists(wb["parties"])[letter(role)] == \
        '"self,outsourcee,joint_user,third_party,successor,public_body,data_subject,academic"'
    assert lists(wb["data_items"])[letter(kind)] == '"personal,sensitive,linkable"'
    assert lists(wb["flows"])[letter(basis)].startswith('"consent,law,life,')
    assert lists(wb["flows"])[letter(_column(wb["flows"], "recorded"))] == '"TRUE,FALSE"'
    inv = load(out)
    assert inv.organisation == "example-co" and inv.notices[0].revisions
    assert lineage.check(out).exit_code() == 0
    assert run_cli("template", out, expect=2).stderr.endswith("use --force to replace it\n")
    assert "use a .xlsx path" in run_cli("template", tmp_path / "t.csv", expect=2).stderr


def test_template_bytes_are_stable():
    from lineage.forms.template import template_bytes
    first = template_bytes()
    time.sleep(1.1)  # openpyxl would stamp the new second into core.xml and the zip
    assert template_bytes() == first


# -- findings to Excel ----------------------------------------------------------------------
def test_check_format_xlsx_writes_findings_flows_and_rules(tmp_path, run_cli):
    out = tmp_path / "findings.xlsx"
    result = run_cli("check", SAMPLE, "--format", "xlsx", "-o", out, expect=1)
    assert result.stdout == ""
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["findings", "flows", "rules-policy", "rules-always"]
    findings = wb["findings"]
    assert [c.value for c in findings[1]][:6] == ["ID", "rule", "title", "clause", "kind",
                                                   "severity"]
    assert findings.auto_filter.ref == "A1:S11" and findings.freeze_panes == "B2"
    assert findings["A2"].value == "TP222:F30:phone"
    assert findings.max_row == 11
    flows = wb["flows"]
    assert flows.max_row == 49 and flows.auto_filter.ref.startswith("A1:")
    assert isinstance(flows["I2"].value, dt.datetime)  # start is a date cell
    rules = [r[0].value for r in wb["rules-policy"].iter_rows(min_row=2)]
    assert rules[0] == "TP101" and len(rules) == 27
    assert [r[0].value for r in wb["rules-always"].iter_rows(min_row=2)] == ["LW001", "LW002"]


def test_check_format_xlsx_in_japanese(tmp_path, run_cli):
    out = tmp_path / "指摘.xlsx"
    run_cli("check", SAMPLE, "--format", "xlsx", "--lang", "ja", "-o", out, expect=1)
    wb = openpyxl.load_workbook(out)
    # an office's workbook: Japanese tabs, kinds, severities and routes in evidence
    assert wb.sheetnames == ["指摘", "データの流れ", "ルール（方針）", "ルール（共通）"]
    findings = wb["指摘"]
    headers = [c.value for c in findings[1]]
    assert headers[:4] == ["ID", "ルール", "表題", "条項"] and "指摘の内容" in headers
    assert findings["C2"].value == "通知・公表されていない項目の共同利用"
    column = {h: n for n, h in enumerate(headers)}
    rows = list(findings.iter_rows(min_row=2, values_only=True))
    assert {r[column["重大度"]] for r in rows} == {"エラー"}
    assert "本人の同意なし" in {r[column["種類"]] for r in rows}
    assert any("最も近い根拠=共同利用" in (r[column["根拠資料"]] or "") for r in rows)
    assert not any("=joint_use" in (r[column["根拠資料"]] or "") for r in rows)
    statuses = {r[11].value for r in wb["データの流れ"].iter_rows(min_row=2)}
    assert statuses == {"適合", "違反", "承認済み"}
    assert [r[6].value for r in wb["ルール（共通）"].iter_rows(min_row=2)] == ["警告", "警告"]


def test_check_format_xlsx_needs_an_output_file(run_cli):
    result = run_cli("check", SAMPLE, "--format", "xlsx", expect=2)
    assert result.stderr == "error: --format xlsx writes a workbook: give -o FILE.xlsx\n"


def test_findings_workbook_neutralises_formula_like_cells(tmp_path):
    src = tmp_path / "inv.yaml"
    # IDs may start with '-' or '@'; a finding's message and the flow table carry them.
    src.write_text("format: lineage/1\norganisation: org\n"
                   "parties: [{id: org, role: self}, {id: '@evil', role: third_party},\n"
                   "          {id: '-cmd', role: data_subject}]\n"
                   "flows: [{id: F1, from: '-cmd', to: org, items: [x], start: 2024-01-01},\n"
                   "        {id: F2, from: org, to: '@evil', items: [x], start: 2024-01-01}]\n",
                   encoding="utf-8")
    audit = lineage.check(src)
    assert any(f.to == "@evil" for f in audit.results)
    wb = openpyxl.load_workbook(io.BytesIO(findings_xlsx.render(audit)))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    risky = [c.value for c in cells if isinstance(c.value, str) and c.value[:1] in "=+-@"]
    assert risky == [], risky
    values = {c.value for c in cells}
    assert "'@evil" in values and "'-cmd" in values


def test_neutralise():
    assert [neutralise(v) for v in ("=1+1", "+1", "-1", "@A", "\t=x", "ok", 5, None)] == \
        ["'=1+1", "'+1", "'-1", "'@A", "'\t=x", "ok", 5, None]


def test_findings_workbook_is_deterministic_and_has_an_api(tmp_path):
    audit = lineage.check(SAMPLE)
    first = findings_xlsx.render(audit)
    time.sleep(1.1)
    assert findings_xlsx.render(audit) == first
    out = audit.to_excel(tmp_path / "f.xlsx", lang="ja")
    assert out.read_bytes() == findings_xlsx.render(audit, "ja")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_findings_workbook_names_the_parties_beside_their_ids(tmp_path, run_cli):
    """Names go in columns of their own beside the IDs (the JSON report keeps IDs only)."""
    out = tmp_path / "f.xlsx"
    run_cli("check", SAMPLE, "--format", "xlsx", "-o", out, expect=1)
    wb = openpyxl.load_workbook(out)
    head = [c.value for c in wb["findings"][1]]
    assert head[6:11] == ["flow", "from", "from name", "to", "to name"]
    row = {h: c.value for h, c in zip(head, wb["findings"][2])}
    assert (row["ID"], row["from"], row["from name"], row["to"], row["to name"]) == (
        "TP222:F30:phone", "monocollabo", "Monocollabo",
        "collabo-living", "Collabo Living (group company, interior goods)")
    flows = wb["flows"]
    assert [c.value for c in flows[1]][:5] == ["flow", "from", "from name", "to", "to name"]
    assert [c.value for c in flows[2]][:5] == [
        "F01", "members", "Members", "monocollabo", "Monocollabo"]
    ja = tmp_path / "ja.xlsx"
    run_cli("check", SAMPLE, "--format", "xlsx", "--lang", "ja", "-o", ja, expect=1)
    wb = openpyxl.load_workbook(ja)
    assert [c.value for c in wb["指摘"][1]][7:11] == ["提供元", "提供元の名称", "提供先",
                                                      "提供先の名称"]
    assert [c.value for c in wb["指摘"][2]][7:11] == [
        "monocollabo", "モノコラボ", "collabo-living", "株式会社コラボリビング（グループ会社）"]
