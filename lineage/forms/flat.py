"""An inventory as flat tables: the rows the CSV-folder and Excel writers write.

One table per sheet of :data:`~lineage.model.tables.SHEETS`. A cell is text, a
bool, a date or empty; a list is one ``;``-joined cell, and an empty list whose
absence means something else (a contract's ``purposes``: ``[]`` limits to
nothing, absent does not limit) is the cell ``;``. What a flat form cannot say
(an empty text, a list element holding ``;``, a nested mapping with no field)
raises :class:`FlatError` rather than change the model silently.

Example:
    >>> from lineage.model import load
    >>> t = tables(load("inventories/monocollabo"))
    >>> t["flows"].columns[:4], t["flows"].rows[0]["from"]
    (['id', 'from', 'to', 'items'], 'members')
    >>> t["notice_revisions"].rows[0]["notice"]
    'J1'
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import BaseModel

from ..errors import LineageError
from ..model import schema
from ..model.tables import POLICY_SHEET, REVISIONS_SHEET, SHEETS, TOP_SHEET, columns

__all__ = ["Table", "FlatError", "tables", "cell_text", "LIST_SEP", "EMPTY_LIST"]

LIST_SEP = ";"
#: The cell of an empty list that differs from an absent one.
EMPTY_LIST = ";"


class FlatError(LineageError, ValueError):
    """The inventory holds a value that a CSV folder or workbook cannot represent.

    Example:
        >>> from lineage.model import load
        >>> inv = load("inventories/monocollabo")
        >>> tables(inv.model_copy(update={"note": ""}))
        Traceback (most recent call last):
        lineage.forms.flat.FlatError: inventory: field 'note' is an empty text, ...
    """


@dataclass
class Table:
    """A sheet's columns (in model order) and its rows (column -> cell value).

    Example:
        >>> t = Table("purposes", ["id", "text"], [{"id": "billing", "text": "請求"}])
        >>> t.columns, t.rows[0]["text"]
        (['id', 'text'], '請求')
    """

    sheet: str
    columns: list[str]
    rows: list[dict]


def tables(inventory: schema.Inventory, *, all_columns: bool = False) -> dict[str, Table]:
    """The inventory's sheets that hold data (the top row always).

    ``data_items`` and ``purposes`` are kept when empty, because an absent
    collection means something else (every item personal). With
    ``all_columns`` every column of the model is listed (nested notes only when
    used), so a workbook shows what may be filled in; otherwise only the
    columns used and the required ones.

    Example:
        >>> from lineage.model import load
        >>> t = tables(load("inventories/monocollabo"), all_columns=True)
        >>> "exemption.impediment" in t["flows"].columns, len(t["flows"].rows)
        (True, 48)
    """
    rows: dict[str, list[dict]] = {TOP_SHEET: [_top_row(inventory)]}
    for name in schema.COLLECTIONS:
        records = getattr(inventory, name)
        # parties and flows are required, so an empty list is written as a header row.
        if records is None or (not records and name not in ("data_items", "purposes",
                                                             "parties", "flows")):
            continue
        rows[name] = [_row(name, r, _label(name, i, r)) for i, r in enumerate(records)]
    revisions = [{"notice": n.id, **_row(REVISIONS_SHEET, rev, f"notices {n.id} revision {k + 1}")}
                 for n in inventory.notices for k, rev in enumerate(n.revisions)]
    if revisions:
        rows[REVISIONS_SHEET] = revisions
    if inventory.policy is not None and inventory.policy.clauses:
        rows[POLICY_SHEET] = [{"clause": key, **_row(POLICY_SHEET, clause, f"policy clause {key}")}
                              for key, clause in inventory.policy.clauses.items()]
    out = {}
    for sheet in SHEETS:
        if sheet not in rows:
            continue
        used = {key for row in rows[sheet] for key in row}
        cols = [c.name for c in columns(sheet)
                if c.name in used or c.required or (all_columns and not c.nested_note)]
        out[sheet] = Table(sheet, cols, rows[sheet])
    return out


def cell_text(value) -> str:
    """A cell as CSV text: ``true``/``false``, ISO dates, empty for None.

    Example:
        >>> cell_text(True), cell_text(dt.date(2024, 4, 1)), cell_text(None)
        ('true', '2024-04-01', '')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _label(name: str, index: int, record) -> str:
    rid = getattr(record, "id", None)
    if rid is None and isinstance(record, schema.Waiver):
        rid = f"#{index + 1} ({record.rule} on {record.flow})"
    return f"{name} {rid or '#' + str(index + 1)}"


def _top_row(inventory: schema.Inventory) -> dict:
    row = {"format": inventory.format, "organisation": inventory.organisation}
    if inventory.as_of is not None:
        row["as_of"] = inventory.as_of
    if inventory.note is not None:
        row["note"] = _text(inventory.note, "note", "inventory")
    if inventory.policy is not None:
        policy = _row(TOP_SHEET, inventory, "inventory policy")
        row.update({k: v for k, v in policy.items() if k.startswith("policy.")})
        if not any(k.startswith("policy.") for k in row) and not inventory.policy.clauses:
            raise FlatError("inventory: 'policy' is an empty mapping, which a spreadsheet "
                            "cannot tell from an absent one; fill one of its fields or "
                            "remove it",
                            message_ja="inventory: 'policy' が空の対応表です。表計算のセルでは"
                                       "空と省略を区別できません。項目を一つ埋めるか削除して"
                                       "ください")
    return row


def _row(sheet: str, record: BaseModel, where: str) -> dict:
    row: dict = {}
    for column in columns(sheet):
        if (sheet, column.name) in ((REVISIONS_SHEET, "notice"), (POLICY_SHEET, "clause")):
            continue
        if sheet == TOP_SHEET and not column.name.startswith("policy."):
            continue
        value = record
        for part in column.path:
            value = getattr(value, _attr(value, part), None)
            if value is None:
                break
        cell = _cell(value, column, where)
        if cell is not None:
            row[column.name] = cell
    for column in columns(sheet):
        nested = column.path[0]
        if sheet == TOP_SHEET or (sheet == POLICY_SHEET and column.name == "clause"):
            continue  # the top row's policy may hold only its clause map
        if len(column.path) == 2 and nested not in row:
            value = getattr(record, nested, None)
            if isinstance(value, BaseModel) and not any(k.startswith(nested + ".") for k in row):
                raise FlatError(f"{where}: '{nested}' is an empty mapping, which a spreadsheet "
                                "cannot tell from an absent one; fill one of its fields or "
                                "remove it",
                                message_ja=f"{where}: '{nested}' が空の対応表です。表計算の"
                                           "セルでは空と省略を区別できません。項目を一つ"
                                           "埋めるか削除してください")
    return row


def _attr(obj, key: str) -> str:
    """The attribute name of a field key (``from`` is the alias of ``frm``)."""
    for name, info in type(obj).model_fields.items():
        if info.alias == key:
            return name
    return key


def _cell(value, column, where: str):
    if value is None:
        return None
    if isinstance(value, list):
        if not value:
            return EMPTY_LIST if column.optional_list else None
        parts = [cell_text(v) for v in value]
        for part in parts:
            if LIST_SEP in part or not part or part != part.strip():
                raise FlatError(f"{where}: field '{column.name}': list element {part!r} "
                                f"cannot be written to a '{LIST_SEP}'-separated cell",
                                message_ja=f"{where}: 欄 '{column.name}': リストの要素 "
                                           f"{part!r} は '{LIST_SEP}' 区切りのセルに書けません")
        return LIST_SEP.join(parts)
    if isinstance(value, dict):
        # A party's volume per group: the cell form the schema reads back.
        return LIST_SEP.join(f"{k}={v}" for k, v in value.items())
    if not column.required and value == column.default:
        return None  # a default written out says nothing more
    if isinstance(value, str):
        return _text(value, column.name, where)
    return value


def _text(value: str, field: str, where: str) -> str:
    if value == "":
        raise FlatError(f"{where}: field '{field}' is an empty text, which a spreadsheet "
                        "cannot tell from an absent value; remove it or write some text",
                        message_ja=f"{where}: 欄 '{field}' が空の文字列です。表計算のセルでは"
                                   "空と省略を区別できません。削除するか文字を入れてください")
    if value != value.strip():
        # Readers trim cells (a stray space typed in Excel is not data), so these would
        # come back changed: refuse rather than convert with a loss.
        raise FlatError(f"{where}: field '{field}' starts or ends with white space, which "
                        "a spreadsheet cell does not keep; trim it (or keep the YAML form)",
                        message_ja=f"{where}: 欄 '{field}' の前後に空白があり、表計算のセルでは"
                                   "保たれません。空白を除くか YAML 形式のままにしてください")
    return value
