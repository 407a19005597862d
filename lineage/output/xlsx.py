"""Findings as an Excel workbook: ``lineage check ... --format xlsx -o findings.xlsx``.

Sheets: ``findings`` (one row per finding, filter buttons, frozen header),
``flows`` (the flow table with route and status), and one ``rules-PACK`` sheet
per rule pack listing the rules that ran (``rules-always`` for the rules every
pack carries). ``lang="ja"`` is the workbook an office reads: Japanese sheet names
(指摘, データの流れ, ルール（方針）...), headers, titles, messages, remedies, routes,
statuses, kinds and severities (as ``lineage rules --lang ja`` words them) and
evidence; rule IDs stay as they are, so filters match the rules reference. Every
text cell is neutralised (:func:`~lineage.output.xlsxbase.neutralise`) so a party
named ``=HYPERLINK(...)`` shows as text and never runs.

Example:
    >>> import io, openpyxl, lineage
    >>> data = render(lineage.check("inventories/monocollabo"), lang="ja")
    >>> wb = openpyxl.load_workbook(io.BytesIO(data))
    >>> wb.sheetnames
    ['指摘', 'データの流れ', 'ルール（方針）', 'ルール（共通）']
    >>> wb["指摘"]["B1"].value, wb["指摘"].freeze_panes, wb["指摘"]["F2"].value
    ('ルール', 'B2', 'エラー')
"""

from __future__ import annotations

import datetime as dt

from ..terms import STATUS_WORDS, code_words, route_label
from ..rules.clauses import clause_label, quotes, restatement
from ..rules.registry import REGISTRY
from .xlsxbase import DATE_FORMAT, neutralise, set_text, style_header, workbook_bytes

__all__ = ["render", "HEADERS"]

#: Column key -> (English header, Japanese header), per sheet.
HEADERS = {
    "findings": [("id", "ID", "ID"), ("rule", "rule", "ルール"), ("title", "title", "表題"),
                 ("clause", "clause", "条項"), ("kind", "kind", "種類"),
                 ("severity", "severity", "重大度"), ("flow", "flow", "フロー"),
                 ("from", "from", "提供元"), ("from_name", "from name", "提供元の名称"),
                 ("to", "to", "提供先"), ("to_name", "to name", "提供先の名称"),
                 ("items", "items", "データ項目"), ("route", "route", "経路"),
                 ("evidence", "evidence", "根拠資料"), ("message", "message", "指摘の内容"),
                 ("remedy", "remedy", "対応"), ("waived", "waived", "承認済み"),
                 ("policy_label", "policy article", "方針の条番号"),
                 ("policy_text", "policy text", "方針の文言")],
    "flows": [("id", "flow", "フロー"), ("from", "from", "提供元"),
              ("from_name", "from name", "提供元の名称"), ("to", "to", "提供先"),
              ("to_name", "to name", "提供先の名称"),
              ("items", "items", "データ項目"), ("purposes", "purposes", "利用目的"),
              ("basis", "basis", "根拠"), ("start", "start", "開始日"), ("end", "end", "終了日"),
              ("route", "route", "経路"), ("status", "status", "状態"),
              ("findings", "findings", "指摘")],
    "rules": [("id", "rule", "ルール"), ("clause", "clause", "条項"),
              ("restatement", "what the rule checks", "ルールの内容"),
              ("policy_label", "policy article", "方針の条番号"),
              ("clause_text", "policy text", "方針の文言"), ("kind", "kind", "種類"),
              ("severity", "severity", "重大度"), ("title", "title", "表題"),
              ("remedy", "remedy", "対応")],
}
#: Sheet names in Japanese (the template's for the flows; a pack's rules by its name).
_SHEETS_JA = {"findings": "指摘", "flows": "データの流れ", "rules-always": "ルール（共通）"}

_WIDTHS = {"id": 22, "title": 40, "message": 70, "remedy": 60, "evidence": 30,
           "clause_text": 60, "items": 30, "purposes": 30, "findings": 30,
           "policy_text": 60, "policy_label": 20, "restatement": 50, "from_name": 24,
           "to_name": 24}


def render(audit, lang: str = "en") -> bytes:
    """The ``.xlsx`` bytes of ``audit``'s findings, flows and rules in ``lang``.

    Example:
        >>> import lineage
        >>> render(lineage.check("inventories/monocollabo"))[:2]
        b'PK'
    """
    from openpyxl import Workbook
    wb = Workbook()
    wb.remove(wb.active)
    ja = lang == "ja"
    routes = audit.routes
    policy = audit.inventory.policy
    # each party's display name beside its ID (Japanese: the name; English: name_en if given)
    names = {p.id: ((p.name if ja else (p.name_en or p.name)) or "")
             for p in audit.inventory.parties}
    finding_rows = []
    cited: dict[str, tuple[str, str]] = {}  # many findings, few clauses
    for f in audit.results:
        d = f.as_dict()
        rule = REGISTRY.rules.get(f.rule)
        if f.clause not in cited:
            quoted = list(quotes(f.clause, policy))
            cited[f.clause] = (" / ".join(c.label or "" for c in quoted),
                               " / ".join(c.text or "" for c in quoted))
        kind, severity = code_words(d["kind"], d["severity"], lang)
        finding_rows.append({
            "policy_label": cited[f.clause][0],
            "policy_text": cited[f.clause][1],
            **d, "clause": clause_label(f.clause, lang),
            "title": (rule.title_ja if ja else rule.title_en) if rule else "",
            "from_name": names.get(d["from"], ""), "to_name": names.get(d["to"], ""),
            "items": ";".join(d["items"]), "route": route_label(routes.get(f.flow), lang),
            "evidence": "; ".join(f"{_evidence_word(k, lang)}={_evidence_value(k, v, lang)}"
                                  for k, v in d["evidence"].items()),
            "kind": kind, "severity": severity,
            "message": d["message_ja" if ja else "message"],
            "remedy": d["remedy_ja" if ja else "remedy"]})
    _sheet(wb, _title("findings", lang), HEADERS["findings"], finding_rows, ja, freeze="B2")
    flow_rows = [{**r.as_dict(), "from_name": names.get(r.frm, ""), "to_name": names.get(r.to, ""),
                  "items": ";".join(r.items), "purposes": ";".join(r.purposes),
                  "findings": ";".join(r.findings), "start": r.start, "end": r.end,
                  "route": route_label(r.route, lang),
                  "status": STATUS_WORDS[r.status][lang]} for r in audit.flow_results]
    headers = HEADERS["flows"]
    if len(audit.packs) > 1:
        # one status column per pack, beside the overall status (inventory.md, Outputs)
        from .view import PACK_LABELS, status_by_pack_of
        at = [k for k, _, _ in headers].index("status") + 1
        extra = [(f"status_{p}", f"status ({PACK_LABELS.get(p, {}).get('en', p)})",
                  f"状態 ({PACK_LABELS.get(p, {}).get('ja', p)})") for p in audit.packs]
        headers = headers[:at] + extra + headers[at:]
        for row, r in zip(flow_rows, audit.flow_results):
            for p, status in status_by_pack_of(r).items():
                row[f"status_{p}"] = STATUS_WORDS[status][lang]
    _sheet(wb, _title("flows", lang), headers, flow_rows, ja, freeze="B2")
    ran = {r.id for r in audit.rules}
    packs = [(p, [i for i in REGISTRY.packs[p] if i in ran]) for p in audit.packs]
    packs.append(("always", [i for i in REGISTRY.always if i in ran]))
    for pack, ids in packs:
        if not ids:
            continue
        rows = []
        for rule_id in sorted(ids):
            rule = REGISTRY.rules[rule_id]
            # Only the inventory's own policy is quoted; the rule is restated in the spec's words.
            quoted = list(quotes(str(rule.clause), policy))
            kind, severity = code_words(rule.kind, rule.severity, lang)
            rows.append({"id": rule.id, "clause": clause_label(str(rule.clause), lang),
                         "restatement": restatement(rule, lang),
                         "policy_label": " / ".join(c.label or "" for c in quoted),
                         "clause_text": " / ".join(c.text or "" for c in quoted),
                         "kind": kind, "severity": severity,
                         "title": rule.title_ja if ja else rule.title_en,
                         "remedy": rule.remedy_ja if ja else rule.remedy_en})
        _sheet(wb, _title(f"rules-{pack}", lang)[:31], HEADERS["rules"], rows, ja, freeze="B2")
    return workbook_bytes(wb, audit.as_of)


def _title(sheet: str, lang: str) -> str:
    """A sheet's name: its key in English; in Japanese the word an office reads."""
    if lang != "ja":
        return sheet
    if sheet in _SHEETS_JA:
        return _SHEETS_JA[sheet]
    from ..rules.packs import PACK_TITLES
    pack = sheet.removeprefix("rules-")
    return f"ルール（{PACK_TITLES.get(pack, {}).get('ja', pack)}）"


def _evidence_value(key: str, value, lang: str) -> str:
    """An evidence value: IDs as they are; a route in the reader's words."""
    if lang == "ja" and key in ("closest_route", "route") and isinstance(value, str):
        return route_label(value, lang)
    return _join(value)


def _join(value) -> str:
    return ",".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)


def _sheet(wb, title: str, headers, rows: list[dict], ja: bool, *, freeze: str) -> None:
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter
    ws = wb.create_sheet(title)
    for col, (_, en, jp) in enumerate(headers, start=1):
        set_text(ws.cell(row=1, column=col), jp if ja else en)
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate(rows, start=2):
        for col, (key, _, _) in enumerate(headers, start=1):
            value = row.get(key)
            if value is None or value == "":
                continue
            cell = ws.cell(row=r, column=col)
            if isinstance(value, str):
                set_text(cell, neutralise(value))
                if key in ("message", "remedy", "clause_text", "title", "policy_text",
                           "restatement"):
                    cell.alignment = wrap
            else:
                cell.value = value
                if isinstance(value, dt.date):
                    cell.number_format = DATE_FORMAT
    style_header(ws, len(headers))
    ws.freeze_panes = freeze
    for col, (key, _, _) in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(col)].width = _WIDTHS.get(key, 14)


def _evidence_word(key: str, lang: str) -> str:
    """An evidence key as the findings sheet shows it: the key in English, its word
    in Japanese (the report's :data:`~lineage.output.view.EVIDENCE_WORDS`)."""
    if lang != "ja":
        return key
    from .view import EVIDENCE_WORDS
    return EVIDENCE_WORDS.get(key, {}).get("ja", key)
