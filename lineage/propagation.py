"""Item propagation along flows: the one mechanism behind lineage questions.

Data items travel along flows. A flow passes on only the items it carries, and
only while it runs: an item held by a party from day ``d`` crosses a flow that
runs ``[start, end]`` when ``end`` is absent or on/after ``d``, and arrives on
``max(d, start)``. The search keeps, per party and item, the earliest arrival
and the flow it came by, so paths can be rebuilt and cycles terminate (an
arrival is only recorded when it is strictly earlier).

Two engines share these rules: :func:`propagate` walks flow records (rules,
small queries), and :func:`lineage.flownet.sweep` / ``sweep_groups`` relax
integer arrays of a ``FlowNet`` for whole-graph reach at scale (numpy is imported
there only). They compute the same arrival dates (``tests/test_analysis_engine.py``).

Example:
    >>> import datetime as dt
    >>> from lineage.model.schema import Flow
    >>> d = dt.date(2024, 1, 1)
    >>> flows = [Flow(id="F1", **{"from": "c"}, to="o", items=["a", "b"], start=d),
    ...          Flow(id="F2", **{"from": "o"}, to="x", items=["a"], start=d)]
    >>> reach = propagate(flows, {"c": {"a": d, "b": d}})
    >>> sorted(reach.items_at("x")), reach.path("x", "a")
    (['a'], ['F1', 'F2'])
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import defaultdict
from typing import Callable, Iterable, Mapping

__all__ = ["Reach", "propagate", "out_index", "item_index"]

#: Names of the array engine, now in :mod:`lineage.flownet`, still importable from here.
_ARRAYS = frozenset({"FlowNet", "ArrayReach", "sweep", "sweep_groups", "pack_items",
                     "NEVER", "OPEN_END", "SEED"})

_SEED = "<seed>"


class Reach:
    """Where items arrived, when, and by which flow.

    Example:
        >>> from lineage.model.schema import Flow
        >>> d = dt.date(2024, 1, 1)
        >>> flows = [Flow(id="F1", **{"from": "c", "to": "o"}, items=["a", "b"], start=d),
        ...          Flow(id="F2", **{"from": "o", "to": "x"}, items=["a"], start="2024-02-01")]
        >>> reach = propagate(flows, {"c": {"a": d, "b": d}})
        >>> reach.items_at("x"), reach.path("x", "a")
        ({'a': datetime.date(2024, 2, 1)}, ['F1', 'F2'])
    """

    def __init__(self, arrival: dict, via: dict, flows_by_id: Mapping,
                 node: Callable[[str], str] | None = None):
        self.arrival = arrival  # node -> {item: date}
        self.via = via          # (node, item) -> flow id, or _SEED
        self._flows = flows_by_id
        self._node = node or _same

    def items_at(self, party: str) -> dict[str, dt.date]:
        """Items that reach ``party`` with their earliest arrival date.

        Example:
            >>> from lineage.model.schema import Flow
            >>> d = dt.date(2024, 1, 1)
            >>> flows = [
            ...     Flow(id="F1", **{"from": "c", "to": "o"}, items=["a", "b"], start=d),
            ...     Flow(id="F2", **{"from": "o", "to": "x"}, items=["a"], start="2024-02-01")]
            >>> reach = propagate(flows, {"c": {"a": d, "b": d}})
            >>> reach.items_at("o")
            {'a': datetime.date(2024, 1, 1), 'b': datetime.date(2024, 1, 1)}
        """
        return self.arrival.get(self._node(party), {})

    def parties(self) -> list[str]:
        """Every party some item reaches (seeds included).

        Example:
            >>> from lineage.model.schema import Flow
            >>> d = dt.date(2024, 1, 1)
            >>> flows = [
            ...     Flow(id="F1", **{"from": "c", "to": "o"}, items=["a", "b"], start=d),
            ...     Flow(id="F2", **{"from": "o", "to": "x"}, items=["a"], start="2024-02-01")]
            >>> reach = propagate(flows, {"c": {"a": d, "b": d}})
            >>> reach.parties()
            ['c', 'o', 'x']
        """
        return sorted(self.arrival)

    def origin(self, party: str, item: str) -> str:
        """The seed party that ``item`` at ``party`` came from.

        Example:
            >>> from lineage.model.schema import Flow
            >>> d = dt.date(2024, 1, 1)
            >>> flows = [
            ...     Flow(id="F1", **{"from": "c", "to": "o"}, items=["a", "b"], start=d),
            ...     Flow(id="F2", **{"from": "o", "to": "x"}, items=["a"], start="2024-02-01")]
            >>> reach = propagate(flows, {"c": {"a": d, "b": d}})
            >>> reach.origin("x", "a")
            'c'
        """
        path = self.path(party, item)
        return self._flows[path[0]].frm if path else party

    def path(self, party: str, item: str) -> list[str]:
        """Flow IDs from a seed to ``party`` for ``item`` (earliest route).

        Example:
            >>> from lineage.model.schema import Flow
            >>> d = dt.date(2024, 1, 1)
            >>> flows = [
            ...     Flow(id="F1", **{"from": "c", "to": "o"}, items=["a", "b"], start=d),
            ...     Flow(id="F2", **{"from": "o", "to": "x"}, items=["a"], start="2024-02-01")]
            >>> reach = propagate(flows, {"c": {"a": d, "b": d}})
            >>> reach.path("x", "a"), reach.path("c", "a")
            (['F1', 'F2'], [])
        """
        out: list[str] = []
        seen: set = set()
        key = (self._node(party), item)
        while key in self.via and self.via[key] != _SEED and key not in seen:
            seen.add(key)
            flow_id = self.via[key]
            out.append(flow_id)
            key = (self._node(self._flows[flow_id].frm), item)
        return out[::-1]

    def path_length(self, party: str, item: str, memo: dict) -> int:
        """``len(self.path(party, item))``, each step walked once across calls that
        share ``memo`` (a dict the caller keeps): a chain of N parties costs N steps,
        not the N²/2 of walking every path (what a caller reads before it lists them).

        Example:
            >>> from lineage.model.schema import Flow
            >>> d = dt.date(2024, 1, 1)
            >>> flows = [
            ...     Flow(id="F1", **{"from": "c", "to": "o"}, items=["a"], start=d),
            ...     Flow(id="F2", **{"from": "o", "to": "x"}, items=["a"], start=d)]
            >>> reach, memo = propagate(flows, {"c": {"a": d}}), {}
            >>> [reach.path_length(p, "a", memo) for p in ("x", "o", "c")]
            [2, 1, 0]
        """
        start = key = (self._node(party), item)
        chain: list = []
        seen: set = set()
        while key not in memo:
            if key not in self.via or self.via[key] == _SEED or key in seen:
                memo[key] = 0
                break
            seen.add(key)
            chain.append(key)
            key = (self._node(self._flows[self.via[key]].frm), item)
        length = memo[key]
        for walked in reversed(chain):
            length += 1
            memo[walked] = length
        return memo[start]


def _same(party: str) -> str:
    return party


def out_index(flows: Iterable) -> dict[str, list]:
    """Flows by provider, in input order (built once per check).

    Example:
        >>> from lineage.model.schema import Flow
        >>> d = dt.date(2024, 1, 1)
        >>> flows = [Flow(id="F1", **{"from": "c", "to": "o"}, items=["a", "b"], start=d),
        ...          Flow(id="F2", **{"from": "o", "to": "x"}, items=["a"], start="2024-02-01")]
        >>> {party: [f.id for f in out] for party, out in out_index(flows).items()}
        {'c': ['F1'], 'o': ['F2']}
    """
    index: dict[str, list] = defaultdict(list)
    for f in flows:
        index[f.frm].append(f)
    return index


def item_index(flows: Iterable, node: Callable[[str], str] | None = None
               ) -> dict[str, dict[str, list]]:
    """Flows by item, then by provider: the edges each item can travel along.

    With ``node`` (for example a party's legal entity), providers are keyed
    by ``node(provider)``: the index :func:`propagate` needs with that ``node``.

    Example:
        >>> from lineage.model.schema import Flow
        >>> d = dt.date(2024, 1, 1)
        >>> flows = [Flow(id="F1", **{"from": "c", "to": "o"}, items=["a", "b"], start=d),
        ...          Flow(id="F2", **{"from": "o", "to": "x"}, items=["a"], start="2024-02-01")]
        >>> idx = item_index(flows)
        >>> {item: sorted(by_party) for item, by_party in idx.items()}
        {'a': ['c', 'o'], 'b': ['c']}
    """
    index: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for f in flows:
        # The provider's key once per flow, not once per item.
        provider = f.frm if node is None else node(f.frm)
        for item in f.items:
            index[item][provider].append(f)
    return index


def propagate(flows: Iterable, seeds: Mapping[str, Mapping[str, dt.date]], *,
              as_of: dt.date | None = None,
              allow: Callable[[object], bool] | None = None,
              index: Mapping[str, Mapping[str, list]] | None = None,
              flows_by_id: Mapping | None = None,
              node: Callable[[str], str] | None = None) -> Reach:
    """Earliest arrival of each seeded item at every party it can reach.

    ``seeds`` maps a party to the items it holds and since when. ``as_of``
    ignores flows that start after it; ``allow`` filters flows (a flow not
    allowed passes nothing). ``index`` is a prebuilt :func:`item_index` and
    ``flows_by_id`` a map of flows by ID (callers that propagate often pass
    both). ``node`` maps a party to the node that holds data (its legal
    entity, so that what one department holds its company holds); ``index``
    must then be built with the same ``node``.

    Example:
        >>> from lineage.model.schema import Flow
        >>> d = dt.date(2024, 1, 1)
        >>> flows = [Flow(id="F1", **{"from": "c", "to": "o"}, items=["a", "b"], start=d),
        ...          Flow(id="F2", **{"from": "o", "to": "x"}, items=["a"], start="2024-02-01")]
        >>> propagate(flows, {"c": {"a": d}}).parties()
        ['c', 'o', 'x']
        >>> propagate(flows, {"c": {"a": d}}, as_of=d).parties()
        ['c', 'o']
        >>> entity = {"o": "org", "o2": "org"}.get
        >>> flows = [Flow(id="F1", **{"from": "c", "to": "o"}, items=["a"], start=d),
        ...          Flow(id="F2", **{"from": "o2", "to": "x"}, items=["a"], start=d)]
        >>> propagate(flows, {"c": {"a": d}}, node=lambda p: entity(p, p)).path("x", "a")
        ['F1', 'F2']
    """
    key = node or _same
    if index is None:
        flows = list(flows)
        index = item_index(flows, node)
    if flows_by_id is None:
        flows_by_id = {f.id: f for by_party in index.values()
                       for fl in by_party.values() for f in fl}
    arrival: dict[str, dict[str, dt.date]] = defaultdict(dict)
    via: dict = {}
    starts: dict[str, dict[str, dt.date]] = defaultdict(dict)
    for party, items in seeds.items():
        party = key(party)
        for item, day in items.items():
            if day < starts[item].get(party, dt.date.max):
                starts[item][party] = day
                arrival[party][item] = day
                via[(party, item)] = _SEED
    # One earliest-arrival search per item over the flows that carry it. An
    # item arrives on max(since, start), never earlier than it left, so the
    # search is Dijkstra's: each party is settled once and cycles end.
    for item, sources in starts.items():
        edges = index.get(item)
        if not edges:
            continue
        best = dict(sources)
        heap = [(day, party) for party, day in sources.items()]
        heapq.heapify(heap)
        while heap:
            day, party = heapq.heappop(heap)
            if best[party] < day:
                continue
            for f in edges.get(party, ()):
                if f.end is not None and f.end < day:
                    continue
                if as_of is not None and f.start > as_of:
                    continue
                if allow is not None and not allow(f):
                    continue
                when = day if day > f.start else f.start
                to = key(f.to)
                old = best.get(to)
                if old is None or when < old:
                    best[to] = when
                    arrival[to][item] = when
                    via[(to, item)] = f.id
                    heapq.heappush(heap, (when, to))
    return Reach(dict(arrival), via, flows_by_id, node)


def __getattr__(name: str):
    """The array engine's names, from :mod:`lineage.flownet` on first use (numpy with it).

    Example:
        >>> from lineage import propagation
        >>> propagation.NEVER == 2**31 - 1
        True
    """
    if name in _ARRAYS:
        from . import flownet
        return getattr(flownet, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
