"""The HTML report printed to PDF by a real browser (Debian's Chromium, ``--print-to-pdf``).

A privacy committee files the printed report, so the test prints the sample's
Japanese report and reads the PDF back with pypdf: A4 pages in a sane number,
the policy title and audit date on every page, the flow map on a page
of its own and large, the flow table's header repeated on every page it spans.
A second run lays the page out with the print stylesheet in headless Chromium
and measures every table, cell and quoted text: nothing wider than its box, no
column narrower than a few characters, no ID (a flow's, a rule's, a party's)
split over two lines. Variants (both rule packs, no map) check that the legend
stays with the map and that no page is left nearly empty.
"""

from __future__ import annotations

import re
import unicodedata

import pypdf
import pytest
from pypdf.generic import ContentStream

import lineage
from lineage.output import report_html

from browser import open_page, print_pdf
from paths import SAMPLE

A4 = (595.3, 841.9)  # points
MM = 72 / 25.4


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("print")
    html = folder / "report.html"
    rep = report_html.build(lineage.check(SAMPLE), lang="ja")
    html.write_text(report_html.render_html(rep), encoding="utf-8")
    pdf = print_pdf(html, folder / "report.pdf")
    return html, pypdf.PdfReader(str(pdf))


def _text(page) -> str:
    # Chromium's CJK font maps some kanji to radicals (U+2F08 for 人): fold them back
    return unicodedata.normalize("NFKC", page.extract_text())


def _mul(a, b):
    return [a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
            a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
            a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5]]


def _white_fills(reader, page) -> list[tuple[float, float]]:
    """Width and height (points) of every white-filled path drawn on ``page``.

    Graphviz paints the map's background as one white polygon the size of the
    whole map, so the largest white fill on the map's page is the map itself.
    """
    ctm, stack, fill, points, out = [1, 0, 0, 1, 0, 0], [], None, [], []
    for operands, op in ContentStream(page.get_contents(), reader).operations:
        op = op.decode() if isinstance(op, bytes) else op
        if op == "q":
            stack.append((ctm[:], fill))
        elif op == "Q":
            ctm, fill = stack.pop()
        elif op == "cm":
            ctm = _mul([float(x) for x in operands], ctm)
        elif op == "rg":
            fill = tuple(round(float(x), 3) for x in operands)
        elif op in ("m", "l", "c", "re"):
            coords = [float(x) for x in operands]
            pairs = ([(coords[0], coords[1]), (coords[0] + coords[2], coords[1] + coords[3])]
                     if op == "re" else [tuple(coords[-2:])])
            points += [(ctm[0] * x + ctm[2] * y + ctm[4], ctm[1] * x + ctm[3] * y + ctm[5])
                       for x, y in pairs]
        elif op in ("f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "n"):
            if points and op in ("f", "F", "f*") and fill == (1.0, 1.0, 1.0):
                xs, ys = [p[0] for p in points], [p[1] for p in points]
                out.append((max(xs) - min(xs), max(ys) - min(ys)))
            points = []
    return out


def test_printed_report_pages_header_and_footer(printed):
    _, reader = printed
    pages = reader.pages
    assert 8 <= len(pages) <= 20, len(pages)
    for number, page in enumerate(pages, start=1):
        width, height = sorted((float(page.mediabox.width), float(page.mediabox.height)))
        assert (round(width), round(height)) == (595, 842), (number, page.mediabox)
        text = _text(page)
        # the organisation's policy title, the audit date and the page number on every page
        assert re.search(r"個人情報保護方針\s+·\s+モノコラボ", text), number
        assert re.search(r"監査基準日\s+2026-11-01", text), number
        assert f"{number} / {len(pages)}" in text, number


def _map_page(reader) -> int:
    """The page the flow map is printed on: Graphviz paints the map's background as one
    white polygon the size of the whole map, the largest white fill of the report."""
    areas = [max((w * h for w, h in _white_fills(reader, p)), default=0) for p in reader.pages]
    return max(range(len(areas)), key=areas.__getitem__)


def test_printed_map_has_a_large_page_of_its_own(printed):
    html, reader = printed
    at = _map_page(reader)
    page = reader.pages[at]
    text = _text(page)
    assert "フロー図" in text and "概要" not in text and "種類別の指摘" not in text
    # the page that shows the map largest: portrait for a tall map, else landscape
    tall = 'class="map has-map tall"' in html.read_text(encoding="utf-8")
    page_w, page_h = float(page.mediabox.width), float(page.mediabox.height)
    assert (page_h > page_w) == tall, (page_w, page_h, tall)
    landscape = [i for i, p in enumerate(reader.pages)
                 if float(p.mediabox.width) > float(p.mediabox.height)]
    assert landscape == ([] if tall else [at]), landscape  # (one rule pack: a portrait table)
    width, height = max(_white_fills(reader, page), key=lambda wh: wh[0] * wh[1])
    # the map covers over half of the sheet and fills its width or its height
    assert width * height >= 0.5 * page_w * page_h, (width * height / (page_w * page_h))
    room_w, room_h = page_w - 24 * MM, page_h - 60 * MM
    assert max(width / room_w, height / room_h) >= 0.9, (width / MM, height / MM)


def test_printed_flow_table_repeats_its_header_on_every_page(printed):
    _, reader = printed
    header = re.compile(r"フロー\s+提供元 → 提供先\s+項目\s+利用目的\s+根拠\s+経路\s+状態\s+指摘")
    texts = [_text(p) for p in reader.pages]
    start = next(i for i, t in enumerate(texts) if "フローと経路" in t)
    rows = re.compile(r"^F\d\d\s", re.M)
    table_pages = [i for i in range(start, len(texts)) if len(rows.findall(texts[i])) >= 3]
    assert len(table_pages) >= 2, table_pages  # the table spans pages
    assert table_pages == list(range(start, table_pages[-1] + 1))
    for i in table_pages:
        assert header.search(texts[i]), i
    # the organisation's whole policy text closes the report, on pages of its own
    appendix = next(i for i, t in enumerate(texts) if "付録: 自社の個人情報保護方針 (全文)" in t)
    assert appendix > table_pages[-1] and "5.第三者提供の制限" in "".join(texts[appendix:])


#: For every table, cell and quoted text: [what, scrollWidth, clientWidth] when it overflows;
#: for every header cell narrower than three characters: [text, width, font size].
OVERFLOW = """(() => {
  const over = [], narrow = [];
  for (const el of document.querySelectorAll('table, th, td, blockquote, .finding, .policy-text, dl.policy dd')) {
    if (el.scrollWidth > el.clientWidth + 1)
      over.push([el.tagName + ' ' + el.textContent.slice(0, 40), el.scrollWidth, el.clientWidth]);
  }
  for (const th of document.querySelectorAll('th')) {
    const size = parseFloat(getComputedStyle(th).fontSize);
    if (th.clientWidth < 3 * size) narrow.push([th.textContent, th.clientWidth, size]);
  }
  return JSON.stringify({over, narrow, tables: document.querySelectorAll('table').length,
                         media: matchMedia('print').matches});
})()"""


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_no_text_overflows_and_no_narrow_columns_when_printed(tmp_path, lang):
    import json
    html = tmp_path / "report.html"
    rep = report_html.build(lineage.check(SAMPLE), lang=lang)
    html.write_text(report_html.render_html(rep), encoding="utf-8")
    # 703 CSS px is the width of A4 portrait between the page margins (186 mm at 96 dpi)
    page = open_page(html, media="print", width=703, height=1000,
                     evaluate={"layout": OVERFLOW})
    assert page.errors == []
    layout = json.loads(page.values["layout"])
    assert layout["media"] is True and layout["tables"] >= 3
    assert layout["over"] == [], layout["over"][:5]
    assert layout["narrow"] == [], layout["narrow"][:5]


def _print_variant(folder, lang="ja", packs=("policy",), drawing=True):
    html = folder / "report.html"
    rep = report_html.build(lineage.check(SAMPLE, packs=packs), lang=lang, drawing=drawing)
    html.write_text(report_html.render_html(rep), encoding="utf-8")
    return pypdf.PdfReader(str(print_pdf(html, folder / "report.pdf")))


def _content(text: str) -> str:
    """A page's text without the running head (title, audit date) and the page number."""
    lines = text.splitlines()
    return "\n".join(line for line in lines
                     if not re.search(r"監査基準日|audit date|^\s*\d+ / \d+\s*$", line))


#: The status legend as the report writes it (not the drawing's own key of party kinds).
LEGEND = {"ja": r"凡例\s+適合\s+警告\s+違反\s+承認済み", "en": r"Legend\s+ok\s+warning\s+violation\s+waived"}


@pytest.mark.parametrize("lang, packs", [("ja", ("policy",)), ("en", ("policy",)),
                                         ("ja", ("policy", "appi"))])
def test_printed_legend_is_on_the_map_page_and_the_page_before_is_not_a_leftover(
        tmp_path, lang, packs):
    reader = _print_variant(tmp_path, lang, packs)
    texts = [_text(p) for p in reader.pages]
    map_page = _map_page(reader)
    assert re.search(LEGEND[lang], texts[map_page]), texts[map_page][:300]
    assert not any(re.search(LEGEND[lang], t) for i, t in enumerate(texts) if i != map_page)
    # the summary before the map fills its page: no page of a few leftover rows (or the
    # legend alone) between the summary and the map
    assert map_page == 1, map_page
    assert len(_content(texts[0])) > 600, _content(texts[0])


@pytest.mark.parametrize("lang, packs, drawing", [("ja", ("policy",), False),
                                                  ("en", ("policy",), False),
                                                  ("ja", ("policy", "appi"), True)])
def test_no_printed_page_is_nearly_empty(tmp_path, lang, packs, drawing):
    reader = _print_variant(tmp_path, lang, packs, drawing)
    texts = [_content(_text(p)) for p in reader.pages]
    # every page but the last holds a real share of the report (a page's worth of a
    # table's last rows is fine, a heading and a note alone are not)
    short = [(i + 1, len(t), t[:80]) for i, t in enumerate(texts[:-1]) if len(t) < 150]
    assert short == [], short
    if not drawing:  # no map, no landscape page: the legend and the note follow the summary
        assert all(float(p.mediabox.width) < float(p.mediabox.height) for p in reader.pages)
        assert re.search(LEGEND[lang], texts[0])


#: Every ID in a table or a finding (a flow's F05, a rule's or a finding's TP203:F44:name,
#: a party's, an item's or a purpose's (mailing-house)) that the layout puts on more than
#: one line; and the right edge of the widest table against the page's width.
SPLIT_IDS = r"""(() => {
  const re = /\bTP\d+(?::[^\s,;()、]+)*|\b[A-Z]{1,2}\d+\b|\([a-z0-9][A-Za-z0-9_.:@-]*\)/g;
  const split = [];
  let checked = 0;
  for (const box of document.querySelectorAll('table, .finding')) {
    const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(re)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].filter(r => r.width > 0)
                              .map(r => Math.round(r.bottom)));
        checked++;
        if (lines.size > 1) split.push(m[0]);
      }
    }
  }
  const right = Math.max(...[...document.querySelectorAll('table')]
                         .map(t => t.getBoundingClientRect().right));
  return JSON.stringify({checked, split, right, width: document.documentElement.clientWidth});
})()"""


@pytest.mark.parametrize("lang, packs", [("ja", ("policy",)), ("en", ("policy",)),
                                         ("ja", ("policy", "appi")), ("en", ("policy", "appi"))])
def test_no_id_is_split_over_lines_when_printed(tmp_path, lang, packs):
    import json
    html = tmp_path / "report.html"
    rep = report_html.build(lineage.check(SAMPLE, packs=packs), lang=lang)
    html.write_text(report_html.render_html(rep), encoding="utf-8")
    # A4 portrait between the margins, as in the overflow test above
    page = open_page(html, media="print", width=703, height=1000,
                     evaluate={"ids": SPLIT_IDS})
    assert page.errors == []
    found = json.loads(page.values["ids"])
    assert found["checked"] > 400, found["checked"]
    assert found["split"] == [], sorted(set(found["split"]))[:10]
    if len(packs) == 1:  # (with a column per pack the flow table is printed landscape)
        assert found["right"] <= found["width"] + 1, (found["right"], found["width"])
