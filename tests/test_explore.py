"""The explorer page without a browser: vendored files, safety, determinism, the command."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import sys

from click.testing import CliRunner

import lineage
from lineage.cli import cli
from lineage.explorer import explorer_data, page_html, write_page
from lineage.explorer.page import notices

from paths import ROOT, SAMPLE
from report_helpers import IMG, SCRIPT, hostile_inventory

VENDOR = ROOT / "lineage" / "explorer" / "static" / "vendor"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_vendored_files_match_their_manifest():
    manifest = json.loads((VENDOR / "manifest.json").read_text())
    assert [(e["name"], e["version"], e["license"]) for e in manifest] == \
        [("cytoscape", "3.35.0", "MIT")]
    listed = set()
    for entry in manifest:
        assert any("LICENSE" in n for n in entry["files"]), entry["name"]
        for name, digest in entry["files"].items():
            assert _sha((VENDOR / name).read_bytes()) == digest, name
            listed.add(name)
    assert {p.name for p in VENDOR.iterdir()} == listed | {"manifest.json"}
    assert "Permission is hereby granted" in (VENDOR / "cytoscape.LICENSE.txt").read_text()


def test_every_page_carries_the_notices(tmp_path):
    html = page_html(lineage.check(SAMPLE))
    licence = (VENDOR / "cytoscape.LICENSE.txt").read_text().strip()
    assert notices().startswith("cytoscape 3.35.0 (MIT)")
    footer = html[html.index('<footer class="lx-notices"'):]
    assert "cytoscape 3.35.0 (MIT)" in footer
    assert licence.splitlines()[-1].strip() in footer


def test_csp_allows_exactly_the_page_script_and_style_by_hash():
    html = page_html(lineage.check(SAMPLE))
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert policy.startswith("default-src 'none'; ")
    scripts = re.findall(r'<script type="module">(.*?)</script>', html, re.S)
    styles = re.findall(r"<style[^>]*>(.*?)</style>", html, re.S)
    assert len(scripts) == 1 and len(styles) == 1

    def h(text):
        return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    assert f"script-src '{h(scripts[0])}'" in policy
    assert f"style-src '{h(styles[0])}'" in policy
    assert "unsafe-inline" not in policy and "connect-src" not in policy
    assert "http" not in policy


def test_data_block_escapes_markup_and_round_trips(tmp_path):
    audit = lineage.check(hostile_inventory(tmp_path))
    html = page_html(audit)
    block = re.search(r'<script type="application/json" id="lineage-data">(.*?)</script>',
                      html, re.S).group(1)
    assert not set(block) & set("<>&")
    assert SCRIPT not in html and IMG not in html
    data = json.loads(block)
    assert data == json.loads(json.dumps(explorer_data(audit)))
    assert SCRIPT in "".join(data["parties"]["name_en"]) and IMG in data["items"]["name_en"]


def test_same_input_same_bytes(tmp_path):
    a = write_page(lineage.check(SAMPLE), tmp_path / "a.html").read_bytes()
    b = write_page(lineage.check(SAMPLE), tmp_path / "b.html").read_bytes()
    assert a == b


def test_data_follows_the_audit():
    audit = lineage.check(SAMPLE)
    data = explorer_data(audit)
    flows = data["flows"]
    report = audit.as_dict()
    assert flows["id"] == [f["id"] for f in report["flows"]]
    assert flows["status"] == [f["status"] for f in report["flows"]]
    assert flows["route"] == [f["route"] for f in report["flows"]]
    assert [data["findings"][i]["id"] for fl in flows["findings"] for i in fl] == \
        [x for f in report["flows"] for x in f["findings"]]
    n = flows["id"].index("F30")
    [finding] = [data["findings"][i] for i in flows["findings"][n]]
    assert (finding["rule"], finding["clause"]) == ("TP222", "5[2]3")
    # the sample's own policy words for the clause (inventories/monocollabo/policy.yaml)
    assert [(c["clause"], c["label"]) for c in finding["policy"]] == [("5[2]3", "方針5 [2] 第3号")]
    assert finding["remedy"] and finding["remedy_ja"] and finding["title_ja"]
    # hop columns as the drawing ranks them: the organisation, then hop by hop
    p = data["parties"]
    x = dict(zip(p["id"], p["x"]))
    assert x["monocollabo"] < x["mailing-house"] < x["print-shop"]
    assert sorted(data["traces"]) == sorted(i for i in data["items"]["id"]
                                            if any(i in f.items for f in
                                                   audit.inventory.flows))


def test_explore_command(tmp_path):
    out = tmp_path / "e.html"
    r = CliRunner().invoke(cli, ["explore", str(SAMPLE), "-o", str(out), "--lang", "ja",
                                 "--as-of", "2025-01-01"])
    assert r.exit_code == 0, r.output
    audit = lineage.check(SAMPLE, as_of=dt.date(2025, 1, 1))
    s = audit.summary()
    assert r.output == (f"{out} を書き出しました: 当事者 {len(audit.inventory.parties)} 件、"
                        f"フロー {s['flows']} 件、違反 {s['status']['violation']} 件\n")
    html = out.read_text(encoding="utf-8")
    assert '<html lang="ja"' in html and '"as_of":"2025-01-01"' in html
    assert "<summary>ライセンス表示</summary>" in html and ">Notices<" not in html
    assert '"lang":"ja"' in html


def test_explore_command_errors_exit_2_without_traceback(tmp_path):
    runner = CliRunner()
    for args, message in [
        (["explore", str(SAMPLE), "-o", str(tmp_path / "no" / "x.html")], "does not exist"),
        (["explore", str(SAMPLE), "-o", str(tmp_path)], "is a folder"),
        (["explore", str(SAMPLE), "-o", str(tmp_path / "x.html"), "--rules", "nope"],
         "unknown rule pack 'nope'"),
        (["explore", str(tmp_path / "missing"), "-o", str(tmp_path / "x.html")], "error:"),
        (["explore", str(SAMPLE), "-o", str(tmp_path / "x.html"), "--as-of", "2025-13-01"],
         "not a real date"),
    ]:
        r = runner.invoke(cli, args)
        assert r.exit_code == 2, (args, r.output)
        assert message in r.output and "Traceback" not in r.output
    assert not (tmp_path / "x.html").exists()


def test_explore_without_anywidget_shows_the_page(monkeypatch):
    monkeypatch.setitem(sys.modules, "anywidget", None)
    shown = lineage.explore(lineage.check(SAMPLE), lang="ja")
    assert type(shown).__name__ == "ExplorerPage"
    html = shown._repr_html_()
    assert html.startswith("<iframe") and "srcdoc=" in html and "&lt;!DOCTYPE html&gt;" in html
    shown.selection = ["F30"]
    assert shown.selected_flows["status"].tolist() == ["violation"]


def test_explore_accepts_a_path():
    w = lineage.explore(SAMPLE)
    assert json.loads(w.data)["as_of"] == lineage.check(SAMPLE).as_of.isoformat()
    assert dt.date.fromisoformat(json.loads(w.data)["as_of"])


def test_readme_explore_example_is_what_explore_prints(tmp_path, monkeypatch):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("$ lineage explore inventories/monocollabo -o explorer.html\n", 1)[1]
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(cli, ["explore", str(SAMPLE), "-o", "explorer.html"])
    assert r.exit_code == 0 and block.split("```", 1)[0] == r.output
    assert (ROOT / "docs" / "images" / "explorer.png").read_bytes()[:4] == b"\x89PNG"


def test_policy_wording_comes_from_the_inventory_policy_clauses():
    """The spec's ``policy: clauses:`` map (docs/spec/inventory.md), as a dict or a model."""
    from types import SimpleNamespace

    from lineage.explorer.data import _policy_clauses
    words = {"label": "第6条第2項", "text": "当社は、共同利用する項目を公表します。"}
    as_dict = SimpleNamespace(policy={"title": "方針", "clauses": {"5[2]3": words}})
    as_model = SimpleNamespace(policy=SimpleNamespace(
        clauses={"5[2]3": SimpleNamespace(**words)}))
    assert _policy_clauses(as_dict) == _policy_clauses(as_model) == {"5[2]3": words}
    assert _policy_clauses(SimpleNamespace()) == {}
    assert _policy_clauses(SimpleNamespace(policy={"clauses": {"1.5": {"label": "第3条"}}})) \
        == {"1.5": {"label": "第3条", "text": None}}


def test_item_traces_beyond_the_budget_are_left_to_the_page(monkeypatch):
    """A large inventory gets traces for the items on the most flows; the rest are absent
    (the page says "no trace computed") rather than slowing the write."""
    from lineage.analysis import trace
    from lineage.explorer import data as explorer_module
    audit = lineage.check(SAMPLE)
    n = len(audit.flow_results)
    monkeypatch.setattr(explorer_module, "TRACE_LIMIT", 3 * n)
    traces = explorer_data(audit)["traces"]
    carried = {}
    for f in audit.inventory.flows:
        for i in f.items:
            carried[i] = carried.get(i, 0) + 1
    assert len(traces) == 3
    assert sorted(carried[i] for i in traces) == sorted(carried.values())[-3:]
    for item, flows in traces.items():
        assert flows == trace(audit, item).highlight


def test_explore_command_counts_in_the_singular(tmp_path):
    inv = tmp_path / "one.yaml"
    inv.write_text("format: lineage/1\norganisation: org\nparties:\n  - {id: org, role: self}\n"
                   "flows: []\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["explore", str(inv), "-o", str(tmp_path / "one.html")])
    assert r.exit_code == 0
    assert r.output == f"wrote {tmp_path / 'one.html'}: 1 party, 0 flows, 0 violating\n"


def test_explore_takes_the_language_from_the_locale(run_cli, tmp_path):
    # Its --lang defaulted to en whatever LINEAGE_LANG said (an office user's trial).
    out = tmp_path / "e.html"
    res = run_cli("explore", SAMPLE, "-o", out, env={"LINEAGE_LANG": "ja"})
    assert res.stderr.startswith(f"{out} を書き出しました: 当事者 ")
    assert '<html lang="ja"' in out.read_text(encoding="utf-8")


def test_the_waived_swatch_is_dashed_as_its_edges_are_not_the_grey_of_ok():
    # the trial of round 15 could not tell 適合 from 承認済み in the status counts
    page = page_html(lineage.check("inventories/monocollabo"), lang="ja")
    waived = re.search(r"\[data-status=waived\]\.lx-swatch[^{]*\{([^}]*)\}", page).group(1)
    ok = re.search(r"\[data-status=ok\]\.lx-swatch[^{]*\{([^}]*)\}", page).group(1)
    assert "repeating-linear-gradient" in waived and "repeating" not in ok
