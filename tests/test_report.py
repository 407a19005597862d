"""The audit report: content, escaping, Markdown, and the command."""

from __future__ import annotations

import re

import lineage
from lineage.output import report_html
from lineage.rules.registry import REGISTRY
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
    # findings grouped by kind, each citing its rule, clause and the spec's restatement,
    # and quoting the sample's own policy (inventories/monocollabo/policy.yaml)
    kinds = re.findall(r'<h3 id="kind-([a-z-]+)">', page)
    assert kinds == ["no-consent", "no-exemption", "unannounced-items", "unannounced",
                     "re-provision"]
    tp222 = page[page.index('id="finding-TP222:F30:phone"'):]
    tp222 = tp222[:tp222.index("</div>")]
    assert "Clause 5[2]3" in tp222
    assert "A joint-use flow carries an item the notice does not list" in tp222
    assert '<span class="label">方針5 [2] 第3号</span>個人情報を特定の者との間で共同して' in tp222
    assert "English gloss" not in page
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


def _visible_text(page: str) -> str:
    """The text a reader sees: no style, no attribute values, no appendix (the
    organisation's own policy text, quoted as it is), no free text from the inventory
    (a waiver's reason is in the words its approver wrote)."""
    from html.parser import HTMLParser
    page = re.sub(r'<section class="appendix".*?</section>', "", page, flags=re.S)
    page = re.sub(r'<td class="free">.*?</td>', "", page, flags=re.S)
    out: list[str] = []

    class Text(HTMLParser):
        skip = 0

        def handle_starttag(self, tag, attrs):
            self.skip += tag in ("style", "title")

        def handle_endtag(self, tag):
            self.skip -= tag in ("style", "title")

        def handle_data(self, data):
            if not self.skip:
                out.append(data)

    Text().feed(page)
    return " ".join(out)


def test_japanese_report_has_no_english_words_beyond_ids():
    """Headings, labels, statuses, routes and bases are Japanese; what stays in Latin
    letters is an identifier (flow, party, item, purpose, rule, finding, notice IDs)."""
    audit = lineage.check(SAMPLE)
    inv = audit.inventory
    ids = {r.id for name in ("parties", "data_items", "purposes", "flows", "consents",
                             "notices", "contracts", "events", "stop_requests")
           for r in (getattr(inv, name) or [])}
    ids |= {f.rule for f in audit.results} | {inv.organisation} | {p.country for p in inv.parties}
    ids |= set(REGISTRY.rules)  # a verdict's evidence lists the lacks by finding ID (TP223:F38)
    # words the inventory itself writes in its names (a company called "DMP ...")
    ids |= {w for name in ("parties", "data_items", "purposes") for r in getattr(inv, name) or []
            for w in re.findall(r"[A-Za-z][A-Za-z0-9_.@/:-]*", r.name or "")}
    allowed = {"lineage", "sha256", "URL", "ID", "IP", "Cookie", "cookie_id"}
    from lineage.model.tables import SHEETS, columns
    allowed |= {c.name for sheet in SHEETS for c in columns(sheet)}  # field names
    page = report_html.render_html(report_html.build(audit, lang="ja"))
    words = set()
    for token in re.findall(r"[A-Za-z][A-Za-z0-9_.@/:-]*", _visible_text(page)):
        parts = set(re.split(r"[:@]", token)) - {""}
        if token in ids or token in allowed or parts <= ids | allowed | {"2025-04-01"}:
            continue
        if re.fullmatch(r"[A-Z]{1,3}\d+[a-z]?", token):  # IDs such as F30, TP222, C05
            continue
        if re.fullmatch(r"sha256:[0-9a-f]{64}", token):  # the inventory's hash
            continue
        words.add(token)
    assert words == set(), sorted(words)


def test_counts_agree_between_summary_tables_and_markdown():
    """One source for every number: the cards, the per-status table, the flow table's rows
    and the Markdown summary all say what Audit.summary says."""
    audit = lineage.check(SAMPLE)
    summary = audit.summary()["status"]
    for lang in ("en", "ja"):
        rep = report_html.build(audit, lang=lang, drawing=False)
        page = report_html.render_html(rep)
        flows = page[page.index('<table class="flows">'):]
        flows = flows[:flows.index("</table>")]
        counts = page[page.index('<table class="counts">'):]
        counts = counts[:counts.index("</table>")]
        for status, n in summary.items():
            card = re.search(rf'id="count-{status}"><b>(\d+)</b>', page)
            assert int(card.group(1)) == n, (lang, status)
            assert len(re.findall(rf'<tr class="{status}[ "]', flows)) == n, (lang, status)
            row = re.search(rf'<tr class="{status}"><td>[^<]*</td><td class="num">(\d+)</td>',
                            counts)
            assert int(row.group(1)) == n, (lang, status)
        md = report_html.render_markdown(rep).splitlines()
        table = md.index(next(line for line in md if line.startswith("## "))) + 1
        flows = audit.summary()["flows"]
        numbers = next(line for line in md[table:] if line.startswith(f"| {flows} "))
        assert numbers == f"| {flows} | " + " | ".join(str(summary[s]) for s in
                                                  ("ok", "warning", "violation", "waived")) + " |"


def test_names_beside_ids_in_both_formats():
    rep = report_html.build(lineage.check(SAMPLE), lang="ja", drawing=False)
    page, md = report_html.render_html(rep), report_html.render_markdown(rep)
    # the HTML keeps each ID on one line in print: (carrier) is in a <span class="nw">
    assert '株式会社ハヤテ運輸（配送業者） <span class="nw">(carrier)</span>' in page
    page = re.sub(r'<span class="nw">(.*?)</span>', r"\1", page)
    for text in (page, md):
        assert "株式会社ハヤテ運輸（配送業者） (carrier)" in text
        assert "電話番号 (phone)" in text


def test_chart_words_are_the_reports_words():
    from lineage.output.svgsafe import CHART_WORDS
    for lang, words in CHART_WORDS.items():
        assert {k: report_html.LABELS[lang][k] for k in words} == words


def test_policy_ok_but_act_violation_is_marked_everywhere():
    """With --rules policy,appi a flow that satisfies the policy but breaks the Act gets its
    own mark and legend entry, every report shows the status under each pack, and the
    counts agree with Audit.summary."""
    import io
    import json
    import openpyxl
    from markupsafe import Markup
    from lineage.output import sarif, xlsx
    from lineage.rules.examples import build_example
    from lineage.rules.registry import REGISTRY
    audit = lineage.check(build_example(REGISTRY.get("AP231").fail.inventory),
                          packs=("policy", "appi"))
    summary = audit.summary()
    assert summary["policy_ok_law_violation"] == 1
    for lang, legend, pack in (("en", "flow that satisfies the organisation's policy but "
                                      "breaks the Act (policy ok, Act violation)", "the Act (APPI)"),
                               ("ja", "自社の方針には適合するが個人情報保護法に違反するフロー",
                                "個人情報保護法")):
        rep = report_html.build(audit, lang=lang, drawing=False)
        page = report_html.render_html(rep)
        assert re.search(r'id="count-law-only"><b>1</b>', page)
        shown = str(Markup.escape(legend))  # as the autoescaping template writes it
        assert f'<li id="legend-law-only"><span class="swatch law-only"></span>' \
               f'<span class="mark-law">§</span> {shown}</li>' in page
        at = page.index('id="flow-F1"')
        row = page[page.rindex("<tr", 0, at):page.index("</tr>", at)]
        assert 'class="violation law-only"' in row and "§" in row
        assert f'<th class="pack">{pack}</th>' in page
        by_pack = page[page.index('<table class="by-pack">'):]
        assert by_pack.count("<tr><td>") == 2
        md = report_html.render_markdown(rep)
        assert "| F1 § |" in md and f"§ {legend}" in md
    wb = openpyxl.load_workbook(io.BytesIO(xlsx.render(audit, "ja")))
    head = [c.value for c in wb["データの流れ"][1]]
    assert head[head.index("状態") + 1:head.index("状態") + 3] == ["状態 (方針)",
                                                                   "状態 (個人情報保護法)"]
    log = json.loads(sarif.render(audit))
    [result] = log["runs"][0]["results"]
    assert result["properties"]["status_by_pack"] == {"policy": "ok", "appi": "violation"}


def test_a_stores_control_characters_reach_no_report_raw():
    # the hostile review of round 15: a store re-hashed so that verify passed put ESC,
    # BEL and U+202E from its findings into the Markdown and HTML reports
    import dataclasses

    from lineage.output import report_markdown
    from lineage.output.view import build
    from lineage.snapshots.compare import Diff
    from lineage.snapshots.record import Snapshot
    audit = lineage.check(SAMPLE)
    now = Snapshot.from_audit(audit)
    odd = tuple((f"{r[0]}\x1b[2J\x07\u202e", *r[1:]) for r in now.findings)
    rep = build(audit, drawing=False)
    rep.diff = Diff(dataclasses.replace(now, findings=odd), now)
    rep.history = [{"name": "Q1", "as_of": now.as_of, "summary": now.summary}]
    for text in (report_markdown.render(rep), report_html.render_html(rep)):
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
        assert "\\x1b" in text and "\\u202e" in text  # shown escaped
