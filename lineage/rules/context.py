"""Indexes over an inventory, built once per check so no rule scans per flow.

Example:
    >>> from lineage.model import load
    >>> ctx = Context(load("inventories/monocollabo"))
    >>> ctx.is_org("monocollabo")
    True
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import cached_property
from itertools import chain, compress, repeat
from operator import attrgetter, eq

from ..model.schema import Flow, Inventory, optional_date
from ..propagation import Reach, item_index, out_index, propagate
from ..terms import natural_sorted
from .packs import judges

__all__ = ["Context", "DAY", "add_days"]

DAY = dt.timedelta(days=1)


def add_days(day: dt.date, days: int) -> dt.date:
    """``day`` plus ``days``, held at ``date.max``/``date.min`` instead of overflowing.

    An inventory may say ``ends_on: 9999-12-31`` ("no end"); the day after it,
    or 30 days after a request received in 9999, is still "later than anything".

    Example:
        >>> add_days(dt.date(2026, 1, 31), 1), add_days(dt.date.max, 30)
        (datetime.date(2026, 2, 1), datetime.date(9999, 12, 31))
        >>> add_days(dt.date.min, -1)
        datetime.date(1, 1, 1)
    """
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max if days > 0 else dt.date.min


class Context:
    """Everything a rule may look up, indexed by the keys rules use.

    Example:
        >>> from lineage.rules.examples import build_example
        >>> ctx = Context(build_example(""))
        >>> ctx.org, ctx.as_of, sorted(ctx.flows)
        ('mc', datetime.date(2026, 11, 1), ['C1'])
    """

    def __init__(self, inventory: Inventory, as_of: dt.date | None = None):

        as_of = optional_date(as_of)  # a date or ISO text (2026-04-01)
        self.inv = inventory
        # Indexes hold records in ID order, never input order: a report must not
        # depend on how records happen to be ordered or split into files.
        # The flows' IDs read once, for their index and their order.
        ids = list(map(attrgetter("id"), inventory.flows))
        flows = natural_sorted(inventory.flows, ids=ids)
        consents = _by_id(inventory.consents)
        contracts = _by_id(inventory.contracts)
        notices = _by_id(inventory.notices)
        events = _by_id(inventory.events)
        stops = _by_id(inventory.stop_requests)
        self.flow_list = flows
        self.as_of = as_of or inventory.as_of or dt.date.today()
        # A hundred thousand parties: each field read once, the tables built in C.
        parties = inventory.parties
        party_ids = list(map(attrgetter("id"), parties))
        entities = list(map(attrgetter("entity"), parties))
        self.parties = dict(zip(party_ids, parties))
        self._entity = dict(zip(party_ids, entities))
        by_entity: dict[str, list] = {}
        for party, entity in zip(party_ids, entities):
            got = by_entity.get(entity)
            if got is None:
                by_entity[entity] = [party]
            else:
                got.append(party)
        self.parties_by_entity = by_entity
        # Party -> its names (names()), worked out for the parties asked only.
        self._names: dict[str, frozenset] = {}
        self.org = inventory.organisation
        self.org_entity = self.parties[self.org].entity
        # The parties whose (last) record puts them in the organisation's entity.
        self._org_parties = {p for p in by_entity.get(self.org_entity, ())
                             if self._entity[p] == self.org_entity}
        self._subjects = frozenset(compress(self.parties, map(
            eq, map(attrgetter("role"), self.parties.values()), repeat("data_subject"))))
        self.items = ({i.id: i for i in inventory.data_items}
                      if inventory.data_items is not None else None)
        self.purposes = {p.id: p for p in inventory.purposes or []}
        self._linkable = frozenset(i for i, it in (self.items or {}).items()
                                   if it.kind == "linkable")
        # Built in C, not a Python step per flow (the last of an ID wins, as before).
        self.flows = dict(zip(ids, inventory.flows))
        del ids
        self.consents = {c.id: c for c in inventory.consents}
        self.notices = {n.id: n for n in inventory.notices}
        self.contracts = {c.id: c for c in inventory.contracts}
        self.events = {e.id: e for e in inventory.events}
        self.consents_by_subject = _group(consents, lambda c: c.subjects)
        self.contracts_by_party = _entity_contracts(contracts, self._entity, by_entity)
        self.optout_notices = [n for n in notices if n.kind == "opt_out"]
        self.joint_notices = [n for n in notices if n.kind == "joint_use"]
        self.events_by_pair = _group(
            events,
            lambda e: (self.entity(e.frm), self.entity(e.to)))
        self.stops_by_flow = _group([s for s in stops if s.flow],
                                    lambda s: s.flow)
        self.stops_by_notice = _group([s for s in stops if s.notice],
                                      lambda s: s.notice)
        self._consent_sets: dict[str, tuple] = {}
        self._notice_sets: dict[str, tuple] = {}
        self._consent_terms: dict[str, int] = {}
        self._terms: dict[tuple, int] = {}
        self._defined: dict[str, list] = {}
        self._holdings: dict[str, dict] = {}  # legal entity -> item -> [(arrival, group)]
        self._summary_of: dict[str, dict] = {}  # party -> _holdings_summary(party)
        self._items_groups: dict[tuple, tuple] = {}  # (summary's id, *items) -> items_groups
        self._foreign: dict[str, list] = {}
        self._provisions: dict[str, Flow] = {}
        self._consent_index: dict[tuple, list] = {}
        for c in consents:
            for recipient in dict.fromkeys(c.recipients):
                self._consent_index.setdefault((c.subjects, recipient), []).append(c)
        self._joint_index: dict[str, list] = {}
        for n in self.joint_notices:
            for member in dict.fromkeys(n.members or ()):
                self._joint_index.setdefault(member, []).append(n)
        self._judged_flows: dict[str, tuple] = {}
        #: Per-check caches of the rules, each keyed by a tuple that starts with
        #: the rule's or route's name and holds everything the value depends on.
        self.memo: dict[tuple, object] = {}

    # Flows by provider and by recipient: only some rules and lineage queries ask,
    # so built on first use (two indexes over every flow).
    @cached_property
    def out(self) -> dict[str, list[Flow]]:
        """Flows by provider, in ID order.

        Example:
            >>> from lineage.rules.examples import build_example
            >>> [f.id for f in Context(build_example("")).out["customers"]]
            ['C1']
        """
        return out_index(self.flow_list)

    @cached_property
    def inbound(self) -> dict[str, list[Flow]]:
        """Flows by recipient, in ID order.

        Example:
            >>> from lineage.rules.examples import build_example
            >>> [f.id for f in Context(build_example("")).inbound["mc"]]
            ['C1']
        """
        return _group(self.flow_list, lambda f: f.to)

    # -- parties ---------------------------------------------------------------
    def entity(self, party: str) -> str:
        """The legal entity of ``party``.

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example("{parties: [{id: ops, legal_entity: mc}]}"))
            >>> ctx.entity("ops"), ctx.entity("carrier")
            ('mc', 'carrier')
        """
        return self._entity.get(party, party)

    def is_org(self, party: str) -> bool:
        """Whether ``party`` belongs to the organisation's legal entity.

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example("{parties: [{id: ops, legal_entity: mc}]}"))
            >>> ctx.is_org("ops"), ctx.is_org("partner")
            (True, False)
        """
        return party in self._org_parties

    def contracts_for(self, party: str, named: str | None = None) -> list:
        """The outsourcing contracts binding ``party``'s legal entity, in ID order; only
        the contract ``named`` (a flow's ``contract``) when given, or none when that one
        binds another entity.

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example("{contracts: [{id: K1, party: carrier, "
            ...     "signed_on: 2024-01-01, no_leak: true, no_re_provision: true}]}"))
            >>> [c.id for c in ctx.contracts_for("carrier")], ctx.contracts_for("carrier", "K9")
            (['K1'], [])
        """
        if named is None:
            return self.contracts_by_party.get(party, [])
        contract = self.contracts.get(named)
        if contract is None or self.entity(contract.party) != self.entity(party):
            return []
        return [contract]

    def role(self, party: str) -> str:
        """The declared role of ``party``.

        Example:
            >>> from lineage.rules.examples import build_example
            >>> Context(build_example("")).role("carrier")
            'outsourcee'
        """
        return self.parties[party].role

    def names(self, party: str) -> frozenset[str]:
        """What a consent or notice may list to name ``party``: the IDs of the parties
        of its legal entity and their groups.

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example("{parties: [{id: ops, legal_entity: mc}, "
            ...     "{id: pb, legal_entity: partner}]}"))
            >>> sorted(ctx.names("ops")), sorted(ctx.names("pb"))
            (['mc', 'ops'], ['partner', 'partners', 'pb'])
        """
        got = self._names.get(party)
        if got is None:
            # The same for every party of the entity: one set per legal entity, not
            # per party (a company of thousands of branches would hold thousands each).
            entity = self.parties[party].entity  # an unknown party: KeyError, as ever
            got = self._names.get(("entity", entity))
            if got is None:
                got = self._names[("entity", entity)] = self.party_names(party)
            self._names[party] = got
        return got

    def party_names(self, party: str) -> frozenset[str]:
        """:meth:`names`, worked out afresh (``names`` keeps it for the next call).

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example("{parties: [{id: ops, legal_entity: mc}]}"))
            >>> ctx.party_names("ops") == ctx.names("ops")
            True
        """
        # A consent or notice naming a company covers its departments too, by ID
        # or by a group of any of them: third parties are judged per legal entity
        # (glossary; the audit of round 14: a branch of a company in the group a
        # consent names was not covered, though one naming the company's ID was).
        p = self.parties[party]  # an unknown party: KeyError, as ever
        members = self.parties_by_entity[p.entity]
        parties = self.parties
        return frozenset((*members, *chain.from_iterable(parties[m].groups
                                                         for m in members)))

    # -- items and purposes ----------------------------------------------------
    def item_kind(self, item: str) -> str:
        """``personal``, ``sensitive`` or ``linkable`` (absent data_items: personal).

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example(""))
            >>> ctx.item_kind("cookie"), ctx.item_kind("name"), ctx.item_kind("undefined")
            ('linkable', 'personal', 'personal')
        """
        if self.items is None:
            return "personal"
        it = self.items.get(item)
        return it.kind if it is not None else "personal"

    def linkable(self, flow: Flow) -> list[str]:
        """The flow's linkable items (cookie IDs, IP addresses).

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example(""))
            >>> ctx.linkable(ctx.flows["C1"])
            ['cookie']
        """
        linkable = self._linkable  # the items item_kind() calls linkable
        return [i for i in flow.items if i in linkable]

    def personal(self, flow: Flow) -> list[str]:
        """The flow's personal and sensitive items.

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example(""))
            >>> ctx.personal(ctx.flows["C1"])
            ['name', 'email', 'phone']
        """
        return [i for i in flow.items if self.item_kind(i) != "linkable"]

    def has_personal(self, flow: Flow) -> bool:
        """Whether the flow carries a personal or sensitive item: ``bool(personal(flow))``.

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example("{flows: [{id: F1, from: mc, to: partner, "
            ...     "items: [cookie], start: 2025-01-01}]}"))
            >>> ctx.has_personal(ctx.flows["F1"]), ctx.has_personal(ctx.flows["C1"])
            (False, True)
        """
        return not self._linkable.issuperset(flow.items)

    @cached_property
    def flows_with_linkable(self) -> list[Flow]:
        """The flows carrying a linkable item, in inventory order.

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example("{flows: [{id: F1, from: mc, to: partner, "
            ...     "items: [name], start: 2025-01-01}]}"))
            >>> [f.id for f in ctx.flows_with_linkable]
            ['C1']
        """
        linkable = self._linkable
        return [f for f in self.inv.flows if not linkable.isdisjoint(f.items)]

    def defined_purposes(self, flow: Flow) -> list[str]:
        """Purposes of the flow that the inventory defines (others are TP402 only).

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example("{flows: [{id: F1, from: mc, to: partner, "
            ...     "items: [name], purposes: [ads, profiling], start: 2025-01-01}]}"))
            >>> ctx.defined_purposes(ctx.flows["F1"])
            ['ads']
        """
        purposes = self.purposes
        for p in flow.purposes:
            if p not in purposes:
                break
        else:
            # Every purpose defined (nearly every flow): the flow's own list, not a
            # copy per flow. Callers only read it.
            return flow.purposes
        got = self._defined.get(flow.id)
        if got is None:
            got = self._defined[flow.id] = [p for p in flow.purposes if p in purposes]
        return got

    def announced(self, purpose: str, on: dt.date) -> bool:
        """Whether ``purpose`` was announced on or before ``on``.

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example(""))
            >>> ctx.purposes["newsvc"].announced_on
            datetime.date(2025, 6, 1)
            >>> ctx.announced("newsvc", dt.date(2025, 5, 31)), ctx.announced("newsvc", dt.date.max)
            (False, True)
        """
        p = self.purposes.get(purpose)
        return p is not None and p.announced_on is not None and p.announced_on <= on

    def joint_notices_listing(self, names) -> list:
        """Joint-use notices whose members include one of ``names``.

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example(
            ...     "{notices: [{id: J1, kind: joint_use, members: [mc, group-co]}]}"))
            >>> [n.id for n in ctx.joint_notices_listing({"group-co"})]
            ['J1']
            >>> ctx.joint_notices_listing({"partner"})
            []
        """
        out: dict = {}
        for name in names:
            for n in self._joint_index.get(name, ()):
                out[n.id] = n
        return list(out.values())

    def consents_naming(self, group: str, names: set[str]) -> list:
        """Consents of ``group`` whose recipients include one of ``names``.

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example("{consents: [{id: K1, subjects: customers, "
            ...     "recipients: [partners], items: [name], obtained_on: 2024-12-01}]}"))
            >>> [c.id for c in ctx.consents_naming("customers", ctx.names("partner"))]
            ['K1']
        """
        out: dict = {}
        for name in names:
            for c in self._consent_index.get((group, name), ()):
                out[c.id] = c
        return list(out.values())

    def consent_words(self, flow: Flow, consent) -> tuple[str, str]:
        """How a message names ``consent`` (English, Japanese): with its data-subject
        group when ``flow`` carries data of more than one group, for then the consent
        reported may be another group's than the one the reader has in mind.

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example("{parties: [{id: members, role: data_subject}], "
            ...     "consents: [{id: K1, subjects: members, recipients: [partner], items: [name], "
            ...     "obtained_on: 2024-01-01}], flows: [{id: M1, from: members, to: mc, "
            ...     "items: [name], start: 2024-01-01}, {id: F1, from: mc, to: partner, "
            ...     "items: [name], start: 2025-01-01}, {id: F2, from: mc, to: partner, "
            ...     "items: [email], start: 2025-01-01}]}"))
            >>> ctx.consent_words(ctx.flows["F1"], ctx.consents["K1"])
            ('consent K1 of members', 'members の同意 K1')
            >>> ctx.consent_words(ctx.flows["F2"], ctx.consents["K1"])
            ('consent K1', '同意 K1')
        """
        if consent.subjects and len(self.groups_key(flow)) > 1:
            return (f"consent {consent.id} of {consent.subjects}",
                    f"{consent.subjects} の同意 {consent.id}")
        return f"consent {consent.id}", f"同意 {consent.id}"

    def consent_sets(self, consent) -> tuple[frozenset, frozenset]:
        """The consent's items and purposes as sets (cached: checked per flow).

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example("{consents: [{id: K1, subjects: customers, "
            ...     "recipients: [partners], items: [name], obtained_on: 2024-12-01}]}"))
            >>> ctx.consent_sets(ctx.consents["K1"])
            (frozenset({'name'}), frozenset())
        """
        got = self._consent_sets.get(consent.id)
        if got is None:
            got = self._consent_sets[consent.id] = (frozenset(consent.items),
                                                    frozenset(consent.purposes))
        return got

    def judged_flows(self, judged: dict, pack: str) -> tuple[list, dict[str, list]]:
        """The flows ``pack`` judges, in inventory order, and the same by route.

        ``judged`` maps flow IDs to their judgements. Built once per ``judged``:
        each rule of the law pack walks these lists instead of every flow.

        Example:
            >>> from lineage.rules import engine
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example("{flows: [{id: F1, from: mc, to: partner, "
            ...     "items: [name], start: 2020-01-01, end: 2022-03-31}]}"))
            >>> judged = {f.id: engine.judge(ctx, f)[0] for f in ctx.inv.flows}
            >>> flows, by_route = ctx.judged_flows(judged, "appi")
            >>> [f.id for f in flows], {k: [f.id for f in v] for k, v in by_route.items()}
            (['C1'], {'collection': ['C1']})
        """
        got = self._judged_flows.get(pack)
        if got is None or got[0] is not judged:
            noted = self._judged_flows.get(None)
            if noted is not None and noted[0] is judged:
                # The engine's flows by route: those the pack judges, in the same order.
                if pack == "policy":  # every flow (packs.judges)
                    flows, by_route = self.inv.flows, noted[1]
                else:
                    flows = [f for f in self.inv.flows if judges(pack, f, self.as_of)]
                    by_route = {}
                    for route, some in noted[1].items():
                        mine = [f for f in some if judges(pack, f, self.as_of)]
                        if mine:
                            by_route[route] = mine
            else:
                flows = [f for f in self.inv.flows if judges(pack, f, self.as_of)]
                by_route = {}
                for f in flows:
                    by_route.setdefault(judged[f.id].route, []).append(f)
            got = self._judged_flows[pack] = (judged, flows, by_route)
        return got[1], got[2]

    def note_routes(self, judged: dict, by_route: dict) -> None:
        """Keep the engine's flows by route (every flow of the inventory, each
        route's in inventory order) for :meth:`judged_flows` of ``judged``.

        Example:
            >>> from lineage.rules import engine
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example(""))
            >>> judged, _, by_route = engine.judge_all(ctx, ctx.inv.flows)
            >>> ctx.note_routes(judged, by_route)
            >>> [f.id for f in ctx.judged_flows(judged, "policy")[1]["collection"]]
            ['C1']
        """
        self._judged_flows[None] = (judged, by_route)

    def consent_terms(self, consent) -> int:
        """A number for the consent's terms: its items, purposes, and the dates it
        was obtained and withdrawn. Consents with equal terms get one number, so a
        rule can judge a flow once for all of them (the recipients and subjects
        are not terms here).

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example("{consents: ["
            ...     "{id: K1, subjects: customers, recipients: [partner], items: [name, email], "
            ...     "obtained_on: 2024-12-01}, {id: K2, subjects: customers, recipients: [carrier], "
            ...     "items: [email, name], obtained_on: 2024-12-01}, {id: K3, subjects: customers, "
            ...     "recipients: [partner], items: [name], obtained_on: 2024-12-01}]}"))
            >>> [ctx.consent_terms(ctx.consents[k]) for k in ("K1", "K2", "K3")]
            [0, 0, 1]
        """
        got = self._consent_terms.get(consent.id)
        if got is None:
            items, purposes = self.consent_sets(consent)
            terms = (items, purposes, consent.obtained_on, consent.withdrawn_on)
            got = self._consent_terms[consent.id] = self._terms.setdefault(terms, len(self._terms))
        return got

    def notice_sets(self, notice) -> tuple[frozenset, frozenset]:
        """The notice's items and members as sets (cached: checked per flow).

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example(
            ...     "{notices: [{id: J1, kind: joint_use, items: [name], members: [mc, group-co]}]}"))
            >>> ctx.notice_sets(ctx.notices["J1"]) == ({"name"}, {"mc", "group-co"})
            True
        """
        got = self._notice_sets.get(notice.id)
        if got is None:
            got = self._notice_sets[notice.id] = (frozenset(notice.items or ()),
                                                  frozenset(notice.members or ()))
        return got

    def unlisted_count(self, flow, notice) -> int:
        """How many of the flow's items ``notice`` does not list (0 when it lists
        none: a notice without items limits nothing).

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example("{notices: [{id: J1, kind: joint_use, "
            ...     "items: [name]}], flows: [{id: F1, from: mc, to: partner, "
            ...     "items: [name, phone], start: 2025-01-01}]}"))
            >>> ctx.unlisted_count(ctx.flows["F1"], ctx.notices["J1"])
            1
        """
        if not notice.items:
            return 0
        listed = self.notice_sets(notice)[0]
        if listed.issuperset(flow.items):
            return 0
        return sum(item not in listed for item in flow.items)

    # -- time ------------------------------------------------------------------
    def horizon(self, flow: Flow) -> dt.date:
        """The audit date, or the start of a planned flow (judged as planned).

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example("{flows: [{id: F1, from: mc, to: partner, "
            ...     "items: [name], start: 2027-01-01}, {id: F2, from: mc, to: partner, "
            ...     "items: [name], start: 2025-01-01, end: 2025-03-31}]}"))
            >>> ctx.horizon(ctx.flows["F1"]), ctx.horizon(ctx.flows["F2"])
            (datetime.date(2027, 1, 1), datetime.date(2026, 11, 1))
        """
        return max(self.as_of, flow.start)

    def last_day(self, flow: Flow) -> dt.date:
        """The last day the flow runs within the audit's view: its ``end``, but no later
        than the audit date (a planned flow's start). The route conditions read this
        (rules.md: a route holds when its conditions are met "for as long as it runs up
        to the audit date"; the review of round 13 found them reading a future end).

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example("{flows: [{id: F1, from: mc, to: partner, "
            ...     "items: [name], start: 2027-01-01}, {id: F2, from: mc, to: partner, "
            ...     "items: [name], start: 2025-01-01, end: 2025-03-31}, {id: F3, from: mc, "
            ...     "to: partner, items: [name], start: 2025-01-01, end: 2027-06-30}]}"))
            >>> [str(ctx.last_day(ctx.flows[f])) for f in ("F1", "F2", "F3", "C1")]
            ['2027-01-01', '2025-03-31', '2026-11-01', '2026-11-01']
        """
        h = self.horizon(flow)
        return min(flow.end, h) if flow.end is not None else h

    def recorded_last_day(self, flow: Flow) -> dt.date:
        """The last day the flow runs as recorded: its ``end``, also one after the audit
        date; with no end, the audit date (a planned flow's start). What lineage reads
        up to it: the consent groups and TP104 (rules.md's "before the flow's end"),
        the recipients' own data, AP202's lineage, the joint-use notice rules (TP301,
        AP211, AP212) and the law pack's scope.

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example("{flows: [{id: F3, from: mc, to: partner, "
            ...     "items: [name], start: 2025-01-01, end: 2027-06-30}]}"))
            >>> str(ctx.recorded_last_day(ctx.flows["F3"])), str(ctx.last_day(ctx.flows["F3"]))
            ('2027-06-30', '2026-11-01')
        """
        return flow.end if flow.end is not None else self.horizon(flow)

    def runs_after(self, flow: Flow, day: dt.date | None) -> bool:
        """Whether ``flow`` ran on after ``day`` (rules.md TP104, whose reading AP251
        shares): ``day`` is before its ``end``, or, for a flow with no end, on or
        before the audit date (a running flow has not stopped), or its start
        (a planned flow is judged on its start). A flow whose last day is
        ``day`` stopped in time; no day (None) never.

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example("{flows: [{id: F1, from: mc, to: partner, "
            ...     "items: [name], start: 2027-01-01}, {id: F2, from: mc, to: partner, "
            ...     "items: [name], start: 2025-01-01, end: 2027-06-30}]}"))
            >>> late = dt.date(2026, 12, 1)  # after the audit date (2026-11-01)
            >>> [ctx.runs_after(ctx.flows[f], late) for f in ("F1", "F2", "C1")]
            [True, True, False]
            >>> ctx.runs_after(ctx.flows["F2"], dt.date(2027, 6, 30)), ctx.runs_after(ctx.flows["F2"], None)
            (False, False)
        """
        if day is None:
            return False
        if flow.end is not None:
            return day < flow.end
        return day <= self.horizon(flow)

    # -- lineage ---------------------------------------------------------------
    def group_reach(self, *, as_of: dt.date | None = None, allow=None,
                    groups=None) -> dict[str, Reach]:
        """Per data-subject group, where the items collected from it travel.

        ``as_of`` and ``allow`` are those of :func:`~lineage.propagation.propagate`;
        ``groups`` limits the groups (default: every ``data_subject`` party).

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example(""))
            >>> reach = ctx.group_reach()
            >>> sorted(reach), reach["customers"].parties()
            (['customers'], ['customers', 'mc'])
            >>> ctx.group_reach(as_of=dt.date(2023, 12, 31))["customers"].parties()
            ['customers']
        """
        as_of = optional_date(as_of)  # a date or ISO text (2026-04-01)
        out = {}
        for party in self.inv.parties:
            if party.role != "data_subject" or (groups is not None and party.id not in groups):
                continue
            carried = {i for f in self.out.get(party.id, ()) for i in f.items}
            out[party.id] = propagate(self.inv.flows,
                                      {party.id: {i: dt.date.min for i in carried}},
                                      as_of=as_of, allow=allow, index=self.by_item,
                                      flows_by_id=self.flows)
        return out

    @cached_property
    def subject_reach(self) -> dict[str, Reach]:
        """Per data-subject group, where its items travel (item propagation).

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example(""))
            >>> ctx.subject_reach["customers"].path("mc", "name")
            ['C1']
        """
        return self.group_reach()

    @cached_property
    def entity_reach(self) -> dict[str, Reach]:
        """Per data-subject group, where its items travel between legal entities.

        What one department holds, its company holds: the rules' lineage
        (consent groups, the recipients' own data, TP203) follows legal
        entities, not party IDs (rules.md, "How a flow is judged").

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example("{parties: [{id: ops, legal_entity: mc}], flows: ["
            ...     "{id: F1, from: customers, to: ops, items: [phone], start: 2024-01-01},"
            ...     "{id: F2, from: mc, to: partner, items: [phone], start: 2025-01-01}]}"))
            >>> ctx.entity_reach["customers"].path("partner", "phone")
            ['C1', 'F2']
            >>> ctx.subject_reach["customers"].items_at("ops") == {"phone": dt.date(2024, 1, 1)}
            True
        """
        return self._entity_group_reach()

    def _entity_group_reach(self, index=None, groups=None, as_of=None) -> dict[str, Reach]:
        """:attr:`entity_reach`; ``as_of`` ignores flows that start after it
        (what could have happened by then, as the lineage questions ask)."""
        out = {}
        sent = self._sent_by_subjects()
        for party in self.inv.parties:
            if party.role != "data_subject" or (groups is not None and party.id not in groups):
                continue
            carried = sent.get(party.id, set())
            out[party.id] = propagate(self.inv.flows,
                                      {party.id: {i: dt.date.min for i in carried}},
                                      index=self.entity_index if index is None else index,
                                      flows_by_id=self.flows, node=self.entity, as_of=as_of)
        return out

    def _sent_by_subjects(self) -> dict[str, set]:
        """Data-subject party -> the items of its flows: ``self.out``'s, without
        building ``out`` for every provider when nothing else asked for it."""
        if "out" in self.__dict__:
            return {p: {i for f in self.out[p] for i in f.items}
                    for p in self._subjects if self.out.get(p)}
        sent: dict = {}
        flows = self.flow_list
        # The subjects' flows picked out without a Python step per flow.
        for f in compress(flows, map(self._subjects.__contains__,
                                     map(attrgetter("frm"), flows))):
            sent.setdefault(f.frm, set()).update(f.items)
        return sent

    @cached_property
    def by_item(self):
        """Flows by item, then by provider (for :func:`propagate`; built on first use,
        as only the lineage queries need it).

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example(""))
            >>> [f.id for f in ctx.by_item["name"]["customers"]]
            ['C1']
        """
        return item_index(self.flow_list)

    @cached_property
    def entity_index(self):
        """Flows by item, then by the provider's legal entity (for :func:`propagate`
        with ``node=ctx.entity``).

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example("{parties: [{id: ops, legal_entity: mc}], flows: ["
            ...     "{id: F1, from: ops, to: partner, items: [name], start: 2025-01-01}]}"))
            >>> [f.id for f in ctx.entity_index["name"]["mc"]]
            ['F1']
        """
        return item_index(self.flow_list, self.entity)

    def _subject_holdings_of(self, party: str) -> dict:
        """:meth:`_holdings_of` for what :meth:`foreign_items` asks of ``party``: the
        items its legal entity sends to data subjects.

        Another business's holdings would need every group's items traced over
        every flow (:attr:`entity_reach`: seconds at 100,000 flows, for one flow
        from an outsourcee to its customers). Items travel independently, so
        tracing only the items the entity's flows to data subjects carry gives
        the same days for them.
        """
        holder = self.entity(party)
        if holder == self.org_entity or "entity_reach" in self.__dict__:
            return self._holdings_of(party)
        key = ("subject-holdings", holder)
        table = self.memo.get(key)
        if table is None:
            members = [p for p in dict.fromkeys((*self.parties_by_entity.get(holder, ()), holder))
                       if self.entity(p) == holder]
            asked = {i for p in members for f in self.out.get(p, ())
                     if f.to in self._subjects for i in f.items}
            table = self.memo[key] = {}
            for group in self.inv.parties:
                if group.role != "data_subject":
                    continue
                carried = {i for f in self.out.get(group.id, ()) for i in f.items} & asked
                if not carried:
                    continue
                reach = propagate(self.inv.flows, {group.id: dict.fromkeys(carried, dt.date.min)},
                                  index=self.entity_index, flows_by_id=self.flows,
                                  node=self.entity)
                for item, day in reach.items_at(party).items():
                    table.setdefault(item, []).append((day, group.id))
        return table

    @cached_property
    def flow_rank(self) -> dict[str, int]:
        """Flow ID -> its place in :attr:`flow_list`, i.e. in natural ID order.

        Comparing places orders flows as comparing ``natural_key(flow.id)`` would
        (the key ends with the ID itself, so no two flows tie), without building
        a key per flow; built on first use, once per check.

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example("{flows: [{id: F10, from: mc, to: partner, "
            ...     "items: [name], start: 2025-01-01}, {id: F9, from: mc, to: partner, "
            ...     "items: [name], start: 2025-01-01}]}"))
            >>> ctx.flow_rank
            {'C1': 0, 'F9': 1, 'F10': 2}
        """
        return {f.id: n for n, f in enumerate(self.flow_list)}

    @cached_property
    def _org_intake(self) -> dict[str, Reach]:
        """Per data-subject group, which items reach the organisation, when.

        Only flows into legal entities that can pass data on to the
        organisation are followed: the rest cannot change what the
        organisation holds, and skipping them keeps a check of a large
        inventory fast.
        """
        flows = self.flow_list
        # The recipients read once, without a Python step per flow.
        recipients = list(map(attrgetter("to"), flows))
        found = self._feeding_by_levels(flows, recipients)
        if found is not None:
            feeds, into = found
        else:
            feeds = self._feeding_by_pairs(flows, recipients)
            entity_of = self._entity.get
            fed = {to for to in set(recipients) if entity_of(to, to) in feeds}
            into = list(map(fed.__contains__, recipients))
        # The flows into those entities, in flow order.
        index = item_index(compress(flows, into), self.entity)
        return self._entity_group_reach(
            index=index, groups={p for p, e in self._entity.items() if e in feeds})

    def _names_in(self, entities) -> set:
        """Every name a flow may give whose legal entity (``self.entity``) is one
        of ``entities``: their parties, and an entity named by no party."""
        entity_of = self._entity.get
        names = set()
        for entity in entities:
            names.update(p for p in self.parties_by_entity.get(entity, ())
                         if entity_of(p) == entity)
            if entity not in self._entity:
                names.add(entity)
        return names

    def _feeding_by_levels(self, flows, recipients, levels: int = 8):
        """The legal entities that can pass data on to the organisation (its
        own, then those sending to one already found, and so on), and per flow
        whether it goes into one of them; None after ``levels`` rounds.

        Each round is one C-level pass over the recipients: a few rounds are
        far cheaper than the graph of every pair of parties at a million flows,
        and inventories rarely chain entities feeding the organisation deeply.
        """
        entity_of = self._entity.get
        feeds = {self.org_entity}
        members = self._names_in(feeds)
        for _ in range(levels):
            into = list(map(members.__contains__, recipients))
            senders = set(map(attrgetter("frm"), compress(flows, into)))
            new = {entity_of(frm, frm) for frm in senders}.difference(feeds)
            if not new:
                return feeds, into
            feeds |= new
            members |= self._names_in(new)
        return None

    def _feeding_by_pairs(self, flows, recipients) -> set:
        """:meth:`_feeding_by_levels`' entities through the graph of which
        entities feed which, for inventories whose chains are long."""
        feeds = {self.org_entity}
        todo = [self.org_entity]
        inbound: dict = defaultdict(list)
        entity_of = self._entity.get  # self.entity without a call per flow
        # Which entities feed which: once per pair of parties, not per flow
        # (the set's order does not matter: only which entities feed is kept).
        for to, frm in set(zip(recipients, map(attrgetter("frm"), flows))):
            inbound[entity_of(to, to)].append(entity_of(frm, frm))
        while todo:
            entity = todo.pop()
            for frm in inbound.get(entity, ()):
                if frm not in feeds:
                    feeds.add(frm)
                    todo.append(frm)
        return feeds

    def _holdings_of(self, party: str) -> dict:
        """Item -> [(earliest arrival, group)] at the legal entity of ``party``."""
        holder = self.entity(party)
        table = self._holdings.get(holder)
        if table is None:
            reaches = self._org_intake if holder == self.org_entity else self.entity_reach
            table = {}
            for group, reach in reaches.items():
                for item, day in reach.items_at(party).items():
                    table.setdefault(item, []).append((day, group))
            self._holdings[holder] = table
        return table

    def groups_of(self, flow: Flow) -> list[str]:
        """Data-subject groups whose data the flow carries while it runs.

        A group counts when one of the flow's items, collected from it, reaches
        the provider's legal entity (directly or through other parties) on or
        before the provision ends: its ``end``, also one after the audit date,
        else the audit date (a planned flow's start). The rules ask this of the
        organisation's own provisions only.

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example("{flows: [{id: F1, from: mc, to: partner, "
            ...     "items: [name], start: 2025-01-01}]}"))
            >>> ctx.groups_of(ctx.flows["F1"])
            ['customers']
        """
        return list(self.groups_key(flow))

    def groups_key(self, flow: Flow) -> tuple[str, ...]:
        """:meth:`groups_of` as a tuple, shared between flows (a cache key; never changed).

        Most flows carry items that every group's data reached long before the
        provision's last day: their groups are the union of the items' groups, and
        flows with the same items' groups share one tuple. Otherwise the days
        are compared item by item.

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example("{flows: [{id: F1, from: mc, to: partner, "
            ...     "items: [name], start: 2025-01-01}, {id: F2, from: mc, to: partner, "
            ...     "items: [name], start: 2023-01-01, end: 2023-12-31}]}"))
            >>> ctx.groups_key(ctx.flows["F1"]), ctx.groups_key(ctx.flows["F2"])
            (('customers',), ())
        """
        # The provision's last day (rules.md: groups whose flows "start on or before
        # the provision ends"): its end, also one after the audit date, as TP104 reads
        # "before the flow's end"; with no end, the audit date (a planned flow's start).
        start, end, as_of = flow.start, flow.end, self.as_of
        last = end if end is not None else (as_of if as_of > start else start)
        latest, groups = self.items_groups(flow.frm, flow.items)
        if latest is None or latest <= last:
            return groups
        # Some group's data arrived after the provision's last day: day by day.
        table = self._holdings_of(flow.frm)
        return tuple(sorted({g for i in flow.items for day, g in table.get(i, ())
                             if day <= last}))

    def items_groups(self, party: str, items) -> tuple:
        """``(latest, groups)`` for flows from ``party`` carrying ``items``: the
        latest day some group's data of one of the items reached the party's
        legal entity (None: none did), and the groups whose data of the items
        it holds (a shared tuple, as :meth:`groups_key` gives it).

        A flow whose last day is on or after ``latest`` carries exactly
        ``groups``; only the party's holdings and the items decide them, so
        they are worked out once per distinct list of items (most flows carry
        one of a few), not once per flow.

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example(""))
            >>> ctx.items_groups("mc", ["name", "email"])
            (datetime.date(2024, 1, 1), ('customers',))
        """
        summary = self._summary_of.get(party)
        if summary is None:
            summary = self._summary_of[party] = self._holdings_summary(party)
        key = (id(summary), *items)  # summaries live as long as the check: ids stay theirs
        got = self._items_groups.get(key)
        if got is None:
            got = self._items_groups[key] = self._summarised(summary, items)
        return got

    def _summarised(self, summary: dict, items) -> tuple:
        """:meth:`items_groups` from the summary of the holder's holdings."""
        latest = first = None
        mixed = False
        for i in items:
            got = summary.get(i)
            if got is None:
                continue
            if latest is None or got[0] > latest:
                latest = got[0]
            if first is None:
                first = got[1]
            elif got[1] is not first:
                mixed = True
        if not mixed:
            return latest, (first if first is not None else ())
        # Several different sets of groups: their union, once per set of sets.
        key = ("groups", frozenset(summary[i][1] for i in items if i in summary))
        union = self.memo.get(key)
        if union is None:
            union = self.memo[key] = tuple(sorted({g for t in key[1] for g in t}))
        return latest, union

    def _holdings_summary(self, party: str) -> dict:
        """Item -> (the latest of its groups' arrivals, its groups sorted, one tuple
        per distinct set) at the legal entity of ``party``."""
        holder = self.entity(party)
        key = ("holdings-summary", holder)
        got = self.memo.get(key)
        if got is None:
            shared: dict = {}
            got = {}
            for item, arrivals in self._holdings_of(party).items():
                groups = tuple(sorted({g for _, g in arrivals}))
                got[item] = (max(day for day, _ in arrivals), shared.setdefault(groups, groups))
            self.memo[key] = got
        return got

    def foreign_items(self, flow: Flow) -> list[str]:
        """Items of a flow to a data-subject group that are not the recipients' own.

        An item is the recipients' own unless lineage shows that it reached
        the sender (its legal entity) by the flow's last day only from other
        data-subject groups; an item with no recorded source is their own
        (rules.md, step 2). Empty for flows to anyone else.

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example("{parties: [{id: staff, role: data_subject}], "
            ...     "data_items: [{id: score, name: スコア}], flows: [{id: F1, from: mc, to: staff, items: [name, score], "
            ...     "start: 2025-01-01}, {id: F2, from: mc, to: customers, items: [name], "
            ...     "start: 2025-01-01}]}"))
            >>> ctx.foreign_items(ctx.flows["F1"]), ctx.foreign_items(ctx.flows["F2"])
            (['name'], [])
        """
        # Asked of every flow judged as a provision: a set test, not a record look-up.
        if flow.to not in self._subjects:
            if flow.to not in self.parties:
                self.role(flow.to)  # the same KeyError as before for an unknown party
            return []
        got = self._foreign.get(flow.id)
        if got is None:
            last = self.recorded_last_day(flow)
            table = self._subject_holdings_of(flow.frm)
            recipients = self.entity(flow.to)
            got = []
            for item in flow.items:
                sources = {self.entity(g) for day, g in table.get(item, ()) if day <= last}
                if sources and recipients not in sources:
                    got.append(item)
            self._foreign[flow.id] = got
        return got

    def provision(self, flow: Flow) -> Flow:
        """The flow as a provision: to data subjects, only the items not their own.

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example("{parties: [{id: staff, role: data_subject}], "
            ...     "data_items: [{id: score, name: スコア}], flows: [{id: F1, from: mc, to: staff, items: [name, score], "
            ...     "start: 2025-01-01}]}"))
            >>> ctx.provision(ctx.flows["F1"]).items, ctx.provision(ctx.flows["C1"]).items
            (['name'], ['name', 'email', 'phone', 'cookie'])
        """
        foreign = self.foreign_items(flow)
        if not foreign or len(foreign) == len(flow.items):
            return flow
        got = self._provisions.get(flow.id)
        if got is None:
            got = self._provisions[flow.id] = flow.model_copy(update={"items": foreign})
        return got


def _by_id(records) -> list:
    return natural_sorted(records)


def _entity_contracts(contracts: list, entity_of: dict, by_entity: dict) -> dict[str, list]:
    """Party -> the contracts with its legal entity, in ID order.

    A contract binds the company, whichever of its parties the inventory names:
    a branch receiving data is covered by the contract its head office signed
    (rules.md: parties of one legal entity hold data together; AP241 already
    counts "a party (or its legal entity) holding a contract").

    Example:
        >>> from types import SimpleNamespace as C
        >>> k1 = C(id="K1", party="carrier")
        >>> got = _entity_contracts([k1], {"carrier": "carrier", "tokyo": "carrier"},
        ...                         {"carrier": ["carrier", "tokyo"]})
        >>> {p: [c.id for c in cs] for p, cs in got.items()}
        {'carrier': ['K1'], 'tokyo': ['K1']}
    """
    by_party = _group(contracts, lambda c: c.party)
    # The entities of several parties that hold a contract: their contracts gathered in
    # one pass (in ID order, as ``contracts`` is), not a pass over all per entity.
    shared: dict = {}
    for c in contracts:
        entity = entity_of.get(c.party, c.party)
        if len(by_entity.get(entity, ())) > 1:
            shared.setdefault(entity, []).append(c)
    for entity, union in shared.items():
        for member in by_entity[entity]:
            by_party[member] = union
    return by_party


def _group(records, key) -> dict:
    out: dict = defaultdict(list)
    for r in records:
        out[key(r)].append(r)
    return dict(out)
