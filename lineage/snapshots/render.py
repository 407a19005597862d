"""Text, Markdown and JSON forms of snapshot lists, snapshots, verification and diffs.

Every form is a pure function of stored data, so the same store gives the same
bytes: no clock, no paths beyond what the store recorded.

Example:
    >>> import lineage
    >>> from lineage.snapshots.record import Snapshot
    >>> from lineage.snapshots.compare import Diff
    >>> s = Snapshot.from_audit(lineage.check("inventories/monocollabo"))
    >>> diff_table(Diff(s, s)).splitlines()[0]
    'diff now -> now'
"""

from __future__ import annotations

from ..output.jsonreport import dumps
from ..rules.clauses import clause_label
from ..rules.packs import pack_label
from ..terms import count_list, counted, one_line
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # listing snapshots needs no inventory model
    from .compare import Diff

__all__ = ["list_table", "list_json", "show_table", "show_json", "verify_text",
           "verify_json", "diff_table", "diff_markdown", "diff_json", "WORDS", "collection_label",
           "findings_line", "finding_rows", "packs_line"]

WORDS = {
    "en": {"findings": "Findings", "new": "new", "resolved": "resolved", "open": "still open",
           "gone": "its flow {flow} was removed, not fixed",
           "gone_count": "{n} of them with their flow removed",
           "records": "Inventory changes", "routes": "Route and status changes",
           "meaning": "What it means", "nothing": "No changes.", "added": "added",
           "removed": "removed", "changed": "changed", "waived": "waived",
           "now_waived": "now waived", "no_longer_waived": "no longer waived",
           "as_of": "as of", "none": "none", "diff": "diff", "no_snapshots": "No snapshots.",
           "list_header": ["id", "created", "as of", "label", "flows", "errors", "warnings",
                           "waived", "findings by kind", "flows by route"],
           "snapshot": "snapshot", "snapshots": "snapshots", "intact": "hash chain intact",
           "problems": "problems", "problem": "problem", "head": "head",
           "created": "created", "audit": "audit", "rules": "rules", "source": "source",
           "inventory": "inventory", "content": "content", "chain": "chain",
           "previous": "previous",
           "show_header": ["flow", "from -> to", "route", "status", "findings"],
           "flows": "flows", "error": "error", "warning": "warning",
           "md_header": ["id", "clause", "severity", "message"],
           "md_records_header": ["collection", "", "id", "changes"]},
    "ja": {"findings": "指摘", "new": "新規", "resolved": "解消", "open": "継続",
           "gone": "フロー {flow} が削除されたためで、是正ではありません",
           "gone_count": "うち {n} 件はフローの削除による",
           "records": "棚卸しの変更", "routes": "経路・状態の変更", "meaning": "法的な意味",
           "nothing": "変更はありません。", "added": "追加", "removed": "削除", "changed": "変更",
           "waived": "承認済み", "now_waived": "承認済みに", "no_longer_waived": "承認の失効",
           "as_of": "基準日", "none": "なし", "diff": "差分",
           "no_snapshots": "スナップショットはありません。",
           "list_header": ["番号", "作成日時", "基準日", "ラベル", "フロー", "エラー", "警告",
                           "承認済み", "種類別の指摘", "経路別のフロー"],
           "snapshot": "スナップショット", "snapshots": "件のスナップショット",
           "intact": "ハッシュチェーンは改ざんされていません", "problems": "件の問題",
           "problem": "件の問題", "head": "先頭",
           "created": "作成日時", "audit": "監査", "rules": "ルール", "source": "入力",
           "inventory": "棚卸し", "content": "内容", "chain": "チェーン",
           "previous": "前回",
           "show_header": ["フロー", "提供元 -> 提供先", "経路", "状態", "指摘"],
           "flows": "フロー", "error": "エラー", "warning": "警告",
           "md_header": ["ID", "条項", "重大度", "内容"],
           "md_records_header": ["種類", "", "ID", "変更"]},
}


def collection_label(name: str, lang: str = "en") -> str:
    """A collection of the inventory as a diff names it: its key in English, its sheet
    name with the key beside it in Japanese.

    Example:
        >>> collection_label("contracts"), collection_label("contracts", "ja")
        ('contracts', '委託契約 (contracts)')
    """
    if lang != "ja":
        return name
    from ..model.tables import sheet_ja  # only a diff with record changes needs the model
    return sheet_ja(name)


def _counts(mapping: dict, words=None) -> str:
    words = words or {}
    return ", ".join(f"{words.get(k, k)} {v}" for k, v in mapping.items() if v) or "-"


def _kind_words(lang: str) -> dict:
    from ..terms import KIND_LABELS
    return {k: v.get(lang, k) for k, v in KIND_LABELS.items()} if lang == "ja" else {}


def _route_words(lang: str, codes) -> dict:
    from ..terms import route_label
    return {c: route_label(c, lang) for c in codes} if lang == "ja" else {}


def _status_words(lang: str) -> dict:
    from ..terms import STATUS_WORDS
    return {k: v[lang] for k, v in STATUS_WORDS.items()} if lang == "ja" else {}


def _name(snap, lang: str) -> str:
    """A snapshot's name; an inventory checked now (no ID, no label) is 現在 in Japanese."""
    if lang == "ja" and snap.id is None and not snap.label:
        return "現在"
    return snap.name


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    # widths on a terminal: a Japanese label or heading takes two columns a character
    from ..terms import display_width, pad
    widths = [max(display_width(str(r[i])) for r in [header] + rows)
              for i in range(len(header))]
    out = []
    for r in [header] + rows:
        out.append("  ".join(pad(str(c), w) for c, w in zip(r, widths)).rstrip())
    return out


# -- list -------------------------------------------------------------------------------

def list_table(entries: list[dict], lang: str = "en") -> str:
    """``lineage snapshot list``: one row per snapshot.

    >>> list_table([]), list_table([], "ja")
    ('No snapshots.\\n', 'スナップショットはありません。\\n')
    """
    w = WORDS[lang]
    if not entries:
        return w["no_snapshots"] + "\n"
    kinds = _kind_words(lang)
    rows = []
    for e in entries:
        s = e["summary"]
        rows.append([str(e["id"]), e["created_at"], e["as_of"], e["label"] or "-",
                     str(s["flows"]), str(s["severity"]["error"]),
                     str(s["severity"]["warning"]), str(s["severity"]["waived"]),
                     _counts(s["kind"], kinds), _counts(s["route"],
                                                         _route_words(lang, s["route"]))])
    return "\n".join(_table(w["list_header"], rows)) + "\n"


def list_json(entries: list[dict]) -> str:
    """The snapshot list as JSON.

    >>> list_json([])
    '[]\\n'
    """
    return dumps(entries)


# -- show -------------------------------------------------------------------------------

def show_table(snap, lang: str = "en") -> str:
    """``lineage snapshot show``: header, flow table, findings.

    Example:
        >>> import lineage
        >>> from lineage.snapshots.record import Snapshot
        >>> snap = Snapshot.from_audit(lineage.check("inventories/monocollabo"))
        >>> lines = show_table(snap).splitlines()
        >>> lines[0]
        'snapshot now'
        >>> lines[9]
        '48 flows: 39 ok, 0 warning, 8 violation, 1 waived'
        >>> lines[-1][:34]
        'x TP203:F44:name [1.5] error item '
    """
    s = snap.summary
    w = WORDS[lang]
    statuses = _status_words(lang)
    routes = _route_words(lang, {f["route"] for f in snap.flow_dicts()})
    audit = (f"{snap.organisation} {w['as_of']} {snap.as_of}, {w['rules']} "
             f"{', '.join(pack_label(p, lang) for p in snap.rules)}, lineage {snap.tool_version}")
    head = [("created", snap.created_at or "-"), ("audit", audit),
            ("source", snap.source or "-"), ("inventory", f"sha256:{snap.inventory_hash}"),
            ("content", f"sha256:{snap.content_hash or '-'}"),
            ("chain", f"sha256:{snap.chain_hash or '-'}"),
            ("previous", f"sha256:{snap.prev_hash or '-'}")]
    lines = [f"{w['snapshot']} {snap.name}"]
    lines += [f"  {w[k]:<11}{v}" if lang == "en" else f"  {w[k]}: {v}" for k, v in head]
    lines += ["",
              (counted(s["flows"], "flow") if lang == "en" else f"{w['flows']} {s['flows']} 件")
              + ": " + count_list(((v, statuses.get(k, k)) for k, v in s["status"].items()),
                                  lang),
              f"{w['findings'].lower() if lang == 'en' else w['findings']}: "
              + count_list([(s['severity'][k], w[k]) for k in ("error", "warning", "waived")],
                           lang), ""]
    rows = [[f["id"], f"{f['from']} -> {f['to']}", routes.get(f["route"], f["route"]),
             statuses.get(f["status"], f["status"]), " ".join(f["findings"]) or "-"]
            for f in snap.flow_dicts()]
    lines += _table(w["show_header"], rows)
    if snap.findings:
        lines.append("")
        for f in snap.finding_dicts():
            mark = "~" if f["waived"] else ("x" if f["severity"] == "error" else "!")
            # one line each: a stored message's line break could forge a line of its own
            message = one_line(f["message_ja"] if lang == "ja" else f["message"])
            lines.append(f"{mark} {f['id']} [{clause_label(f['clause'], lang)}] {w[f['severity']]}"
                         f"{' (' + w['waived'] + ')' if f['waived'] else ''} {message}")
    return "\n".join(lines) + "\n"


def show_json(snap) -> str:
    """The snapshot as JSON (header, summary, flows, findings, waivers).

    Example:
        >>> import json, lineage
        >>> from lineage.snapshots.record import Snapshot
        >>> text = show_json(Snapshot.from_audit(lineage.check("inventories/monocollabo")))
        >>> json.loads(text)["summary"]["severity"]
        {'error': 9, 'warning': 0, 'waived': 1}
    """
    return dumps(snap.as_dict())


# -- verify -----------------------------------------------------------------------------

def verify_text(result, path, lang: str = "en") -> str:
    """``lineage snapshot verify``: the problems, then one summary line and the head.

    Example:
        >>> from lineage.snapshots.store import Problem, VerifyResult
        >>> result = VerifyResult(3, None, (Problem(2, "content was altered"),))
        >>> print(verify_text(result, "audits.db"), end="")
        snapshot 2: content was altered
        audits.db: 3 snapshots, 1 problem
        head: -
    """
    w = WORDS[lang]
    lines = [p.text(lang) if hasattr(p, "text") else str(p) for p in result.problems]
    n = result.snapshots
    what = (f"{n} snapshot{'s' if n != 1 else ''}" if lang == "en"
            else f"{n}{w['snapshots']}")
    if result.ok:
        lines.append(f"{path}: {what}, {w['intact']}")
    else:
        k = len(result.problems)
        lines.append(f"{path}: {what}, {k} problem{'s' if k != 1 else ''}" if lang == "en"
                     else f"{path}: {what}、{k}{w['problems']}")
    lines.append(f"{w['head']}: {('sha256:' + result.head) if result.head else '-'}")
    return "\n".join(lines) + "\n"


def verify_json(result) -> str:
    """The verification as JSON.

    Example:
        >>> from lineage.snapshots.store import VerifyResult
        >>> print(verify_json(VerifyResult(0, None)), end="")
        {
          "ok": true,
          "snapshots": 0,
          "head": null,
          "problems": []
        }
    """
    return dumps(result.as_dict())


# -- diff -------------------------------------------------------------------------------

def _finding_line(f: dict, w: dict, lang: str, label=None, side: str = "b") -> str:
    message = f["message_ja"] if lang == "ja" else f["message"]
    if lang == "ja" and label is not None:
        message = label.annotate(message, side)
    extra = ""
    for c in f.get("changes", []):
        if c["field"] == "waived":
            extra += f" ({w['now_waived'] if c['new'] else w['no_longer_waived']})"
        else:
            extra += f" ({c['field']}: {c['old']} -> {c['new']})"
    if f["waived"] and not extra:
        extra = f" ({w['waived']})"
    return (f"{f['id']} [{clause_label(f['clause'], lang)}] {w.get(f['severity'], f['severity'])}"
            f"{extra} {message}")


class _Labels:
    """Party names beside IDs in a diff: a party record ``clinic-us (US Clinic)``, a flow
    record or route change ``F49 (Monocollabo → US Clinic)``. Names come from the
    snapshot that holds the record (``b``; ``a`` for what was removed), read only when
    a line needs one."""

    def __init__(self, d: Diff, lang: str):
        self.d, self.lang = d, lang
        self._sides: dict[str, tuple] = {}

    def _side(self, side: str) -> tuple:
        """The :class:`~lineage.output.names.Names` of one snapshot, its party IDs, and
        each flow's ends."""
        got = self._sides.get(side)
        if got is None:
            from ..output.names import Names
            inv = (self.d.a if side == "a" else self.d.b).inventory
            got = self._sides[side] = (Names(inv, self.lang), {p.id for p in inv.parties},
                                       {f.id: (f.frm, f.to) for f in inv.flows})
        return got

    def party(self, pid: str, side: str = "b") -> str:
        names, parties, _ = self._side(side)
        if pid not in parties:  # a note about a record of the other snapshot
            names = self._side("a" if side == "b" else "b")[0]
        name = names.name("party", pid)
        return f"{pid} ({name})" if name else pid

    def flow(self, fid: str, side: str = "b") -> str:
        names, _, flows = self._side(side)
        if fid not in flows:
            names, _, flows = self._side("a" if side == "b" else "b")
        ends = flows.get(fid)
        if ends is None:
            return fid
        frm, to = (names.name("party", e) or e for e in ends)
        return f"{fid} ({frm} → {to})"

    def annotate(self, text: str, side: str = "b") -> str:
        """Japanese text with the display name beside each ID it names, from the
        snapshot the finding belongs to (``a`` for a resolved one), as the check table."""
        return self._side(side)[0].annotate(text)

    def record(self, collection: str, rid: str, side: str = "b") -> str:
        if collection == "parties":
            return self.party(rid, side)
        if collection == "flows":
            return self.flow(rid, side)
        return rid


def _removed_flows(d: Diff) -> set:
    """The IDs of the flows ``d``'s later snapshot no longer holds: a finding of one
    is "resolved" only in that it is gone (the trial of round 12 read it as fixed)."""
    return set((d.records.get("flows") or {}).get("removed", ()))


def _resolved_words(d: Diff, w: dict, gone: set) -> str:
    """The count of resolved findings, saying how many went with their flow."""
    c = d.counts()["findings"]
    n = sum(1 for f in d.resolved if f.get("flow") in gone)
    lang = "ja" if w is WORDS["ja"] else "en"
    return count_list([(c['resolved'], w['resolved'])], lang) + (
        f" ({w['gone_count'].format(n=n)})" if n else "")


def findings_line(d: Diff, lang: str = "en") -> str:
    """The diff's count of findings new, resolved (saying how many went with their
    flow) and still open, as every rendering of a diff says it.

    Example:
        >>> from lineage.snapshots.compare import Diff
        >>> from lineage.snapshots.record import Snapshot
        >>> from lineage.audit import check
        >>> now = Snapshot.from_audit(check("inventories/monocollabo"))
        >>> findings_line(Diff(now, now), "ja")
        '新規 0 件、解消 0 件、継続 10 件'
    """
    w = WORDS[lang]
    c = d.counts()["findings"]
    join = "、" if lang == "ja" else ", "
    return join.join((count_list([(c['new'], w['new'])], lang),
                      _resolved_words(d, w, _removed_flows(d)),
                      count_list([(c['open'], w['open'])], lang)))


def packs_line(d: Diff, lang: str = "en") -> str | None:
    """What a diff of snapshots checked with other packs leaves out, as every rendering
    says it (None when both sides had the same packs): the findings of a pack one side
    only was checked with are not compared, and statuses compare under the packs both
    were.

    Example:
        >>> import dataclasses
        >>> from lineage.snapshots.compare import Diff
        >>> from lineage.snapshots.record import Snapshot
        >>> from lineage.audit import check
        >>> both = Snapshot.from_audit(check("inventories/monocollabo", packs=("policy", "appi")))
        >>> policy = Snapshot.from_audit(check("inventories/monocollabo"))
        >>> print(packs_line(Diff(both, policy)))
        A was checked with policy,appi and B with policy: the 5 findings of appi in A are not compared, and statuses are compared under policy
        >>> print(packs_line(Diff(both, policy), "ja"))
        A は policy,appi、B は policy で検査されています。片方だけのルールパック appi の指摘（A の 5 件）は比較せず、状態は policy で比べています
        >>> packs_line(Diff(policy, policy)) is None
        True
    """
    if not d.packs_apart:
        return None
    a, b = ",".join(d.a.rules), ",".join(d.b.rules)
    apart, common = ",".join(d.packs_apart), ",".join(d.packs_compared) or "-"
    na, nb = (len(side) for side in d.unchecked)
    if lang == "ja":
        where = "、".join(x for x in (f"A の {na} 件" if na else "",
                                      f"B の {nb} 件" if nb else "") if x) or "なし"
        return (f"A は {a}、B は {b} で検査されています。片方だけのルールパック {apart} の指摘"
                f"（{where}）は比較せず、状態は {common} で比べています")
    if na and nb:
        counted = f"the findings of {apart} ({na} in A and {nb} in B)"
    elif na or nb:
        counted = f"the {na + nb} findings of {apart} in {'A' if na else 'B'}"
    else:
        counted = f"findings of {apart} (none)"
    return (f"A was checked with {a} and B with {b}: {counted} are not compared, and "
            f"statuses are compared under {common}")


def finding_rows(d: Diff, lang: str = "en", tags=("new", "resolved", "open")) -> list:
    """``(tag's word, finding, message)`` for each finding of ``d`` under ``tags``, the
    message as every rendering of a diff shows it: in Japanese with each ID's name
    beside it, and a resolved finding of a removed flow saying it was removed, not
    fixed (the trial of round 13: the HTML report called it 解消 and nothing more).

    Example:
        >>> from lineage.snapshots.compare import Diff
        >>> from lineage.snapshots.record import Snapshot
        >>> from lineage.audit import check
        >>> now = Snapshot.from_audit(check("inventories/monocollabo"))
        >>> [(tag, f["id"]) for tag, f, _ in finding_rows(Diff(now, now), tags=("open",))][:1]
        [('still open', 'TP101:F38')]
    """
    w = WORDS[lang]
    label = _Labels(d, lang)
    gone = _removed_flows(d)
    out = []
    for tag in tags:
        side = "a" if tag == "resolved" else "b"
        for f in getattr(d, tag):
            message = f["message_ja"] if lang == "ja" else f["message"]
            if lang == "ja":
                message = label.annotate(message, side)
            if tag == "resolved" and f.get("flow") in gone:
                message += f" ({w['gone'].format(flow=f['flow'])})"
            out.append((w[tag], f, message))
    return out


def _header(d: Diff, w: dict, lang: str = "en") -> list[str]:
    return [f"{w['diff']} {_name(d.a, lang)} -> {_name(d.b, lang)}",
            f"  {w['as_of']} {d.a.as_of} -> {d.b.as_of}"]


def diff_table(d: Diff, lang: str = "en") -> str:
    """``lineage snapshot diff``: findings new, resolved and open; record changes; notes.

    Example:
        >>> import dataclasses, lineage
        >>> from lineage.snapshots.canonical import canonical_json
        >>> from lineage.snapshots.compare import Diff
        >>> from lineage.snapshots.record import Snapshot
        >>> inv = lineage.load("inventories/monocollabo")
        >>> a = Snapshot.from_audit(lineage.check(inv))
        >>> # the same audit over an inventory that no longer holds consent C05
        >>> kept = [c for c in inv.consents if c.id != "C05"]
        >>> later = inv.model_copy(update={"consents": kept})
        >>> b = dataclasses.replace(a, inventory_json=canonical_json(later))
        >>> text = diff_table(Diff(a, b))
        >>> print(text[text.index("Inventory changes"):])
        Inventory changes:
          consents
            - C05
        <BLANKLINE>
        What it means:
          ! consents C05 [5[1]]: consent record C05 removed; flows F37 still name it
        <BLANKLINE>
    """
    w = WORDS[lang]
    label = _Labels(d, lang)
    lines = _header(d, w, lang) + [""]
    gone = _removed_flows(d)
    apart = packs_line(d, lang)
    if apart:
        lines += [("注意: " if lang == "ja" else "note: ") + apart, ""]
    lines.append(f"{w['findings']}: {findings_line(d, lang)}")
    for tag, group in (("new", d.new), ("resolved", d.resolved), ("open", d.open)):
        side = "a" if tag == "resolved" else "b"
        for f in group:
            line = f"  {w[tag]:<10} {_finding_line(f, w, lang, label, side)}"
            if tag == "resolved" and f.get("flow") in gone:
                line += f" ({w['gone'].format(flow=f['flow'])})"
            lines.append(line)
    lines.append("")
    if d.records:
        lines.append(f"{w['records']}:")
        for name, r in d.records.items():
            lines.append(f"  {collection_label(name, lang)}")
            lines += [f"    + {label.record(name, i)}" for i in r["added"]]
            lines += [f"    - {label.record(name, i, 'a')}" for i in r["removed"]]
            for ch in r["changed"]:
                lines.append(f"    ~ {label.record(name, ch['id'])}  "
                             + "; ".join(x.text(lang, name) for x in ch["changes"]))
        lines.append("")
    if d.flow_changes:
        lines.append(f"{w['routes']}:")
        for f in d.flow_changes:
            lines.append(f"  {label.flow(f['id'])}  "
                         + "; ".join(x.text(lang) for x in f["changes"]))
        lines.append("")
    if d.notes:
        lines.append(f"{w['meaning']}:")
        for n in d.notes:
            clause = f" [{clause_label(n.clause, lang)}]" if n.clause else ""
            lines.append(f"  ! {collection_label(n.collection, lang)} "
                         f"{label.record(n.collection, n.record)}{clause}: "
                         f"{label.annotate(n.message_ja) if lang == 'ja' else n.message}")
        lines.append("")
    if d.is_empty():
        lines.append(w["nothing"])
        lines.append("")
    # a name or note holding a line break would split its line in two
    return "\n".join(map(one_line, lines))


def _md(text) -> str:
    """Escape text for a Markdown table cell or line (inventory text is untrusted)."""
    out = str(text)
    for ch in "\\`*_[]<>|":
        out = out.replace(ch, "\\" + ch)
    return one_line(out)


def diff_markdown(d: Diff, lang: str = "en", level: int = 1) -> str:
    """The diff as Markdown (headings from ``level``), for reports and pull requests.

    Example:
        >>> import lineage
        >>> from lineage.snapshots.record import Snapshot
        >>> from lineage.snapshots.compare import Diff
        >>> s = Snapshot.from_audit(lineage.check("inventories/monocollabo"))
        >>> text = diff_markdown(Diff(s, s), level=2)
        >>> [line for line in text.splitlines() if line.startswith("#")]
        ['## diff now → now', '### Findings']
        >>> text.splitlines()[-1]
        'No changes.'
    """
    w = WORDS[lang]
    h = "#" * level
    label = _Labels(d, lang)
    out = [f"{h} {w['diff']} {_md(_name(d.a, lang))} → {_md(_name(d.b, lang))}", "",
           f"{w['as_of']} {d.a.as_of} → {d.b.as_of}", "",
           f"{h}# {w['findings']}", ""]
    apart = packs_line(d, lang)
    if apart:
        out += [f"> {_md(apart)}", ""]
    out += [findings_line(d, lang), ""]
    rows = finding_rows(d, lang)
    if rows:
        out += ["| | " + " | ".join(w["md_header"]) + " |", "|---|---|---|---|---|"]
        for tag, f, message in rows:
            waived = f" ({w['waived']})" if f["waived"] else ""
            out.append(f"| {tag} | {_md(f['id'])} | {_md(clause_label(f['clause'], lang))} | "
                       f"{w.get(f['severity'], f['severity'])}{waived} | {_md(message)} |")
        out.append("")
    if d.records:
        head = w["md_records_header"]
        out += [f"{h}# {w['records']}", "", f"| {head[0]} | | {head[2]} | {head[3]} |",
                "|---|---|---|---|"]
        for name, r in d.records.items():
            shown = _md(collection_label(name, lang))
            out += [f"| {shown} | {w['added']} | {_md(label.record(name, i))} | |"
                    for i in r["added"]]
            out += [f"| {shown} | {w['removed']} | {_md(label.record(name, i, 'a'))} | |"
                    for i in r["removed"]]
            for ch in r["changed"]:
                out.append(f"| {shown} | {w['changed']} | {_md(label.record(name, ch['id']))} | "
                           + "; ".join(_md(x.text(lang, name)) for x in ch["changes"]) + " |")
        out.append("")
    if d.flow_changes:
        out += [f"{h}# {w['routes']}", ""]
        out += [f"- {_md(label.flow(f['id']))}: "
                + "; ".join(_md(x.text(lang)) for x in f["changes"])
                for f in d.flow_changes]
        out.append("")
    if d.notes:
        out += [f"{h}# {w['meaning']}", ""]
        for n in d.notes:
            clause = f" \\[{_md(clause_label(n.clause, lang))}\\]" if n.clause else ""
            out.append(f"- **{_md(label.record(n.collection, n.record))}**{clause}: "
                       f"{_md(n.message_ja if lang == 'ja' else n.message)}")
        out.append("")
    if d.is_empty():
        out += [w["nothing"], ""]
    return "\n".join(out)


def diff_json(d: Diff) -> str:
    """The diff as JSON (``lineage-diff/1``).

    Example:
        >>> import json, lineage
        >>> from lineage.snapshots.record import Snapshot
        >>> from lineage.snapshots.compare import Diff
        >>> s = Snapshot.from_audit(lineage.check("inventories/monocollabo"))
        >>> json.loads(diff_json(Diff(s, s)))["counts"]["findings"]
        {'new': 0, 'resolved': 0, 'open': 10}
    """
    return dumps(d.as_dict())
