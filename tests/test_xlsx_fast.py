"""The workbook reader's expat pass reads the same cells as openpyxl.

``sheetcells.fast_rows`` reads a sheet's cells in one expat pass; whatever it
does not read plainly it refuses, and openpyxl reads the sheet. On workbooks
lineage writes and on hand-made ones full of odd cells, it gives openpyxl's
cells exactly, or refuses; and whole workbooks load alike either way.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.reader.excel import ExcelReader

from lineage.forms import write_inventory
from lineage.model import sheetcells, workbook
from lineage.model.errors import InventoryError

from inventory_strategies import build, inventories


def _sheets(path):
    reader = ExcelReader(path, read_only=True, data_only=False)
    reader.read()
    return reader.wb


def _both(ws):
    ws.reset_dimensions()
    slow = list(sheetcells.cell_rows(ws))
    try:
        fast = list(sheetcells.fast_rows(ws))
    except Exception:  # noqa: BLE001 - refused: openpyxl reads it
        return None, slow
    return fast, slow


def _load(path, fast: bool):
    real = workbook.fast_rows
    if not fast:
        def refuse(ws):
            raise sheetcells.Unusual
            yield
        workbook.fast_rows = refuse
    try:
        raw = workbook.read_workbook(path)
        return raw.data, [(k, raw.source.locate(k + (0, "id"))) for k in
                          [(s,) for s in raw.data if isinstance(raw.data[s], list)]]
    except InventoryError as exc:
        return [p.as_dict() for p in exc.problems]
    finally:
        workbook.fast_rows = real


@settings(max_examples=12, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(inventories(max_flows=8))
def test_lineage_workbooks_are_read_by_expat_alike(tmp_path, data):
    path = tmp_path / "inv.xlsx"
    write_inventory(build(data), path, force=True)
    wb = _sheets(path)
    for ws in wb.worksheets:
        fast, slow = _both(ws)
        assert fast is not None, ws.title  # what lineage writes is the plain case
        assert fast == slow, ws.title
    wb.close()
    assert _load(path, True) == _load(path, False)


def _odd_workbook(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "flows"
    ws.append(["id", "from", "to", "items", "start", "recorded", "note"])
    ws.append(["F1", "mc", "acme", "name", dt.date(2024, 4, 1), True, 12])
    ws.append(["F2", "mc", "acme", "name", dt.datetime(2024, 4, 1, 12, 30), False, 1.5])
    ws.append([])
    ws.append(["F3", "mc", "acme", "name;email", "2024/4/1", "TRUE", "  "])
    ws["C9"] = 7
    ws["A9"] = "F4"
    ws["G12"] = "only a note"
    sheets = {"plain": [["id", "role"], ["mc", "self"], [None, None], ["acme", None]],
              "formula": [["id", "role"], ["mc", "=A1&\"x\""]],
              "rich": [["id", "name"], ["mc", CellRichText(["a", TextBlock(InlineFont(b=True),
                                                                           "b")])]],
              "error": [["id", "name"], ["mc", "#N/A"]],
              "numbers": [["id", "volume"], [1, 2.0], [3, 1e20], [4, -0.5]]}
    for title, rows in sheets.items():
        sheet = wb.create_sheet(title)
        for row in rows:
            sheet.append(row)
    wb.create_sheet("empty")
    wb.save(path)


def test_odd_cells_are_read_alike_or_left_to_openpyxl(tmp_path):
    path = tmp_path / "odd.xlsx"
    _odd_workbook(path)
    wb = _sheets(path)
    refused = set()
    for ws in wb.worksheets:
        fast, slow = _both(ws)
        if fast is None:
            refused.add(ws.title)
        else:
            assert fast == slow, ws.title
    wb.close()
    assert refused == {"formula", "rich", "error"}
    assert _load(path, True) == _load(path, False)


@pytest.mark.parametrize("cells, refused", [
    ('<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row>'
     '<row r="3"><c r="A3" t="inlineStr"><is><t>x</t></is></c></row>', False),
    ('<row r="2"><c r="A2" t="inlineStr"><is><t>id</t></is></c></row>', False),
    ('<row r="1"><c r="A1" t="inlineStr"><is>\n<t xml:space="preserve"> id </t>\n</is></c>'
     '</row>', False),
    ('<row r="1"><c r="A1" t="b"><v>1</v></c><c r="B1"><v>  7 </v></c><c r="C1" t="str">'
     '<v>s</v></c><c r="D1" t="n"/></row>', False),
    ('<row r="2"><c r="A2"><v>1</v></c></row><row r="1"><c r="A1"><v>2</v></c></row>', True),
    ('<row r="1"><c r="B1"><v>1</v></c><c r="A1"><v>2</v></c></row>', True),
    ('<row><c r="A1"><v>1</v></c></row>', True),
    ('<row r="1"><c><v>1</v></c></row>', True),
    ('<row r="1"><c r="A2"><v>1</v></c></row>', True),
    ('<row r="1"><c r="A1" t="e"><v>#N/A</v></c></row>', True),
    ('<row r="1"><c r="A1" t="inlineStr"><is><r><t>a</t></r></is></c></row>', True),
    ('<row r="1"><c r="A1"><f>1+1</f><v>2</v></c></row>', True),
])
def test_sheet_xml_edges(tmp_path, cells, refused):
    """Hand-written sheet XML: the same cells as openpyxl, or refused."""
    path = tmp_path / "edges.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "flows"
    wb.active["A1"] = "placeholder"
    wb.save(path)
    import zipfile
    with zipfile.ZipFile(path) as src:
        parts = {n: src.read(n) for n in src.namelist()}
    name = next(n for n in parts if n.startswith("xl/worksheets/sheet"))
    text = parts[name].decode()
    head, _, rest = text.partition("<sheetData>")
    _, _, tail = rest.partition("</sheetData>")
    parts[name] = (head + "<sheetData>" + cells + "</sheetData>" + tail).encode()
    with zipfile.ZipFile(path, "w") as out:
        for n, data in parts.items():
            out.writestr(n, data)
    wb = _sheets(path)
    fast, slow = _both(wb.worksheets[0])
    wb.close()
    assert (fast is None) == refused
    if fast is not None:
        assert fast == slow
