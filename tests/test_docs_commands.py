"""Every ``lineage ...`` command the README and docs/*.md show is one lineage accepts.

Two checks: every command line or inline span names only options its command has and no
more positional arguments than it takes (synopses with placeholders included), and every
concrete command line of a code block runs against a copy of the sample inventory without
a usage error or an input error (exit 0 or 1, never 2, never a traceback).
"""

from __future__ import annotations

import re
import shlex
import shutil
import traceback
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from paths import ROOT, SAMPLE

from lineage.cli import cli

DOC_FILES = [ROOT / "README.md", ROOT / "inventories" / "monocollabo" / "README.md",
             *sorted((ROOT / "docs").glob("*.md"))]

# Command lines shown on purpose with input that does not exist (the example of an error).
ILLUSTRATIONS = {"lineage check inv.yaml"}


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _fenced_lines(text: str):
    """(line, language) of every line inside a fenced code block."""
    for m in re.finditer(r"^```(\w*)\n(.*?)^```", text, re.S | re.M):
        for line in m.group(2).splitlines():
            yield line, m.group(1)


def _command_text(line: str) -> str | None:
    """The ``lineage ...`` command of a code line (prompt, comment and redirection cut)."""
    line = line.strip()
    if line.startswith("$ "):
        line = line[2:]
    if not re.match(r"lineage (-|[a-z]+\b)", line):
        return None
    line = re.split(r"\s+#|\s*[|>]\s", line, maxsplit=1)[0].strip()
    return line


def _spans(text: str):
    for m in re.finditer(r"`(lineage [^`\n]+)`", text):
        yield m.group(1)


def all_commands():
    seen = []
    for path in DOC_FILES:
        text = path.read_text(encoding="utf-8")
        found = [c for c in (_command_text(line) for line, _ in _fenced_lines(text)) if c]
        found += [_command_text(s) or s for s in _spans(text)]
        for command in found:
            if (_rel(path), command) not in seen:
                seen.append((_rel(path), command))
    return seen


def _resolve(words: list[str]):
    """The click command the words name and the words left for it."""
    command: click.Command = cli
    while isinstance(command, click.Group) and words and not words[0].startswith("-"):
        name = words[0]
        sub = command.get_command(None, name)
        if sub is None:
            # `snapshot create|list|...` or `create/diff`: alternatives of a group
            names = re.split(r"\\?\||/", name)
            assert all(command.get_command(None, n) for n in names), name
            return None, []
        command, words = sub, words[1:]
    return command, words


def _syntax_problems(command_text: str) -> list[str]:
    words = [w.strip("[]") for w in command_text.split()[1:]]
    words = [w for w in words if w not in ("", "...", "…", "or")]
    command, words = _resolve(words)
    if command is None:
        return []
    options = {}
    for p in command.params:
        if isinstance(p, click.Option):
            for o in (*p.opts, *p.secondary_opts):
                options[o] = p
    if isinstance(command, click.Group):
        options.update({"--help": None, "-h": None})
    n_args = sum(isinstance(p, click.Argument) for p in command.params)
    problems, positional, i = [], [], 0
    while i < len(words):
        word = words[i]
        if word.startswith("-"):
            name = word.split("=", 1)[0]
            if name not in options:
                problems.append(f"{command.name} has no option {name}")
            else:
                p = options[name]
                takes_value = p is not None and not p.is_flag and "=" not in word
                if takes_value and i + 1 < len(words) and not words[i + 1].startswith("-"):
                    i += 1
        else:
            positional.append(word)
        i += 1
    if len(positional) > n_args:
        problems.append(f"{command.name} takes {n_args} argument(s), shown {positional}")
    return problems


@pytest.mark.parametrize("doc, command", all_commands())
def test_documented_command_syntax(doc, command):
    assert _syntax_problems(command) == [], (doc, command)


def test_the_syntax_check_finds_wrong_syntax():
    assert _syntax_problems("lineage trace INV ITEM") == [
        "trace takes 1 argument(s), shown ['INV', 'ITEM']"]
    assert _syntax_problems("lineage export INV -x") == ["export has no option -x"]
    assert _syntax_problems("lineage trace INV --item ITEM [--from PARTY] [--depth N]") == []


_PLACEHOLDER = re.compile(r"^[A-Z][A-Z_.]*[A-Z](\[.*\])?$|^\[|…|\.\.\.")


def runnable_lines(path: Path) -> list[str]:
    """The concrete command lines of a document's code blocks, in order, with the
    shell variable assignments they use (``S=...``)."""
    lines = []
    for line, _lang in _fenced_lines(path.read_text(encoding="utf-8")):
        stripped = line.strip()
        if re.match(r"^[A-Z]\w*=\S+", stripped):
            lines.append(stripped.split("#", 1)[0].strip())
            continue
        command = _command_text(line)
        if command is None or command in ILLUSTRATIONS:
            continue
        if any(_PLACEHOLDER.search(w) for w in command.split()[1:]):
            continue
        redirect = re.search(r"\s>\s*(\S+)", line.split("#", 1)[0])
        lines.append(command + (f" > {redirect.group(1)}" if redirect else ""))
    return lines


def _run(line: str, variables: dict[str, str]):
    for name, value in variables.items():
        line = line.replace(f"${name}", value)
    target = None
    if " > " in line:
        line, target = line.split(" > ")
    args = shlex.split(line)[1:]
    result = CliRunner().invoke(cli, args, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{line}: unexpected exception:\n" + "".join(
            traceback.format_exception(result.exception)))
    if target:
        Path(target).write_text(result.stdout, encoding="utf-8")
    return result


DOCS_WITH_COMMANDS = [p for p in DOC_FILES if runnable_lines(p)]


@pytest.mark.parametrize("doc", DOCS_WITH_COMMANDS, ids=_rel)
def test_documented_commands_run_on_the_sample(doc, tmp_path, monkeypatch):
    """In a folder holding a copy of the sample as ``inventories/monocollabo`` (and as
    ``inventory/``, the name docs/snapshots.md uses), each document's command lines run
    in order, as a reader would type them there."""
    ignore = shutil.ignore_patterns(".lineage")
    shutil.copytree(SAMPLE, tmp_path / "inventories" / "monocollabo", ignore=ignore)
    if _rel(doc) == "docs/snapshots.md":
        shutil.copytree(SAMPLE, tmp_path / "inventory", ignore=ignore)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    variables: dict[str, str] = {}
    failures = []
    for line in runnable_lines(doc):
        m = re.match(r"^([A-Z]\w*)=(\S+)$", line)
        if m:
            variables[m.group(1)] = m.group(2)
            continue
        result = _run(line, variables)
        if result.exit_code not in (0, 1):
            failures.append((line, result.exit_code, result.stderr.strip()[-300:]))
    assert failures == []


def test_the_runner_sees_the_documented_lines():
    lines = runnable_lines(ROOT / "README.md")
    assert "lineage check inventories/monocollabo --format sarif > lineage.sarif" in lines
    assert "S=inventories/monocollabo/.lineage/audits.db" in lines
    assert not any("INVENTORY" in line for line in lines)
    assert "lineage check inv.yaml" not in lines


@pytest.mark.parametrize("doc", DOC_FILES, ids=_rel)
def test_docs_point_only_into_the_repository(doc):
    """Relative links resolve, and no path names a folder outside the checkout (the
    specification's copy in the repository is docs/spec/)."""
    text = doc.read_text(encoding="utf-8")
    assert re.findall(r"\bshared/(?:spec|seed)/\S*", text) == []
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        if not (doc.parent / target.split("#", 1)[0]).exists():
            broken.append(target)
    assert broken == []


def test_workbench_summary_is_what_the_sample_gives():
    import lineage
    s = lineage.load(SAMPLE).check().summary()
    text = (ROOT / "docs" / "workbench.md").read_text(encoding="utf-8")
    shown = re.search(r"audit\.summary\(\)\s+# (\{.*\}), \.\.\.\}", text).group(1) + "}"
    assert shown == repr({"flows": s["flows"], "status": s["status"]})


# Jupyter subcommands the docs name together with the pip line that installs them.
_INSTALLED_BY_THE_DOCS = {"lab": "jupyterlab"}


def test_documented_jupyter_commands_are_installed():
    """A `jupyter SUB` the docs suggest is one the virtualenv has (`jupyter-SUB` next to
    its python), unless the docs install it on their own pip line."""
    import sys
    bin_dir = Path(sys.executable).parent
    named = set()
    for doc in DOC_FILES:
        text = doc.read_text(encoding="utf-8")
        code = [line for line, _ in _fenced_lines(text)] + re.findall(r"`([^`\n]+)`", text)
        for piece in code:
            named.update(re.findall(r"\bjupyter (\w[\w-]*)", piece))
    assert "execute" in named
    missing = sorted(sub for sub in named - set(_INSTALLED_BY_THE_DOCS)
                     if not (bin_dir / f"jupyter-{sub}").exists())
    assert missing == []
    pip = (ROOT / "docs" / "workbench.md").read_text(encoding="utf-8")
    assert all(f"pip install -e \".[test]\" {pkg}" in pip for pkg in _INSTALLED_BY_THE_DOCS.values())


def test_documented_clearing_of_outputs_works(tmp_path):
    """The nbformat snippet of docs/workbench.md clears outputs and leaves a clean
    notebook byte for byte as committed."""
    import subprocess
    import sys

    import nbformat
    text = (ROOT / "docs" / "workbench.md").read_text(encoding="utf-8")
    snippet = re.search(r"\.venv/bin/python -c '(.*?)' notebooks/\*\.ipynb", text, re.S).group(1)
    clean = tmp_path / "clean.ipynb"
    shutil.copy(ROOT / "notebooks" / "01-audit-walkthrough.ipynb", clean)
    run = tmp_path / "run.ipynb"
    book = nbformat.read(clean, as_version=4)
    code = next(c for c in book.cells if c.cell_type == "code")
    code.execution_count = 3
    code.outputs = [nbformat.v4.new_output("stream", name="stdout", text="stale\n")]
    nbformat.write(book, run)
    subprocess.run([sys.executable, "-c", snippet, str(clean), str(run)], check=True)
    assert clean.read_bytes() == (ROOT / "notebooks" / "01-audit-walkthrough.ipynb").read_bytes()
    assert run.read_bytes() == clean.read_bytes()
