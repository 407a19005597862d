"""The command line as a user sees it: exact text, exit codes, formats."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

from paths import ROOT, SAMPLE

from lineage.rules.registry import REGISTRY


def test_table_is_grouped_by_flow_and_ends_with_a_summary(run_cli):
    out = run_cli("check", SAMPLE, expect=1).stdout
    lines = out.splitlines()
    assert lines[0] == "Monocollabo  as of 2026-11-01  rules: policy"
    assert lines[-2] == "48 flows: 39 ok, 0 warning, 8 violation, 1 waived"
    assert lines[-1] == ("findings: TP101 ×1, TP102 ×1, TP103 ×1, TP111 ×1, TP123 ×1, "
                         "TP203 ×2, TP222 ×1, TP301 ×1, TP801 ×1")
    f44 = lines.index(next(line for line in lines if line.startswith("F44 ")))
    assert lines[f44 + 1].startswith("  ✗ TP203:F44:address [1.5] item address")
    # the sample's own policy (inventory policy.clauses), quoted once per clause cited
    cited = lines.index("Policy clauses cited (個人情報保護方針)")
    assert lines[cited + 1].startswith("  1.5 方針1 第5項: 弊社が、個人情報の処理を外部へ委託する")
    assert "\x1b[" not in out  # not a terminal: no colour


def test_table_in_japanese(run_cli):
    out = run_cli("check", SAMPLE, "--lang", "ja", expect=1).stdout
    assert "フロー 48 件: 適合 39 件、警告 0 件、違反 8 件、承認済み 1 件" in out
    assert "提供元 monocollabo" not in out
    assert "対応:" in out


def _check_on_a_terminal(no_color: bool) -> bytes:
    """What ``lineage check`` writes to a pseudo-terminal."""
    code = ("import sys, pty, os\n"
            "pid, fd = pty.fork()\n"
            "if pid == 0:\n"
            "    os.environ.pop('NO_COLOR', None)\n"
            f"    if {no_color!r}:\n"
            "        os.environ['NO_COLOR'] = '1'\n"
            "    os.execv(sys.executable, [sys.executable, '-m', 'lineage', 'check', "
            f"{str(SAMPLE)!r}])\n"
            "out = b''\n"
            "while True:\n"
            "    try:\n"
            "        chunk = os.read(fd, 65536)\n"
            "    except OSError:\n"
            "        break\n"
            "    if not chunk:\n"
            "        break\n"
            "    out += chunk\n"
            "os.waitpid(pid, 0)\n"
            "sys.stdout.buffer.write(out)\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, cwd=ROOT,
                         timeout=60)
    assert b"TP203:F44:address" in res.stdout, res.stderr
    return res.stdout


def test_colour_on_a_terminal_only():
    import click
    import lineage
    from lineage.output import table
    audit = lineage.check(SAMPLE)
    assert "\x1b[" in table.render(audit, "en", click.style)
    assert b"\x1b[" in _check_on_a_terminal(no_color=False)


def test_never_colour_with_no_color():
    assert b"\x1b[" not in _check_on_a_terminal(no_color=True)


def test_csv_is_the_findings_table(run_cli):
    out = run_cli("check", SAMPLE, "--format", "csv", expect=1).stdout
    rows = list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff"))))
    assert [r["id"] for r in rows][:2] == ["TP222:F30:phone", "TP301:F31:J2@2025-04-01"]
    assert rows[4]["waived"] == "true"
    assert len(rows) == 10


def test_select_ignore_and_exit_codes(run_cli):
    res = run_cli("check", SAMPLE, "--select", "TP2", "--ignore", "TP203", "--format",
                  "json", expect=1)
    assert [f["id"] for f in json.loads(res.stdout)["findings"]] == ["TP222:F30:phone"]
    res = run_cli("check", SAMPLE, "--select", "TP102", "--format", "json", expect=0)
    assert [f["waived"] for f in json.loads(res.stdout)["findings"]] == [True]
    run_cli("check", SAMPLE, "--exit-zero", expect=0)
    run_cli("check", SAMPLE, "--select", "TP402", "--fail-on", "warning", expect=0)


def test_fail_on_warning(tmp_path, run_cli):
    inv = tmp_path / "inv.yaml"
    inv.write_text("format: lineage/1\norganisation: mc\nparties:\n  - {id: mc, role: self}\n"
                   "  - {id: c, role: data_subject}\nflows:\n"
                   "  - {id: F1, from: c, to: mc, items: [x], purposes: [p], "
                   "start: 2025-01-01}\n", encoding="utf-8")
    run_cli("check", inv, expect=0)
    out = run_cli("check", inv, "--fail-on", "warning", expect=1).stdout
    assert "! TP402:F1:p [2] purpose p is not defined" in out


def test_as_of_overrides_the_inventory(run_cli):
    res = run_cli("check", SAMPLE, "--as-of", "2027-06-01", "--format", "json", expect=1)
    report = json.loads(res.stdout)
    assert report["as_of"] == "2027-06-01"
    # the waiver expires 2027-03-31: LW001 appears and TP102 counts again
    ids = [f["id"] for f in report["findings"]]
    assert "LW001:F37:TP102" in ids
    assert {"rule": "TP102", "flow": "F37", "state": "expired"}.items() <= \
        report["waivers"][0].items()


def test_bad_arguments_exit_2(run_cli, tmp_path):
    assert run_cli("check", SAMPLE, "--rules", "nope", expect=2).stderr == \
        "error: unknown rule pack 'nope' (known: appi, policy)\n"
    assert run_cli("check", SAMPLE, "--select", "XX9", expect=2).stderr == \
        "error: unknown rule or prefix 'XX9'\n"
    res = run_cli("check", SAMPLE, "--as-of", "tomorrow", expect=2)
    assert "cannot read 'tomorrow' as a date (accepted forms: YYYY-MM-DD" in res.stderr
    assert run_cli("explain", "TP999", expect=2).stderr == "error: unknown rule 'TP999'\n"
    # the trial of round 12: a letter O for a zero, and a role without its underscore
    assert run_cli("explain", "TP2O3", expect=2).stderr == \
        "error: unknown rule 'TP2O3' (did you mean 'TP203'?)\n"
    inv = tmp_path / "inv.yaml"
    inv.write_text("format: lineage/1\norganisation: a\nparties: [{id: a, role: self}, "
                   "{id: b, role: jointuser}]\nflows: []\n", encoding="utf-8")
    assert "is not one of 'self', 'outsourcee', 'joint_user', 'third_party', 'successor', " \
        "'public_body', 'data_subject' or 'academic' (did you mean 'joint_user'?)" in \
        run_cli("validate", inv, expect=2).stderr


def test_rules_lists_every_registered_rule(run_cli):
    data = json.loads(run_cli("rules", "--format", "json").stdout)
    assert [r["id"] for r in data] == [r.id for r in REGISTRY]
    assert data[0].keys() >= {"id", "clause", "kind", "severity", "title", "title_ja", "pack"}
    table = run_cli("rules").stdout.splitlines()
    assert table[[r["id"] for r in data].index("TP101")].startswith("TP101  5[1]")
    assert len(table) == len(data)
    law = run_cli("rules", "--rules", "appi").stdout.splitlines()
    assert law[0].startswith("AP201  Art. 27(2)")
    assert {line[:5] for line in law} == {r.id for r in REGISTRY.select(["appi"])}


def test_explain_prints_clause_and_both_examples(run_cli):
    out = run_cli("explain", "tp222").stdout
    assert out.startswith("TP222  Joint use of an unannounced item\n")
    # no inventory, so no organisation's words: the clause key and the spec's restatement
    assert "Clause 5[2]3: reports quote the organisation's own words for it when" in out
    assert "共同して利用される個人情報の項目" not in out
    assert "Failing example (phone not listed) -> TP222:F1:phone:" in out
    assert "Passing example (both listed) -> no findings:" in out
    # a finding ID pasted from a report explains its rule (the trial of round 14)
    assert run_cli("explain", "TP222:F30:phone").stdout == out
    err = run_cli("explain", "TP999:F1", expect=2).stderr
    assert err.startswith("error: unknown rule 'TP999'")


def test_output_file_is_written_atomically(tmp_path, run_cli):
    target = tmp_path / "report.json"
    run_cli("check", SAMPLE, "--format", "json", "-o", target, expect=1)
    assert json.loads(target.read_text(encoding="utf-8"))["summary"]["flows"] == 48
    res = run_cli("check", SAMPLE, "-o", tmp_path / "missing" / "r.json", expect=2)
    assert res.stderr.startswith("error: ") and "does not exist" in res.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_python_m_lineage_and_console_script():
    res = subprocess.run([sys.executable, "-m", "lineage", "check", str(SAMPLE), "--format",
                          "json"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert res.returncode == 1
    assert json.loads(res.stdout)["summary"]["flows"] == 48
    res = subprocess.run([sys.executable, "-m", "lineage", "--version"], capture_output=True,
                         text=True, timeout=60)
    assert res.stdout.startswith("lineage, version ")


def test_quick_commands_do_not_load_the_engine(tmp_path):
    # `snapshot list` must answer in well under a second: the CLI, the store and the
    # listing may not import pandas, pydantic, networkx or the rules.
    code = ("import sys\n"
            "from lineage.cli import cli\n"
            "cli.get_command(None, 'snapshot')\n"
            "import lineage.snapshots.store, lineage.snapshots.render\n"
            "print(sorted(m for m in ('pandas', 'pydantic', 'networkx', "
            "'lineage.rules.registry') if m in sys.modules))\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=60)
    assert res.stdout == "[]\n", res.stderr


def test_select_keeps_the_waiver_rules_of_the_rules_it_selects(run_cli):
    # the trial of round 14: --select TP102 dropped the LW001 of an expired TP102 waiver,
    # and the check passed
    out = json.loads(run_cli("check", SAMPLE, "--select", "TP102", "--as-of", "2027-04-01",
                             "--format", "json", expect=1).stdout)
    assert sorted(f["id"] for f in out["findings"]) == ["LW001:F37:TP102", "TP102:F37:C05"]
    out = json.loads(run_cli("check", SAMPLE, "--select", "TP102", "--ignore", "LW",
                             "--as-of", "2027-04-01", "--format", "json", expect=1).stdout)
    assert [f["id"] for f in out["findings"]] == ["TP102:F37:C05"]


def test_explain_shows_no_docstring_markup(run_cli):
    # the trial of round 14: "(:func:`~.common.exemption`: ..." in explain AP251
    import re
    from lineage.rules.registry import REGISTRY
    for rule in REGISTRY.rules.values():
        out = run_cli("explain", rule.id).stdout
        assert not re.search(r":[a-z]+:`|``", out), rule.id
    assert "27(1) exemption (`exemption`: its justification recorded," in run_cli(
        "explain", "AP251").stdout


def test_explain_a_finding_of_an_inventory_prints_it_whole_before_its_rule(run_cli):
    # the trial of round 15: `explain TP801:F20` printed the rule's page only, without the
    # finding, its evidence or the lack its message left out
    out = run_cli("explain", "TP222:F30:phone", SAMPLE).stdout.splitlines()
    assert out[0] == ("TP222:F30:phone  [5[2]3]  error  flow F30: monocollabo → collabo-living "
                      "(route joint_use)")
    assert out[1:5] == ["  item phone is not listed in joint-use notice J1", "  items: phone",
                        "  evidence:", "    notice: J1"]
    assert out[6].startswith("  個人情報保護方針 方針5 [2] 第3号: 個人情報を特定の者との間で")
    assert "TP222  Joint use of an unannounced item" in out
    ja = run_cli("explain", "TP222:F30:phone", SAMPLE, "--lang", "ja").stdout
    assert "  根拠資料:\n    通知・公表: J1\n" in ja


def test_explain_a_finding_the_inventory_does_not_have_says_which_it_has(run_cli):
    res = run_cli("explain", "TP222:F31:phone", SAMPLE, expect=2)
    assert res.stderr == (f"error: TP222:F31:phone: no such finding in {SAMPLE} (checked with "
                          "policy; its TP222 findings: TP222:F30:phone) (did you mean "
                          "'TP222:F30:phone'?)\n")
    res = run_cli("explain", "TP222", SAMPLE, expect=2)
    assert "give a finding ID as reports show it (such as TP222:F1)" in res.stderr


def test_explain_a_lack_of_a_verdict_shows_the_verdict_that_names_it(run_cli):
    # the review of round 15: the IDs in a verdict's evidence "lacks" were "no such finding"
    out = run_cli("explain", "TP223:F38", SAMPLE).stdout.splitlines()
    assert out[0] == "TP223:F38 is not reported on its own: it is what the closest route of " \
                     "TP101:F38 lacks:"
    assert out[2].startswith("TP101:F38  [5[1]]  error  flow F38: ")
    assert any(line.startswith("TP223  ") for line in out)
