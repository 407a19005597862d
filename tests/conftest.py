"""Shared fixtures: the CLI runner helper and golden files."""

from __future__ import annotations

import traceback
import pytest
from click.testing import CliRunner

from lineage.cli import cli
from paths import GOLDEN, ROOT, SAMPLE  # noqa: F401  (re-exported for tests)


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite golden files from the current output")


class Result:
    """What a CLI run printed and returned."""

    def __init__(self, code: int, stdout: str, stderr: str):
        self.code, self.stdout, self.stderr = code, stdout, stderr


@pytest.fixture
def run_cli():
    """Run ``lineage ARGS``; fail on an unexpected exception (never a traceback)."""
    def run(*args, expect: int | None = 0, env=None) -> Result:
        runner = CliRunner()
        res = runner.invoke(cli, [str(a) for a in args], env=env, catch_exceptions=True)
        if res.exception is not None and not isinstance(res.exception, SystemExit):
            raise AssertionError("unexpected exception:\n" + "".join(
                traceback.format_exception(res.exception)))
        if expect is not None:
            assert res.exit_code == expect, (res.exit_code, res.stdout, res.stderr)
        return Result(res.exit_code, res.stdout, res.stderr)
    return run


@pytest.fixture
def golden(request):
    """Compare text with ``tests/golden/NAME`` (``--update-golden`` rewrites it)."""
    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if request.config.getoption("--update-golden"):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        assert path.exists(), f"golden file {path} missing; run pytest --update-golden"
        assert text == path.read_text(encoding="utf-8"), f"{name} differs from golden file"
    return check


@pytest.fixture(autouse=True)
def _english_unless_asked(monkeypatch):
    """``--lang`` defaults from the locale; tests state the language they check."""
    monkeypatch.setenv("LINEAGE_LANG", "en")
