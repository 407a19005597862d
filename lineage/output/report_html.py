"""The audit report: one self-contained HTML file (and its Markdown twin).

:func:`build` gathers what the report shows (summary, flow map, findings by
kind with the policy text, flows and routes, waivers, and with a store the
trend and the changes since the previous snapshot); :func:`render_html` turns
it into a page with every style, the drawing and the chart inline. The page
has no script at all and a Content-Security-Policy that forbids scripts and
any fetch, so it opens offline and an inventory name like ``<script>`` stays
text: every value from the inventory or the store goes through ``escape``.

Example:
    >>> import lineage
    >>> rep = build(lineage.check("inventories/monocollabo"), drawing=False)
    >>> page = render_html(rep)
    >>> page.startswith("<!DOCTYPE html>"), "<script" in page
    (True, False)
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html import escape

from .. import __version__
from ..terms import KIND_LABELS, STATUSES, STATUS_WORDS
from ..rules.base import KINDS
from ..rules.clauses import cite

__all__ = ["Report", "build", "render_html", "render_markdown", "trend_svg", "sanitize_svg",
           "LABELS", "KIND_LABELS", "CSP"]

#: No scripts, no fetches: styles inline, images only as data: URIs.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

LABELS = {
    "en": {"title": "Personal-data audit", "as_of": "as of", "rules": "rules",
           "tool": "tool", "inventory": "inventory", "summary": "Summary",
           "flows": "flows", "findings": "Findings", "drawing": "Flow map",
           "no_drawing": "The flow map is not included", "by_kind": "Findings by kind",
           "none": "No findings.", "flow_table": "Flows and their routes",
           "waivers": "Waivers", "no_waivers": "No waivers.", "trend": "Trend over snapshots",
           "changes": "Changes since the previous snapshot", "no_changes": "No changes.",
           "first": "This is the first audit in the store; there is nothing to compare.",
           "flow": "flow", "from_to": "from → to", "items": "items", "purposes": "purposes",
           "basis": "basis", "route": "route", "status": "status", "rule": "rule",
           "item": "item", "reason": "reason", "approved_by": "approved by",
           "expires_on": "expires", "state": "state", "remedy": "Remedy",
           "clause": "Clause", "gloss": "English gloss", "policy_text": "Policy text",
           "evidence": "evidence", "waived": "waived", "error": "error",
           "warning": "warning", "snapshot": "snapshot", "now": "now",
           "new": "new", "resolved": "resolved", "open": "still open",
           "meaning": "What it means", "records": "Inventory changes",
           "added": "added", "removed": "removed", "changed": "changed",
           "routes_changed": "Route and status changes",
           "status_words": {k: v["en"] for k, v in STATUS_WORDS.items()}},
    "ja": {"title": "個人データ監査報告書", "as_of": "基準日", "rules": "ルール",
           "tool": "ツール", "inventory": "棚卸し", "summary": "概要",
           "flows": "フロー", "findings": "指摘", "drawing": "フロー図",
           "no_drawing": "フロー図は含まれていません", "by_kind": "種類別の指摘",
           "none": "指摘はありません。", "flow_table": "フローと経路",
           "waivers": "承認", "no_waivers": "承認はありません。", "trend": "スナップショットの推移",
           "changes": "前回のスナップショットからの変更", "no_changes": "変更はありません。",
           "first": "ストアで最初の監査のため、比較対象はありません。",
           "flow": "フロー", "from_to": "提供元 → 提供先", "items": "項目",
           "purposes": "利用目的", "basis": "根拠", "route": "経路", "status": "状態",
           "rule": "ルール", "item": "項目", "reason": "理由", "approved_by": "承認者",
           "expires_on": "期限", "state": "状態", "remedy": "対応", "clause": "条項",
           "gloss": "英訳", "policy_text": "方針の文言", "evidence": "根拠資料",
           "waived": "承認済み", "error": "違反", "warning": "警告",
           "snapshot": "スナップショット", "now": "今回", "new": "新規",
           "resolved": "解消", "open": "継続", "meaning": "法的な意味",
           "records": "棚卸しの変更", "added": "追加", "removed": "削除", "changed": "変更",
           "routes_changed": "経路・状態の変更",
           "status_words": {k: v["ja"] for k, v in STATUS_WORDS.items()}},
}

_COLOURS = {"error": "#c62828", "warning": "#f0a000", "waived": "#7a7a7a",
            "violation": "#c62828", "ok": "#2e7d32"}


@dataclass
class Report:
    """Everything the report shows, gathered once for both renderers.

    Example:
        >>> rep = Report(audit=None, lang="ja")
        >>> rep.svg, rep.history, rep.diff
        (None, [], None)
    """

    audit: object
    lang: str = "en"
    svg: str | None = None
    drawing_note: str | None = None
    history: list[dict] = field(default_factory=list)
    diff: object | None = None
    store_path: str | None = None

    @property
    def words(self) -> dict:
        """The fixed words in the report's language.

        Example:
            >>> Report(audit=None).words["title"], Report(audit=None, lang="ja").words["title"]
            ('Personal-data audit', '個人データ監査報告書')
        """
        return LABELS[self.lang]


def build(audit, *, store=None, lang: str = "en", drawing: bool = True) -> Report:
    """Gather the report of ``audit``; with ``store`` (a :class:`Store`) add trend and diff.

    The trend is every stored snapshot, plus this audit as ``now`` unless the
    latest snapshot is this very audit (same inventory hash, date and rules).
    The diff is from the latest other audit to this one.

    Example:
        >>> import lineage, tempfile, pathlib
        >>> from lineage.snapshots.store import Store
        >>> store = Store(pathlib.Path(tempfile.mkdtemp()) / "audits.db")
        >>> audit = lineage.check("inventories/monocollabo")
        >>> _ = store.add(audit, label="2026-Q3"), store.add(audit, label="2026-Q4")
        >>> rep = build(audit, store=store, drawing=False)
        >>> [h["name"] for h in rep.history]
        ['2026-Q3', '2026-Q4']
        >>> rep.diff
        <Diff #1 (2026-Q3) -> #2 (2026-Q4): 0 new, 0 resolved, 10 open findings>
        >>> store.close()
    """
    from ..snapshots.compare import Diff
    from ..snapshots.record import Snapshot
    rep = Report(audit=audit, lang=lang)
    if drawing:
        rep.svg, rep.drawing_note = _drawing(audit, lang)
    if store is not None:
        rep.store_path = str(store.path)
        current = Snapshot.from_audit(audit)
        entries = store.list()
        same = bool(entries) and (entries[-1]["inventory_hash"] == current.inventory_hash
                                  and entries[-1]["as_of"] == current.as_of
                                  and tuple(entries[-1]["rules"]) == current.rules)
        for e in entries:
            name = e["label"] or f"#{e['id']}"
            rep.history.append({"name": name, "as_of": e["as_of"], "summary": e["summary"]})
        if not same:
            rep.history.append({"name": LABELS[lang]["now"], "as_of": current.as_of,
                                "summary": current.summary})
        before = entries[-2]["id"] if same and len(entries) > 1 else (
            entries[-1]["id"] if entries and not same else None)
        if before is not None:
            rep.diff = Diff(store.get(before), store.get("latest") if same else current)
    return rep


def _drawing(audit, lang: str) -> tuple[str | None, str | None]:
    from ..drawing import draw
    try:
        svg = draw(audit, lang=lang, links="#flow-{flow}").render("svg")
    except Exception as exc:  # a report without its map beats no report; say why
        return None, f"{type(exc).__name__}: {exc}"
    return sanitize_svg(svg.decode("utf-8")), None


_SVG = "http://www.w3.org/2000/svg"
_XLINK = "http://www.w3.org/1999/xlink"


def sanitize_svg(text: str) -> str:
    """The SVG element alone, safe to inline: no prolog, scripts, handlers or outside links.

    Graphviz already escapes labels; this is a second guard, because the page
    must never run or fetch anything whatever a name in the inventory says.

    >>> sanitize_svg('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
    ...              '<script>x()</script><a href="https://x.test/" onclick="y()"><text>t</text></a></svg>')
    '<svg xmlns="http://www.w3.org/2000/svg"><a><text>t</text></a></svg>'
    """
    ET.register_namespace("", _SVG)
    ET.register_namespace("xlink", _XLINK)
    root = ET.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", text))
    for parent in list(root.iter()):
        for child in list(parent):
            tag = child.tag.rsplit("}", 1)[-1].lower()
            if tag in ("script", "foreignobject", "iframe", "image", "use", "style"):
                parent.remove(child)
    for el in root.iter():
        for name in list(el.attrib):
            local = name.rsplit("}", 1)[-1].lower()
            value = el.attrib[name].strip()
            if local.startswith("on"):
                del el.attrib[name]
            elif local == "href" and not value.startswith("#"):
                del el.attrib[name]
    return ET.tostring(root, encoding="unicode")


# -- pieces ---------------------------------------------------------------------------------

def _names(audit, lang: str) -> dict[str, str]:
    return {p.id: ((p.name if lang == "ja" else (p.name_en or p.name)) or p.id)
            for p in audit.inventory.parties}


def _org_name(audit, lang: str) -> str:
    return _names(audit, lang).get(audit.inventory.organisation, audit.inventory.organisation)


def _route(route: str, lang: str) -> str:
    from ..terms import route_label
    return route_label(route, lang)


def trend_svg(history: list[dict], lang: str = "en", width: int = 720,
              height: int = 240) -> str:
    """A stacked bar chart of errors, warnings and waived findings per snapshot.

    >>> svg = trend_svg([{"name": "Q1", "as_of": "2026-03-31",
    ...                   "summary": {"severity": {"error": 2, "warning": 1, "waived": 0}}}])
    >>> svg.count("<title>"), 'aria-label' in svg
    (2, True)
    """
    w = LABELS[lang]
    pad_l, pad_r, pad_t, pad_b = 44, 12, 16, 56
    plot_w, plot_h = width - pad_l - pad_r, height - pad_t - pad_b
    series = ("error", "warning", "waived")
    top = max([sum(h["summary"]["severity"][s] for s in series) for h in history] + [1])
    step = plot_w / max(len(history), 1)
    bar = max(min(step * 0.6, 48), 2)
    parts = [f'<svg xmlns="{_SVG}" class="trend" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(w["trend"])}">',
             f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>']
    for i in range(5):
        value = round(top * i / 4)
        y = pad_t + plot_h - plot_h * value / top
        parts.append(f'<line x1="{pad_l}" y1="{y:.1f}" x2="{width - pad_r}" y2="{y:.1f}" '
                     f'stroke="#dddddd"/><text x="{pad_l - 6}" y="{y + 4:.1f}" '
                     f'text-anchor="end" font-size="11">{value}</text>')
    for i, h in enumerate(history):
        x = pad_l + step * i + (step - bar) / 2
        y = pad_t + plot_h
        for s in series:
            n = h["summary"]["severity"][s]
            if not n:
                continue
            hgt = plot_h * n / top
            y -= hgt
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{hgt:.1f}" '
                         f'fill="{_COLOURS[s]}"><title>{escape(h["name"])}: {n} '
                         f'{escape(w[s])}</title></rect>')
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{pad_t + plot_h + 16}" '
                     f'text-anchor="middle" font-size="11">{escape(h["name"])}</text>'
                     f'<text x="{x + bar / 2:.1f}" y="{pad_t + plot_h + 30}" '
                     f'text-anchor="middle" font-size="10" fill="#555555">'
                     f'{escape(h["as_of"])}</text>')
    lx = pad_l
    for s in series:
        parts.append(f'<rect x="{lx}" y="{height - 14}" width="10" height="10" '
                     f'fill="{_COLOURS[s]}"/><text x="{lx + 14}" y="{height - 5}" '
                     f'font-size="11">{escape(w[s])}</text>')
        lx += 90
    parts.append("</svg>")
    return "".join(parts)


_CSS = """
body{font-family:"Noto Sans CJK JP","IPAexGothic",system-ui,sans-serif;margin:2rem auto;
max-width:72rem;padding:0 1rem;color:#1a1a1a;line-height:1.5}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{border-bottom:2px solid #1f3f66;padding-bottom:.2rem;
margin-top:2.2rem}h3{margin-top:1.4rem}.meta{color:#555;font-size:.9rem}
.cards{display:flex;flex-wrap:wrap;gap:.8rem;margin:1rem 0}
.card{border:1px solid #ccc;border-radius:6px;padding:.5rem 1rem;min-width:7rem}
.card b{display:block;font-size:1.5rem}.violation b,.error b{color:#c62828}
.warning b{color:#9a6700}.waived b{color:#555}.ok b{color:#2e7d32}
table{border-collapse:collapse;width:100%;font-size:.88rem;margin:.6rem 0}
th,td{border:1px solid #ddd;padding:.3rem .45rem;text-align:left;vertical-align:top}
th{background:#f2f4f7}tr.violation td:first-child{border-left:4px solid #c62828}
tr.warning td:first-child{border-left:4px solid #f0a000}
tr.waived td:first-child{border-left:4px solid #7a7a7a}
.finding{border:1px solid #ddd;border-left:5px solid #c62828;border-radius:4px;
padding:.5rem .8rem;margin:.7rem 0}.finding.warning{border-left-color:#f0a000}
.finding.waived{border-left-color:#7a7a7a;background:#fafafa}
.finding .id{font-family:ui-monospace,monospace;font-weight:bold}
.badge{display:inline-block;border-radius:3px;padding:0 .4rem;font-size:.8rem;color:#fff;
background:#c62828;margin-left:.4rem}.badge.warning{background:#b07800}
.badge.waived{background:#7a7a7a}
blockquote{margin:.4rem 0;padding:.3rem .8rem;border-left:3px solid #9bb3d1;background:#f5f8fc}
.drawing{overflow:auto;border:1px solid #ddd;padding:.5rem;max-height:80vh}
.drawing svg{max-width:100%;height:auto}.trend{max-width:100%;height:auto}
.note{color:#555;font-style:italic}code{font-family:ui-monospace,monospace}
"""


def _e(value) -> str:
    return escape("" if value is None else str(value), quote=True)


def _finding_html(f, names: dict, w: dict, lang: str, policy=None) -> str:
    d = f.as_dict()
    cls = "waived" if f.waived else f.severity
    badge = w["waived"] if f.waived else w[f.severity]
    quoted = [c for c in cite(f.clause, policy) if c.quoted]
    message = d["message_ja"] if lang == "ja" else d["message"]
    remedy = d["remedy_ja"] if lang == "ja" else d["remedy"]
    evidence = ", ".join(f"{_e(k)}: {_e(', '.join(map(str, v)) if isinstance(v, list) else v)}"
                         for k, v in d["evidence"].items())
    return (f'<div class="finding {cls}" id="finding-{_e(f.id)}">'
            f'<span class="id">{_e(f.id)}</span><span class="badge {cls}">{_e(badge)}</span> '
            f'<a href="#flow-{_e(f.flow)}">{_e(f.flow)}</a> '
            f'{_e(names.get(f.frm, f.frm))} → {_e(names.get(f.to, f.to))}'
            f'<p>{_e(message)}</p>'
            + (f'<p class="meta">{_e(w["evidence"])}: {evidence}</p>' if evidence else "")
            + f'<p><b>{_e(w["remedy"])}:</b> {_e(remedy)}</p>'
            f'<p class="meta">{_e(w["clause"])} {_e(f.clause)}</p>'
            + "".join(f'<blockquote>{_e(c.label or "")} {_e(c.text or "")}</blockquote>'
                      for c in quoted)
            + "</div>")


def _diff_html(d, w: dict, lang: str) -> str:
    out = []
    c = d.counts()["findings"]
    out.append(f'<p>{_e(d.a.name)} ({_e(d.a.as_of)}) → {_e(d.b.name)} ({_e(d.b.as_of)}): '
               f'{c["new"]} {_e(w["new"])}, {c["resolved"]} {_e(w["resolved"])}, '
               f'{c["open"]} {_e(w["open"])}</p>')
    rows = [(w[tag], f) for tag, group in (("new", d.new), ("resolved", d.resolved))
            for f in group]
    if rows:
        out.append(f'<table><tr><th></th><th>id</th><th>{_e(w["clause"])}</th>'
                   f'<th>{_e(w["status"])}</th><th></th></tr>')
        for tag, f in rows:
            msg = f["message_ja"] if lang == "ja" else f["message"]
            out.append(f'<tr><td>{_e(tag)}</td><td><code>{_e(f["id"])}</code></td>'
                       f'<td>{_e(f["clause"])}</td><td>{_e(w[f["severity"]])}</td>'
                       f'<td>{_e(msg)}</td></tr>')
        out.append("</table>")
    if d.notes:
        out.append(f'<h3>{_e(w["meaning"])}</h3><ul>')
        for n in d.notes:
            clause = f" [{_e(n.clause)}]" if n.clause else ""
            out.append(f'<li><b>{_e(n.record)}</b>{clause}: '
                       f'{_e(n.message_ja if lang == "ja" else n.message)}</li>')
        out.append("</ul>")
    if d.records:
        out.append(f'<h3>{_e(w["records"])}</h3><table>')
        for name, r in d.records.items():
            for i in r["added"]:
                out.append(f'<tr><td>{_e(name)}</td><td>{_e(w["added"])}</td>'
                           f'<td><code>{_e(i)}</code></td><td></td></tr>')
            for i in r["removed"]:
                out.append(f'<tr><td>{_e(name)}</td><td>{_e(w["removed"])}</td>'
                           f'<td><code>{_e(i)}</code></td><td></td></tr>')
            for ch in r["changed"]:
                out.append(f'<tr><td>{_e(name)}</td><td>{_e(w["changed"])}</td>'
                           f'<td><code>{_e(ch["id"])}</code></td><td>'
                           + "<br>".join(_e(x.text()) for x in ch["changes"]) + "</td></tr>")
        out.append("</table>")
    if d.flow_changes:
        out.append(f'<h3>{_e(w["routes_changed"])}</h3><ul>')
        for f in d.flow_changes:
            out.append(f'<li><code>{_e(f["id"])}</code>: '
                       + "; ".join(_e(x.text()) for x in f["changes"]) + "</li>")
        out.append("</ul>")
    if d.is_empty():
        out.append(f'<p>{_e(w["no_changes"])}</p>')
    return "".join(out)


def render_html(rep: Report) -> str:
    """The report as one HTML page (see the module docstring).

    Example:
        >>> import lineage
        >>> page = render_html(build(lineage.check("inventories/monocollabo"), drawing=False))
        >>> page.splitlines()[1], f'content="{CSP}"' in page
        ('<html lang="en">', True)
        >>> '<h2 id="waivers">Waivers</h2>' in page
        True
    """
    audit, lang, w = rep.audit, rep.lang, rep.words
    names = _names(audit, lang)
    s = audit.summary()
    sev = {"error": 0, "warning": 0, "waived": 0}
    for f in audit.results:
        sev["waived" if f.waived else f.severity] += 1
    from ..snapshots.canonical import inventory_hash
    title = f"{w['title']}: {_org_name(audit, lang)}"
    out = ["<!DOCTYPE html>", f'<html lang="{lang}">', "<head>", '<meta charset="utf-8">',
           f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{_e(title)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
           f"<h1>{_e(title)}</h1>",
           f'<p class="meta">{_e(w["as_of"])} {_e(audit.as_of.isoformat())} · '
           f'{_e(w["rules"])}: {_e(", ".join(audit.packs))} · {_e(w["tool"])}: lineage '
           f'{_e(__version__)} · {_e(w["inventory"])}: '
           f'<code>sha256:{_e(inventory_hash(audit.inventory))}</code></p>',
           f'<h2 id="summary">{_e(w["summary"])}</h2>', '<div class="cards">',
           f'<div class="card"><b>{s["flows"]}</b>{_e(w["flows"])}</div>']
    for status in STATUSES:
        out.append(f'<div class="card {status}"><b>{s["status"][status]}</b>'
                   f'{_e(w["status_words"][status])}</div>')
    out.append("</div>")
    out.append(f'<p>{_e(w["findings"])}: {sev["error"]} {_e(w["error"])}, '
               f'{sev["warning"]} {_e(w["warning"])}, {sev["waived"]} {_e(w["waived"])}</p>')
    out.append(f'<h2 id="drawing">{_e(w["drawing"])}</h2>')
    if rep.svg:
        out.append(f'<div class="drawing">{rep.svg}</div>')
    else:
        note = f': {rep.drawing_note}' if rep.drawing_note else "."
        out.append(f'<p class="note">{_e(w["no_drawing"] + note)}</p>')
    if rep.history:
        out.append(f'<h2 id="trend">{_e(w["trend"])}</h2>')
        out.append(trend_svg(rep.history, lang))
        out.append(f'<table><tr><th>{_e(w["snapshot"])}</th><th>{_e(w["as_of"])}</th>'
                   f'<th>{_e(w["error"])}</th><th>{_e(w["warning"])}</th>'
                   f'<th>{_e(w["waived"])}</th><th>{_e(w["flows"])}</th></tr>')
        for h in rep.history:
            v = h["summary"]["severity"]
            out.append(f'<tr><td>{_e(h["name"])}</td><td>{_e(h["as_of"])}</td>'
                       f'<td>{v["error"]}</td><td>{v["warning"]}</td><td>{v["waived"]}</td>'
                       f'<td>{h["summary"]["flows"]}</td></tr>')
        out.append("</table>")
        out.append(f'<h2 id="changes">{_e(w["changes"])}</h2>')
        out.append(_diff_html(rep.diff, w, lang) if rep.diff is not None
                   else f'<p>{_e(w["first"])}</p>')
    out.append(f'<h2 id="findings">{_e(w["by_kind"])}</h2>')
    if not audit.results:
        out.append(f"<p>{_e(w['none'])}</p>")
    by_kind: dict[str, list] = {}
    for f in audit.results:
        by_kind.setdefault(f.kind, []).append(f)
    for kind in sorted(by_kind, key=lambda k: (KINDS.index(k) if k in KINDS else 99, k)):
        label = KIND_LABELS.get(kind, {}).get(lang, kind)
        out.append(f'<h3 id="kind-{_e(kind)}">{_e(label)} <code>{_e(kind)}</code> '
                   f'({len(by_kind[kind])})</h3>')
        out += [_finding_html(f, names, w, lang, audit.inventory.policy) for f in by_kind[kind]]
    out.append(f'<h2 id="flows">{_e(w["flow_table"])}</h2>')
    out.append(f'<table><tr><th>{_e(w["flow"])}</th><th>{_e(w["from_to"])}</th>'
               f'<th>{_e(w["items"])}</th><th>{_e(w["purposes"])}</th>'
               f'<th>{_e(w["basis"])}</th><th>{_e(w["route"])}</th>'
               f'<th>{_e(w["status"])}</th><th>{_e(w["findings"])}</th></tr>')
    for r in audit.flow_results:
        links = " ".join(f'<a href="#finding-{_e(x)}">{_e(x)}</a>' for x in r.findings)
        out.append(f'<tr class="{r.status}" id="flow-{_e(r.id)}"><td>{_e(r.id)}</td>'
                   f'<td>{_e(names.get(r.frm, r.frm))} → {_e(names.get(r.to, r.to))}</td>'
                   f'<td>{_e(", ".join(r.items))}</td><td>{_e(", ".join(r.purposes))}</td>'
                   f'<td>{_e(r.basis or "")}</td><td>{_e(_route(r.route, lang))}</td>'
                   f'<td>{_e(w["status_words"][r.status])}</td><td>{links}</td></tr>')
    out.append("</table>")
    out.append(f'<h2 id="waivers">{_e(w["waivers"])}</h2>')
    if audit.waivers:
        out.append(f'<table><tr><th>{_e(w["rule"])}</th><th>{_e(w["flow"])}</th>'
                   f'<th>{_e(w["item"])}</th><th>{_e(w["reason"])}</th>'
                   f'<th>{_e(w["approved_by"])}</th><th>{_e(w["expires_on"])}</th>'
                   f'<th>{_e(w["state"])}</th></tr>')
        for v in audit.waivers:
            out.append(f'<tr><td>{_e(v["rule"])}</td><td>{_e(v["flow"])}</td>'
                       f'<td>{_e(v.get("item") or "")}</td><td>{_e(v.get("reason"))}</td>'
                       f'<td>{_e(v.get("approved_by"))}</td><td>{_e(v.get("expires_on"))}</td>'
                       f'<td>{_e(v.get("state"))}</td></tr>')
        out.append("</table>")
    else:
        out.append(f"<p>{_e(w['no_waivers'])}</p>")
    out += ["</body>", "</html>", ""]
    return "\n".join(out)


def render_markdown(rep: Report) -> str:
    """The report as Markdown (see :mod:`lineage.output.report_markdown`).

    Example:
        >>> import lineage
        >>> rep = build(lineage.check("inventories/monocollabo"), lang="ja", drawing=False)
        >>> render_markdown(rep).splitlines()[0]
        '# 個人データ監査報告書: モノコラボ'
    """
    from .report_markdown import render
    return render(rep)
