"""Locations computed on demand equal the ones the readers used to record for every cell.

The CSV and workbook readers keep per record only its row number and which
columns held a value; ``SourceMap.locate`` builds the Location when an error or
a finding asks. The old readers recorded a Location per cell; their recording
functions (still used for revisions) are the oracle here, on the sample and on
files with nested, unknown, empty and out-of-order columns.
"""

from __future__ import annotations

import pytest

from lineage.forms import write_inventory
from lineage.model import csvfolder, load, workbook
from lineage.model.errors import Location
from lineage.model.sources import SourceMap
from lineage.model.tables import SHEETS, columns

from paths import SAMPLE


def _probe_paths(eager: SourceMap, stem: str, count: int) -> set:
    """Every recorded path, plus children and siblings nobody recorded."""
    out = {p for p in eager.paths if p[:1] == (stem,)}
    extra = set()
    for p in out:
        extra.add(p + ("x",))
        extra.add(p + (0,))
        extra.add(p + (3, "y"))
    for i in (count, count + 5, -1):
        extra.add((stem, i))
        extra.add((stem, i, "id"))
    for i in range(min(count, 3)):
        for name in ("exemption", "provider", "responsible", "nope", "revisions"):
            extra.add((stem, i, name))
            extra.add((stem, i, name, "zzz"))
    return out | extra


def _compare(lazy: SourceMap, eager: SourceMap, stem: str, count: int) -> int:
    # what both readers record alike: the default and each table's header row
    eager.default = lazy.default
    eager.paths[(stem,)] = lazy.paths[(stem,)]
    checked = 0
    for path in sorted(_probe_paths(eager, stem, count), key=repr):
        assert lazy.locate(path) == eager.locate(path), path
        checked += 1
    return checked


def _csv_eager(folder):
    """What the CSV reader recorded cell by cell before locations became lazy."""
    eager = {}
    for path in csvfolder.csv_files(folder):
        stem = csvfolder.sheet_for(path.stem) or path.stem
        if stem in ("inventory", "notice_revisions"):
            continue
        rows = csvfolder._read_rows(path, [])
        sm = SourceMap(Location(str(folder)))
        for index, (line, row) in enumerate(rows):
            csvfolder._record(str(path), stem, index, row, line, sm)
        eager[stem] = (sm, len(rows))
    return eager


def _check_csv(folder) -> int:
    raw = csvfolder.read_csv_folder(folder)
    checked = 0
    for stem, (sm, count) in _csv_eager(folder).items():
        assert stem in raw.source.tables
        checked += _compare(raw.source, sm, stem, count)
    return checked


def test_csv_sample_locations_match_the_recorded_ones(tmp_path):
    folder = tmp_path / "csv"
    write_inventory(load(SAMPLE), folder, form="csv-folder")
    assert _check_csv(folder) > 1000


def test_csv_odd_columns_locate_as_before(tmp_path):
    folder = tmp_path / "odd"
    folder.mkdir()
    (folder / "inventory.csv").write_text("format,organisation\nlineage/1,mc\n")
    (folder / "parties.csv").write_text("id,role\nmc,self\np,outsourcee\n")
    # unknown nested columns in two orders, an empty nested cell, a column "a" and "a.b"
    (folder / "flows.csv").write_text(
        "id,from,to,items,start,foo.b,foo.a,exemption.document,exemption.law,a,a.b,colour\n"
        "F1,mc,p,name,2024-01-01,,x,,刑訴法,1,2,red\n"
        "F2,mc,p,name,2024-01-01,y,z,doc,,,3,\n"
        "F3,mc,p,,2024-01-01,,,,,,,\n")
    raw = csvfolder.read_csv_folder(folder)
    for stem, (sm, count) in _csv_eager(folder).items():
        _compare(raw.source, sm, stem, count)
    assert raw.source.locate(("flows", 0, "foo")).column == "foo.a"
    assert raw.source.locate(("flows", 1, "foo")).column == "foo.b"
    assert raw.source.locate(("flows", 0, "exemption")).column == "exemption.law"
    assert raw.source.locate(("flows", 2, "items", 1)) == Location(str(folder / "flows.csv"),
                                                                     row=4, column="items")


def _xlsx_eager(path):
    """What the workbook reader recorded cell by cell before locations became lazy."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    eager = {}
    try:
        for ws in wb.worksheets:
            sheet = workbook.sheet_for(ws.title)
            if sheet in (None, "inventory", "notice_revisions"):
                continue
            ws.reset_dimensions()
            names, labels, rows = workbook._read_sheet(str(path), sheet, ws, [], [])
            where = dict(zip(names, labels))
            sm = SourceMap(Location(str(path)))
            for index, (line, values, _) in enumerate(rows):
                workbook._record(str(path), sheet, sheet, index,
                                 {k: (v, where[k]) for k, v in values.items()}, line, sm)
            eager[sheet] = (sm, len(rows))
    finally:
        wb.close()
    return eager


def test_xlsx_sample_locations_match_the_recorded_ones(tmp_path):
    path = tmp_path / "inv.xlsx"
    write_inventory(load(SAMPLE), path, form="xlsx")
    raw = workbook.read_workbook(path)
    checked = 0
    for sheet, (sm, count) in _xlsx_eager(path).items():
        checked += _compare(raw.source, sm, sheet, count)
    assert checked > 1000


@pytest.mark.parametrize("sheet", [s for s in SHEETS if s not in ("inventory",)])
def test_every_schema_column_has_a_lazy_location(sheet, tmp_path):
    """A missing required field is still reported in its column."""
    from lineage.model.sources import RowTable

    table = RowTable("f.csv", ("id",), {c.path for c in columns(sheet)})
    table.add(2, ())
    for column in columns(sheet):
        assert table.locate(0, column.path).column == column.name


def test_yaml_lines_are_kept_as_numbers_and_located_per_file(tmp_path):
    from lineage.model.sources import read_yaml_folder

    (tmp_path / "a.yaml").write_text("format: lineage/1\norganisation: mc\n")
    (tmp_path / "b.yaml").write_text("flows:\n  - id: F1\n    start: 2024-01-01\n"
                                     "  - id: F2\n")
    raw = read_yaml_folder(tmp_path)
    assert raw.source.paths == {}  # no Location object until one is asked for
    assert all(type(v) is int for _, lines in raw.source.lines for v in lines.values())
    b = str(tmp_path / "b.yaml")
    assert raw.source.locate(("flows", 0, "start")) == Location(b, 3)
    assert raw.source.locate(("flows", 1, "end")) == Location(b, 4)
    assert raw.source.locate(("organisation",)) == Location(str(tmp_path / "a.yaml"), 2)
    assert raw.source.locate(("parties", 0)) == Location(str(tmp_path))
