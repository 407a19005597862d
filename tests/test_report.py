"""The audit report: content, escaping, Markdown, and the command."""

from __future__ import annotations

import re

import lineage
from lineage.output import report_html
from lineage.snapshots import Store
from paths import SAMPLE
from report_helpers import IMG, SCRIPT, hostile_inventory
from snapshot_helpers import EPOCH, change_inventory, copy_sample


def _markup(page: str) -> tuple[set[str], list[str]]:
    """The element names of a page and any event-handler attributes, as a browser parses it."""
    from html.parser import HTMLParser
    tags: set[str] = set()
    handlers: list[str] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.add(tag)
            handlers.extend(name for name, _ in attrs if name.startswith("on"))

    Collect().feed(page)
    return tags, handlers


def test_html_has_every_section_and_no_script_or_outside_reference():
    page = report_html.render_html(report_html.build(lineage.check(SAMPLE)))
    for anchor in ("summary", "drawing", "findings", "flows", "waivers"):
        assert f'id="{anchor}"' in page
    assert "<script" not in page.lower()
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    # nothing that could fetch: no http(s) URL outside XML namespace declarations
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", page))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}, urls
    assert page.count("<svg") == 1  # the drawing; no store, no trend
    assert 'id="flow-F38"' in page and 'href="#finding-TP101:F38"' in page
    # findings grouped by kind, each with the clause's Japanese text and English gloss
    kinds = re.findall(r'<h3 id="kind-([a-z-]+)">', page)
    assert kinds == ["no-consent", "no-exemption", "unannounced-items", "unannounced",
                     "re-provision"]
    tp222 = page[page.index('id="finding-TP222:F30:phone"'):]
    tp222 = tp222[:tp222.index("</div>")]
    assert "個人情報を特定の者との間で共同して利用する場合" in tp222
    assert "English gloss: Joint use, when the fact" in tp222
    assert "個人情報保護管理者 佐藤 花子" in page  # the waiver


def test_everything_from_the_inventory_is_escaped(tmp_path):
    inv = hostile_inventory(tmp_path)
    for lang in ("en", "ja"):
        page = report_html.render_html(report_html.build(lineage.check(inv), lang=lang))
        assert SCRIPT not in page and IMG not in page
        tags, handlers = _markup(page)
        assert "script" not in tags and "img" not in tags and handlers == []
        assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page
    md = report_html.render_markdown(report_html.build(lineage.check(inv), drawing=False))
    assert SCRIPT not in md and "\\<script\\>" in md


def test_with_a_store_trend_chart_and_changes_since_the_previous_snapshot(tmp_path, run_cli):
    inv = copy_sample(tmp_path)
    store = tmp_path / "a.db"
    run_cli("snapshot", "create", inv, "--store", store, "--label", "2026-Q3", env=EPOCH)
    change_inventory(inv)
    with Store(store) as opened:
        rep = report_html.build(lineage.check(inv), store=opened, drawing=False)
    assert [h["name"] for h in rep.history] == ["2026-Q3", "now"]
    assert [f["id"] for f in rep.diff.new] == ["TP101:F34", "TP103:F49:health",
                                               "TP103:F49:recipient", "TP104:F49:C01"]
    page = report_html.render_html(rep)
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="trend"') == 1
    assert "new recipient of sensitive data: clinic-us receives health (flows F49)" in page
    # once the audit is stored, the report compares it with the one before
    run_cli("snapshot", "create", inv, "--store", store, "--label", "2026-Q4", env=EPOCH)
    with Store(store) as opened:
        rep = report_html.build(lineage.check(inv), store=opened, drawing=False)
    assert [h["name"] for h in rep.history] == ["2026-Q3", "2026-Q4"]
    assert rep.diff.a.label == "2026-Q3" and rep.diff.b.label == "2026-Q4"
    md = report_html.render_markdown(rep)
    assert "| 2026-Q4 | 2026-11-01 | 13 | 0 | 1 | 49 |" in md
    assert "### Findings\n\n4 new, 0 resolved, 10 still open" in md


def test_first_snapshot_has_nothing_to_compare(tmp_path):
    store = tmp_path / "a.db"
    lineage.snapshot(SAMPLE, store=store)
    with Store(store) as opened:
        rep = report_html.build(lineage.check(SAMPLE), store=opened, drawing=False)
    assert rep.diff is None
    assert "This is the first audit in the store" in report_html.render_html(rep)


def test_report_command_html_markdown_and_japanese(tmp_path, run_cli):
    out = tmp_path / "report.html"
    res = run_cli("report", SAMPLE, "-o", out)
    assert res.stderr == f"report written to {out}\n" and res.stdout == ""
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"en\">")
    assert "<title>Personal-data audit: Monocollabo</title>" in page
    md = tmp_path / "report.md"
    run_cli("report", SAMPLE, "-o", md, "--lang", "ja", "--no-drawing")
    text = md.read_text(encoding="utf-8")
    assert text.startswith("# 個人データ監査報告書: モノコラボ\n")
    assert "## 種類別の指摘" in text and "方針" not in text.splitlines()[0]
    res = run_cli("report", SAMPLE, "--format", "markdown", "--no-drawing")
    assert res.stdout.startswith("# Personal-data audit: Monocollabo\n")
    assert run_cli("report", SAMPLE, "--store", tmp_path / "none.db", expect=2).stderr == \
        f"error: {tmp_path}/none.db: no snapshot store here\n"


def test_report_is_deterministic(tmp_path):
    a = report_html.render_html(report_html.build(lineage.check(SAMPLE)))
    b = report_html.render_html(report_html.build(lineage.check(SAMPLE)))
    assert a == b


def test_report_uses_the_inventorys_own_store_by_default(tmp_path, run_cli):
    import shutil
    from paths import SAMPLE
    inv = tmp_path / "inv"
    shutil.copytree(SAMPLE, inv, ignore=shutil.ignore_patterns(".lineage"))
    run_cli("snapshot", "create", inv, "--label", "Q1")
    with_store = run_cli("report", inv, "--format", "markdown", "--no-drawing").stdout
    (inv / ".lineage" / "audits.db").unlink()
    without = run_cli("report", inv, "--format", "markdown", "--no-drawing").stdout
    assert "Q1" in with_store and "Q1" not in without
