"""TP203's search as it was before it ran per circle with lazy labels (round 3 of issue 14).

Kept verbatim as the test oracle of ``tests/test_reprovision_search.py``: the new
search must give the same findings, paths and messages. It sorts by natural keys
and makes a label for every item of every entrusting flow; slow, and known right.

Example:
    >>> from lineage.rules import engine, examples
    >>> from lineage.rules.context import Context
    >>> ctx = Context(examples.build_example(TP203.fail.inventory))
    >>> judged = {f.id: engine.judge(ctx, f)[0] for f in ctx.inv.flows}
    >>> [f.id for f in findings(ctx, judged)]
    ['TP203:F2:name']
"""

from __future__ import annotations

import datetime as dt
import heapq

from lineage.propagation import propagate
from lineage.rules.policy.TP203 import _NOT_PROVISION, TP203, _circles, _exempt
from lineage.terms import id_key, natural_key


def findings(ctx, judged):
    """TP203.check's findings, by the old search."""
    entrusting = list(ctx.judged_flows(judged, "policy")[1].get("outsourcing", ()))
    if not entrusting:
        return
    circles = _circles(ctx, sorted({f.to for f in entrusting}))
    by_circle: dict[frozenset, list] = {}
    for f in entrusting:
        by_circle.setdefault(circles[f.to], []).append(f)
    index = _Index(ctx)
    best: dict = {}
    for circle, flows in by_circle.items():
        for flow, item, label in _leaving(ctx, judged, circle, flows, index):
            key = (flow.id, item)
            if key not in best or label.rank < best[key][1].rank:
                best[key] = (flow, label)
    for (_, item), (flow, label) in sorted(
            best.items(), key=lambda kv: (natural_key(kv[0][0]), kv[0][1])):
        path = [*label.path, flow.id]
        entrust, outsourcee = path[0], label.outsourcee
        yield TP203.finding(
            flow, subject=item, items=[item],
            evidence={"path": path, "outsourcee": outsourcee},
            message=f"item {item}, entrusted to {outsourcee} by {entrust}, "
                    f"leaves the outsourcing circle to {flow.to} "
                    f"(path {' > '.join(path)})",
            message_ja=f"{entrust} で {outsourcee} に委託した項目 {item} が"
                       f"委託の範囲外の {flow.to} に提供されています"
                       f"(経路 {' > '.join(path)})")


_FAR = dt.date.max


class _Label:
    """One way an entrusted item reached a legal entity of the circle.

    ``arrival`` is when it got there, ``clean_until`` the first day some
    entity on the way held the item from another source (only flows leaving
    before that day carry data that came "only by outsourcing"), ``entrusted``
    the start of the entrusting flow. A label is kept unless another is at
    least as good on all three; ``rank`` breaks ties on flow IDs, so the path
    a finding names does not depend on the order of records.
    """

    __slots__ = ("arrival", "clean_until", "entrusted", "path", "outsourcee", "rank", "dead")

    def __init__(self, arrival, clean_until, entrusted, path, outsourcee, keys=None):
        self.arrival, self.clean_until, self.entrusted = arrival, clean_until, entrusted
        self.path, self.outsourcee = path, outsourcee
        # ``keys``: the path's ID keys, when the caller extends a parent's (cheaper).
        self.rank = (arrival, len(path),
                     keys if keys is not None else tuple(id_key(p) for p in path))
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
    """Flows by sending and receiving legal entity, and each flow's place in ID order.

    Built once per check: a large inventory has hundreds of outsourcing circles,
    and sorting or scanning every flow once per circle took minutes at 15,000 flows.
    """

    def __init__(self, ctx):
        entity = ctx.entity
        ordered = ctx.flow_list  # already in natural ID order
        self.order = {f.id: n for n, f in enumerate(ordered)}
        self.by_sender: dict[str, list] = {}
        self.by_receiver: dict[str, list] = {}
        for f in ordered:
            self.by_sender.setdefault(entity(f.frm), []).append(f)
            self.by_receiver.setdefault(entity(f.to), []).append(f)

    def sent_by(self, entities) -> list:
        """Flows sent by any of ``entities``, in flow-ID order."""
        found = [f for e in entities for f in self.by_sender.get(e, ())]
        return sorted(found, key=lambda f: self.order[f.id])

    def received_by(self, entities) -> list:
        """Flows received by any of ``entities`` (in no particular order)."""
        return [f for e in entities for f in self.by_receiver.get(e, ())]


def _leaving(ctx, judged, circle, entrusting, index):
    """(flow, item, label) for every item of an entrusting flow that leaves ``circle``.

    Every path counts: a label-setting search keeps, per legal entity and
    item, each arrival not beaten on all of arrival, "clean until" and
    entrusting start. A leaving flow re-provides the item when some label
    has its entrusting flow starting on or before the leaving flow, no other
    source on its way started on or before the leaving flow, and arrived by
    the leaving flow's end.
    """
    entity, org = ctx.entity, ctx.org_entity
    inside = {entity(p) for p in circle} - {org}
    own = _own_since(ctx, judged, inside, index)
    edges: dict = {}
    leaving = []
    # Only flows the circle sends: the organisation's own are judged by section 5.
    for f in index.sent_by(inside):
        u, v = entity(f.frm), entity(f.to)
        if v in inside:
            if u != v:
                for item in f.items:
                    edges.setdefault((u, item), []).append(f)
        elif f.to not in circle:
            leaving.append(f)
    labels: dict = {}
    heap: list = []
    counter = 0

    def offer(node, item, label):
        nonlocal counter
        held = labels.setdefault((node, item), [])
        if any(other.covers(label) for other in held):
            return
        for other in held:
            if label.covers(other):
                other.dead = True
        held[:] = [o for o in held if not o.dead]
        held.append(label)
        counter += 1
        heapq.heappush(heap, (label.rank, counter, node, item, label))

    for e in sorted(entrusting, key=lambda f: id_key(f.id)):
        node = entity(e.to)
        for item in e.items:
            offer(node, item, _Label(e.start, own.get((node, item), _FAR), e.start, (e.id,),
                                     e.to))
    while heap:
        _, _, node, item, label = heapq.heappop(heap)
        if label.dead:
            continue
        for f in edges.get((node, item), ()):
            if (f.end is not None and f.end < label.arrival) or f.id in label.path:
                continue
            to = entity(f.to)
            offer(to, item, _Label(max(label.arrival, f.start),
                                   min(label.clean_until, own.get((to, item), _FAR)),
                                   label.entrusted, (*label.path, f.id), label.outsourcee,
                                   (*label.rank[2], id_key(f.id))))
    for f in leaving:
        route = judged[f.id].route
        if route in _NOT_PROVISION or _exempt(ctx, f):
            continue
        node = entity(f.frm)
        # To data subjects, only items that are not their own are provided.
        for item in dict.fromkeys(ctx.provision(f).items):
            valid = [label for label in labels.get((node, item), ())
                     if label.entrusted <= f.start < label.clean_until
                     and (f.end is None or label.arrival <= f.end)]
            if valid:
                yield f, item, min(valid, key=lambda label: label.rank)


def _own_since(ctx, judged, inside, index=None) -> dict:
    """(legal entity, item) -> the first day it holds the item from another source
    than outsourcing: its own collection, a provision by the organisation, any party
    outside the circle, or a party of the circle passing on such a copy (the copy
    travels like any item, so a sub-outsourcee fed from a member's own data holds
    data that did not come only by outsourcing).
    """
    direct: dict = {}
    entity, org = ctx.entity, ctx.org_entity
    for f in (index or _Index(ctx)).received_by(inside):
        u, v = entity(f.frm), entity(f.to)
        if v not in inside or u == v or u in inside:
            continue
        if u == org and judged[f.id].route == "outsourcing":
            continue
        if f.storage_only:  # no provision: the recipient never handles the data
            continue
        held = direct.setdefault(v, {})
        for item in f.items:
            if f.start < held.get(item, _FAR):
                held[item] = f.start
    if not direct:
        return {}
    reach = propagate(ctx.flow_list, direct, index=ctx.entity_index, flows_by_id=ctx.flows,
                      node=entity,
                      allow=lambda f: entity(f.frm) in inside and entity(f.to) in inside)
    return {(node, item): day for node, held in reach.arrival.items()
            for item, day in held.items()}
