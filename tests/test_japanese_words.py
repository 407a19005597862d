"""A privacy officer's trial of ``--lang ja``: the English left in Japanese output.

README promises that ``--lang ja`` leaves no English beyond IDs. Each test here states
exactly what a Japanese reader sees where the trial found English: clauses of the Act,
field names in remedies and evidence, waiver states, rule packs, snapshot diffs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from lineage.rules.clauses import clause_label
from lineage.rules.examples import BASE

#: Added to the rule examples' base inventory: one flow for each remedy that names a field
#: (AP231 recorded, AP241 confirmed_acquisition, AP261 audits, AP223 equivalent_system,
#: TP402 purposes, TP111 exemption.law, TP211 events), an expired waiver (LW001) and one
#: that matches nothing (LW002).
TRIAL = """\
parties:
  - {id: callcenter, name: コールセンター, role: outsourcee, country: PH,
     equivalent_system: 2025-10-31}
contracts:
  - {id: K1, party: carrier, signed_on: 2024-01-01, no_leak: true, no_re_provision: true,
     audits: [2025-10-31]}
  - {id: K2, party: callcenter, signed_on: 2024-01-01, no_leak: true, no_re_provision: true,
     audits: [2026-06-01]}
consents:
  - {id: CN1, subjects: customers, recipients: [partner], items: [name], purposes: [ads],
     obtained_on: 2024-12-01}
flows:
  - {id: F1, from: mc, to: partner, items: [name], purposes: [ads], start: 2025-01-01}
  - {id: F2, from: partner, to: mc, items: [name, phone], start: 2025-01-01}
  - {id: F3, from: mc, to: carrier, items: [name], purposes: [shipping], start: 2025-01-01}
  - {id: F4, from: mc, to: callcenter, items: [name], purposes: [shipping],
     basis: outsourcing, start: 2025-01-01}
  - {id: F5, from: customers, to: mc, items: [email], purposes: [profiling], start: 2025-01-01}
  - {id: F6, from: mc, to: group-co, items: [name], basis: academic, start: 2025-01-01}
  - {id: F7, from: mc, to: police, items: [name], basis: law, start: 2025-01-01}
  - {id: F8, from: mc, to: group-co, items: [phone], basis: succession, start: 2025-01-01}
waivers:
  - {rule: TP114, flow: F6, reason: 共同研究, approved_by: DPO, expires_on: 2026-10-31}
  - {rule: TP102, flow: F1, reason: 移行中, approved_by: DPO, expires_on: 2027-01-01}
"""


def write_inventory(folder: Path, extra: str = TRIAL, edit=None) -> Path:
    """The base inventory with ``extra`` merged in (lists appended), as one YAML file."""
    data = yaml.safe_load(BASE)
    for key, value in yaml.safe_load(extra).items():
        data[key] = data.get(key, []) + value if isinstance(value, list) else value
    if edit is not None:
        edit(data)
    path = folder / "inventory.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def trial(tmp_path) -> Path:
    return write_inventory(tmp_path)


def _lines_with(text: str, fragment: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if fragment in line]


# -- 1. clauses: the Japanese form wherever a clause is shown in Japanese -----------------

@pytest.mark.parametrize("code, ja", [
    ("Art. 29", "法第29条"), ("Art. 28(1)", "法第28条第1項"),
    ("Art. 27(2) proviso", "法第27条第2項ただし書"), ("Rule 11(1)", "規則第11条第1項"),
    ("Art. 27(1)(v)-(vii)", "法第27条第1項第5号～第7号"), ("waivers", "承認済みの指摘"),
    ("5[2]3", "5[2]3"), ("1.5, 4", "1.5, 4")])
def test_clause_label_in_japanese(code, ja):
    assert clause_label(code, "ja") == ja
    assert clause_label(code) == code == clause_label(code, "en")


def test_check_table_names_the_waiver_clause_in_japanese(trial, run_cli):
    text = run_cli("check", trial, "--rules", "policy,appi", "--lang", "ja", expect=1).stdout
    assert [l for l in _lines_with(text, "LW00") if l.startswith("!")] == [
        "! LW002:F1:TP102 [承認済みの指摘] F1 の TP102 に対する承認に該当する指摘がありません",
        "! LW001:F6:TP114 [承認済みの指摘] F6 の TP114 に対する承認は 2026-10-31 に期限切れです",
    ]
    assert "[waivers]" not in text
    english = run_cli("check", trial, "--rules", "policy,appi", "--lang", "en", expect=1).stdout
    assert "! LW001:F6:TP114 [waivers] waiver for TP114 on F6 expired on 2026-10-31" in english


@pytest.mark.parametrize("suffix", [".html", ".md"])
def test_report_clauses_in_japanese(trial, run_cli, tmp_path, suffix):
    out = tmp_path / f"report{suffix}"
    run_cli("report", trial, "--rules", "policy,appi", "--lang", "ja", "-o", out)
    text = out.read_text(encoding="utf-8")
    assert "条項 法第29条 (個人情報保護法 第29条 第三者提供に係る記録の作成等) · " in text
    assert "条項 法第28条第3項 (個人情報保護法 第28条 外国にある第三者への提供の制限) · " in text
    assert "条項 承認済みの指摘 · " in text
    assert not re.search(r"Art\. \d|Rule \d|条項 waivers", text)
    run_cli("report", trial, "--rules", "policy,appi", "--lang", "en", "-o", out)
    english = out.read_text(encoding="utf-8")
    assert "Clause Art. 29 (Keeping records of provision to third parties) · " in english


@pytest.fixture
def trial_store(tmp_path, run_cli):
    """Two snapshots of the trial inventory: v1, then v2 where F1 keeps its provision
    record (AP231 resolved), contract K1 records an audit, F8 loses its basis (succession
    to none), and a consent is added."""
    def v2(data):
        next(f for f in data["flows"] if f["id"] == "F1")["recorded"] = True
        next(f for f in data["flows"] if f["id"] == "F8").pop("basis")
        next(c for c in data["contracts"] if c["id"] == "K1")["audits"].append("2026-06-01")
        data["consents"].append({"id": "CN2", "subjects": "customers", "recipients": ["partner"],
                                 "items": ["email"], "obtained_on": "2024-12-01"})
    store = tmp_path / "audits.db"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a, b = write_inventory(tmp_path / "a"), write_inventory(tmp_path / "b", edit=v2)
    for inv, label in ((a, "v1"), (b, "v2")):
        run_cli("snapshot", "create", inv, "--label", label, "--store", store,
                "--rules", "policy,appi")
    return store


def test_snapshot_diff_clauses_in_japanese(trial_store, run_cli):
    text = run_cli("snapshot", "diff", "v1", "v2", "--store", trial_store, "--lang", "ja",
                   expect=None).stdout
    assert "解消         AP231:F1 [法第29条] 違反 個人情報保護法第29条: " in text
    assert "[承認済みの指摘]" in text and "[waivers]" not in text
    assert not re.search(r"\[Art\. |\[Rule ", text)
    md = run_cli("snapshot", "diff", "v1", "v2", "--store", trial_store, "--lang", "ja",
                 "--format", "markdown", expect=None).stdout
    assert "| 解消 | AP231:F1 | 法第29条 | 違反 |" in md
    english = run_cli("snapshot", "diff", "v1", "v2", "--store", trial_store,
                      expect=None).stdout
    assert "resolved   AP231:F1 [Art. 29] error " in english


def test_drawing_tooltips_in_japanese(trial, run_cli, tmp_path):
    out = tmp_path / "map.dot"
    run_cli("draw", trial, "--rules", "policy,appi", "--lang", "ja", "-o", out)
    text = out.read_text(encoding="utf-8")
    assert "• AP231:F1 [法第29条, 違反] " in text
    assert "• LW001:F6:TP114 [承認済みの指摘, 警告] " in text
    assert "根拠: 学術研究 (academic)\\n" in text
    assert not re.search(r"\[Art\. |, error\]|, warning\]|根拠: academic", text)
    run_cli("draw", trial, "--rules", "policy,appi", "-o", out)
    assert "• AP231:F1 [Art. 29, error] " in out.read_text(encoding="utf-8")
