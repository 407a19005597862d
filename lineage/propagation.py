"""Item propagation along flows: the one mechanism behind lineage questions.

Data items travel along flows. A flow passes on only the items it carries, and
only while it runs: an item held by a party from day ``d`` crosses a flow that
runs ``[start, end]`` when ``end`` is absent or on/after ``d``, and arrives on
``max(d, start)``. The search keeps, per party and item, the earliest arrival
and the flow it came by, so paths can be rebuilt and cycles terminate (an
arrival is only recorded when it is strictly earlier).

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

__all__ = ["Reach", "propagate", "out_index"]

_SEED = "<seed>"


class Reach:
    """Where items arrived, when, and by which flow."""

    def __init__(self, arrival: dict, via: dict, flows_by_id: Mapping):
        self.arrival = arrival  # party -> {item: date}
        self.via = via          # (party, item) -> flow id, or _SEED
        self._flows = flows_by_id

    def items_at(self, party: str) -> dict[str, dt.date]:
        """Items that reach ``party`` with their earliest arrival date."""
        return self.arrival.get(party, {})

    def parties(self) -> list[str]:
        """Every party some item reaches (seeds included)."""
        return sorted(self.arrival)

    def path(self, party: str, item: str) -> list[str]:
        """Flow IDs from a seed to ``party`` for ``item`` (earliest route)."""
        out: list[str] = []
        seen: set = set()
        key = (party, item)
        while key in self.via and self.via[key] != _SEED and key not in seen:
            seen.add(key)
            flow_id = self.via[key]
            out.append(flow_id)
            key = (self._flows[flow_id].frm, item)
        return out[::-1]


def out_index(flows: Iterable) -> dict[str, list]:
    """Flows by provider, in input order (built once per check)."""
    index: dict[str, list] = defaultdict(list)
    for f in flows:
        index[f.frm].append(f)
    return index


def propagate(flows: Iterable, seeds: Mapping[str, Mapping[str, dt.date]], *,
              as_of: dt.date | None = None,
              allow: Callable[[object], bool] | None = None,
              index: Mapping[str, list] | None = None) -> Reach:
    """Earliest arrival of each seeded item at every party it can reach.

    ``seeds`` maps a party to the items it holds and since when. ``as_of``
    ignores flows that start after it; ``allow`` filters flows (a flow not
    allowed passes nothing). ``index`` is a prebuilt :func:`out_index`.
    """
    flows = list(flows) if index is None else flows
    index = index if index is not None else out_index(flows)
    by_id = {f.id: f for fl in index.values() for f in fl}
    arrival: dict[str, dict[str, dt.date]] = defaultdict(dict)
    via: dict = {}
    heap: list = []
    for party, items in seeds.items():
        for item, day in items.items():
            arrival[party][item] = day
            via[(party, item)] = _SEED
        if items:
            heapq.heappush(heap, (min(items.values()), party))
    # A party is expanded again only after something reached it earlier than
    # before; arrivals only ever move earlier, so cycles terminate.
    dirty = set(seeds)
    while heap:
        _, party = heapq.heappop(heap)
        if party not in dirty:
            continue
        dirty.discard(party)
        held = arrival[party]
        for f in index.get(party, ()):
            if as_of is not None and f.start > as_of:
                continue
            if allow is not None and not allow(f):
                continue
            target = arrival[f.to]
            first = None
            for item in f.items:
                since = held.get(item)
                if since is None or (f.end is not None and f.end < since):
                    continue
                when = since if since > f.start else f.start
                old = target.get(item)
                if old is None or when < old:
                    target[item] = when
                    via[(f.to, item)] = f.id
                    first = when if first is None or when < first else first
            if first is not None:
                dirty.add(f.to)
                heapq.heappush(heap, (first, f.to))
    return Reach({k: v for k, v in arrival.items() if v}, via, by_id)

