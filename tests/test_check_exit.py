"""``lineage check`` in its own process ends without the interpreter's teardown.

After a check has written its report, freeing the inventory object by object
takes about half a second per 100,000 flows for a process that is ending anyway,
so ``check`` (without ``--baseline``) leaves through :func:`lineage.cli._quick_exit`.
These check what must not change: every byte of the output, the exit code, what
exit handlers write, and a program that calls ``main`` with its own arguments.
"""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from lineage.cli import cli, main
from paths import ROOT, SAMPLE


def _run(*args, code=None):
    argv = [sys.executable, "-m", "lineage", *args] if code is None else \
        [sys.executable, "-c", code, *args]
    return subprocess.run(argv, cwd=ROOT, capture_output=True)


def test_the_report_on_standard_output_is_whole_and_the_exit_code_kept():
    expected = CliRunner().invoke(cli, ["check", str(SAMPLE), "--format", "json"])
    for fmt in ("json", "table", "csv"):
        proc = _run("check", str(SAMPLE), "--format", fmt)
        mine = CliRunner().invoke(cli, ["check", str(SAMPLE), "--format", fmt])
        assert proc.returncode == mine.exit_code == 1, fmt
        assert proc.stdout == mine.stdout_bytes and proc.stderr == b"", fmt
    assert expected.exit_code == 1
    assert _run("check", str(SAMPLE), "--exit-zero", "--format", "json").returncode == 0


def test_a_report_file_is_whole(tmp_path):
    out = tmp_path / "report.json"
    proc = _run("check", str(SAMPLE), "--format", "json", "-o", str(out))
    expected = CliRunner().invoke(cli, ["check", str(SAMPLE), "--format", "json"])
    assert proc.returncode == 1 and out.read_bytes() == expected.stdout_bytes
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temporary file left


def test_exit_handlers_still_run_and_bad_input_still_exits_2():
    code = ("import atexit, sys\n"
            "atexit.register(lambda: sys.stderr.write('handler ran\\n'))\n"
            "sys.argv = ['lineage', *sys.argv[1:]]\n"
            "from lineage.cli import main\n"
            "main()\n")
    proc = _run("check", str(SAMPLE), "--format", "json", code=code)
    assert proc.returncode == 1 and proc.stderr == b"handler ran\n"
    assert len(proc.stdout) > 1000
    bad = _run("check", "no-such-inventory")
    assert bad.returncode == 2 and b"no such file or folder" in bad.stderr


def test_a_program_passing_its_own_arguments_goes_on_after_main(tmp_path):
    out = tmp_path / "report.json"
    try:
        main(["check", str(SAMPLE), "--format", "json", "-o", str(out)])
    except SystemExit as exc:
        code = exc.code
    # still running here: only lineage's own process (no arguments given) leaves early
    assert code == 1 and out.read_bytes().startswith(b'{\n  "format": "lineage-report/1"')


def test_a_json_check_imports_neither_pandas_nor_the_other_writers(tmp_path):
    code = ("import sys\n"
            "from lineage.cli import main\n"
            "try:\n"
            f"    main(['check', {str(SAMPLE)!r}, '--format', 'json', '-o', {str(tmp_path / 'r.json')!r}])\n"
            "except SystemExit:\n"
            "    pass\n"
            "print(sorted(m for m in ('pandas', 'lineage.output.csvtable', 'lineage.output.table',\n"
            "                         'lineage.cli_errors_ja', 'lineage.cli_help_ja', 'html')\n"
            "             if m in sys.modules))\n")
    proc = _run(code=code)
    assert proc.stdout.decode().splitlines()[-1] == "[]", proc.stderr


def test_a_reader_that_stops_early_gets_no_error_and_the_exit_code_is_kept():
    # `lineage check ... | head`: the streamed report hits a closed pipe after its
    # first pieces; before streaming the sample fitted the pipe and left quietly
    import os
    for fmt in ("json", "table", "csv"):
        read, write = os.pipe()
        os.close(read)  # the reader has gone before the first byte
        proc = subprocess.run([sys.executable, "-m", "lineage", "check", str(SAMPLE),
                               "--format", fmt], cwd=ROOT, stdout=write,
                              stderr=subprocess.PIPE)
        os.close(write)
        assert (proc.returncode, proc.stderr) == (1, b""), fmt


def test_a_profiler_around_the_cli_still_writes_its_results(tmp_path):
    # cProfile (and trace, debuggers) write after the program returns: the
    # early exit skipped that and the profile never appeared
    out = tmp_path / "check.prof"
    proc = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(out), "-m", "lineage",
                           "check", str(SAMPLE), "--format", "json"], cwd=ROOT,
                          capture_output=True)
    expected = CliRunner().invoke(cli, ["check", str(SAMPLE), "--format", "json"])
    assert proc.stdout == expected.stdout_bytes
    assert out.is_file() and out.stat().st_size > 0, proc.stderr
