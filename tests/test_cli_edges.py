"""Edges of the command line an adversarial review found (link templates, labels,
CSV cells, line breaks in names, selections, depth, pipes, output paths, messages):
each test failed before its fix."""

from __future__ import annotations

import os
import stat

import pytest

from paths import SAMPLE


# -- draw --links: the template is checked -------------------------------------------
@pytest.mark.parametrize("links, why", [
    ("javascript:alert({flow})", "only http:, https: or relative links are allowed"),
    ("data:text/html,{flow}", "only http:, https: or relative links are allowed"),
    ("{flow}:x", "only http:, https: or relative links are allowed"),
    ("r.html#{x}", "unexpected placeholder {x} (allowed: {flow}, {finding})"),
    ("r.html#{0}", "unexpected placeholder {0} (allowed: {flow}, {finding})"),
    ("r.html#{flow.__class__}",
     "unexpected placeholder {flow.__class__} (allowed: {flow}, {finding})"),
    ("r.html#{flow!r}", "unexpected placeholder {flow!r} (allowed: {flow}, {finding})"),
    ("r.html#{flow", "expected '}' before end of string (write {{ and }} for braces)"),
    ("r.html# {flow}", "a link must not contain spaces or control characters"),
    # the hostile review of round 13: Graphviz writes the link into the SVG as it is
    ('"><script>alert(1)</script>{finding}', "a link must not contain '\"' (percent-encode it)"),
    ("r.html#<b>{flow}", "a link must not contain '<' (percent-encode it)"),
    ("r.html#{flow}'x", "a link must not contain \"'\" (percent-encode it)"),
])
def test_draw_links_template_refused_before_loading(run_cli, tmp_path, links, why):
    # a missing inventory: the template is refused before anything is loaded
    res = run_cli("draw", tmp_path / "missing", "-o", tmp_path / "m.dot", "--links", links,
                  expect=2)
    assert res.stderr == f"error: link template {links!r}: {why}\n"
    assert not (tmp_path / "m.dot").exists()


@pytest.mark.parametrize("links", ["report.html#{finding}", "https://x.example/f/{flow}",
                                   "../r.html#{{x}}-{flow}", "HTTP://x.example/"])
def test_draw_links_template_allowed(run_cli, tmp_path, links):
    run_cli("draw", SAMPLE, "-o", tmp_path / "m.dot", "--links", links)
    assert "href=" in (tmp_path / "m.dot").read_text(encoding="utf-8")


def test_context_of_checks_links():
    import lineage
    from lineage.drawing import DrawingError, context_of
    with pytest.raises(DrawingError, match="only http:, https: or relative links"):
        context_of(lineage.check(SAMPLE), links="file:///etc/passwd#{flow}")


# -- snapshot labels: no control characters ----------------------------------------
@pytest.mark.parametrize("label", ["bad\x1b[2Jlabel", "two\nlines", "tail\n", "tab\there",
                                   "bidi\u202eevil", "nel\x85x"])
def test_snapshot_label_with_control_characters_refused(run_cli, tmp_path, label):
    store = tmp_path / "audits.db"
    res = run_cli("snapshot", "create", SAMPLE, "--store", store, "--label", label, expect=2)
    assert res.stderr == (f"error: label {label!r} is not allowed: it must not be a number, "
                          "'latest' or 'previous', contain ':' or control characters, or "
                          "start with a space\n".replace("\x1b", "\\x1b"))
    assert "\x1b" not in res.stderr and "\u202e" not in res.stderr


def test_snapshot_label_plain_accepted(tmp_path):
    import lineage
    from lineage.snapshots.store import Store
    with Store(tmp_path / "s.db") as store:
        assert store.add(lineage.check(SAMPLE), label="2026-Q3 監査").label == "2026-Q3 監査"


# -- trace, upstream, impact, stop: CSV cells cannot run as formulas ---------------
FORMULA_INV = """format: lineage/1
organisation: mc
as_of: 2026-01-01
parties:
  - {id: subj, role: data_subject}
  - {id: mc, role: self}
  - {id: "@SUM", role: outsourcee}
  - {id: "-1", role: outsourcee}
data_items:
  - {id: "-x", name: x}
flows:
  - {id: F0, from: subj, to: mc, items: ["-x"], start: 2025-01-01}
  - {id: F1, from: mc, to: "@SUM", items: ["-x"], start: 2025-01-01}
  - {id: F2, from: "@SUM", to: "-1", items: ["-x"], start: 2025-01-01}
"""


@pytest.mark.parametrize("args, want", [
    (["trace", "--item=-x"],
     "\ufeffparty,hops,since,path\n'@SUM,1,2025-01-01,F1\n'-1,2,2025-01-01,F1;F2\n"),
    (["upstream", "--party=-1"],
     "\ufeffhop,flow,from,to,items,route,start,end\n"
     "1,F2,'@SUM,'-1,'-x,external,2025-01-01,\n"
     "2,F1,mc,'@SUM,'-x,outsourcing,2025-01-01,\n"
     "3,F0,subj,mc,'-x,collection,2025-01-01,\n"),
    (["impact", "--party=@SUM"],
     "\ufeffparty,item,groups,since,hops,path,routes\n'-1,'-x,subj,2025-01-01,1,F2,external\n"),
])
def test_lineage_csv_cells_guarded(run_cli, tmp_path, args, want):
    inv = tmp_path / "inv.yaml"
    inv.write_text(FORMULA_INV, encoding="utf-8")
    assert run_cli(args[0], inv, *args[1:], "--format", "csv").stdout == want


# -- line breaks in names: a space in one-line contexts ----------------------------
BREAKS_INV = """format: lineage/1
organisation: mc
as_of: 2026-01-01
parties:
  - {id: subj, role: data_subject, name: "Sub\\njects", name_en: "Sub\\njects"}
  - {id: mc, role: self, name: "M\\r\\nC", name_en: "M\\r\\nC"}
  - {id: carrier, role: outsourcee, name: "Car\\u2028rier", name_en: "Car\\u2028rier"}
data_items:
  - {id: x, name: "It\\nem", name_en: "It\\nem"}
flows:
  - {id: F0, from: subj, to: mc, items: [x], start: 2025-01-01}
  - {id: F1, from: mc, to: carrier, items: [x], start: 2025-01-01}
"""


def _breaks(tmp_path):
    a = tmp_path / "a.yaml"
    a.write_text(BREAKS_INV, encoding="utf-8")
    b = tmp_path / "b.yaml"
    b.write_text(BREAKS_INV.replace('name: "Car\\u2028rier", name_en',
                                    'name: "New\\nname\\r\\nx", name_en'), encoding="utf-8")
    return a, b


def test_line_breaks_in_names_trace_table(run_cli, tmp_path):
    a, _ = _breaks(tmp_path)
    assert run_cli("trace", a, "--item", "x").stdout == (
        "party               hops  since       path\n"
        "Car rier (carrier)  1     2025-01-01  F1\n")
    out = run_cli("check", a, expect=1).stdout
    assert "F1  M C → Car rier  route: outsourcing  VIOLATION\n" in out


def test_line_breaks_in_names_snapshot_diff(run_cli, tmp_path, monkeypatch):
    a, b = _breaks(tmp_path)
    monkeypatch.chdir(tmp_path)  # no store: two inventories compared
    table = run_cli("snapshot", "diff", a, b).stdout
    assert "    ~ carrier (Car rier)  name: Car rier -> New name x\n" in table
    md = run_cli("snapshot", "diff", a, b, "--format", "markdown").stdout
    assert "| parties | changed | carrier (Car rier) | name: Car rier -\\> New name x |\n" in md
    assert "\r" not in md and "\u2028" not in md and "\r" not in table


# -- --rules: an empty selection refused, a repeated pack counted once -------------
@pytest.mark.parametrize("args", [["check", SAMPLE], ["rules"], ["draw", SAMPLE, "-o", "m.svg"],
                                  ["report", SAMPLE], ["explore", SAMPLE, "-o", "e.html"]])
@pytest.mark.parametrize("rules", [",", " , ,"])
def test_rules_empty_selection_refused(run_cli, tmp_path, monkeypatch, args, rules):
    monkeypatch.chdir(tmp_path)
    res = run_cli(*args, "--rules", rules, expect=2)
    assert res.stderr == "error: --rules names no rule pack (known: appi, policy)\n"
    assert res.stdout == "" and list(tmp_path.iterdir()) == []


def test_rules_empty_selection_refused_ja(run_cli):
    res = run_cli("check", SAMPLE, "--rules", ",", "--lang", "ja", expect=2)
    assert res.stderr == "エラー: --rules にルールパックがありません（あるもの: appi, policy）\n"


def test_rules_repeated_pack_once(run_cli):
    once = run_cli("check", SAMPLE, "--format", "json", expect=1).stdout
    twice = run_cli("check", SAMPLE, "--rules", "policy,policy", "--format", "json",
                    expect=1).stdout
    assert twice == once
    assert "rules: policy, appi\n" in run_cli("check", SAMPLE, "--rules", "policy,appi,policy",
                                              expect=1).stdout


# -- trace --all-paths --depth N: routes of up to N flows, as the help says --------
PATHS_INV = """format: lineage/1
organisation: a
as_of: 2026-01-01
parties:
  - {id: s, role: data_subject}
  - {id: a}
  - {id: b}
  - {id: c}
  - {id: d}
flows:
  - {id: F1, from: a, to: b, items: [x], start: 2024-01-01}
  - {id: F2, from: a, to: c, items: [x], start: 2024-01-01}
  - {id: F3, from: b, to: d, items: [x], start: 2024-01-01}
  - {id: F4, from: c, to: d, items: [x], start: 2024-01-01}
  - {id: F5, from: d, to: b, items: [x], start: 2024-01-01}
"""


@pytest.mark.parametrize("depth, want", [
    (1, [("b", ["F1"]), ("c", ["F2"])]),
    (2, [("b", ["F1"]), ("c", ["F2"]), ("d", ["F1", "F3"]), ("d", ["F2", "F4"])]),
    (3, [("b", ["F1"]), ("c", ["F2"]), ("d", ["F1", "F3"]), ("d", ["F2", "F4"]),
         ("b", ["F2", "F4", "F5"])]),
])
def test_trace_all_paths_depth_counts_flows(tmp_path, depth, want):
    from lineage.analysis import trace
    inv = tmp_path / "inv.yaml"
    inv.write_text(PATHS_INV, encoding="utf-8")
    t = trace(str(inv), "x", frm="a", all_paths=True, depth=depth)
    assert [(p, list(path)) for p, path in zip(t.table.party, t.table.path)] == want
    assert set(t.table.hops) <= set(range(1, depth + 1))


def test_trace_all_paths_depth_cli(run_cli, tmp_path):
    inv = tmp_path / "inv.yaml"
    inv.write_text(PATHS_INV, encoding="utf-8")
    res = run_cli("trace", inv, "--item", "x", "--from", "a", "--all-paths", "--depth", "1",
                  "--format", "csv")
    assert res.stdout == "\ufeffparty,hops,path,since\nb,1,F1,2024-01-01\nc,1,F2,2024-01-01\n"


# -- stop --subjects: only a data-subject party ------------------------------------
def test_stop_subjects_not_data_subject_refused(run_cli):
    res = run_cli("stop", SAMPLE, "--subjects", "mailing-house", expect=2)
    assert res.stdout == ""
    assert res.stderr == ("error: 'mailing-house' is not a data-subject party (its role is "
                          "outsourcee); a stop request comes from data subjects (here: "
                          "applicants, customers, members, readers)\n")
    res = run_cli("stop", SAMPLE, "--subjects", "monocollabo", "--lang", "ja", expect=2)
    assert res.stderr == ("エラー: 'monocollabo' は本人の当事者ではありません（役割: self）。"
                          "停止の求めは本人からのものです（この棚卸しの本人: applicants, customers, "
                          "members, readers）\n")


def test_stop_subjects_data_subject_answered(run_cli):
    assert "F32" in run_cli("stop", SAMPLE, "--subjects", "members").stdout


# -- a reader that stops early (| head -1): no traceback, no error line ------------
def _closed_reader(*args, cwd):
    """Run ``lineage ARGS`` with its standard output a pipe whose reader has gone."""
    import os
    import subprocess
    import sys
    from paths import ROOT
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LINEAGE_LANG": "en"}
    proc = subprocess.Popen([sys.executable, "-m", "lineage", *map(str, args)], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    proc.stdout.close()  # the reader is gone before the first byte
    err = proc.stderr.read().decode()
    return proc.wait(timeout=120), err


@pytest.fixture(scope="module")
def pipe_store(tmp_path_factory):
    import lineage
    from lineage.snapshots.store import Store
    folder = tmp_path_factory.mktemp("pipe")
    with Store(folder / "audits.db") as store:
        store.add(lineage.check(SAMPLE), label="one")
        store.add(lineage.check(SAMPLE), label="two")
    return folder


@pytest.mark.parametrize("args, code", [
    (["validate", SAMPLE], 0),
    (["validate", SAMPLE, "--format", "json"], 0),
    (["rules"], 0),
    (["rules", "--format", "json"], 0),
    (["explain", "TP203"], 0),
    (["trace", SAMPLE, "--item", "email"], 0),
    (["upstream", SAMPLE, "--party", "mailing-house"], 0),
    (["impact", SAMPLE, "--party", "mailing-house"], 0),
    (["stop", SAMPLE, "--consent", "C05"], 0),
    (["snapshot", "list", "--store", "audits.db"], 0),
    (["snapshot", "show", "latest", "--store", "audits.db"], 0),
    (["snapshot", "verify", "--store", "audits.db"], 0),
    (["snapshot", "diff", "one", "two", "--store", "audits.db"], 0),
    (["snapshot", "create", SAMPLE, "--store", "new.db"], 0),
    (["template", "t.xlsx"], 0),
    (["convert", SAMPLE, "c.yaml"], 0),
    (["check", SAMPLE], 1),
])
def test_broken_pipe_quiet(pipe_store, args, code):
    got, err = _closed_reader(*args, cwd=pipe_store)
    assert (got, err) == (code, "")


# -- paths in messages: control characters escaped ---------------------------------
@pytest.mark.parametrize("args, stream, want", [
    (["convert", SAMPLE, "a\x1b[2Jb.yaml"], "stdout", "a\\x1b[2Jb.yaml: written (yaml-file)\n"),
    (["template", "t\x1b[2J.xlsx"], "stdout", "t\\x1b[2J.xlsx: template written\n"),
    (["snapshot", "create", SAMPLE, "--store", "s\x1b[2J.db"], "stdout",
     "snapshot #1 stored in s\\x1b[2J.db: 48 flows, findings: 9 error, 0 warning, 1 waived\n"),
    (["explore", SAMPLE, "-o", "e\x1b[2J.html"], "stderr",
     "wrote e\\x1b[2J.html: 32 parties, 48 flows, 8 violating\n"),
    (["report", SAMPLE, "-o", "r\x1b[2J.md", "--no-drawing"], "stderr",
     "report written to r\\x1b[2J.md\n"),
])
def test_paths_in_messages_escaped(run_cli, tmp_path, monkeypatch, args, stream, want):
    monkeypatch.chdir(tmp_path)
    res = run_cli(*args)
    text = getattr(res, stream)
    assert text.splitlines(keepends=True)[0] == want
    assert "\x1b" not in res.stdout + res.stderr


# -- apply_views(depth=None): no limit ---------------------------------------------
def test_apply_views_depth_none_is_unlimited():
    import networkx as nx
    import lineage
    from lineage.drawing.views import apply_views, neighbourhood
    g = lineage.check(SAMPLE).graph
    whole = nx.node_connected_component(g.to_undirected(as_view=True), "call-centre")
    assert set(apply_views(g, party="call-centre", depth=None).nodes) == whole
    assert set(neighbourhood(g, "call-centre", None).nodes) == whole
    assert len(whole) > len(apply_views(g, party="call-centre", depth=2).nodes) > 3
    assert set(apply_views(g, item="phone", depth=None).nodes) == set(
        apply_views(g, item="phone").nodes)


# -- Mermaid: subgraph IDs unique --------------------------------------------------
JOINT_INV = """format: lineage/1
organisation: mc
as_of: 2026-01-01
parties:
  - {id: mc, role: self}
  - {id: g1, role: joint_user}
  - {id: g2, role: joint_user}
data_items:
  - {id: name}
purposes:
  - {id: p}
notices:
  - {id: J-1, kind: joint_use, published_on: 2024-01-01, items: [name], purposes: [p],
     members: [mc, g1], responsible: {name: M, address: A, representative: R}}
  - {id: J_1, kind: joint_use, published_on: 2024-01-01, items: [name], purposes: [p],
     members: [mc, g2], responsible: {name: M, address: A, representative: R}}
flows:
  - {id: F1, from: mc, to: g1, items: [name], purposes: [p], start: 2025-01-01}
  - {id: F2, from: mc, to: g2, items: [name], purposes: [p], start: 2025-01-01}
"""


def test_mermaid_subgraph_ids_unique(run_cli, tmp_path):
    inv = tmp_path / "inv.yaml"
    inv.write_text(JOINT_INV, encoding="utf-8")
    run_cli("export", inv, "-o", tmp_path / "a.mmd")
    text = (tmp_path / "a.mmd").read_text(encoding="utf-8")
    subgraphs = [line.strip() for line in text.splitlines() if "subgraph" in line]
    assert subgraphs == ['subgraph z_org["Organisation, outsourcees and successors"]',
                         'subgraph z_ju_J_1["Joint use J-1"]',
                         'subgraph z_ju_J_1_2["Joint use J_1"]']
    run_cli("export", inv, "-o", tmp_path / "b.mmd")
    assert (tmp_path / "b.mmd").read_bytes() == (tmp_path / "a.mmd").read_bytes()


# -- JUnit --lang ja: every text in Japanese ----------------------------------------
def test_junit_japanese(run_cli):
    import xml.etree.ElementTree as ET
    out = run_cli("check", SAMPLE, "--format", "junit", "--lang", "ja", expect=1).stdout
    root = ET.fromstring(out)
    case = root.find("testsuite/testcase[@name='F30']")
    failure = case.find("failure")
    assert failure.get("message") == "指摘 1 件: 項目 phone は共同利用の通知・公表 J1 にありません"
    assert failure.text == ("TP222:F30:phone [5[2]3] 違反: 項目 phone は共同利用の通知・公表 J1 "
                            "にありません\n  対応: 項目を事前に通知・公表するか、その項目の共有を"
                            "停止してください。\n")
    assert case.find("system-out").text == (
        "F30: monocollabo -> collabo-living, 経路 共同利用, 状態 違反\n")
    waived = root.find("testsuite/testcase[@name='F37']/system-out").text
    assert waived.splitlines()[1].startswith("TP102:F37:C05 [5[1]] 違反（承認済み）: 同意 C05")
    texts = "".join(e.get("message", "") + (e.text or "") for e in root.iter())
    for english in ("finding", "remedy", "route ", "status ", "waived", " error"):
        assert english not in texts, english


# -- -o: a folder, a missing folder, a symlink, a device refused before loading ---
_O_COMMANDS = {"check": ["check", "missing-inv"], "draw": ["draw", "missing-inv"],
               "export": ["export", "missing-inv"], "explore": ["explore", "missing-inv"],
               "report": ["report", "missing-inv"], "schema": ["schema"]}


def _o_target(kind, tmp_path):
    import os
    (tmp_path / "out").mkdir()
    if kind == "folder":
        return "out", "out: is a folder, not a file"
    if kind == "trailing slash":
        return "out/nonexist/", "out/nonexist/: names a folder (it ends with '/'), not a file"
    if kind == "missing folder":
        return "out/no/x.svg", "out/no/x.svg: folder out/no does not exist"
    if kind == "symlink":
        os.symlink(tmp_path / "elsewhere.txt", tmp_path / "link.svg")
        return "link.svg", "link.svg: is a symbolic link; refusing to write through it"
    return "/dev/zero", ("/dev/zero: is not a regular file (a character device); refusing to "
                         "write to it")


@pytest.mark.parametrize("command", sorted(_O_COMMANDS))
@pytest.mark.parametrize("kind", ["folder", "trailing slash", "missing folder", "symlink",
                                  "device"])
def test_output_refused_before_loading(run_cli, tmp_path, monkeypatch, command, kind):
    monkeypatch.chdir(tmp_path)
    target, message = _o_target(kind, tmp_path)
    res = run_cli(*_O_COMMANDS[command], "-o", target, expect=2)
    # the inventory is missing: the output was refused before it was looked for
    assert res.stderr == f"error: {message}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["out"] + (["link.svg"] if kind == "symlink" else []))
    assert list((tmp_path / "out").iterdir()) == []


def test_output_to_the_null_device_runs_the_command_and_keeps_its_exit_code(run_cli, tmp_path):
    # the trial of round 15: `check -o /dev/null` in a CI gate was refused with exit 2
    # ("could not run"); the null device replaces nothing, so the run goes on
    res = run_cli("check", SAMPLE, "-o", "/dev/null", expect=1)
    assert res.stdout == "" and res.stderr == ""
    res = run_cli("check", SAMPLE, "-o", "/dev/null", "--format", "json", "--exit-zero", expect=0)
    assert res.stdout == ""
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)  # still the device, not a file
    # the commands whose -o is not read for its extension (the review of round 15)
    report = run_cli("report", SAMPLE, "--no-drawing", "-o", "/dev/null")
    assert report.stderr == "report written to /dev/null\n"
    assert "wrote /dev/null" in run_cli("explore", SAMPLE, "-o", "/dev/null").stderr


def test_output_trailing_slash_ja(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out").mkdir()
    res = run_cli("check", SAMPLE, "-o", "out/nonexist/", "--lang", "ja", expect=2)
    assert res.stderr == ("エラー: out/nonexist/: フォルダを指しています（末尾が '/'）。"
                          "ファイルを指定してください\n")


# -- an OSError naming no file: the message names what failed ----------------------
def test_oserror_without_filename_names_the_command(run_cli, monkeypatch):
    from lineage.output import rulesdoc

    def full(*_a, **_k):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(rulesdoc, "table", full)
    res = run_cli("rules", expect=2)
    assert res.stderr == "error: lineage rules: No space left on device\n"


def test_oserror_without_filename_snapshot_subcommand(run_cli, monkeypatch, tmp_path):
    from lineage.snapshots import render

    def fails(*_a, **_k):
        raise OSError("disk gone")
    monkeypatch.setattr(render, "list_table", fails)
    monkeypatch.chdir(tmp_path)
    import lineage
    from lineage.snapshots.store import Store
    with Store(tmp_path / "s.db") as store:
        store.add(lineage.check(SAMPLE))
    res = run_cli("snapshot", "list", "--store", "s.db", expect=2)
    assert res.stderr == "error: lineage snapshot list: disk gone\n"


def test_oserror_with_two_files():
    from lineage.cli import _failed
    assert _failed(OSError(18, "Invalid cross-device link", "a", None, "b")) == "a -> b"


# -- a country code ISO does not assign: refused, saying which code is meant ---------
def test_country_codes_iso_assigns(run_cli, tmp_path):
    # UK and EL are the EU's spellings of GB and GR: read as written, a provider in London
    # was judged as one outside the EU/EEA/UK (AP221)
    inv = tmp_path / "inv.yaml"
    inv.write_text('format: lineage/1\norganisation: mc\nas_of: 2026-01-01\nparties:\n'
                   '  - {id: mc, role: self}\n  - {id: ldn, country: UK}\n'
                   '  - {id: ath, country: EL}\n  - {id: zz, country: XX}\n'
                   '  - {id: pri, country: XK}\n  - {id: osl, country: NO}\nflows: []\n',
                   encoding="utf-8")
    res = run_cli("validate", inv, expect=2)
    assert res.stderr.splitlines() == [
        f"error: {inv}:6: parties ldn: field 'country': 'UK' is not an ISO 3166-1 alpha-2 "
        "country code: write GB",
        f"error: {inv}:7: parties ath: field 'country': 'EL' is not an ISO 3166-1 alpha-2 "
        "country code: write GR",
        f"error: {inv}:8: parties zz: field 'country': 'XX' is not a country code ISO 3166-1 "
        "alpha-2 assigns (e.g. JP, US, GB)",
        "3 problems; nothing was checked."]
    ja = run_cli("validate", inv, "--lang", "ja", expect=2)
    assert "'UK' は ISO 3166-1 alpha-2 の国コードではありません。GB と書いてください" in ja.stderr


# -- a value that does not match the ID pattern: the pattern in plain words --------
def test_id_pattern_in_words(run_cli, tmp_path):
    inv = tmp_path / "inv.yaml"
    inv.write_text('format: lineage/1\norganisation: mc\nas_of: 2026-01-01\nparties:\n'
                   '  - {id: mc, role: self}\n  - {id: "car rier", role: outsourcee, '
                   'country: Japan}\nflows: []\n', encoding="utf-8")
    res = run_cli("validate", inv, expect=2)
    assert res.stderr.splitlines() == [
        f"error: {inv}:6: parties car rier: field 'country': 'Japan' is not a country code: "
        "two capital letters (ISO 3166-1 alpha-2, e.g. JP, US)",
        f"error: {inv}:6: parties car rier: field 'id': 'car rier' is not a valid ID: an ID is "
        "one or more of the ASCII letters A-Z and a-z, the digits 0-9 and the characters "
        "- _ . @ / (no spaces, no other characters)",
        "2 problems; nothing was checked."]
    ja = run_cli("validate", inv, "--lang", "ja", expect=2).stderr.splitlines()[1]
    assert ja == (f"エラー: {inv}:6: parties car rier: フィールド 'id': 'car rier' は ID に使えません: "
                  "ID は半角英字 A-Z・a-z、数字 0-9、記号 - _ . @ / だけからなる 1 文字以上の文字列"
                  "です（空白やその他の文字は使えません）")


# -- draw notes: cleaned for the terminal ------------------------------------------
@pytest.mark.parametrize("lang, head", [("en", "note"), ("ja", "注記")])
def test_draw_notes_cleaned(run_cli, tmp_path, monkeypatch, lang, head):
    from lineage.drawing import Drawing

    def save(self, path):
        path.write_text("digraph {}\n")
        return ["layout 'dot' failed (Error: label \x1b[2J\nerror: forged)"]
    monkeypatch.setattr(Drawing, "save", save)
    res = run_cli("draw", SAMPLE, "-o", tmp_path / "m.dot", "--lang", lang)
    assert "\x1b" not in res.stderr and res.stderr.count("\n") == 2  # the note, "written"
    assert res.stderr.startswith(f"{head}: ") and "\\x1b[2J\\nerror: forged" in res.stderr


# -- clean(): bidirectional controls escaped -------------------------------------
@pytest.mark.parametrize("ch", ["\u202e", "\u202a", "\u2066", "\u2069", "\u200f", "\u061c"])
def test_clean_escapes_bidi_controls(run_cli, ch):
    from lineage.cli import clean
    assert clean(f"a{ch}b") == f"a\\u{ord(ch):04x}b"
    res = run_cli("validate", f"report{ch}txt.yaml", expect=2)
    assert ch not in res.stderr
    assert res.stderr.startswith(f"error: report\\u{ord(ch):04x}txt.yaml: ")


# -- check(packs="policy"): a string is one pack name ----------------------------
def test_check_packs_string_is_one_pack():
    import lineage
    one = lineage.check(SAMPLE, packs="policy", select="TP2", ignore="TP203")
    assert one.packs == ("policy",)
    assert sorted(one.summary()["findings"]) == ["TP222"]
    both = lineage.check(SAMPLE, packs=["policy", "appi", "policy"])
    assert both.packs == ("policy", "appi") and both.side_by_side
    assert both.as_dict() == lineage.check(SAMPLE, packs=("policy", "appi")).as_dict()


# -- -o -: standard output where the command writes text, refused elsewhere ---------
@pytest.mark.parametrize("command,want", [
    (["check", SAMPLE, "--format", "csv"], "id,rule,clause,kind,severity,flow"),
    (["report", SAMPLE, "--no-drawing", "--format", "markdown"], "# "),
    (["schema"], '{\n  "$schema"'),
])
def test_output_dash_is_standard_output(run_cli, tmp_path, monkeypatch, command, want):
    monkeypatch.chdir(tmp_path)
    res = run_cli(*command, "-o", "-", expect=None)
    assert res.code in (0, 1)
    assert res.stdout.lstrip("\ufeff").startswith(want)
    assert list(tmp_path.iterdir()) == []  # no file named '-'


@pytest.mark.parametrize("command", ["draw", "export", "explore"])
def test_output_dash_refused_for_files(run_cli, tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    res = run_cli(command, "missing-inv", "-o", "-", expect=2)
    assert res.stderr == "error: -o -: this command writes a file, not standard output; " \
                         "give a file name\n"
    assert list(tmp_path.iterdir()) == []


def test_output_dash_xlsx_needs_a_file(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = run_cli("check", SAMPLE, "--format", "xlsx", "-o", "-", expect=2)
    assert res.stderr == "error: --format xlsx writes a workbook: give -o FILE.xlsx\n"
    assert list(tmp_path.iterdir()) == []


# -- report and explore write only what their extension says -------------------------
@pytest.mark.parametrize("command,target,what", [
    ("explore", "inventory.yaml", "an HTML page (.html, .htm); refusing to write it to a .yaml file"),
    ("report", "inventory.yaml", "an HTML or Markdown report (.html, .htm, .md, .markdown); "
                                 "refusing to write it to a .yaml file"),
    ("report", "notes", "an HTML or Markdown report (.html, .htm, .md, .markdown); refusing "
                        "to write it to a file with no extension"),
])
def test_output_extension_refused(run_cli, tmp_path, monkeypatch, command, target, what):
    monkeypatch.chdir(tmp_path)
    (tmp_path / target).write_text("keep: me\n", encoding="utf-8")
    res = run_cli(command, SAMPLE, "-o", target, expect=2)
    assert res.stderr == f"error: {target}: this command writes {what}\n"
    assert (tmp_path / target).read_text(encoding="utf-8") == "keep: me\n"


# -- lineage rules: every title starts in one terminal column ------------------------
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_rules_table_titles_line_up(run_cli, lang):
    from lineage.output.rulesdoc import rules_of
    from lineage.terms import display_width
    out = run_cli("rules", "--rules", "policy,appi", "--lang", lang).stdout
    rules = rules_of(["policy", "appi"])
    lines = out.splitlines()
    assert len(lines) == len(rules)
    starts = {display_width(line[:line.rindex(r.title_ja if lang == "ja" else r.title_en)])
              for line, r in zip(lines, rules)}
    assert len(starts) == 1, starts


# -- snapshot tables line up Japanese labels and headings ------------------------------
def test_snapshot_list_lines_up_japanese(run_cli, tmp_path, monkeypatch):
    from lineage.terms import display_width
    store = tmp_path / "j.db"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    run_cli("snapshot", "create", SAMPLE, "--store", store, "--label", "監査2026年第4四半期")
    run_cli("snapshot", "create", SAMPLE, "--store", store, "--label", "q3",
            "--as-of", "2026-10-01")
    lines = run_cli("snapshot", "list", "--store", store, "--lang", "ja").stdout.splitlines()
    # the flow count (48) starts where the heading フロー starts, in every row
    starts = {display_width(line[:line.index(word)])
              for line, word in zip(lines, ["フロー", "48  ", "48  "])}
    assert len(starts) == 1, lines


def test_convert_to_dash_refused(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = run_cli("convert", SAMPLE, "-", "--to", "csv", expect=2)
    assert res.stderr == ("error: -: convert writes files, not standard output; give a file "
                          "or folder name\n")
    assert list(tmp_path.iterdir()) == []


def test_japanese_errors_keep_the_detail(run_cli, tmp_path):
    # the Japanese messages dropped what the English ones say (a trial found it)
    broken = tmp_path / "broken.yaml"
    broken.write_text("format: lineage/1\norganisation: mc\nas_of: 2026-01-01\nparties:\n"
                      "  - {id: mc, role: self\nflows: []\n", encoding="utf-8")
    res = run_cli("check", broken, "--lang", "ja", expect=2)
    assert res.stderr.splitlines()[0] == (
        f"エラー: {broken}:6: YAML の構文が正しくありません: ',' か '}}' がありません"
        "（{ } の閉じ忘れ？）")
    sjis = tmp_path / "sjis.yaml"
    sjis.write_bytes("format: lineage/1\norganisation: mc\nparties:\n"
                     "  - {id: mc, role: self, name: モノコラボ}\n".encode("cp932"))
    res = run_cli("check", sjis, "--lang", "ja", expect=2)
    assert "UTF-8 のテキストではありません（75 バイト目）。YAML ファイルは UTF-8 で保存して" \
           "ください" in res.stderr
    typo = tmp_path / "typo.yaml"
    typo.write_text("format: lineage/1\norganisation: mc\nas_of: 2026-01-01\nparties:\n"
                    "  - {id: mc, role: self}\nflows: []\nwaiver: []\n", encoding="utf-8")
    res = run_cli("check", typo, "--lang", "ja", expect=2)
    assert "不明な最上位キー 'waiver'（'waivers' のことですか？）" in res.stderr


@pytest.mark.parametrize("font", ['A"><script>alert(1)</script>', "\x1b]0;pwn\x07", "A;B", ""])
def test_draw_font_refused_before_loading(run_cli, tmp_path, font):
    # the hostile review of round 13: the font name went into the SVG's font-family as given
    res = run_cli("draw", tmp_path / "missing", "-o", tmp_path / "m.svg", "--font", font,
                  expect=2)
    assert res.stderr.startswith(f"error: font name {font!r}: only letters, digits, spaces")
    assert not (tmp_path / "m.svg").exists()


def test_draw_font_names_of_any_script_are_taken(run_cli, tmp_path):
    run_cli("draw", SAMPLE, "-o", tmp_path / "m.dot", "--font", "Noto Sans CJK JP")
    assert 'fontname="Noto Sans CJK JP"' in (tmp_path / "m.dot").read_text(encoding="utf-8")
    # a style is a word of the name, as Pango reads it; a fontconfig pattern would name
    # a family no system has (the hostile review of round 14), and is refused saying so
    run_cli("draw", SAMPLE, "-o", tmp_path / "m.svg", "--font", "Noto Sans CJK JP Bold")
    svg = (tmp_path / "m.svg").read_text(encoding="utf-8")
    assert 'font-family="Noto Sans CJK JP Bold' in svg
    err = run_cli("draw", SAMPLE, "-o", tmp_path / "n.svg", "--font",
                  "Noto Sans CJK JP:style=Bold", expect=2).stderr
    assert err.startswith("error: font name 'Noto Sans CJK JP:style=Bold': a style is a word "
                          "of the name, as in 'Noto Sans CJK JP Bold';")


@pytest.mark.parametrize("value", ["inf", "nan", "1e308", "0"])
def test_draw_timeout_out_of_range_is_a_usage_error(run_cli, tmp_path, value):
    # the hostile review of round 15: inf and nan gave internal errors
    res = run_cli("draw", SAMPLE, "-o", tmp_path / "d.svg", "--timeout", value, expect=2)
    assert "Invalid value for '--timeout'" in res.stderr and "internal" not in res.stderr
    assert not (tmp_path / "d.svg").exists()
