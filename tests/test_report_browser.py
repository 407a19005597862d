"""The HTML report in headless Chromium: loads cleanly, fetches nothing, shows its
pictures, and never runs markup from the inventory."""

from __future__ import annotations

import pytest

from browser import distinct_colours, open_page
from report_helpers import hostile_inventory
from snapshot_helpers import EPOCH, change_inventory, copy_sample


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory):
    """A report with a store (so a trend chart) of an inventory whose names hold markup."""
    from click.testing import CliRunner
    from lineage.cli import cli
    folder = tmp_path_factory.mktemp("report")
    inv = hostile_inventory(folder)
    store = folder / "a.db"
    runner = CliRunner()
    for label in ("2026-Q3", "<script>window.__pwned = 3</script>"):
        res = runner.invoke(cli, ["snapshot", "create", str(inv), "--store", str(store),
                                  "--label", label], env=EPOCH)
        assert res.exit_code == 0, res.output
        change_inventory(inv) if label == "2026-Q3" else None
    html = folder / "report.html"
    res = runner.invoke(cli, ["report", str(inv), "--store", str(store), "-o", str(html)])
    assert res.exit_code == 0, res.output
    return html


PROBES = {
    "pwned": "window.__pwned === undefined ? 'no' : String(window.__pwned)",
    "scripts": "document.scripts.length",
    "svgs": "document.querySelectorAll('svg').length",
    "text": "document.body.innerText.includes('<script>window.__pwned = 1</script>')",
    "label": "document.body.innerText.includes('<script>window.__pwned = 3</script>')",
    "drawing_edges": "document.querySelectorAll('.drawing svg g.edge').length",
}


def test_report_loads_without_errors_or_requests_and_shows_its_pictures(hostile_report):
    page = open_page(hostile_report, evaluate=PROBES,
                     shots={"drawing": ".drawing svg", "trend": "svg.trend"})
    assert page.errors == []
    assert page.requests == [hostile_report.resolve().as_uri()]  # the file itself, nothing else
    assert page.values["pwned"] == "no"
    assert page.values["scripts"] == 0
    assert page.values["text"] is True and page.values["label"] is True
    assert page.values["svgs"] == 2
    assert page.values["drawing_edges"] >= 44
    for name in ("drawing", "trend"):
        x, y, width, height = page.boxes[name]
        assert width > 200 and height > 100, (name, page.boxes[name])
        # not blank: a picture has many colours (text, edges, bars), a blank one has one
        assert distinct_colours(page.shots[name]) > 10, name


def test_plain_sample_report_in_japanese(tmp_path):
    from click.testing import CliRunner
    from lineage.cli import cli
    inv = copy_sample(tmp_path)
    html = tmp_path / "report.html"
    res = CliRunner().invoke(cli, ["report", str(inv), "--lang", "ja", "-o", str(html)])
    assert res.exit_code == 0, res.output
    page = open_page(html, evaluate={"title": "document.title"},
                     shots={"drawing": ".drawing svg"})
    assert page.errors == [] and len(page.requests) == 1
    assert page.values["title"] == "個人データ監査報告書: モノコラボ"
    assert distinct_colours(page.shots["drawing"]) > 10
