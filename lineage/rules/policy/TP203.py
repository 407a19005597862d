import datetime as dt
import heapq


from ...propagation import propagate
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
        entrusting = list(ctx.judged_flows(judged, "policy")[1].get("outsourcing", ()))
        if not entrusting:
            return
        circles = _circles(ctx, sorted({f.to for f in entrusting}))
        by_circle: dict[frozenset, list] = {}
        for f in entrusting:
            by_circle.setdefault(circles[f.to], []).append(f)
        entity, org = ctx.entity, ctx.org_entity
        index = _Index(ctx, {entity(p) for circle in by_circle for p in circle} - {org})
        best: dict = {}
        for circle, flows in by_circle.items():
            for flow, item, label in _leaving(ctx, judged, circle, flows, index):
                key = (flow.id, item)
                if key not in best or label.rank < best[key][1].rank:
                    best[key] = (flow, label)
        # A flow's place in ID order stands for natural_key(flow.id): the same order.
        rank = index.rank
        # Findings of one item share its items tuple, of one outsourcee its evidence
        # entry: a large check makes a hundred thousand of them.
        items: dict = {}
        named: dict = {}
        new = cls.finding_from
        for (_, item), (flow, label) in sorted(best.items(),
                                               key=lambda kv: (rank[kv[0][0]], kv[0][1])):
            path = (*label.path, flow.id)
            entrust, outsourcee, shown = path[0], label.outsourcee, " > ".join(path)
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
    """The flows the circles' legal entities send and receive, and their places in ID order.

    Made in one pass over the flows (already in ID order) for every circle at
    once, and only of these flows: a large inventory has hundreds of circles,
    or one of tens of thousands of outsourcees, and indexes of every flow by
    provider, by recipient and by place cost more than the check itself.
    """

    def __init__(self, ctx, entities):
        entity = ctx.entity
        # Each party of the entities -> its entity (a party named only in flows is
        # its own legal entity): no look-up per flow for the others.
        of = {p: e for e in entities
              for p in (*ctx.parties_by_entity.get(e, ()), e) if entity(p) == e}
        get = of.get
        sent: dict[str, list] = {}
        received: dict[str, list] = {}
        rank: dict[str, int] = {}
        for n, f in enumerate(ctx.flow_list):
            u = get(f.frm)
            v = get(f.to)
            if u is None and v is None:
                continue
            rank[f.id] = n
            if u is not None:
                got = sent.get(u)
                if got is None:
                    sent[u] = [f]
                else:
                    got.append(f)
            if v is not None:
                # With the sender's entity: what _own_since asks of each.
                pair = (entity(f.frm) if u is None else u, f)
                got = received.get(v)
                if got is None:
                    received[v] = [pair]
                else:
                    got.append(pair)
        #: Flow ID -> its place in ID order, for the flows sent or received here.
        self.rank = rank
        self._sent = sent
        self._received = received

    def sent_by(self, entities) -> list[tuple[str, list]]:
        """(legal entity, the flows it sends in ID order) for each of ``entities``."""
        sent = self._sent
        return [(e, sent[e]) for e in sorted(entities) if e in sent]

    def received_by(self, entities) -> list[tuple[str, list]]:
        """(legal entity, [(sender's entity, flow)] in ID order) for each of ``entities``."""
        received = self._received
        return [(e, received[e]) for e in sorted(entities) if e in received]


def _circle_flows(ctx, circle, inside, index) -> tuple[dict, list, set]:
    """The circle's flows between its legal entities by (sender, item), the flows
    that leave it, and the entities that send anything.

    Only flows the circle sends: the organisation's own are judged by section 5.
    """
    entity = ctx.entity
    edges: dict = {}
    leaving = []
    senders = set()
    for u, sent in index.sent_by(inside):
        senders.add(u)
        for f in sent:
            v = entity(f.to)
            if v in inside:
                if u != v:
                    for item in f.items:
                        got = edges.get((u, item))
                        if got is None:
                            edges[(u, item)] = [f]
                        else:
                            got.append(f)
            elif f.to not in circle:
                leaving.append(f)
    return edges, leaving, senders


def _leaving(ctx, judged, circle, entrusting, index):
    """(flow, item, label) for every item of an entrusting flow that leaves ``circle``.

    Every path counts: a label-setting search keeps, per legal entity and
    item, each arrival not beaten on all of arrival, "clean until" and
    entrusting start. A leaving flow re-provides the item when some label
    has its entrusting flow starting on or before the leaving flow, no other
    source on its way started on or before the leaving flow, and arrived by
    the leaving flow's end.

    The search runs once per circle for all its entrusting and leaving flows.
    Labels are taken from the heap in rank order and only where a flow of the
    circle carries the item on: a label elsewhere has nothing to extend, so it
    is only kept (or beaten) where it lands.
    """
    entity, org = ctx.entity, ctx.org_entity
    inside = {entity(p) for p in circle} - {org}
    edges, leaving, senders = _circle_flows(ctx, circle, inside, index)
    own = _own_since(ctx, judged, inside, index, edges)
    rank = index.rank
    # The entrusting flows' own labels at one (entity, item) share "clean until"
    # and have arrival = entrusting start, so the earliest (then lowest ID) covers
    # every other one whatever the order they are offered in: only it is kept.
    # An entity that sends nothing has nothing to pass on: its labels are not needed.
    seeds: dict = {}
    for e in entrusting:
        node, start = entity(e.to), e.start
        if node not in senders:
            continue
        for item in e.items:
            got = seeds.get((node, item))
            if got is None or start < got.start or (
                    start == got.start and rank[e.id] < rank[got.id]):
                seeds[(node, item)] = e
    # Labels of the (entity, item) the search reaches; elsewhere the seed alone,
    # made into a label only when a leaving flow finds it valid.
    labels: dict = {}

    def seed_label(node, item, e):
        return _Label(e.start, own.get((node, item), _FAR), e.start, (e.id,), e.to,
                      (rank[e.id],))

    def held_at(node, item):
        held = labels.get((node, item))
        if held is None:
            e = seeds.get((node, item))
            held = labels[(node, item)] = [] if e is None else [seed_label(node, item, e)]
        return held

    heap: list = []
    counter = 0
    for node, item in edges:
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
        if (node, item) in edges:
            counter += 1
            heapq.heappush(heap, (label.rank, counter, node, item, label))

    while heap:
        _, _, node, item, label = heapq.heappop(heap)
        if label.dead:
            continue
        for f in edges[(node, item)]:
            if (f.end is not None and f.end < label.arrival) or f.id in label.path:
                continue
            to = entity(f.to)
            offer(to, item, _Label(max(label.arrival, f.start),
                                   min(label.clean_until, own.get((to, item), _FAR)),
                                   label.entrusted, (*label.path, f.id), label.outsourcee,
                                   (*label.rank[2], rank[f.id])))
    for f in leaving:
        route = judged[f.id].route
        if route in _NOT_PROVISION or _exempt(ctx, f):
            continue
        node, start, end = entity(f.frm), f.start, f.end
        # To data subjects, only items that are not their own are provided
        # (ctx.provision's items, without a copy of the flow).
        for item in dict.fromkeys(ctx.foreign_items(f) or f.items):
            held = labels.get((node, item))
            if held is None:
                e = seeds.get((node, item))
                if (e is not None and e.start <= start < own.get((node, item), _FAR)
                        and (end is None or e.start <= end)):
                    yield f, item, seed_label(node, item, e)
                continue
            valid = [label for label in held
                     if label.entrusted <= start < label.clean_until
                     and (end is None or label.arrival <= end)]
            if valid:
                yield f, item, min(valid, key=lambda label: label.rank)


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
    made here when not given: the copies travel only along the circle's own flows,
    so no index of every flow is needed.
    """
    if index is None:
        index = _Index(ctx, inside)
    direct: dict = {}
    org = ctx.org_entity
    for v, received in index.received_by(inside):
        held = None
        for u, f in received:
            if u == v or u in inside:
                continue
            if u == org and judged[f.id].route == "outsourcing":
                continue
            if held is None:
                held = direct.setdefault(v, {})
            for item in f.items:
                if f.start < held.get(item, _FAR):
                    held[item] = f.start
    if not direct:
        return {}
    if edges is None:
        edges = _circle_flows(ctx, (), inside, index)[0]
    # The circle's flows by item, then by sender: propagate's index, of these alone.
    by_item: dict = {}
    for (u, item), flows in edges.items():
        by_item.setdefault(item, {})[u] = flows
    reach = propagate((), direct, index=by_item, flows_by_id=ctx.flows, node=ctx.entity)
    return {(node, item): day for node, held in reach.arrival.items()
            for item, day in held.items()}
