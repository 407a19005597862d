"""Documentation that must not drift from the code."""

from __future__ import annotations

import re

from paths import ROOT

from lineage.output import rulesdoc


def test_rules_reference_page_matches_the_registry():
    page = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert page == rulesdoc.markdown(rulesdoc.rules_of(None)), \
        "docs/rules.md is stale: run `lineage rules --format markdown > docs/rules.md`"


def test_readme_starts_with_the_two_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:sh|bash)?\n(.*?)```", text, re.S)
    assert blocks[0].strip() == "sh scripts/setup.sh --run"
    assert blocks[1].strip() == "sh scripts/setup.sh --test"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "scripts/setup.sh --test" in ci


def test_readme_links_the_rules_reference():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/rules.md" in text


def test_every_command_is_documented_in_the_readme():
    from lineage.cli import cli
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in cli.list_commands(None):
        assert f"lineage {name}" in text, name
