"""Every rule says in Japanese when it fires (``when_ja``): ``explain --lang ja`` prints it,
and the reports' "ルールの内容" (:func:`lineage.rules.clauses.restatement`) is it.

A Japanese privacy officer reads the condition, not only the title; the words are the
glossary's (docs/spec/glossary.md), and the only English left is what the rule's own
documentation names: field names, route and role codes, rule IDs.
"""

from __future__ import annotations

import re

import pytest

from lineage.model.tables import SHEETS, columns
from lineage.rules.clauses import restatement
from lineage.rules.registry import REGISTRY
from test_policy import REFERENCE

RULES = list(REGISTRY)

#: ASCII words allowed beyond the rule's own documentation: the glossary's
#: クッキー・IPアドレス情報 (items of kind linkable).
GLOSSARY_ASCII = {"IP"}

#: The inventory's field names (the office workbook's columns).
FIELDS = {c.name for sheet in SHEETS for c in columns(sheet)}

_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_ASCII_RUN = re.compile(r"[!-~]+")
_TOKEN = re.compile(r"[A-Za-z0-9_:.()\-/]+")


def _english_words(text: str) -> list[str]:
    """The ASCII words of ``text`` (runs holding a letter), without the brackets and
    punctuation around them: ``(obtained_on)`` -> ``obtained_on``."""
    words = []
    for run in _ASCII_RUN.findall(text):
        word = run.strip("()[]:.,")
        if re.search(r"[A-Za-z]", word):
            words.append(word)
    return words


def _named_in(word: str, doc: str) -> bool:
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])", doc) is not None


def test_every_rule_is_covered():
    ids = {r.id for r in RULES}
    assert {r.id for r in REGISTRY.select(["policy", "appi"])} <= ids
    assert {"LW001", "LW002"} <= ids
    assert len(ids) == len(RULES) >= 42


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_when_ja_is_japanese(rule):
    text = rule.when_ja
    assert text.strip() and text == text.strip(), rule.id
    assert _JAPANESE.search(text), rule.id
    assert text.endswith("。"), rule.id
    assert "\n" not in text
    # the spec's words, never the seed policy's (another organisation's reports quote none)
    assert not [words for words in REFERENCE if words in text], rule.id
    rule_ids = {r.id for r in RULES}
    doc = rule.doc()
    for word in _english_words(text):
        assert _TOKEN.fullmatch(word), (rule.id, word)
        if word in rule_ids or word in GLOSSARY_ASCII:
            continue
        # a field the rule's documentation names; route, role and kind codes are said in
        # Japanese (the reports in Japanese keep no English beyond IDs and field names)
        assert _named_in(word, doc), f"{rule.id}: {word!r} is not named in its documentation"
        assert word in FIELDS or word == "ID", f"{rule.id}: {word!r} is not a field name"


def test_when_ja_sits_after_the_japanese_title():
    # Each rule module sets it right after title_ja (merges with logic edits stay clean).
    import inspect
    for rule in RULES:
        source = inspect.getsource(rule)
        assert re.search(r'\n    title_ja = [^\n]*\n    when_ja = ', source), rule.id


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_explain_in_japanese_says_when_the_rule_fires(rule, run_cli):
    text = run_cli("explain", rule.id, "--lang", "ja").stdout
    lines = text.splitlines()
    start = lines.index("指摘される場合:")
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("対応: "))
    section = lines[start + 1:end]
    assert section[-1] == "" and all(line.startswith("  ") for line in section[:-1])
    # the section is when_ja, wrapped (line breaks at spaces or between Japanese characters)
    assert re.sub(r"\s", "", "".join(section)) == re.sub(r"\s", "", rule.when_ja)
    # after the clause or Article block, before the remedy
    assert lines[start - 1] == "" and start > 2
    assert any(line.startswith(("条項 ", "条文 ")) for line in lines[:start])
    english = run_cli("explain", rule.id).stdout
    assert "指摘される場合" not in english and rule.when_ja not in english


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_restatement_in_japanese_is_when_ja(rule):
    assert restatement(rule, "ja") == rule.when_ja
    # the docstring's first paragraph, its ``code`` markup read as plain quotes
    assert restatement(rule) == re.sub(r"``([^`]+)``", r"'\1'",
                                       " ".join(rule.doc().split("\n\n")[0].split()))
    assert "``" not in restatement(rule)
