"""Write an inventory as an Excel workbook: one sheet per collection.

Row 1 is the header: the field name, and under it (same cell, second line) the
Japanese label, so the sheet reads in both languages while the reader matches
either. Enumerations (role, kind, basis ...) and true/false columns get
drop-down lists, date columns a date check; dates are date cells, booleans
TRUE/FALSE cells, lists ``;``-separated text. Text that starts like a formula
is stored as text (see :mod:`lineage.output.xlsxbase`), unchanged, so the
round trip is exact.

Example:
    >>> import io, openpyxl
    >>> from lineage.model import load
    >>> data = xlsx_bytes(load("inventories/monocollabo"))
    >>> wb = openpyxl.load_workbook(io.BytesIO(data))
    >>> wb.sheetnames[:3], wb["flows"]["B1"].value
    (['inventory', 'data_items', 'purposes'], 'from\\n提供元')
"""

from __future__ import annotations

import datetime as dt

from ..model import schema
from ..model.tables import SHEET_LABELS, columns
from ..output.xlsxbase import DATE_FORMAT, set_text, style_header, workbook_bytes
from .flat import FlatError, Table, tables
from ..terms import display_width as _display_width

__all__ = ["xlsx_bytes", "build_workbook", "header_text", "sheet_title", "LAST_ROW",
           "REFERENCES", "check_cells", "MAX_CELL"]

#: Validations cover the rows a user may add, not the whole sheet (keeps files small).
LAST_ROW = 5000

#: The largest whole number a workbook cell holds exactly (15 significant digits).
_EXACT_IN_A_NUMBER = 10 ** 15 - 1

#: Columns whose values are IDs of another sheet: (sheet, column) -> (target sheet, one ID
#: per cell). A one-ID column refuses other values; a list column (``a;b``) offers the IDs
#: and only warns, since a list of several is not one of them.
REFERENCES: dict[tuple[str, str], tuple[str, bool]] = {
    ("parties", "legal_entity"): ("parties", True),
    ("contracts", "party"): ("parties", True),
    ("contracts", "sub_outsourcing"): ("parties", False),
    ("contracts", "items"): ("data_items", False),
    ("contracts", "purposes"): ("purposes", False),
    ("consents", "subjects"): ("parties", True),
    ("consents", "items"): ("data_items", False),
    ("consents", "purposes"): ("purposes", False),
    ("notices", "items"): ("data_items", False),
    ("notices", "purposes"): ("purposes", False),
    ("notice_revisions", "notice"): ("notices", True),
    ("notice_revisions", "purposes"): ("purposes", False),
    ("events", "from"): ("parties", True),
    ("events", "to"): ("parties", True),
    ("stop_requests", "notice"): ("notices", True),
    ("stop_requests", "flow"): ("flows", True),
    ("stop_requests", "subjects"): ("parties", True),
    ("flows", "from"): ("parties", True),
    ("flows", "to"): ("parties", True),
    ("flows", "items"): ("data_items", False),
    ("flows", "purposes"): ("purposes", False),
    ("flows", "consents"): ("consents", False),
    ("flows", "notice"): ("notices", True),
    ("flows", "contract"): ("contracts", True),
    ("flows", "event"): ("events", True),
    ("waivers", "flow"): ("flows", True),
    # A waiver's item is no drop-down: it is the finding ID's third part, which may be
    # a data-subject group (TP101:F08:members), a purpose or a notice's element too.
}


def header_text(sheet: str, column: str, lang: str | None = None) -> str:
    """The header cell of ``column``: the field name, then its Japanese label.

    ``lang="ja"`` gives the Japanese label alone (the reader accepts either).

    Example:
        >>> header_text("parties", "role"), header_text("parties", "role", "ja")
        ('role\\n役割', '役割')
    """
    label = next((c.label_ja for c in columns(sheet) if c.name == column), column)
    if lang == "ja":
        return label
    return column if label == column else f"{column}\n{label}"


def sheet_title(sheet: str, lang: str | None = None) -> str:
    """The tab name of ``sheet``: its collection name, or its Japanese label for ``ja``.

    Example:
        >>> sheet_title("flows"), sheet_title("flows", "ja")
        ('flows', 'データの流れ')
    """
    return SHEET_LABELS[sheet][0] if lang == "ja" else sheet


def build_workbook(sheets: dict[str, Table], *, comments: dict | None = None,
                   lang: str | None = None):
    """An openpyxl workbook of ``sheets`` (from :func:`lineage.forms.flat.tables`).

    ``comments`` maps ``(sheet, column)`` to a header comment (the template's help);
    ``lang="ja"`` names tabs and headers in Japanese only. Columns of
    :data:`REFERENCES` get drop-downs of the other sheet's IDs (a defined name
    ``ids_<sheet>`` over its ID column), so a typo shows while typing.

    Example:
        >>> t = Table("parties", ["id", "role"], [{"id": "a", "role": "self"}])
        >>> ws = build_workbook({"parties": t})["parties"]
        >>> ws["B1"].value, ws["B2"].value, ws.data_validations.dataValidation[0].type
        ('role\\n役割', 'self', 'list')
    """
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    wb.remove(wb.active)
    _define_id_ranges(wb, sheets, lang)
    for sheet, table in sheets.items():
        ws = wb.create_sheet(sheet_title(sheet, lang))
        kinds = {c.name: c for c in columns(sheet)}
        for col, name in enumerate(table.columns, start=1):
            cell = ws.cell(row=1, column=col)
            set_text(cell, header_text(sheet, name, lang))
            if comments and (sheet, name) in comments:
                cell.comment = Comment(comments[(sheet, name)], "lineage", width=320,
                                       height=120)
        for r, row in enumerate(table.rows, start=2):
            for col, name in enumerate(table.columns, start=1):
                value = row.get(name)
                if value is None:
                    continue
                cell = ws.cell(row=r, column=col)
                if type(value) is int and abs(value) > _EXACT_IN_A_NUMBER:
                    # a workbook number holds 15 significant digits: a larger whole
                    # number is written as its digits, which the loader reads back
                    # exactly (the hostile review of round 15: 12345678901234567 came
                    # back as ...570, and 400 digits stopped convert)
                    set_text(cell, str(value))
                elif isinstance(value, str):
                    set_text(cell, value)
                else:
                    cell.value = value
                    if isinstance(value, dt.date):
                        cell.number_format = DATE_FORMAT
        style_header(ws, len(table.columns), height=32)
        for col, name in enumerate(table.columns, start=1):
            letter = get_column_letter(col)
            ws.column_dimensions[letter].width = _width(sheet, name, table)
            validation = _validation(kinds.get(name), DataValidation)
            if validation is None and (sheet, name) == ("parties", "country"):
                validation = _country(letter, DataValidation)
            if validation is None and (sheet, name) in REFERENCES:
                validation = _reference(sheet, name, kinds.get(name), DataValidation,
                                        set(wb.defined_names))
            if validation is not None:
                ws.add_data_validation(validation)
                validation.add(f"{letter}2:{letter}{LAST_ROW}")
            if kinds.get(name) is not None and kinds[name].kind == "date":
                for r in range(2, len(table.rows) + 2):
                    ws.cell(row=r, column=col).number_format = DATE_FORMAT
    return wb


def xlsx_bytes(inventory: schema.Inventory, lang: str | None = None) -> bytes:
    """The inventory as ``.xlsx`` bytes (every column of each sheet shown); ``lang="ja"``
    names its tabs and headers in Japanese only, as the Japanese template does.

    Example:
        >>> from lineage.model import load
        >>> xlsx_bytes(load("inventories/monocollabo"))[:2]
        b'PK'
    """
    sheets = tables(inventory, all_columns=True)
    check_cells(sheets)
    wb = build_workbook(sheets, lang=lang)
    return workbook_bytes(wb, inventory.as_of)


#: The most characters an Excel cell holds; a longer text would be cut.
MAX_CELL = 32_767


def check_cells(sheets: dict[str, Table]) -> None:
    """Refuse text a workbook cannot keep exactly: over :data:`MAX_CELL` characters, or a CR.

    Excel cuts a longer cell, and XML turns a carriage return into a line feed,
    so either would change the inventory silently; the field is named instead.

    Example:
        >>> check_cells({"parties": Table("parties", ["id", "note"],
        ...                               [{"id": "a", "note": "x" * 40000}])})
        Traceback (most recent call last):
        lineage.forms.flat.FlatError: parties a: field 'note': text of 40,000 characters is longer than a workbook cell holds (32,767); use YAML or CSV
    """
    for sheet, table in sheets.items():
        for index, row in enumerate(table.rows):
            where = f"{sheet} {row.get('id') or row.get('notice') or '#' + str(index + 1)}"
            for name, value in row.items():
                if not isinstance(value, str):
                    continue
                if len(value) > MAX_CELL:
                    raise FlatError(f"{where}: field '{name}': text of {len(value):,} "
                                    f"characters is longer than a workbook cell holds "
                                    f"({MAX_CELL:,}); use YAML or CSV",
                                    message_ja=f"{where}: 欄 '{name}': {len(value):,} 文字の"
                                               f"文字列は Excel のセルの上限 ({MAX_CELL:,} "
                                               "文字) を超えます。YAML か CSV を使ってください")
                if "\r" in value:
                    raise FlatError(f"{where}: field '{name}': text holds a carriage return "
                                    "(CR), which a workbook turns into a line feed; use "
                                    "YAML or CSV, or remove it",
                                    message_ja=f"{where}: 欄 '{name}': 文字列に復帰文字 (CR) "
                                               "があり、Excel ブックでは改行に変わります。YAML "
                                               "か CSV を使うか、取り除いてください")


def _country(letter: str, DataValidation):
    """Two capital letters (ISO 3166 alpha-2): a warning, as lineage checks the form too."""
    return DataValidation(type="custom", allow_blank=True, showErrorMessage=True,
                          formula1=f"AND(LEN({letter}2)=2,EXACT({letter}2,UPPER({letter}2)))",
                          errorStyle="warning", errorTitle="country",
                          error="国: ISO 3166 の2文字のコード (JP, US ...) / a two-letter "
                                "country code")


def _define_id_ranges(wb, sheets: dict, lang) -> None:
    """A defined name ``ids_<sheet>`` over each sheet's ID column, for drop-downs."""
    from openpyxl.utils import get_column_letter
    from openpyxl.workbook.defined_name import DefinedName
    for sheet, table in sheets.items():
        if "id" not in table.columns:
            continue
        letter = get_column_letter(table.columns.index("id") + 1)
        title = sheet_title(sheet, lang).replace("'", "''")
        wb.defined_names[f"ids_{sheet}"] = DefinedName(
            f"ids_{sheet}", attr_text=f"'{title}'!${letter}$2:${letter}${LAST_ROW}")


def _reference(sheet: str, name: str, column, DataValidation, defined: set):
    target, single = REFERENCES[(sheet, name)]
    if f"ids_{target}" not in defined:
        return None
    label = column.label_ja if column is not None else name
    what = SHEET_LABELS[target]
    return DataValidation(type="list", formula1=f"ids_{target}", allow_blank=True,
                          showErrorMessage=True, errorStyle="stop" if single else "warning",
                          errorTitle=name,
                          error=f"{label}: シート「{what[0]}」の ID / an ID of sheet "
                                f"'{target}'" + ("" if single else " (; で区切って複数可)"))


def _validation(column, DataValidation):
    if column is None:
        return None
    if column.kind == "enum":
        choices = ",".join(column.choices)
        return DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True,
                              showErrorMessage=True, errorTitle=column.name,
                              error=f"{column.label_ja}: {', '.join(column.choices)}")
    if column.kind == "bool":
        return DataValidation(type="list", formula1='"TRUE,FALSE"', allow_blank=True,
                              showErrorMessage=True, errorTitle=column.name,
                              error=f"{column.label_ja}: TRUE / FALSE")
    if column.kind == "date":
        # A warning, not a stop: ISO text (2024-04-01) is accepted by lineage too.
        return DataValidation(type="date", operator="greaterThan", formula1="1",
                              allow_blank=True, showErrorMessage=True, errorStyle="warning",
                              errorTitle=column.name,
                              error=f"{column.label_ja}: 日付 (YYYY-MM-DD) / a date")
    return None


def _width(sheet: str, name: str, table: Table) -> float:
    texts = header_text(sheet, name).splitlines()
    texts += [str(row[name]) if not isinstance(row.get(name), dt.date) else "2000-01-01"
              for row in table.rows if row.get(name) is not None]
    return min(max((_display_width(t) for t in texts), default=8) + 2, 60)
