import datetime as dt
import heapq
import operator
from itertools import compress, count

from ..base import Example, Rule
from ..clauses import Clause

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
        entity, org = ctx.entity, ctx.org_entity
        index = _Index(ctx, {entity(p) for circle in set(circles.values()) for p in circle}
                       - {org}, entrusting)
        # The entrusting flows by recipient entity, in ID order (the index's), by circle.
        by_circle: dict[frozenset, dict] = {}
        if len(set(circles.values())) == 1:  # one circle (a ring or one outsourcee): all
            by_circle[next(iter(circles.values()))] = index.entrusting
        else:
            for node, seeds in index.entrusting.items():
                for seed in seeds:
                    by_circle.setdefault(circles[seed[3]], {}).setdefault(node, []).append(seed)
        # (place, item, flow, rank, path, outsourcee) per item leaving a circle. The
        # flow's place in ID order stands for natural_key(flow.id): the same order.
        if len(by_circle) == 1:  # each (place, item) comes once: no best to choose
            found = [got for circle, seeds in by_circle.items()
                     for got in _leaving(ctx, judged, circle, seeds, index)]
        else:
            best: dict = {}
            for circle, seeds in by_circle.items():
                for got in _leaving(ctx, judged, circle, seeds, index):
                    key = got[:2]
                    if key not in best or got[3] < best[key][3]:
                        best[key] = got
            found = list(best.values())
        found.sort()  # by (place, item): never equal, so nothing further is compared
        # Findings of one item share its items tuple, of one outsourcee its evidence
        # entry: a large check makes a hundred thousand of them.
        items: dict = {}
        named: dict = {}
        new = cls.finding_from
        for _, item, flow, _, way, outsourcee in found:
            path = (*way, flow.id)
            entrust, shown = path[0], " > ".join(path)
            one = items.get(item)
            if one is None:
                one = items[item] = (item,)
            pair = named.get(outsourcee)
            if pair is None:
                pair = named[outsourcee] = ("outsourcee", outsourcee)
            # The evidence as Rule.finding makes it: its entries sorted by key.
            yield new(flow, item, one, (pair, ("path", path)),
                      f"item {item}, entrusted to {outsourcee} by {entrust}, "
                      f"leaves the outsourcing circle to {flow.to} (path {shown})",
                      f"{entrust} で {outsourcee} に委託した項目 {item} が"
                      f"委託の範囲外の {flow.to} に提供されています(経路 {shown})")


_TO, _FRM = operator.attrgetter("to"), operator.attrgetter("frm")
_FAR = dt.date.max


class _Label:
    """One way an entrusted item reached a legal entity of the circle.

    ``arrival`` is when it got there, ``clean_until`` the first day some
    entity on the way held the item from another source (only flows leaving
    before that day carry data that came "only by outsourcing"), ``entrusted``
    the start of the entrusting flow. A label is kept unless another is at
    least as good on all three; ``rank`` breaks ties on flow IDs, so the path
    a finding names does not depend on the order of records. ``keys`` are the
    path's flows' places in ID order (:attr:`_Index.rank`): compared as a
    tuple they order paths as their IDs' natural keys would.
    """

    __slots__ = ("arrival", "clean_until", "entrusted", "path", "outsourcee", "rank", "dead")

    def __init__(self, arrival, clean_until, entrusted, path, outsourcee, keys):
        self.arrival, self.clean_until, self.entrusted = arrival, clean_until, entrusted
        self.path, self.outsourcee = path, outsourcee
        self.rank = (arrival, len(path), keys)
        self.dead = False

    def covers(self, other) -> bool:
        return (self.arrival <= other.arrival and self.clean_until >= other.clean_until
                and self.entrusted <= other.entrusted
                and (self.arrival, self.clean_until, self.entrusted)
                != (other.arrival, other.clean_until, other.entrusted)
                or (self.arrival, self.clean_until, self.entrusted)
                == (other.arrival, other.clean_until, other.entrusted)
                and self.rank <= other.rank)


class _Index:
    """The flows the circles' legal entities send and receive, with their places in ID order.

    Made in one pass over the flows (already in ID order) for every circle at
    once, and only of these flows: a large inventory has hundreds of circles,
    or one of tens of thousands of outsourcees, and indexes of every flow by
    provider, by recipient and by ID cost more than the check itself. A flow's
    place ``n`` in ID order travels with it: comparing places orders flows as
    comparing ``natural_key(flow.id)`` would (no two flows tie).
    """

    def __init__(self, ctx, entities, entrusting=()):
        entity, org = ctx.entity, ctx.org_entity
        # Each party of the entities -> its entity (a party named only in flows is
        # its own legal entity): no look-up per flow for the others.
        self.entity_of = of = {p: e for e in entities
                               for p in (*ctx.parties_by_entity.get(e, ()), e)
                               if entity(p) == e}
        get = of.get
        # By identity: no look-up by flow ID per flow.
        marked = set(map(id, entrusting))
        from_org = {p for p in (*ctx.parties_by_entity.get(org, ()), org) if entity(p) == org}
        sent: dict[str, list] = {}
        received: dict[str, list] = {}
        #: Entity -> (start, place, ID, recipient, items) of the entrusting flows it
        #: receives, in ID order.
        self.entrusting: dict[str, list] = {}
        flows = ctx.flow_list
        # Each flow's sender's and recipient's entity (None: not one of these),
        # found by map() without an interpreted step per flow: most flows concern
        # no circle, and only the others are visited below.
        frms, tos = list(map(_FRM, flows)), list(map(_TO, flows))
        senders, recipients = list(map(get, frms)), list(map(get, tos))
        for n in compress(count(), senders):
            u = senders[n]
            got = sent.get(u)
            if got is None:
                sent[u] = [(n, flows[n], recipients[n])]
            else:
                got.append((n, flows[n], recipients[n]))
        for n in compress(count(), recipients):
            f, v = flows[n], recipients[n]
            if id(f) in marked:
                # All the search needs of it, read at once.
                seed = (f.start, n, f.id, tos[n], f.items)
                got = self.entrusting.get(v)
                if got is None:
                    self.entrusting[v] = [seed]
                else:
                    got.append(seed)
                if frms[n] in from_org:
                    continue  # the organisation's outsourcing: no other source
            u = senders[n]
            pair = (entity(frms[n]) if u is None else u, f)
            got = received.get(v)
            if got is None:
                received[v] = [pair]
            else:
                got.append(pair)
        self._sent = sent
        self._received = received

    def sent_by(self, entities) -> list[tuple[str, list]]:
        """(legal entity, [(place, flow, recipient's entity or None)] in ID order) for
        each of ``entities`` (None: the recipient is no entity of the index)."""
        sent = self._sent
        return [(e, sent[e]) for e in sorted(entities) if e in sent]

    def received_by(self, entities) -> list[tuple[str, list]]:
        """(legal entity, [(sender's entity, flow)] in ID order) for each of ``entities``,
        but the organisation's entrusting flows."""
        received = self._received
        return [(e, received[e]) for e in sorted(entities) if e in received]


def _circle_flows(circle, inside, index) -> tuple[dict, list, set]:
    """The circle's flows between its legal entities, by sender then item, as
    (place, start, end, ID, recipient's entity: all the search reads of them);
    the flows that leave it, as (place, flow, sender's entity); and the entities
    that send anything.

    Only flows the circle sends: the organisation's own are judged by section 5.
    Everything per (entity, item) is kept by entity, then item: the search looks
    up one entity's items in turn, and a small dict per entity is quicker to
    reach than one entry among a million.
    """
    edges: dict = {}
    leaving = []
    senders = set()
    for u, sent in index.sent_by(inside):
        senders.add(u)
        out = None
        for n, f, v in sent:
            if v in inside:
                if u != v:
                    if out is None:
                        out = edges[u] = {}
                    edge = (n, f.start, f.end, f.id, v)
                    for item in f.items:
                        got = out.get(item)
                        if got is None:
                            out[item] = [edge]
                        else:
                            got.append(edge)
            elif f.to not in circle:
                leaving.append((n, f, u))
    return edges, leaving, senders


_NONE: dict = {}  # never changed


def _leaving(ctx, judged, circle, entrusting, index):
    """Every item of an entrusting flow that leaves ``circle``, with the best way it came.

    ``entrusting`` are the circle's entrusting flows as :attr:`_Index.entrusting`
    gives them (by recipient entity, in ID order). Yields (place, item, flow,
    label's rank, path, outsourcee). Every path counts: a label-setting search
    keeps, per legal entity and item, each arrival not beaten on all of arrival,
    "clean until" and entrusting start. A leaving flow re-provides the item when
    some label has its entrusting flow starting on or before the leaving flow, no
    other source on its way started on or before the leaving flow, and arrived
    by the leaving flow's end.

    The search runs once per circle for all its entrusting and leaving flows.
    Labels are taken from the heap in rank order and only where a flow of the
    circle carries the item on: a label elsewhere has nothing to extend, so it
    is only kept (or beaten) where it lands.
    """
    inside = {ctx.entity(p) for p in circle} - {ctx.org_entity}
    edges, leaving, senders = _circle_flows(circle, inside, index)
    own = _own_at(ctx, judged, inside, index, edges)
    # The entrusting flows' own labels at one (entity, item) share "clean until"
    # and have arrival = entrusting start, so the earliest (then lowest ID: they
    # come in ID order) covers every other one whatever the order they are offered
    # in: only it is kept. An entity that sends nothing has nothing to pass on: its
    # labels are not needed.
    seeds: dict = {}
    for node, pairs in entrusting.items():
        if node not in senders:
            continue
        # Latest first, so the earliest (start, place) writes each item last.
        at = seeds[node] = {}
        for seed in sorted(pairs, reverse=True):
            at.update(dict.fromkeys(seed[4], seed))
    # Labels of the (entity, item) the search reaches; elsewhere the seed alone,
    # made into a label only when a leaving flow finds it valid.
    labels: dict = {}

    def seed_label(node, item, seed):
        start, n, fid, to, _ = seed
        return _Label(start, own.get(node, _NONE).get(item, _FAR), start, (fid,), to, (n,))

    def held_at(node, item):
        at = labels.get(node)
        if at is None:
            at = labels[node] = {}
        held = at.get(item)
        if held is None:
            seed = seeds.get(node, _NONE).get(item)
            held = at[item] = [] if seed is None else [seed_label(node, item, seed)]
        return held

    heap: list = []
    counter = 0
    for node, out in edges.items():
        for item in out:
            for label in held_at(node, item):
                counter += 1
                heap.append((label.rank, counter, node, item, label))
    heapq.heapify(heap)

    def offer(node, item, label):
        nonlocal counter
        held = held_at(node, item)
        if any(other.covers(label) for other in held):
            return
        for other in held:
            if label.covers(other):
                other.dead = True
        held[:] = [o for o in held if not o.dead]
        held.append(label)
        if item in edges.get(node, _NONE):
            counter += 1
            heapq.heappush(heap, (label.rank, counter, node, item, label))

    while heap:
        _, _, node, item, label = heapq.heappop(heap)
        if label.dead:
            continue
        keys = label.rank[2]
        for n, start, end, fid, to in edges[node][item]:
            if (end is not None and end < label.arrival) or n in keys:
                continue
            offer(to, item, _Label(max(label.arrival, start),
                                   min(label.clean_until, own.get(to, _NONE).get(item, _FAR)),
                                   label.entrusted, (*label.path, fid), label.outsourcee,
                                   (*keys, n)))
    for n, f, node in leaving:
        if judged[f.id].route in _NOT_PROVISION or _exempt(ctx, f):
            continue
        start, end = f.start, f.end
        at, seeded, owned = labels.get(node, _NONE), seeds.get(node, _NONE), own.get(node, _NONE)
        # To data subjects, only items that are not their own are provided
        # (ctx.provision's items, without a copy of the flow).
        for item in dict.fromkeys(ctx.foreign_items(f) or f.items):
            held = at.get(item)
            if held is None:
                seed = seeded.get(item)
                if (seed is not None and seed[0] <= start < owned.get(item, _FAR)
                        and (end is None or seed[0] <= end)):
                    # The seed's label, without making it.
                    yield n, item, f, (seed[0], 1, (seed[1],)), (seed[2],), seed[3]
                continue
            found = None
            for label in held:
                if (label.entrusted <= start < label.clean_until
                        and (end is None or label.arrival <= end)
                        and (found is None or label.rank < found.rank)):
                    found = label
            if found is not None:
                yield n, item, f, found.rank, found.path, found.outsourcee


def _circles(ctx, outsourcees) -> dict[str, frozenset]:
    """Each outsourcee's circle: the organisation's parties, the outsourcee and
    the sub-outsourcees its contracts allow, at any depth (with their legal
    entities). Strongly connected groups share one circle, so chains and rings
    of sub-outsourcing are walked once, not once per outsourcee.

    The groups come from an iterative Tarjan search (no recursion limit on a
    chain of a hundred thousand contracts, and no graph library to import for
    a check): it closes a group only after every group it reaches, so each
    circle is its members' parties joined with circles already made.
    """
    succ: dict[str, list] = {}
    for party, contracts in ctx.contracts_by_party.items():
        for contract in contracts:
            succ.setdefault(party, []).extend(contract.sub_outsourcing)
    base = frozenset(ctx.parties_by_entity[ctx.org_entity])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    group_of: dict[str, int] = {}
    circles: list[frozenset] = []
    stack: list[str] = []
    on_stack: set[str] = set()
    for root in [*succ, *outsourcees]:
        if root in index:
            continue
        work = [(root, iter(succ.get(root, ())))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(succ.get(child, ()))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    members = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        members.append(member)
                        if member == node:
                            break
                    number = len(circles)
                    for member in members:
                        group_of[member] = number
                    parties = set(base)
                    for member in members:
                        parties.update(ctx.parties_by_entity.get(ctx.entity(member), [member]))
                        for child in succ.get(member, ()):
                            if group_of[child] != number:
                                parties |= circles[group_of[child]]
                    circles.append(frozenset(parties))
    return {o: circles[group_of[o]] for o in outsourcees}


def _exempt(ctx, flow) -> bool:
    """Whether a justified exemption (5[1] items 1-4) covers the flow.

    A declared exemption basis must hold; without a basis, any exemption whose
    justification the flow records counts, as in route inference.
    """
    if flow.basis is not None:
        routes = (flow.basis,) if flow.basis in _EXEMPTIONS else ()
    else:
        routes = _EXEMPTIONS if flow.exemption is not None else ()
    if not routes:  # most flows: nothing to evaluate (and no import to look up)
        return False
    from ..routes import evaluate
    return any(not evaluate(ctx, flow, route).findings for route in routes)


def _own_since(ctx, judged, inside, index=None, edges=None) -> dict:
    """(legal entity, item) -> the first day it holds the item from another source
    than outsourcing: its own collection, a provision by the organisation, any party
    outside the circle, or a party of the circle passing on such a copy (the copy
    travels like any item, so a sub-outsourcee fed from a member's own data holds
    data that did not come only by outsourcing).

    ``index`` and ``edges`` are the circle's (:class:`_Index`, :func:`_circle_flows`),
    made here when not given.
    """
    if index is None:
        index = _Index(ctx, inside)
    if edges is None:
        edges = _circle_flows((), inside, index)[0]
    return {(node, item): day for node, held in _own_at(ctx, judged, inside, index, edges).items()
            for item, day in held.items()}


def _own_at(ctx, judged, inside, index, edges) -> dict:
    """:func:`_own_since` by entity, then item.

    The copies travel only along the circle's own flows, as items do
    (:func:`lineage.propagation.propagate`: an item held from day ``d`` crosses a
    flow not ended before ``d`` and arrives on the later of ``d`` and its start),
    so no index of every flow is needed.
    """
    own: dict = {}
    org = ctx.org_entity
    for v, received in index.received_by(inside):
        held = None
        for u, f in received:
            if u == v or u in inside:
                continue
            if u == org and judged[f.id].route == "outsourcing":
                continue
            if held is None:
                held = own.setdefault(v, {})
            start = f.start
            for item in f.items:
                if start < held.get(item, _FAR):
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
        for _, start, end, _, to in edges.get(node, _NONE).get(item, ()):
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
