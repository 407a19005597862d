"""Documentation that must not drift from the code."""

from __future__ import annotations

import json
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


def test_readme_sample_output_is_what_check_prints(run_cli):
    from paths import SAMPLE
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## The sample audit", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    out = run_cli("check", SAMPLE, expect=1).stdout.splitlines()
    shown = [line for line in block.splitlines() if line.strip() not in ("", "...")]
    assert shown and all(line in out for line in shown), \
        [line for line in shown if line not in out]
    ja = run_cli("check", SAMPLE, "--lang", "ja", expect=1).stdout
    assert "フロー 48 件: 適合 39 件、警告 0 件、違反 8 件、承認済み 1 件" in ja
    assert "`フロー 48 件: 適合 39 件、警告 0 件、違反 8 件、承認済み 1 件`" in text


def test_readme_impact_example_is_what_impact_prints(run_cli):
    from paths import SAMPLE
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("$ lineage impact inventories/monocollabo --party mailing-house\n", 1)[1]
    block = block.split("```", 1)[0]
    out = run_cli("impact", SAMPLE, "--party", "mailing-house").stdout
    assert block == out


def test_readme_law_pack_output_is_what_check_prints(run_cli):
    from paths import SAMPLE
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### The law pack `appi`", 1)[1]
    block = section.split("```text\n", 1)[1].split("```", 1)[0]
    out = run_cli("check", SAMPLE, "--rules", "policy,appi", expect=1).stdout.splitlines()
    shown = [line for line in block.splitlines() if line.strip()]
    assert shown and all(line in out for line in shown), \
        [line for line in shown if line not in out]
    summary = json.loads(run_cli("check", SAMPLE, "--rules", "policy,appi", "--format", "json",
                                 expect=1).stdout)["summary"]
    shown_json = json.loads("{" + section.split("```json\n", 1)[1].split("```", 1)[0] + "}")
    assert shown_json == {k: summary[k] for k in ("by_pack", "policy_ok_law_violation")}


def _readme_command_table() -> dict[str, str]:
    """The README's command table: command name -> the row's first cell (its syntax)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Command line", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        m = re.match(r"\| `lineage (\w+)([^`]*)`", line)
        if m:
            rows[m.group(1)] = m.group(1) + m.group(2)
    return rows


def test_readme_command_table_lists_every_command_with_its_arguments():
    import click

    from lineage.cli import cli
    rows = _readme_command_table()
    assert sorted(rows) == sorted(cli.list_commands(None))
    for name in cli.list_commands(None):
        command = cli.get_command(None, name)
        words = rows[name].split()[1:]
        if isinstance(command, click.Group):
            assert set(words[0].split("\\|")) == set(command.commands), name
            continue
        arguments = [p for p in command.params if isinstance(p, click.Argument)]
        positional = []
        for word in words:
            if word.startswith("-") or word.startswith("["):
                break
            positional.append(word)
        assert len(positional) == len(arguments), (name, positional, arguments)
