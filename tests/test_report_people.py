"""The report's "if a party leaks" table: about N people's data, per party and group."""

from __future__ import annotations

import re

import lineage
from lineage.model import load
from lineage.output import report_html, report_markdown
from lineage.output.view import build
from paths import SAMPLE


def test_the_parties_holding_most_peoples_data_come_first_with_exact_counts():
    rep = build(lineage.check(SAMPLE), lang="ja", drawing=False)
    assert [(p["party"], p["total"]) for p in rep.people] == [
        ("monocollabo-media", 564000), ("monocollabo", 563000), ("ad-network", 436000),
        ("analytics-vendor", 400000), ("dmp-partner", 400000)]
    # the organisation records its own 35,000 members; the media division has no figure of
    # its own, so it takes the largest one recorded for the group (members' own 36,000)
    assert ("会員 (members)", 35000) in rep.people[1]["groups"]
    assert ("会員 (members)", 36000) in rep.people[0]["groups"]
    # ...an upper bound, said so (the trial of round 15 read such figures as exact)
    assert rep.people[0]["about"] == "最大 約564,000人分"


def test_the_html_and_markdown_reports_show_the_table_in_both_languages():
    audit = lineage.check(SAMPLE)
    page = report_html.render_html(report_html.build(audit, lang="ja", drawing=False))
    row = re.search(r'<tr id="people-ad-network">(.*?)</tr>', page).group(1)
    assert '<span class="nw">(ad-network)</span>' in row  # one line when printed
    row = re.sub(r'<span class="nw">(.*?)</span>', r"\1", row)
    assert "株式会社アドネクスト（広告配信事業者） (ad-network)" in row
    assert "最大 約436,000人分" in row and "会員 (members): 36,000" in row
    assert "漏えいした場合に影響を受ける人数" in page
    text = report_markdown.render(build(audit, lang="en", drawing=False))
    assert "### If a party leaks: people's data concerned" in text
    assert ("| AccessLens (web analytics) (analytics-vendor) | up to 400,000 people | "
            "Readers and site visitors (readers): 400,000 |") in text


def test_no_table_when_no_party_records_a_volume():
    inv = load(SAMPLE)
    bare = inv.model_copy(update={"parties": [p.model_copy(update={"volume": None})
                                              for p in inv.parties]})
    audit = lineage.check(bare)
    rep = build(audit, drawing=False)
    assert rep.people == []
    assert "If a party leaks" not in report_markdown.render(rep)
    assert 'id="people"' not in report_html.render_html(rep)


def test_a_planned_flow_brings_its_recipient_no_one_yet():
    # the trial of round 12: a recipient whose flow starts after the audit date topped the
    # table with 430,000 people
    inv = load(SAMPLE)
    members = next(p for p in inv.parties if p.id == "members")
    planned = next(f for f in inv.flows if f.frm == "monocollabo").model_copy(update={
        "id": "F99", "to": "dmp-partner", "items": ["email"], "start": inv.as_of.replace(
            year=inv.as_of.year + 1), "end": None, "basis": None, "consents": []})
    late = inv.model_copy(update={"flows": [*inv.flows, planned]})
    assert members.volume == 36000
    now = {p["party"]: p["total"] for p in build(lineage.check(late), drawing=False).people}
    assert now == {p["party"]: p["total"]
                   for p in build(lineage.check(SAMPLE), drawing=False).people}
    # a year on, the flow runs: its recipient holds the organisation's groups too
    later = build(lineage.check(late, as_of=planned.start), drawing=False).people
    assert {p["party"]: p["total"] for p in later}["dmp-partner"] > now["dmp-partner"]
