"""Progress: the library reports through a callback; the CLI draws only on a terminal."""

from __future__ import annotations

import io
import subprocess
import sys

from click.testing import CliRunner

import lineage
from lineage.cli import ProgressDisplay, cli, wants_progress
from lineage.progress import reporting

from paths import ROOT, SAMPLE


def test_check_reports_flows_checked_and_records_read(tmp_path):
    from lineage.forms import write_inventory
    folder = tmp_path / "csv"
    write_inventory(lineage.load(SAMPLE), folder, form="csv-folder")
    seen = []
    with reporting(lambda stage, done, total: seen.append((stage, done, total))):
        lineage.check(folder)
    flows = [(done, total) for stage, done, total in seen if stage == "flows checked"]
    assert flows[0] == (0, 48) and flows[-1] == (48, 48)
    read = [done for stage, done, _ in seen if stage == "records read"]
    assert read == sorted(read) and read[-1] > 48
    validated = [(done, total) for stage, done, total in seen if stage == "records validated"]
    assert validated[-1][0] == validated[-1][1] == read[-1]


def test_without_a_listener_nothing_is_reported():
    # no callback installed: the check runs and nothing is drawn anywhere
    assert lineage.check(SAMPLE).summary()["flows"] == 48


def test_a_pipe_gets_no_progress():
    proc = subprocess.run([sys.executable, "-m", "lineage", "check", str(SAMPLE),
                           "--format", "json"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode in (0, 1)
    assert proc.stderr == ""


def test_quiet_and_ci_turn_progress_off(monkeypatch):
    monkeypatch.setattr(sys, "stderr", _Tty())
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("LINEAGE_QUIET", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert wants_progress() is True
    assert wants_progress(quiet=True) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert wants_progress() is False  # the bar would hide the cursor with an escape
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("CI", "true")
    assert wants_progress() is False


def test_quiet_is_an_option_of_every_command():
    result = CliRunner().invoke(cli, ["--quiet", "validate", str(SAMPLE)])
    assert result.exit_code == 0, result.output


def test_the_display_waits_then_shows_stage_count_and_total():
    err = _Tty()
    show = ProgressDisplay(err, delay=3600)
    show("flows checked", 10, 100)
    assert err.getvalue() == ""  # quick work shows nothing
    show = ProgressDisplay(err, delay=0)
    show("records read", 500, None)
    show("flows checked", 50, 100)
    show("flows checked", 100, 100)
    show.close()
    text = err.getvalue()
    assert "records read" in text and "flows checked" in text and "100/100" in text


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_draw_reports_each_layout_it_runs():
    import shutil

    import pytest
    if shutil.which("dot") is None:
        pytest.skip("Graphviz is not installed")
    seen = []
    with reporting(lambda stage, done, total: seen.append((stage, done, total))):
        lineage.draw(SAMPLE).render("svg")
    layouts = [(stage, done, total) for stage, done, total in seen if "laying out" in stage]
    assert layouts and layouts[0][1] == 0 and "with dot" in layouts[0][0]
