"""Issue 15, their files: Shift_JIS/UTF-8 CSV folders, dates as typed, Japanese headers,
BOM on every CSV written, volume in every form."""

from __future__ import annotations

import codecs
import re
import datetime as dt

import openpyxl
import pytest

from lineage.forms import convert
from lineage.model import InventoryError, load
from lineage.model.schema import parse_date

from paths import SAMPLE


def _excel_twin(tmp_path, name: str, encoding: str, newline: str = "\r\n"):
    """The sample as a CSV folder, re-encoded as Excel saves it."""
    utf8 = tmp_path / f"{name}-utf8"
    convert(SAMPLE, utf8, to="csv")
    out = tmp_path / name
    out.mkdir()
    for path in sorted(utf8.iterdir()):
        text = path.read_bytes().decode("utf-8-sig")
        (out / path.name).write_bytes(text.replace("\n", newline).encode(encoding))
    return utf8, out


def test_shift_jis_folder_gives_byte_identical_report(tmp_path, run_cli):
    utf8, sjis = _excel_twin(tmp_path, "sjis", "cp932")
    assert not (sjis / "parties.csv").read_bytes().startswith(codecs.BOM_UTF8)
    with pytest.raises(UnicodeDecodeError):
        (sjis / "parties.csv").read_bytes().decode("utf-8")
    a = run_cli("check", utf8, "--format", "json", expect=1).stdout
    b = run_cli("check", sjis, "--format", "json", expect=1).stdout
    c = run_cli("check", SAMPLE, "--format", "json", expect=1).stdout
    assert a == b == c
    # A UTF-8 folder without a BOM (what git keeps) too.
    _, plain = _excel_twin(tmp_path, "plain", "utf-8", "\n")
    assert run_cli("check", plain, "--format", "json", expect=1).stdout == a


def test_encoding_option_forces_the_codec(tmp_path, run_cli):
    _, sjis = _excel_twin(tmp_path, "sjis", "cp932")
    run_cli("validate", sjis, "--encoding", "cp932")
    err = run_cli("validate", sjis, "--encoding", "utf-8", expect=2).stderr
    # the encoding was named: the message says which one failed, not "neither ... nor"
    first = err.splitlines()[0]
    assert first.startswith(f"error: {sjis / 'consents.csv'}: not utf-8 text, the encoding "
                            "--encoding names (invalid ")
    assert first.endswith("); leave --encoding out (auto) to detect UTF-8 or Shift_JIS (CP932)")
    assert "neither" not in err
    assert load(sjis, encoding="cp932").model_dump() == load(SAMPLE).model_dump()


def test_every_csv_written_starts_with_a_bom(tmp_path, run_cli):
    out = tmp_path / "csv"
    run_cli("convert", SAMPLE, out, "--to", "csv")
    for path in out.glob("*.csv"):  # (policy.txt, the policy's text, travels as it is)
        assert path.read_bytes().startswith(codecs.BOM_UTF8), path.name
    assert run_cli("check", SAMPLE, "--format", "csv", expect=1).stdout.startswith("\ufeff")
    run_cli("export", SAMPLE, "-o", tmp_path / "g.csv")
    assert (tmp_path / "g.csv").read_bytes().startswith(codecs.BOM_UTF8)
    assert run_cli("trace", SAMPLE, "--item", "address", "--format", "csv"
                   ).stdout.startswith("\ufeff")


@pytest.mark.parametrize("text", ["2024-04-01", "2024/04/01", "2024/4/1", "2024年4月1日",
                                  "２０２４年４月１日", "２０２４／０４／０１", " 2024-04-01 "])
def test_date_forms(text):
    assert parse_date(text) == dt.date(2024, 4, 1)


def _one_flow(tmp_path, start: str, end: str = "", header=("id", "from", "to", "items",
                                                              "start", "end")):
    d = tmp_path / "inv"
    d.mkdir(exist_ok=True)
    (d / "inventory.csv").write_text("format,organisation\nlineage/1,a\n", encoding="utf-8")
    (d / "parties.csv").write_text("id,role\na,self\nb,third_party\n", encoding="utf-8")
    (d / "flows.csv").write_text(",".join(header) + f"\nF1,a,b,name,{start},{end}\n",
                                 encoding="utf-8")
    return d


def test_dates_and_empty_cells_in_csv(tmp_path):
    inv = load(_one_flow(tmp_path, "2024年4月1日", ""))
    assert inv.flows[0].start == dt.date(2024, 4, 1) and inv.flows[0].end is None


def test_japanese_headers_in_csv(tmp_path):
    d = _one_flow(tmp_path, "2024/04/01", "２０２５年３月３１日",
                  header=("ID", "提供元", "提供先", "データ項目", "開始日", "終了日"))
    (d / "flows.csv").rename(d / "データの流れ.csv")
    inv = load(d)
    assert (inv.flows[0].frm, inv.flows[0].end) == ("a", dt.date(2025, 3, 31))


def test_empty_end_in_yaml_is_absent(tmp_path):
    p = tmp_path / "inv.yaml"
    p.write_text("format: lineage/1\norganisation: a\nparties: [{id: a}, {id: b}]\n"
                 "flows:\n  - id: F1\n    from: a\n    to: b\n    items: [name]\n"
                 "    start: 2024/04/01\n    end:\n", encoding="utf-8")
    assert load(p).flows[0].end is None


def test_unreadable_date_message_in_both_languages(tmp_path, run_cli):
    d = _one_flow(tmp_path, "4月1日")
    err = run_cli("validate", d, "--lang", "en", expect=2).stderr
    assert "cannot read '4月1日' as a date (accepted forms: YYYY-MM-DD, YYYY/MM/DD, " \
           "YYYY.MM.DD, YYYY年M月D日, 令和N年M月D日 (R7.6.15))" in err
    err = run_cli("validate", d, "--lang", "ja", expect=2).stderr
    assert "日付として読めません: '4月1日'（使える形: YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, YYYY年M月D日, 令和N年M月D日 (R7.6.15)）" in err
    assert "flows.csv 2行目 列 start" in err and "エラー:" in err


def test_dates_in_a_workbook_as_text(tmp_path):
    book = tmp_path / "inv.xlsx"
    convert(SAMPLE, book)
    wb = openpyxl.load_workbook(book)
    ws = wb["flows"]
    col = next(c.column for c in ws[1] if str(c.value).startswith("start"))
    ws.cell(row=2, column=col).value = "２０２３年４月１日"
    wb.save(book)
    assert load(book).flows[0].start == dt.date(2023, 4, 1)


def test_volume_round_trips_every_form(tmp_path):
    want = {p.id: p.volume for p in load(SAMPLE).parties if p.volume is not None}
    assert want["monocollabo"]["customers"] == 120000 and want["members"] == 36000
    for dst, to in ((tmp_path / "c", "csv"), (tmp_path / "y", "yaml"),
                    (tmp_path / "i.xlsx", None), (tmp_path / "i.yaml", None)):
        convert(SAMPLE, dst, to=to)
        assert {p.id: p.volume for p in load(dst).parties if p.volume is not None} == want


def test_volume_refuses_words(tmp_path):
    p = tmp_path / "inv.yaml"
    p.write_text("format: lineage/1\norganisation: a\nparties: [{id: a, volume: many}]\n"
                 "flows: []\n", encoding="utf-8")
    with pytest.raises(InventoryError, match="volume"):
        load(p)


_VOLUME_WORDS = ("is not a volume: a whole number of people (120000 or 120,000), or "
                 "data-subject party IDs with numbers (customers=120000;members=3500)")


@pytest.mark.parametrize("cell, message", [
    ("6万", f"'6万' {_VOLUME_WORDS}"),
    ("-5", f"'-5' {_VOLUME_WORDS}"),
    ("c=6万", f"{{'c': '6万'}} {_VOLUME_WORDS}"),
    ("bad key=3", "'bad key' in volume is not a party ID (the IDs of data-subject parties, "
                  "customers=120000;members=3500)"),
    ("custmers=5", "unknown party 'custmers' (did you mean 'customers'?)"),
    ("b=5", "'b' is not a data_subject party"),
])
def test_a_bad_volume_is_said_in_words_in_every_form(tmp_path, run_cli, cell, message):
    # the trial of round 12: pydantic's union internals (with memory addresses) as the message
    d = _one_flow(tmp_path, "2025-01-01")
    (d / "parties.csv").write_text(f"id,role,volume\na,self,{cell}\nb,third_party,\n"
                                   "customers,data_subject,\n", encoding="utf-8")
    key, _, number = cell.partition("=")
    volume = f"{{{key!r}: {number!r}}}" if number else repr(cell)
    single = tmp_path / "inv.yaml"
    single.write_text("format: lineage/1\norganisation: a\nparties:\n"
                      f"  - {{id: a, role: self, volume: {volume}}}\n"
                      "  - {id: b, role: third_party}\n  - {id: customers, role: data_subject}\n"
                      "flows: []\n", encoding="utf-8")
    for path in (d, single):
        err = run_cli("validate", path, expect=2).stderr
        assert f"field 'volume': {message}" in err, err
        assert "function" not in err and "0x" not in err
    ja = run_cli("validate", d, "--lang", "ja", expect=2).stderr
    assert "function" not in ja and "0x" not in ja


def test_duplicate_id_does_not_hide_other_errors(tmp_path, run_cli):
    d = _one_flow(tmp_path, "someday")
    (d / "parties.csv").write_text("id,role\na,self\na,third_party\nb,vendor\n",
                                   encoding="utf-8")
    err = run_cli("validate", d, expect=2).stderr
    # the trial of round 13: it names where the first one is, too
    assert f"{d / 'parties.csv'} row 3 column id: parties a: field 'id': duplicate ID 'a' " \
           "in parties (first at row 2)" in err
    assert "（最初は 2行目）" in run_cli("validate", d, "--lang", "ja", expect=2).stderr
    assert "'vendor' is not one of" in err
    assert "cannot read 'someday' as a date" in err


def test_japanese_template_loads_and_offers_drop_downs(tmp_path, run_cli):
    out = tmp_path / "棚卸し.xlsx"
    assert "テンプレートを書き出しました" in run_cli("template", out, "--lang", "ja").stdout
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:4] == ["棚卸し", "データ項目", "利用目的", "当事者"]
    flows = wb["データの流れ"]
    headers = [c.value for c in flows[1]]
    assert headers[:5] == ["ID", "提供元", "提供先", "データ項目", "利用目的"]
    lists = {str(d.sqref).split(":")[0][0]: (d.formula1, d.errorStyle)
             for d in flows.data_validations.dataValidation}
    assert lists["B"] == ("ids_parties", "stop")         # from: one party ID
    assert lists["D"] == ("ids_data_items", "warning")   # items: a ;-list may hold several
    assert lists["E"] == ("ids_purposes", "warning")
    assert "consent" in lists["F"][0]                    # basis: the enumeration
    assert wb.defined_names["ids_parties"].attr_text == "'当事者'!$A$2:$A$5000"
    assert load(out).parties[0].volume == {"customers": 1200}
    roles = {d.formula1 for d in wb["当事者"].data_validations.dataValidation}
    assert any("data_subject" in f for f in roles)
    assert any(f.startswith("AND(LEN(") for f in roles)                # country: two letters
    assert load(out).model_dump() == load(run_template(tmp_path, run_cli)).model_dump()
    # a waiver's item may be a data-subject group (TP101:F08:members): no drop-down of
    # data items refusing it, while its flow keeps the flows' IDs
    waivers = wb["承認済みの指摘"]
    heads = [c.value for c in waivers[1]]
    letters = {h: openpyxl.utils.get_column_letter(n + 1) for n, h in enumerate(heads)}
    checked = {str(d.sqref).split(":")[0].rstrip("0123456789"): d.formula1
               for d in waivers.data_validations.dataValidation}
    assert checked[letters["フロー"]] == "ids_flows"
    assert letters["データ項目"] not in checked


def run_template(tmp_path, run_cli):
    out = tmp_path / "en.xlsx"
    run_cli("template", out, "--lang", "en")
    wb = openpyxl.load_workbook(out)
    assert wb["flows"]["B1"].value == "from\n提供元"
    return out


def test_library_takes_dates_as_text():
    import lineage
    from lineage import analysis
    a = lineage.check(SAMPLE, as_of="2026-04-01")
    assert a.as_of == dt.date(2026, 4, 1)
    assert lineage.check(SAMPLE, as_of="2026/4/1").as_of == a.as_of
    assert analysis.trace(SAMPLE, "address", as_of="2024-01-01").params["as_of"] == \
        dt.date(2024, 1, 1)
    assert analysis.impact(SAMPLE, "mailing-house", as_of="2025-01-01").params["as_of"] == \
        dt.date(2025, 1, 1)
    assert len(analysis.upstream(SAMPLE, "print-shop", as_of="2025-01-01").table)
    analysis.stop(SAMPLE, consent="C05", as_of="2026-01-01")
    analysis.reach_table(SAMPLE, as_of="2025-01-01")
    analysis.group_reach(SAMPLE, as_of="2025-01-01")
    with pytest.raises(ValueError, match="accepted forms"):
        lineage.check(SAMPLE, as_of="soon")


_PEOPLE = """\
format: lineage/1
organisation: mc
parties:
  - {id: mc, role: self, volume: {customers: 1000, members: 300}}
  - {id: customers, role: data_subject, volume: 5000}
  - {id: members, role: data_subject}
  - {id: visitors, role: data_subject}
  - {id: host, role: outsourcee, volume: {members: 250}}
  - {id: shop, role: outsourcee, volume: 40}
  - {id: mailer, role: outsourcee}
flows:
  - {id: F1, from: customers, to: mc, items: [name], start: 2024-01-01}
  - {id: F2, from: members, to: mc, items: [name], start: 2024-01-01}
  - {id: F3, from: visitors, to: mc, items: [name], start: 2024-01-01}
  - {id: F4, from: mc, to: host, items: [name], basis: outsourcing, start: 2024-01-01}
  - {id: F5, from: mc, to: shop, items: [name], basis: outsourcing, start: 2024-01-01}
  - {id: F6, from: customers, to: mailer, items: [name], start: 2024-01-01}
"""


def test_people_affected_counts_each_group_once(tmp_path, run_cli):
    from lineage.analysis import impact
    p = tmp_path / "inv.yaml"
    p.write_text(_PEOPLE, encoding="utf-8")
    host = impact(p, "host").extra["people"]
    # its own figure for members; customers: the largest figure of a holder (the group's
    # own 5000, not mc's 1000); visitors: nobody recorded a figure
    assert host["groups"] == [{"group": "customers", "count": 5000, "source": "customers"},
                              {"group": "members", "count": 250, "source": "host"}]
    assert host["unknown"] == ["visitors"] and host["total"] == 5250
    assert impact(p, "shop").extra["people"]["total"] == 40       # its plain number is all
    mailer = impact(p, "mailer").extra["people"]
    assert mailer["total"] == 5000 and mailer["groups"][0]["source"] == "customers"
    out = run_cli("impact", p, "--party", "host", "--lang", "ja").stdout
    # customers' 5,000 is the group's own record, not the host's: an upper bound
    assert out.startswith("漏えい時の影響: 最大 約5,250人分のデータ（他の当事者の記録による上限を含む）\n")
    assert impact(p, "shop").extra["people"]["upper_bound"] is False  # its own number
    assert "人数の記録がない本人: visitors" in out
    data = __import__("json").loads(run_cli("impact", p, "--party", "host", "--format",
                                            "json").stdout)
    assert data["people"]["total"] == 5250


def test_policy_text_named_encoding_message_and_auto(tmp_path, run_cli):
    from lineage.model.csvfolder import read_csv_folder
    inv = tmp_path / "inv.yaml"
    inv.write_text("format: lineage/1\norganisation: mc\nparties: [{id: mc, role: self}]\n"
                   "flows: []\npolicy: {file: policy.txt}\n", encoding="utf-8")
    (tmp_path / "policy.txt").write_bytes("個人情報保護方針\n".encode("cp932"))
    run_cli("validate", inv)  # detected: CP932
    err = run_cli("validate", inv, "--encoding", "utf-8", expect=2).stderr
    assert "'policy.txt': not utf-8 text, the encoding --encoding names (invalid start byte" \
        in err and "neither" not in err
    # "auto" names no codec: the folder's CP932 files are detected, not refused
    _, sjis = _excel_twin(tmp_path, "sjis", "cp932")
    assert read_csv_folder(sjis, encoding="auto").data["organisation"] == "monocollabo"


def _japanese_flows(tmp_path, run_cli):
    """A Japanese template (its path, workbook, flows sheet and that sheet's headers)."""
    out = tmp_path / "棚卸し.xlsx"
    run_cli("template", out, "--lang", "ja")
    wb = openpyxl.load_workbook(out)
    ws = wb["データの流れ"]
    return out, wb, ws, [c.value for c in ws[1]]


def test_workbook_errors_name_the_tab_and_header_as_written(tmp_path, run_cli):
    # A Japanese template's user looks for the tab データの流れ and the header 開始日,
    # not for "flows" and "start" (an office trial).
    out, wb, ws, heads = _japanese_flows(tmp_path, run_cli)
    ws.cell(row=2, column=heads.index("開始日") + 1).value = "April 2024"
    wb.save(out)
    err = run_cli("validate", out, "--lang", "ja", expect=2).stderr
    assert err.startswith(f"エラー: {out} シート データの流れ 2行目 列 P (開始日): flows F1: ")


def test_workbook_header_typo_formula_and_date_in_japanese(tmp_path, run_cli):
    out, wb, ws, heads = _japanese_flows(tmp_path, run_cli)
    ws.cell(row=1, column=heads.index("終了日") + 1).value = "修了日"
    wb.save(out)
    err = run_cli("validate", out, "--lang", "ja", expect=2).stderr
    assert "不明な列 '修了日' です（'終了日' のことですか？）" in err
    ws.cell(row=1, column=heads.index("終了日") + 1).value = "終了日"
    ws.cell(row=2, column=heads.index("開始日") + 1).value = "2025/13/1"
    wb.save(out)
    err = run_cli("validate", out, "--lang", "ja", expect=2).stderr
    assert "存在しない日付です: '2025/13/1'（月は 1〜12）" in err
    wb["当事者"].cell(row=2, column=1).value = '=CONCAT("example","-co")'
    wb.save(out)
    err = run_cli("validate", out, "--lang", "ja", expect=2).stderr
    assert ("シート 当事者 2行目 列 A (ID): parties: フィールド 'id': セルに数式 "
            "(=CONCAT(\"example\",\"-co\")) があります。値そのものを入力してください") in err


def test_a_missing_column_is_one_error_not_one_per_row(tmp_path, run_cli):
    # the trial of round 12: the column's error, then "required field is missing" on
    # every row (a thousand flows, a thousand lines)
    d = _one_flow(tmp_path, "2025-01-01", header=("id", "from", "to", "items", "end", "x"))
    (d / "flows.csv").write_text("id,from,to,items\n" + "".join(
        f"F{n},a,b,name\n" for n in range(50)), encoding="utf-8")
    err = run_cli("validate", d, expect=2).stderr
    assert err.splitlines() == [
        f"error: {d / 'flows.csv'} row 1 column start: flows: field 'start': required column "
        "'start' (開始日) is missing", "1 problem; nothing was checked."]
    book = tmp_path / "inv.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "inventory"
    wb.active.append(["format", "organisation"])
    wb.active.append(["lineage/1", "a"])
    wb.create_sheet("parties").append(["id", "role"])
    wb["parties"].append(["a", "self"])
    wb["parties"].append(["b", "third_party"])
    wb.create_sheet("flows").append(["id", "from", "to", "items"])
    for n in range(50):
        wb["flows"].append([f"F{n}", "a", "b", "name"])
    wb.save(book)
    err = run_cli("validate", book, expect=2).stderr
    assert "required column 'start'" in err and "required field is missing" not in err
    assert err.count("error:") == 1


@pytest.mark.parametrize("cell, day", [
    ("令和7年6月15日", dt.date(2025, 6, 15)), ("令和元年5月1日", dt.date(2019, 5, 1)),
    ("R7.6.15", dt.date(2025, 6, 15)), ("Ｒ７．６．１５", dt.date(2025, 6, 15)),
    ("H31/4/30", dt.date(2019, 4, 30)), ("㋿8年1月4日", dt.date(2026, 1, 4)),
    ("昭和64年1月7日", dt.date(1989, 1, 7))])
def test_japanese_era_dates_are_read(tmp_path, cell, day):
    # the trial of round 12: offices write 令和 dates, and they were refused
    assert load(_one_flow(tmp_path, cell)).flows[0].start == day
    # and an editor's JSON Schema lets them through (a review: not the full-width forms)
    from lineage.model.jsonschema import _DATE_PATTERN
    assert re.match(_DATE_PATTERN, cell)


def test_a_day_outside_its_era_is_refused_in_words(tmp_path, run_cli):
    err = run_cli("validate", _one_flow(tmp_path, "平成31年5月1日"), expect=2).stderr
    assert ("field 'start': not a date of 平成: '平成31年5月1日' (平成 ran from 1989-01-08 to "
            "2019-04-30)") in err
    ja = run_cli("validate", _one_flow(tmp_path, "令和1年4月30日"), "--lang", "ja",
                 expect=2).stderr
    assert "令和の日付ではありません: '令和1年4月30日'（令和は 2019-05-01）" in ja


def test_empty_header_cells_past_the_last_column_are_no_columns(tmp_path, run_cli):
    # the trial of round 13: Excel wrote ",," past the last header; the whole check stopped
    # at "empty column name"
    d = _one_flow(tmp_path, "2024-04-01")
    (d / "parties.csv").write_text("id,role,,\na,self,,\nb,third_party,,\n", encoding="utf-8")
    assert [p.id for p in load(d).parties] == ["a", "b"]
    for text in ("id,role,,\na,self,,\nb,third_party,,\n", "id,role,,\r\na,self\r\nb,third_party,\r\n"):
        (d / "parties.csv").write_text(text, encoding="utf-8")
        run_cli("validate", d)  # exit 0
    # (small and large folders take two readers: both are asked)
    big = "".join(f"p{n},third_party,,\n" for n in range(3000))
    (d / "parties.csv").write_text("id,role,,\na,self,,\nb,third_party,,\n" + big,
                                   encoding="utf-8")
    assert len(load(d).parties) == 3002
    # a value under such a column is still refused, in its row
    (d / "parties.csv").write_text("id,role,,\na,self,,\nb,third_party,,oops\n", encoding="utf-8")
    err = run_cli("validate", d, expect=2).stderr
    assert f"{d / 'parties.csv'} row 3: row has 4 cells but the header names 2 columns" in err
    # one inside the header still is an error
    (d / "parties.csv").write_text("id,,role\na,,self\nb,,third_party\n", encoding="utf-8")
    assert "row 1 column #2: empty column name" in run_cli("validate", d, expect=2).stderr


@pytest.mark.parametrize("cell, day", [
    ("2019-4-1", "2019-04-01"), ("2021.6.1", "2021-06-01"), ("2023年2月1日(水)", "2023-02-01"),
    ("令和5年2月1日（水曜日）", "2023-02-01"), ("2025/10/15 0:00", "2025-10-15"),
    ("2025/10/15 00:00:00", "2025-10-15")])
def test_dates_as_spreadsheets_show_them(tmp_path, cell, day):
    # the trial of round 13: Excel's long date form with its day of the week, a date
    # cell shown with midnight, unpadded ISO and dots were all refused
    assert load(_one_flow(tmp_path, cell)).flows[0].start.isoformat() == day


@pytest.mark.parametrize("cell, said", [
    ("2023年2月1日(木)", "'2023年2月1日(木)': 2023-02-01 is a Wednesday (水), not 木"),
    ("2025/10/15 9:30", "expected a date without a time of day, got '2025/10/15 9:30'"),
    ("45301", "cannot read '45301' as a date: it looks like a spreadsheet's day number "
              "(2024-01-10); give the cell a date format, or write 2024-01-10")])
def test_dates_a_spreadsheet_garbled_are_refused_in_words(tmp_path, run_cli, cell, said):
    d = _one_flow(tmp_path, cell)
    err = run_cli("validate", d, expect=2).stderr
    assert f"flows.csv row 2 column start: flows F1: field 'start': {said}\n" in err


def test_flags_and_codes_as_a_japanese_office_types_them(tmp_path, run_cli):
    # the trial of round 13: ○ for true, 委託先 for outsourcee, Ｋ４ for K4, #N/A from a
    # failed look-up: the first is read, the others are told what to write
    d = _one_flow(tmp_path, "2024-04-01", header=("id", "from", "to", "items", "start",
                                                  "recorded"))
    (d / "flows.csv").write_text("id,from,to,items,start,recorded,storage_only\n"
                                 "F1,a,b,name,2024-04-01,○,×\nF2,a,b,name,2024-04-01,はい,なし\n",
                                 encoding="utf-8")
    flows = load(d).flows
    assert [(f.recorded, f.storage_only) for f in flows] == [(True, False), (True, False)]
    (d / "parties.csv").write_text("id,role\na,self\nb,委託先\nＫ４,third_party\n"
                                   "#N/A,third_party\n", encoding="utf-8")
    err = run_cli("validate", d, expect=2).stderr
    assert "field 'role': '委託先' is not one of" in err and "(write 'outsourcee' for 委託先)" in err
    assert "(write it in half-width characters: 'K4')" in err
    assert "'#N/A' is not a valid ID" in err and "(a spreadsheet's error value:" in err
    ja = run_cli("validate", d, "--lang", "ja", expect=2).stderr
    assert "（委託先 は 'outsourcee' と書いてください）" in ja and "（半角で 'K4' と書いてください）" in ja


def test_a_quote_never_closed_is_named_in_its_row_not_read_into_one_cell(tmp_path, run_cli):
    # the hostile review of round 13: the rest of the row (role, country) went silently
    # into the name, and the party became a domestic third party
    d = _one_flow(tmp_path, "2024-04-01")
    (d / "parties.csv").write_text('id,name,role,country\na,A,self,\nb,"B, Inc",third_party,\n'
                                   'acme,"ACME Inc,outsourcee,US\n', encoding="utf-8")
    err = run_cli("validate", d, expect=2).stderr
    assert err.splitlines()[0] == (f"error: {d / 'parties.csv'} row 4: a quoted cell in this row "
                                   "is never closed (a missing '\"'): it runs to the end of the file")
    (d / "parties.csv").write_text('id,name,role\na,A,self\nb,"B" Inc,third_party\n',
                                   encoding="utf-8")
    err = run_cli("validate", d, expect=2).stderr
    assert f"{d / 'parties.csv'} row 3: a quoted cell in this row (or one before it) is closed " \
           "where it should not be" in err
    # a quoted cell holding commas, quotes and a line break is still one cell
    (d / "parties.csv").write_text('id,name,role\na,A,self\nb,"B, ""the"" \nInc",third_party\n',
                                   encoding="utf-8")
    assert [(p.name, p.role) for p in load(d).parties] == [
        ("A", "self"), ('B, "the" \nInc', "third_party")]


def test_a_formula_or_error_cell_hides_no_other_problem(tmp_path, run_cli):
    # the trial of round 14: one formula in the parties sheet hid a bad date and an
    # unknown party in the flows sheet, and a formula in a required cell read as missing
    book = tmp_path / "inv.xlsx"
    run_cli("convert", SAMPLE, book)
    wb = openpyxl.load_workbook(book)
    parties, flows = wb["parties"], wb["flows"]
    parties["B3"].value = '=UPPER("x")'
    head = [str(c.value).split("\n")[0] for c in flows[1]]
    start, to = head.index("start") + 1, head.index("to") + 1
    flows.cell(row=2, column=start).value = "4月1日"
    flows.cell(row=3, column=to).value = "=A1"
    flows.cell(row=4, column=to).value, flows.cell(row=4, column=to).data_type = "#REF!", "e"
    ids = [flows.cell(row=r, column=1).value for r in (2, 3, 4)]
    wb.save(book)
    with pytest.raises(InventoryError) as caught:
        load(book)
    got = [(p.location.sheet, p.location.row, p.record, p.field, p.message.split(":")[0])
           for p in caught.value.problems]
    assert got == [
        ("flows", 2, ids[0], "start", "cannot read '4月1日' as a date (accepted forms"),
        ("flows", 3, ids[1], "to", "cell holds a formula (=A1); type the value itself"),
        ("flows", 4, ids[2], "to", "cell holds the error value #REF!"),
        ("parties", 3, parties["A3"].value, "name",
         'cell holds a formula (=UPPER("x")); type the value itself')]


def test_an_error_cell_of_a_workbook_is_refused_and_the_text_round_trips(tmp_path, run_cli):
    # the hostile review of round 13: #N/A in a name cell was read as the name "#N/A"
    book = tmp_path / "inv.xlsx"
    run_cli("convert", SAMPLE, book)
    wb = openpyxl.load_workbook(book)
    ws = wb["parties"]
    ws["B2"].value, ws["B2"].data_type = "#N/A", "e"
    wb.save(book)
    err = run_cli("validate", book, expect=2).stderr
    # naming the row's record, as every other problem does (the review of round 13)
    party = ws["A2"].value
    assert f"[sheet parties] row 2 column B (name): parties {party}: field 'name': cell holds " \
           "the error value #N/A: the formula or look-up behind it failed" in err
    # a name that is the text "#N/A" is written as text and read back as it was
    folder = tmp_path / "src"
    run_cli("convert", SAMPLE, folder, "--to", "yaml")
    parties = (folder / "parties.yaml").read_text(encoding="utf-8")
    assert "name: モノコラボ\n" in parties
    (folder / "parties.yaml").write_text(parties.replace("name: モノコラボ\n", "name: '#N/A'\n", 1),
                                         encoding="utf-8")
    out = tmp_path / "back.xlsx"
    run_cli("convert", folder, out)
    assert load(out).parties[0].name == "#N/A"


def test_a_utf8_csv_with_one_shift_jis_cell_is_named_not_garbled(tmp_path, run_cli):
    # the hostile review of round 15: one cp932 cell made the whole UTF-8 file read as
    # CP932, every other Japanese name garbled without a word
    inv = tmp_path / "inv"
    inv.mkdir()
    (inv / "inventory.csv").write_text("format,organisation\nlineage/1,mc\n", encoding="utf-8")
    (inv / "parties.csv").write_bytes("id,name,role\nmc,日本,self\n".encode("utf-8")
                                      + "c,顧客,data_subject\n".encode("cp932"))
    (inv / "flows.csv").write_text("id,from,to,items,start\n", encoding="utf-8")
    err = run_cli("check", inv, expect=2).stderr
    assert err.startswith(f"error: {inv / 'parties.csv'}: UTF-8 text until line 3, which "
                          "holds bytes of another encoding")
    # named, the encoding decides (the user's call)
    run_cli("check", inv, "--encoding", "cp932", expect=0)


def test_a_shift_jis_csv_with_half_width_kana_is_not_taken_for_mixed(tmp_path, run_cli):
    # the review of round 15: ﾊｲﾔｰ in CP932 is also valid UTF-8 (as Latin letters), so the
    # check for a UTF-8 file with one Shift_JIS line refused a genuine CP932 file
    inv = tmp_path / "inv"
    inv.mkdir()
    (inv / "inventory.csv").write_text("format,organisation\nlineage/1,mc\n", encoding="utf-8")
    (inv / "parties.csv").write_bytes("id,name,role\nmc,ﾊｲﾔｰ,self\nc,顧客,data_subject\n"
                                      .encode("cp932"))
    (inv / "flows.csv").write_text("id,from,to,items,start\n", encoding="utf-8")
    run_cli("check", inv, expect=0)
    from lineage.model import load
    assert [p.name for p in load(inv).parties] == ["ﾊｲﾔｰ", "顧客"]
