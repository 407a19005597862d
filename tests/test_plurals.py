"""Counts in English messages agree with their number ("1 flow", "2 flows"); Japanese has
no plural and says "1 フロー"."""

from __future__ import annotations

import re

import pytest

ONE_FLOW = """\
format: lineage/1
organisation: acme
as_of: 2026-11-01
data_items:
  - {id: name, name: 氏名}
purposes:
  - {id: ads, name: 広告, announced_on: 2024-01-01}
parties:
  - {id: acme, name: Acme, role: self}
  - {id: broker, name: Broker, role: third_party}
flows:
  - {id: F1, from: acme, to: broker, items: [name], purposes: [ads], start: 2024-04-01}
"""


@pytest.fixture
def one(tmp_path):
    path = tmp_path / "one.yaml"
    path.write_text(ONE_FLOW, encoding="utf-8")
    return path


def test_counted():
    from lineage.terms import counted
    assert [counted(n, "flow") for n in (0, 1, 2)] == ["0 flows", "1 flow", "2 flows"]
    assert counted(1, "party", "parties") == "1 party"
    assert counted(3, "party", "parties") == "3 parties"


def test_validate_says_one_flow(one, run_cli):
    assert run_cli("validate", one).stdout == f"{one}: valid (2 parties, 1 flow)\n"


def test_check_summary_says_one_flow(one, run_cli):
    lines = run_cli("check", one, expect=1).stdout.splitlines()
    assert lines[-2:] == ["1 flow: 0 ok, 0 warning, 1 violation, 0 waived", "findings: TP101 ×1"]
    lines = run_cli("check", one, "--rules", "policy,appi", expect=1).stdout.splitlines()
    assert lines[-3:] == ["by pack policy: 1 flow: 0 ok, 0 warning, 1 violation, 0 waived",
                          "by pack appi: 1 flow: 1 ok, 0 warning, 0 violation, 0 waived",
                          "satisfy the policy but not the Act: 0 flows"]
    ja = run_cli("check", one, "--lang", "ja", expect=1).stdout.splitlines()
    assert ja[-2] == "フロー 1 件: 適合 0 件、警告 0 件、違反 1 件、承認済み 0 件"


def test_snapshot_messages_say_one_flow(one, tmp_path, run_cli):
    store = tmp_path / "s.db"
    out = run_cli("snapshot", "create", one, "--store", store,
                  env={"SOURCE_DATE_EPOCH": "1790000000"}).stdout
    assert out.splitlines()[0] == f"snapshot #1 stored in {store}: 1 flow, findings: 1 error, 0 warning, 0 waived"
    show = run_cli("snapshot", "show", "latest", "--store", store).stdout.splitlines()
    assert "1 flow: 0 ok, 0 warning, 1 violation, 0 waived" in show


def test_drawing_titles_say_one_flow(one, tmp_path, run_cli):
    dot = tmp_path / "m.dot"
    run_cli("draw", one, "-o", dot)
    assert "as of 2026-11-01 (1 flow, 1 violating)" in dot.read_text(encoding="utf-8")
    run_cli("draw", one, "-o", dot, "--trace", "name")
    assert "(1 flow, 1 on shortest routes)" in dot.read_text(encoding="utf-8")
    two = tmp_path / "two.yaml"
    two.write_text(ONE_FLOW.replace("flows:\n", "flows:\n  - {id: F0, from: users, to: acme, "
                                    "items: [name], purposes: [ads], start: 2024-04-01}\n")
                   .replace("role: third_party}", "role: third_party}\n"
                            "  - {id: users, name: Users, role: data_subject}"),
                   encoding="utf-8")
    run_cli("draw", two, "-o", dot, "--impact", "acme")
    assert "(1 flow to 1 party)" in dot.read_text(encoding="utf-8")
    run_cli("draw", one, "-o", dot, "--impact", "broker")
    assert "(0 flows to 0 parties)" in dot.read_text(encoding="utf-8")


def test_notebook_summary_says_one_flow(one):
    import lineage
    html = lineage.check(one)._repr_html_()
    assert "as of 2026-11-01: 1 flow<table>" in html


def test_no_number_one_before_a_plural_in_the_explorer_script():
    """The explorer counts through one helper that knows the singular."""
    from lineage.explorer.page import _static
    js = _static("explorer.js")
    assert re.findall(r'\+ " " \+ t\("(?:flows|parties|results)"\)', js) == []
    assert 'flows1: "flow", parties1: "party", results1: "result"' in js


def test_explorer_page_says_one_flow(one, tmp_path, run_cli):
    from explore_helpers import Opened, browser
    page = tmp_path / "explorer.html"
    run_cli("explore", one, "-o", page)
    with browser() as b:
        opened = Opened(b, page)
        try:
            assert opened.js("document.querySelector('[data-role=crumb]').textContent") \
                == "Overview · 1 flow"
            opened.run("window.lineageExplorer.search('Acme')")
            assert opened.js("document.querySelector('[data-role=search-total]').textContent") \
                == "1 result"
            opened.run("window.lineageExplorer.setLang('ja')")
            assert opened.js("document.querySelector('[data-role=crumb]').textContent") \
                == "概要 · 1 件のフロー"
        finally:
            opened.close()
