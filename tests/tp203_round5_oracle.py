"""TP203 as it was at the end of round 5 of issue 14 (main a0e7e54), kept verbatim
(but for absolute imports, and ``_circles`` and ``_exempt``, which round 6 left as
they were and are taken from the rule itself) as the oracle of tests/test_reprovision_round6.py: round 6
reads each entrusting flow once, merges instead of marking by identity, carries the
entrusting flow's ID and outsourcee in the labels and shares day numbers; the
findings, their order, messages and evidence must stay the same, byte for byte.

Example:
    >>> from lineage.rules import engine, examples
    >>> from lineage.rules.context import Context
    >>> ctx = Context(examples.build_example(TP203.fail.inventory))
    >>> judged = {f.id: engine.judge(ctx, f)[0] for f in ctx.inv.flows}
    >>> [f.id for f in TP203.check(ctx, judged)]
    ['TP203:F2:name']
"""

import datetime as dt
import heapq
import operator
from itertools import compress, count
from operator import and_, ne, not_, truth

from lineage.rules.base import Example, Rule, _clause_text, _new_finding
from lineage.rules.clauses import Clause
from lineage.rules.policy.TP203 import _circles, _exempt

_EXEMPTIONS = ("law", "life", "public_health", "government")
_NOT_PROVISION = {"internal", "storage_only", "non_personal", "to_subject", "collection"}


class TP203(Rule):
    """An outsourcee passes entrusted data outside its circle (re-provision, 再提供).

    Items that reached an outsourcee only by outsourcing from the organisation
    may travel within the circle of the organisation, that outsourcee and the
    parties its contract lists in ``sub_outsourcing`` (at any depth). A flow
    that a party of the circle (never the organisation itself: data returned
    to it are its own again) sends out of the circle with such items,
    starting on or after the entrusting flow, is a re-provision: one finding
    per item (``TP203:<flow>:<item>``) whose evidence is the path from the
    entrusting flow. Every path counts, through legal entities. "Only by
    outsourcing" is decided on the leaving flow's start: another source of the
    item on the path (a collection, a provision from outside) counts when it
    started on or before the leaving flow. Flows that are no provision
    (storage only, linkable items alone), items that are the receiving data
    subjects' own, and flows with a justified exemption (law, life, public
    health, government; declared, or recorded in ``exemption`` without a
    basis) are not reported.

    Non-compliant: the carrier hands customer names to a partner.
    Compliant: it hands them to a sub-outsourcee its contract allows.

    Example:
        >>> from lineage.rules import engine, examples
        >>> [f.id for f in engine.run(examples.build_example(TP203.fail.inventory)).findings]
        ['TP203:F2:name']
    """

    id = "TP203"
    clause = Clause("1.5")
    kind = "re-provision"
    title_en = "Re-provision of entrusted data by an outsourcee"
    title_ja = "委託先による再提供"
    remedy_en = ("Stop the outsourcee's onward flow, or list the recipient as an allowed "
                 "sub-outsourcee in the contract.")
    remedy_ja = "委託先からの提供を停止するか、契約の再委託先に提供先を明記してください。"
    fail = Example("carrier passes names on", """
contracts:
  - {id: K1, party: carrier, signed_on: 2024-01-01, no_leak: true, no_re_provision: true}
flows:
  - {id: F1, from: mc, to: carrier, items: [name], purposes: [shipping], start: 2025-01-01}
  - {id: F2, from: carrier, to: partner, items: [name], start: 2025-02-01}
""", ("TP203:F2:name",))
    passing = Example("allowed sub-outsourcee", """
contracts:
  - {id: K1, party: carrier, signed_on: 2024-01-01, no_leak: true, no_re_provision: true,
     sub_outsourcing: [partner]}
flows:
  - {id: F1, from: mc, to: carrier, items: [name], purposes: [shipping], start: 2025-01-01}
  - {id: F2, from: carrier, to: partner, items: [name], start: 2025-02-01}
""", ())

    @classmethod
    def check(cls, ctx, judged):
        """Yields one finding per entrusted item that leaves its outsourcing circle.

        Example:
            >>> from lineage.rules import context, engine, examples
            >>> ctx = context.Context(examples.build_example(TP203.fail.inventory))
            >>> judged = {f.id: engine.judge(ctx, f)[0] for f in ctx.inv.flows}
            >>> [f.id for f in TP203.check(ctx, judged)]
            ['TP203:F2:name']
        """
        entrusting = ctx.judged_flows(judged, "policy")[1].get("outsourcing", ())
        if not entrusting:
            return
        circles = _circles(ctx, sorted(set(map(_TO, entrusting))))
        distinct = set(circles.values())
        entity, org = ctx.entity, ctx.org_entity
        index = _Index(ctx, {entity(p) for circle in distinct for p in circle} - {org},
                       entrusting)
        # (place, item, flow, rank, entrusting ID or None) per item leaving a circle.
        # The flow's place in ID order stands for natural_key(flow.id): the same order.
        if len(distinct) == 1:
            # One circle (a ring, or one outsourcee): all the index holds is its own,
            # and each (place, item) comes once, in order: no best to choose, and
            # each finding is made while its flow was just read.
            yield from _findings(cls, _leaving(ctx, judged, next(iter(distinct)),
                                               index.entrusting, index, whole=True), index)
            return
        else:
            places, ents = index.entrusting
            tos = index.tos
            by_circle: dict[frozenset, list] = {}
            for k, n in enumerate(places):
                by_circle.setdefault(circles[tos[n]], []).append(k)
            best: dict = {}
            for circle, ks in by_circle.items():
                rows = (list(map(places.__getitem__, ks)), list(map(ents.__getitem__, ks)))
                for got in _leaving(ctx, judged, circle, rows, index):
                    key = got[:2]
                    if key not in best or got[3] < best[key][3]:
                        best[key] = got
            found = list(best.values())
            found.sort()  # by (place, item): never equal, so nothing further is compared
            yield from _findings(cls, found, index)


_TO, _FRM = operator.attrgetter("to"), operator.attrgetter("frm")
_START, _ITEMS = operator.attrgetter("start"), operator.attrgetter("items")
_ID = operator.attrgetter("id")
#: Days are day numbers (date.toordinal) in the search: compared and ordered as
#: the dates are, by the interpreter's quick path for small ints, without a
#: reach for a date object read from some flow long before.
_LAST = dt.date.max.toordinal()
_ORDINAL = dt.date.toordinal
#: A search bucket is (arrival << _SHIFT | path length): paths have fewer flows.
_SHIFT = 32
_FIRST = operator.itemgetter(0)
_NONE: dict = {}  # never changed


def _findings(rule, found, index):
    """The findings of ``found`` ((place, item, flow, rank, entrusting flow's ID or
    None) in order), made as :meth:`Rule.finding_from` makes them.

    Findings of one item share its items tuple, of one outsourcee its evidence
    entry, and the items of one flow that came the same way (most: from one
    entrusting flow) their path and evidence: a large check makes a hundred
    thousand of them. A path is kept as its flows' places during the search;
    their IDs are read here, for the paths found only.
    """
    flows, tos = index.flows, index.tos
    rule_id, clause, kind, severity = rule.id, _clause_text(rule), rule.kind, rule.severity
    remedy, remedy_ja = rule.remedy_en, rule.remedy_ja
    items: dict = {}
    named: dict = {}
    last = None  # (flow, places) of the finding before
    for _, item, flow, rank, entrust in found:
        keys = rank[2]
        if last is None or flow is not last[0] or keys != last[1]:
            fid, frm, to, first = flow.id, flow.frm, flow.to, keys[0]
            if entrust is None:
                entrust = flows[first].id
            outsourcee = tos[first]
            if len(keys) == 1:
                path = (entrust, fid)
            else:
                path = (entrust, *[flows[k].id for k in keys[1:]], fid)
            shown = " > ".join(path)
            pair = named.get(outsourcee)
            if pair is None:
                pair = named[outsourcee] = ("outsourcee", outsourcee)
            # The evidence as Rule.finding makes it: its entries sorted by key.
            evidence = (pair, ("path", path))
            last = (flow, keys)
        one = items.get(item)
        if one is None:
            one = items[item] = (item,)
        yield _new_finding(rule_id, clause, kind, severity, fid, frm, to, item, one, evidence,
                           f"item {item}, entrusted to {outsourcee} by {path[0]}, "
                           f"leaves the outsourcing circle to {to} (path {shown})",
                           f"{path[0]} で {outsourcee} に委託した項目 {item} が"
                           f"委託の範囲外の {to} に提供されています(経路 {shown})",
                           remedy, remedy_ja)


class _Index:
    """The flows the circles' legal entities send and receive, by their places in ID order.

    Made by passes in C over the flows (already in ID order) for every circle at
    once: a large inventory has hundreds of circles, or one of tens of thousands
    of outsourcees, and indexes of every flow by provider, by recipient and by ID
    cost more than the check itself. What it keeps are columns of places
    (:attr:`flows` ``[n]``): a flow's place ``n`` travels with it, and comparing
    places orders flows as comparing ``natural_key(flow.id)`` would (no two flows
    tie). A flow's attributes are read only where a step needs them: at a million
    flows, reading them is most of the cost.
    """

    def __init__(self, ctx, entities, entrusting=()):
        entity, org = ctx.entity, ctx.org_entity
        # Each party of the entities -> its entity (a party named only in flows is
        # its own legal entity): no look-up per flow for the others.
        self.entity_of = of = {p: e for e in entities
                               for p in (*ctx.parties_by_entity.get(e, ()), e)
                               if entity(p) == e}
        get = of.get
        #: The flows in ID order, their providers and recipients.
        self.flows = flows = ctx.flow_list
        self.frms = frms = list(map(_FRM, flows))
        self.tos = tos = list(map(_TO, flows))
        # Each flow's sender's and recipient's entity (None: not one of these):
        # most flows concern no circle, and only the others are visited below.
        senders, recipients = list(map(get, frms)), list(map(get, tos))
        places = list(compress(count(), senders))
        #: Flows the entities send: (places, senders' entities, recipients'
        #: entities or None), in ID order.
        self.sent = (places, list(compress(senders, senders)),
                     list(map(recipients.__getitem__, places)))
        places = list(compress(count(), recipients))
        ents = list(map(recipients.__getitem__, places))
        # By identity: no look-up by flow ID per flow.
        marked = set(map(id, entrusting))
        flags = list(map(marked.__contains__, map(id, map(flows.__getitem__, places))))
        #: The entrusting flows the entities receive: (places, recipients'
        #: entities), in ID order.
        self.entrusting = (list(compress(places, flags)), list(compress(ents, flags)))
        # The others they receive, and entrusting flows not from the organisation:
        # the organisation's outsourcing is no other source.
        from_org = {p for p in (*ctx.parties_by_entity.get(org, ()), org) if entity(p) == org}
        e_places, e_ents = self.entrusting
        outside = list(map(not_, map(from_org.__contains__, map(frms.__getitem__, e_places))))
        # storage-only flows are no source (their recipient never handles the data)
        stored = [flows[n].storage_only for n in places]
        others = [not (flag or kept) for flag, kept in zip(flags, stored)]
        #: (places, recipients' entities) of the flows received from another
        #: source than the organisation's outsourcing, in no particular order.
        self.received = (list(compress(places, others)) + list(compress(e_places, outside)),
                         list(compress(ents, others)) + list(compress(e_ents, outside)))
        self._groups: dict | None = None

    def sent_by(self, entities) -> tuple[list, list, list]:
        """:attr:`sent` of ``entities`` only, in ID order."""
        groups = self._groups
        if groups is None:  # only with several circles: rows by sender, made once
            groups = self._groups = {}
            for k, u in enumerate(self.sent[1]):
                got = groups.get(u)
                if got is None:
                    groups[u] = [k]
                else:
                    got.append(k)
        ks = sorted(k for e in entities for k in groups.get(e, ()))
        return tuple(list(map(column.__getitem__, ks)) for column in self.sent)


def _circle_flows(circle, inside, index, whole=False) -> tuple[dict, list, set]:
    """The circle's flows between its legal entities, by sender then item, as
    (place, start, end or None, recipient's entity: all the search reads of them,
    days as day numbers); the
    flows that leave it, as (place, sender's entity) in ID order; and the
    entities that send anything. ``whole``: the circle is every entity of the
    index (one circle), so no row needs a test of its sender.

    Only flows the circle sends: the organisation's own are judged by section 5.
    Everything per (entity, item) is kept by entity, then item: the search looks
    up one entity's items in turn, and a small dict per entity is quicker to
    reach than one entry among a million.
    """
    places, us, vs = index.sent if whole else index.sent_by(inside)
    inner = list(map(truth, vs) if whole else map(inside.__contains__, vs))
    flows = index.flows
    edges: dict = {}
    for n, u, v in compress(zip(places, us, vs), map(and_, inner, map(ne, us, vs))):
        f = flows[n]
        out = edges.get(u)
        if out is None:
            out = edges[u] = {}
        end = f.end
        edge = (n, f.start.toordinal(), None if end is None else end.toordinal(), v)
        for item in f.items:
            got = out.get(item)
            if got is None:
                out[item] = [edge]
            else:
                got.append(edge)
    senders = set(us)
    outer = list(map(not_, inner))
    places, us = list(compress(places, outer)), list(compress(us, outer))
    # To a party of the circle that no entity holds (the organisation's): not leaving.
    away = map(not_, map(circle.__contains__, map(index.tos.__getitem__, places)))
    return edges, list(compress(zip(places, us), away)), senders


def _seeds(rows, senders, index) -> dict:
    """Entity -> item -> (start's day number, place, items, ID) of the earliest (then lowest-ID)
    entrusting flow in ``rows`` bringing it the item, for the entities in ``senders``.
    The ID is read with the rest, in one sweep in ID order (reading it later, for
    a finding, would reach for a flow read long before).

    The entrusting flows' own labels at one (entity, item) share "clean until"
    and have arrival = entrusting start, so the earliest covers every other one
    whatever the order they are offered in: only it is kept. An entity that
    sends nothing has nothing to pass on: its labels are not needed.
    """
    places, ents = rows
    flags = list(map(senders.__contains__, ents))
    places = list(compress(places, flags))
    flows = list(map(index.flows.__getitem__, places))
    by: dict = {}
    for v, seed in zip(compress(ents, flags),
                       zip(map(_ORDINAL, map(_START, flows)), places, map(_ITEMS, flows),
                           map(_ID, flows))):
        got = by.get(v)
        if got is None:
            by[v] = [seed]
        else:
            got.append(seed)
    seeds: dict = {}
    for node, got in by.items():
        # By day (ints: the sort's quick compare), equal days staying in order of
        # place, then taken latest first: the earliest (start, place) writes each
        # item last.
        got.sort(key=_FIRST)
        at = seeds[node] = {}
        for seed in reversed(got):
            for item in seed[2]:  # quicker than update(fromkeys()): no dict made per flow
                at[item] = seed
    return seeds


def _search(edges, seeds, own) -> dict:
    """Entity -> item -> the labels kept there (a list): each way an entrusted item
    reached the entity not beaten on all of arrival, "clean until" and entrusting
    start; or, where no label was offered, the entity's seed (a tuple, as
    :func:`_seeds` gives it) standing alone: the leaving flows read it without a
    label. Made in ``seeds`` itself: one dict per entity, so a look-up of an
    (entity, item) finds either at once.

    A label is a list ``[rank, clean_until, entrusted, alive]`` (days as day
    numbers): ``rank`` is
    ``(arrival, length, places)``, the places of the path's flows (the first
    the entrusting flow); ``clean_until`` the first day some entity on the way
    held the item from another source (only flows leaving before that day carry
    data that came "only by outsourcing"); ``entrusted`` the start of the
    entrusting flow. A label is kept unless another is at least as good on all
    three; ``rank`` breaks ties, so the path a finding names does not depend on
    the order of records. Lists, not objects, and the offers written out in the
    loop: the search makes a label per flow step, a hundred thousand at a
    million flows.

    Labels are taken in rank order and only where a flow of the circle carries
    the item on: a label elsewhere has nothing to extend, so it is only kept (or
    beaten) where it lands.

    Rank order without a heap of ranks: labels wait in buckets of equal
    (arrival, length), taken in order of that pair from a heap of small ints
    (a few thousand distinct pairs, not a hundred thousand ranks compared as
    tuples at every step), each bucket sorted by places when its turn comes.
    A label extends to labels one flow longer, never arriving earlier: into a
    later bucket, never the one being taken, so that order is the ranks' own.
    """
    buckets: dict = {}
    for node, out in edges.items():
        at = seeds.get(node)
        if at is None:
            at = seeds[node] = {}
        owned = own.get(node, _NONE)
        for item in out:
            seed = at.get(item)  # a seed or nothing: no label is offered yet
            if seed is None:
                at[item] = []
                continue
            rank = (seed[0], 1, (seed[1],))
            label = [rank, owned.get(item, _LAST), seed[0], True]
            at[item] = [label]
            bucket = seed[0] << _SHIFT | 1
            waiting = buckets.get(bucket)
            if waiting is None:
                buckets[bucket] = [(rank[2], node, item, label)]
            else:
                waiting.append((rank[2], node, item, label))
    turns = list(buckets)
    heapq.heapify(turns)
    while turns:
        waiting = buckets.pop(heapq.heappop(turns))
        # By places (stable: equal places, one path to several items, keep their
        # order; items never meet, so it does not matter).
        waiting.sort(key=_FIRST)
        for keys, node, item, label in waiting:
            if not label[3]:
                continue
            _extend(label, node, item, edges, seeds, own, buckets, turns)
    return seeds


def _extend(label, node, item, edges, labels, own, buckets, turns) -> None:
    """Offers ``label`` (at ``node``, for ``item``) extended by each flow of the
    circle carrying the item on from ``node``: :func:`_search`'s step."""
    arrival, length, keys = label[0]
    clean, entrusted = label[1], label[2]
    length += 1
    for n, start, end, to in edges[node][item]:
        if (end is not None and end < arrival) or n in keys:
            continue
        at = labels.get(to)
        if at is None:
            at = labels[to] = {}
        held = at.get(item)
        owned = own.get(to, _NONE).get(item, _LAST)
        if held is None:
            held = at[item] = []
        elif type(held) is tuple:  # the seed alone: its label, now that one comes
            held = at[item] = [[(held[0], 1, (held[1],)), owned, held[0], True]]
        # The new label: max(arrival, start), min(clean, owned).
        a = start if start > arrival else arrival
        c = owned if owned < clean else clean
        new_rank = (a, length, (*keys, n))
        for other in held:
            o_rank = other[0]
            oa = o_rank[0]
            # ``other`` covers the new label: as good on all three, and better
            # on one or, equal on all, not after it in rank.
            if (oa <= a and other[1] >= c and other[2] <= entrusted
                    and (oa != a or other[1] != c or other[2] != entrusted
                         or o_rank <= new_rank)):
                break
        else:
            new = [new_rank, c, entrusted, True]
            kept = []
            for other in held:
                o_rank = other[0]
                oa = o_rank[0]
                if (a <= oa and c >= other[1] and entrusted <= other[2]
                        and (oa != a or other[1] != c or other[2] != entrusted
                             or new_rank <= o_rank)):
                    other[3] = False
                else:
                    kept.append(other)
            kept.append(new)
            at[item] = kept
            if item in edges.get(to, _NONE):
                bucket = a << _SHIFT | length
                waiting = buckets.get(bucket)
                if waiting is None:
                    buckets[bucket] = [(new_rank[2], to, item, new)]
                    heapq.heappush(turns, bucket)
                else:
                    waiting.append((new_rank[2], to, item, new))


def _leaving(ctx, judged, circle, entrusting, index, whole=False):
    """Every item of an entrusting flow that leaves ``circle``, with the best way it came.

    ``entrusting`` are the circle's entrusting flows as :attr:`_Index.entrusting`
    gives them ((places, recipients' entities) in ID order); ``whole``: the circle
    is all the index holds. Gives (place, item, flow, label's rank, entrusting
    flow's ID or None: read from the flow when a finding names it), in order of
    place and item. Every path counts: a label-setting search (:func:`_search`) keeps, per
    legal entity and item, each arrival not beaten on all of arrival, "clean
    until" and entrusting start. A leaving flow re-provides the item when some
    label has its entrusting flow starting on or before the leaving flow, no
    other source on its way started on or before the leaving flow, and arrived
    by the leaving flow's end.

    The search runs once per circle for all its entrusting and leaving flows.
    """
    inside = {ctx.entity(p) for p in circle} - {ctx.org_entity}
    edges, leaving, senders = _circle_flows(circle, inside, index, whole)
    own = _own_at(ctx, inside, index, edges, whole)
    labels = _search(edges, _seeds(entrusting, senders, index), own)
    flows, foreign = index.flows, ctx.foreign_items
    # The flows whose route is no provision, by identity: few, found in the
    # engine's flows by route, and no look-up of each leaving flow's judgement.
    by_route = ctx.judged_flows(judged, "policy")[1]
    skip = {id(f) for route in _NOT_PROVISION for f in by_route.get(route, ())}
    for n, node in leaving:
        f = flows[n]
        if id(f) in skip:
            continue
        basis = f.basis
        # Only a flow with an exemption of its own is evaluated (_exempt's test).
        if ((basis in _EXEMPTIONS if basis is not None else f.exemption is not None)
                and _exempt(ctx, f)):
            continue
        start, end = f.start.toordinal(), f.end
        if end is not None:
            end = end.toordinal()
        at, owned = labels.get(node, _NONE), own.get(node, _NONE)
        found = None
        # To data subjects, only items that are not their own are provided
        # (ctx.provision's items, without a copy of the flow).
        for item in dict.fromkeys(foreign(f) or f.items):
            held = at.get(item)
            if held is None:
                continue
            if type(held) is tuple:  # the seed alone
                if held[0] <= start < owned.get(item, _LAST) and (end is None or held[0] <= end):
                    # The seed's label, without making it.
                    got = (n, item, f, (held[0], 1, (held[1],)), held[3])
                else:
                    continue
            else:
                best = None
                for label in held:
                    rank = label[0]
                    if (label[2] <= start < label[1] and (end is None or rank[0] <= end)
                            and (best is None or rank < best)):
                        best = rank
                if best is None:
                    continue
                got = (n, item, f, best, None)
            if found is None:
                found = [got]
            else:
                found.append(got)
        if found is not None:
            if len(found) > 1:
                found.sort()  # by item: never equal
            yield from found


def _own_since(ctx, judged, inside, index=None, edges=None) -> dict:
    """(legal entity, item) -> the first day it holds the item from another source
    than outsourcing: its own collection, a provision by the organisation, any party
    outside the circle, or a party of the circle passing on such a copy (the copy
    travels like any item, so a sub-outsourcee fed from a member's own data holds
    data that did not come only by outsourcing).

    ``index`` and ``edges`` are the circle's (:class:`_Index` made with the
    outsourcing flows of ``judged``, :func:`_circle_flows`), made here when not
    given.
    """
    if index is None:
        index = _Index(ctx, inside, ctx.judged_flows(judged, "policy")[1].get("outsourcing", ()))
    if edges is None:
        edges = _circle_flows((), inside, index)[0]
    fromordinal = dt.date.fromordinal
    return {(node, item): fromordinal(day)
            for node, held in _own_at(ctx, inside, index, edges).items()
            for item, day in held.items()}


def _own_at(ctx, inside, index, edges, whole=False) -> dict:
    """:func:`_own_since` by entity, then item, as day numbers.

    The organisation's outsourcing is no other source: the index's ``received``
    leaves those flows out (it knows them as its entrusting flows).

    The copies travel only along the circle's own flows, as items do
    (:func:`lineage.propagation.propagate`: an item held from day ``d`` crosses a
    flow not ended before ``d`` and arrives on the later of ``d`` and its start),
    so no index of every flow is needed.
    """
    own: dict = {}
    entity = ctx.entity
    places, ents = index.received
    if not whole:
        keep = list(map(inside.__contains__, ents))
        places, ents = compress(places, keep), compress(ents, keep)
    frms, flows = index.frms, index.flows
    for n, v in zip(places, ents):
        u = entity(frms[n])
        if u == v or u in inside:
            continue
        f = flows[n]
        held = own.get(v)
        if held is None:
            held = own[v] = {}
        start = f.start.toordinal()
        for item in f.items:
            if start < held.get(item, _LAST):
                held[item] = start
    if not own:
        return own
    # Earliest arrival per (entity, item): items travel independently, so one
    # heap serves them all.
    heap = [(day, node, item) for node, held in own.items() for item, day in held.items()]
    heapq.heapify(heap)
    while heap:
        day, node, item = heapq.heappop(heap)
        if own[node][item] < day:
            continue
        for _, start, end, to in edges.get(node, _NONE).get(item, ()):
            if end is not None and end < day:
                continue
            when = day if day > start else start
            held = own.get(to)
            if held is None:
                held = own[to] = {}
            old = held.get(item)
            if old is None or when < old:
                held[item] = when
                heapq.heappush(heap, (when, to, item))
    return own
