"""``lineage draw`` and ``lineage.draw``: visual language, views, fonts, errors, layout ladder.

Every test renders with the real Graphviz installed on the machine.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

import lineage
from lineage.drawing import Step, draw, plan_layout
from lineage.drawing import render as render_mod
from lineage.drawing.dot import quote
from lineage.drawing.render import RenderError, run_graphviz
from lineage.drawing.style import DEFAULT_FONT, STATUS_STYLE

SAMPLE = Path(__file__).resolve().parent.parent / "inventories" / "monocollabo"

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"
VIOLATING = {"F30", "F31", "F33", "F36", "F38", "F39", "F41", "F44"}


@pytest.fixture(scope="module")
def sample_svg(tmp_path_factory):
    out = tmp_path_factory.mktemp("svg") / "map.svg"
    lineage.draw(SAMPLE, lang="ja", links="report.html#{finding}").save(out)
    return ET.parse(out).getroot()


def _groups(root, cls):
    return [g for g in root.iter(f"{SVG}g") if cls in (g.get("class") or "").split()]


def _flows_in_dot(text: str) -> set[str]:
    return set(re.findall(r'id="flow-([^"]+)"', text))


def _texts(root) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


# -- the drawing of the sample ---------------------------------------------------------

def test_cli_draws_png_without_leftovers(run_cli, tmp_path):
    out = tmp_path / "map.png"
    res = run_cli("draw", SAMPLE, "-o", out, "--lang", "ja")
    assert res.stderr == f"図を {out} に書き出しました\n"
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["map.png"]


@pytest.mark.parametrize("ext, magic", [(".svg", b"<?xml"), (".pdf", b"%PDF"),
                                        (".dot", b'digraph "lineage"')])
def test_format_follows_extension(run_cli, tmp_path, ext, magic):
    out = tmp_path / f"map{ext}"
    run_cli("draw", SAMPLE, "-o", out)
    assert out.read_bytes().startswith(magic)


def test_violations_red_thick_with_rule_ids(sample_svg):
    edges = {g.get("id")[len("flow-"):]: g for g in _groups(sample_svg, "edge")}
    assert len(edges) == 48
    red = STATUS_STYLE["violation"]["color"]
    for fid, g in edges.items():
        path = g.find(f".//{SVG}path")
        if fid in VIOLATING:
            assert "status-violation" in g.get("class")
            assert path.get("stroke") == red and float(path.get("stroke-width")) >= 3
        else:
            assert path.get("stroke") != red
    label = " ".join("".join(t.itertext()) for t in edges["F44"].iter(f"{SVG}text"))
    assert "違反 TP203" in label and "[外部]" in label


def test_waived_dashed_and_ok_neutral(sample_svg):
    edges = {g.get("id")[len("flow-"):]: g for g in _groups(sample_svg, "edge")}
    assert edges["F37"].find(f".//{SVG}path").get("stroke-dasharray")
    assert "承認済み TP102" in " ".join(_texts(edges["F37"]))
    ok = edges["F08"].find(f".//{SVG}path")
    assert ok.get("stroke") == STATUS_STYLE["ok"]["color"] and not ok.get("stroke-dasharray")


def test_every_node_and_edge_has_a_full_tooltip(sample_svg):
    nodes, edges = _groups(sample_svg, "node"), _groups(sample_svg, "edge")
    assert len(nodes) == 32 + 1  # parties and the legend
    for g in nodes + edges:
        assert any(a.get(f"{XLINK}title") for a in g.iter(f"{SVG}a")), g.get("id")
    tip = next(a.get(f"{XLINK}title") for g in edges if g.get("id") == "flow-F30"
               for a in g.iter(f"{SVG}a"))
    for part in ("F30", "電話番号 (phone)", "group_offers", "joint_use", "2024-05-01",
                 "TP222:F30:phone", "J1"):
        assert part in tip, part


def test_edges_link_to_their_findings(sample_svg):
    hrefs = {a.get(f"{XLINK}href") for a in sample_svg.iter(f"{SVG}a")} - {None}
    assert "report.html#TP222:F30:phone" in hrefs
    assert "report.html#TP102:F37:C05" in hrefs
    assert not any("F08" in h for h in hrefs)


def test_zones_legend_and_organisation(sample_svg):
    ids = {g.get("id") for g in sample_svg.iter(f"{SVG}g")}
    for zone in ("cluster_subjects", "cluster_org", "cluster_ju_J1", "cluster_third",
                 "cluster_public"):
        assert zone in ids
    assert "legend" in ids
    texts = _texts(sample_svg)
    assert "凡例" in texts and "モノコラボ" in texts


def test_zones_hold_the_right_parties():
    text = draw(SAMPLE).source
    body = text.split('subgraph "cluster_org"')[1].split("}")[0]
    assert '"carrier"' in body and '"new-owner"' in body and '"ad-network"' not in body
    j1 = text.split('subgraph "cluster_ju_J1"')[1].split("}")[0]
    assert '"collabo-living"' in j1 and '"collabo-travel"' in j1
    third = text.split('subgraph "cluster_third"')[1].split("}")[0]
    assert '"mailing-affiliate"' in third and '"police"' not in third


def test_english_labels():
    text = draw(SAMPLE, lang="en").source
    assert "Phone number" in text and "violation TP222" in text and "電話番号" not in text.split(
        "tooltip")[0]


# -- fonts -------------------------------------------------------------------------------

def test_default_font_list_has_an_installed_japanese_font():
    families = [f.strip() for f in DEFAULT_FONT.split(",")]
    with_glyphs = subprocess.run(["fc-list", ":charset=6c0f 540d", "family"],
                                 capture_output=True, text=True, check=True).stdout
    installed = {name for line in with_glyphs.splitlines() for name in line.split(",")}
    assert installed & set(families), (families, installed)
    assert f'fontname="{DEFAULT_FONT}"' in draw(SAMPLE).source


def test_japanese_renders_as_glyphs_not_tofu(tmp_path, monkeypatch):
    """Render a Japanese label as PNG; compare with a rendering where no CJK font exists."""
    dot = f'digraph {{ n [fontname="{DEFAULT_FONT}", label="氏名と住所の一覧"] }}'
    png, _ = run_graphviz(dot, "png")
    plain, _ = run_graphviz(dot, "plain")
    (tmp_path / "fonts.conf").write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        "<dir>/usr/share/fonts/truetype/dejavu</dir>"
        f"<cachedir>{tmp_path}/cache</cachedir></fontconfig>")
    monkeypatch.setenv("FONTCONFIG_FILE", str(tmp_path / "fonts.conf"))
    tofu_png, _ = run_graphviz(dot, "png")
    tofu_plain, _ = run_graphviz(dot, "plain")
    width = float(plain.split()[2])
    tofu_width = float(tofu_plain.split()[2])
    assert png[:4] == b"\x89PNG" and png != tofu_png
    assert abs(width - tofu_width) > 0.1
    # eight full-width glyphs at 14 pt are about 1.6 in; the node adds its margins
    assert 1.6 < width < 2.6


def test_font_option_overrides(run_cli, tmp_path):
    out = tmp_path / "map.dot"
    run_cli("draw", SAMPLE, "-o", out, "--font", "IPAexGothic")
    text = out.read_text()
    assert 'fontname="IPAexGothic"' in text and "Noto" not in text


# -- focused views -------------------------------------------------------------------

def _draw_dot(run_cli, tmp_path, *args) -> str:
    out = tmp_path / "view.dot"
    run_cli("draw", SAMPLE, "-o", out, *args)
    return out.read_text()


def test_only_violations_shows_the_violating_flows_and_their_ends(run_cli, tmp_path):
    text = _draw_dot(run_cli, tmp_path, "--only-violations")
    assert _flows_in_dot(text) == VIOLATING
    assert "F10" not in _flows_in_dot(text)   # mailing-house's incoming flow: not violating
    assert "violating flows only" in text     # the title says what is drawn


def test_item_view(run_cli, tmp_path):
    flows = _flows_in_dot(_draw_dot(run_cli, tmp_path, "--item", "payment_info"))
    assert flows == {"F02", "F09"}


def test_party_depth_view(run_cli, tmp_path):
    text = _draw_dot(run_cli, tmp_path, "--party", "mailing-house", "--depth", "1")
    # the parties one hop away, and every flow among them
    assert _flows_in_dot(text) == {"F01", "F10", "F11", "F22", "F24", "F44"}
    zero = _draw_dot(run_cli, tmp_path, "--party", "mailing-house", "--depth", "0")
    assert _flows_in_dot(zero) == set() and '"mailing-house" [' in zero


def test_route_view(run_cli, tmp_path):
    flows = _flows_in_dot(_draw_dot(run_cli, tmp_path, "--route", "consent"))
    audit = lineage.check(SAMPLE)
    assert flows == {r.id for r in audit.flow_results if r.route == "consent"}


def test_merge_parallel_flows_with_counts(run_cli, tmp_path):
    text = _draw_dot(run_cli, tmp_path, "--merge")
    assert text.count(" -> ") == 44
    assert "F02, F03 (2 flows)" in text


def test_views_render_for_real(tmp_path):
    out = tmp_path / "v.svg"
    assert draw(SAMPLE, only_violations=True, merge=True).save(out)
    assert ET.parse(out).getroot().tag == f"{SVG}svg"


# -- bad arguments ----------------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (["-o", "{tmp}/map.jpg"], "unknown drawing format '.jpg'"),
    (["-o", "{tmp}/map.svg", "--item", "nope"], "unknown data item 'nope'"),
    (["-o", "{tmp}/map.svg", "--party", "nope"], "unknown party 'nope'"),
    (["-o", "{tmp}/map.svg", "--party", "monocollabo", "--depth", "-1"], "--depth must be 0"),
    (["-o", "{tmp}/missing/map.svg"], "does not exist"),
    (["-o", "{tmp}"], "is a folder"),
])
def test_bad_arguments_one_line_exit_2(run_cli, tmp_path, args, message):
    res = run_cli("draw", SAMPLE, *[a.format(tmp=tmp_path) for a in args], expect=2)
    assert res.stderr.count("\n") == 1 and res.stderr.startswith("error: ")
    assert message in res.stderr
    assert list(tmp_path.iterdir()) == []


def test_unwritable_path_exit_2(run_cli, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    res = run_cli("draw", SAMPLE, "-o", blocker / "map.svg", expect=2)
    assert res.stderr.count("\n") == 1


# -- escaping ---------------------------------------------------------------------------

NASTY = ['say "hi"', "back\\slash \\N \\l", "<b>bold</b> & &amp;", "two\nlines",
         "graph", "{ } [ ] ; = -- ->", "subgraph node edge strict", "末尾\\"]


@pytest.fixture
def nasty_inventory(tmp_path):
    ids = ["node", "graph", "edge", "subgraph", "strict", "digraph", "a/b", "x@y"]
    parties = [{"id": "node", "name": NASTY[0], "name_en": NASTY[0], "role": "self"}]
    parties += [{"id": i, "name": n, "name_en": n, "role": r}
                for i, n, r in zip(ids[1:], NASTY[1:], ["data_subject", "outsourcee",
                                                        "third_party", "public_body",
                                                        "joint_user", "successor",
                                                        "third_party"])]
    doc = {"format": "lineage/1", "organisation": "node", "as_of": "2025-01-01",
           "data_items": [{"id": "it.1", "name": NASTY[3], "name_en": NASTY[2]},
                          {"id": "it-2", "name": NASTY[1], "name_en": NASTY[0]}],
           "parties": parties,
           "notices": [{"id": "J-1", "kind": "joint_use", "members": ["node", "digraph"],
                        "items": ["it.1"], "published_on": "2024-01-01"}],
           "flows": [{"id": f"F{k}", "from": "node" if k % 2 else "graph",
                      "to": ids[k] if k % 2 else "node", "items": ["it.1", "it-2"],
                      "start": "2024-04-01", "basis": "consent" if k == 3 else None}
                     for k in range(1, 8)]}
    doc["flows"] = [{k: v for k, v in f.items() if v is not None} for f in doc["flows"]]
    path = tmp_path / "nasty.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_nasty_names_are_escaped_and_parse(nasty_inventory, tmp_path, lang):
    drawing = draw(nasty_inventory, lang=lang)
    proc = subprocess.run(["dot", "-Tcanon"], input=drawing.source.encode(),
                          capture_output=True)
    assert proc.returncode == 0 and proc.stderr == b"", proc.stderr
    out = tmp_path / "nasty.svg"
    drawing.save(out)
    root = ET.parse(out).getroot()
    texts = _texts(root)
    for name in NASTY:
        for line in name.split("\n"):
            assert line in texts, (line, texts)
    titles = [a.get(f"{XLINK}title") or "" for a in root.iter(f"{SVG}a")]
    assert any('say "hi"' in t for t in titles)


def test_quote_round_trips_through_graphviz():
    for name in NASTY:
        dot = f"digraph {{ n [label={quote(name)}] }}"
        svg, _ = run_graphviz(dot, "svg", nodes=1)
        texts = _texts(ET.fromstring(svg))
        assert texts == name.split("\n")


# -- determinism ------------------------------------------------------------------------

def test_dot_is_deterministic_and_golden(golden):
    a = draw(SAMPLE).source
    assert a == draw(lineage.check(SAMPLE)).source
    golden("monocollabo.dot", a)
    golden("monocollabo-ja.dot", draw(SAMPLE, lang="ja").source)


# -- Python API and Jupyter ----------------------------------------------------------

def test_python_api_matches_cli(run_cli, tmp_path):
    out = tmp_path / "cli.dot"
    run_cli("draw", SAMPLE, "-o", out, "--lang", "ja", "--merge")
    assert out.read_text() == lineage.check(SAMPLE).draw(lang="ja", merge=True).source


def test_repr_svg_for_jupyter():
    d = lineage.draw(SAMPLE, only_violations=True)
    svg = d._repr_svg_()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "Drawing" in repr(d)


# -- large graphs: the layout ladder ---------------------------------------------------

def _synthetic(tmp_path, parties: int, flows_per_party: int = 2) -> Path:
    ps = [{"id": "org", "name": "本社", "role": "self"}]
    ps += [{"id": f"p{k}", "name": f"会社{k}", "role": "outsourcee"} for k in range(1, parties)]
    fl = [{"id": f"F{k}", "from": "org" if k < parties else f"p{(k * 7) % (parties - 1) + 1}",
           "to": f"p{k % (parties - 1) + 1}", "items": ["x"], "start": "2024-04-01"}
          for k in range(1, parties * flows_per_party)]
    fl = [f for f in fl if f["from"] != f["to"]]
    doc = {"format": "lineage/1", "organisation": "org", "parties": ps, "flows": fl}
    path = tmp_path / "big.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


def test_plan_degrades_by_size():
    assert [s.mode for s in plan_layout(30, 40)[0]] == ["clusters", "ranked", "ranked", "sfdp"]
    steps, notes = plan_layout(1000, 3000)
    assert steps[0] == Step("ranked", False) and "clusters" in notes[0]
    steps, notes = plan_layout(5000, 15000)
    assert steps == [Step("sfdp", True, "sfdp", labels=False, overlap="prism0")]
    assert notes[2] == "5000 parties: node overlaps only reduced by scaling (full overlap " \
                       "removal skipped)"
    assert "laid out with sfdp" in notes[0] and "flow labels dropped" in notes[1]
    steps, _ = plan_layout(30, 40, layout="sfdp")
    assert steps == [Step("sfdp", True, "sfdp")]


def test_big_inventory_drops_clusters_and_says_so(run_cli, tmp_path):
    inv = _synthetic(tmp_path, 400)
    out = tmp_path / "big.svg"
    res = run_cli("draw", inv, "-o", out)
    assert "note: 400 parties: zones (clusters) dropped" in res.stderr
    root = ET.parse(out).getroot()
    assert len(_groups(root, "edge")) == len(yaml.safe_load(inv.read_text())["flows"])
    text = draw(inv).source
    assert "rank=same" in text and "xlabel=" in text and "cluster_" not in text


def test_failing_step_degrades_to_the_next(monkeypatch, tmp_path):
    real = render_mod.run_graphviz
    calls = []

    def flaky(dot_text, fmt, *, engine="dot", **kw):
        calls.append(engine)
        if "cluster_" in dot_text:
            raise RenderError("Graphviz dot laid out 30 of 32 nodes and 40 of 44 edges")
        return real(dot_text, fmt, engine=engine, **kw)
    monkeypatch.setattr("lineage.drawing.run_graphviz", flaky)
    out = tmp_path / "map.svg"
    notes = draw(SAMPLE).save(out)
    assert any("failed (Graphviz dot laid out 30 of 32" in n for n in notes)
    assert any("zones not drawn" in n for n in notes)
    assert len(_groups(ET.parse(out).getroot(), "edge")) == 48


def test_total_failure_leaves_no_file_and_keeps_the_old_one(monkeypatch, run_cli, tmp_path):
    def broken(*a, **kw):
        raise RenderError("Graphviz dot failed (exit 1): Error: trouble in init_rank")
    monkeypatch.setattr("lineage.drawing.run_graphviz", broken)
    out = tmp_path / "map.svg"
    out.write_text("old")
    res = run_cli("draw", SAMPLE, "-o", out, expect=2)
    assert res.stderr.startswith("error: no layout succeeded")
    assert res.stderr.count("\n") == 1
    assert out.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["map.svg"]


def test_lost_edges_and_errors_are_detected():
    with pytest.raises(RenderError, match="1 of 1 nodes and 0 of 1 edges"):
        run_graphviz("digraph { a }", "svg", nodes=1, edges=1)
    with pytest.raises(RenderError, match="syntax error"):
        run_graphviz("digraph { a -> }", "svg")


def test_timeout_is_a_render_error():
    big = "digraph {" + " ".join(f"n{i} -> n{(i * 7919) % 3000};" for i in range(3000)) + "}"
    with pytest.raises(RenderError, match="took longer than"):
        run_graphviz(big, "svg", timeout=0.05)


@pytest.mark.parametrize("layout", ["ranked", "merged", "sfdp"])
def test_every_layout_renders_the_sample_completely(tmp_path, layout):
    drawing = draw(SAMPLE, layout=layout)
    out = tmp_path / "map.svg"
    drawing.save(out)
    edges = _groups(ET.parse(out).getroot(), "edge")
    assert len(edges) == (48 if layout == "ranked" else 44)


def test_warnings_amber_and_waived_dashed_in_dot():
    from lineage.drawing.dot import Context, build_dot
    from lineage.rules.base import Finding
    import networkx as nx
    g = nx.MultiDiGraph()
    g.add_node("me", name="私", name_en="Me", role="self")
    g.add_node("you", name="あなた", name_en="You", role="third_party")
    g.add_edge("me", "you", key="W1", items=["x"], route="consent", status="warning")
    g.add_edge("me", "you", key="W2", items=["x"], route="consent", status="waived")
    warn = Finding(rule="TP999", clause="5[1]", kind="purpose", severity="warning",
                   flow="W1", frm="me", to="you", message="careful")
    waived = Finding(rule="TP998", clause="5[1]", kind="purpose", severity="error",
                     flow="W2", frm="me", to="you", message="accepted", waived=True)
    text = build_dot(g, Context("me", findings={"W1": [warn], "W2": [waived]}))
    w1 = next(line for line in text.splitlines() if '"flow-W1"' in line)
    w2 = next(line for line in text.splitlines() if '"flow-W2"' in line)
    assert f'color="{STATUS_STYLE["warning"]["color"]}"' in w1 and "warning TP999" in w1
    assert 'style="dashed"' in w2 and "waived TP998" in w2 and "(waived) accepted" in w2
    svg, _ = run_graphviz(text, "svg", nodes=3, edges=2)
    classes = [g.get("class") for g in ET.fromstring(svg).iter(f"{SVG}g")]
    assert "edge flow status-warning route-consent" in classes


@pytest.mark.parametrize("lang, words", [("ja", "経路 本人の同意"), ("en", "route consent")])
def test_title_names_a_route_filter_in_either_language(lang, words):
    # Regression: the Japanese title named the route through an unimported helper and
    # `lineage draw --route consent --lang ja` ended in an internal error.
    d = draw(lineage.check("inventories/monocollabo"), route="consent", lang=lang)
    assert words in d.source


def test_parallel_flows_keep_their_labels_apart():
    # A trial's inventory (tests/drawings/parallel-flows.yaml): with dot's newrank, two
    # flows from one department to one outsourcee (F10, F30) took one path and their
    # labels lay on top of each other
    import json
    inv = Path(__file__).parent / "drawings" / "parallel-flows.yaml"
    source = draw(lineage.check(inv), lang="ja").source
    layout = json.loads(subprocess.run(["dot", "-Tjson"], input=source.encode("utf-8"),
                                       capture_output=True, check=True).stdout)
    edges = [e for e in layout["edges"] if "lp" in e]
    by_pair: dict = {}
    for e in edges:
        by_pair.setdefault((e["tail"], e["head"]), []).append(e)
    parallel = [es for es in by_pair.values() if len(es) > 1]
    assert parallel  # the inventory has some
    for es in parallel:
        for a in es:
            for b in es:
                if a is b:
                    continue
                assert a["pos"] != b["pos"], (a["id"], b["id"])
                (x1, y1), (x2, y2) = (map(float, e["lp"].split(",")) for e in (a, b))
                # label boxes, 12.5 pt a line at the 10 pt edge font: apart in x or in y
                lines = (a["label"].count("\\n") + 1 + b["label"].count("\\n") + 1) / 2
                assert abs(x1 - x2) > 40 or abs(y1 - y2) >= 12.5 * lines, (a["id"], b["id"])


def test_planned_and_ended_flows_say_so_in_their_labels():
    # the trial of round 12: a map "as of" a day drew a flow starting months later, and
    # flows long ended, like any running one
    inv = lineage.load(SAMPLE)
    late = next(f for f in inv.flows if f.id == "F10").model_copy(update={
        "id": "F99", "start": inv.as_of.replace(year=inv.as_of.year + 1), "end": None})
    text = draw(lineage.check(inv.model_copy(update={"flows": [*inv.flows, late]})),
                lang="en").source
    label = re.search(r'id="flow-F99"[^]]*? label="([^"]*)"', text).group(1)
    assert label.endswith(f"\\nplanned from {late.start}")
    ended = re.search(r'id="flow-F16"[^]]*? label="([^"]*)"', text).group(1)
    assert ended.endswith("\\nended 2025-03-31")
    running = re.search(r'id="flow-F10"[^]]*? label="([^"]*)"', text).group(1)
    assert "planned" not in running and "ended" not in running


def test_merged_edges_count_their_planned_and_ended_flows():
    # the second review of round 12: a merged edge of a running, a planned and an ended
    # flow showed one period, earliest start to open end, as if all three ran
    inv = lineage.load(SAMPLE)
    base = next(f for f in inv.flows if f.id == "F10")
    extra = [base.model_copy(update={"id": "F98", "start": inv.as_of.replace(
                 year=inv.as_of.year + 1), "end": None}),
             base.model_copy(update={"id": "F99", "start": dt.date(2024, 1, 1),
                                     "end": dt.date(2024, 12, 31)})]
    audit = lineage.check(inv.model_copy(update={"flows": [*inv.flows, *extra]}))
    for lang, want in (("en", "\\n1 planned, 1 ended\\n"), ("ja", "\\n開始予定 1・終了 1\\n")):
        text = draw(audit, lang=lang, layout="merged").source
        label = re.search(r'id="flow-F10"[^]]*? x?label="([^"]*)"', text).group(1)
        assert "(3 " in label and want in label + "\\n", label
    alone = draw(lineage.check(inv), lang="en", layout="merged").source
    label = re.search(r'id="flow-F10"[^]]*? x?label="([^"]*)"', alone).group(1)
    assert "planned" not in label and "ended" not in label


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_flows_both_ways_between_two_parties_keep_their_labels_apart(lang):
    # The trial of round 13 (tests/drawings/both-ways.yaml, a tutoring-school chain): a
    # scholarship body's application F19 and its answer F20 went on one path, their labels
    # on top of each other; the way back is now drawn from the same end, arrow reversed
    import json
    inv = Path(__file__).parent / "drawings" / "both-ways.yaml"
    source = draw(lineage.check(inv), lang=lang).source
    assert 'id="flow-F20"' in source and 'dir="back"' in source
    layout = json.loads(subprocess.run(["dot", "-Tjson"], input=source.encode("utf-8"),
                                       capture_output=True, check=True).stdout)
    names = {o["_gvid"]: o["name"] for o in layout["objects"]}
    by_pair: dict = {}
    for e in layout["edges"]:
        if "lp" in e or "xlp" in e:
            by_pair.setdefault(frozenset((names[e["tail"]], names[e["head"]])), []).append(e)
    both = [es for es in by_pair.values() if len(es) > 1]
    assert len(both) >= 4  # the inventory has several
    for es in both:
        for a in es:
            for b in es:
                if a is b:
                    continue
                (x1, y1), (x2, y2) = (map(float, (e.get("lp") or e["xlp"]).split(","))
                                      for e in (a, b))
                text = [e.get("label") or e.get("xlabel") or "" for e in (a, b)]
                lines = (text[0].count("\\n") + 1 + text[1].count("\\n") + 1) / 2
                assert abs(x1 - x2) > 40 or abs(y1 - y2) >= 12.5 * lines, (a["id"], b["id"])
