"""Progress: the library reports through a callback; the CLI draws only on a terminal."""

from __future__ import annotations

import io
import os
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


def test_the_cli_process_freezes_start_up_and_collects_rarely():
    code = ("import gc, sys\nfrom lineage.cli import main, GC_THRESHOLD\n"
            "sys.argv = ['lineage', '--version']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(gc.get_threshold() == GC_THRESHOLD, gc.get_freeze_count() > 0)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True).stdout
    assert out.splitlines()[-1] == "True True"


def test_a_program_calling_main_keeps_its_collector():
    import gc
    before = gc.get_threshold()
    try:
        from lineage.cli import main
        main(["--version"])
    except SystemExit:
        pass
    assert gc.get_threshold() == before


_SEES_COLLECTOR = (
    "import gc, sys\nimport lineage.audit as audit\nfrom lineage.cli import main\n"
    "real = audit.check\nseen = []\n"
    "def check(*a, **k):\n    seen.append(gc.isenabled())\n    return real(*a, **k)\n"
    "audit.check = check\n"
    "sys.argv = ['lineage', 'check', 'inventories/monocollabo', '--format', 'json',"
    " '-o', sys.argv[1]]\n"
    "try:\n    main({argv})\nexcept SystemExit:\n    pass\n"
    "print(seen, gc.isenabled(), gc.get_freeze_count() > 0)\n")


def test_the_cli_process_checks_with_the_collector_paused(tmp_path):
    # main() may end the process early, so the verdict is read at exit; on a buffered
    # pipe, as a CI runner has it (what an exit handler prints must still come out)
    code = _SEES_COLLECTOR.format(argv="").replace(
        "try:", "import atexit\natexit.register(lambda: print(seen, gc.isenabled()))\ntry:")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "r.json")], cwd=ROOT,
                         capture_output=True, text=True, env=env).stdout
    assert out.splitlines()[-1] == "[False] True"


def test_a_program_calling_check_keeps_its_collector_running(tmp_path):
    code = _SEES_COLLECTOR.format(argv="sys.argv[1:]")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "r.json")], cwd=ROOT,
                         capture_output=True, text=True).stdout
    assert out.splitlines()[-1].startswith("[True] True")
