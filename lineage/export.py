"""Graph exports: GraphML, GEXF, node-link JSON, Mermaid and the flow table as CSV.

Every export carries each flow's route, status, finding IDs and rule IDs on its
edge. GraphML and GEXF have no list type, so list attributes (``items``,
``purposes``, ``groups``, ``findings``, ``rules``) are joined with ``;`` — IDs
cannot contain ``;`` — and the graph attribute ``list_attributes`` names them;
:func:`decode_lists` splits them again. JSON keeps real lists. ``None`` values
are left out of GraphML and GEXF (they have no null) and kept in JSON.

Example:
    >>> import lineage, networkx as nx
    >>> audit = lineage.check("inventories/monocollabo")
    >>> g = decode_lists(nx.parse_graphml(render(audit, "graphml"), force_multigraph=True))
    >>> g.edges["monocollabo", "collabo-living", "F30"]["rules"]
    ['TP222']
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import xml.etree.ElementTree as ET

import networkx as nx

from .result import AuditResult as Audit, check
from .drawing.dot import Context, _wrap_name, zone_of
from .drawing.style import ORG_STYLE, ROLE_STYLE, STATUS_STYLE, word
from .files import BOM, format_for, safe_cell, write_atomic
from .model.schema import Inventory
from .terms import natural_key, route_label

__all__ = ["GRAPHML_NS", "YFILES_NS", "GEXF_VERSION", "EXPORT_FORMATS", "LIST_ATTRIBUTES", "export_graph", "encode_lists",
           "decode_lists", "render", "export", "export_format_of", "CSV_COLUMNS"]

#: Export formats by file extension.
EXPORT_FORMATS = {".graphml": "graphml", ".gexf": "gexf", ".json": "json", ".mmd": "mermaid",
                  ".csv": "csv"}
#: Attributes that are lists in the graph and ``;``-joined text in GraphML and GEXF.
LIST_ATTRIBUTES = ("findings", "groups", "items", "purposes", "rules")
CSV_COLUMNS = ("id", "from", "to", "from_name", "to_name", "items", "purposes", "basis",
               "start", "end", "route", "status", "rules", "findings")
_SEP = ";"


def _as_audit(source) -> Audit:
    if isinstance(source, Audit):
        return source
    if isinstance(source, (Inventory, str, Path)):
        return check(source)
    raise TypeError(f"expected an Audit, Inventory or path, got {type(source).__name__}")


def export_format_of(path, fmt: str | None = None) -> str:
    """The export format for ``path``, from its extension unless ``fmt`` is given.

    Example:
        >>> export_format_of("flows.mmd")
        'mermaid'
        >>> export_format_of("flows.xlsx")
        Traceback (most recent call last):
        ValueError: unknown export format '.xlsx' (known: .csv, .gexf, .graphml, .json, .mmd)
    """
    return format_for(path, fmt, EXPORT_FORMATS, "export")


def export_graph(audit: Audit) -> nx.MultiDiGraph:
    """The audited flow graph in a fixed order: parties and flows by natural key.

    Example:
        >>> import lineage
        >>> g = export_graph(lineage.check("inventories/monocollabo"))
        >>> sorted(g.edges["monocollabo", "tax-office", "F41"])[:5]
        ['basis', 'combined', 'end', 'findings', 'id']
    """
    src = audit.graph
    g = nx.MultiDiGraph()
    g.graph.update({k: src.graph[k] for k in sorted(src.graph)})
    for n in sorted(src.nodes, key=natural_key):
        d = src.nodes[n]
        g.add_node(n, **{k: d[k] for k in sorted(d)})
    for u, v, k, d in sorted(src.edges(keys=True, data=True), key=lambda e: natural_key(e[2])):
        g.add_edge(u, v, key=k, **{a: d[a] for a in sorted(d)})
    return g


def encode_lists(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy with list attributes joined by ``;`` and ``None`` values left out.

    Example:
        >>> g = nx.MultiDiGraph(); g.add_node("a", groups=["x", "y"], note=None)
        >>> dict(encode_lists(g).nodes["a"])
        {'groups': 'x;y'}
    """
    def enc(d: dict) -> dict:
        return {k: (_SEP.join(map(str, v)) if isinstance(v, (list, tuple)) else v)
                for k, v in d.items() if v is not None}
    out = nx.MultiDiGraph(**enc(g.graph), list_attributes=_SEP.join(LIST_ATTRIBUTES))
    out.add_nodes_from((n, enc(d)) for n, d in g.nodes(data=True))
    out.add_edges_from((u, v, k, enc(d)) for u, v, k, d in g.edges(keys=True, data=True))
    return out


def decode_lists(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Split the attributes named in ``list_attributes`` back into lists (in place).

    GEXF keeps no graph attributes, so without ``list_attributes`` the
    :data:`LIST_ATTRIBUTES` are split.

    Example:
        >>> g = nx.MultiDiGraph(list_attributes="items"); g.add_edge("a", "b", items="x;y")
        0
        >>> decode_lists(g).edges["a", "b", 0]["items"]
        ['x', 'y']
    """
    names = set(str(g.graph.get("list_attributes") or _SEP.join(LIST_ATTRIBUTES))
                .split(_SEP)) - {""}
    for d in [*(d for _, d in g.nodes(data=True)), *(d for *_, d in g.edges(data=True))]:
        for k in names & set(d):
            d[k] = [p for p in str(d[k]).split(_SEP) if p] if d[k] != "" else []
    return g


#: Namespaces of the GraphML yEd reads (yFiles extensions) and of GEXF 1.3's viz module.
GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
YFILES_NS = "http://www.yworks.com/xml/graphml"
_XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
_YFILES_SCHEMA = ("http://graphml.graphdrawing.org/xmlns "
                  "http://www.yworks.com/xml/schema/graphml/1.1/ygraphml.xsd")
GEXF_VERSION = "1.3"


def _display_name(d: dict, node: str, lang: str) -> str:
    name = d.get("name") if lang == "ja" else (d.get("name_en") or d.get("name"))
    return str(name or node)


def _node_style(audit: Audit, node: str, d: dict) -> dict:
    if node == audit.inventory.organisation:
        return ORG_STYLE
    return ROLE_STYLE.get(d.get("role", "third_party"), ROLE_STYLE["third_party"])


def _graphml(audit: Audit, lang: str = "en") -> str:
    """GraphML with yFiles graphics, so yEd shows names and colours, not bare IDs.

    Every attribute stays a plain GraphML ``data`` (other readers ignore the
    yFiles keys): a node gets ``y:ShapeNode`` with its display name as
    ``y:NodeLabel`` and its role's fill; an edge ``y:PolyLineEdge`` with the
    status colour in ``y:LineStyle`` and the flow ID as ``y:EdgeLabel``.
    """
    g = export_graph(audit)
    text = "\n".join(nx.generate_graphml(encode_lists(g)))
    ET.register_namespace("", GRAPHML_NS)
    ET.register_namespace("y", YFILES_NS)
    ET.register_namespace("xsi", _XSI_NS)
    root = ET.fromstring(text)
    root.set(f"{{{_XSI_NS}}}schemaLocation", _YFILES_SCHEMA)
    q = lambda tag: f"{{{GRAPHML_NS}}}{tag}"  # noqa: E731
    y = lambda tag: f"{{{YFILES_NS}}}{tag}"  # noqa: E731
    graph = root.find(q("graph"))
    at = list(root).index(graph)
    for i, (what, key) in enumerate((("node", "yn"), ("edge", "ye"))):
        el = ET.Element(q("key"), {"for": what, "id": key, "yfiles.type": f"{what}graphics"})
        root.insert(at + i, el)
    for el in graph.findall(q("node")):
        node = el.get("id")
        d = g.nodes[node]
        st = _node_style(audit, node, d)
        label = _wrap_name(_display_name(d, node, lang))
        lines = label.split("\n")
        width = 24 + 7 * max(sum(2 if ord(c) > 0x2e7f else 1 for c in line) for line in lines)
        data = ET.SubElement(el, q("data"), {"key": "yn"})
        shape = ET.SubElement(data, y("ShapeNode"))
        ET.SubElement(shape, y("Geometry"), {"height": f"{16 + 16 * len(lines)}.0",
                                            "width": f"{width}.0", "x": "0.0", "y": "0.0"})
        ET.SubElement(shape, y("Fill"), {"color": st["fillcolor"], "transparent": "false"})
        ET.SubElement(shape, y("BorderStyle"), {"color": st["color"], "type": "line",
                                               "width": f"{float(st['penwidth']):.1f}"})
        ET.SubElement(shape, y("NodeLabel"), {"textColor": st["fontcolor"],
                                             "fontSize": "12", "modelName": "internal",
                                             "modelPosition": "c"}).text = label
        kind = "roundrectangle" if "rounded" in st.get("style", "") else (
            "ellipse" if st.get("shape") == "ellipse" else "rectangle")
        ET.SubElement(shape, y("Shape"), {"type": kind})
    for el in graph.findall(q("edge")):
        d = g.edges[el.get("source"), el.get("target"), el.get("id")]
        st = STATUS_STYLE.get(d.get("status", "ok"), STATUS_STYLE["ok"])
        data = ET.SubElement(el, q("data"), {"key": "ye"})
        line = ET.SubElement(data, y("PolyLineEdge"))
        ET.SubElement(line, y("LineStyle"), {"color": st["color"],
                                            "type": "dashed" if st["style"] == "dashed"
                                            else "line",
                                            "width": f"{float(st['penwidth']):.1f}"})
        ET.SubElement(line, y("Arrows"), {"source": "none", "target": "standard"})
        ET.SubElement(line, y("EdgeLabel"), {"textColor": st["fontcolor"]}).text = \
            f"{el.get('id')} [{route_label(d.get('route'), lang)}]"
    ET.indent(root, "  ")
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            + ET.tostring(root, encoding="unicode") + "\n")


def _rgb(colour: str) -> dict:
    return {"r": int(colour[1:3], 16), "g": int(colour[3:5], 16), "b": int(colour[5:7], 16),
            "a": 1.0}


def _gexf(audit: Audit, lang: str = "en") -> str:
    """GEXF 1.3 with labels (display names, flow IDs) and ``viz:color`` so Gephi shows both.

    A node's colour is its role's fill, an edge's its status colour, its
    thickness the status' pen width; ``status`` and ``route`` stay attributes
    for Gephi's filters and partitions.
    """
    g = encode_lists(export_graph(audit))
    for n, d in g.nodes(data=True):
        st = _node_style(audit, n, d)
        d["label"] = _display_name(d, n, lang)
        d["viz"] = {"color": _rgb(st["fillcolor"]), "size": 20.0 if st is ORG_STYLE else 10.0}
    for u, v, k, d in g.edges(keys=True, data=True):
        st = STATUS_STYLE.get(d.get("status", "ok"), STATUS_STYLE["ok"])
        d["label"] = k
        d["viz"] = {"color": _rgb(st["color"]), "thickness": float(st["penwidth"])}
    text = "\n".join(nx.generate_gexf(g, version=GEXF_VERSION)) + "\n"
    # networkx 3.6 misspells the XML Schema instance namespace of GEXF 1.3
    text = text.replace('xmlns:xsi="http://w3.org/2001/XMLSchema-instance"',
                        f'xmlns:xsi="{_XSI_NS}"', 1)
    # networkx stamps today's date; the audit date keeps the file reproducible
    return re.sub(r'lastmodifieddate="[^"]*"', f'lastmodifieddate="{audit.as_of.isoformat()}"',
                  text, count=1)


def _json(audit: Audit) -> str:
    data = nx.node_link_data(export_graph(audit))
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _csv(audit: Audit, lang: str) -> str:
    g = audit.graph
    name = "name" if lang == "ja" else "name_en"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in audit.flow_results:
        rules = sorted({f.split(":")[0] for f in r.findings})
        writer.writerow([safe_cell(c) for c in (
            r.id, r.frm, r.to, g.nodes[r.frm].get(name, r.frm), g.nodes[r.to].get(name, r.to),
            _SEP.join(r.items), _SEP.join(r.purposes), r.basis or "", r.start.isoformat(),
            r.end.isoformat() if r.end else "", r.route, r.status, _SEP.join(rules),
            _SEP.join(r.findings))])
    return BOM + out.getvalue()


_MERMAID_ESCAPES = {'"': "#34;", "#": "#35;", "&": "#38;", "<": "#60;", ">": "#62;",
                    "|": "#124;", "\\": "#92;", "`": "#96;", "{": "#123;", "}": "#125;",
                    "[": "#91;", "]": "#93;"}


def _mm_text(text: str) -> str:
    """Mermaid label text: special characters as entity codes, line breaks as ``<br/>``."""
    s = "".join(_MERMAID_ESCAPES.get(c, c) for c in str(text).replace("\r\n", "\n"))
    return s.replace("\r", "\n").replace("\n", "<br/>")


def _mm_ids(nodes, prefix: str = "p_") -> dict[str, str]:
    """A Mermaid ID for each of ``nodes``: ``prefix`` and the name with other characters
    as ``_``, numbered when two names come out the same (``J-1``, ``J_1``).

    Example:
        >>> _mm_ids(["J-1", "J_1", "J.1"], "z_")
        {'J-1': 'z_J_1', 'J_1': 'z_J_1_2', 'J.1': 'z_J_1_3'}
    """
    ids: dict[str, str] = {}
    used: set[str] = set()
    for n in nodes:
        base = prefix + re.sub(r"[^A-Za-z0-9_]", "_", n)
        cand, i = base, 2
        while cand in used:
            cand, i = f"{base}_{i}", i + 1
        used.add(cand)
        ids[n] = cand
    return ids


def _mermaid(audit: Audit, lang: str) -> str:
    from .drawing import context_of
    ctx: Context = context_of(audit, lang=lang)
    g = export_graph(audit)
    ids = _mm_ids(g.nodes)
    name = "name" if lang == "ja" else "name_en"
    zones: dict[str, list[str]] = {}
    for n, d in g.nodes(data=True):
        zones.setdefault(zone_of(n, d, ctx), []).append(n)
    order = ["subjects", "org"] + [f"ju:{j}" for j, _ in ctx.joint_use] + ["third", "public"]
    # unique in a fixed order: joint uses J-1 and J_1 must not share one subgraph
    zone_ids = _mm_ids(order, "z_")
    shapes = {"data_subject": ('(["', '"])'), "public_body": ('[/"', '"\\]'),
              "outsourcee": ('("', '")'), "successor": ('("', '")'),
              "joint_user": ('[["', '"]]')}
    lines = ["%% lineage flow map: " + _mm_text(ctx.title).replace("<br/>", " "),
             "flowchart LR"]
    for zone in order:
        members = zones.get(zone)
        if not members:
            continue
        label = (f"{word('joint_use', lang)} {zone[3:]}" if zone.startswith("ju:")
                 else word(zone, lang))
        lines.append(f'  subgraph {zone_ids[zone]}["{_mm_text(label)}"]')
        for n in members:
            d = g.nodes[n]
            if n == ctx.organisation:
                left, right = '[["', '"]]'
            else:
                left, right = shapes.get(d.get("role"), ('["', '"]'))
            lines.append(f"    {ids[n]}{left}{_mm_text(d.get(name, n))}{right}")
        lines.append("  end")
    styles = []
    for i, (u, v, k, d) in enumerate(g.edges(keys=True, data=True)):
        text = [f"{k}: " + ", ".join(ctx.item(it) for it in d.get("items", ())),
                f"[{route_label(d.get('route'), lang)}]"]
        if d.get("rules"):
            text.append(" ".join(d["rules"]))
        lines.append(f'  {ids[u]} -->|"{_mm_text(chr(10).join(text))}"| {ids[v]}')
        st = STATUS_STYLE[d.get("status", "ok")]
        css = f"stroke:{st['color']},stroke-width:{float(st['penwidth']):g}px"
        if st["style"] == "dashed":
            css += ",stroke-dasharray:5 5"
        styles.append(f"  linkStyle {i} {css}")
    lines.extend(styles)
    for role, st in ROLE_STYLE.items():
        lines.append(f"  classDef role_{role} fill:{st['fillcolor']},stroke:{st['color']},"
                     f"color:{st['fontcolor']}")
    lines.append(f"  classDef organisation fill:{ORG_STYLE['fillcolor']},"
                 f"stroke:{ORG_STYLE['color']},color:{ORG_STYLE['fontcolor']},"
                 f"stroke-width:4px")
    by_class: dict[str, list[str]] = {}
    for n, d in g.nodes(data=True):
        cls = "organisation" if n == ctx.organisation else f"role_{d.get('role')}"
        by_class.setdefault(cls, []).append(ids[n])
    for cls in sorted(by_class):
        lines.append(f"  class {','.join(by_class[cls])} {cls}")
    return "\n".join(lines) + "\n"


def render(source, fmt: str, lang: str = "en") -> str:
    """The export of ``source`` (an audit, inventory or path) as text in ``fmt``.

    Example:
        >>> render("inventories/monocollabo", "csv").splitlines()[0]
        '\\ufeffid,from,to,from_name,to_name,items,purposes,basis,start,end,route,status,rules,findings'
    """
    audit = _as_audit(source)
    fmt = export_format_of("", fmt)
    if fmt == "graphml":
        return _graphml(audit, lang)
    if fmt == "gexf":
        return _gexf(audit, lang)
    if fmt == "json":
        return _json(audit)
    if fmt == "mermaid":
        return _mermaid(audit, lang)
    return _csv(audit, lang)


def export(source, path, fmt: str | None = None, lang: str = "en") -> str:
    """Write the export of ``source`` to ``path`` atomically; return the format used.

    Example:
        >>> import tempfile, pathlib
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "flows.json"
        >>> export("inventories/monocollabo", out)
        'json'
    """
    fmt = export_format_of(path, fmt)
    write_atomic(path, render(source, fmt, lang).encode("utf-8"))
    return fmt
