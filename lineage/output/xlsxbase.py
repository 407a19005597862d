"""What every workbook lineage writes shares: safe text cells, headers, fixed bytes.

A spreadsheet evaluates a cell that begins with ``=``, ``+``, ``-`` or ``@`` as
a formula when it is typed or imported, so a party named
``=HYPERLINK("http://evil","click")`` could run in the reader's Excel. Text is
therefore always stored as a string cell (never a formula) with Excel's quote
prefix; reports also put a visible ``'`` in front (:func:`neutralise`), which
survives a copy to CSV. Workbooks are saved with fixed document times and zip
entry times so the same input gives the same bytes.

Example:
    >>> neutralise('=HYPERLINK("http://x")'), neutralise("ok"), neutralise(3)
    ('\\'=HYPERLINK("http://x")', 'ok', 3)
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

__all__ = ["FORMULA_START", "neutralise", "set_text", "style_header", "workbook_bytes",
           "FIXED_TIME", "DATE_FORMAT"]

#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: The error values a spreadsheet shows; a text holding one is written as text.
ERROR_CODES = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})
#: Document times when nothing better is known (the zip format cannot go before 1980).
FIXED_TIME = dt.datetime(1980, 1, 1)
DATE_FORMAT = "yyyy-mm-dd"


def neutralise(value):
    """``value`` with a leading ``'`` when it would start a formula; others unchanged.

    Example:
        >>> neutralise("-1"), neutralise("@cmd"), neutralise("a-b")
        ("'-1", "'@cmd", 'a-b')
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def set_text(cell, value: str) -> None:
    """Store ``value`` in ``cell`` as literal text, even when it looks like a formula.

    Example:
        >>> from openpyxl import Workbook
        >>> cell = Workbook().active["A1"]
        >>> set_text(cell, "=1+1"); cell.value, cell.data_type
        ('=1+1', 's')
        >>> set_text(cell, "#N/A"); cell.value, cell.data_type
        ('#N/A', 's')
    """
    cell.value = value
    if isinstance(value, str) and (value.startswith(FORMULA_START) or value in ERROR_CODES):
        # (openpyxl types the text "#N/A" as an error cell: the loader refuses those)
        cell.data_type = "s"
        cell.quotePrefix = True  # Excel keeps it text when the cell is edited


def style_header(ws, ncols: int, *, height: float | None = None) -> None:
    """Bold wrapped header in row 1, frozen, with filter buttons over the columns.

    Example:
        >>> from openpyxl import Workbook
        >>> ws = Workbook().active; ws.append(["a", "b"]); style_header(ws, 2)
        >>> ws.freeze_panes, ws.auto_filter.ref
        ('A2', 'A1:B1')
    """
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    font, fill = Font(bold=True), PatternFill("solid", fgColor="DDE7F3")
    align = Alignment(wrap_text=True, vertical="top")
    for col in range(1, ncols + 1):
        cell = ws.cell(row=1, column=col)
        cell.font, cell.fill, cell.alignment = font, fill, align
    ws.freeze_panes = "A2"
    if ncols:
        last = get_column_letter(ncols)
        ws.auto_filter.ref = f"A1:{last}{max(ws.max_row, 1)}"
    if height:
        ws.row_dimensions[1].height = height


def workbook_bytes(wb, when: dt.datetime | dt.date | None = None) -> bytes:
    """The workbook's ``.xlsx`` bytes, identical for identical content.

    openpyxl stamps the creation and modification times into
    ``docProps/core.xml`` and the current time on each zip entry; both are set
    to ``when`` (default :data:`FIXED_TIME`) so output diffs and caches stay stable.

    Example:
        >>> from openpyxl import Workbook
        >>> workbook_bytes(Workbook()) == workbook_bytes(Workbook())
        True
    """
    if when is None:
        when = FIXED_TIME
    if not isinstance(when, dt.datetime):
        when = dt.datetime(when.year, when.month, when.day)
    when = max(when, FIXED_TIME)
    props = wb.properties
    props.created = props.modified = when
    props.creator = "lineage"
    props.lastModifiedBy = None
    raw = io.BytesIO()
    wb.save(raw)
    # save() stamps "modified" with the clock; write core.xml again from fixed values
    from openpyxl.xml.functions import tostring
    props.modified = when
    core = tostring(props.to_tree())
    out = io.BytesIO()
    # A zip entry's date holds the years 1980-2107 only; an audit dated 9999-12-31
    # keeps its date in the document properties and the zip gets the last stamp it can.
    stamp = min(when, dt.datetime(2107, 12, 31, 23, 59, 58)).timetuple()[:6]
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            data = core if info.filename == "docProps/core.xml" else src.read(info.filename)
            dst.writestr(fixed, data)
    return out.getvalue()
