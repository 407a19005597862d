"""Item propagation over integer arrays: whole-graph reach at scale.

The same time rules as :func:`lineage.propagation.propagate` (and the same
arrival dates, ``tests/test_analysis_engine.py``), for questions that cannot
afford one Python object per flow. numpy is imported here only: checking an
inventory never needs these arrays, so ``lineage check`` does not load numpy.

Example:
    >>> from lineage.model import load
    >>> net = FlowNet.from_inventory(load("inventories/monocollabo"))
    >>> len(net.flows) > 0, NEVER == 2**31 - 1
    (True, True)
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable, Mapping

import numpy as np

__all__ = ["FlowNet", "ArrayReach", "sweep", "sweep_groups", "pack_items",
           "NEVER", "OPEN_END", "SEED"]

# -- the same propagation over integer arrays -----------------------------------
#
# Whole-graph questions (every item from every data-subject group over a million
# flows) cannot afford one Python object per flow or one search per item. A
# FlowNet holds the graph once as arrays; sweep() relaxes, round by round, every
# (flow, item) pair leaving a slot that improved, all items at once. It computes
# exactly the earliest arrivals of propagate() (same time rules).

#: Day number of "never reached" and of "no end": dates are ``date.toordinal()``.
NEVER = int(np.iinfo(np.int32).max)
OPEN_END = NEVER - 1
SEED = -1


class FlowNet:
    """The flow graph as integer arrays: parties, items and flows by index.

    ``src``/``dst``/``start``/``end`` are per flow (days as ordinals, ``end`` of
    a running flow is :data:`OPEN_END`); ``pair_flow``/``pair_item`` list every
    (flow, item) the flows carry, in flow order then item order. ``roles`` and
    ``entities`` are per party. Build one with :meth:`from_inventory` or
    :func:`lineage.analysis.columnar.read_network`.

    Example:
        >>> from lineage.model import load
        >>> net = FlowNet.from_inventory(load("inventories/monocollabo"))
        >>> len(net.flows), net.party_index["carrier"] >= 0
        (48, True)
    """

    def __init__(self, *, organisation, parties, roles, entities, items, flows, src, dst,
                 start, end, pair_flow, pair_item):
        self.organisation = organisation
        self.parties = np.asarray(parties, dtype=object)
        self.roles = np.asarray(roles, dtype=object)
        self.entities = np.asarray(entities, dtype=object)
        self.items = np.asarray(items, dtype=object)
        self.flows = np.asarray(flows, dtype=object)
        self.src = np.asarray(src, dtype=np.int32)
        self.dst = np.asarray(dst, dtype=np.int32)
        self.start = np.asarray(start, dtype=np.int32)
        self.end = np.asarray(end, dtype=np.int32)
        self.pair_flow = np.asarray(pair_flow, dtype=np.int32)
        self.pair_item = np.asarray(pair_item, dtype=np.int32)
        self.party_index = {p: i for i, p in enumerate(self.parties)}
        self.item_index = {t: i for i, t in enumerate(self.items)}
        n_items = max(len(self.items), 1)
        self.n_items = n_items
        # Keys are party * n_items + item: one flat slot per (party, item).
        key_type = np.int32 if len(self.parties) * n_items < 2**31 else np.int64
        self.pair_src = (self.src[self.pair_flow].astype(key_type) * n_items
                         + self.pair_item.astype(key_type))
        self.pair_dst = (self.dst[self.pair_flow].astype(key_type) * n_items
                         + self.pair_item.astype(key_type))
        self._by_provider = None

    @classmethod
    def from_inventory(cls, inventory) -> "FlowNet":
        """Arrays of a loaded :class:`~lineage.model.schema.Inventory`.

        Parties and items are indexed in sorted ID order; items not defined by
        ``data_items`` but named by a flow are added.

        Example:
            >>> from lineage.rules.examples import build_example
            >>> net = FlowNet.from_inventory(build_example(""))
            >>> net.parties.tolist()
            ['carrier', 'customers', 'group-co', 'mc', 'partner', 'police']
            >>> net.items.tolist(), net.flows.tolist()
            (['cookie', 'email', 'name', 'phone'], ['C1'])
        """
        parties = sorted(p.id for p in inventory.parties)
        by_id = {p.id: p for p in inventory.parties}
        items = sorted({i.id for i in inventory.data_items or []}
                       | {i for f in inventory.flows for i in f.items})
        pi = {p: i for i, p in enumerate(parties)}
        ii = {t: i for i, t in enumerate(items)}
        pair_flow, pair_item = [], []
        for n, f in enumerate(inventory.flows):
            # One pair per item, in item order: the layout the CSV reader produces.
            for index in sorted({ii[item] for item in f.items}):
                pair_flow.append(n)
                pair_item.append(index)
        flows = inventory.flows
        return cls(organisation=inventory.organisation, parties=parties,
                   roles=[by_id[p].role for p in parties],
                   entities=[by_id[p].entity for p in parties], items=items,
                   flows=[f.id for f in flows],
                   src=[pi[f.frm] for f in flows], dst=[pi[f.to] for f in flows],
                   start=[f.start.toordinal() for f in flows],
                   end=[f.end.toordinal() if f.end else OPEN_END for f in flows],
                   pair_flow=pair_flow, pair_item=pair_item)

    def by_provider(self):
        """Pairs sorted by provider slot, with CSR offsets (built once, then cached).

        Returns ``(order, offsets, dst, flow, start, end)``: pairs leaving slot
        ``k`` are ``offsets[k]:offsets[k + 1]`` of the sorted arrays.

        Example:
            >>> from lineage.rules.examples import build_example
            >>> net = FlowNet.from_inventory(build_example(""))
            >>> order, offsets, dst, flow, start, end = net.by_provider()
            >>> len(order) == len(net.pair_flow), int(offsets[-1])
            (True, 4)
        """
        if self._by_provider is None:
            order = np.argsort(self.pair_src, kind="stable")
            n_keys = len(self.parties) * self.n_items
            offsets = np.zeros(n_keys + 1, dtype=np.int64)
            np.cumsum(np.bincount(self.pair_src, minlength=n_keys), out=offsets[1:])
            flow = self.pair_flow[order]
            self._by_provider = (order, offsets, self.pair_dst[order], flow,
                                 self.start[flow], self.end[flow])
        return self._by_provider

    def origins(self) -> list[str]:
        """The default origins of lineage: the data subjects and the organisation.

        Example:
            >>> from lineage.rules.examples import build_example
            >>> net = FlowNet.from_inventory(build_example(""))
            >>> net.origins()
            ['customers', 'mc']
        """
        org_entity = self.entities[self.party_index[self.organisation]]
        keep = (self.roles == "data_subject") | (self.entities == org_entity)
        return sorted(self.parties[keep].tolist())

    def subject_groups(self) -> list[str]:
        """Parties whose role is ``data_subject``, sorted.

        Example:
            >>> from lineage.rules.examples import build_example
            >>> net = FlowNet.from_inventory(build_example(""))
            >>> net.subject_groups()
            ['customers']
        """
        return sorted(self.parties[self.roles == "data_subject"].tolist())

    def by_entity(self) -> tuple["FlowNet", np.ndarray]:
        """This network with each flow between legal entities, and each party's entity.

        What one department holds, its company holds (rules.md, "How a flow is
        judged"): a flow's provider and recipient become the first party (in
        :attr:`parties` order) of their legal entity, so a sweep reaches an
        entity wherever a flow reaches one of its parties. Returns that network
        and, per party, the index of its entity's first party.

        Example:
            >>> from lineage.rules.examples import build_example
            >>> net = FlowNet.from_inventory(build_example("{parties: [{id: ops, legal_entity: "
            ...     "partner}], flows: [{id: F1, from: mc, to: ops, items: [name], "
            ...     "start: 2025-01-01}]}"))
            >>> enet, first = net.by_entity()
            >>> [net.parties[i] for i in first], enet.parties[enet.dst[1]]
            (['carrier', 'customers', 'group-co', 'mc', 'ops', 'ops', 'police'], 'ops')
        """
        first_of: dict = {}
        first = np.array([first_of.setdefault(e, p) for p, e in enumerate(self.entities.tolist())],
                         dtype=np.int32)
        if np.array_equal(first, np.arange(len(first))):
            return self, first  # every party its own entity
        net = FlowNet(organisation=self.organisation, parties=self.parties, roles=self.roles,
                      entities=self.entities, items=self.items, flows=self.flows,
                      src=first[self.src], dst=first[self.dst], start=self.start, end=self.end,
                      pair_flow=self.pair_flow, pair_item=self.pair_item)
        return net, first


class ArrayReach:
    """Result of :func:`sweep`: per (party, item) slot the earliest day and flow.

    ``arrival`` is ``(n_parties, n_items)`` of day ordinals (:data:`NEVER` when
    unreached); ``via`` the flow index it came by (:data:`SEED` at a seed,
    -2 when unreached), or ``None`` when routes were not tracked.

    Example:
        >>> from lineage.rules.examples import build_example
        >>> net = FlowNet.from_inventory(build_example(""))
        >>> r = sweep(net, {"customers": {"name": dt.date.min}})
        >>> r.items_at("mc"), r.path("mc", "name")
        ({'name': datetime.date(2024, 1, 1)}, ['C1'])
    """

    def __init__(self, net: FlowNet, arrival: np.ndarray, via, rounds: int):
        self.net = net
        self.arrival = arrival.reshape(len(net.parties), net.n_items)
        self.via = via.reshape(len(net.parties), net.n_items) if via is not None else None
        self.rounds = rounds

    def reached(self) -> np.ndarray:
        """Boolean ``(n_parties, n_items)``: which items reach which party.

        Example:
            >>> from lineage.rules.examples import build_example
            >>> net = FlowNet.from_inventory(build_example(""))
            >>> r = sweep(net, {"customers": {"name": dt.date.min}})
            >>> net.parties[r.reached().any(axis=1)].tolist()
            ['customers', 'mc']
        """
        return self.arrival != NEVER

    def items_at(self, party: str) -> dict[str, dt.date]:
        """Items that reach ``party`` with their earliest arrival date.

        Example:
            >>> from lineage.rules.examples import build_example
            >>> net = FlowNet.from_inventory(build_example(""))
            >>> r = sweep(net, {"customers": {"name": dt.date.min}})
            >>> r.items_at("mc")
            {'name': datetime.date(2024, 1, 1)}
        """
        row = self.arrival[self.net.party_index[party]]
        return {self.net.items[i]: dt.date.fromordinal(int(row[i]))
                for i in np.flatnonzero(row != NEVER)}

    def path(self, party: str, item: str) -> list[str]:
        """Flow IDs from a seed to ``party`` for ``item`` (the earliest route).

        Example:
            >>> from lineage.rules.examples import build_example
            >>> net = FlowNet.from_inventory(build_example(""))
            >>> r = sweep(net, {"customers": {"name": dt.date.min}})
            >>> r.path("mc", "name"), r.path("customers", "name")
            (['C1'], [])
        """
        if self.via is None:
            raise ValueError("routes were not tracked (sweep(..., track_via=False))")
        p, i = self.net.party_index[party], self.net.item_index[item]
        out: list[int] = []
        seen: set[int] = set()
        while self.via[p, i] >= 0 and p not in seen:
            seen.add(p)
            f = int(self.via[p, i])
            out.append(f)
            p = int(self.net.src[f])
        return [self.net.flows[f] for f in out[::-1]]


def _expand(offsets: np.ndarray, frontier: np.ndarray):
    """Sorted-pair indices leaving the ``frontier`` slots, and their slot."""
    first = offsets[frontier]
    counts = offsets[frontier + 1] - first
    total = int(counts.sum())
    sel = (np.repeat(first - np.cumsum(counts) + counts, counts)
           + np.arange(total, dtype=np.int64))
    return sel, np.repeat(frontier, counts)


def _live(net: FlowNet, as_of, flow_mask, items):
    """Boolean per sorted pair, or None when every pair may be used."""
    if as_of is None and flow_mask is None and items is None:
        return None
    order, _, _, s_flow, s_start, _ = net.by_provider()
    live = np.ones(len(order), dtype=bool)
    if as_of is not None:
        live &= s_start <= as_of.toordinal()
    if flow_mask is not None:
        live &= flow_mask[s_flow]
    if items is not None:
        wanted = np.zeros(net.n_items, dtype=bool)
        wanted[[net.item_index[i] for i in items]] = True
        live &= wanted[net.pair_item[order]]
    return live


def sweep(net: FlowNet, seeds: Mapping[str, Mapping[str, dt.date]], *,
          as_of: dt.date | None = None, flow_mask: np.ndarray | None = None,
          items: Iterable[str] | None = None, track_via: bool = True) -> ArrayReach:
    """Earliest arrival of every seeded item at every party, vectorised.

    Same semantics as :func:`propagate`: ``seeds`` maps a party to the items it
    holds and since when (items no flow carries are ignored); ``as_of``
    ignores flows starting after it; ``flow_mask`` (boolean per flow) plays
    the role of ``allow``; ``items`` limits the pairs considered; without
    ``track_via`` no routes are kept (half the memory). Each round relaxes the
    pairs leaving slots that improved in the previous one, so cycles terminate
    (arrivals only move earlier).

    Example:
        >>> from lineage.model import load
        >>> net = FlowNet.from_inventory(load("inventories/monocollabo"))
        >>> r = sweep(net, {"customers": {"address": dt.date.min}})
        >>> r.path("print-shop", "address")
        ['F02', 'F10', 'F11']
    """
    n_keys = len(net.parties) * net.n_items
    arrival = np.full(n_keys, NEVER, dtype=np.int32)
    via = np.full(n_keys, -2, dtype=np.int32) if track_via else None
    seed_keys = []
    for party, held in seeds.items():
        p = net.party_index[party]
        for item, day in held.items():
            if item not in net.item_index:
                continue
            key = p * net.n_items + net.item_index[item]
            arrival[key] = min(int(arrival[key]), day.toordinal())
            if via is not None:
                via[key] = SEED
            seed_keys.append(key)
    _, offsets, s_dst, s_flow, s_start, s_end = net.by_provider()
    live = _live(net, as_of, flow_mask, items)
    frontier = _distinct(np.asarray(seed_keys, dtype=np.int64))
    rounds = 0
    while len(frontier):
        rounds += 1
        sel, src_keys = _expand(offsets, frontier)
        if live is not None:
            keep = live[sel]
            sel, src_keys = sel[keep], src_keys[keep]
        since = arrival[src_keys]
        ok = since <= s_end[sel]
        sel, since = sel[ok], since[ok]
        when = np.maximum(since, s_start[sel])
        dk = s_dst[sel]
        better = when < arrival[dk]
        sel, when, dk = sel[better], when[better], dk[better]
        if not len(sel):
            break
        np.minimum.at(arrival, dk, when)
        won = when == arrival[dk]
        if via is not None:
            # Written in descending flow order so that, among equally early
            # pairs, the first flow in input order wins: routes are deterministic.
            w = sel[won]
            w = w[np.argsort(s_flow[w], kind="stable")][::-1]
            via[s_dst[w]] = s_flow[w]
        frontier = _distinct(dk[won])
    return ArrayReach(net, arrival, via, rounds)


def sweep_groups(net: FlowNet, seeds: list[Mapping[str, Mapping[str, dt.date]]], *,
                 as_of: dt.date | None = None, block: int = 64) -> np.ndarray:
    """Which items reach which party, for several independent seed sets at once.

    The rules of :func:`sweep`, but one relaxation serves ``block`` seed sets
    (for example every data-subject group) side by side: the per-slot state is
    a row of days, one column per seed set, so a pair leaving a slot is read
    once for all of them. Days are stored relative to the earliest flow start,
    in 16 bits when the inventory's dates allow. Returns the reach packed as
    by :func:`pack_items`: ``(len(seeds), n_parties, ceil(n_items / 8))`` uint8.

    Example:
        >>> from lineage.model import load
        >>> net = FlowNet.from_inventory(load("inventories/monocollabo"))
        >>> got = sweep_groups(net, [{"readers": {"cookie_id": dt.date.min}},
        ...                          {"members": {"email": dt.date.min}}])
        >>> p = net.party_index["ad-network"]
        >>> bits = np.unpackbits(got, axis=-1)[..., :net.n_items]
        >>> [net.items[i] for i in np.flatnonzero(bits[0, p])], bool(bits[1, p].any())
        (['cookie_id'], False)
    """
    n_parties = len(net.parties)
    out = np.zeros((len(seeds), n_parties, (net.n_items + 7) // 8), dtype=np.uint8)
    _, offsets, s_dst, _, s_start, s_end = net.by_provider()
    base = int(net.start.min()) - 1 if len(net.start) else 0
    last = max(int(net.start.max(initial=base)),
               int(net.end[net.end < OPEN_END].max(initial=base)))
    dtype = np.int16 if last - base < 32000 else np.int32
    never = int(np.iinfo(dtype).max)
    # Relative days: a seed before every flow start behaves like day 0.
    rel_start = (s_start.astype(np.int64) - base).astype(dtype)
    rel_end = np.where(s_end >= OPEN_END, never - 1,
                       np.minimum(s_end.astype(np.int64) - base, never - 1)).astype(dtype)
    live = _live(net, as_of, None, None)
    n_keys = n_parties * net.n_items
    # State only for slots some flow can fill (plus seeds): far fewer than
    # parties x items, which keeps the per-block matrix small.
    seed_all = [net.party_index[party] * net.n_items + net.item_index[item]
                for held_by in seeds for party, held in held_by.items()
                for item in held if item in net.item_index]
    slots_of = _distinct(np.concatenate([s_dst.astype(np.int64),
                                         np.asarray(seed_all, dtype=np.int64)]))
    compact = np.full(n_keys, -1, dtype=np.int64)
    compact[slots_of] = np.arange(len(slots_of))
    c_dst = compact[s_dst]
    for lo in range(0, len(seeds), block):
        group = seeds[lo:lo + block]
        width = len(group)
        arrival = np.full((len(slots_of), width), never, dtype=dtype)
        seed_keys = []
        for g, held_by in enumerate(group):
            for party, held in held_by.items():
                p = net.party_index[party]
                for item, day in held.items():
                    if item not in net.item_index:
                        continue
                    key = compact[p * net.n_items + net.item_index[item]]
                    rel = min(max(day.toordinal() - base, 0), never - 1)
                    arrival[key, g] = min(int(arrival[key, g]), rel)
                    seed_keys.append(key)
        frontier = _distinct(np.asarray(seed_keys, dtype=np.int64))
        while len(frontier):
            sel, src_keys = _expand(offsets, slots_of[frontier])
            src_keys = compact[src_keys]
            if live is not None:
                keep = live[sel]
                sel, src_keys = sel[keep], src_keys[keep]
            if not len(sel):
                break
            since = arrival[src_keys]
            when = np.maximum(since, rel_start[sel][:, None])
            when[since > rel_end[sel][:, None]] = never
            dk = c_dst[sel]
            # Best candidate per target slot: sort by slot, reduce each run.
            by = np.argsort(dk, kind="stable")
            dk, when = dk[by], when[by]
            starts = np.flatnonzero(np.concatenate(([True], dk[1:] != dk[:-1])))
            slots = dk[starts]
            best = np.minimum.reduceat(when, starts, axis=0)
            old = arrival[slots]
            improved = (best < old).any(axis=1)
            slots = slots[improved]
            arrival[slots] = np.minimum(best[improved], old[improved])
            frontier = slots
        for g in range(width):
            reached = np.zeros(n_keys, dtype=bool)
            reached[slots_of[arrival[:, g] != never]] = True
            out[lo + g] = pack_items(reached.reshape(n_parties, net.n_items))
    return out


def _distinct(keys: np.ndarray) -> np.ndarray:
    """Sorted distinct keys (a sort beats hashing for these integer arrays)."""
    keys = np.sort(keys)
    if len(keys) < 2:
        return keys
    return keys[np.concatenate(([True], keys[1:] != keys[:-1]))]


def pack_items(reached: np.ndarray) -> np.ndarray:
    """Pack a boolean ``(parties, items)`` reach into one bitmask row per party.

    Example:
        >>> pack_items(np.array([[True, False, True]])).tolist()
        [[160]]
    """
    return np.packbits(reached, axis=1)
