"""Read the Excel form of an inventory: one sheet per collection, as the CSV files.

Sheet ``inventory`` holds the top-level row, ``notice_revisions`` the joint-use
revisions (with a ``notice`` column), every other sheet is named after its
collection. Row 1 is the header; a header cell names its field on any line,
by field name (``start``) or by its Japanese label (``開始日``), so a
bilingual header ``start⏎開始日`` works. A date may be a date cell or ISO text;
a boolean a TRUE/FALSE cell or text. Formulas are refused (lineage reads what
the sheet says, not what it computes). Every problem names the sheet, the row
and the column (letter and header).

Example:
    >>> import tempfile, pathlib, openpyxl
    >>> wb = openpyxl.Workbook(); ws = wb.active; ws.title = "inventory"
    >>> ws.append(["format", "organisation"]); ws.append(["lineage/1", "a"])
    >>> fl = wb.create_sheet("flows")
    >>> fl.append(["id", "from", "to", "items", "start\\n開始日"])
    >>> fl.append(["F1", "a", "b", "name;email", "2024-01-01"])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "inv.xlsx"; wb.save(path)
    >>> raw = read_workbook(path)
    >>> raw.data["flows"][0]["items"], raw.data["flows"][0]["start"]
    ('name;email', '2024-01-01')
    >>> loc = raw.source.locate(("flows", 0, "start"))
    >>> loc.sheet, loc.row, loc.column
    ('flows', 2, 'E (start)')
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from pathlib import Path

from ..files import check_input
from .errors import InventoryError, Location, Problem
from .sources import RawInventory, RowTable, SourceMap
from .csvfolder import attach_clauses
from .tables import (POLICY_SHEET, REVISIONS_SHEET, SHEET_LABELS, SHEETS, TOP_SHEET, column_for,
                     columns, sheet_for)

__all__ = ["read_workbook"]


def read_workbook(path: Path) -> RawInventory:
    """Read an ``.xlsx`` inventory; raise :class:`InventoryError` listing every problem.

    Example:
        >>> import tempfile, pathlib
        >>> bad = pathlib.Path(tempfile.mkdtemp()) / "bad.xlsx"; _ = bad.write_bytes(b"x")
        >>> read_workbook(bad)
        Traceback (most recent call last):
        lineage.model.errors.InventoryError: ...bad.xlsx: not a readable Excel workbook (.xlsx): ...
    """
    path = Path(path)
    name = str(path)
    problems: list[Problem] = []
    missing: list[Problem] = []  # reported with the schema's problems, not alone
    data: dict = {}
    source = SourceMap(Location(name, sheet=TOP_SHEET))
    try:
        check_input(path)
        # openpyxl warns about features it drops (data validation extensions, ...)
        # with its own file paths; they mean nothing to the user and change nothing read.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            revisions = _read_sheets(name, path, data, source, problems, missing)
    except InventoryError:
        raise
    except OSError as exc:
        raise _unreadable(name, exc.strerror or str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - any failure inside openpyxl is a damaged file
        raise _unreadable(name, _damage(exc)) from None
    if revisions is not None:
        _attach_revisions(name, revisions, data, source, problems)
    if problems:
        raise InventoryError(problems + missing)
    return RawInventory(data, source, name, missing)


def _unreadable(name: str, reason: str) -> InventoryError:
    return InventoryError([Problem(Location(name), None, None, None,
                                   f"not a readable Excel workbook (.xlsx): {reason}",
                                   "Excel ブック (.xlsx) として読めません")])


def _damage(exc: Exception) -> str:
    """A short reason for a damaged workbook, without library file paths."""
    text = str(exc).splitlines()[0] if str(exc) else ""
    if "/" in text or "\\" in text or len(text) > 120:
        text = ""
    kind = type(exc).__name__
    if kind == "error":  # zlib.error: bytes of the zip were changed
        kind = f"{type(exc).__module__}.error"
    return f"the file is damaged ({kind}{': ' + text if text else ''})"


def _read_sheets(name: str, path: Path, data: dict, source: SourceMap,
                 problems: list[Problem], missing: list[Problem]):
    """Read every sheet into ``data``; return the revisions rows (None without that sheet)."""
    from openpyxl.reader.excel import ExcelReader

    # load_workbook() is these two calls; the reader is kept to see which sheets the
    # workbook lists but whose part is missing (openpyxl skips those silently).
    reader = ExcelReader(path, read_only=True, data_only=False)
    reader.read()
    wb = reader.wb
    for listed, rel in reader.parser.find_sheets():
        if rel.target not in reader.valid_files:
            wb.close()
            raise InventoryError([Problem(Location(name, sheet=listed.name), None, None, None,
                                          f"not a readable Excel workbook (.xlsx): sheet "
                                          f"'{listed.name}' is listed but its part is missing "
                                          "(a damaged file?)",
                                          "シートの実体がありません(ファイルの破損)")])
    revisions = None
    try:
        for ws in wb.worksheets:
            # A sheet is named after its collection, in English or Japanese (データの流れ).
            sheet = sheet_for(ws.title)
            if sheet is None:
                problems.append(Problem(Location(name, sheet=ws.title), None, None, None,
                                        f"unknown sheet '{ws.title}' (sheets are named after "
                                        f"collections: {', '.join(SHEETS)})",
                                        f"不明なシート '{ws.title}' です（シート名は"
                                        f"{'、'.join(SHEET_LABELS[s][0] for s in SHEETS)}）"))
                continue
            if sheet != ws.title and (sheet in wb.sheetnames):
                problems.append(Problem(Location(name, sheet=ws.title), None, None, None,
                                        f"sheets '{sheet}' and '{ws.title}' hold the same "
                                        "collection",
                                        f"シート '{sheet}' と '{ws.title}' は同じ表です"))
                continue
            # The sheet's own <dimension> may claim XFD1048576: bound the rows and
            # columns by the cells really there, or reading pads billions of cells.
            ws.reset_dimensions()
            table = _read_sheet(name, sheet, ws, problems, missing)
            if table is None:
                continue
            names, labels, rows = table
            source.paths[(sheet,)] = Location(name, sheet=sheet, row=1)
            if sheet in (REVISIONS_SHEET, TOP_SHEET):
                where = dict(zip(names, labels))
                rows = [(line, {k: (v, where[k]) for k, v in values.items()})
                        for line, values, _ in rows]
            if sheet == REVISIONS_SHEET:
                revisions = rows
            elif sheet == POLICY_SHEET:
                attach_clauses([(Location(name, sheet=sheet, row=line), dict(values))
                                for line, values, _ in rows], data, source, problems)
            elif sheet == TOP_SHEET:
                _read_top(name, rows, data, source, problems)
            else:
                data[sheet] = _records(name, sheet, names, labels, rows, source)
    finally:
        wb.close()
    return revisions


def _letter(col: int) -> str:
    from openpyxl.utils import get_column_letter
    return get_column_letter(col)


def _read_sheet(name: str, sheet: str, ws, problems: list[Problem], missing: list[Problem]):
    """Column names and labels (``B (start)``), and rows as ``(row number, {column: value},
    column bits)``, or None when the header is bad.

    The sheet's cells are read by :func:`_fast_rows` when it can, else by openpyxl;
    both give the same cells, so the same table and the same problems.
    """
    found: list[Problem] = []
    absent: list[Problem] = []
    try:
        table = _table(name, sheet, _fast_rows(ws), found, absent)
    except Exception:  # noqa: BLE001 - anything unusual: openpyxl reads the sheet and says
        return _table(name, sheet, _cell_rows(ws), problems, missing)
    problems.extend(found)
    missing.extend(absent)
    return table


def _cell_rows(ws):
    """openpyxl's rows as lists of ``(row, column, value, data_type)`` of the cells present."""
    for cells in ws.iter_rows():
        yield [(cell.row, cell.column, cell.value, cell.data_type) for cell in cells
               if getattr(cell, "row", None) is not None]


def _table(name: str, sheet: str, rows_iter, problems: list[Problem], missing: list[Problem]):
    try:
        header_cells = next(rows_iter)
    except StopIteration:
        return []
    header: dict[int, str] = {}
    ok = True
    seen: dict[str, str] = {}
    for _, col, text, _ in header_cells:
        if text is None or str(text).strip() == "":
            continue
        column = column_for(sheet, str(text))
        shown = str(text).strip().splitlines()[0].strip()
        where = f"{_letter(col)} ({shown})"
        if column is None:
            # Unknown columns are errors: a typo must not hide a field.
            problems.append(Problem(Location(name, sheet=sheet, row=1, column=where), sheet,
                                    None, shown, f"unknown column '{shown}' (typo?)",
                                    f"不明な列 '{shown}' です"))
            ok = False
            continue
        if column.name in seen:
            problems.append(Problem(Location(name, sheet=sheet, row=1, column=where), sheet,
                                    None, column.name,
                                    f"column '{column.name}' appears twice "
                                    f"(also {seen[column.name]})",
                                    f"列 '{column.name}' が重複しています"))
            ok = False
            continue
        seen[column.name] = where
        header[col] = column.name
    # The top row's missing keys are reported by the loader, once.
    for column in columns(sheet) if sheet != TOP_SHEET else ():
        if column.required and column.name not in seen:
            missing.append(Problem(Location(name, sheet=sheet, row=1, column=column.name),
                                    sheet, None, column.name,
                                    f"required column '{column.name}' ({column.label_ja}) "
                                    "is missing",
                                    f"必須の列 '{column.name}'（{column.label_ja}）がありません"))
    names = tuple(header.values())
    labels = tuple(f"{_letter(col)} ({text})" for col, text in header.items())
    bits = {col: 1 << i for i, col in enumerate(header)}
    rows = []
    for cells in rows_iter:
        values: dict = {}
        mask = 0
        number = None
        for row, col, value, data_type in cells:
            number = row
            if value is None or (isinstance(value, str) and value.strip() == ""):
                continue
            if col not in header:
                if col not in header.values() and ok:
                    problems.append(Problem(
                        Location(name, sheet=sheet, row=row, column=_letter(col)), sheet,
                        None, None, "value in a column without a header",
                        "見出しのない列に値があります"))
                    ok = False
                continue
            if data_type == "f":
                where = f"{_letter(col)} ({header[col]})"
                problems.append(Problem(Location(name, sheet=sheet, row=row, column=where),
                                        sheet, None, header[col],
                                        f"cell holds a formula ({value}); type the value itself",
                                        "セルに数式があります。値を入力してください"))
                ok = False
                continue
            values[header[col]] = _value(value)
            mask |= bits[col]
        if values and number is not None:
            rows.append((number, values, mask))
    return (names, labels, rows) if ok else None


class _Unusual(Exception):
    """Something in a sheet's cells :func:`_fast_rows` leaves to openpyxl."""


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]+)")


def _fast_rows(ws):
    """The rows of a read-only sheet as :func:`_cell_rows` gives them, read with expat.

    openpyxl builds an element tree node and a dict per cell; this reads the
    cells of ``<sheetData>`` in one expat pass, converting values with
    openpyxl's own functions (numbers, shared strings, dates by cell style).
    It reads only the plain case: numbered rows in order, referenced cells left
    to right, a value or a one-piece inline string, no formula. Anything else
    raises, and openpyxl reads the sheet. The rest of the sheet (columns,
    validations, views ...) is still parsed by openpyxl, so a damaged part is
    refused as before.
    """
    from xml.parsers import expat
    from openpyxl.utils.cell import column_index_from_string
    from openpyxl.utils.datetime import from_excel
    from openpyxl.worksheet._reader import WorkSheetParser, _cast_number

    wb = ws.parent
    if wb.data_only or not isinstance(ws._shared_strings, list):
        raise _Unusual
    shared = ws._shared_strings
    dates, durations, epoch = wb._date_formats, wb._timedelta_formats, wb.epoch
    columns: dict[str, int] = {}
    ready: list = []  # rows read, not yet handed out: (row number, cells)
    cells: list = []
    texts: list = []
    # where the parser is: depth 0 the worksheet, 1 sheetData, 2 a row, 3 a cell ...
    depth = 0
    in_data = False
    data_at = after = None  # byte offsets of sheetData and of the element after it
    row = 0
    # the cell being read: column, type, style, its text, its children's tags
    column = kind = style = value = None
    children: list = []
    v_tag, is_tag, t_tag = f"{_MAIN} v", f"{_MAIN} is", f"{_MAIN} t"
    row_tag, c_tag, data_tag = f"{_MAIN} row", f"{_MAIN} c", f"{_MAIN} sheetData"
    parser = expat.ParserCreate(namespace_separator=" ")

    def start(tag, attrs):
        nonlocal depth, in_data, data_at, after, row, column, kind, style, value
        depth += 1
        if depth == 4 and in_data:  # a cell
            ref = attrs.get("r")
            found = _CELL_REF.fullmatch(ref) if tag == c_tag and ref else None
            if found is None or int(found.group(2)) != row:
                raise _Unusual
            letters = found.group(1)
            column = columns.get(letters)
            if column is None:
                column = columns[letters] = column_index_from_string(letters)
            if cells and cells[-1][1] >= column:
                raise _Unusual
            style = attrs.get("s", "0")
            if not style.isdigit():
                raise _Unusual
            kind = attrs.get("t", "n")
            value = None
            children.clear()
        elif depth == 5 and in_data:
            children.append(tag)
            if tag == v_tag:
                texts.clear()
            elif tag != is_tag or kind != "inlineStr":
                raise _Unusual  # a formula, or something openpyxl would read its own way
        elif depth == 6 and in_data:
            if tag != t_tag or children != [is_tag]:
                raise _Unusual  # rich or phonetic text
            children.append(tag)
            texts.clear()
        elif depth == 3 and in_data:
            number = attrs.get("r", "")
            if tag != row_tag or not number.isdigit() or int(number) <= row:
                raise _Unusual
            row = int(number)
            cells.clear()
        elif depth == 2:
            if data_at is not None and after is None:
                after = parser.CurrentByteIndex
            if tag == data_tag:
                if data_at is not None:
                    raise _Unusual
                data_at = parser.CurrentByteIndex
                in_data = True
        elif in_data or tag == row_tag or tag == c_tag:
            raise _Unusual  # nested deeper than cells, or a row outside sheetData

    def end(tag):
        nonlocal depth, in_data, value
        depth -= 1
        if not in_data:
            return
        if depth == 3:
            cells.append(_cell_value(row, column, kind, int(style), value, children, shared,
                                     dates, durations, epoch, from_excel, _cast_number))
        elif depth >= 4:
            if tag != is_tag:
                value = "".join(texts)
        elif depth == 2:
            ready.append((row, list(cells)))
        elif depth == 1:
            in_data = False

    def text(data):
        texts.append(data)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.buffer_text = True
    counter = 1
    with ws._get_source() as src:
        while True:
            chunk = src.read(1 << 16)
            parser.Parse(chunk, not chunk)
            for number, found in ready:
                while counter < number:  # rows not written: openpyxl gives them empty
                    counter += 1
                    yield []
                counter += 1
                yield found
            ready.clear()
            if not chunk:
                break
    _check_rest(ws, data_at, after, WorkSheetParser)


def _cell_value(row, column, kind, style, text, children, shared, dates, durations, epoch,
                from_excel, cast) -> tuple:
    """``(row, column, value, data_type)`` of one cell, as openpyxl's parse_cell gives them."""
    if kind == "inlineStr":
        if children != [f"{_MAIN} is", f"{_MAIN} t"] and children != [f"{_MAIN} is"]:
            raise _Unusual
        return row, column, text or "", "s"
    if len(children) > 1 or (children and children[0] != f"{_MAIN} v"):
        raise _Unusual
    value = text or None
    if value is None:
        return row, column, None, kind
    if kind == "n":
        value = cast(value)
        if style in dates:
            if style in durations:
                raise _Unusual
            return row, column, from_excel(value, epoch), "d"
        return row, column, value, "n"
    if kind == "s":
        return row, column, shared[int(value)], "s"
    if kind == "b":
        return row, column, bool(int(value)), "b"
    if kind == "str":
        return row, column, value, "s"
    raise _Unusual  # an error value, an ISO date: openpyxl's own reading


def _check_rest(ws, data_at: int | None, after: int | None, parser_class) -> None:
    """Have openpyxl parse every part of the sheet but its cells, as it would have."""
    import io

    with ws._get_source() as src:
        if data_at is None:
            rest = src.read()
        else:
            rest = src.read(data_at)
            skip = (after if after is not None else None)
            if skip is None:
                raise _Unusual  # sheetData is the last element: find its end the slow way
            left = skip - data_at
            while left > 0:
                got = src.read(min(left, 1 << 20))
                if not got:
                    raise _Unusual
                left -= len(got)
            rest += src.read()
    for _ in parser_class(io.BytesIO(rest), []).parse():
        raise _Unusual  # a row outside sheetData


def _value(value):
    """A cell as the loaders hand values over: text, a bool, or a date."""
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time(0) else value
    if isinstance(value, float) and value.is_integer():
        return int(value)  # an ID typed as 7 must not become "7.0"
    if isinstance(value, str):
        return value.strip()
    return value


def _records(name: str, sheet: str, names: tuple, labels: tuple, rows: list,
             source: SourceMap) -> list:
    """The records of one sheet; their locations are kept as row numbers and column bits."""
    where = RowTable(name, names, {c.path for c in columns(sheet)}, labels=labels,
                     sheet=sheet, last_prefix=True)
    source.tables[sheet] = where
    out = []
    for line, values, mask in rows:
        where.add_mask(line, mask)
        record: dict = {}
        for column, value in values.items():
            if "." in column:
                head, _, last = column.rpartition(".")
                target = record
                for part in head.split("."):
                    target = target.setdefault(part, {})
                target[last] = value
            else:
                record[column] = value
        out.append(record)
    return out


def _record(name: str, sheet: str, stem: str, index: int, row: dict, line: int,
            source: SourceMap, prefix: tuple = ()) -> dict:
    """Nest dotted columns; record where each value, and each missing field, sits."""
    base = (stem,) + prefix + (index,)
    source.paths[base] = Location(name, sheet=sheet, row=line)
    for column in columns(sheet):
        # A missing required field is still reported in its column.
        source.paths.setdefault(base + column.path,
                                Location(name, sheet=sheet, row=line, column=column.name))
    out: dict = {}
    for column, (value, where) in row.items():
        parts = column.split(".")
        target = out
        for depth, part in enumerate(parts[:-1]):
            source.paths[base + tuple(parts[:depth + 1])] = Location(
                name, sheet=sheet, row=line, column=where)
            target = target.setdefault(part, {})
        target[parts[-1]] = value
        source.paths[base + tuple(parts)] = Location(name, sheet=sheet, row=line, column=where)
        if isinstance(value, str) and ";" in value:
            for pos, _ in enumerate(p for p in value.split(";") if p.strip()):
                source.paths[base + tuple(parts) + (pos,)] = Location(
                    name, sheet=sheet, row=line, column=where)
    return out


def _read_top(name: str, rows: list, data: dict, source: SourceMap,
              problems: list[Problem]) -> None:
    if len(rows) != 1:
        problems.append(Problem(Location(name, sheet=TOP_SHEET), None, None, None,
                                f"sheet '{TOP_SHEET}' must hold exactly one row under its "
                                f"header, found {len(rows)}",
                                f"シート '{TOP_SHEET}' には見出しの下に 1 行だけ書いてください"))
        return
    line, row = rows[0]
    source.default = Location(name, sheet=TOP_SHEET, row=line)
    for key, (value, where) in row.items():
        loc = Location(name, sheet=TOP_SHEET, row=line, column=where)
        head, _, field = key.partition(".")
        if field:  # a dotted column (policy.title) is a field of a nested mapping
            nested = data.setdefault(head, {})
            if isinstance(nested, dict):
                nested[field] = value
            source.paths.setdefault((head,), loc)
            source.paths[(head, field)] = loc
            continue
        data[key] = value
        source.paths[(key,)] = loc


def _attach_revisions(name: str, rows: list, data: dict, source: SourceMap,
                      problems: list[Problem]) -> None:
    """Put each ``notice_revisions`` row into its notice's ``revisions``."""
    notices = data.get("notices")
    by_id = {n.get("id"): (i, n) for i, n in enumerate(notices or []) if isinstance(n, dict)}
    for line, row in rows:
        row = dict(row)
        notice, where = row.pop("notice", (None, "notice"))
        key = str(notice).strip() if notice is not None else None
        if key not in by_id:
            problems.append(Problem(Location(name, sheet=REVISIONS_SHEET, row=line,
                                             column=where), "notices", key, "revisions",
                                    "revision names no notice of sheet 'notices'"
                                    if key is None else f"revision of unknown notice '{key}'",
                                    "改定の対象の通知が見つかりません"))
            continue
        index, record = by_id[key]
        revs = record.setdefault("revisions", [])
        revs.append(_record(name, REVISIONS_SHEET, "notices", len(revs), row, line, source,
                            prefix=(index, "revisions")))
