"""The audit report as one self-contained HTML page, laid out by Jinja2 templates.

:func:`build` (from :mod:`~lineage.output.view`) gathers what the report shows;
:func:`render_html` fills ``templates/report.html.j2`` with that view. The
templates autoescape every value, so an inventory name like ``<script>`` stays
text; the only markup passed through is the flow map (sanitised by
:func:`sanitize_svg`) and the trend chart built here from numbers. The page has
no script at all and a Content-Security-Policy that forbids scripts and any
fetch, so it opens offline. Its print stylesheet lays it out for A4: the map on
a landscape page of its own, tables that break across pages with their header
repeated, and the policy title and audit date on every page.

Example:
    >>> import lineage
    >>> rep = build(lineage.check("inventories/monocollabo"), drawing=False)
    >>> page = render_html(rep)
    >>> page.startswith("<!DOCTYPE html>"), "<script" in page
    (True, False)
"""

from __future__ import annotations

import re
from functools import cache

from markupsafe import Markup, escape

from .svgsafe import COLOURS, sanitize_svg, trend_svg
from .view import LABELS, Report, build
from ..rules.clauses import clause_label
from ..snapshots.render import collection_label
from ..terms import KIND_LABELS, count_list, escape_controls

__all__ = ["Report", "build", "render_html", "render_markdown", "trend_svg", "sanitize_svg",
           "LABELS", "KIND_LABELS", "CSP", "COLOURS", "css_string", "nowrap_ids"]

#: No scripts, no fetches: styles inline, images only as data: URIs.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def css_string(value) -> Markup:
    """``value`` as a quoted CSS string that cannot end the string or the style element.

    Example:
        >>> str(css_string('方針 "A" </style>'))
        '"方針 \\\\22 A\\\\22  \\\\3c /style\\\\3e "'
    """
    out = []
    for ch in str(value):
        if ch.isalnum() and ord(ch) > 127 or ch.isalnum() or ch in " .,:;-_/()[]·":
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):x} ")
    return Markup('"' + "".join(out) + '"')


#: An ID in parentheses after a display name: printable ASCII, no space, no parenthesis.
_PAREN_ID = re.compile(r"\([!-'*-~]+\)")


def nowrap_ids(value) -> Markup:
    """``value`` escaped, with every parenthesised ID (``(mailing-house)``) in a
    ``<span class="nw">``, which the print stylesheet keeps on one line.

    Names may wrap anywhere between words; an ID cut at its hyphen or mid-word
    in a narrow printed column reads as two IDs.

    Example:
        >>> str(nowrap_ids("Sendworks (mailing house) (mailing-house) <b>"))
        'Sendworks (mailing house) <span class="nw">(mailing-house)</span> &lt;b&gt;'
    """
    text = str(value)
    out, pos = [], 0
    for m in _PAREN_ID.finditer(text):
        out += [escape(text[pos:m.start()]), Markup('<span class="nw">'), escape(m.group()),
                Markup("</span>")]
        pos = m.end()
    out.append(escape(text[pos:]))
    return Markup("").join(out)


@cache
def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
    env = Environment(loader=PackageLoader("lineage.output", "templates"),
                      autoescape=select_autoescape(["html", "html.j2"], default=True),
                      undefined=StrictUndefined, keep_trailing_newline=True,
                      trim_blocks=False, lstrip_blocks=False)
    env.filters["css_string"] = css_string
    env.filters["nowrap_ids"] = nowrap_ids
    env.globals["dict"] = dict
    env.globals["clause_label"] = clause_label
    env.globals["collection_label"] = collection_label
    env.globals["count_list"] = count_list
    return env


def render_html(rep: Report) -> str:
    """The report as one HTML page (see the module docstring).

    Example:
        >>> import lineage
        >>> page = render_html(build(lineage.check("inventories/monocollabo"), drawing=False))
        >>> page.splitlines()[1], f'content="{CSP}"' in page
        ('<html lang="en">', True)
        >>> '<h2>Waivers</h2>' in page, '<section id="waivers">' in page
        (True, True)
    """
    env = _environment()
    w = rep.words
    policy = rep.policy
    head = (policy.title if policy is not None and policy.title else rep.title)
    if policy is not None and policy.publisher:
        head += f" · {policy.publisher}"
    css = env.get_template("report.css").render(
        page_head=head, page_date=f"{w['audit_date']} {rep.audit.as_of.isoformat()}")
    diff_rows, diff_line, diff_note = [], "", None
    if rep.diff is not None:
        # The diff's rows and count as the CLI and Markdown say them (names beside
        # IDs, a removed flow's finding not called fixed, the packs compared): one
        # source for all three.
        from ..snapshots.render import finding_rows, findings_line, packs_line
        diff_rows = finding_rows(rep.diff, rep.lang, ("new", "resolved"))
        diff_line = findings_line(rep.diff, rep.lang)
        diff_note = packs_line(rep.diff, rep.lang)
    page = env.get_template("report.html.j2").render(
        rep=rep, csp=Markup(CSP), css=Markup(css), diff_rows=diff_rows, diff_line=diff_line,
        diff_note=diff_note,
        trend=Markup(trend_svg(rep.history, rep.lang)) if rep.history else "")
    # text from a snapshot store may hold anything a store's writer put there
    page = escape_controls(page)
    return page if page.endswith("\n") else page + "\n"


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
