"""The summarised flow map: parties grouped by role or legal entity, flows counted.

When a full layout would not finish in time (see ``docs/drawing.md``), the
drawing shows one node per group of parties (with how many parties it holds)
and one edge per ordered pair of groups, carrying the number of flows, the
worst status among them and the rule IDs of their unwaived findings, so a
violation is still red and still names its rules. The title says that the
map is a summary and how to get the full one.

Example:
    >>> import lineage
    >>> audit = lineage.check("inventories/monocollabo")
    >>> s = summarise(audit.graph, "role")
    >>> s.nodes["role:outsourcee"]["count"], s.graph["parties"], s.graph["flows"]
    (12, 32, 48)
    >>> d = s.edges["organisation", "role:third_party", "organisation>role:third_party"]
    >>> d["count"], d["status"], d["statuses"]
    (7, 'violation', {'violation': 4, 'waived': 1, 'ok': 2})
"""

from __future__ import annotations

from collections import Counter

import networkx as nx

from ..terms import natural_key
from .dot import Context, _attrs, _legend, _wrap_name, quote
from .style import (LAW_MARK, LAW_ONLY_STYLE, ORG_STYLE, ROLE_STYLE, ROLE_WORDS,
                    SENSITIVE_MARK, STATUS_STYLE, STATUS_WORDS, highlight_style,
                    route_label, word, worst_status)

__all__ = ["GROUPINGS", "group_of", "summarise", "build_summary_dot", "summary_title",
           "ORGANISATION_GROUP", "MEMBERS_SHOWN"]

#: What ``group=`` accepts: ``auto`` summarises only when the full map would not
#: finish in time, ``none`` always draws every party, ``role``/``entity`` always summarise.
GROUPINGS = ("auto", "none", "role", "entity")
#: The organisation keeps a node of its own when parties are grouped by role.
ORGANISATION_GROUP = "organisation"
#: Tooltips list at most this many party or flow IDs per group or edge (then "+N").
MEMBERS_SHOWN = 40
_ROLE_ORDER = list(ROLE_STYLE)
_STATUS_ORDER = ("violation", "warning", "waived", "ok")


def group_of(node: str, attrs: dict, by: str, organisation: str) -> str:
    """The group ID of a party: ``organisation``, ``role:<role>`` or ``entity:<legal entity>``.

    Example:
        >>> group_of("ops", {"role": "self", "legal_entity": "mc"}, "role", "mc")
        'role:self'
        >>> group_of("mc", {"role": "self", "legal_entity": "mc"}, "role", "mc")
        'organisation'
        >>> group_of("ops", {"role": "self", "legal_entity": "mc"}, "entity", "mc")
        'entity:mc'
    """
    if by == "role":
        if node == organisation:
            return ORGANISATION_GROUP
        return f"role:{attrs.get('role') or 'third_party'}"
    if by == "entity":
        return f"entity:{attrs.get('legal_entity') or node}"
    raise ValueError(f"unknown grouping {by!r} (known: role, entity)")


def _group_order(group: str, attrs: dict) -> tuple:
    """Organisation first, then roles in the legend's order, then entities by name."""
    if group == ORGANISATION_GROUP or attrs.get("organisation"):
        return (0, 0, ())
    role = attrs.get("role", "third_party")
    rank = _ROLE_ORDER.index(role) if role in _ROLE_ORDER else len(_ROLE_ORDER)
    return (1, rank, natural_key(group))


def summarise(g: nx.MultiDiGraph, by: str, organisation: str | None = None
              ) -> nx.MultiDiGraph:
    """One node per group of parties and one edge per ordered pair of groups.

    ``by`` is ``role`` (the organisation keeps its own node) or ``entity``
    (parties with the same ``legal_entity``). A node carries ``count``
    (parties), ``members`` (their IDs in natural order), ``role`` (the look:
    the role itself; for an entity, the entity's own party's role, else the
    commonest role) and its display ``name``/``name_en``. An edge, keyed
    ``"<from group>><to group>"``, carries ``count`` and ``flows`` (flow IDs),
    ``statuses`` (flows per status), ``status`` (the worst), ``routes`` (flows
    per route), ``items``, ``law_only`` (every violating flow breaks only the
    Act) and ``highlight`` (any flow highlighted). Flows inside one group
    become a loop. The graph's ``parties``, ``flows`` and ``by`` say what was
    summarised.

    Example:
        >>> g = nx.MultiDiGraph(organisation="me")
        >>> g.add_node("me", name="本社", name_en="HQ", role="self", legal_entity="me")
        >>> g.add_node("a", name="A社", name_en="A", role="outsourcee", legal_entity="a")
        >>> g.add_node("b", name="B社", name_en="B", role="outsourcee", legal_entity="a")
        >>> for k, (u, v, s) in enumerate([("me", "a", "ok"), ("me", "b", "violation"),
        ...                                ("a", "b", "warning")]):
        ...     _ = g.add_edge(u, v, key=f"F{k}", items=["x"], route="entrustment", status=s)
        >>> s = summarise(g, "role")
        >>> sorted(s.nodes(data="count"))
        [('organisation', 1), ('role:outsourcee', 2)]
        >>> [(u, v, d["count"], d["status"]) for u, v, d in s.edges(data=True)]
        [('organisation', 'role:outsourcee', 2, 'violation'), ('role:outsourcee', 'role:outsourcee', 1, 'warning')]
        >>> e = summarise(g, "entity")
        >>> e.nodes["entity:a"]["members"], e.nodes["entity:a"]["name_en"]
        (['a', 'b'], 'A')
    """
    organisation = organisation or g.graph.get("organisation", "")
    members: dict[str, list[str]] = {}
    where: dict[str, str] = {}
    for n, d in g.nodes(data=True):
        grp = group_of(n, d, by, organisation)
        where[n] = grp
        members.setdefault(grp, []).append(n)
    out = nx.MultiDiGraph(organisation=organisation, by=by, parties=g.number_of_nodes(),
                          flows=g.number_of_edges())
    nodes = []
    for grp, ids in members.items():
        ids.sort(key=natural_key)
        attrs = {"members": ids, "count": len(ids)}
        if by == "role":
            if grp == ORGANISATION_GROUP:
                d = g.nodes[ids[0]]
                attrs.update(role=d.get("role", "self"), organisation=True,
                             name=d.get("name", ids[0]), name_en=d.get("name_en", ids[0]))
            else:
                role = grp.split(":", 1)[1]
                words = ROLE_WORDS.get(role, {"en": role, "ja": role})
                attrs.update(role=role, name=words["ja"], name_en=words["en"])
        else:
            entity = grp.split(":", 1)[1]
            if entity in g and g.nodes[entity].get("legal_entity", entity) == entity:
                d = g.nodes[entity]
                role = d.get("role", "third_party")
                attrs.update(name=d.get("name", entity), name_en=d.get("name_en", entity))
            else:
                roles = Counter(g.nodes[n].get("role", "third_party") for n in ids)
                top = max(roles.values())
                role = min((r for r, c in roles.items() if c == top),
                           key=lambda r: (_ROLE_ORDER.index(r) if r in _ROLE_ORDER
                                          else len(_ROLE_ORDER), r))
                attrs.update(name=entity, name_en=entity)
            attrs.update(role=role, entity=entity, organisation=entity == organisation)
        nodes.append((grp, attrs))
    nodes.sort(key=lambda ga: _group_order(*ga))
    out.add_nodes_from(nodes)
    edges: dict[tuple[str, str], list[tuple[str, dict]]] = {}
    for u, v, k, d in g.edges(keys=True, data=True):
        edges.setdefault((where[u], where[v]), []).append((k, d))
    order = {grp: i for i, (grp, _) in enumerate(nodes)}
    for (gu, gv), flows in sorted(edges.items(), key=lambda e: (order[e[0][0]],
                                                                order[e[0][1]])):
        flows.sort(key=lambda kd: natural_key(kd[0]))
        statuses = Counter(d.get("status", "ok") for _, d in flows)
        routes = Counter(d.get("route") or "-" for _, d in flows)
        bad = [d for _, d in flows if d.get("status") == "violation"]
        attrs = {
            "count": len(flows), "flows": [k for k, _ in flows],
            "statuses": {s: statuses[s] for s in _STATUS_ORDER if statuses[s]},
            "status": worst_status(statuses),
            "routes": dict(sorted(routes.items())),
            "items": sorted({i for _, d in flows for i in d.get("items", ())}),
            "law_only": bool(bad) and all(d.get("law_only") for d in bad),
            "highlight": any(d.get("highlight") for _, d in flows),
        }
        out.add_edge(gu, gv, key=f"{gu}>{gv}", **attrs)
    return out


def summary_title(s: nx.MultiDiGraph, lang: str) -> str:
    """The line the title gets: what was grouped, and how to draw the full map.

    Example:
        >>> s = nx.MultiDiGraph(by="role", parties=5000, flows=15000)
        >>> s.add_nodes_from(["a", "b"]); _ = s.add_edge("a", "b")
        >>> summary_title(s, "en")
        'Summary: 5,000 parties grouped by role into 2 groups, 15,000 flows into 1 edges; full map: lineage draw --group none'
        >>> summary_title(s, "ja")
        '要約: 当事者 5,000 件を役割ごとに 2 グループ、フロー 15,000 件を 1 本の線にまとめた図です。全体図: lineage draw --group none'
    """
    by = s.graph["by"]
    parties, flows = s.graph["parties"], s.graph["flows"]
    groups, edges = s.number_of_nodes(), s.number_of_edges()
    if lang == "ja":
        return (f"要約: 当事者 {parties:,} 件を{word(by, 'ja')}ごとに {groups} グループ、"
                f"フロー {flows:,} 件を {edges} 本の線にまとめた図です。"
                f"全体図: lineage draw --group none")
    return (f"Summary: {parties:,} parties grouped by {word(by, 'en')} into {groups} groups, "
            f"{flows:,} flows into {edges} edges; full map: lineage draw --group none")


def _listing(ids: list[str], lang: str) -> str:
    shown = ", ".join(ids[:MEMBERS_SHOWN])
    rest = len(ids) - MEMBERS_SHOWN
    if rest > 0:
        shown += f" … (+{rest:,} {word('more', lang)})" if lang == "en" else f" …（{word('more', lang)} {rest:,} 件）"
    return shown


def _node_label(d: dict, lang: str) -> str:
    name = d["name"] if lang == "ja" else d["name_en"]
    if d.get("entity") is not None and name != d["entity"]:
        name = f"{name} ({d['entity']})"
    count = (f"{word('parties', 'ja')} {d['count']:,} 件" if lang == "ja"
             else f"{d['count']:,} {word('parties', 'en') if d['count'] != 1 else 'party'}")
    return f"{_wrap_name(str(name))}\n{count}"


def _node_tooltip(grp: str, d: dict, lang: str, by: str) -> str:
    lines = [f"{d['name']} / {d['name_en']}", f"ID: {grp}"]
    if by == "entity":
        lines.append(f"{word('entity', lang)}: {d['entity']}")
    role = ROLE_WORDS.get(d.get("role", ""), {}).get(lang, d.get("role", ""))
    lines.append(f"{word('role', lang)}: {role}")
    lines.append(f"{word('parties', lang)} ({d['count']:,}): {_listing(d['members'], lang)}")
    return "\n".join(lines)


def _rules(flows: list[str], ctx: Context) -> dict[str, list[str]]:
    """Rule IDs per status word, as in a merged edge's label."""
    found = [f for fl in flows for f in ctx.findings.get(fl, [])]
    out = {}
    for status, keep in (("violation", lambda f: not f.waived and f.severity == "error"),
                         ("warning", lambda f: not f.waived and f.severity != "error"),
                         ("waived", lambda f: f.waived)):
        rules = sorted({f.rule for f in found if keep(f)})
        if rules:
            out[status] = rules
    return out


def _edge_text(d: dict, ctx: Context) -> tuple[str, str]:
    """The label and the tooltip of a summary edge."""
    lang = ctx.lang
    count = (f"{word('flow_count', 'ja')} {d['count']:,} 件" if lang == "ja"
             else f"{d['count']:,} {'flows' if d['count'] != 1 else 'flow'}")
    rules = _rules(d["flows"], ctx)
    label = [count]
    for status in ("violation", "warning", "waived"):
        n = d["statuses"].get(status)
        if not n:
            continue
        mark = f"{LAW_MARK} " if status == "violation" and d.get("law_only") else ""
        ids = rules.get(status, [])
        shown = " ".join(ids[:6]) + (" …" if len(ids) > 6 else "")
        label.append(f"{mark}{STATUS_WORDS[status][lang]} {n:,}" + (f": {shown}" if shown else ""))
    if any(i in ctx.sensitive for i in d["items"]):
        label[0] = f"{SENSITIVE_MARK} {label[0]}"
    routes = " / ".join(f"{route_label(r, lang) if r != '-' else '-'} {n:,}"
                        for r, n in d["routes"].items())
    tip = [count, ", ".join(f"{STATUS_WORDS[s][lang]} {n:,}" for s, n in d["statuses"].items()),
           f"{'経路' if lang == 'ja' else 'routes'}: {routes}"]
    for status, ids in rules.items():
        tip.append(f"{STATUS_WORDS[status][lang]}: {' '.join(ids)}")
    bad = [f for f in d["flows"] if any(not x.waived and x.severity == "error"
                                        for x in ctx.findings.get(f, []))]
    if bad:
        tip.append(f"{STATUS_WORDS['violation'][lang]} ({len(bad):,}): {_listing(bad, lang)}")
    tip.append(f"{word('flow_count', lang)}: {_listing(d['flows'], lang)}")
    return "\n".join(label), "\n".join(tip)


def build_summary_dot(s: nx.MultiDiGraph, ctx: Context) -> str:
    """The DOT text of a summary graph from :func:`summarise` (``dot``, left to right).

    Nodes take their group's look (the organisation's own style for its
    group); edges take the worst status's colour and get thicker with more
    flows. SVG ids are ``group-N`` and ``flows-N`` in drawing order; classes
    ``group role-…`` and ``flow-group status-… route-…``.

    Example:
        >>> import lineage
        >>> from lineage.drawing import context_of
        >>> audit = lineage.check("inventories/monocollabo")
        >>> text = build_summary_dot(summarise(audit.graph, "role"), context_of(audit))
        >>> text.count(" -> "), "Summary: 32 parties grouped by role" in text
        (19, True)
    """
    lang, font = ctx.lang, ctx.font
    by = s.graph["by"]
    title = f"{ctx.title}\n{summary_title(s, lang)}" if ctx.title else summary_title(s, lang)
    out = ['digraph "lineage" {']
    out.append("  graph [" + _attrs({"charset": "UTF-8", "rankdir": "LR", "fontname": font,
                                     "fontsize": "16", "labelloc": "t", "label": title,
                                     "tooltip": title, "bgcolor": "#ffffff", "pad": "0.3",
                                     "nodesep": "0.4", "ranksep": "1.2",
                                     "class": "summary"}) + "];")
    out.append(f"  node [{_attrs({'fontname': font, 'fontsize': '12', 'margin': '0.15,0.06'})}];")
    out.append(f"  edge [{_attrs({'fontname': font, 'fontsize': '10', 'arrowsize': '0.8'})}];")
    roles = sorted({d.get("role", "third_party") for _, d in s.nodes(data=True)
                    if not d.get("organisation")},  # the organisation has a row of its own
                   key=lambda r: _ROLE_ORDER.index(r) if r in _ROLE_ORDER else 99)
    marks = set()
    if any(d.get("law_only") for *_, d in s.edges(data=True)):
        marks.add("law_only")
    if any(i in ctx.sensitive for *_, d in s.edges(data=True) for i in d["items"]):
        marks.add("sensitive")
    out.append(f"  {quote('lineage legend')} [shape=none, margin=0, id=\"legend\", "
               f"tooltip={quote('凡例' if lang == 'ja' else 'Legend')}, "
               f"label={_legend(ctx, roles, marks, word('summary_footer', lang))}];")
    index = {}
    for i, (grp, d) in enumerate(s.nodes(data=True), start=1):
        index[grp] = i
        role = d.get("role", "third_party")
        style = dict(ORG_STYLE if d.get("organisation")
                     else ROLE_STYLE.get(role, ROLE_STYLE["third_party"]))
        attrs = {"id": f"group-{i}", "class": f"group role-{role}",
                 "label": _node_label(d, lang), "tooltip": _node_tooltip(grp, d, lang, by),
                 **style}
        out.append(f"  {quote(grp)} [{_attrs(attrs)}];")
    many = s.number_of_edges() > 150
    for i, (u, v, d) in enumerate(s.edges(data=True), start=1):
        status = d["status"]
        label, tip = _edge_text(d, ctx)
        routes = " ".join(f"route-{r}" for r in d["routes"] if r != "-")
        attrs = {"id": f"flows-{i}",
                 "class": f"flow-group status-{status} {routes}".rstrip()
                 + (" law-only" if d.get("law_only") else "")
                 + (" highlight" if d.get("highlight") else ""),
                 ("xlabel" if many else "label"): label, "tooltip": tip, "labeltooltip": tip}
        attrs.update(highlight_style(status) if d.get("highlight")
                     else LAW_ONLY_STYLE if d.get("law_only")
                     else STATUS_STYLE.get(status, STATUS_STYLE["ok"]))
        # thicker with more flows, on a log-like scale so one edge cannot swamp the rest
        attrs["penwidth"] = f"{float(attrs['penwidth']) + min(len(str(d['count'])), 6) * 0.5:g}"
        out.append(f"  {quote(u)} -> {quote(v)} [{_attrs(attrs)}];")
    out.append("}")
    return "\n".join(out) + "\n"
