"""The flat (spreadsheet) shape of an inventory: sheets, columns, labels, kinds.

The CSV-folder and Excel forms hold one table per collection. A column is a
field name, a dotted name for a nested field (``exemption.law``), and each has
a Japanese label for headers and a kind (text, id, list, date, bool, or an
enumeration with its choices) derived from the pydantic model, so the readers,
the writers and the template never disagree with :mod:`~lineage.model.schema`.

Example:
    >>> cols = {c.name: c for c in columns("flows")}
    >>> cols["from"].label_ja, cols["basis"].kind, cols["start"].required
    ('提供元', 'enum', True)
    >>> [c.name for c in columns("notice_revisions")][:3]
    ['notice', 'effective_on', 'notified_on']
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass
from functools import cache

from pydantic import BaseModel

from . import schema

__all__ = ["Column", "SHEETS", "SHEET_LABELS", "TOP_SHEET", "REVISIONS_SHEET", "POLICY_SHEET",
           "columns", "column_for", "sheet_for",
           "label_ja", "field_ja", "sheet_ja", "model_of", "CODE_OF_JA"]

#: The sheet (or CSV file stem) of the top-level scalars, and the one of revisions.
TOP_SHEET = "inventory"
REVISIONS_SHEET = "notice_revisions"
#: The sheet of the policy's clause map (``policy.clauses``): one row per rule clause.
POLICY_SHEET = "policy_clauses"
#: Every sheet in writing order: the top row, the collections, revisions, the clause map.
SHEETS: tuple[str, ...] = (TOP_SHEET, *schema.COLLECTIONS, REVISIONS_SHEET, POLICY_SHEET)

#: What each sheet holds, in the policy's words (titles, comments, docs).
SHEET_LABELS: dict[str, tuple[str, str]] = {
    TOP_SHEET: ("棚卸し", "the inventory"),
    "data_items": ("データ項目", "data items"),
    "purposes": ("利用目的", "purposes of use"),
    "parties": ("当事者", "parties"),
    "contracts": ("委託契約", "outsourcing contracts"),
    "consents": ("本人の同意", "consents of the person"),
    "notices": ("告知・公表", "published announcements"),
    "events": ("事業の承継", "business successions"),
    "stop_requests": ("停止の求め", "stop requests"),
    "flows": ("データの流れ", "flows"),
    "waivers": ("承認済みの指摘", "waivers"),
    REVISIONS_SHEET: ("共同利用の変更", "joint-use notice revisions"),
    POLICY_SHEET: ("方針の条項", "the clauses of the organisation's own policy"),
}

# Words of the policy and the Act (docs/spec/glossary.md); a header reads as
# the privacy officer would say it.
_LABELS = {
    "format": "形式", "organisation": "組織", "as_of": "基準日", "note": "備考",
    "id": "ID", "name": "名称", "name_en": "名称（英語）",
    "announced_on": "公表日", "third_party_provision": "第三者提供を含む",
    "role": "役割", "legal_entity": "法人", "country": "国",
    "equivalent_system": "相当措置の確認日", "groups": "グループ",
    "volume": "保有する人数（概数）",
    "party": "委託先", "signed_on": "締結日", "ends_on": "終了日",
    "purposes": "利用目的", "items": "データ項目",
    "no_leak": "漏えいの禁止", "no_re_provision": "再提供の禁止",
    "sub_outsourcing": "再委託先", "audits": "監督の実施日",
    "subjects": "本人", "recipients": "提供先", "obtained_on": "同意取得日",
    "withdrawn_on": "同意の撤回日", "foreign_info_given": "外国の制度等の情報提供",
    "published_on": "公表日", "provision_in_purpose": "利用目的に第三者提供を含む",
    "methods": "提供の手段・方法", "stop_on_request": "求めに応じた提供の停止",
    "acquisition_method": "取得の方法", "request_method": "求めを受け付ける方法",
    "update_method": "更新の方法", "start_on": "提供開始日",
    "ppc_filed_on": "個人情報保護委員会への届出日",
    "members": "共同して利用する者の範囲",
    "effective_on": "変更の効力発生日", "notified_on": "通知日",
    "date": "承継日", "from": "提供元", "to": "提供先",
    "notice": "通知・公表", "flow": "フロー", "received_on": "停止の求めの受付日",
    "honoured_on": "提供の停止日",
    "basis": "根拠", "consents": "本人の同意", "contract": "委託契約", "event": "事業の承継",
    "method": "提供の方法", "start": "開始日", "end": "終了日",
    "combined": "個人情報と併用", "recipient_links": "提供先での本人との紐付け",
    "recorded": "提供記録", "confirmed_acquisition": "取得の経緯の確認",
    "improperly_acquired": "不正な取得", "storage_only": "保管のみ",
    "rule": "ルール", "item": "データ項目", "reason": "理由", "approved_by": "承認者",
    "expires_on": "有効期限",
    "policy": "自社の個人情報保護方針", "policy.title": "方針の名称", "policy.publisher": "方針の公表者",
    "policy.url": "方針の URL", "policy.revised_on": "方針の改定日",
    "policy.file": "方針の全文のファイル",
    "clause": "ルールの条項", "label": "自社の方針の条番号", "text": "自社の方針の文言",
    "exemption.law": "根拠となる法令", "exemption.document": "根拠となる文書",
    "exemption.consent_difficult": "同意を得ることが困難な理由",
    "exemption.impediment": "事務の遂行への支障",
    "provider.name": "提供者の氏名・名称", "provider.address": "提供者の住所",
    "provider.representative": "提供者の代表者",
    "responsible.name": "管理について責任を有する者",
    "responsible.address": "責任者の住所", "responsible.representative": "責任者の代表者",
}
_SHEET_LABELS = {
    ("data_items", "name"): "項目名", ("data_items", "kind"): "種別",
    ("purposes", "name"): "利用目的", ("notices", "kind"): "通知の種類",
    ("events", "kind"): "承継の種類", ("events", "from"): "承継元",
    ("events", "to"): "承継先", ("stop_requests", "subjects"): "本人",
    ("notice_revisions", "notice"): "共同利用の通知",
    ("contracts", "items"): "委託するデータ項目", ("contracts", "purposes"): "委託する利用目的",
}


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its field path, Japanese label and value kind.

    ``kind`` is ``text``, ``ids`` (a list of IDs or texts), ``dates``,
    ``date``, ``bool`` or ``enum`` (with ``choices``). ``optional_list`` marks a
    list whose absence differs from an empty list (written as ``;``).

    Example:
        >>> c = Column("exemption.law", "根拠となる法令", "text")
        >>> c.path, c.required, c.kind
        (('exemption', 'law'), False, 'text')
    """

    name: str
    label_ja: str
    kind: str
    required: bool = False
    choices: tuple[str, ...] = ()
    optional_list: bool = False
    nested_note: bool = False
    default: object = None

    @property
    def path(self) -> tuple[str, ...]:
        """The field path inside a record.

        Example:
            >>> Column("exemption.law", "根拠となる法令", "text").path
            ('exemption', 'law')
        """
        return tuple(self.name.split("."))


def model_of(sheet: str) -> type[BaseModel]:
    """The pydantic model of one row of ``sheet``.

    Example:
        >>> model_of("notice_revisions").__name__
        'Revision'
    """
    if sheet == REVISIONS_SHEET:
        return schema.Revision
    if sheet == POLICY_SHEET:
        return schema.PolicyClause
    if sheet == TOP_SHEET:
        return _TopRow
    return schema.COLLECTIONS[sheet]


class _TopRow(BaseModel):
    """The columns of the top-level row (``inventory.csv``, sheet ``inventory``)."""

    format: typing.Literal["lineage/1"]
    organisation: schema.Id
    as_of: schema.Date | None = None
    note: schema.Text | None = None
    policy: schema.Policy | None = None


def sheet_for(name: str) -> str | None:
    """The sheet a sheet or CSV file name means: its own name or its Japanese label.

    Example:
        >>> sheet_for("データの流れ"), sheet_for("flows"), sheet_for("colours")
        ('flows', 'flows', None)
    """
    name = name.strip()
    if name in SHEETS:
        return name
    return next((sheet for sheet, (ja, _) in SHEET_LABELS.items() if ja == name), None)


def japanese_headers() -> list[str]:
    """Every Japanese header a sheet or CSV file may use, for "did you mean" hints.

    Example:
        >>> "提供記録" in japanese_headers(), "提供元" in japanese_headers()
        (True, True)
    """
    return sorted(set(_LABELS.values()) | set(_SHEET_LABELS.values()))


def label_ja(sheet: str, column: str) -> str:
    """The Japanese header of ``column`` in ``sheet`` (the column name if none).

    Example:
        >>> label_ja("events", "from"), label_ja("flows", "from")
        ('承継元', '提供元')
    """
    if (sheet, column) in _SHEET_LABELS:
        return _SHEET_LABELS[(sheet, column)]
    if column in _LABELS:
        return _LABELS[column]
    head, _, last = column.rpartition(".")
    if head and last == "note":
        return f"{_LABELS.get(head, head)}の備考"
    return column


def field_ja(sheet: str, column: str) -> str:
    """How a Japanese message names a field: the header an office fills in (the CSV
    and workbook alias), with the key a YAML file uses beside it.

    Example:
        >>> field_ja("contracts", "audits"), field_ja("flows", "exemption.law")
        ('監督の実施日 (audits)', '根拠となる法令 (exemption.law)')
    """
    label = label_ja(sheet, column)
    return column if label == column else f"{label} ({column})"


def sheet_ja(sheet: str) -> str:
    """How a Japanese message names a collection: its sheet (or CSV file) name in
    Japanese, with the key beside it.

    Example:
        >>> sheet_ja("events"), sheet_ja("purposes")
        ('事業の承継 (events)', '利用目的 (purposes)')
    """
    label = SHEET_LABELS.get(sheet, (sheet,))[0]
    return sheet if label == sheet else f"{label} ({sheet})"


@cache
def columns(sheet: str) -> tuple[Column, ...]:
    """Every column ``sheet`` may have, in model order (``note`` last, then nested notes).

    Example:
        >>> [(c.name, c.kind, c.optional_list) for c in columns("contracts")][4:6]
        [('purposes', 'ids', True), ('items', 'ids', True)]
    """
    model = model_of(sheet)
    out: list[Column] = []
    if sheet == REVISIONS_SHEET:
        out.append(Column("notice", label_ja(sheet, "notice"), "text", required=True))
    if sheet == POLICY_SHEET:
        out.append(Column("clause", label_ja(sheet, "clause"), "text", required=True))
    nested_notes: list[Column] = []
    for name, info in model.model_fields.items():
        if name == "note" or (sheet == "notices" and name == "revisions"):
            continue
        key = info.alias or name
        sub = _nested_model(info.annotation)
        if sub is not None:
            for sub_name, sub_info in sub.model_fields.items():
                if sub_name == "clauses":
                    continue  # the clause map has its own sheet, POLICY_SHEET
                full = f"{key}.{sub_name}"
                kind, choices = _kind(sub_info.annotation)
                column = Column(full, label_ja(sheet, full), kind, False, choices,
                                nested_note=sub_name == "note",
                                default=_default(sub_info))
                (nested_notes if sub_name == "note" else out).append(column)
            continue
        kind, choices = _kind(info.annotation)
        optional_list = kind in ("ids", "dates") and info.default is None
        out.append(Column(key, label_ja(sheet, key), kind, info.is_required(), choices,
                          optional_list, default=_default(info)))
    out.append(Column("note", label_ja(sheet, "note"), "text"))
    return tuple(out + nested_notes)


def column_for(sheet: str, header: str) -> Column | None:
    """The column a header names: a field name or its Japanese label, on any line.

    Example:
        >>> column_for("flows", "start\\n開始日").name, column_for("flows", "提供元").name
        ('start', 'from')
        >>> column_for("flows", "colour") is None
        True
    """
    lines = [part.strip() for part in str(header).splitlines() if part.strip()]
    by_name = {c.name: c for c in columns(sheet)}
    by_label = {c.label_ja: c for c in columns(sheet)}
    for line in lines:
        if line in by_name:
            return by_name[line]
    for line in lines:
        if line in by_label:
            return by_label[line]
    return None


def _default(info):
    return None if info.is_required() else info.get_default(call_default_factory=True)


def _strip_optional(annotation):
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _base(annotation):
    annotation = _strip_optional(annotation)
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return _strip_optional(annotation)


def _nested_model(annotation):
    base = _base(annotation)
    if isinstance(base, type) and issubclass(base, BaseModel):
        return base
    return None


def _kind(annotation) -> tuple[str, tuple[str, ...]]:
    base = _base(annotation)
    if typing.get_origin(base) is typing.Literal:
        return "enum", tuple(typing.get_args(base))
    if base is bool:
        return "bool", ()
    if base is dt.date:
        return "date", ()
    if typing.get_origin(base) is list:
        inner = _base(typing.get_args(base)[0])
        return ("dates" if inner is dt.date else "ids"), ()
    return "text", ()


#: The Japanese terms the reports print (glossary.md) for the codes a file holds, so that
#: a cell holding the term (委託先) is told its code (outsourcee) rather than only refused.
#: Roles, bases, item kinds, notice kinds and succession kinds: no term names two codes.
CODE_OF_JA = {
    "組織": "self", "自社": "self", "当社": "self", "委託先": "outsourcee",
    "共同利用者": "joint_user", "第三者": "third_party", "承継先": "successor",
    "公的機関": "public_body", "国の機関": "public_body", "本人": "data_subject",
    "学術研究機関": "academic", "学術研究機関等": "academic",
    "本人の同意": "consent", "同意": "consent", "法令に基づく場合": "law", "法令": "law",
    "人の生命、身体又は財産の保護": "life", "生命・身体・財産の保護": "life",
    "公衆衛生の向上・児童の健全な育成": "public_health", "公衆衛生": "public_health",
    "国の機関等への協力": "government", "学術研究": "academic", "オプトアウト": "opt_out",
    "委託": "outsourcing", "事業の承継": "succession", "承継": "succession",
    "共同利用": "joint_use",
    "個人情報": "personal", "要配慮個人情報": "sensitive", "個人関連情報": "linkable",
    "クッキー・IPアドレス情報": "linkable",
    "合併": "merger", "会社分割": "split", "分割": "split", "事業譲渡": "transfer",
    "譲渡": "transfer",
}
