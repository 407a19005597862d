"""Hostile and careless inventories end in one clear message and exit 2 (issue 13).

Loader limits (alias bombs, nesting, huge sheet dimensions), damaged workbooks,
shape errors, special files in folder inventories, dates at the calendar's
edge, control characters, and error output that cannot take over a terminal.
"""

from __future__ import annotations

import io
import json
import os
import re
import zipfile

import pytest

from hostile_helpers import TINY, assert_clean_failure, lineage
from lineage.model.sources import EXPANSION_FACTOR, MAX_DEPTH, MIN_EXPANSION


def _yaml(tmp_path, text, name="inv.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- YAML limits and shapes ------------------------------------------------------------------

def _bomb(levels: int) -> str:
    lines = ["format: lineage/1", "organisation: mc", "flows: []", "parties:",
             "  - &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels):
        lines.append(f"  - &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_with_one_short_message(tmp_path, run_cli):
    # 10**7 values: below the old 20-million cap, which took minutes and gigabytes
    res = run_cli("validate", _yaml(tmp_path, _bomb(7)), expect=2)
    assert "aliases expand the document to 12,345,682 values, more than the 100,000 " \
        "allowed" in res.stderr
    assert "inv.yaml:4: parties:" in res.stderr
    assert len(res.stderr) < 1000 and res.stderr.count("\n") == 2


def test_shared_lists_within_the_limit_still_load(tmp_path, run_cli):
    """A list anchored once and used by every flow is normal YAML, not a bomb."""
    flows = ["  - {id: F0, from: mc, to: carrier, items: &items [name, email], "
             "start: 2025-01-01}"]
    flows += [f"  - {{id: F{i}, from: mc, to: carrier, items: *items, start: 2025-01-01}}"
              for i in range(1, 200)]
    text = TINY.split("flows:")[0] + "flows:\n" + "\n".join(flows) + "\n"
    res = run_cli("validate", _yaml(tmp_path, text))
    assert "valid (2 parties, 200 flows)" in res.stdout
    assert EXPANSION_FACTOR * 10 <= MIN_EXPANSION  # the floor covers any small file


def test_a_recursive_alias_names_its_key(tmp_path, run_cli):
    text = TINY.split("flows:")[0] + "flows: &x\n  - *x\n"
    res = run_cli("validate", _yaml(tmp_path, text), expect=2)
    assert "inv.yaml:" in res.stderr and "recursive alias" in res.stderr
    assert "flows.0" in res.stderr


def test_deep_nesting_is_refused_by_key(tmp_path, run_cli):
    depth = MAX_DEPTH + 20
    text = TINY + "notices: " + "[" * depth + "]" * depth + "\n"
    res = run_cli("validate", _yaml(tmp_path, text), expect=2)
    assert "nested too deeply" in res.stderr and "notices" in res.stderr


@pytest.mark.parametrize("text, needles", [
    ("format: lineage/1\norganisation: mc\nparties: x\nflows: {}\n",
     ["inv.yaml:3: parties: 'parties' must be a list of records",
      "inv.yaml:4: flows: 'flows' must be a list of records"]),
    (TINY.split("flows:")[0] + "flows:\n  - [1, 2]\n",
     ["inv.yaml:8: flows #1: expected a mapping of fields"]),
    ("- just\n- a list\n", ["inv.yaml:1: the top level must be a mapping"]),
    (TINY + "waivers: {rule: TP101}\n", ["waivers: 'waivers' must be a list of records"]),
    (TINY.replace("{id: mc, role: self}", "{id: mc, role: [self]}"), ["field 'role'"]),
])
def test_shape_errors_name_file_and_key(tmp_path, run_cli, text, needles):
    res = run_cli("validate", _yaml(tmp_path, text), expect=2)
    for needle in needles:
        assert needle in res.stderr, res.stderr
    run_cli("check", tmp_path / "inv.yaml", expect=2)


# -- workbooks ---------------------------------------------------------------------------------

def _workbook(tmp_path, run_cli):
    src = _yaml(tmp_path, TINY, "src.yaml")
    out = tmp_path / "inv.xlsx"
    run_cli("convert", src, out)
    return out


def _rewrite(path, change):
    """Rewrite the zip at ``path``; ``change(name, data)`` returns new bytes or None to drop."""
    parts = []
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            parts.append((info.filename, z.read(info.filename)))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts:
            data = change(name, data)
            if data is not None:
                z.writestr(name, data)
    path.write_bytes(buf.getvalue())


def _flows_sheet(path) -> str:
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and b"F1" in z.read(name):
                return name
    raise AssertionError("no flows sheet")


def test_a_sheet_claiming_xfd1048576_is_read_by_its_real_cells(tmp_path, run_cli):
    path = _workbook(tmp_path, run_cli)
    sheet = _flows_sheet(path)
    # 200,000 empty <row/> elements compress to a few kilobytes; each was padded to
    # the claimed 16,384 columns and walked cell by cell.
    empty = b"<row/>" * 200_000  # rows without r= count on from the one before
    _rewrite(path, lambda n, d: re.sub(rb'<dimension ref="[^"]*"',
                                       b'<dimension ref="A1:XFD1048576"', d)
             .replace(b"</sheetData>", empty + b"</sheetData>") if n == sheet else d)
    assert b"XFD1048576" in zipfile.ZipFile(path).read(sheet)
    assert path.stat().st_size < 60_000
    res = lineage("validate", path, timeout=60)  # hung for hours before
    assert res.code == 0, res.stderr
    assert "valid (2 parties, 1 flow)" in res.stdout


@pytest.mark.parametrize("damage", ["truncated xml", "bit flips", "entity expansion",
                                    "missing sheet", "not a zip"])
def test_a_damaged_workbook_is_one_clear_input_error(tmp_path, run_cli, damage):
    path = _workbook(tmp_path, run_cli)
    sheet = _flows_sheet(path)
    if damage == "truncated xml":
        _rewrite(path, lambda n, d: d[: len(d) // 2] if n == sheet else d)
    elif damage == "bit flips":
        data = bytearray(path.read_bytes())
        start = data.index(sheet.encode()) + len(sheet) + 40  # inside the compressed data
        for i in range(start, start + 40, 3):
            data[i] ^= 0x5A
        path.write_bytes(bytes(data))
    elif damage == "entity expansion":
        lol = ('<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
               + "".join(f'<!ENTITY {chr(98 + i)} "' + f"&{chr(97 + i)};" * 10 + '">'
                         for i in range(8)) + "]>")
        _rewrite(path, lambda n, d: lol.encode() + d.replace(b"F1", b"&i;") if n == sheet
                 else d)
    elif damage == "missing sheet":
        _rewrite(path, lambda n, d: None if n == sheet else d)
    else:
        path.write_bytes(b"PK\x03\x04 not really a zip" * 10)
    before = path.read_bytes()
    res = lineage("validate", path)
    assert_clean_failure(res, "inv.xlsx", ": not a readable Excel workbook (.xlsx)")
    assert sum(line.startswith("error:") for line in res.stderr.splitlines()) == 1
    assert path.read_bytes() == before


# -- folder inventories with special files -----------------------------------------------------

def _folder(tmp_path, suffix=".yaml"):
    folder = tmp_path / "inv"
    folder.mkdir()
    if suffix == ".yaml":
        (folder / "inventory.yaml").write_text(TINY, encoding="utf-8")
    else:
        (folder / "inventory.csv").write_text("format,organisation\nlineage/1,mc\n")
        (folder / "parties.csv").write_text("id,role\nmc,self\ncarrier,outsourcee\n")
        (folder / "flows.csv").write_text("id,from,to,items,start\n"
                                          "F1,mc,carrier,name,2025-01-01\n")
    return folder


@pytest.mark.parametrize("suffix", [".yaml", ".csv"])
@pytest.mark.parametrize("kind, reason", [
    ("dangling", "dangling symbolic link"),
    ("loop", "symbolic link loop"),
    ("fifo", "not a regular file (a named pipe)"),
    ("unreadable", "Permission denied"),
])
def test_special_files_in_a_folder_are_refused_by_name(tmp_path, kind, reason, suffix):
    folder = _folder(tmp_path, suffix)
    name = f"waivers{suffix}"
    target = folder / name
    if kind == "dangling":
        os.symlink(folder / "gone", target)
    elif kind == "loop":
        os.symlink(folder / f"other{suffix}", target)
        os.symlink(target, folder / f"other{suffix}")
    elif kind == "fifo":
        os.mkfifo(target)
    else:
        target.write_text("waivers: []\n" if suffix == ".yaml" else "rule,flow,reason\n")
        os.chmod(target, 0)
    res = lineage("validate", folder, timeout=60, no_dac=True)  # a pipe used to hang
    assert_clean_failure(res, name, reason)


# -- dates at the edge of the calendar ---------------------------------------------------------

def test_the_last_day_of_the_calendar_checks_like_any_other(tmp_path, run_cli):
    """A contract ending 9999-12-31 and a stop request received in 9999: valid, and checked."""
    import shutil
    from paths import SAMPLE
    inv = tmp_path / "inv"
    shutil.copytree(SAMPLE, inv)
    for name, old, new in (("contracts.yaml", "ends_on: 2025-03-31", "ends_on: 9999-12-31"),
                           ("stop_requests.yaml", "received_on: 2026-06-10",
                            "received_on: 9999-12-20"),
                           ("stop_requests.yaml", "    honoured_on: 2026-07-08\n", ""),
                           ("inventory.yaml", "as_of: 2026-11-01", "as_of: 9999-12-31")):
        text = (inv / name).read_text(encoding="utf-8")
        assert old in text
        (inv / name).write_text(text.replace(old, new), encoding="utf-8")
    run_cli("validate", inv)
    for fmt in ("json", "table"):
        res = run_cli("check", inv, "--format", fmt, expect=None)
        assert res.code in (0, 1), res.stderr
    run_cli("export", inv, "-o", tmp_path / "out.json")
    run_cli("trace", inv, "name", expect=None)


def test_add_days_saturates():
    import datetime as dt
    from lineage.rules.context import add_days
    assert add_days(dt.date(9999, 12, 20), 30) == dt.date.max
    assert add_days(dt.date(1, 1, 2), -5) == dt.date.min


# -- text that reaches other programs ----------------------------------------------------------

@pytest.mark.parametrize("escape, code", [("\\e[2J", "U+001B"), ("\\v", "U+000B"),
                                          ("\\f", "U+000C"), ("\\0", "U+0000"),
                                          ("\\uFFFE", "U+FFFE"), ("\\x85", "U+0085")])
def test_control_characters_in_names_are_refused_with_the_field(tmp_path, run_cli, escape,
                                                                 code):
    text = TINY.replace("{id: carrier, role: outsourcee}",
                        f'{{id: carrier, role: outsourcee, name: "Carrier{escape}Co"}}')
    res = run_cli("validate", _yaml(tmp_path, text), expect=2)
    assert f"parties carrier: field 'name': text holds a control character {code}" in res.stderr


@pytest.mark.parametrize("escape,code", [("\\u202e", "U+202E"), ("\\u2066", "U+2066"),
                                         ("\\u202a", "U+202A"), ("\\u200f", "U+200F"),
                                         ("\\u061c", "U+061C")])
def test_bidirectional_controls_in_names_are_refused(tmp_path, run_cli, escape, code):
    # "bank\u202egnp.exe" shows as "bankexe.png" in a terminal, a spreadsheet or a page
    text = TINY.replace("{id: carrier, role: outsourcee}",
                        f'{{id: carrier, role: outsourcee, name: "Carrier{escape}gnp.exe"}}')
    res = run_cli("validate", _yaml(tmp_path, text), expect=2)
    assert (f"parties carrier: field 'name': text holds a bidirectional control {code} at "
            "position 8; remove it") in res.stderr
    ja = run_cli("validate", _yaml(tmp_path, text), "--lang", "ja", expect=2)
    assert f"双方向制御文字 {code}（8 文字目）を含みます。取り除いてください" in ja.stderr


def test_bidirectional_controls_in_csv_are_refused(tmp_path, run_cli):
    folder = _folder(tmp_path, ".csv")
    (folder / "parties.csv").write_text("id,name,role\nmc,MC\u202egnp.exe,self\n"
                                        "carrier,,outsourcee\n", encoding="utf-8")
    res = run_cli("validate", folder, expect=2)
    assert ("parties.csv row 2 column name: parties mc: field 'name': text holds a "
            "bidirectional control U+202E at position 3") in res.stderr


def test_control_characters_in_csv_and_xlsx_are_refused(tmp_path, run_cli):
    folder = _folder(tmp_path, ".csv")
    (folder / "parties.csv").write_text("id,role,note\nmc,self,a\x1b]0;pwned\x07b\n"
                                        "carrier,outsourcee,\n")
    res = run_cli("validate", folder, expect=2)
    assert "parties.csv row 2 column note: parties mc: field 'note'" in res.stderr
    assert "\x1b" not in res.stderr and "\x07" not in res.stderr


def test_error_messages_escape_control_characters(tmp_path, run_cli):
    text = TINY + '"\\e[2J\\e[Herror: all good\\r": 1\n'
    res = run_cli("validate", _yaml(tmp_path, text), expect=2)
    assert "\x1b" not in res.stderr and "\r" not in res.stderr
    assert "\\x1b[2J" in res.stderr
    assert all(line.startswith(("error: ", "1 problem")) for line in res.stderr.splitlines())


def test_error_lines_and_error_output_are_capped(tmp_path, run_cli):
    many = "".join(f"  - {{id: P{i}, role: nope}}\n" for i in range(1000))
    text = TINY.replace("parties:\n", "parties:\n" + many).replace(
        "{id: mc, role: self}", "{id: mc, role: " + "k" * 1_000_000 + "}")
    res = run_cli("validate", _yaml(tmp_path, text), expect=2)
    lines = res.stderr.splitlines()
    assert max(len(line) for line in lines) <= 520
    assert len(lines) <= 202
    assert "... 801 more" in res.stderr and lines[-1] == "1001 problems; nothing was checked."


def test_csv_exports_neutralise_formulas(tmp_path, run_cli):
    import csv
    text = TINY.replace("{id: carrier, role: outsourcee}",
                        '{id: carrier, role: outsourcee, name_en: "=HYPERLINK(\\"http://x\\")"}')
    path = _yaml(tmp_path, text)
    out = tmp_path / "flows.csv"
    run_cli("export", path, "-o", out)
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    cells = [c for row in rows for c in row.values()]
    assert "'=HYPERLINK(\"http://x\")" in cells
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)


def test_inventory_csv_guards_formulas_and_round_trips_exactly(tmp_path, run_cli):
    from lineage.model import load
    notes = ["=1+1", "+33 1", "-x", "@sum", "\tlead", "'quoted", "''two", "plain"]
    quoted = [json.dumps(n) for n in notes]  # a JSON string is a YAML double-quoted one
    text = TINY.replace("parties:\n", "parties:\n" + "".join(
        f"  - {{id: P{i}, role: outsourcee, note: {q}}}\n" for i, q in enumerate(quoted)))
    src = _yaml(tmp_path, text)
    run_cli("convert", src, tmp_path / "csv", "--to", "csv")
    raw = (tmp_path / "csv" / "parties.csv").read_text(encoding="utf-8")
    for line in raw.splitlines()[1:]:
        note = line.split(",", 3)[-1]
        assert not note.lstrip('"').startswith(("=", "+", "-", "@", "\t")), line
    run_cli("convert", tmp_path / "csv", tmp_path / "back.yaml")
    assert load(tmp_path / "back.yaml").model_dump() == load(src).model_dump()
    assert [p.note for p in load(tmp_path / "csv").parties[:8]] == \
        [p.note for p in load(src).parties[:8]]


# -- lossless conversion -----------------------------------------------------------------------

def test_xlsx_refuses_text_longer_than_a_cell(tmp_path, run_cli):
    from lineage.model import load
    text = TINY.replace("{id: carrier, role: outsourcee}",
                        "{id: carrier, role: outsourcee, note: " + "x" * 40_000 + "}")
    src = _yaml(tmp_path, text)
    res = run_cli("convert", src, tmp_path / "out.xlsx", expect=2)
    assert "parties carrier: field 'note': text of 40,000 characters" in res.stderr
    assert not (tmp_path / "out.xlsx").exists()
    run_cli("convert", src, tmp_path / "csv", "--to", "csv")
    assert load(tmp_path / "csv").model_dump() == load(src).model_dump()


def test_crlf_is_kept_by_csv_and_refused_by_xlsx(tmp_path, run_cli):
    from lineage.model import load
    text = TINY.replace("{id: carrier, role: outsourcee}",
                        '{id: carrier, role: outsourcee, note: "line one\\r\\nline two"}')
    src = _yaml(tmp_path, text)
    res = run_cli("convert", src, tmp_path / "out.xlsx", expect=2)
    assert "parties carrier: field 'note': text holds a carriage return" in res.stderr
    run_cli("convert", src, tmp_path / "csv", "--to", "csv")
    assert load(tmp_path / "csv").parties[1].note == "line one\r\nline two"


def test_empty_flows_round_trip_through_every_form(tmp_path, run_cli):
    from lineage.model import load
    src = _yaml(tmp_path, TINY.split("flows:")[0] + "flows: []\n")
    run_cli("convert", src, tmp_path / "a.xlsx")
    run_cli("convert", tmp_path / "a.xlsx", tmp_path / "b", "--to", "csv")
    run_cli("convert", tmp_path / "b", tmp_path / "c", "--to", "yaml")
    run_cli("convert", tmp_path / "c", tmp_path / "d.yaml")
    for out in ("a.xlsx", "b", "c", "d.yaml"):
        assert load(tmp_path / out).model_dump() == load(src).model_dump(), out


def test_the_first_day_of_the_calendar_is_safe_for_every_pack(tmp_path, run_cli):
    import datetime as dt
    from lineage.rules.appi.common import within_year
    assert within_year(dt.date.min, dt.date(1, 3, 1))  # "a year before" saturates
    text = TINY.replace("as_of: 2026-01-01", "as_of: 0001-12-31").replace(
        "start: 2025-01-01", "start: 0001-01-01")
    path = _yaml(tmp_path, text)
    for as_of in ("0001-01-01", "9999-12-31"):
        res = run_cli("check", path, "--rules", "policy,appi", "--as-of", as_of,
                      "--format", "json", expect=None)
        assert res.code in (0, 1), res.stderr


def test_a_note_longer_than_csv_default_cell_limit_round_trips(tmp_path, run_cli):
    from lineage.model import load
    text = TINY.replace("{id: carrier, role: outsourcee}",
                        "{id: carrier, role: outsourcee, note: " + "y" * 200_000 + "}")
    src = _yaml(tmp_path, text)
    run_cli("convert", src, tmp_path / "csv", "--to", "csv")  # read back failed at 128 KiB
    assert load(tmp_path / "csv").model_dump() == load(src).model_dump()


def test_workbooks_of_an_audit_dated_9999(tmp_path, run_cli):
    """A zip entry cannot be dated after 2107: writing the workbook crashed (found by fuzzing)."""
    import zipfile
    from lineage.model import load
    path = _yaml(tmp_path, TINY.replace("as_of: 2026-01-01", "as_of: 9999-12-31"))
    run_cli("check", path, "--format", "xlsx", "-o", tmp_path / "f.xlsx", expect=None)
    run_cli("convert", path, tmp_path / "inv.xlsx")
    assert load(tmp_path / "inv.xlsx").model_dump() == load(path).model_dump()
    assert zipfile.ZipFile(tmp_path / "f.xlsx").testzip() is None


def test_aliases_of_a_long_name_are_refused_by_the_text_they_expand_to(tmp_path, run_cli):
    # the hostile review of round 15: 300 uses of one 2 MB name passed the cap on values
    # (each alias is one value) and made `explore` write a 1.2 GB page in 4.8 GB of memory
    parties = "".join(f"  - {{id: p{n}, role: third_party, name: *big}}\n" for n in range(100))
    inv = tmp_path / "alias.yaml"
    inv.write_text("format: lineage/1\norganisation: mc\nparties:\n"
                   f"  - {{id: mc, role: self, name: &big {'x' * 200_000}}}\n" + parties
                   + "flows: []\n", encoding="utf-8")
    res = run_cli("check", inv, expect=2)
    assert res.stderr.startswith(
        f"error: {inv}:1: aliases expand the document's long texts to 20,200,000 characters, more "
        "than the 10,000,000 allowed")


def test_a_nul_in_yaml_and_a_5000_digit_volume_are_said_plainly(tmp_path, run_cli):
    # the hostile review of round 15: PyYAML's text with "<unicode string>" and no line,
    # and Python's advice to call sys.set_int_max_str_digits()
    nul = tmp_path / "nul.yaml"
    nul.write_text('format: lineage/1\norganisation: mc\nparties:\n'
                   '  - {id: mc, role: self, name: "O\0rg"}\nflows: []\n', encoding="utf-8")
    assert run_cli("check", nul, expect=2).stderr.startswith(
        f"error: {nul}:4: invalid YAML: a control character U+0000 cannot be in a YAML file\n")
    big = tmp_path / "big.yaml"
    big.write_text("format: lineage/1\norganisation: mc\nparties:\n"
                   f"  - {{id: mc, role: self, volume: {'9' * 5000}}}\nflows: []\n",
                   encoding="utf-8")
    err = run_cli("check", big, expect=2).stderr
    assert "field 'volume': a number of more than 4,300 digits\n" in err
    assert "sys." not in err


def test_flows_sharing_one_long_list_of_items_through_an_alias_still_load(tmp_path):
    # the review of round 15: 12,000 flows sharing one 80-item list (1.35 MB) passed
    # the values cap and was refused by a cap on all the text aliases expand to
    from lineage.model import load
    items = "".join(f"  - {{id: item{k:02d}}}\n" for k in range(80))
    flows = "".join(f"  - {{id: F{k}, from: c, to: mc, items: *all, start: 2024-01-01}}\n"
                    for k in range(1, 12_001))
    inv = tmp_path / "shared.yaml"
    inv.write_text("format: lineage/1\norganisation: mc\nparties:\n  - {id: mc, role: self}\n"
                   "  - {id: c, role: data_subject}\ndata_items:\n" + items
                   + "flows:\n  - {id: F0, from: c, to: mc, start: 2024-01-01, items: &all ["
                   + ", ".join(f"item{k:02d}" for k in range(80)) + "]}\n" + flows,
                   encoding="utf-8")
    assert len(load(inv).flows) == 12_001
