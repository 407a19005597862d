"""The audit report as Markdown: the same view as the HTML page, for wikis and PRs.

It renders :class:`~lineage.output.view.Report`, so its counts, names and
policy citations are the HTML page's. The flow map is embedded as an SVG data
URI (Markdown has no inline SVG); the trend is a table. Inventory text is
escaped so it cannot turn into links, HTML or table cells.

Example:
    >>> import lineage
    >>> from lineage.output.view import build
    >>> text = render(build(lineage.check("inventories/monocollabo"), drawing=False))
    >>> text.splitlines()[0]
    '# Personal-data audit: Monocollabo'
"""

from __future__ import annotations

import base64

from ..snapshots.render import _md, diff_markdown
from .view import Report
from ..terms import count_list, escape_controls

__all__ = ["render"]


def _row(cells) -> str:
    return "| " + " | ".join(cells) + " |"


def render(rep: Report) -> str:
    """The report ``rep`` as Markdown text.

    Example:
        >>> import lineage
        >>> from lineage.output.view import build
        >>> text = render(build(lineage.check("inventories/monocollabo"), drawing=False))
        >>> [line[3:] for line in text.splitlines() if line.startswith("## ")]
        ['Summary', 'Flow map', 'Findings by kind', 'Flows and their routes', 'Waivers', "The organisation's policy"]
    """
    w, c = rep.words, rep.counts
    out = [f"# {_md(rep.title)}", "",
           f"{w['as_of']} {rep.audit.as_of.isoformat()} · {w['rules']}: "
           f"{', '.join(label for _, label in rep.packs)} · {w['tool']}: {rep.tool} · "
           f"{w['inventory']}: `sha256:{rep.inventory_hash}`", ""]
    policy = rep.policy
    if policy is not None:
        facts = [(w["policy"], policy.title), (w["publisher"], policy.publisher),
                 (w["revised_on"], policy.revised_on.isoformat() if policy.revised_on else None),
                 (w["url"], policy.url)]
        out += [f"- {k}: {_md(v)}" for k, v in facts if v] + [""]
    statuses = rep.statuses
    out += [f"## {w['summary']}", "",
            _row([w["flows"]] + [word for _, word in statuses]
                 + ([w["law_only"]] if rep.several_packs else [])),
            "|---" * (len(statuses) + 1 + rep.several_packs) + "|",
            _row([str(c["flows"])] + [str(c["status"][s]) for s, _ in statuses]
                 + ([str(c.get("policy_ok_law_violation", len(rep.law_only)))]
                    if rep.several_packs else [])), "",
            f"{w['findings']}: " + count_list([(c['severity'][k], w[k])
                                               for k in ("error", "warning", "waived")], rep.lang),
            ""]
    if rep.several_packs:
        out += [f"### {w['by_pack']}", "",
                _row([w["pack"]] + [word for _, word in statuses]),
                "|---" * (len(statuses) + 1) + "|"]
        out += [_row([label] + [str(counts.get(s, 0)) for s, _ in statuses])
                for _, label, counts in rep.pack_counts()]
        out += ["", f"§ {w['law_only_legend']}", ""]
    if rep.people:
        out += [f"### {w['people']}", "", _md(w["people_note"]), "",
                _row([w["party"], w["people_count"], w["groups"]]), "|---|---|---|"]
        out += [_row([_md(p["label"]), p["about"],
                      ", ".join(f"{_md(g)}: {n:,}" for g, n in p["groups"])])
                for p in rep.people]
        out += [""]
    out += [f"## {w['drawing']}", ""]
    if rep.svg:
        data = base64.b64encode(rep.svg.encode("utf-8")).decode("ascii")
        out += [f"![{w['drawing']}](data:image/svg+xml;base64,{data})", ""]
    else:
        note = f": {rep.drawing_note}" if rep.drawing_note else (
            "。" if rep.lang == "ja" else ".")
        out += [f"*{_md(w['no_drawing'] + note)}*", ""]
    if rep.history:
        out += [f"## {w['trend']}", "",
                _row([w["snapshot"], w["as_of"], w["error"], w["warning"], w["waived"],
                      w["flows"]]), "|---|---|---|---|---|---|"]
        for h in rep.history:
            v = h["summary"]["severity"]
            out.append(_row([_md(h["name"]), h["as_of"], str(v["error"]), str(v["warning"]),
                             str(v["waived"]), str(h["summary"]["flows"])]))
        out += ["", f"## {w['changes']}", ""]
        if rep.diff is not None:
            out.append(diff_markdown(rep.diff, rep.lang, level=3))
        else:
            out += [w["first"], ""]
    out += [f"## {w['by_kind']}", ""]
    if not rep.findings:
        out += [w["none"], ""]
    for kind, label, group in rep.by_kind:
        out += [f"### {_md(label)} ({len(group)})", ""]
        for f in group:
            out += [f"- **{_md(f.id)}** ({f.badge}) {_md(f.flow)} {_md(f.frm)} → {_md(f.to)}: "
                    f"{_md(f.message)}",
                    f"  - {w['remedy']}: {_md(f.remedy)}",
                    f"  - {w['rule']} {_md(f.rule)} · {w['clause']} {_md(f.clause_label)}"
                    + (f" ({_md(f.law)})" if f.law else "") + " · "
                    f"{w['restatement']}: {_md(f.restatement)}"]
            out += [f"  - {_md(q.label or q.clause)}: {_md(q.text or '')}".rstrip(": ")
                    for q in f.citations]
        out.append("")
    packs = [label for _, label in rep.packs] if rep.several_packs else []
    out += [f"## {w['flow_table']}", "",
            _row([w["flow"], w["from_to"], w["items"], w["purposes"], w["basis"], w["route"],
                  w["status"], *packs, w["findings"]]),
            "|---" * (8 + len(packs)) + "|"]
    for r in rep.flows:
        by_pack = dict(r.by_pack)
        marks = [w["status_words"][by_pack[p]] if p in by_pack else "-"
                 for p, _ in rep.packs] if packs else []
        out.append(_row([_md(r.id) + (" §" if r.law_only else ""),
                         f"{_md(r.frm)} → {_md(r.to)}", _md(", ".join(r.items)),
                         _md(", ".join(r.purposes)), _md(r.basis), _md(r.route_label),
                         r.status_label, *marks, _md(" ".join(r.findings))]))
    out += ["", f"## {w['waivers']}", ""]
    if rep.waivers:
        out += [_row([w["rule"], w["flow"], w["item"], w["reason"], w["approved_by"],
                      w["expires_on"], w["state"]]), "|---|---|---|---|---|---|---|"]
        for v in rep.waivers:
            out.append(_row([_md(v["rule"]), _md(v["flow"]),
                             _md(rep.item(v["item"]) if v.get("item") else ""),
                             _md(v.get("reason") or ""), _md(v.get("approved_by") or ""),
                             _md(v.get("expires_on") or ""), _md(v.get("state") or "")]))
    else:
        out.append(w["no_waivers"])
    if policy is not None and policy.full_text:
        # the whole text as a quoted block: escaped, so it cannot become markup
        out += ["", f"## {w['policy']}", ""]
        out += [f"> {_md(line)}" if line.strip() else ">"
                for line in policy.full_text.splitlines()]
    # text from a snapshot store may hold anything a store's writer put there
    return escape_controls("\n".join(out) + "\n")
