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
import warnings
from dataclasses import replace
from pathlib import Path

from ..files import check_input
from .errors import InventoryError, Location, Problem, add_capped, did_you_mean
from .sources import RawInventory, RowTable, SourceMap
from .csvfolder import attach_clauses
from .sheetcells import cell_rows, fast_rows
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
        _check_sizes(name, path)
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


#: What a workbook's parts may unpack to. A sheet of a million flows is some 400 MB of
#: XML, packed about ten to one; openpyxl holds the styles and other small parts whole
#: in memory (the hostile review of round 13: 1.5 MB packing 1.5 GB of spaces into
#: styles.xml took 4.7 GB). A part packed more than 200 to one is no spreadsheet's.
MAX_SMALL_PART = 64 << 20
MAX_PART = 4 << 30
MAX_RATIO = 200
MAX_STRINGS_RATIO = 50


def _check_sizes(name: str, path: Path) -> None:
    """Refuse a workbook whose parts would unpack beyond what a spreadsheet holds,
    before openpyxl reads any (the sizes are the zip's own; a part is never read past
    its stated size).

    Example:
        >>> import io, tempfile, pathlib, zipfile
        >>> bomb = pathlib.Path(tempfile.mkdtemp()) / "bomb.xlsx"
        >>> with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        ...     z.writestr("xl/styles.xml", " " * (80 << 20))
        >>> _check_sizes(str(bomb), bomb)
        Traceback (most recent call last):
        lineage.model.errors.InventoryError: ...bomb.xlsx: not a readable Excel workbook (.xlsx): its part xl/styles.xml unpacks to 80 MB (packed 1,000 to one or more): not a spreadsheet's
    """
    import zipfile
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # openpyxl says what is wrong with it
    for info in infos:
        size, packed = info.file_size, max(info.compress_size, 1)
        part = info.filename
        big = part.startswith("xl/worksheets/") or part == "xl/sharedStrings.xml"
        ratio = size // packed
        # openpyxl holds the shared strings whole, in objects several times their text:
        # packed more tightly than text packs, they are a bomb (the review of round 13:
        # 200 MB of tiny strings packed 188 to one took 110 s and 1.2 GB)
        limit = MAX_RATIO if part != "xl/sharedStrings.xml" else MAX_STRINGS_RATIO
        if (size > (MAX_PART if big else MAX_SMALL_PART)
                or (size > MAX_SMALL_PART and ratio > limit)):
            shown = f"{size / (1 << 20):,.0f} MB"
            raise InventoryError([Problem(
                Location(name), None, None, None,
                f"not a readable Excel workbook (.xlsx): its part {part} unpacks to {shown} "
                f"(packed {min(ratio, 1000):,} to one{' or more' if ratio >= 1000 else ''}): "
                "not a spreadsheet's",
                f"Excel ブック (.xlsx) として読めません: 部品 {part} の展開後の大きさが {shown} "
                f"あります（圧縮率 {min(ratio, 1000):,} 倍）。表計算ソフトのファイルではありません")])


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
            table = _read_sheet(name, sheet, ws, problems, missing)  # (its tab's own name shown)
            if table is None:
                continue
            names, labels, rows = table
            source.paths[(sheet,)] = Location(name, sheet=ws.title, row=1)
            if sheet in (REVISIONS_SHEET, TOP_SHEET):
                where = dict(zip(names, labels))
                rows = [(line, {k: (v, where[k]) for k, v in values.items()})
                        for line, values, _ in rows]
            if sheet == REVISIONS_SHEET:
                revisions = rows
            elif sheet == POLICY_SHEET:
                attach_clauses([(Location(name, sheet=ws.title, row=line), dict(values))
                                for line, values, _ in rows], data, source, problems)
            elif sheet == TOP_SHEET:
                _read_top(name, rows, data, source, problems)
            else:
                data[sheet] = _records(name, sheet, names, labels, rows, source, ws.title)
    finally:
        wb.close()
    return revisions


def _known_headers(sheet: str) -> list[str]:
    """The headers a sheet's columns may have: field names and Japanese labels."""
    from .tables import label_ja
    return sorted({h for c in columns(sheet) for h in (c.name, label_ja(sheet, c.name))})


def _letter(col: int) -> str:
    from openpyxl.utils import get_column_letter
    return get_column_letter(col)


def _read_sheet(name: str, sheet: str, ws, problems: list[Problem], missing: list[Problem]):
    """Column names and labels (``B (start)``), and rows as ``(row number, {column: value},
    column bits)``, or None when the header is bad.

    The sheet's cells are read by :func:`~lineage.model.sheetcells.fast_rows` when it
    can, else by openpyxl;
    both give the same cells, so the same table and the same problems.
    """
    found: list[Problem] = []
    absent: list[Problem] = []
    try:
        table = _table(name, sheet, fast_rows(ws), found, absent, ws.title)
    except Exception:  # noqa: BLE001 - anything unusual: openpyxl reads the sheet and says
        return _table(name, sheet, cell_rows(ws), problems, missing, ws.title)
    problems.extend(found)
    missing.extend(absent)
    return table


def _table(name: str, sheet: str, rows_iter, problems: list[Problem], missing: list[Problem],
           tab: str | None = None):
    """:func:`_read_sheet`'s table; messages name the sheet ``tab`` as its tab reads
    (データの流れ in the Japanese template) and each column by its header as written."""
    tab = tab or sheet
    written: dict[int, str] = {}
    try:
        header_cells = next(rows_iter)
    except StopIteration:
        return []
    header: dict[int, str] = {}
    ok = True
    seen: dict[str, str] = {}
    # Columns reported as unknown or repeated: their cells are left out and the rest of
    # the sheet is read, so every other problem is reported too, as for a CSV file.
    ignored: set[int] = set()
    for _, col, text, _ in header_cells:
        if text is None or str(text).strip() == "":
            continue
        column = column_for(sheet, str(text))
        shown = str(text).strip().splitlines()[0].strip()
        where = f"{_letter(col)} ({shown})"
        if column is None:
            # Unknown columns are errors: a typo must not hide a field.
            hint = did_you_mean(shown, _known_headers(sheet), cutoff=0.6)
            hint_ja = did_you_mean(shown, _known_headers(sheet), "ja", cutoff=0.6)
            # reported with the records' own problems, not alone (as a CSV file's
            # unknown column is): the rest of the sheet is still read and checked
            missing.append(Problem(Location(name, sheet=tab, row=1, column=where), sheet,
                                   None, shown, f"unknown column '{shown}'{hint or ' (typo?)'}",
                                   f"不明な列 '{shown}' です{hint_ja or '（入力の誤り？）'}"))
            ignored.add(col)
            continue
        if column.name in seen:
            missing.append(Problem(Location(name, sheet=tab, row=1, column=where), sheet,
                                   None, column.name,
                                   f"column '{column.name}' appears twice "
                                   f"(also {seen[column.name]})",
                                   f"列 '{column.name}' が重複しています（{seen[column.name]} にも）"))
            ignored.add(col)
            continue
        seen[column.name] = where
        header[col] = column.name
        written[col] = shown
    # The top row's missing keys are reported by the loader, once.
    for column in columns(sheet) if sheet != TOP_SHEET else ():
        if column.required and column.name not in seen:
            missing.append(Problem(Location(name, sheet=tab, row=1, column=column.name),
                                    sheet, None, column.name,
                                    f"required column '{column.name}' ({column.label_ja}) "
                                    "is missing",
                                    f"必須の列 '{column.name}'（{column.label_ja}）がありません"))
    names = tuple(header.values())
    labels = tuple(f"{_letter(col)} ({written[col]})" for col in header)
    bits = {col: 1 << i for i, col in enumerate(header)}
    rows = []
    for cells in rows_iter:
        values: dict = {}
        mask = 0
        cell_problems: list = []  # this row's, named by its ID once the row is read
        number = None
        for row, col, value, data_type in cells:
            number = row
            if value is None or (isinstance(value, str) and value.strip() == ""):
                continue
            if col not in header:
                if col in ignored:
                    continue
                if col not in header.values() and ok:
                    problems.append(Problem(
                        Location(name, sheet=tab, row=row, column=_letter(col)), sheet,
                        None, None, "value in a column without a header",
                        "見出しのない列に値があります"))
                    ok = False
                continue
            if data_type in ("f", "e"):
                # A cell's own problem: the value is left out and the rest is read, so
                # every other problem shows in the same run (the trial of round 14: one
                # formula hid every problem of every sheet). An error cell (#N/A from a
                # failed look-up) is no value either, in a name or a note (the hostile
                # review of round 13 found it read so).
                en, ja = (_FORMULA if data_type == "f" else _ERROR_VALUE)
                cell_problems.append(Problem(
                    Location(name, sheet=tab, row=row, column=f"{_letter(col)} ({written[col]})"),
                    sheet, None, header[col], en.format(value=value), ja.format(value=value)))
                continue
            values[header[col]] = _value(value)
            mask |= bits[col]
        if cell_problems:
            if type(values.get("id")) in (str, int):  # (a TRUE cell is no ID)
                # (the review of round 13: an error cell's message named no record)
                cell_problems = [replace(p, record=str(values["id"])) for p in cell_problems]
            for problem in cell_problems:
                add_capped(missing, problem, name)
        if values and number is not None:
            rows.append((number, values, mask))
    return (names, labels, rows) if ok else None


#: What a formula cell and an error cell are told, in both languages.
_FORMULA = ("cell holds a formula ({value}); type the value itself",
            "セルに数式 ({value}) があります。値そのものを入力してください"
            "（数式は計算せずに読みません）")
_ERROR_VALUE = ("cell holds the error value {value}: the formula or look-up behind it failed; "
                "type the value itself",
                "セルがエラー値 {value} です。元の数式や参照が失敗しています。"
                "値そのものを入力してください")


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
             source: SourceMap, tab: str | None = None) -> list:
    """The records of one sheet; their locations are kept as row numbers and column bits,
    and name the sheet ``tab`` as its tab reads."""
    where = RowTable(name, names, {c.path for c in columns(sheet)}, labels=labels,
                     sheet=tab or sheet, last_prefix=True)
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
