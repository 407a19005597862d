"""A sheet's cells as ``(row, column, value, data_type)``: openpyxl's, or one expat pass.

openpyxl's read-only mode builds an element-tree node, a dict and a cell
object for every cell; :func:`fast_rows` reads the plain cells of a sheet in
one expat pass and gives exactly what :func:`cell_rows` gives from openpyxl,
or raises so that openpyxl reads the sheet (the workbook reader falls back).

Example:
    >>> import openpyxl, tempfile, pathlib
    >>> wb = openpyxl.Workbook(); wb.active.append(["id", "start"])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.xlsx"; wb.save(path)
    >>> list(fast_rows(openpyxl.load_workbook(path, read_only=True).active))
    [[(1, 1, 'id', 's'), (1, 2, 'start', 's')]]
"""

from __future__ import annotations

import re

__all__ = ["Unusual", "fast_rows", "cell_rows"]


def cell_rows(ws):
    """openpyxl's rows as lists of ``(row, column, value, data_type)`` of the cells present.

    Example:
        >>> import openpyxl, tempfile, pathlib
        >>> wb = openpyxl.Workbook(); wb.active.append(["id", None, "x"])
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.xlsx"; wb.save(path)
        >>> list(cell_rows(openpyxl.load_workbook(path, read_only=True).active))
        [[(1, 1, 'id', 's'), (1, 3, 'x', 's')]]
    """
    for cells in ws.iter_rows():
        yield [(cell.row, cell.column, cell.value, cell.data_type) for cell in cells
               if getattr(cell, "row", None) is not None]


class Unusual(Exception):
    """Something in a sheet's cells :func:`fast_rows` leaves to openpyxl.

    Example:
        >>> issubclass(Unusual, Exception)
        True
    """


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]+)")


def fast_rows(ws):
    """The rows of a read-only sheet as :func:`cell_rows` gives them, read with expat.

    openpyxl builds an element tree node and a dict per cell; this reads the
    cells of ``<sheetData>`` in one expat pass, converting values with
    openpyxl's own functions (numbers, shared strings, dates by cell style).
    It reads only the plain case: numbered rows in order, referenced cells left
    to right, a value or a one-piece inline string, no formula. Anything else
    raises, and openpyxl reads the sheet. The rest of the sheet (columns,
    validations, views ...) is still parsed by openpyxl, so a damaged part is
    refused as before.

    Example:
        >>> import openpyxl, tempfile, pathlib
        >>> wb = openpyxl.Workbook(); wb.active.append(["id", 7]); wb.active.append([])
        >>> wb.active.append(["mc", True])
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.xlsx"; wb.save(path)
        >>> ws = openpyxl.load_workbook(path, read_only=True).active
        >>> list(fast_rows(ws)) == list(cell_rows(ws))
        True
        >>> list(fast_rows(ws))
        [[(1, 1, 'id', 's'), (1, 2, 7, 'n')], [], [(3, 1, 'mc', 's'), (3, 2, True, 'b')]]
    """
    from xml.parsers import expat
    from openpyxl.utils.cell import column_index_from_string
    from openpyxl.utils.datetime import from_excel
    from openpyxl.worksheet._reader import WorkSheetParser, _cast_number

    wb = ws.parent
    if wb.data_only or not isinstance(ws._shared_strings, list):
        raise Unusual
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
                raise Unusual
            letters = found.group(1)
            column = columns.get(letters)
            if column is None:
                column = columns[letters] = column_index_from_string(letters)
            if cells and cells[-1][1] >= column:
                raise Unusual
            style = attrs.get("s", "0")
            if not style.isdigit():
                raise Unusual
            kind = attrs.get("t", "n")
            value = None
            children.clear()
        elif depth == 5 and in_data:
            children.append(tag)
            if tag == v_tag:
                texts.clear()
            elif tag != is_tag or kind != "inlineStr":
                raise Unusual  # a formula, or something openpyxl would read its own way
        elif depth == 6 and in_data:
            if tag != t_tag or children != [is_tag]:
                raise Unusual  # rich or phonetic text
            children.append(tag)
            texts.clear()
        elif depth == 3 and in_data:
            number = attrs.get("r", "")
            if tag != row_tag or not number.isdigit() or int(number) <= row:
                raise Unusual
            row = int(number)
            cells.clear()
        elif depth == 2:
            if data_at is not None and after is None:
                after = parser.CurrentByteIndex
            if tag == data_tag:
                if data_at is not None:
                    raise Unusual
                data_at = parser.CurrentByteIndex
                in_data = True
        elif in_data or tag == row_tag or tag == c_tag:
            raise Unusual  # nested deeper than cells, or a row outside sheetData

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
            raise Unusual
        return row, column, text or "", "s"
    if len(children) > 1 or (children and children[0] != f"{_MAIN} v"):
        raise Unusual
    value = text or None
    if value is None:
        return row, column, None, kind
    if kind == "n":
        value = cast(value)
        if style in dates:
            if style in durations:
                raise Unusual
            return row, column, from_excel(value, epoch), "d"
        return row, column, value, "n"
    if kind == "s":
        return row, column, shared[int(value)], "s"
    if kind == "b":
        return row, column, bool(int(value)), "b"
    if kind == "str":
        return row, column, value, "s"
    raise Unusual  # an error value, an ISO date: openpyxl's own reading


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
                raise Unusual  # sheetData is the last element: find its end the slow way
            left = skip - data_at
            while left > 0:
                got = src.read(min(left, 1 << 20))
                if not got:
                    raise Unusual
                left -= len(got)
            rest += src.read()
    for _ in parser_class(io.BytesIO(rest), []).parse():
        raise Unusual  # a row outside sheetData
