"""The audit report as Markdown: the same content as the HTML page, for wikis and PRs.

The flow map is embedded as an SVG data URI (Markdown has no inline SVG);
the trend is a table. Inventory text is escaped so it cannot turn into links,
HTML or table cells.

Example:
    >>> import lineage
    >>> from lineage.output.report_html import build
    >>> text = render(build(lineage.check("inventories/monocollabo"), drawing=False))
    >>> text.splitlines()[0]
    '# Personal-data audit: Monocollabo'
"""

from __future__ import annotations

import base64

from .. import __version__
from ..terms import STATUSES
from ..rules.base import KINDS
from ..rules.clauses import cite
from ..snapshots.render import _md, diff_markdown
from ..terms import KIND_LABELS
from .report_html import Report, _names, _org_name, _route

__all__ = ["render"]


def render(rep: Report) -> str:
    """The report ``rep`` as Markdown text.

    Example:
        >>> import lineage
        >>> from lineage.output.report_html import build
        >>> text = render(build(lineage.check("inventories/monocollabo"), drawing=False))
        >>> [line[3:] for line in text.splitlines() if line.startswith("## ")]
        ['Summary', 'Flow map', 'Findings by kind', 'Flows and their routes', 'Waivers']
    """
    audit, lang, w = rep.audit, rep.lang, rep.words
    names = _names(audit, lang)
    s = audit.summary()
    from ..snapshots.canonical import inventory_hash
    out = [f"# {w['title']}: {_md(_org_name(audit, lang))}", "",
           f"{w['as_of']} {audit.as_of.isoformat()} · {w['rules']}: "
           f"{', '.join(audit.packs)} · {w['tool']}: lineage {__version__} · "
           f"{w['inventory']}: `sha256:{inventory_hash(audit.inventory)}`", "",
           f"## {w['summary']}", "",
           f"| {w['flows']} | " + " | ".join(w["status_words"][x] for x in STATUSES) + " |",
           "|---" * (len(STATUSES) + 1) + "|",
           f"| {s['flows']} | " + " | ".join(str(s["status"][x]) for x in STATUSES) + " |",
           "", f"## {w['drawing']}", ""]
    if rep.svg:
        data = base64.b64encode(rep.svg.encode("utf-8")).decode("ascii")
        out += [f"![{w['drawing']}](data:image/svg+xml;base64,{data})", ""]
    else:
        note = f": {rep.drawing_note}" if rep.drawing_note else "."
        out += [f"*{_md(w['no_drawing'] + note)}*", ""]
    if rep.history:
        out += [f"## {w['trend']}", "",
                f"| {w['snapshot']} | {w['as_of']} | {w['error']} | {w['warning']} | "
                f"{w['waived']} | {w['flows']} |", "|---|---|---|---|---|---|"]
        for h in rep.history:
            v = h["summary"]["severity"]
            out.append(f"| {_md(h['name'])} | {h['as_of']} | {v['error']} | {v['warning']} | "
                       f"{v['waived']} | {h['summary']['flows']} |")
        out += ["", f"## {w['changes']}", ""]
        if rep.diff is not None:
            out.append(diff_markdown(rep.diff, lang, level=3))
        else:
            out += [w["first"], ""]
    out += [f"## {w['by_kind']}", ""]
    if not audit.results:
        out += [w["none"], ""]
    by_kind: dict[str, list] = {}
    for f in audit.results:
        by_kind.setdefault(f.kind, []).append(f)
    for kind in sorted(by_kind, key=lambda k: (KINDS.index(k) if k in KINDS else 99, k)):
        out += [f"### {KIND_LABELS.get(kind, {}).get(lang, kind)} (`{kind}`, "
                f"{len(by_kind[kind])})", ""]
        for f in by_kind[kind]:
            quoted = [c for c in cite(f.clause, audit.inventory.policy) if c.quoted]
            status = w["waived"] if f.waived else w[f.severity]
            message = f.message_ja if lang == "ja" else f.message
            remedy = f.remedy_ja if lang == "ja" else f.remedy
            out += [f"- **{_md(f.id)}** ({status}) {_md(f.flow)} "
                    f"{_md(names.get(f.frm, f.frm))} → {_md(names.get(f.to, f.to))}: "
                    f"{_md(message)}",
                    f"  - {w['remedy']}: {_md(remedy)}",
                    f"  - {w['clause']} {_md(f.clause)}"]
            out += [f"  - {_md(c.label or '')}: {_md(c.text or '')}" for c in quoted]
        out.append("")
    out += [f"## {w['flow_table']}", "",
            f"| {w['flow']} | {w['from_to']} | {w['items']} | {w['purposes']} | {w['basis']} | "
            f"{w['route']} | {w['status']} | {w['findings']} |",
            "|---|---|---|---|---|---|---|---|"]
    for r in audit.flow_results:
        out.append(f"| {_md(r.id)} | {_md(names.get(r.frm, r.frm))} → "
                   f"{_md(names.get(r.to, r.to))} | {_md(', '.join(r.items))} | "
                   f"{_md(', '.join(r.purposes))} | {_md(r.basis or '')} | "
                   f"{_md(_route(r.route, lang))} | {w['status_words'][r.status]} | "
                   f"{_md(' '.join(r.findings))} |")
    out += ["", f"## {w['waivers']}", ""]
    if audit.waivers:
        out += [f"| {w['rule']} | {w['flow']} | {w['item']} | {w['reason']} | "
                f"{w['approved_by']} | {w['expires_on']} | {w['state']} |",
                "|---|---|---|---|---|---|---|"]
        for v in audit.waivers:
            out.append(" | ".join(["", _md(v["rule"]), _md(v["flow"]), _md(v.get("item") or ""),
                                   _md(v.get("reason") or ""), _md(v.get("approved_by") or ""),
                                   _md(v.get("expires_on") or ""), _md(v.get("state") or ""),
                                   ""]).strip())
    else:
        out.append(w["no_waivers"])
    return "\n".join(out) + "\n"
