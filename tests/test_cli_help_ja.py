"""Help texts in Japanese (issue 15, their language): every command and option has its
Japanese text, and the Japanese help pages have no English words outside an allow-list."""

from __future__ import annotations

import re

import click
import pytest

from lineage.cli import cli
from lineage.cli_help_ja import COMMANDS, COMMAND_OPTIONS, option_text, walk

PATHS = [path for path, _ in walk(cli)]

# Proper nouns, format and program names, metavars' words and the sample's file names.
ALLOWED = {"lineage", "YAML", "CSV", "Excel", "JSON", "Schema", "SQLite", "HTML", "Graphviz",
           "GraphML", "GEXF", "yEd", "Gephi", "UTF", "BOM", "Shift_JIS", "CP", "ID", "auto",
           "Noto", "Sans", "CJK", "JP", "IPAexGothic", "sans", "serif", "as_of", "policy",
           "appi", "latest", "previous", "create", "list", "show", "verify", "diff", "report",
           "finding", "html", "yaml", "csv", "svg", "png", "pdf", "dot", "graphml", "gexf",
           "json", "mmd", "md", "xlsx", "ja", "en", "lineage", "audits", "db", "Q",
           *(word for path in PATHS for word in path.split())}  # command names
_WORD = re.compile(r"[A-Za-z][A-Za-z_]+")


def _prose(text: str) -> str:
    """The help page without what is not prose: example command lines, option names,
    metavars (capitals), choice lists and file names."""
    lines = [line for line in text.splitlines()[1:]  # the usage line: names and metavars
             if not line.strip().startswith("lineage ")]
    text = "\n".join(lines)
    text = re.sub(r"既定: [\w,.-]+", "", text)  # a default value is a choice or an ID
    text = re.sub(r"\[[a-z0-9_|-]+\]", "", text)  # [en|ja], [table|json|csv]
    text = re.sub(r"(?<![\w])--?[a-z][a-z-]*", "", text)  # --rules, -o
    text = re.sub(r"\b[A-Z][A-Z_]+\b", "", text)  # INVENTORY, TEXT, OPTIONS
    text = re.sub(r"[\w./-]*\.(?:lineage|db|xlsx|html|md|svg)\b", "", text)
    return text


def _english(text: str) -> list[str]:
    return sorted({w for w in _WORD.findall(_prose(text)) if w not in ALLOWED})


def test_every_command_and_option_has_a_japanese_text():
    missing = [path for path in PATHS if path not in COMMANDS]
    for path, cmd in walk(cli):
        missing += [f"{path} --{p.name}" for p in cmd.params
                    if isinstance(p, click.Option) and not option_text(path, p.name)]
    assert missing == []
    # no stale entries: every text names a command and option that exist
    assert set(COMMANDS) <= set(PATHS)
    names = {path: {p.name for p in cmd.params} for path, cmd in walk(cli)}
    assert [(c, o) for c, opts in COMMAND_OPTIONS.items() for o in opts
            if o not in names.get(c, ())] == []


def test_a_new_option_without_a_japanese_text_is_caught():
    fresh = click.Option(["--shiny-new"], help="Something new.")
    assert option_text("check", fresh.name) is None


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p or "lineage")
def test_japanese_help_has_no_english(path, run_cli):
    res = run_cli(*path.split(), "--help", env={"LINEAGE_LANG": "ja"})
    assert res.stdout.startswith("使い方: "), res.stdout[:80]
    assert _english(res.stdout) == [], res.stdout


def test_the_scan_catches_english_help_and_the_locale_decides(run_cli):
    english = run_cli("check", "--help", env={"LINEAGE_LANG": "en"}).stdout
    assert english.startswith("Usage: ")
    assert {"Check", "every", "flow"} <= set(_english(english))
    ja = run_cli("check", "--help", env={"LINEAGE_LANG": "", "LC_ALL": "",
                                         "LC_MESSAGES": "", "LANG": "ja_JP.UTF-8"}).stdout
    assert "すべてのフローを規則に照らして検査" in ja
    # the English texts are back once the Japanese page is written
    assert run_cli("check", "--help", env={"LINEAGE_LANG": "en"}).stdout == english
