"""The report's pictures as inline SVG: the flow map made safe, and the trend chart.

Example:
    >>> svg = trend_svg([{"name": "Q1", "as_of": "2026-03-31",
    ...                   "summary": {"severity": {"error": 1, "warning": 0, "waived": 0}}}])
    >>> svg.startswith("<svg"), sanitize_svg(svg) == svg
    (True, False)
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html import escape

__all__ = ["sanitize_svg", "trend_svg", "COLOURS", "CHART_WORDS"]

#: The chart's own words (the report's view has the same ones for its tables).
CHART_WORDS = {"en": {"trend": "Trend over snapshots", "error": "error", "warning": "warning",
                      "waived": "waived"},
               "ja": {"trend": "スナップショットの推移", "error": "エラー", "warning": "警告",
                      "waived": "承認済み"}}

#: Status and severity colours shared by the page and the chart.
COLOURS = {"error": "#c62828", "warning": "#f0a000", "waived": "#7a7a7a",
           "violation": "#c62828", "ok": "#2e7d32"}

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


#: Characters XML 1.0 cannot hold, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _text(value) -> str:
    """A snapshot's label for the chart: escaped, and without characters XML cannot hold
    (a row added to the store behind lineage's back may hold anything; the hostile review
    of round 13 found an ESC made the report's SVG ill-formed).

    Example:
        >>> _text("Q3\x1b]0;x\x07<b>")
        'Q3\ufffd]0;x\ufffd&lt;b&gt;'
    """
    return escape(_NOT_XML.sub("\ufffd", str(value)))


def trend_svg(history: list[dict], lang: str = "en", width: int = 720,
              height: int = 240) -> str:
    """A stacked bar chart of errors, warnings and waived findings per snapshot.

    >>> svg = trend_svg([{"name": "Q1", "as_of": "2026-03-31",
    ...                   "summary": {"severity": {"error": 2, "warning": 1, "waived": 0}}}])
    >>> svg.count("<title>"), 'aria-label' in svg
    (2, True)
    """
    w = CHART_WORDS[lang]
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
                         f'fill="{COLOURS[s]}"><title>{_text(h["name"])}: {n} '
                         f'{escape(w[s])}</title></rect>')
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{pad_t + plot_h + 16}" '
                     f'text-anchor="middle" font-size="11">{_text(h["name"])}</text>'
                     f'<text x="{x + bar / 2:.1f}" y="{pad_t + plot_h + 30}" '
                     f'text-anchor="middle" font-size="10" fill="#555555">'
                     f'{_text(h["as_of"])}</text>')
    lx = pad_l
    for s in series:
        parts.append(f'<rect x="{lx}" y="{height - 14}" width="10" height="10" '
                     f'fill="{COLOURS[s]}"/><text x="{lx + 14}" y="{height - 5}" '
                     f'font-size="11">{escape(w[s])}</text>')
        lx += 90
    parts.append("</svg>")
    return "".join(parts)


