"""Lineage queries: trace, upstream, impact, stop, and whole-graph reach.

Each query returns a :class:`QueryResult`: a DataFrame ``table`` (what the CLI
prints), the subgraph of the flows involved (``graph``, a
``networkx.MultiDiGraph`` keyed by flow ID) and the flow IDs to highlight when
drawing it. All of them use the item propagation of :mod:`lineage.propagation`
(same time rules everywhere): an item held by a party from day ``d`` crosses a
flow running ``[start, end]`` when ``end`` is absent or not before ``d``, and
arrives on ``max(d, start)``; ``as_of`` ignores flows that start after it.

Example:
    >>> r = impact("inventories/monocollabo", "mailing-house")
    >>> sorted(r.table.party.unique())
    ['mailing-affiliate', 'print-shop']
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from ..errors import LineageError
from ..result import AuditResult as Audit, check
from ..model.errors import did_you_mean
from ..model.schema import Inventory, optional_date
from ..flownet import NEVER, FlowNet, sweep, sweep_groups
from ..propagation import item_index, propagate
from ..terms import natural_key, natural_sorted
from .columnar import read_network

__all__ = ["QueryResult", "Trace", "Upstream", "Impact", "Stop", "QueryError",
           "trace", "upstream", "impact", "stop", "reach_table", "group_reach",
           "subgraph", "trace_subgraph", "people_affected"]

_EVER = dt.date.min


class QueryError(LineageError, ValueError):
    """A query names an item, party or consent the inventory does not have.

    Example:
        >>> trace("inventories/monocollabo", "shoe_size")
        Traceback (most recent call last):
        lineage.analysis.queries.QueryError: unknown item 'shoe_size'
    """

    def __init__(self, message: str, message_ja: str | None = None):
        super().__init__(message)
        #: The message in Japanese (the CLI shows it with --lang ja).
        self.message_ja = message_ja


@dataclass
class QueryResult:
    """A query's answer: ``table`` rows, the flows involved and those to highlight.

    Example:
        >>> r = trace("inventories/monocollabo", "address", frm="mailing-house")
        >>> r.query, r.highlight, r.table.party.tolist()
        ('trace', ['F11', 'F24', 'F44'], ['mailing-affiliate', 'members', 'print-shop'])
        >>> sorted(r.graph.edges(keys=True))[0]
        ('mailing-house', 'mailing-affiliate', 'F44')
    """

    query: str
    params: dict
    table: pd.DataFrame
    graph: nx.MultiDiGraph
    highlight: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        """JSON-ready form (dates as ISO text, lists kept).

        Example:
            >>> d = trace("inventories/monocollabo", "address", frm="mailing-house").as_dict()
            >>> d["params"]["as_of"], d["rows"][0]["since"], d["rows"][0]["path"]
            (None, '2024-02-01', ['F44'])
        """
        rows = [{k: _plain(v) for k, v in row.items()}
                for row in self.table.to_dict(orient="records")]
        out = {"query": self.query, "params": {k: _plain(v) for k, v in self.params.items()},
               "rows": rows, "highlight": list(self.highlight)}
        out.update({k: _plain(v) for k, v in self.extra.items()})
        return out


class Trace(QueryResult):
    """Result of :func:`trace`.

    Example:
        >>> t = trace("inventories/monocollabo", "address", frm="mailing-house")
        >>> type(t).__name__, t.table.columns.tolist()
        ('Trace', ['party', 'hops', 'since', 'path'])
    """


class Upstream(QueryResult):
    """Result of :func:`upstream`.

    Example:
        >>> u = upstream("inventories/monocollabo", "print-shop", item="address")
        >>> type(u).__name__, u.highlight
        ('Upstream', ['F01', 'F02', 'F05', 'F10', 'F11'])
    """


class Impact(QueryResult):
    """Result of :func:`impact`; ``extra["holdings"]`` lists what the party holds.

    Example:
        >>> r = impact("inventories/monocollabo", "mailing-house")
        >>> sorted({(h["group"], h["item"]) for h in r.extra["holdings"]})[:2]
        [('applicants', 'address'), ('applicants', 'name')]
    """


class Stop(QueryResult):
    """Result of :func:`stop`.

    Example:
        >>> s = stop("inventories/monocollabo", consent="C05")
        >>> type(s).__name__, s.highlight, s.table.route.tolist()
        ('Stop', ['F37'], ['consent'])
    """


def _plain(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, np.integer):
        return int(value)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return value


# -- inputs -------------------------------------------------------------------------
def _audit(source, as_of) -> Audit:
    if isinstance(source, Audit):
        if as_of is not None and as_of != source.as_of:
            return check(source.inventory, as_of=as_of, packs=source.packs)
        return source
    return check(source, as_of=as_of)


def _network(source) -> tuple[FlowNet, Inventory | None]:
    if isinstance(source, FlowNet):
        return source, None
    if isinstance(source, Audit):
        return FlowNet.from_inventory(source.inventory), source.inventory
    if isinstance(source, Inventory):
        return FlowNet.from_inventory(source), source
    return read_network(Path(source)), None


def _need_party(net_or_ids, party: str) -> None:
    known = net_or_ids.party_index if isinstance(net_or_ids, FlowNet) else net_or_ids
    if party not in known:
        raise QueryError(f"unknown party '{party}'{did_you_mean(party, known)}",
                         f"当事者 '{party}' は定義されていません{did_you_mean(party, known, 'ja')}")


def _need_item(net_or_ids, item: str) -> None:
    known = net_or_ids.item_index if isinstance(net_or_ids, FlowNet) else net_or_ids
    if item not in known:
        raise QueryError(f"unknown item '{item}'{did_you_mean(item, known)}",
                         f"データ項目 '{item}' は定義されていません{did_you_mean(item, known, 'ja')}")


def subgraph(flows, highlight=(), parties=None) -> nx.MultiDiGraph:
    """A ``MultiDiGraph`` of ``flows`` (``(id, from, to, attrs)`` tuples), keyed by flow ID.

    Edges in ``highlight`` get ``highlight=True``: the draw module colours them.

    Example:
        >>> g = subgraph([("F1", "a", "b", {"items": ["name"]})], highlight=["F1"])
        >>> g.edges["a", "b", "F1"]["highlight"]
        True
    """
    g = nx.MultiDiGraph()
    marked = set(highlight)
    for party, attrs in (parties or {}).items():
        g.add_node(party, **attrs)
    for flow_id, frm, to, attrs in flows:
        g.add_edge(frm, to, key=flow_id, id=flow_id, highlight=flow_id in marked, **attrs)
    return g


# -- whole-graph reach ----------------------------------------------------------------
def reach_table(source, *, origins=None, as_of: dt.date | None = None) -> pd.DataFrame:
    """Every (party, item) an item can reach from ``origins``, with the day and route.

    ``origins`` defaults to the data subjects and the organisation, each
    holding every item from the beginning. One vectorised pass for all items.
    Between legal entities, as ``lineage trace`` and the rules follow data
    (what one department holds, its company holds): a party is listed when
    a flow reaches any party of its entity, and the origins' entities are
    not listed.

    Example:
        >>> t = reach_table("inventories/monocollabo", origins=["readers"])
        >>> t[t.party == "analytics-vendor"][["item", "since", "path"]].values.tolist()
        [['cookie_id', datetime.date(2023, 4, 1), ['F04', 'F19']], ['ip_address', datetime.date(2023, 4, 1), ['F04', 'F19']]]
    """
    as_of = optional_date(as_of)  # a date or ISO text (2026-04-01)
    net, _ = _network(source)
    origins = sorted(origins) if origins is not None else net.origins()
    for party in origins:
        _need_party(net, party)
    enet, first = net.by_entity()
    members = _members(first)
    at = sorted({int(first[net.party_index[p]]) for p in origins})
    seeds = {str(net.parties[p]): {i: _EVER for i in net.items} for p in at}
    r = sweep(enet, seeds, as_of=as_of, flow_mask=_onward(enet, origins, at))
    rows = []
    skip = set(at)
    for p, i in zip(*np.nonzero(r.reached())):
        if int(p) in skip:
            continue
        entity, item = net.parties[p], net.items[i]
        since, path = dt.date.fromordinal(int(r.arrival[p, i])), r.path(entity, item)
        rows.extend((net.parties[m], item, since, path) for m in members[int(p)])
    rows.sort(key=lambda r: (natural_key(r[0]), natural_key(r[1])))
    return pd.DataFrame(rows, columns=["party", "item", "since", "path"])


def group_reach(source, *, as_of: dt.date | None = None) -> dict[str, np.ndarray]:
    """For each data-subject group, the items of it that reach each party.

    Returns ``{group: bits}`` where ``bits`` is ``(n_parties, ceil(n_items/8))``
    uint8, one packed item bitmask per party (order of ``FlowNet.parties`` and
    ``FlowNet.items``). A group's items are those on its entity's outgoing
    flows, held from the beginning, as in
    :attr:`lineage.rules.context.Context.entity_reach`: between legal
    entities, so every party of an entity gets the entity's items. One
    vectorised propagation for all groups and all items at once
    (:func:`~lineage.flownet.sweep_groups`).

    Example:
        >>> from lineage.flownet import FlowNet
        >>> from lineage.model import load
        >>> net = FlowNet.from_inventory(load("inventories/monocollabo"))
        >>> bits = group_reach(net)["readers"]
        >>> row = np.unpackbits(bits[net.party_index["ad-network"]])[:net.n_items]
        >>> [net.items[i] for i in np.flatnonzero(row)]
        ['cookie_id', 'ip_address']
    """
    as_of = optional_date(as_of)  # a date or ISO text (2026-04-01)
    net, _ = _network(source)
    enet, first = net.by_entity()
    groups = net.subject_groups()
    seeds = []
    for group in groups:
        g = int(first[net.party_index[group]])
        carried = np.unique(net.pair_item[enet.src[net.pair_flow] == g])
        seeds.append({str(net.parties[g]): {net.items[i]: _EVER for i in carried}})
    packed = sweep_groups(enet, seeds, as_of=as_of)
    # each party's row is its entity's (the first party's, where the sweep lands)
    return {group: packed[n][first] for n, group in enumerate(groups)}


def _onward(net: FlowNet, origins, at=None) -> np.ndarray:
    """Flows that pass data on: none leave a data-subject group unless it is an origin.

    Data handed back to the people themselves ends there; what they send
    again is a new collection of their own data, traced from them as origins.
    ``at``: the origins' indices, when they are not those of their names
    (the first parties of their legal entities, :meth:`FlowNet.by_entity`).
    """
    subject = net.roles == "data_subject"
    subject[[net.party_index[p] for p in origins] if at is None else at] = False
    return ~subject[net.src]


def _members(first: np.ndarray) -> dict[int, list[int]]:
    """Each legal entity's first party (:meth:`FlowNet.by_entity`) -> its parties."""
    out: dict[int, list[int]] = defaultdict(list)
    for p, r in enumerate(first.tolist()):
        out[r].append(p)
    return out


# -- trace --------------------------------------------------------------------------
def trace(source, item: str, *, frm: str | None = None, depth: int | None = None,
          as_of: dt.date | None = None, all_paths: bool = False,
          limit: int = 100) -> Trace:
    """Downstream reach of ``item``: every party it can reach and how.

    Origins are ``frm`` or, by default, the data subjects and the
    organisation, holding the item from the beginning. Each row is a party with
    ``hops`` (fewest flows on a time-respecting route), ``since`` (earliest
    arrival over routes of at most ``depth`` flows) and ``path`` (a shortest
    route's flow IDs). With ``all_paths`` there is one row per simple route
    (no party twice, origins only at the start) of at most ``depth`` flows,
    ``limit`` routes in all (``extra["truncated"]`` says if more exist).

    Example:
        >>> t = trace("inventories/monocollabo", "address", frm="mailing-house")
        >>> t.table[["party", "hops", "path"]].values.tolist()
        [['mailing-affiliate', 1, ['F44']], ['members', 1, ['F24']], ['print-shop', 1, ['F11']]]
    """
    as_of = optional_date(as_of)  # a date or ISO text (2026-04-01)
    net, _ = _network(source)
    _need_item(net, item)
    origins = [frm] if frm is not None else net.origins()
    for party in origins:
        _need_party(net, party)
    if depth is not None and depth < 1:
        raise QueryError("--depth must be at least 1", "--depth は 1 以上にしてください")
    # Between legal entities (what one department holds, its company holds), as the
    # rules' lineage: a party is reached when a flow reaches a party of its entity.
    enet, first = net.by_entity()
    members = _members(first)
    i = net.item_index[item]
    sel = np.flatnonzero(net.pair_item == i)
    flows = net.pair_flow[sel]
    origin_idx = np.array(sorted({int(first[net.party_index[p]]) for p in origins}),
                          dtype=np.int64)
    flows = flows[_onward(enet, origins, origin_idx)[flows]]
    if as_of is not None:
        flows = flows[net.start[flows] <= as_of.toordinal()]
    params = {"item": item, "from": frm, "depth": depth,
              "as_of": as_of, "all_paths": all_paths}
    if all_paths:
        rows, truncated = _simple_paths(enet, flows, origin_idx, depth, limit)
        rows = [(net.parties[m], *rest) for party, *rest in rows
                for m in members[enet.party_index[party]]]
        rows.sort(key=lambda r: (r[1], natural_key(r[0]), [natural_key(f) for f in r[2]]))
        extra = {"truncated": truncated}
        highlight = sorted({f for _, _, path, _ in rows for f in path}, key=natural_key)
        table = pd.DataFrame(rows, columns=["party", "hops", "path", "since"])
    else:
        # each entity's row is listed once per party of it: counted so in the cap
        table, highlight = _shortest(enet, flows, origin_idx, depth, np.array(
            [len(members.get(k, ())) or 1 for k in range(len(enet.parties))],
            dtype=np.int64))
        if len(members) < len(first):  # some entity of several parties: each is listed
            rows = [(net.parties[m], *rest) for party, *rest in table.itertuples(index=False)
                    for m in members[enet.party_index[party]]]
            rows.sort(key=lambda r: (r[1], r[0]))  # as _shortest orders its table
            table = pd.DataFrame(rows, columns=["party", "hops", "since", "path"])
        extra = {}
    used = set(highlight)
    graph = subgraph(((net.flows[f], net.parties[net.src[f]], net.parties[net.dst[f]],
                       {"items": [item]}) for f in flows if net.flows[f] in used),
                     highlight=highlight)
    return Trace("trace", params, table, graph, highlight, extra)


def _shortest(net: FlowNet, flows: np.ndarray, origins: np.ndarray, depth,
              listed: np.ndarray | None = None):
    """Layered relaxation: layer k holds the earliest day with at most k flows.
    ``listed``: how many rows each party's route will be listed in (its legal
    entity's parties), for the cap on what an answer lists."""
    u, v = net.src[flows], net.dst[flows]
    start, end = net.start[flows], net.end[flows]
    n = len(net.parties)
    label = np.full(n, NEVER, dtype=np.int64)
    label[origins] = _EVER.toordinal()
    hops = np.full(n, -1, dtype=np.int64)
    hops[origins] = 0
    changes: dict[int, list] = defaultdict(list)  # party -> [(layer, flow)]
    frontier = np.zeros(n, dtype=bool)
    frontier[origins] = True
    layer = 0
    while frontier.any() and (depth is None or layer < depth):
        layer += 1
        act = np.flatnonzero(frontier[u] & (label[u] <= end))
        when = np.maximum(label[u[act]], start[act])
        better = when < label[v[act]]
        act, when = act[better], when[better]
        new = label.copy()
        np.minimum.at(new, v[act], when)
        won = when == new[v[act]]
        act = act[won]
        frontier = new < label
        # The first flow in input order among equally early ones gives the route.
        targets, via = v[act], flows[act]
        by = np.lexsort((via, targets))
        targets, via = targets[by], via[by]
        first = np.ones(len(targets), dtype=bool)
        first[1:] = targets[1:] != targets[:-1]
        for party, f in zip(targets[first].tolist(), via[first].tolist()):
            changes[party].append((layer, f))
        newly = frontier & (hops < 0)
        hops[newly] = layer
        label = new
    rows, highlight = [], set()
    reached = hops > 0
    _check_listing(int((hops[reached] * (listed[reached] if listed is not None else 1)).sum()),
                   "trace")
    for p in np.flatnonzero(hops > 0):
        path = _route(net, changes, int(p), int(hops[p]))
        highlight.update(path)
        rows.append((net.parties[p], int(hops[p]), dt.date.fromordinal(int(label[p])),
                     [net.flows[f] for f in path]))
    table = pd.DataFrame(rows, columns=["party", "hops", "since", "path"])
    table = table.sort_values(["hops", "party"], kind="stable").reset_index(drop=True)
    table = table[["party", "hops", "since", "path"]]
    return table, sorted((net.flows[f] for f in highlight), key=natural_key)


def _route(net: FlowNet, changes: dict, party: int, layer: int) -> list[int]:
    """Flows of a route with at most ``layer`` flows (the label set at that layer)."""
    out = []
    while True:
        entries = [e for e in changes.get(party, ()) if e[0] <= layer]
        if not entries:
            return out[::-1]
        got, flow = entries[-1]
        out.append(flow)
        party, layer = int(net.src[flow]), got - 1


def _simple_paths(net: FlowNet, flows: np.ndarray, origins: np.ndarray, depth, limit):
    out_flows: dict[int, list[int]] = defaultdict(list)
    for f in flows:
        out_flows[int(net.src[f])].append(int(f))
    is_origin = set(origins.tolist())
    depth = depth if depth is not None else len(net.parties)
    rows: list = []
    truncated = False
    for origin in origins:
        stack = [(int(origin), _EVER.toordinal(), [], {int(origin)})]
        while stack:
            party, day, path, seen = stack.pop()
            if path:
                if len(rows) >= limit:
                    truncated = True
                    break
                rows.append((net.parties[party], len(path), [net.flows[f] for f in path],
                             dt.date.fromordinal(day)))
            if len(path) >= depth:  # a route of depth flows is listed, not extended
                continue
            for f in reversed(out_flows.get(party, ())):
                to = int(net.dst[f])
                if to in seen or to in is_origin or net.end[f] < day:
                    continue
                when = max(day, int(net.start[f]))
                stack.append((to, when, path + [f], seen | {to}))
        if truncated:
            break
    rows.sort(key=lambda r: (r[1], natural_key(r[0]), [natural_key(f) for f in r[2]]))
    return rows, truncated


# -- upstream -----------------------------------------------------------------------
def upstream(source, party: str, *, item: str | None = None,
             as_of: dt.date | None = None) -> Upstream:
    """Provenance of ``party``'s data: every flow that brought it there, hop by hop.

    Hop 1 is each flow into ``party`` carrying an item it holds (``item`` only,
    if given); hop 2 the flows that brought those items to their providers, and
    so on back to the data subjects. A flow counts when the item can actually
    travel it in time (its provider holds the item before the flow ends) and it
    starts before the later hop ends. Each row carries the flow's route and the
    items it brought that many hops back: a flow that brought one item two hops
    back and another four is listed at both hops, each with its items.

    Example:
        >>> u = upstream("inventories/monocollabo", "print-shop", item="address")
        >>> u.table[["hop", "flow", "from", "route"]].values.tolist()
        [[1, 'F11', 'mailing-house', 'external'], [2, 'F10', 'monocollabo', 'outsourcing'], [3, 'F01', 'members', 'collection'], [3, 'F02', 'customers', 'collection'], [3, 'F05', 'applicants', 'collection']]
    """
    as_of = optional_date(as_of)  # a date or ISO text (2026-04-01)
    audit = _audit(source, as_of)
    inv, routes = audit.inventory, audit.routes
    ctx_parties = {p.id for p in inv.parties}
    _need_party(ctx_parties, party)
    items = _item_ids(inv)
    if item is not None:
        _need_item(items, item)
    net = FlowNet.from_inventory(inv)
    # Between legal entities, as the rules' lineage: what one department holds, its
    # company holds, so the flows into any party of the entity brought it.
    enet, first = net.by_entity()
    entity = {p: enet.parties[first[n]] for n, p in enumerate(net.parties.tolist())}
    reach = sweep(enet, {entity[p]: {i: _EVER for i in net.items} for p in net.origins()},
                  as_of=as_of)
    wanted = ([item] if item is not None
              else sorted(reach.items_at(entity[party]), key=natural_key))
    inbound: dict[str, list] = defaultdict(list)
    for f in inv.flows:
        if as_of is None or f.start <= as_of:
            inbound[entity[f.to]].append(f)
    subjects = {p.id for p in inv.parties if p.role == "data_subject"}
    best: dict[tuple[str, str], int] = {}  # (flow, item) -> the fewest hops it is back
    for it in wanted:
        # (entity, latest day the item may leave it) reached backwards, by hop.
        frontier = [(entity[party], dt.date.max)]
        seen = {entity[party]}
        hop = 0
        while frontier:
            hop += 1
            nxt = []
            for to, until in frontier:
                for f in inbound.get(to, ()):
                    if (it not in f.items or f.start > until or entity[f.frm] == to
                            or entity[f.frm] == entity[party]):
                        # (a flow inside the entity brought it nothing; one from the
                        # party's own entity is its data going round, not their source)
                        continue
                    held = reach.items_at(entity[f.frm]).get(it)
                    if held is None or (f.end is not None and f.end < held):
                        continue
                    if best.get((f.id, it), hop) >= hop:
                        best[(f.id, it)] = hop
                    source = entity[f.frm]
                    if source not in seen and f.frm not in subjects:
                        seen.add(source)
                        nxt.append((source, f.end or dt.date.max))
            frontier = nxt
    flows = {f.id: f for f in inv.flows}
    # A flow is listed at each hop where some item is that far back, with those items
    # only: F01 may bring an e-mail address two hops back and a postal address four.
    at: dict[tuple[int, str], list] = defaultdict(list)
    for (fid, it), h in best.items():
        at[(h, fid)].append(it)
    rows = [(h, fid, flows[fid].frm, flows[fid].to, sorted(its, key=natural_key),
             routes[fid], flows[fid].start, flows[fid].end)
            for (h, fid), its in at.items()]
    rows.sort(key=lambda r: (r[0], natural_key(r[1])))
    table = pd.DataFrame(rows, columns=["hop", "flow", "from", "to", "items", "route",
                                        "start", "end"])
    ids = list(dict.fromkeys(r[1] for r in rows))
    graph = _flow_graph(inv, ids, routes, ids)
    return Upstream("upstream", {"party": party, "item": item, "as_of": as_of}, table,
                    graph, sorted(ids, key=natural_key))


# -- impact -------------------------------------------------------------------------
def impact(source, party: str, *, as_of: dt.date | None = None) -> Impact:
    """Blast radius of a leak at ``party``: what it holds and who received it from it.

    ``extra["holdings"]``: per data-subject group, the items of that group that
    reach ``party`` and since when (the rules' ``Context.subject_reach``). The
    table: every party downstream of ``party`` that receives any held item,
    with the groups concerned, the earliest day, the route (flow IDs) and the
    legal route of each hop. The spread stops at the organisation (unless the
    leak is its own), which is not listed: data returned to it are its own
    again, and what it sends on is its own copy.

    Example:
        >>> r = impact("inventories/monocollabo", "mailing-house")
        >>> r.table[["party", "item", "path", "routes"]].values.tolist()[0]
        ['mailing-affiliate', 'address', ['F44'], ['external']]
    """
    as_of = optional_date(as_of)  # a date or ISO text (2026-04-01)
    from ..rules.context import Context
    audit = _audit(source, as_of)
    inv, routes = audit.inventory, audit.routes
    _need_party({p.id for p in inv.parties}, party)
    ctx = Context(inv, audit.as_of)
    holdings = []
    held: dict[str, dt.date] = {}
    groups_of: dict[str, list[str]] = defaultdict(list)
    group_reach_ = _subject_reach(ctx, as_of)
    for group, reach in sorted(group_reach_.items()):
        for it, since in sorted(reach.items_at(party).items(), key=lambda kv: natural_key(kv[0])):
            if group == party:
                continue
            holdings.append({"group": group, "item": it, "since": since})
            held[it] = min(held.get(it, since), since)
            groups_of[it].append(group)
    flows = [f for f in inv.flows if as_of is None or f.start <= as_of]
    subjects = {p.id for p in inv.parties if p.role == "data_subject"} - {party}
    # Between legal entities, as the rules' lineage: a leak at one party is a leak
    # of what its company holds, and a company is reached through any of its parties.
    entity = ctx.entity
    # Data returned to the organisation are its own again (rules.md, TP203): what it
    # sends on is its own copy, not the leaked one, so the spread stops there (an
    # outsourcee's routine return otherwise listed every recipient of the organisation).
    org = ctx.org_entity if entity(party) != ctx.org_entity else None
    reach = (propagate(flows, {party: held},
                       allow=lambda f: f.frm not in subjects and entity(f.frm) != org,
                       index=item_index(flows, entity), node=entity)
             if held else None)
    rows, used = [], set()
    if reach is not None:
        own = entity(party)
        lengths: dict = {}  # shared by every walk: each step counted once
        _check_listing(sum(reach.path_length(other, it, lengths)
                           for node in reach.parties() if node != own and node != org
                           for other in ctx.parties_by_entity.get(node, (node,))
                           if other not in subjects for it in reach.items_at(other)),
                       "impact")
        for node in reach.parties():
            # Nor is the organisation listed: its own data came back to it, no one
            # else's hands (the trial of round 12: a carrier's return named it).
            if node == own or node == org:
                continue
            for other in ctx.parties_by_entity.get(node, (node,)):
                # The people themselves are the owners of the data, not exposed recipients.
                if other in subjects:
                    continue
                for it, since in reach.items_at(other).items():
                    path = reach.path(other, it)
                    used.update(path)
                    rows.append((other, it, sorted(groups_of[it]), since, len(path), path,
                                 [routes[f] for f in path]))
    rows.sort(key=lambda r: (r[4], natural_key(r[0]), natural_key(r[1])))
    table = pd.DataFrame(rows, columns=["party", "item", "groups", "since", "hops", "path",
                                        "routes"])
    ids = sorted(used, key=natural_key)
    people = people_affected(inv, party, sorted({h["group"] for h in holdings}), group_reach_)
    return Impact("impact", {"party": party, "as_of": as_of}, table,
                  _flow_graph(inv, ids, routes, ids), ids,
                  {"holdings": holdings, "people": people})


def people_affected(inv: Inventory, party: str, groups, group_reach_, *,
                    memo: dict | None = None) -> dict:
    """How many people's data a leak at ``party`` concerns, from the parties' ``volume``.

    ``groups`` are the data-subject groups whose data reach ``party``. A plain
    number at ``party`` is its own count of everyone it holds: that is the
    total. Otherwise each group counts once: ``party``'s own figure for it
    (``volume: {group: n}``) when recorded, else the largest figure recorded
    for the group by any party that holds the group's data (the group's own
    ``volume``, a map entry, or a plain number of a party holding that group
    only), an upper bound. Groups without any figure are listed in ``unknown``
    and left out of ``total`` (``None`` when no group has a figure).
    ``upper_bound`` says whether ``total`` counts any such figure, so a reader
    is told "up to" rather than "about" (the trial of round 15 read a partner
    given one campaign list as "about 850,000 people").

    ``memo``, a dict the caller keeps, shares the holders of each group between
    calls for the same inventory and reach (a report asks for every party).

    Example:
        >>> r = impact("inventories/monocollabo", "mailing-house")
        >>> r.extra["people"]["total"], r.extra["people"]["groups"][0]
        (162000, {'group': 'applicants', 'count': 8000, 'source': 'monocollabo'})
        >>> r.extra["people"]["upper_bound"]
        True
    """
    memo = {} if memo is None else memo
    if "parties" not in memo:
        memo.update(parties={p.id: p for p in inv.parties}, holders={}, held={}, best={})
    parties = memo["parties"]
    own = parties[party].volume
    if isinstance(own, int) and not isinstance(own, bool):
        return {"total": own, "groups": [], "unknown": [], "source": party,
                "upper_bound": False}

    def holders(group):
        if group not in memo["holders"]:
            reach = group_reach_.get(group)
            memo["holders"][group] = [group] + sorted(
                (p for p in parties if p != group and reach is not None
                 and reach.items_at(p)), key=natural_key)
        return memo["holders"][group]

    def groups_held_by(pid):
        if pid not in memo["held"]:
            memo["held"][pid] = {g for g, reach in group_reach_.items()
                                 if g == pid or reach.items_at(pid)}
        return memo["held"][pid]

    def best_figure(group):
        """The largest figure any holder records for ``group``: ``(count, holder)``."""
        best = None
        for holder in holders(group):
            volume = parties[holder].volume
            if isinstance(volume, dict):
                count = volume.get(group)
            elif volume is not None and (holder == group or groups_held_by(holder) == {group}):
                count = volume
            else:
                count = None
            if count is not None and (best is None or count > best[0]):
                best = (count, holder)
        return best

    rows, unknown = [], []
    for group in groups:
        if isinstance(own, dict) and group in own:
            rows.append({"group": group, "count": own[group], "source": party})
            continue
        if group not in memo["best"]:
            memo["best"][group] = best_figure(group)
        best = memo["best"][group]
        if best is None:
            unknown.append(group)
        else:
            rows.append({"group": group, "count": best[0], "source": best[1]})
    total = sum(r["count"] for r in rows) if rows else None
    return {"total": total, "groups": rows, "unknown": unknown, "source": None,
            "upper_bound": any(r["source"] != party for r in rows)}


def _subject_reach(ctx, as_of):
    """Per data-subject group, where its items travel between legal entities (what
    one department holds, its company holds: the rules' lineage), up to ``as_of``."""
    return ctx.entity_reach if as_of is None else ctx._entity_group_reach(as_of=as_of)


#: The most flow references the rows of one question may list, each row its whole path:
#: a chain of 20,000 parties would list 200 million (the hostile review of round 15:
#: minutes and gigabytes, then nothing).
MAX_LISTED_FLOWS = 2_000_000


def _check_listing(total: int, command: str) -> None:
    """Refuse a question whose rows would list more than :data:`MAX_LISTED_FLOWS` flows
    in all, before any row is built.

    Example:
        >>> _check_listing(10, "trace")
        >>> _check_listing(MAX_LISTED_FLOWS + 1, "trace")
        Traceback (most recent call last):
        lineage.analysis.queries.QueryError: the trace would list 2,000,001 flows along its routes (each party's whole route), more than the 2,000,000 one answer may list; narrow it (--depth, --from, --item)
    """
    if total <= MAX_LISTED_FLOWS:
        return
    narrow = "--depth, --from, --item" if command == "trace" else "a party nearer the end of the chain"
    raise QueryError(f"the {command} would list {total:,} flows along its routes (each "
                     f"party's whole route), more than the {MAX_LISTED_FLOWS:,} one answer may "
                     f"list; narrow it ({narrow})",
                     f"答えの経路に並ぶフローが {total:,} 件になり、上限の {MAX_LISTED_FLOWS:,} "
                     f"件を超えます（当事者ごとに経路の全体を並べるため）。絞り込んでください（{narrow}）")


# -- stop ---------------------------------------------------------------------------
_STOPPABLE = {"consent", "opt_out"}


def stop(source, *, consent: str | None = None, subjects: str | None = None,
         item: str | None = None, as_of: dt.date | None = None) -> Stop:
    """What-if of a consent withdrawal (``consent``) or a stop request (``subjects``).

    Direct flows (``hop`` 0): for a consent, the flows whose consent route relies
    on it, for its items; for a data-subject group, the flows provided under
    its consent or by opt-out that carry its items. Downstream flows (``hop``
    1, 2, ...): every flow that passes those items on from the recipients,
    except flows back to the data subjects themselves. ``item`` narrows the
    question to one item. A flow that ended before the audit date has stopped
    already and is not listed (what it carried still counts downstream).

    Example:
        >>> s = stop("inventories/monocollabo", consent="C05")
        >>> s.table[["hop", "flow", "to", "reason"]].values.tolist()
        [[0, 'F37', 'point-partner', 'relies on consent C05']]
    """


    as_of = optional_date(as_of)  # a date or ISO text (2026-04-01)
    if (consent is None) == (subjects is None):
        raise QueryError("give exactly one of --consent and --subjects",
                         "--consent と --subjects のどちらか一方を指定してください")
    audit = _audit(source, as_of)
    inv, routes = audit.inventory, audit.routes
    items = _item_ids(inv)
    if item is not None:
        _need_item(items, item)
    consents = {c.id: c for c in inv.consents}
    if consent is not None:
        if consent not in consents:
            raise QueryError(f"unknown consent '{consent}'{did_you_mean(consent, consents)}",
                             f"本人の同意 '{consent}' は定義されていません"
                             f"{did_you_mean(consent, consents, 'ja')}")
        group = consents[consent].subjects
        scope = set(consents[consent].items)
        relied = {consent}
    else:
        _need_party({p.id for p in inv.parties}, subjects)
        role = next(p.role for p in inv.parties if p.id == subjects)
        if role != "data_subject":
            groups = ", ".join(natural_sorted([p.id for p in inv.parties
                                               if p.role == "data_subject"], key=str))
            raise QueryError(f"'{subjects}' is not a data-subject party (its role is {role}); "
                             f"a stop request comes from data subjects (here: {groups or 'none'})",
                             f"'{subjects}' は本人の当事者ではありません（役割: {role}）。"
                             f"停止の求めは本人からのものです（この棚卸しの本人: {groups or 'なし'}）")
        group = subjects
        relied = {c.id for c in inv.consents if c.subjects == group}
        scope = None
    from ..rules.context import Context
    ctx = Context(inv, audit.as_of)
    group_reach_ = _subject_reach(ctx, as_of).get(group)
    flows = [f for f in inv.flows if as_of is None or f.start <= as_of]
    hit: dict[str, tuple[int, set, str]] = {}
    seeds: dict[str, dict[str, dt.date]] = defaultdict(dict)
    # A flow with no route whose closest route is consent: the consents it came
    # closest to (its TP101/TP801 verdict's evidence). Consents are optional on a
    # flow (the analyzer searches), so one that does not name a withdrawn consent
    # rests on it all the same.
    closest: dict[str, tuple] = {}
    for found in audit.results:
        if found.rule in ("TP101", "TP801") and found.flow not in closest:
            ev = dict(found.evidence)
            if ev.get("closest_route") == "consent":
                closest[found.flow] = tuple(ev.get("consents", ()))
    for f in flows:
        route = routes[f.id]
        # A flow naming a consent relies on it whatever its route: once a recorded
        # withdrawal leaves it no route, it is exactly a flow that must stop.
        named = relied.intersection(f.consents or ())
        if route not in _STOPPABLE and route != "none":
            continue
        if route == "none":
            used = relied.intersection(closest.get(f.id, ()))
        else:
            used = relied & set(audit.evidence.get(f.id, {}).get("consents", []))
        if consent is not None or route == "none":
            # The closest consent of another recipient is evidence of a failure,
            # not something the flow rests on.
            used = {c for c in used if not ctx.names(f.to).isdisjoint(consents[c].recipients)}
        # A stop request reaches every consent provision of the group's data; the
        # reason names a consent only where one covers this recipient or the flow
        # names it (a closest miss is not something the flow rests on).
        resting = used if consent is not None or route == "none" else {
            c for c in used if not ctx.names(f.to).isdisjoint(consents[c].recipients)}
        resting |= named
        used |= named
        if route in ("consent", "none") and not used:
            continue
        if route == "opt_out" and consent is not None:
            continue
        held = group_reach_.items_at(f.frm) if group_reach_ is not None else {}
        its = {i for i in f.items if i in held and (f.end is None or held[i] <= f.end)}
        if scope is not None:
            its &= scope
        if item is not None:
            its &= {item}
        if not its:
            continue
        if route == "opt_out":
            reason = f"opt-out provision of data of {group}"
        elif resting:
            reason = f"relies on consent {', '.join(natural_sorted(resting, key=str))}"
        else:
            reason = f"consent provision of data of {group}"
        hit[f.id] = (0, its, reason)
        for i in its:
            when = max(held[i], f.start)
            if i not in seeds[f.to] or when < seeds[f.to][i]:
                seeds[f.to][i] = when
    flows_by_id = {f.id: f for f in flows}
    # Between legal entities, as the rules' lineage: what one party received, the
    # other parties of its company hold and may pass on.
    entity = ctx.entity
    # The direct flows into each recipient's entity, in ID order: a downstream
    # reason starts from the first that carried the item it follows.
    fed = defaultdict(list)
    for fid in sorted(hit, key=natural_key):
        fed[entity(flows_by_id[fid].to)].append(fid)
    if seeds:
        subjects_ = {p.id for p in inv.parties if p.role == "data_subject"}
        reach = propagate(flows, seeds, allow=lambda f: f.frm not in subjects_,
                          index=item_index(flows, entity), node=entity)
        by_from = defaultdict(list)
        for f in flows:
            by_from[entity(f.frm)].append(f)
        for node in reach.parties():
            held = reach.arrival[node]
            for f in by_from.get(node, ()):
                if (f.id in hit or f.to in subjects_ or routes[f.id] == "to_subject"
                        or entity(f.to) == node):  # inside the company: no provision
                    continue
                its = {i for i in f.items if i in held and (f.end is None or held[i] <= f.end)}
                if not its:
                    continue
                first = sorted(its, key=natural_key)[0]
                chain = reach.path(f.frm, first)
                seed = entity(flows_by_id[chain[0]].frm) if chain else node
                depth = min(len(reach.path(f.frm, i)) for i in its) + 1
                start = [next((fid for fid in fed[seed] if first in hit[fid][1]),
                              fed[seed][0])] if fed.get(seed) else []
                reason = "downstream of " + " > ".join(start + chain + [f.id])
                hit[f.id] = (depth, its, reason)
    fl = {f.id: f for f in inv.flows}
    # A flow that ended before the audit date has stopped already: not listed, though
    # what it carried still counts downstream (the recipients hold it).
    hit = {fid: got for fid, got in hit.items()
           if fl[fid].end is None or fl[fid].end >= audit.as_of}
    rows = [(h, fid, fl[fid].frm, fl[fid].to, sorted(its, key=natural_key), routes[fid],
             reason) for fid, (h, its, reason) in hit.items()]
    rows.sort(key=lambda r: (r[0], natural_key(r[1])))
    table = pd.DataFrame(rows, columns=["hop", "flow", "from", "to", "items", "route",
                                        "reason"])
    ids = sorted(hit, key=natural_key)
    return Stop("stop", {"consent": consent, "subjects": subjects, "item": item,
                         "as_of": as_of}, table, _flow_graph(inv, ids, routes, ids), ids)


# -- helpers ------------------------------------------------------------------------
def _item_ids(inv: Inventory) -> set[str]:
    return {i.id for i in inv.data_items or []} | {i for f in inv.flows for i in f.items}


def _flow_graph(inv: Inventory, ids, routes, highlight) -> nx.MultiDiGraph:
    wanted = set(ids)
    parties = {p.id: p for p in inv.parties}
    flows = [(f.id, f.frm, f.to, {"items": list(f.items), "route": routes[f.id]})
             for f in inv.flows if f.id in wanted]
    used = {x for _, a, b, _ in flows for x in (a, b)}
    nodes = {p: {"name": parties[p].name or p, "role": parties[p].role}
             for p in sorted(used)}
    return subgraph(flows, highlight, nodes)


# -- drawing hook -------------------------------------------------------------------
def trace_subgraph(inventory, item: str, *, frm: str | None = None,
                   as_of: dt.date | None = None, depth: int | None = None,
                   audit: Audit | None = None) -> tuple[nx.MultiDiGraph, list[str]]:
    """The part of the flow graph ``item`` travels, for ``draw --trace``.

    Returns the subgraph of :func:`lineage.graph.build_graph` (same node and
    edge attributes; with ``audit``, routes and statuses too) made of the
    origins, every party the item reaches and every flow that carries it
    between them, plus the flow IDs of the shortest routes to highlight.
    Edges on those routes also get ``highlight=True``.

    Example:
        >>> from lineage.model import load
        >>> g, marked = trace_subgraph(load("inventories/monocollabo"), "address",
        ...                            frm="mailing-house")
        >>> sorted(g.nodes), marked
        (['mailing-affiliate', 'mailing-house', 'members', 'print-shop'], ['F11', 'F24', 'F44'])
    """
    as_of = optional_date(as_of)  # a date or ISO text (2026-04-01)
    from ..graph import build_graph
    if not isinstance(inventory, Inventory):
        inventory = audit.inventory if audit is not None else _load(inventory)
    t = trace(inventory, item, frm=frm, as_of=as_of, depth=depth)
    net = FlowNet.from_inventory(inventory)
    origins = [frm] if frm is not None else net.origins()
    parties = set(origins) | set(t.table.party)
    onward = _onward(net, origins)
    full = build_graph(inventory, audit)
    keep = [(f.frm, f.to, f.id) for n, f in enumerate(inventory.flows)
            if item in f.items and onward[n] and f.frm in parties and f.to in parties
            and (as_of is None or f.start <= as_of)]
    g = full.edge_subgraph(keep).copy()
    marked = set(t.highlight)
    for u, v, k, data in g.edges(keys=True, data=True):
        data["highlight"] = k in marked
    return g, t.highlight


def _load(path):
    from ..model import load
    return load(path)
