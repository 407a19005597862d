"""The terminal table: findings grouped by flow, then a summary.

Colour is applied by the caller's ``style`` function, so this module stays
free of terminal checks.

Example:
    >>> import lineage
    >>> text = render(lineage.check("inventories/monocollabo"))
    >>> "violation" in text.splitlines()[-2]
    True
"""

from __future__ import annotations

from typing import Callable

from ..rules.clauses import citation, quotes
from ..rules.packs import PACK_TITLES, pack_label
from ..terms import STATUS_WORDS, count_list, counted, one_line, route_label
from .names import Names

__all__ = ["render", "chunks", "LABELS"]

LABELS = {
    "en": {"status": {k: v["en"] for k, v in STATUS_WORDS.items()},
           "route": "route", "rules": "rules", "remedy": "remedy", "flows": "flows",
           "findings": "findings",
           "as_of": "as of", "none": "No findings.", "waived": "waived",
           "evidence": "evidence", "by_pack": "by pack {pack}",
           "gap": "satisfy the policy but not the Act", "gap_mark": "policy ok, Act not",
           "policy": "Policy clauses cited", "new": "new", "known": "known",
           "baseline": "baseline: snapshot #{snapshot}{label}: {new} new, {known} known "
                       "(unwaived findings, marked (new) or (known))"},
    "ja": {"status": {k: v["ja"] for k, v in STATUS_WORDS.items()},
           "route": "経路", "rules": "ルール", "remedy": "対応", "flows": "フロー",
           "findings": "指摘",
           "as_of": "基準日", "none": "指摘はありません。", "waived": "承認済み",
           "evidence": "根拠", "by_pack": "{pack} による判定",
           "gap": "方針には適合し法には違反", "gap_mark": "方針は適合・法に違反",
           "policy": "引用した方針の条項", "new": "新規", "known": "既知",
           "baseline": "基準: スナップショット #{snapshot}{label}: 新規 {new} 件、既知 {known} 件"
                       "（承認済みでない指摘に (新規) か (既知) の印）"},
}

_COLOURS = {"violation": "red", "warning": "yellow", "waived": "cyan", "ok": "green",
            "error": "red"}


def _plain(text: str, **_: object) -> str:
    return text


def render(audit, lang: str = "en", style: Callable[..., str] = _plain, baseline=None) -> str:
    """Human-readable text of ``audit`` in ``lang`` (``en`` or ``ja``).

    With a ``baseline`` (:class:`lineage.snapshots.baseline.Baseline`: ``ids``,
    ``snapshot``, ``label``), a line under the title names it and counts the unwaived
    findings new and known, and each unwaived finding is marked ``(new)`` or ``(known)``.

    Example:
        >>> import lineage
        >>> text = render(lineage.check("inventories/monocollabo"))
        >>> for line in text.splitlines()[3:4] + text.splitlines()[-2:-1]:
        ...     print(line)
          ✗ TP222:F30:phone [5[2]3] item phone is not listed in joint-use notice J1
        48 flows: 39 ok, 0 warning, 8 violation, 1 waived

    With several packs, each flow shows its status under each, flows that
    satisfy the policy but not the Act are marked ``§`` (as in the drawing),
    and the summary counts flows per pack:

        >>> both = render(lineage.check("inventories/monocollabo", packs=("policy", "appi")))
        >>> print(both.splitlines()[-1].split(" (")[0])
        satisfy the policy but not the Act: 4 flows
    """
    return "".join(chunks(audit, lang, style, baseline))


#: Lines per piece of :func:`chunks`.
LINES_PER_CHUNK = 5000


def chunks(audit, lang: str = "en", style: Callable[..., str] = _plain, baseline=None):
    """:func:`render`'s text in pieces of :data:`LINES_PER_CHUNK` lines, so a large
    table is written as it is made.

    Example:
        >>> import lineage
        >>> audit = lineage.check("inventories/monocollabo")
        >>> "".join(chunks(audit)) == render(audit)
        True
    """
    batch: list[str] = []
    for line in _lines(audit, lang, style, baseline):
        batch.append(line)
        if len(batch) == LINES_PER_CHUNK:
            yield "\n".join(batch) + "\n"
            batch = []
    if batch:
        yield "\n".join(batch) + "\n"


def _lines(audit, lang: str, style: Callable[..., str], baseline=None):
    """Every line of the table, without line ends."""
    words = LABELS[lang]
    names = Names(audit.inventory, lang)
    # Japanese shows the ID beside the name; the English table keeps the README's form.
    short = {p.id: one_line((p.name_en or p.name) or p.id) for p in audit.inventory.parties}
    shown = names.party if lang == "ja" else (lambda pid: short.get(pid, pid))
    by_flow: dict[str, list] = {}
    for f in audit.results:
        by_flow.setdefault(f.flow, []).append(f)
    packs = ", ".join(pack_label(p, lang) for p in audit.packs)
    # The organisation by name, as its flows' rows name it (its ID when no record names it).
    yield style(f"{shown(audit.inventory.organisation)}  {words['as_of']} {audit.as_of}  "
                f"{words['rules']}: {packs}", bold=True)
    known_ids = None
    if baseline is not None:
        # known: held unwaived by the baseline (one held only waived is new again)
        known_ids = {f.id for f in audit.results if baseline.known(f.id)}
        live = [f.id for f in audit.results if not f.waived]
        known = sum(1 for fid in live if fid in known_ids)
        label = f" ({baseline.label})" if baseline.label else ""
        yield words["baseline"].format(snapshot=baseline.snapshot, label=label,
                                       new=len(live) - known, known=known)
    yield ""
    policy = audit.inventory.policy
    cited: dict[str, object] = {}
    quoted_by_clause: dict[str, list] = {}  # many findings, few clauses
    for row in audit.flow_results:
        findings = by_flow.get(row.id)
        if not findings:
            continue
        status = words["status"][row.status]
        yield (style(f"{row.id}  {shown(row.frm)} → {shown(row.to)}", bold=True)
               # English keeps the route ID the JSON report and --route use
               + f"  {words['route']}: "
               + (route_label(row.route, lang) if lang == "ja" else row.route) + "  "
               + style(status.upper() if lang == "en" else status,
                       fg=_COLOURS[row.status], bold=True)
               + _per_pack(row, words, lang, style))
        for f in findings:
            mark = "~" if f.waived else ("✗" if f.severity == "error" else "!")
            colour = "cyan" if f.waived else _COLOURS.get(f.severity, "yellow")
            # Japanese text names IDs in ASCII; put the display name beside each.
            message = names.annotate(f.message_ja) if lang == "ja" else f.message
            remedy = names.annotate(f.remedy_ja) if lang == "ja" else f.remedy
            tag = f" ({words['waived']})" if f.waived else ""
            if known_ids is not None and not f.waived:
                tag = (f" ({words['known']})" if f.id in known_ids
                       else " " + style(f"({words['new']})", bold=True))
            if f.clause not in quoted_by_clause:
                quoted_by_clause[f.clause] = list(quotes(f.clause, policy))
            cited.update((c.key, c) for c in quoted_by_clause[f.clause])
            clause = citation(f.clause).label_ja if lang == "ja" else f.clause
            yield f"  {style(mark + ' ' + f.id, fg=colour)} [{clause}]{tag} {message}"
            yield f"      {words['remedy']}: {remedy}"
        yield ""
    if not audit.results:
        yield words["none"]
        yield ""
    if cited:  # the organisation's own words, once per clause
        yield style(f"{words['policy']} ({policy.title or ''})".replace(" ()", ""), bold=True)
        for key in sorted(cited):
            c = cited[key]
            yield f"  {key} {c.label or ''}: {c.text or ''}".rstrip(": ")
        yield ""
    s = audit.summary()
    counts = count_list(((v, words['status'][k]) for k, v in s["status"].items()), lang)
    yield f"{_flows(s['flows'], words, lang)}: {counts}"
    by_rule = ", ".join(f"{k} ×{v}" for k, v in s["findings"].items()) or "-"
    yield f"{words['findings']}: {by_rule}"
    for pack, counts in s.get("by_pack", {}).items():
        text = count_list(((v, words['status'][k]) for k, v in counts.items()), lang)
        yield (f"{words['by_pack'].format(pack=pack_label(pack, lang))}: "
               f"{_flows(sum(counts.values()), words, lang)}: {text}")
    if "policy_ok_law_violation" in s:
        gap = audit.policy_ok_law_violation
        yield (f"{words['gap']}: {_flows(s['policy_ok_law_violation'], words, lang)}"
               + (f" ({', '.join(gap)})" if gap else ""))


def _flows(n: int, words, lang: str) -> str:
    """"1 flow", "2 flows"; Japanese counts after the word ("フロー 1 件")."""
    return counted(n, "flow") if lang == "en" else f"{words['flows']} {n} 件"


def _per_pack(row, words, lang, style) -> str:
    """The flow's status under each pack, and a mark when only the Act is broken."""
    if row.status_by_pack is None:
        return ""
    parts = [f"{PACK_TITLES.get(p, {}).get(lang, p) if lang == 'ja' else p} "
             f"{words['status'][st]}" for p, st in row.status_by_pack.items()]
    text = "  [" + " · ".join(parts) + "]"
    if row.status_by_pack.get("appi") == "violation" and \
            row.status_by_pack.get("policy") not in (None, "violation"):
        text += "  " + style(f"§ {words['gap_mark']}", fg="magenta", bold=True)
    return text
