"""The starter workbook of ``lineage template out.xlsx``.

Every sheet of the Excel form with all its columns, headers in English and
Japanese, a comment on each header saying what goes there, drop-down lists for
enumerations (role, kind, basis ...) and true/false columns, and one example
row per sheet. The examples form a small valid inventory (the parties sheet
has the five parties the other examples name), so the template loads and
checks as it is and every row shows a working value.

Example:
    >>> import tempfile, pathlib
    >>> from lineage.model import load
    >>> out = write_template(pathlib.Path(tempfile.mkdtemp()) / "inventory.xlsx")
    >>> inv = load(out)
    >>> inv.organisation, len(inv.flows), len(inv.notices[0].revisions)
    ('example-co', 1, 1)
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..model import schema
from ..model.errors import Location
from ..model.loading import build_inventory
from ..model.sources import RawInventory, SourceMap
from ..model.tables import POLICY_SHEET, SHEET_LABELS, SHEETS, columns
from ..output.xlsxbase import workbook_bytes
from .flat import Table, tables
from .xlsxwrite import build_workbook

__all__ = ["example_inventory", "template_bytes", "write_template", "EXAMPLE"]

#: The example rows, as an inventory file would say them.
EXAMPLE = {
    "format": "lineage/1", "organisation": "example-co", "as_of": "2026-04-01",
    # The organisation's own policy: replace with yours. Reports quote only these words.
    "policy": {"title": "個人情報保護方針", "publisher": "株式会社サンプル",
               "url": "https://example.jp/privacy", "revised_on": "2025-04-01",
               "clauses": {
                   "5[1]": {"label": "第5条第1項",
                            "text": "当社は、あらかじめ本人の同意を得ないで、個人データを第三者に"
                                    "提供しません(法令に基づく場合等を除きます)。"},
                   "5[2]3": {"label": "第5条第2項第3号",
                             "note": "各ルールの条項 (1.5, 2, 3, 4, 5[1] ... 8) を自社の条番号に対応"
                                     "させ、text に報告書が引用する文言を記入 (map each rule clause "
                                     "to your own article; 'text' is the wording reports quote)"}}},
    "data_items": [{"id": "email", "name": "メールアドレス", "name_en": "Email address",
                    "kind": "personal"}],
    "purposes": [{"id": "newsletter", "name": "メールマガジンの配信",
                  "name_en": "Sending the newsletter", "announced_on": "2025-04-01",
                  "third_party_provision": "false"}],
    "parties": [
        {"id": "example-co", "name": "株式会社サンプル", "name_en": "Example Co.",
         "role": "self", "country": "JP", "volume": "customers=1200"},
        {"id": "customers", "name": "お客様", "name_en": "Customers", "role": "data_subject"},
        {"id": "mail-service", "name": "メール配信業者", "name_en": "Mail service",
         "role": "outsourcee", "note": "契約 K1 による委託先 (outsourcee under contract K1)"},
        {"id": "group-co", "name": "グループ会社", "name_en": "Group company",
         "role": "joint_user", "groups": "example-group"},
        {"id": "new-co", "name": "承継会社", "name_en": "Successor", "role": "successor"},
    ],
    "contracts": [{"id": "K1", "party": "mail-service", "signed_on": "2025-03-01",
                   "ends_on": "2026-03-31", "purposes": "newsletter", "items": "email",
                   "no_leak": "true",
                   "no_re_provision": "true", "audits": "2026-03-02"}],
    "consents": [{"id": "C1", "subjects": "customers", "recipients": "example-group",
                  "items": "email", "purposes": "newsletter", "obtained_on": "2025-04-01"}],
    "notices": [{"id": "J1", "kind": "joint_use", "published_on": "2025-04-01",
                 "items": "email", "purposes": "newsletter",
                 "members": "example-co;example-group",
                 "responsible": {"name": "株式会社サンプル", "address": "東京都千代田区1-1-1",
                                 "representative": "代表取締役 山田 太郎"},
                 "revisions": [{"effective_on": "2026-01-01", "notified_on": "2025-12-01",
                                "purposes": "newsletter",
                                "note": "1か月前に通知 (notified a month in advance, 5[3])"}]}],
    "events": [{"id": "E1", "kind": "transfer", "date": "2026-10-01", "from": "example-co",
                "to": "new-co", "note": "メールマガジン事業の事業譲渡 (transfer of the newsletter business)"}],
    "stop_requests": [{"id": "S1", "flow": "F1", "subjects": "customers",
                       "received_on": "2026-02-01", "honoured_on": "2026-02-05"}],
    "flows": [{"id": "F1", "from": "example-co", "to": "mail-service", "items": "email",
               "purposes": "newsletter", "basis": "outsourcing", "contract": "K1",
               "method": "api", "start": "2025-04-01", "recorded": "false",
               "note": "メール配信サービスによるメールマガジンの送信・委託 (newsletter sent by the mail service)"}],
    "waivers": [{"rule": "TP202", "flow": "F1",
                 "reason": "K1 の更新は 2026-03-25 に書面で締結、スキャン待ち (renewal signed on paper, scan pending)",
                 "approved_by": "個人情報保護管理者", "expires_on": "2026-06-30"}],
}

_KIND_HELP = {
    "text": ("text", "文字列"), "ids": ("IDs separated by ;", "ID を ; で区切って列挙"),
    "dates": ("dates YYYY-MM-DD separated by ;", "日付を ; で区切って列挙"),
    "date": ("a date (YYYY-MM-DD)", "日付 (YYYY-MM-DD)"),
    "bool": ("TRUE or FALSE", "TRUE または FALSE"), "enum": ("one of", "次のいずれか"),
}


def example_inventory() -> schema.Inventory:
    """The template's example rows as a validated inventory.

    Example:
        >>> [p.role for p in example_inventory().parties][:3]
        ['self', 'data_subject', 'outsourcee']
    """
    raw = RawInventory(EXAMPLE, SourceMap(Location("<template>")), "<template>")
    return build_inventory(raw)


def _comments(lang: str | None = None) -> dict:
    out = {}
    for sheet in SHEETS:
        ja_sheet, en_sheet = SHEET_LABELS[sheet]
        for c in columns(sheet):
            en, ja = _KIND_HELP[c.kind]
            if c.kind == "enum":
                en, ja = f"{en}: {', '.join(c.choices)}", f"{ja}: {', '.join(c.choices)}"
            need = (" (required)", "（必須）") if c.required else ("", "")
            if c.optional_list:
                en += "; ';' alone is an empty list, an empty cell means not limited"
                ja += "。「;」だけで空のリスト、空欄は制限なし"
            if (sheet, c.name) == ("parties", "volume"):
                en = ("people whose data the party holds: a number, or group=number pairs "
                      "separated by ; (customers=120000;members=3500)")
                ja = ("保有する本人の数（概数）: 数、または 本人のID=数 を ; で区切って列挙"
                      "（customers=120000;members=3500）")
            if (sheet, c.name) == (POLICY_SHEET, "clause"):
                keys = ", ".join(schema.POLICY_CLAUSES)
                ja += f"。ルールが引用する条項: {keys}"
                en += f"; the clauses the rules cite: {keys}"
            elif c.name == "policy.file":
                ja += "。方針の全文のファイル (棚卸しと同じフォルダ内の相対パス)"
                en += "; the whole policy text, a path relative to the inventory's folder"
            if lang == "ja":
                out[(sheet, c.name)] = f"{c.label_ja}{need[1]}: {ja}\n[{ja_sheet}]"
            else:
                out[(sheet, c.name)] = (f"{c.label_ja}{need[1]}: {ja}\n"
                                        f"{c.name}{need[0]}: {en}\n"
                                        f"[{ja_sheet} / {en_sheet}]")
    return out


def template_bytes(lang: str | None = None) -> bytes:
    """The template workbook's bytes (same bytes on every run).

    ``lang="ja"``: Japanese tab names, headers and help comments (the reader
    accepts them as it accepts the English ones).

    Example:
        >>> template_bytes() == template_bytes()
        True
    """
    example = tables(example_inventory(), all_columns=True)
    sheets = {}
    for sheet in SHEETS:
        table = example.get(sheet) or Table(sheet, [], [])
        sheets[sheet] = Table(sheet, [c.name for c in columns(sheet) if not c.nested_note],
                              table.rows)
    wb = build_workbook(sheets, comments=_comments(lang), lang=lang)
    return workbook_bytes(wb, dt.date(2026, 4, 1))


def write_template(path: str | Path, *, force: bool = False, lang: str | None = None) -> Path:
    """Write the template workbook to ``path`` (an ``.xlsx`` file); refuse to overwrite.

    Example:
        >>> import tempfile, pathlib
        >>> write_template(pathlib.Path(tempfile.mkdtemp()) / "t.csv")
        Traceback (most recent call last):
        lineage.forms.ConvertError: ... the template is an Excel workbook; use a .xlsx path
    """
    from . import ConvertError, _write_file
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ConvertError(f"{path}: the template is an Excel workbook; use a .xlsx path",
                           message_ja=f"{path}: ひな形は Excel ブックです。.xlsx のパスを"
                                      "指定してください")
    _write_file(path, template_bytes(lang), force)
    return path
