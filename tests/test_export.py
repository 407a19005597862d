"""``lineage export``: every format, round trips through networkx, determinism, errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import networkx as nx
import pytest
import yaml

import lineage
from lineage.export import (LIST_ATTRIBUTES, decode_lists, export_graph, render)

SAMPLE = Path(__file__).resolve().parent.parent / "inventories" / "monocollabo"
KEY_NODE_ATTRS = ("name", "name_en", "role", "legal_entity", "country", "groups")
KEY_EDGE_ATTRS = ("id", "items", "purposes", "basis", "start", "route", "status",
                  "findings", "rules")


@pytest.fixture(scope="module")
def audit():
    return lineage.check(SAMPLE)


@pytest.fixture(scope="module")
def reference(audit):
    return export_graph(audit)


def _same_graph(g, ref):
    assert set(g.nodes) == set(ref.nodes)
    assert set(g.edges(keys=True)) == set(ref.edges(keys=True))
    for n in ref.nodes:
        for a in KEY_NODE_ATTRS:
            assert g.nodes[n].get(a) == ref.nodes[n].get(a), (n, a)
    for u, v, k in ref.edges(keys=True):
        for a in KEY_EDGE_ATTRS:
            assert g.edges[u, v, k].get(a) == ref.edges[u, v, k].get(a), (k, a)


@pytest.mark.parametrize("ext", [".graphml", ".gexf", ".json", ".mmd", ".csv"])
def test_cli_writes_each_format_deterministically(run_cli, tmp_path, ext):
    a, b = tmp_path / f"a{ext}", tmp_path / f"b{ext}"
    run_cli("export", SAMPLE, "-o", a)
    run_cli("export", SAMPLE, "-o", b)
    assert a.read_bytes() == b.read_bytes() and a.stat().st_size > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"a{ext}", f"b{ext}"]


def test_graphml_round_trip(tmp_path, run_cli, reference):
    out = tmp_path / "flows.graphml"
    run_cli("export", SAMPLE, "-o", out)
    g = decode_lists(nx.read_graphml(out, force_multigraph=True))
    assert g.is_directed() and g.is_multigraph()
    assert g.graph["list_attributes"] == ";".join(LIST_ATTRIBUTES)
    _same_graph(g, reference)
    assert g.edges["monocollabo", "collabo-living", "F30"]["rules"] == ["TP222"]
    assert g.edges["monocollabo", "point-partner", "F37"]["status"] == "waived"


def test_gexf_round_trip(tmp_path, run_cli, reference, audit):
    out = tmp_path / "flows.gexf"
    run_cli("export", SAMPLE, "-o", out)
    text = out.read_text()
    assert f'lastmodifieddate="{audit.as_of.isoformat()}"' in text
    g = decode_lists(nx.read_gexf(out))
    _same_graph(g, reference)


def test_json_node_link_round_trip(tmp_path, run_cli, reference):
    out = tmp_path / "flows.json"
    run_cli("export", SAMPLE, "-o", out)
    g = nx.node_link_graph(json.loads(out.read_text()))
    _same_graph(g, reference)
    assert g.edges["mailing-house", "mailing-affiliate", "F44"]["findings"] == [
        "TP203:F44:address", "TP203:F44:name"]


def test_csv_flow_table(tmp_path, run_cli, audit):
    out = tmp_path / "flows.csv"
    run_cli("export", SAMPLE, "-o", out, "--lang", "ja")
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [r["id"] for r in rows] == [r.id for r in audit.flow_results]
    f44 = next(r for r in rows if r["id"] == "F44")
    assert f44["status"] == "violation" and f44["rules"] == "TP203"
    assert f44["findings"] == "TP203:F44:address;TP203:F44:name"
    assert f44["from_name"] == "株式会社センドワークス（発送代行会社）"
    assert {r["status"] for r in rows} == {"ok", "violation", "waived"}


def test_mermaid_golden(golden, audit):
    text = render(audit, "mermaid")
    assert text.startswith("%% lineage flow map") and "\nflowchart LR\n" in text
    assert "linkStyle" in text and "TP222" in text
    golden("monocollabo.mmd", text)
    golden("monocollabo-ja.mmd", render(audit, "mermaid", lang="ja"))


def test_mermaid_escapes_special_characters(tmp_path):
    names = ['say "hi"', "a|b", "<x> & y", "two\nlines", "end", "[x]{y}#z"]
    doc = {"format": "lineage/1", "organisation": "end",
           "parties": [{"id": "end", "name": names[0], "name_en": names[0], "role": "self"}]
           + [{"id": f"p.{i}", "name": n, "name_en": n} for i, n in enumerate(names[1:])],
           "flows": [{"id": f"F{i}", "from": "end", "to": f"p.{i}", "items": ["x"],
                      "start": "2024-04-01"} for i in range(len(names) - 1)]}
    path = tmp_path / "inv.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    text = render(path, "mermaid")
    labels = [line for line in text.splitlines() if line.startswith("    p_")]
    for line in labels:
        inner = line.split('"')[1:-1]
        assert len(inner) == 1, line  # exactly one quoted label, nothing leaked
        assert not set(inner[0].replace("<br/>", "")) & set('"|<>[]{}')
    assert "p_end[[" in text and "#34;hi#34;" in text and "two<br/>lines" in text


@pytest.mark.parametrize("args, message", [
    (["-o", "{tmp}/flows.xlsx"], "unknown export format '.xlsx'"),
    (["-o", "{tmp}/missing/flows.json"], "does not exist"),
    (["-o", "{tmp}"], "is a folder"),
])
def test_bad_arguments_one_line_exit_2(run_cli, tmp_path, args, message):
    res = run_cli("export", SAMPLE, *[a.format(tmp=tmp_path) for a in args], expect=2)
    assert res.stderr.count("\n") == 1 and message in res.stderr
    assert list(tmp_path.iterdir()) == []


def test_unreadable_inventory_exit_2(run_cli, tmp_path):
    res = run_cli("export", tmp_path / "nope", "-o", tmp_path / "x.json", expect=2)
    assert "error" in res.stderr and not (tmp_path / "x.json").exists()


def test_list_encoding_survives_formats(audit):
    text = render(audit, "graphml")
    assert "member_id;email;phone" in text
    assert '"items": [' in render(audit, "json")


# -- what yEd and Gephi read ---------------------------------------------------------------
def test_graphml_carries_yfiles_graphics_for_yed(audit):
    import xml.etree.ElementTree as ET
    from lineage.export import GRAPHML_NS, YFILES_NS
    root = ET.fromstring(render(audit, "graphml", "ja"))
    g, y = f"{{{GRAPHML_NS}}}", f"{{{YFILES_NS}}}"
    kinds = {k.get("yfiles.type"): (k.get("for"), k.get("id")) for k in root.iter(g + "key")
             if k.get("yfiles.type")}
    assert kinds == {"nodegraphics": ("node", "yn"), "edgegraphics": ("edge", "ye")}
    nodes = {n.get("id"): n for n in root.iter(g + "node")}
    shape = nodes["carrier"].find(f"{g}data[@key='yn']/{y}ShapeNode")
    assert shape.find(y + "NodeLabel").text == "株式会社ハヤテ運輸（配送業者）"
    long = nodes["mailing-affiliate"].find(f"{g}data[@key='yn']/{y}ShapeNode/{y}NodeLabel")
    assert long.text == "株式会社センドワークス・\nプロモーション\n（発送代行会社の関連会社）"
    assert shape.find(y + "Fill").get("color") == "#dbe9f7"           # outsourcee blue
    edges = {e.get("id"): e for e in root.iter(g + "edge")}
    style = lambda fid: edges[fid].find(f"{g}data[@key='ye']/{y}PolyLineEdge/{y}LineStyle")  # noqa: E731
    assert style("F44").get("color") == "#c62828"                       # violation red
    assert style("F37").get("type") == "dashed"                         # waived
    assert style("F02").get("color") == "#5f6b7a"                       # ok grey
    label = edges["F44"].find(f"{g}data[@key='ye']/{y}PolyLineEdge/{y}EdgeLabel").text
    assert label == "F44 [外部]"
    en = ET.fromstring(render(audit, "graphml", "en"))
    carrier = next(n for n in en.iter(g + "node") if n.get("id") == "carrier")
    assert carrier.find(f"{g}data/{y}ShapeNode/{y}NodeLabel").text == \
        "Hayate Transport (carrier)"


def test_gexf_carries_viz_colours_and_labels_for_gephi(audit):
    import xml.etree.ElementTree as ET
    root = ET.fromstring(render(audit, "gexf", "ja"))
    ns, viz = "{http://gexf.net/1.3}", "{http://gexf.net/1.3/viz}"
    assert root.get("version") == "1.3"
    nodes = {n.get("id"): n for n in root.iter(ns + "node")}
    assert nodes["carrier"].get("label") == "株式会社ハヤテ運輸（配送業者）"
    colour = nodes["carrier"].find(viz + "color")
    assert (colour.get("r"), colour.get("g"), colour.get("b")) == ("219", "233", "247")
    edges = {e.get("id"): e for e in root.iter(ns + "edge")}
    red = edges["F44"].find(viz + "color")
    assert (red.get("r"), red.get("g"), red.get("b")) == ("198", "40", "40")
    assert edges["F44"].get("label") == "F44"
    assert float(edges["F44"].find(viz + "thickness").get("value")) == 3.5
    titles = {a.get("id"): a.get("title") for a in root.iter(ns + "attribute")}
    status = next(v.get("value") for v in edges["F44"].iter(ns + "attvalue")
                  if titles[v.get("for")] == "status")
    assert status == "violation"
