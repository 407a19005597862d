"""Write an inventory as a folder of CSV files (the form ``csvfolder`` reads).

One file per collection with a header of field names, ``inventory.csv`` for
the top-level row, ``notice_revisions.csv`` for joint-use revisions. UTF-8
with a byte-order mark, so Excel in Japan opens them with the Japanese intact
(the reader skips it), and ``\\n`` line ends, so the files diff cleanly in git.

A cell that a spreadsheet would run as a formula (it starts with ``=``, ``+``,
``-``, ``@``, a tab or CR) gets a leading apostrophe, and so does a cell that
really starts with an apostrophe; the reader removes exactly one leading
apostrophe, so the round trip is exact (:data:`QUOTE`).

Example:
    >>> from lineage.model import load
    >>> files = csv_folder(load("inventories/monocollabo"))
    >>> files["flows.csv"].splitlines()[0][:30]
    '\\ufeffid,from,to,items,purposes,bas'
    >>> files["inventory.csv"].splitlines()[0]
    '\\ufeffformat,organisation,as_of,policy.title,policy.publisher,policy.file'
"""

from __future__ import annotations

import csv
import io

from ..model import schema
from ..files import BOM, FORMULA_STARTS
from .flat import cell_text, tables

__all__ = ["csv_folder", "quote_cell", "QUOTE"]

#: Added before a cell a spreadsheet would read as a formula; the CSV reader drops one.
QUOTE = "'"
_QUOTED = FORMULA_STARTS + (QUOTE,)


def quote_cell(text: str) -> str:
    """``text`` as an inventory CSV cell: formula starts and apostrophes get a ``'``.

    Example:
        >>> quote_cell("=HYPERLINK(1)"), quote_cell("'quoted"), quote_cell("plain")
        ("'=HYPERLINK(1)", "''quoted", 'plain')
    """
    return QUOTE + text if text.startswith(_QUOTED) else text


def csv_folder(inventory: schema.Inventory, lang: str | None = None) -> dict[str, str]:
    """File name -> CSV text for every sheet that holds data. ``lang="ja"``: file names
    and headers in Japanese, as an office keeps them (データの流れ.csv, 開始日), which the
    reader takes as it takes the English ones (the trial of round 14 lost both in a
    round trip through a workbook).

    Example:
        >>> from lineage.model import load
        >>> csv_folder(load("inventories/monocollabo"))["notice_revisions.csv"].splitlines()[0]
        '\\ufeffnotice,effective_on,notified_on,purposes,note'
        >>> ja = csv_folder(load("inventories/monocollabo"), "ja")
        >>> ja["データの流れ.csv"].splitlines()[0].split(",")[:3]
        ['\\ufeffID', '提供元', '提供先']
    """
    from .xlsxwrite import header_text, sheet_title
    files = {}
    for sheet, table in tables(inventory).items():
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([header_text(sheet, c, "ja") for c in table.columns] if lang == "ja"
                        else table.columns)
        for row in table.rows:
            writer.writerow([quote_cell(cell_text(row.get(c))) for c in table.columns])
        files[f"{sheet_title(sheet, lang)}.csv"] = BOM + out.getvalue()
    return files
