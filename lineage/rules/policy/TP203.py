import datetime as dt
import heapq
import operator
from itertools import compress, count
from operator import and_, ne, not_, or_, truth

from ..base import Example, Rule, finding_maker
from ..clauses import Clause
# Day numbers and the entrusting flows' columns are shared with TP202.
from ..entrusting import LAST_DAY as _LAST, Days as _Days, entrusted

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
    item on the path (a collection, a provision from outside; a storage-only flow
    is none) counts when it started on or before the leaving flow. Flows that are no provision
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
    when_ja = ("組織から委託によってのみ委託先に届いた項目が、組織・その委託先・契約の再委託先 "
               "(sub_outsourcing) に記載された当事者(何段階でも)の範囲の外へ、"
               "委託のフローの開始日以後に開始するフローで出ていく(再提供)。"
               "送り手はその範囲の当事者で組織自身ではなく(組織に返されたデータは組織のものに戻る)、"
               "「委託によってのみ」は出ていくフローの開始日で判断し(その日以前に始まった別の入手元"
               "があれば対象外。保管のみのフローは入手元に当たらない)、法人をたどるすべての経路を数える。提供に当たらないフロー(保管のみ、"
               "クッキー・IP アドレス情報だけ)、受け取る本人自身のデータ、"
               "正当な例外(法令に基づく提供、生命・財産の保護、公衆衛生、国の機関等への協力)"
               "のあるフローには指摘しない。")
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
        # What the check reads of the entrusting flows, in one sweep (the
        # outsourcees, then the seeds of the search): each is reached once.
        columns = entrusted(ctx, judged)[:4]
        circles = _circles(ctx, sorted(set(columns[3])))
        distinct = set(circles.values())
        entity, org = ctx.entity, ctx.org_entity
        entities = {entity(p) for circle in distinct for p in circle} - {org}
        index = _Index(ctx, entities, entrusting, columns)
        made = _Findings(cls, index)
        if len(distinct) == 1:
            # One circle (a ring, or one outsourcee): all the index holds is its
            # own, and each leaving flow comes once, in order, its items sorted:
            # no best to choose, and its findings are made while it was just read.
            for n, flow, hits in _leaving(ctx, judged, next(iter(distinct)),
                                          index.entrusting, index, inside=entities):
                yield from made(flow, hits)
            return
        places, ents, seeds = index.entrusting
        tos = index.tos
        by_circle: dict[frozenset, list] = {}
        for k, n in enumerate(places):
            by_circle.setdefault(circles[tos[n]], []).append(k)
        # (place, item) -> (flow, hit) of the best way found, over every circle.
        best: dict = {}
        for circle, ks in by_circle.items():
            rows = (list(map(places.__getitem__, ks)), list(map(ents.__getitem__, ks)),
                    list(map(seeds.__getitem__, ks)))
            for n, flow, hits in _leaving(ctx, judged, circle, rows, index):
                for hit in hits:
                    key = (n, hit[0])
                    got = best.get(key)
                    if got is None or hit[1] < got[1][1]:
                        best[key] = (flow, hit)
        # By (place, item): never equal, so nothing further is compared. The hits
        # of one flow, in item order, make its findings.
        last, hits = None, []
        for key in sorted(best):
            flow, hit = best[key]
            if flow is not last:
                if hits:
                    yield from made(last, hits)
                last, hits = flow, []
            hits.append(hit)
        if hits:
            yield from made(last, hits)


_TO, _FRM = operator.attrgetter("to"), operator.attrgetter("frm")
_START, _ITEMS = operator.attrgetter("start"), operator.attrgetter("items")
_ID = operator.attrgetter("id")
_STORED = operator.attrgetter("storage_only")
#: What the leaving test reads of a flow, in one call.
_LEAVING_FIELDS = operator.attrgetter("basis", "exemption", "start", "end", "to", "items")
#: A search bucket is (arrival << _SHIFT | path length): paths have fewer flows.
_SHIFT = 32
_FIRST = operator.itemgetter(0)
_NONE: dict = {}  # never changed


class _Findings:
    """Makes the findings of one leaving flow from its hits, as
    :meth:`Rule.finding_from` makes them: ``made(flow, hits)`` with ``hits`` the
    (item, label's rank, entrusting flow's seed) of the flow, in item order.

    Findings of one item share its items tuple, of one outsourcee its evidence
    entry, and the items of one flow that came the same way (from one
    entrusting flow) their path and evidence: a large check makes a hundred
    thousand of them. A path is kept as its flows' places during the search;
    their IDs are those the seeds and the circle's flows read
    (:attr:`_Index.ids`): no flow read long before is reached for again.
    """

    def __init__(self, rule, index):
        self.ids = index.ids
        self.make = finding_maker(rule)
        self.prefix = rule.id + ":"
        self.items: dict = {}
        self.named: dict = {}

    def __call__(self, flow, hits) -> list:
        """The findings of ``flow``, in the order of ``hits``."""
        ids, items, named, make = self.ids, self.items, self.named, self.make
        fid, frm, to = flow.id, flow.frm, flow.to
        prefix = f"{self.prefix}{fid}:"  # the findings' IDs, but for the item
        out = []
        last = None  # the places of the hit before
        for item, rank, seed in hits:
            keys = rank[2]
            if keys != last:
                entrust, outsourcee = seed[3], seed[4]
                if len(keys) == 1:
                    path = (entrust, fid)
                else:
                    path = (entrust, *map(ids.__getitem__, keys[1:]), fid)
                shown = " > ".join(path)
                pair = named.get(outsourcee)
                if pair is None:
                    pair = named[outsourcee] = ("outsourcee", outsourcee)
                # The evidence as Rule.finding makes it: its entries sorted by key.
                evidence = (pair, ("path", path))
                last = keys
            one = items.get(item)
            if one is None:
                one = items[item] = (item,)
            out.append(make(fid, frm, to, item, one, evidence,
                            f"item {item}, entrusted to {outsourcee} by {entrust}, "
                            f"leaves the outsourcing circle to {to} (path {shown})",
                            f"{entrust} で {outsourcee} に委託した項目 {item} が"
                            f"委託の範囲外の {to} に提供されています(経路 {shown})",
                            f"{prefix}{item}"))
        return out


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

    def __init__(self, ctx, entities, entrusting=(), columns=None):
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
        received = list(map(flows.__getitem__, places))
        flags = _in_order(received, entrusting)
        if flags is None:  # by identity: no look-up by flow ID per flow
            marked = set(map(id, entrusting))
            flags = list(map(marked.__contains__, map(id, received)))
            columns = None
        # A storage-only flow is no provision (rules.md step 3): its recipient never
        # handles the data, so they give it no copy of its own (audit of round 15:
        # a backup kept at the outsourcee hid every re-provision of its items).
        stored = list(map(_STORED, received))
        del received
        e_places = list(compress(places, flags))
        days = self.days = _Days()  # the flows' dates as day numbers, each made once
        if columns is None:  # read now, in ID order
            entrusted = list(map(flows.__getitem__, e_places))
            columns = (map(_START, entrusted), map(_ITEMS, entrusted), map(_ID, entrusted),
                       map(_TO, entrusted))
        starts, items, ids, tos_e = columns
        e_ents = list(compress(ents, flags))
        #: The entrusting flows the entities receive: (places, recipients'
        #: entities, seeds: (start's day number, place, items, ID, recipient)),
        #: in ID order.
        self.entrusting = (e_places, e_ents, list(zip(map(days.__getitem__, starts), e_places,
                                                      items, ids, tos_e)))
        # The others they receive, and entrusting flows not from the organisation:
        # the organisation's outsourcing is no other source.
        from_org = {p for p in (*ctx.parties_by_entity.get(org, ()), org) if entity(p) == org}
        outside = list(map(not_, map(from_org.__contains__, map(frms.__getitem__, e_places))))
        others = list(map(not_, map(or_, flags, stored)))
        #: (places, recipients' entities) of the flows received from another
        #: source than the organisation's outsourcing, in no particular order.
        self.received = (list(compress(places, others)) + list(compress(e_places, outside)),
                         list(compress(ents, others)) + list(compress(e_ents, outside)))
        self._groups: dict | None = None
        #: Place -> ID of the circles' own flows (:func:`_circle_flows`), for paths.
        self.ids: dict = {}

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
    days as day numbers; their IDs go to :attr:`_Index.ids`); the
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
    flows, ids, days = index.flows, index.ids, index.days
    edges: dict = {}
    for n, u, v in compress(zip(places, us, vs), map(and_, inner, map(ne, us, vs))):
        f = flows[n]
        ids[n] = f.id  # for a path that takes it, read while the flow is at hand
        out = edges.get(u)
        if out is None:
            out = edges[u] = {}
        end = f.end
        edge = (n, days[f.start], None if end is None else days[end], v)
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


def _seeds(rows, senders) -> dict:
    """Entity -> item -> the seed (start's day number, place, items, ID, recipient) of
    the earliest (then lowest-ID) entrusting flow in ``rows`` bringing it the item,
    for the entities in ``senders``. ``rows`` are (places, recipients' entities,
    seeds) in ID order, as :attr:`_Index.entrusting` gives them: the seeds were read
    in one sweep with the ID and recipient (the outsourcee a finding names), so
    no flow read long before is reached for again (at a million flows, a
    microsecond each).

    The entrusting flows' own labels at one (entity, item) share "clean until"
    and have arrival = entrusting start, so the earliest covers every other one
    whatever the order they are offered in: only it is kept. An entity that
    sends nothing has nothing to pass on: its labels are not needed.
    """
    _, ents, rows = rows
    flags = list(map(senders.__contains__, ents))
    by: dict = {}
    for v, seed in zip(compress(ents, flags), compress(rows, flags)):
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


def _in_order(received, entrusting) -> list | None:
    """Whether each of ``received`` is one of ``entrusting``, by one merge of the two
    in order (flows in ID order, compared by identity); None when ``entrusting``
    is not a part of ``received`` in the same order (then only a set tells).

    The engine gives the entrusting flows in inventory order: a large inventory
    lists its flows in ID order, and the merge reads no flow (a set of their
    identities is a reach into a large table per flow).

    Example:
        >>> a, b, c = object(), object(), object()
        >>> _in_order([a, b, c], [a, c]), _in_order([a, b, c], [c, a]), _in_order([a], [b])
        ([True, False, True], None, None)
    """
    them = iter(entrusting)
    wanted = next(them, None)
    flags = []
    put = flags.append
    for flow in received:
        if flow is wanted:
            put(True)
            wanted = next(them, None)
        else:
            put(False)
    return flags if wanted is None else None


def _search(edges, seeds, own) -> dict:
    """Entity -> item -> the labels kept there (a list): each way an entrusted item
    reached the entity not beaten on all of arrival, "clean until" and entrusting
    start; or, where no label was offered, the entity's seed (a tuple, as
    :func:`_seeds` gives it) standing alone: the leaving flows read it without a
    label. Made in ``seeds`` itself: one dict per entity, so a look-up of an
    (entity, item) finds either at once.

    A label is a list ``[rank, clean_until, entrusted, alive, seed]`` (days as
    day numbers): ``rank`` is
    ``(arrival, length, places)``, the places of the path's flows (the first
    the entrusting flow); ``clean_until`` the first day some entity on the way
    held the item from another source (only flows leaving before that day carry
    data that came "only by outsourcing"); ``entrusted`` the start of the
    entrusting flow; ``seed`` the entrusting flow's seed (its ID and recipient,
    for a finding). A label is kept unless another is at least as good on all
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
            label = [rank, owned.get(item, _LAST), seed[0], True, seed]
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
            # The label extended by each flow of the circle carrying the item on
            # from the node (a step written out here: tens of thousands of them).
            arrival, length, keys = label[0]
            clean, entrusted, seed = label[1], label[2], label[4]
            length += 1
            for n, start, end, to in edges[node][item]:
                if (end is not None and end < arrival) or n in keys:
                    continue
                at = seeds.get(to)
                if at is None:
                    at = seeds[to] = {}
                held = at.get(item)
                owned = own.get(to, _NONE).get(item, _LAST)
                if held is None:
                    held = at[item] = []
                elif type(held) is tuple:  # the seed alone: its label, now that one comes
                    held = at[item] = [[(held[0], 1, (held[1],)), owned, held[0], True, held]]
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
                    new = [new_rank, c, entrusted, True, seed]
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
                        got = buckets.get(bucket)
                        if got is None:
                            buckets[bucket] = [(new_rank[2], to, item, new)]
                            heapq.heappush(turns, bucket)
                        else:
                            got.append((new_rank[2], to, item, new))
    return seeds


def _leaving(ctx, judged, circle, entrusting, index, inside=None):
    """Every leaving flow that re-provides items of an entrusting flow as it
    leaves ``circle``, with the best way each came.

    ``entrusting`` are the circle's entrusting flows as :attr:`_Index.entrusting`
    gives them ((places, recipients' entities, seeds) in ID order); ``inside``: the
    circle's legal entities when the circle is all the index holds (None: any
    circle). Gives (place, flow, hits) in order of place, ``hits`` the flow's
    (item, label's rank, entrusting flow's seed) in order of item. Every path counts: a label-setting
    search (:func:`_search`) keeps, per legal entity and item, each arrival not
    beaten on all of arrival, "clean until" and entrusting start. A leaving
    flow re-provides the item when some label has its entrusting flow starting
    on or before the leaving flow, no other source on its way started on or
    before the leaving flow, and arrived by the leaving flow's end.

    The search runs once per circle for all its entrusting and leaving flows.
    """
    whole = inside is not None
    if not whole:
        inside = {ctx.entity(p) for p in circle} - {ctx.org_entity}
    edges, leaving, senders = _circle_flows(circle, inside, index, whole)
    own = _own_at(ctx, inside, index, edges, whole)
    labels = _search(edges, _seeds(entrusting, senders), own)
    flows, foreign, days = index.flows, ctx.foreign_items, index.days
    # ctx.foreign_items' own first tests: only flows to data subjects have items
    # of the recipients' own, and a recipient no party record names is refused
    # (its KeyError). A set at hand, not a look-up among every party per flow.
    subjects, parties = ctx._subjects, ctx.parties
    # The flows whose route is no provision, by identity: few, found in the
    # engine's flows by route, and no look-up of each leaving flow's judgement.
    by_route = ctx.judged_flows(judged, "policy")[1]
    skip = {id(f) for route in _NOT_PROVISION for f in by_route.get(route, ())}
    for n, node in leaving:
        f = flows[n]
        if id(f) in skip:
            continue
        basis, exemption, start, end, to, items = _LEAVING_FIELDS(f)
        # Only a flow with an exemption of its own is evaluated (_exempt's test).
        if ((basis in _EXEMPTIONS if basis is not None else exemption is not None)
                and _exempt(ctx, f)):
            continue
        start = days[start]
        if end is not None:
            end = days[end]
        at, owned = labels.get(node, _NONE), own.get(node, _NONE)
        if to in subjects or to not in parties:
            # To data subjects, only items that are not their own are provided
            # (ctx.provision's items, without a copy of the flow).
            items = foreign(f) or items
        hits = None
        for item in dict.fromkeys(items):
            held = at.get(item)
            if held is None:
                continue
            if type(held) is tuple:  # the seed alone
                day = held[0]
                if day <= start < owned.get(item, _LAST) and (end is None or day <= end):
                    # The seed's label, without making it.
                    hit = (item, (day, 1, (held[1],)), held)
                else:
                    continue
            else:
                best = None
                for label in held:
                    rank = label[0]
                    if (label[2] <= start < label[1] and (end is None or rank[0] <= end)
                            and (best is None or rank < best[0])):
                        best = label
                if best is None:
                    continue
                hit = (item, best[0], best[4])
            if hits is None:
                hits = [hit]
            else:
                hits.append(hit)
        if hits is not None:
            if len(hits) > 1:
                hits.sort(key=_FIRST)  # by item: never equal
            yield n, f, hits


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
    # The parties of one legal entity share one list of its contracts (Context): its
    # sub-outsourcees are gathered once per list, not once per party (a company of
    # thousands of branches, each with a contract, was quadratic).
    subs_of: dict[int, list] = {}
    for party, contracts in ctx.contracts_by_party.items():
        subs = subs_of.get(id(contracts))
        if subs is None:
            subs = subs_of[id(contracts)] = [p for c in contracts for p in c.sub_outsourcing]
        succ[party] = subs
    base = frozenset(ctx.parties_by_entity[ctx.org_entity])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    group_of: dict[str, int] = {}
    circles: list[frozenset] = []
    made: dict = {}  # (entities, circles reached) -> their circle
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
                    # Groups of the same legal entities reaching the same circles have
                    # one circle, made once: a company's thousands of branches, each its
                    # own group, would each hold a copy of all of them (quadratic).
                    key = (frozenset(map(ctx.entity, members)),
                           frozenset(group_of[child] for member in members
                                     for child in succ.get(member, ())
                                     if group_of[child] != number))
                    circle = made.get(key)
                    if circle is None:
                        parties = set(base)
                        for member in members:
                            parties.update(ctx.parties_by_entity.get(ctx.entity(member),
                                                                     [member]))
                        for child in key[1]:
                            parties |= circles[child]
                        circle = made[key] = frozenset(parties)
                    circles.append(circle)
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
    frms, flows, days = index.frms, index.flows, index.days
    for n, v in zip(places, ents):
        u = entity(frms[n])
        if u == v or u in inside:
            continue
        f = flows[n]
        held = own.get(v)
        if held is None:
            held = own[v] = {}
        start = days[f.start]
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
