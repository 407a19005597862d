"""The summarised flow map: when it is chosen, what it counts, how it looks (real SVG).

Thresholds are lowered by patching the cost model or the budget, never by timing.
"""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest

import lineage
import lineage.drawing as drawing_mod
from lineage.drawing import DrawingError, draw, plan_grouping
from lineage.drawing.dot import Context
from lineage.drawing.render import LayoutTimeout
from lineage.drawing.style import LAW_ONLY_STYLE, STATUS_STYLE
from lineage.drawing.summary import build_summary_dot, summarise
from lineage.drawing.render import run_graphviz
from lineage.rules.base import Finding

import test_draw
from test_draw import NASTY, SVG, XLINK, _texts

nasty_inventory = test_draw.nasty_inventory  # the fixture, shared

SAMPLE = Path(__file__).resolve().parent.parent / "inventories" / "monocollabo"
#: The sample has 32 parties and 48 flows: its estimate is 3 x (32 + 48) x coefficient.
SAMPLE_ELEMENTS = 3 * (32 + 48)


def _svg(data: bytes):
    return ET.fromstring(data)


def _groups(root, cls):
    return [g for g in root.iter(f"{SVG}g") if cls in (g.get("class") or "").split()]


def _title(root) -> str:
    link = _groups(root, "graph")[0].find(f"{SVG}g/{SVG}a")  # the graph's tooltip link
    return "\n".join("".join(t.itertext()) for t in link.findall(f"{SVG}text"))


# -- when ---------------------------------------------------------------------------------

def test_auto_summarises_above_the_threshold_and_not_below(monkeypatch):
    budget = drawing_mod.SUMMARY_SHARE * 55.0
    boundary = budget / SAMPLE_ELEMENTS  # the coefficient at which the estimate hits the budget
    monkeypatch.setattr(drawing_mod, "SFDP_SECONDS_PER_ELEMENT", boundary * 0.99)
    below = draw(SAMPLE, timeout=55.0)
    assert below.group == "none" and below.summary is None and below.notes == []
    assert "Summary" not in below.source and below.source.count(" -> ") == 48
    monkeypatch.setattr(drawing_mod, "SFDP_SECONDS_PER_ELEMENT", boundary * 1.01)
    above = draw(SAMPLE, timeout=55.0)
    assert above.group == "entity" and above.summary is not None
    assert above.notes[0].startswith("32 parties, 48 flows: the full map would take about "
                                     "28 s to lay out, more than the time budget allows "
                                     "(28 s); drawn as a summary")
    assert above.notes[1] == ("summary: 32 parties grouped by legal entity into 31 groups, "
                              "48 flows into 40 edges; for the full map use --group none")
    assert len(above.notes) == 2  # no note about layout steps of a map not drawn


def test_the_budget_decides_too():
    # estimate 0.25 ms x 240 = 0.06 s: over half of a 0.1 s budget, under half of 1 s
    assert plan_grouping(lineage.check(SAMPLE).graph, timeout=0.1)[0] == "entity"
    assert plan_grouping(lineage.check(SAMPLE).graph, timeout=1.0)[0] == "none"


def test_explicit_groupings_ignore_the_estimate(monkeypatch):
    monkeypatch.setattr(drawing_mod, "SFDP_SECONDS_PER_ELEMENT", 1.0)
    assert draw(SAMPLE, group="none").summary is None
    assert draw(SAMPLE, group="role").group == "role"
    with pytest.raises(DrawingError, match="unknown grouping 'x'"):
        draw(SAMPLE, group="x")


def test_auto_picks_entities_when_few_else_roles():
    g = nx.MultiDiGraph(organisation="hq")
    for n, ent in [("hq", "hq"), ("ops", "hq"), ("a", "a"), ("a2", "a")]:
        g.add_node(n, role="outsourcee" if ent == "a" else "self", legal_entity=ent)
    g.add_edge("hq", "a", key="F1")
    assert drawing_mod._auto_group(g) == "entity"
    g.remove_node("a2")
    g.remove_node("ops")  # every party is its own entity: grouping by entity gains nothing
    assert drawing_mod._auto_group(g) == "role"


# -- what: exact counts and statuses ------------------------------------------------------

def _small():
    """Six parties, nine flows with chosen statuses and findings."""
    g = nx.MultiDiGraph(organisation="hq")
    nodes = [("hq", "本社", "HQ", "self", "hq"), ("shop", "店舗", "Shop", "self", "hq"),
             ("v1", "委託1", "Vendor 1", "outsourcee", "vg"),
             ("v2", "委託2", "Vendor 2", "outsourcee", "vg"),
             ("tp", "第三者", "Partner", "third_party", "tp"),
             ("subj", "顧客", "Customers", "data_subject", "subj")]
    for n, name, en, role, ent in nodes:
        g.add_node(n, name=name, name_en=en, role=role, legal_entity=ent, country="JP")
    flows = [("F1", "subj", "hq", "collection", "ok"),
             ("F2", "subj", "shop", "collection", "ok"),
             ("F3", "hq", "v1", "outsourcing", "ok"),
             ("F4", "hq", "v2", "outsourcing", "warning"),
             ("F5", "shop", "v2", "outsourcing", "violation"),
             ("F6", "v1", "v2", "outsourcing", "waived"),
             ("F7", "hq", "tp", "consent", "violation"),
             ("F8", "hq", "tp", "opt_out", "ok"),
             ("F9", "v2", "tp", "external", "violation")]
    findings = {}
    for fid, u, v, route, status in flows:
        g.add_edge(u, v, key=fid, items=["x"], route=route, status=status,
                   law_only=fid == "F9")
        if status != "ok":
            findings[fid] = [Finding(
                rule={"F4": "TP999", "F5": "TP201", "F6": "TP102", "F7": "TP101",
                      "F9": "AP221"}[fid], clause="x", kind="k",
                severity="warning" if status == "warning" else "error", flow=fid,
                frm=u, to=v, message="m", waived=status == "waived")]
    return g, Context("hq", findings=findings, title="T")


def test_role_summary_counts_and_statuses_are_exact():
    g, _ = _small()
    s = summarise(g, "role")
    assert [(n, d["count"], d["members"]) for n, d in s.nodes(data=True)] == [
        ("organisation", 1, ["hq"]), ("role:self", 1, ["shop"]),
        ("role:outsourcee", 2, ["v1", "v2"]), ("role:third_party", 1, ["tp"]),
        ("role:data_subject", 1, ["subj"])]
    edges = {(u, v): (d["count"], d["statuses"], d["status"], d["law_only"])
             for u, v, d in s.edges(data=True)}
    assert edges == {
        ("organisation", "role:outsourcee"): (2, {"warning": 1, "ok": 1}, "warning", False),
        ("organisation", "role:third_party"): (2, {"violation": 1, "ok": 1}, "violation", False),
        ("role:self", "role:outsourcee"): (1, {"violation": 1}, "violation", False),
        ("role:outsourcee", "role:outsourcee"): (1, {"waived": 1}, "waived", False),
        ("role:outsourcee", "role:third_party"): (1, {"violation": 1}, "violation", True),
        ("role:data_subject", "organisation"): (1, {"ok": 1}, "ok", False),
        ("role:data_subject", "role:self"): (1, {"ok": 1}, "ok", False),
    }
    assert s.graph["parties"] == 6 and s.graph["flows"] == 9


def test_entity_summary_counts_and_statuses_are_exact():
    g, _ = _small()
    s = summarise(g, "entity")
    assert [(n, d["count"], d["role"], d["organisation"]) for n, d in s.nodes(data=True)] == [
        ("entity:hq", 2, "self", True), ("entity:vg", 2, "outsourcee", False),
        ("entity:tp", 1, "third_party", False), ("entity:subj", 1, "data_subject", False)]
    edges = {(u, v): (d["flows"], d["status"]) for u, v, d in s.edges(data=True)}
    assert edges == {
        ("entity:hq", "entity:vg"): (["F3", "F4", "F5"], "violation"),
        ("entity:hq", "entity:tp"): (["F7", "F8"], "violation"),
        ("entity:vg", "entity:vg"): (["F6"], "waived"),
        ("entity:vg", "entity:tp"): (["F9"], "violation"),
        ("entity:subj", "entity:hq"): (["F1", "F2"], "ok"),
    }
    # "vg" is no party: the group is named by its ID and looks like its commonest role
    assert s.nodes["entity:vg"]["name_en"] == "vg"


def test_summary_renders_with_marked_violations():
    g, ctx = _small()
    s = summarise(g, "role")
    text = build_summary_dot(s, ctx)
    data, _ = run_graphviz(text, "svg", nodes=s.number_of_nodes() + 1,
                           edges=s.number_of_edges())
    root = _svg(data)
    nodes = _groups(root, "group")
    assert len(nodes) == 5
    labels = {n.get("id"): " / ".join("".join(t.itertext()) for t in n.iter(f"{SVG}text"))
              for n in nodes}
    assert labels["group-3"] == "outsourcee / 2 parties"
    assert labels["group-1"] == "HQ / 1 party"
    edges = {g_.get("id"): g_ for g_ in _groups(root, "flow-group")}
    assert len(edges) == 7
    by_class = Counter(g_.get("class").split()[2] for g_ in edges.values())
    assert by_class == {"status-violation": 3, "status-ok": 2, "status-warning": 1,
                        "status-waived": 1}
    red, purple = STATUS_STYLE["violation"]["color"], LAW_ONLY_STYLE["color"]
    for g_ in edges.values():
        label = " ".join("".join(t.itertext()) for t in g_.iter(f"{SVG}text"))
        stroke = g_.find(f".//{SVG}path").get("stroke")
        if "law-only" in g_.get("class"):
            assert stroke == purple and "§ violation 1: AP221" in label
        elif "status-violation" in g_.get("class"):
            assert stroke == red and "violation 1: TP" in label
    two = [g_ for g_ in edges.values() if "violation 1: TP101" in
           " ".join("".join(t.itertext()) for t in g_.iter(f"{SVG}text"))]
    assert len(two) == 1
    tip = two[0].find(f".//{SVG}a").get(f"{XLINK}title")
    assert "2 flows" in tip and "violation (1): F7" in tip and "flows: F7, F8" in tip
    assert _title(root).splitlines()[-1].startswith("Summary: 6 parties grouped by role")


def test_role_summary_of_the_sample_matches_the_audit():
    audit = lineage.check(SAMPLE)
    s = summarise(audit.graph, "role")
    role = {p.id: p.role for p in audit.inventory.parties}
    group = {p: ("organisation" if p == audit.inventory.organisation else f"role:{r}")
             for p, r in role.items()}
    flows = {f.id: f for f in audit.inventory.flows}
    want = Counter()
    worst = {}
    rank = {"ok": 0, "waived": 1, "warning": 2, "violation": 3}
    for r in audit.flow_results:
        key = (group[flows[r.id].frm], group[flows[r.id].to])
        want[key] += 1
        worst[key] = max(worst.get(key, "ok"), r.status, key=rank.__getitem__)
    got = {(u, v): d["count"] for u, v, d in s.edges(data=True)}
    assert got == dict(want)
    assert {(u, v): d["status"] for u, v, d in s.edges(data=True)} == worst
    assert sum(d["count"] for _, d in s.nodes(data=True)) == len(audit.inventory.parties)


# -- the CLI: notes, title, full map on request ------------------------------------------

def test_cli_summarises_with_notes_and_title(run_cli, tmp_path, monkeypatch):
    monkeypatch.setattr(drawing_mod, "SFDP_SECONDS_PER_ELEMENT", 1.0)
    out = tmp_path / "map.svg"
    res = run_cli("draw", SAMPLE, "-o", out)
    lines = res.stderr.splitlines()
    assert lines[0].startswith("note: 32 parties, 48 flows: the full map would take about "
                               "240 s to lay out")
    assert lines[1] == ("note: summary: 32 parties grouped by legal entity into 31 groups, "
                        "48 flows into 40 edges; for the full map use --group none")
    assert lines[2:] == [f"map written to {out}"]
    root = ET.parse(out).getroot()
    assert len(_groups(root, "group")) == 31 and len(_groups(root, "flow-group")) == 40
    assert "full map: lineage draw --group none" in _title(root)
    assert [p.name for p in tmp_path.iterdir()] == ["map.svg"]

    full = tmp_path / "full.svg"
    res = run_cli("draw", SAMPLE, "-o", full, "--group", "none")
    assert res.stderr == f"map written to {full}\n"  # no note
    assert len(_groups(ET.parse(full).getroot(), "edge")) == 48

    roles = tmp_path / "roles.svg"
    run_cli("draw", SAMPLE, "-o", roles, "--group", "role")
    assert len(_groups(ET.parse(roles).getroot(), "group")) == 8


def test_cli_summary_in_japanese(run_cli, tmp_path, monkeypatch):
    monkeypatch.setattr(drawing_mod, "SFDP_SECONDS_PER_ELEMENT", 1.0)
    out = tmp_path / "map.svg"
    res = run_cli("draw", SAMPLE, "-o", out, "--lang", "ja", "--group", "auto")
    lines = res.stderr.splitlines()
    assert lines[0] == ("注記: 当事者 32 件、フロー 48 件: 全体図の配置には約 240 秒かかる見込みで、"
                        "時間の枠 (28 秒) を超えるため要約図を描きました")
    assert lines[1] == ("注記: 要約図: 当事者 32 件を法人ごとに 31 グループ、フロー 48 件を 40 本の線に"
                        "まとめました。全体図は --group none で描けます")
    root = ET.parse(out).getroot()
    assert "要約: 当事者 32 件を法人ごとに 31 グループ" in _title(root)
    texts = _texts(root)
    assert "モノコラボ (monocollabo)" in texts and "凡例" in texts


def test_cli_rejects_an_unknown_grouping(run_cli, tmp_path):
    res = run_cli("draw", SAMPLE, "-o", tmp_path / "m.svg", "--group", "team", expect=2)
    assert "--group" in res.stderr and not (tmp_path / "m.svg").exists()


# -- the deadline: a full layout that runs out of time ------------------------------------

def _slow_full_layouts(monkeypatch):
    real = drawing_mod.run_graphviz
    calls = []

    def slow(dot_text, fmt, *, engine="dot", **kw):
        summary = 'class="summary"' in dot_text
        calls.append("summary" if summary else engine)
        if not summary:
            raise LayoutTimeout(f"Graphviz {engine} took longer than 9 s")
        return real(dot_text, fmt, engine=engine, **kw)
    monkeypatch.setattr("lineage.drawing.run_graphviz", slow)
    return calls


def test_deadline_falls_back_to_the_summary(monkeypatch, tmp_path):
    calls = _slow_full_layouts(monkeypatch)
    d = draw(SAMPLE, timeout=40)
    out = tmp_path / "map.svg"
    notes = d.save(out)
    assert calls == ["dot", "dot", "dot", "sfdp", "summary"]
    assert notes[-2] == ("32 parties, 48 flows: the full map did not finish within the time "
                         "budget (30 s); drawn as a summary")
    assert notes[-1].startswith("summary: 32 parties grouped by legal entity")
    assert d.group == "entity"
    assert len(_groups(ET.parse(out).getroot(), "flow-group")) == 40


def test_no_fallback_when_the_full_map_is_asked_for(monkeypatch, tmp_path):
    _slow_full_layouts(monkeypatch)
    with pytest.raises(drawing_mod.RenderError, match="no layout succeeded"):
        draw(SAMPLE, group="none").save(tmp_path / "map.svg")
    assert list(tmp_path.iterdir()) == []


# -- bytes and hostile names --------------------------------------------------------------

def test_summary_is_deterministic(tmp_path):
    a = draw(SAMPLE, group="role", lang="ja")
    b = draw(lineage.check(SAMPLE), group="role", lang="ja")
    assert a.source == b.source
    a.save(tmp_path / "a.svg")
    b.save(tmp_path / "b.svg")
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()


@pytest.mark.parametrize("group", ["role", "entity"])
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_nasty_names_in_a_summary(nasty_inventory, tmp_path, group, lang):
    d = draw(nasty_inventory, lang=lang, group=group)
    proc = subprocess.run(["dot", "-Tcanon"], input=d.source.encode(), capture_output=True)
    assert proc.returncode == 0 and proc.stderr == b"", proc.stderr
    out = tmp_path / "nasty.svg"
    d.save(out)
    root = ET.parse(out).getroot()
    titles = [a.get(f"{XLINK}title") or "" for a in root.iter(f"{SVG}a")]
    if group == "entity":
        # each party is its own entity here, so the groups carry the hostile names
        texts = "\n".join(_texts(root))
        for name in NASTY:
            for line in name.split("\n"):
                assert line in texts, (line, texts)
        assert any('say "hi"' in t for t in titles)
    else:
        assert any("node" in t for t in titles)  # the organisation's own group


def test_every_summary_note_has_a_japanese_form():
    from lineage.drawing.notes_ja import note_ja
    notes = ["30000 parties, 90000 flows: the full map would take about 30 s to lay out, more "
             "than the time budget allows (28 s); drawn as a summary",
             "32 parties, 48 flows: the full map did not finish within the time budget "
             "(0.75 s); drawn as a summary",
             "summary: 30000 parties grouped by legal entity into 6 groups, 90000 flows into "
             "23 edges; for the full map use --group none",
             "5000 parties: node overlaps only reduced by scaling (full overlap removal "
             "skipped)"]
    for note in notes:
        ja = note_ja(note)
        words = set(re.findall(r"[A-Za-z][A-Za-z_]+", ja)) - {"group", "none"}
        assert words == set(), (note, ja)
    assert note_ja(notes[1]) == ("当事者 32 件、フロー 48 件: 全体図の配置が時間の枠 (0.75 秒) 内に"
                                 "終わらなかったため要約図を描きました")


def test_views_and_questions_can_be_summarised_too():
    only = draw(SAMPLE, only_violations=True, group="role")
    assert {d["status"] for *_, d in only.summary.edges(data=True)} == {"violation"}
    assert sum(d["count"] for *_, d in only.summary.edges(data=True)) == 8
    assert "violating flows only" in only.source  # the view's title line stays
    traced = draw(SAMPLE, trace="address", trace_from="mailing-house", group="role")
    marked = [d["flows"] for *_, d in traced.summary.edges(data=True) if d["highlight"]]
    assert sorted(f for fl in marked for f in fl) == ["F11", "F24", "F44"]
    assert traced.source.count(" highlight") == len(marked)
