"""Hostile inputs load alike with the loader's fast paths on and off.

The loader has four fast paths (records built without pydantic's Python validators, YAML
read event by event, an .xlsx sheet's cells read in one expat pass, a CSV folder read and
built column by column). Each must give exactly what the careful path gives, or step
aside. These tests generate what careless office users and attackers write: YAML 1.1
scalars (``no``, ``0x1F``, ``1_000``, ``.inf``, unquoted dates, ``12:30``), full-width
digits and spaces, 令和 dates, ``、`` and ``；`` separators, BOMs, CRLF line ends, control
characters, very long strings, deep nesting; and workbooks with cells typed as numbers,
dates, booleans, inline and shared strings, hidden sheets, merged cells. They compare,
with every fast path on and every fast path off: the loaded inventory (values, their
types, the fields set, the location of every field), or the problems in order with their
locations;
and for a few, the bytes of ``validate --format json`` and ``check --format json``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from lineage.cli import cli
from lineage.model import loading, schema, sources, workbook
from lineage.model.errors import InventoryError
from lineage.model.fastpath import Unusual

#: Raise with LINEAGE_HOSTILE_EXAMPLES for a long search (kept modest in the suite).
_EXAMPLES = int(os.environ.get("LINEAGE_HOSTILE_EXAMPLES", "0")) or None
_SETTINGS = dict(deadline=None, database=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                        HealthCheck.function_scoped_fixture,
                                        HealthCheck.data_too_large])


def _settings(examples: int):
    return settings(max_examples=_EXAMPLES or examples,
                    derandomize=_EXAMPLES is None, **_SETTINGS)


@contextlib.contextmanager
def careful():
    """Every fast path off: pydantic builds each record, the node reader reads YAML,
    openpyxl reads every sheet's cells, a CSV file is read row by row."""
    def never(model):
        def build(record):
            raise Unusual
        return build

    def refuse_events(loader, name):
        raise sources._Fallback

    def refuse_cells(ws):
        raise Unusual
        yield  # a generator, as fast_rows is

    saved = (loading.record_builder, sources._read_events, workbook.fast_rows,
             loading.COLUMNAR)
    (loading.record_builder, sources._read_events, workbook.fast_rows,
     loading.COLUMNAR) = (never, refuse_events, refuse_cells, False)
    try:
        yield
    finally:
        (loading.record_builder, sources._read_events, workbook.fast_rows,
         loading.COLUMNAR) = saved


def _shape(value):
    """A value with the type of every part, so ``1 == True == 1.0`` cannot hide a change."""
    if isinstance(value, BaseModel):
        return (type(value).__name__, sorted(value.model_fields_set),
                [(k, _shape(v)) for k, v in value.__dict__.items()])
    if isinstance(value, dict):
        return ("dict", [(_shape(k), _shape(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [_shape(v) for v in value])
    return (type(value).__name__, repr(value))


def outcome(path):
    """The loaded inventory with every field's location, or the problems."""
    try:
        inv = loading.load(path)
    except InventoryError as exc:
        return ["problems"] + [p.as_dict() for p in exc.problems]
    paths = [(key,) for key in ("format", "organisation", "as_of", "note", "policy", "zz",
                                *schema.COLLECTIONS)]
    for name in schema.COLLECTIONS:
        for index, record in enumerate(getattr(inv, name) or []):
            paths += [(name, index), (name, index, "zz"), (name, index, "from")]
            for field, value in record.__dict__.items():
                paths.append((name, index, field))
                if isinstance(value, list):  # list entries, one past the end
                    paths += [(name, index, field, k) for k in range(len(value) + 1)]
                elif isinstance(value, BaseModel):
                    paths += [(name, index, field, sub) for sub in value.__dict__]
    where = [(path, inv.source.locate(path).as_dict()) for path in paths]
    return ["inventory", _shape(inv), inv.model_dump(mode="json"), where]


def both(path):
    fast = outcome(path)
    with careful():
        slow = outcome(path)
    return fast, slow


# --- hostile scalars -------------------------------------------------------------------

#: What people and attackers type where an ID, a date, a flag or a note goes.
HOSTILE = [
    # YAML 1.1 readings
    "no", "NO", "yes", "Yes", "on", "off", "y", "n", "~", "null", "Null", "",
    "0x1F", "0o17", "017", "1_000", "1e3", "1.0", "1.5e+3", ".inf", "-.inf", ".nan", "0",
    "-1", "+1", "12:30", "1:20:30", "190:20:30", "2025-04-01", "2025-04-01 10:00:00",
    "2025-04-01T00:00:00Z", "true", "True", "TRUE", "false", "FALSE",
    # dates as typed in Japan
    "2025/4/1", "2025/04/01", "2025-4-1", "2025年4月1日", "令和7年4月1日", "R7.4.1",
    "２０２５年４月１日", "２０２５－０４－０１", "２０２５／４／１", "2025.4.1", "20250401",
    "2025-02-29", "2024-02-29", " 2025-04-01", "2025-04-01\u3000",
    # IDs, spaces, separators
    "F1", "F１", "Ｆ1", "F 1", "F\u30001", " F1", "F1 ", "\u3000F1", "F1\u3000", "a.b-c_d@e/f",
    "a;b", "a; b ;", "a；b", "a、b", "a,b", ";", " ; ", "a;;b", "a; \u3000;b",
    "mc", "acme", "name", "email", "self", "outsourcee", "consent", "JP", "US", "ＪＰ", "jp",
    # odd characters
    "R&D", "a*b", "&x", "*x", "!x", "%x", "@x", "`x", "#x", "x #y", "x: y", "- x", "?", "-",
    "<<", "=", "'", '"', "\\", "\t", "x\ty", "\u00a0x", "x\u200b", "\ufeffx", "a\u0085b",
    "a\u2028b", "é", "ẞ", "ﬁ", "㈱", "ｶﾀｶﾅ", "😀", "\x07bell", "esc\x1b[2J", "del\x7f",
    "x" * 300, "F" * 129, "F" * 128, "あ" * 500, "a\ud800", "\udfff", "x\ufffe",
]


def _quoted(text: str, style: str) -> str:
    if style == "single" and "\n" not in text and "\x85" not in text and \
            "\u2028" not in text and all(c >= " " or c == "\t" for c in text):
        return "'" + text.replace("'", "''") + "'"
    if style in ("double", "single"):
        return json.dumps(text, ensure_ascii=style == "double")
    return text  # plain: whatever YAML makes of it (or a parse error, for both readers)


@st.composite
def scalars(draw, valid: list[str], rate: int = 30):
    """A scalar as YAML text: one of ``valid``, or (``rate`` in 100) a hostile one."""
    text = draw(st.sampled_from(HOSTILE) if draw(st.integers(0, 99)) < rate
                else st.sampled_from(valid))
    return _quoted(text, draw(st.sampled_from(["plain", "plain", "single", "double"])))


_PARTY = {"id": ["P1", "P2", "P3"], "role": ["self", "outsourcee", "data_subject"],
          "country": ["JP", "US"], "legal_entity": ["mc"], "name": ["株式会社モノコラボ"],
          "groups": ["customers", "a;b"], "equivalent_system": ["2024-01-01"]}
_FLOW = {"id": ["F1", "F2", "F3", "F4"], "from": ["mc"], "to": ["acme", "people"],
         "items": ["name", "name;email", "email"], "start": ["2024-04-01", "2024/4/1"],
         "end": ["2026-01-01"], "purposes": ["ads", "shipping"], "basis": ["consent", "law"],
         "recorded": ["true", "false"], "method": ["sftp"], "note": ["メモ"],
         "consents": ["C1"]}


@st.composite
def yaml_documents(draw):
    """A whole inventory as YAML text, with hostile scalars in any style and layout."""
    flow_style = draw(st.booleans())
    rate = draw(st.sampled_from([0, 3, 10, 30]))  # hostile scalars in 100
    lines = []
    if draw(st.booleans()):
        lines.append("# 棚卸し")
    if draw(st.integers(0, 5)) == 0:
        lines.append("---")
    lines.append("format: " + draw(st.sampled_from(["lineage/1"] * 8 + ["'lineage/1'",
                                                                       "lineage/2"])))
    lines.append("organisation: " + draw(scalars(["mc"], rate)))
    if draw(st.booleans()):
        lines.append("as_of: " + draw(scalars(["2025-04-01"], rate)))
    if draw(st.booleans()):
        lines.append("data_items:")
        for item in ("name", "email"):
            lines.append(f"  - id: {item}")
    if draw(st.booleans()):
        lines.append("purposes: [{id: ads}, {id: shipping}]")
    with_consents = draw(st.booleans())
    if with_consents:
        lines.append("consents:\n  - {id: C1, subjects: people, recipients: [acme], "
                     "items: [name], obtained_on: 2024-01-01}")

    def records(key, fields, count, base=()):
        lines.append(f"{key}:")
        lines.extend(base)
        for number in range(count):
            fields = {**fields, "id": [f"{key[0].upper()}{number}"]}  # unique, unless hostile
            chosen = draw(st.lists(st.sampled_from(list(fields)), unique=True, max_size=8))
            for required in ("id",) + (("from", "to", "items", "start") if key == "flows"
                                       else ()):
                if required not in chosen and draw(st.integers(0, 49)) > 0:
                    chosen.insert(0, required)
            pairs = []
            for field in chosen:
                if field in ("items", "purposes", "groups") and draw(st.integers(0, 3)) == 0:
                    value = "[" + ", ".join(draw(st.lists(scalars(["name", "email"], rate),
                                                          max_size=3))) + "]"
                else:
                    value = draw(scalars(fields[field], rate))
                pairs.append((field, value))
            if key == "flows" and draw(st.integers(0, 5)) == 0:
                pairs.append(("exemption", "{law: " + draw(scalars(["刑訴法"], rate)) + "}"))
            if flow_style or draw(st.integers(0, 4)) == 0:
                lines.append("  - {" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}")
            else:
                first = True
                for k, v in pairs:
                    lines.append(("  - " if first else "    ") + f"{k}: {v}")
                    first = False
                if first:
                    lines.append("  - {}")
                if draw(st.integers(0, 5)) == 0:
                    lines.append("")

    records("parties", _PARTY, draw(st.integers(0, 3)),
            ["  - {id: mc, role: self}", "  - id: acme\n    role: outsourcee",
             "  - {id: people, role: data_subject}"])
    records("flows", {k: v for k, v in _FLOW.items() if with_consents or k != "consents"},
            draw(st.integers(1, 4)))
    if draw(st.integers(0, 9)) == 0:
        lines.append(draw(st.sampled_from(["...", "note: " + "[" * 70 + "]" * 70,
                                           "zz: 1", "note: &a x", "--- {}", "note: !!str 12",
                                           "note: !!binary aGk=", "? [a]\n: b"])))
    text = "\n".join(lines) + "\n"
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 4)) == 0:
        data = b"\xef\xbb\xbf" + data
    return data


@_settings(150)
@given(yaml_documents())
def test_hostile_yaml_loads_alike(tmp_path, document):
    path = tmp_path / "inv.yaml"
    path.write_bytes(document)
    fast, slow = both(path)
    assert fast == slow


# --- hostile records, as any reader hands them over --------------------------------------

_ANY = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(alphabet=st.sampled_from("aF1;、；.-_ \u3000\t\n０１２年月日/:@"), max_size=12),
    st.integers(-5, 10**20), st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(), st.none(), st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)),
    st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(2100, 1, 1)),
    st.lists(st.sampled_from(["name", "email", " name", "", None, 1, "a;b"]), max_size=3),
)


@st.composite
def raw_inventories(draw):
    parties = [{"id": "mc", "role": "self"}, {"id": "acme", "role": "outsourcee"}]
    for _ in range(draw(st.integers(0, 2))):
        party = {"id": draw(st.sampled_from(["acme", "x1", "people"]))}
        for field in draw(st.lists(st.sampled_from(list(_PARTY)), max_size=4)):
            party[field] = draw(_ANY)
        parties.append(party)
    flows = []
    for n in range(draw(st.integers(1, 4))):
        flow = {"id": f"F{n}", "from": "mc", "to": "acme", "items": "name", "start": "2024-04-01"}
        for field in draw(st.lists(st.sampled_from(list(_FLOW) + ["exemption", "frm"]),
                                   max_size=4)):
            flow[field] = (draw(st.dictionaries(st.sampled_from(["law", "document", "x"]), _ANY,
                                                max_size=2))
                           if field == "exemption" else draw(_ANY))
        flows.append(flow)
    return {"format": "lineage/1", "organisation": "mc", "parties": parties, "flows": flows}


def _built(data):
    raw = sources.RawInventory(data, sources.SourceMap(sources.Location("<memory>")),
                               "<memory>")
    try:
        return _shape(loading.build_inventory(raw))
    except InventoryError as exc:
        return [p.as_dict() for p in exc.problems]


@_settings(300)
@given(raw_inventories())
def test_hostile_records_build_alike(data):
    import copy
    fast = _built(copy.deepcopy(data))
    with careful():
        slow = _built(copy.deepcopy(data))
    assert fast == slow


# --- hostile workbooks ----------------------------------------------------------------------

def _xml_text(text: str) -> bool:
    """Text a workbook can hold (XML 1.0 characters, no C1 controls)."""
    return all(" " <= c < "\x7f" or c == "\t" or "\xa0" <= c < "\ud800"
               or "\udfff" < c < "\ufffe" or c > "\uffff" for c in text)


_CELLS = st.one_of(
    st.sampled_from(HOSTILE).filter(_xml_text),
    st.integers(-10**15, 10**15), st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(), st.none(),
    st.dates(dt.date(1900, 3, 1), dt.date(9999, 12, 31)),
    st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(9999, 12, 31)),
    st.sampled_from(["=1+1", "#N/A", "=A1", "  ", "\u3000"]),
)


@st.composite
def workbooks(draw):
    """A workbook with typed cells, hidden sheets, merged cells, gaps and number formats."""
    wb = openpyxl.Workbook()
    top = wb.active
    top.title = draw(st.sampled_from(["inventory", "棚卸し"]))
    top.append(["format", "organisation"])
    top.append(["lineage/1", draw(st.sampled_from(["mc", "mc ", 7, "ｍｃ"]))])
    sheets = {"parties": (["id", "role", "country", "groups", "name"],
                          [["mc", "self"], ["acme", "outsourcee"]]),
              "flows": (["id", "from", "to", "items", "start", "end", "recorded", "note"],
                        [["F1", "mc", "acme", "name", dt.date(2024, 4, 1)]])}
    for title, (header, base) in sheets.items():
        ws = wb.create_sheet(title)
        ws.append(header)
        for row in base:
            ws.append(row)
        for _ in range(draw(st.integers(0, 4))):
            row = [draw(_CELLS) if draw(st.integers(0, 2)) == 0 else v
                   for v in (base[-1] + [None] * len(header))[:len(header)]]
            if draw(st.integers(0, 6)) == 0:
                ws.append([])
            ws.append(row)
        for cell in draw(st.lists(st.tuples(st.integers(2, 8), st.integers(1, len(header) + 1)),
                                  max_size=2)):
            ws.cell(*cell).value = draw(_CELLS)
            if draw(st.booleans()):
                ws.cell(*cell).number_format = draw(st.sampled_from(
                    ["yyyy/m/d", "[h]:mm:ss", "0.00", "@", "ggge年m月d日"]))
        if draw(st.integers(0, 5)) == 0:
            ws.sheet_state = "hidden"
        if draw(st.integers(0, 5)) == 0:
            ws.merge_cells("A3:B3")
    return wb


@_settings(60)
@given(workbooks())
def test_hostile_workbooks_load_alike(tmp_path, wb):
    path = tmp_path / "inv.xlsx"
    wb.save(path)
    fast, slow = both(path)
    assert fast == slow


# --- the command line's bytes ------------------------------------------------------------

def _cli(*args) -> tuple[int, bytes, bytes]:
    res = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return res.exit_code, res.stdout_bytes, res.stderr_bytes


@_settings(20)
@given(yaml_documents())
def test_validate_and_check_bytes_alike(tmp_path, document):
    path = tmp_path / "inv.yaml"
    path.write_bytes(document)
    for command in (["validate", path, "--format", "json"], ["check", path, "--format", "json"]):
        fast = _cli(*command)
        with careful():
            slow = _cli(*command)
        assert fast == slow, command


# --- hand-written sheet XML: what other programs (and attackers) write ---------------------

_TEXTS = ["F1", "mc", "acme", "name", "2024-04-01", "  ", "", "&amp;x", "a&#10;b", "&#13;",
          "&#12288;F1", "<![CDATA[F1]]>", "_x000D_", "x<!--c-->y", "ｍｃ", "true", "7"]
_NUMBERS = ["1", " 7 ", "1.5", "1e3", "-0", "1E+2", "45383", "45383.5", "nan", "", "1_0", "00",
            ".5", "1.", "99999999", "-1"]


@st.composite
def _cell_xml(draw, ref: str, rate: int) -> str:
    """One ``<c>``: plain, or (``rate`` in 100) odd in its kind, value or style."""
    odd = draw(st.integers(0, 99)) < rate
    if not odd and ref[:1] and ref[0] in "ABCDE" and draw(st.integers(0, 3)) > 0:
        # what the column asks for, written as a program might write it
        if ref[0] == "E":
            return f'<c r="{ref}" s="{draw(st.sampled_from(["1", "4"]))}"><v>45383</v></c>'
        text = {"A": "F" + ref[1:], "B": "mc", "C": "acme", "D": "name;email"}[ref[0]]
        return draw(st.sampled_from([f'<c r="{ref}" t="str"><v>{text}</v></c>',
                                     f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>']))
    kind = draw(st.sampled_from(["n", "n", "s", "str", "inline", "b", "e", "d", "empty",
                                 "formula", "rich", "date"] if odd else
                                ["n", "s", "s", "str", "inline", "inline", "b", "empty",
                                 "date"]))
    text = draw(st.sampled_from(_TEXTS if odd else _TEXTS[:5]))
    number = draw(st.sampled_from(_NUMBERS if odd else ["1", "7", "45383", "2.5"]))
    style = draw(st.sampled_from(["", ' s="0"', ' s="1"', ' s="2"', ' s="3"', ' s="4"',
                                  ' s="00"', ' s="9"', ' s="x"'] if odd else
                                 ["", ' s="0"', ' s="1"', ' s="3"', ' s="4"']))
    if kind == "n":
        return f'<c r="{ref}"{style}><v>{number}</v></c>'
    if kind == "date":
        return f'<c r="{ref}"{style} t="n"><v>{number}</v></c>'
    if kind == "s":
        index = draw(st.sampled_from(["0", "1", "2", "-1", " 1", "99", "1.0", ""] if odd
                                     else ["0", "1", "2", "3"]))
        return f'<c r="{ref}" t="s"{style}><v>{index}</v></c>'
    if kind == "str":
        return f'<c r="{ref}" t="str"><v>{text}</v></c>'
    if kind == "inline":
        body = draw(st.sampled_from([f"<t>{text}</t>", f'<t xml:space="preserve"> {text} </t>',
                                     "", f"\n<t>{text}</t>\n", f"<t>{text}</t><t>x</t>"]
                                    if odd else [f"<t>{text}</t>"]))
        return f'<c r="{ref}" t="inlineStr"><is>{body}</is></c>'
    if kind == "b":
        return f'<c r="{ref}" t="b"><v>{draw(st.sampled_from(["0", "1", "2", ""]))}</v></c>'
    if kind == "e":
        return f'<c r="{ref}" t="e"><v>#N/A</v></c>'
    if kind == "d":
        return f'<c r="{ref}" t="d"><v>2024-04-01T00:00:00</v></c>'
    if kind == "empty":
        return f'<c r="{ref}"{style} t="{draw(st.sampled_from(["n", "s", "str", "b"]))}"/>'
    if kind == "formula":
        return f'<c r="{ref}"><f>1+1</f><v>2</v></c>'
    return (f'<c r="{ref}" t="inlineStr"><is><r><rPr><b/></rPr><t>{text}</t></r>'
            f'<r><t>x</t></r></is></c>')


@st.composite
def sheet_data(draw) -> str:
    """The inside of ``<sheetData>``: a header row, then rows of odd cells."""
    header = "".join(f'<c r="{c}1" t="inlineStr"><is><t>{h}</t></is></c>' for c, h in
                     zip("ABCDE", ["id", "from", "to", "items", "start"]))
    rows = [f'<row r="1">{header}</row>']
    number = 1
    rate = draw(st.sampled_from([0, 2, 10, 40]))

    def odd(plain, *others):
        return draw(st.sampled_from([plain, *others]) if draw(st.integers(0, 99)) < rate
                    else st.just(plain))

    for _ in range(draw(st.integers(1, 5))):
        number += odd(1, 2, 0, -1)
        cells = []
        column = 0
        for _ in range(draw(st.integers(0, 6) if rate else st.just(5))):
            column += odd(1, 2, 0, -1)
            letter = "ABCDEFGH"[max(0, min(column, 8 if rate else 5) - 1)]
            ref = odd(f"{letter}{number}", f"{letter.lower()}{number}", f"${letter}${number}",
                      f"{letter}{number + 1}", "", f"{letter}0{number}")
            cells.append(draw(_cell_xml(ref, rate)))
        attrs = odd(f' r="{number}"', *[
            "", f' r="{number}" spans="1:5"', f' r="{number}" hidden="1" ht="0"',
            f' r="{number}.0"', f' r="0{number}"'])
        rows.append(f"<row{attrs}>{''.join(cells)}</row>")
    return "".join(rows)


_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _workbook_with(path, cells: str, dimension: str | None = None,
                   shared: str | None = None) -> None:
    """A workbook whose flows sheet holds ``cells``, with shared strings and date styles
    (``dimension``: the sheet's claimed extent; ``shared``: the shared strings' items)."""
    import zipfile
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "flows"
    ws["A1"] = "placeholder"
    other = wb.create_sheet("parties")
    other.append(["id", "role"])
    other.append(["mc", "self"])
    other.append(["acme", "outsourcee"])
    for row, fmt in enumerate(["yyyy-mm-dd", "[h]:mm:ss", "0.00", "yyyy/m/d h:mm"], start=4):
        # styles 1-4 (the cells themselves are replaced by ``cells``)
        ws.cell(row, 3).value = 1
        ws.cell(row, 3).number_format = fmt
    top = wb.create_sheet("inventory")
    top.append(["format", "organisation"])
    top.append(["lineage/1", "mc"])
    wb.save(path)
    with zipfile.ZipFile(path) as src:
        parts = {n: src.read(n) for n in src.namelist()}
    name = "xl/worksheets/sheet1.xml"
    head, _, rest = parts[name].decode().partition("<sheetData>")
    _, _, tail = rest.partition("</sheetData>")
    if dimension is not None:
        import re
        head = re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{dimension}"', head)
    parts[name] = (head + "<sheetData>" + cells + "</sheetData>" + tail).encode()
    # openpyxl writes inline strings; Excel writes a shared-string table: add one
    if shared is None:
        shared = "".join(f"<si><t>{t}</t></si>" for t in
                         ("mc", "acme", "name;email", "F1", "  ", "2024-04-01"))
    parts["xl/sharedStrings.xml"] = (
        f'<sst xmlns="{_MAIN_NS}" count="9" uniqueCount="9">{shared}</sst>').encode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    parts["xl/_rels/workbook.xml.rels"] = rels.replace("</Relationships>", (
        '<Relationship Id="rIdSST" Target="sharedStrings.xml" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
        "</Relationships>")).encode()
    types = parts["[Content_Types].xml"].decode()
    parts["[Content_Types].xml"] = types.replace("</Types>", (
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxml'
        'formats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')).encode()
    with zipfile.ZipFile(path, "w") as out:
        for n, data in parts.items():
            out.writestr(n, data)


@_settings(120)
@given(sheet_data())
def test_hand_written_sheets_load_alike(tmp_path, cells):
    import warnings
    from openpyxl.reader.excel import ExcelReader

    from lineage.model import sheetcells
    path = tmp_path / "inv.xlsx"
    _workbook_with(path, cells)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = ExcelReader(path, read_only=True, data_only=False)
        reader.read()
        ws = reader.wb["flows"]
        ws.reset_dimensions()
        try:
            slow = list(sheetcells.cell_rows(ws))
        except Exception as exc:  # noqa: BLE001 - a damaged sheet: compared by load below
            slow = type(exc)
        try:
            fast = list(sheetcells.fast_rows(ws))
        except Exception:  # noqa: BLE001 - refused: openpyxl reads it
            fast = None
        reader.wb.close()
    if fast is not None:
        assert fast == slow
    fast_load, slow_load = both(path)
    assert fast_load == slow_load


# --- CSV folders: BOMs, Shift_JIS, empty cells and missing columns --------------------------

@st.composite
def csv_folders(draw):
    """Files of a CSV-folder inventory: ``{name: bytes}``."""
    import csv
    import io
    rate = draw(st.sampled_from([0, 5, 30]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp932"]))

    def cell(valid):
        text = draw(st.sampled_from(HOSTILE) if draw(st.integers(0, 99)) < rate
                    else st.sampled_from(valid))
        try:
            text.encode(encoding)
        except UnicodeEncodeError:
            return valid[0]
        return text

    def table(header, rows):
        out = io.StringIO()
        writer = csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
        writer.writerow(header)
        writer.writerows(rows)
        return out.getvalue().encode(encoding)

    files = {"inventory.csv": table(["format", "organisation"], [["lineage/1", cell(["mc"])]])}
    party_cols = draw(st.lists(st.sampled_from(["role", "country", "groups", "name"]),
                               unique=True))
    parties = [{"id": "mc", "role": "self"}, {"id": "acme", "role": "outsourcee",
                                              "country": "US", "name": "エーシーエムイー"},
               {"id": "people", "role": "data_subject", "groups": "a;b"}]
    for n in range(draw(st.integers(0, 3))):
        parties.append({"id": f"P{n}", **{c: cell(_PARTY[c]) for c in party_cols}})
    files["parties.csv"] = table(["id"] + party_cols,
                                 [[p["id"]] + [p.get(c, "") for c in party_cols]
                                  for p in parties])
    flow_cols = ["id", "from", "to", "items", "start"] + draw(st.lists(
        st.sampled_from(["end", "purposes", "basis", "recorded", "method", "note",
                         "exemption.law"]), unique=True))
    if draw(st.integers(0, 9)) == 0:
        flow_cols.remove(draw(st.sampled_from(flow_cols)))
    rows = []
    for n in range(draw(st.integers(1, 4))):
        values = {**{k: v for k, v in _FLOW.items()}, "id": [f"F{n}"],
                  "exemption.law": ["刑訴法", ""], "end": ["", "2026-01-01"]}
        rows.append([cell(values.get(c, [""])) for c in flow_cols])
    files["flows.csv"] = table(flow_cols, rows)
    return files


@_settings(120)
@given(csv_folders())
def test_hostile_csv_folders_load_alike(tmp_path, files):
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    fast, slow = both(tmp_path)
    assert fast == slow


@_settings(10)
@given(csv_folders())
def test_validate_and_check_bytes_alike_for_csv(tmp_path, files):
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    for command in (["validate", tmp_path, "--format", "json"],
                    ["check", tmp_path, "--format", "json"]):
        fast = _cli(*command)
        with careful():
            slow = _cli(*command)
        assert fast == slow, command


_ROWS = ('<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c>'
         '<c r="B1" t="inlineStr"><is><t>from</t></is></c><c r="C1" t="s"><v>0</v></c>'
         '<c r="D1" t="s"><v>1</v></c><c r="E1" t="s"><v>2</v></c></row>'
         '<row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" t="str"><v>mc</v></c>'
         '<c r="C2" t="s"><v>4</v></c><c r="D2" t="inlineStr"><is><t>name</t></is></c>'
         '<c r="E2" s="1"><v>45383</v></c></row>'
         '<row r="9"><c r="A9" t="str"><v>F9</v></c><c r="B9" t="str"><v>mc</v></c>'
         '<c r="C9" t="str"><v>acmee</v></c><c r="D9" t="str"><v>name</v></c>'
         '<c r="E9" s="4"><v>45383.5</v></c></row>')
#: Shared strings as Excel writes them: rich runs, phonetic readings (ふりがな), spaces.
_SHARED = ("<si><t>to</t></si><si><r><t>it</t></r><r><rPr><b/></rPr><t>ems</t></r></si>"
           "<si><t xml:space=\"preserve\">start</t></si>"
           "<si><r><t>F</t></r><r><t>1</t></r></si>"
           "<si><t>acme</t><rPh sb=\"0\" eb=\"1\"><t>アクメ</t></rPh></si>")


@pytest.mark.parametrize("dimension", [None, "A1:A1", "A1:XFD1048576", "C3:B2", "A1"])
def test_a_lying_dimension_and_rich_shared_strings_load_alike(tmp_path, dimension):
    """The sheet claims another extent than its cells; shared strings carry rich runs and
    phonetic readings; rows are missing: both paths read the same workbook alike."""
    path = tmp_path / "inv.xlsx"
    _workbook_with(path, _ROWS, dimension=dimension, shared=_SHARED)
    fast, slow = both(path)
    assert fast == slow
    assert fast[0] == "problems"
    assert [(p["location"].get("row"), p["message"]) for p in fast[1:]] == [
        (9, "expected a date without a time of day, got datetime.datetime(2024, 4, 1, 12, 0)")]


@pytest.mark.parametrize("careful_path", [False, True])
def test_an_overlong_id_says_so(tmp_path, careful_path):
    """A 129-character ID: the loader's own message, not pydantic's "at most 128 items"."""
    (tmp_path / "inventory.csv").write_text("format,organisation\nlineage/1,mc\n")
    (tmp_path / "parties.csv").write_text("id,role\nmc,self\n" + "F" * 129 + ",outsourcee\n"
                                          + "F" * 128 + ",outsourcee\n")
    (tmp_path / "flows.csv").write_text("id,from,to,items,start\n")
    with careful() if careful_path else contextlib.nullcontext():
        with pytest.raises(InventoryError) as caught:
            loading.load(tmp_path)
    assert [(p.location.row, p.field, p.message, p.message_ja)
            for p in caught.value.problems] == [
        (3, "id", "text is too long for an ID", "ID が長すぎます")]
