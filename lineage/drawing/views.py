"""Focused views of the flow graph: pure functions from a graph to a smaller graph.

Each view keeps the edge and node attributes untouched, so a view of a view is
still drawable and exportable. Views compose in the order the CLI applies them:
route, item, party neighbourhood, violations. :func:`by_flows` instead keeps
the answer of a lineage question (``draw --trace`` / ``--impact``) and marks
its routes with ``highlight=True``.

Example:
    >>> import lineage
    >>> g = lineage.check("inventories/monocollabo").graph
    >>> sorted(k for *_, k in by_item(g, "payment_info").edges(keys=True))
    ['F02', 'F09']
"""

from __future__ import annotations

import networkx as nx

from ..errors import LineageError
from ..terms import natural_key
from .style import worst_status

__all__ = ["ViewError", "by_route", "by_item", "neighbourhood", "only_violations",
           "merge_parallel", "apply_views", "by_flows"]


class ViewError(LineageError, ValueError):
    """A view was asked for something the inventory does not have.

    Example:
        >>> import lineage
        >>> neighbourhood(lineage.check("inventories/monocollabo").graph, "nobody")
        Traceback (most recent call last):
        lineage.drawing.views.ViewError: unknown party 'nobody'
    """


def _edge_subgraph(g: nx.MultiDiGraph, keep) -> nx.MultiDiGraph:
    """A copy with the edges ``keep(u, v, data)`` accepts and their endpoints."""
    out = nx.MultiDiGraph(**g.graph)
    for u, v, k, d in g.edges(keys=True, data=True):
        if keep(u, v, d):
            for n in (u, v):
                if n not in out:
                    out.add_node(n, **g.nodes[n])
            out.add_edge(u, v, key=k, **d)
    return out


def by_route(g: nx.MultiDiGraph, route: str) -> nx.MultiDiGraph:
    """Only the flows on ``route`` (as the audit decided it) and their parties.

    Example:
        >>> import lineage
        >>> g = by_route(lineage.check("inventories/monocollabo").graph, "opt_out")
        >>> sorted(g.nodes)
        ['list-broker', 'monocollabo']
    """
    return _edge_subgraph(g, lambda u, v, d: d.get("route") == route)


def _check_item(g: nx.MultiDiGraph, item: str, known) -> None:
    carried = {i for *_, d in g.edges(data=True) for i in d.get("items", ())}
    if item not in carried and item not in set(known):
        raise ViewError(f"unknown data item {item!r} (no flow carries it)",
                        message_ja=f"データ項目 {item!r} を運ぶフローがありません")


def by_item(g: nx.MultiDiGraph, item: str) -> nx.MultiDiGraph:
    """Only the flows that carry data item ``item``; unknown items are an error.

    Example:
        >>> import lineage
        >>> by_item(lineage.check("inventories/monocollabo").graph, "nope")
        Traceback (most recent call last):
        lineage.drawing.views.ViewError: unknown data item 'nope' (no flow carries it)
    """
    _check_item(g, item, ())
    return _edge_subgraph(g, lambda u, v, d: item in d.get("items", ()))


def neighbourhood(g: nx.MultiDiGraph, party: str,
                  depth: int | None = 1) -> nx.MultiDiGraph:
    """Parties within ``depth`` hops of ``party`` (either direction) and the flows among them;
    ``depth=None``: every party connected to it, however far.

    Example:
        >>> import lineage
        >>> g = neighbourhood(lineage.check("inventories/monocollabo").graph, "call-centre", 1)
        >>> sorted(g.nodes)
        ['call-centre', 'call-centre-sub', 'monocollabo']
    """
    if depth is not None and depth < 0:
        raise ViewError(f"depth must be 0 or more, got {depth}",
                        message_ja=f"depth は 0 以上にしてください（指定: {depth}）")
    if party not in g:
        raise ViewError(f"unknown party {party!r}",
                        message_ja=f"当事者 {party!r} は定義されていません")
    near = nx.single_source_shortest_path_length(g.to_undirected(as_view=True), party,
                                                 cutoff=depth)
    sub = g.subgraph(near).copy()
    sub.graph.update(g.graph)
    return sub


def by_flows(g: nx.MultiDiGraph, flows, highlight=(), parties=()) -> nx.MultiDiGraph:
    """Only the flows with IDs in ``flows``; ``highlight=True`` on those in ``highlight``.

    Used to draw a lineage question's answer with the full audit attributes:
    ``flows`` are the edge keys of the question's subgraph (e.g.
    :func:`lineage.analysis.trace_subgraph`, or an ``impact`` result's
    ``graph``). ``parties`` are kept even when no kept flow touches them (where
    a trace starts, the party that leaks). Unknown flow IDs are an error.

    Example:
        >>> import lineage
        >>> g = by_flows(lineage.check("inventories/monocollabo").graph, ["F10", "F11"],
        ...              highlight=["F11"], parties=["police"])
        >>> sorted(g.nodes)
        ['mailing-house', 'monocollabo', 'police', 'print-shop']
        >>> [(k, d["highlight"], d["status"]) for *_, k, d in g.edges(keys=True, data=True)]
        [('F10', False, 'ok'), ('F11', True, 'ok')]
    """
    wanted, marked = set(flows), set(highlight)
    known = {k for *_, k in g.edges(keys=True)}
    missing = sorted(wanted - known, key=natural_key)
    if missing:
        raise ViewError(f"unknown flow {missing[0]!r}",
                        message_ja=f"フロー {missing[0]!r} は定義されていません")
    out = nx.MultiDiGraph(**g.graph)
    for u, v, k, d in g.edges(keys=True, data=True):  # graph order, not a set's
        if k in wanted:
            for n in (u, v):
                if n not in out:
                    out.add_node(n, **g.nodes[n])
            out.add_edge(u, v, key=k, **d)
    for party in sorted(parties, key=natural_key):
        if party not in g:
            raise ViewError(f"unknown party {party!r}",
                        message_ja=f"当事者 {party!r} は定義されていません")
        if party not in out:
            out.add_node(party, **g.nodes[party])
    for *_, k, d in out.edges(keys=True, data=True):
        d["highlight"] = k in marked
    return out


def only_violations(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Violating flows and their two ends, nothing else.

    Example:
        >>> import lineage
        >>> g = only_violations(lineage.check("inventories/monocollabo").graph)
        >>> "F44" in {k for *_, k in g.edges(keys=True)}, "F13" in {k for *_, k in g.edges(keys=True)}
        (True, False)
    """
    return _edge_subgraph(g, lambda u, v, d: d.get("status") == "violation")


_only_violations = only_violations  # apply_views has a parameter of the same name


def merge_parallel(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """One edge per ordered pair of parties, keyed by the first flow ID, with counts.

    The merged edge lists its flows, the union of items, routes, rules and
    findings, and the worst status, so nothing a reader needs is lost.

    Example:
        >>> import lineage
        >>> g = merge_parallel(lineage.check("inventories/monocollabo").graph)
        >>> d = g.edges["customers", "monocollabo", "F02"]
        >>> d["count"], d["flows"], d["status"]
        (2, ['F02', 'F03'], 'ok')
    """
    out = nx.MultiDiGraph(**g.graph)
    out.add_nodes_from(g.nodes(data=True))
    groups: dict[tuple[str, str], list[tuple[str, dict]]] = {}
    for u, v, k, d in g.edges(keys=True, data=True):
        groups.setdefault((u, v), []).append((k, d))
    for (u, v), members in sorted(groups.items()):
        members.sort(key=lambda kd: natural_key(kd[0]))
        first = members[0][1]
        if len(members) == 1 and "flows" not in first:
            out.add_edge(u, v, key=members[0][0], **first, count=1, flows=[members[0][0]])
            continue
        flows = [f for k, d in members for f in d.get("flows", [k])]
        merged = dict(
            id=members[0][0], flows=flows, count=len(flows),
            items=sorted({i for _, d in members for i in d.get("items", ())}),
            purposes=sorted({p for _, d in members for p in d.get("purposes", ())}),
            basis=None, start=min(d["start"] for _, d in members),
            end=None if any(d.get("end") is None for _, d in members)
            else max(d["end"] for _, d in members),
            routes=sorted({r for _, d in members for r in d.get("routes", [d.get("route")])
                           if r is not None}),
            findings=sorted({f for _, d in members for f in d.get("findings", ())},
                            key=natural_key),
            rules=sorted({r for _, d in members for r in d.get("rules", ())}),
            status=worst_status(d.get("status", "ok") for _, d in members),
            members={k: d for k, d in members},
        )
        if any("law_only" in d for _, d in members):
            # Marked only when every violating flow merged here breaks the Act alone.
            bad = [d for _, d in members if d.get("status") == "violation"]
            merged["law_only"] = bool(bad) and all(d.get("law_only") for d in bad)
        if any("highlight" in d for _, d in members):
            merged["highlight"] = any(d.get("highlight") for _, d in members)
        merged["route"] = merged["routes"][0] if len(merged["routes"]) == 1 else "mixed"
        out.add_edge(u, v, key=members[0][0], **merged)
    return out


def apply_views(g: nx.MultiDiGraph, *, route: str | None = None, item: str | None = None,
                party: str | None = None, depth: int | None = 1,
                only_violations: bool = False, known_items=()) -> nx.MultiDiGraph:
    """Apply the focused views the options ask for (route, item, party, violations).

    ``party`` keeps the parties within ``depth`` hops of it (default 1;
    ``None``: no limit, every party connected to it).

    Arguments are checked against the whole graph first, so an item or party
    that exists but falls outside another view gives an empty drawing, not an
    error; ``known_items`` are items declared but carried by no flow.

    Example:
        >>> import lineage
        >>> g = apply_views(lineage.check("inventories/monocollabo").graph, item="phone",
        ...                 only_violations=True)
        >>> sorted(k for u, v, k, d in g.edges(keys=True, data=True)
        ...        if d["status"] == "violation")
        ['F30', 'F33']
    """
    if depth is not None and depth < 0:
        raise ViewError(f"depth must be 0 or more, got {depth}",
                        message_ja=f"depth は 0 以上にしてください（指定: {depth}）")
    if party is not None and party not in g:
        raise ViewError(f"unknown party {party!r}",
                        message_ja=f"当事者 {party!r} は定義されていません")
    if item is not None:
        _check_item(g, item, known_items)
    if route is not None:
        g = by_route(g, route)
    if item is not None:
        g = _edge_subgraph(g, lambda u, v, d: item in d.get("items", ()))
    if party is not None:
        if party not in g:
            g = nx.MultiDiGraph(**g.graph)  # the party exists but no kept flow touches it
        else:
            g = neighbourhood(g, party, depth)
    if only_violations:
        g = _only_violations(g)
    return g
