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

from ..model.schema import Flow, Inventory
from ..propagation import Reach, item_index, out_index, propagate

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
        self.inv = inventory
        self.as_of = as_of or inventory.as_of or dt.date.today()
        self.parties = {p.id: p for p in inventory.parties}
        self._entity = {p.id: p.entity for p in inventory.parties}
        self.parties_by_entity = {k: [p.id for p in v] for k, v in
                                  _group(inventory.parties, lambda p: p.entity).items()}
        # A consent or notice naming a company covers its departments too:
        # third parties are judged per legal entity (glossary).
        self._names = {p.id: frozenset((p.id, *p.groups, *self.parties_by_entity[p.entity]))
                       for p in inventory.parties}
        self.org = inventory.organisation
        self.org_entity = self.parties[self.org].entity
        self._org_parties = {p for p, e in self._entity.items() if e == self.org_entity}
        self.items = ({i.id: i for i in inventory.data_items}
                      if inventory.data_items is not None else None)
        self.purposes = {p.id: p for p in inventory.purposes or []}
        self.flows = {f.id: f for f in inventory.flows}
        self.consents = {c.id: c for c in inventory.consents}
        self.notices = {n.id: n for n in inventory.notices}
        self.contracts = {c.id: c for c in inventory.contracts}
        self.events = {e.id: e for e in inventory.events}
        self.consents_by_subject = _group(inventory.consents, lambda c: c.subjects)
        self.contracts_by_party = _group(inventory.contracts, lambda c: c.party)
        self.optout_notices = [n for n in inventory.notices if n.kind == "opt_out"]
        self.joint_notices = [n for n in inventory.notices if n.kind == "joint_use"]
        self.events_by_pair = _group(
            inventory.events,
            lambda e: (self.entity(e.frm), self.entity(e.to)))
        self.stops_by_flow = _group([s for s in inventory.stop_requests if s.flow],
                                    lambda s: s.flow)
        self.stops_by_notice = _group([s for s in inventory.stop_requests if s.notice],
                                      lambda s: s.notice)
        self.out = out_index(inventory.flows)
        self.by_item = item_index(inventory.flows)
        self._consent_sets: dict[str, tuple] = {}
        self._defined: dict[str, list] = {}
        self._holdings: dict[str, dict] = {}  # legal entity -> item -> [(arrival, group)]
        self._consent_index: dict[tuple, list] = {}
        for c in inventory.consents:
            for recipient in dict.fromkeys(c.recipients):
                self._consent_index.setdefault((c.subjects, recipient), []).append(c)
        self._joint_index: dict[str, list] = {}
        for n in self.joint_notices:
            for member in dict.fromkeys(n.members or ()):
                self._joint_index.setdefault(member, []).append(n)
        self.inbound = _group(inventory.flows, lambda f: f.to)

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

    def role(self, party: str) -> str:
        """The declared role of ``party``.

        Example:
            >>> from lineage.rules.examples import build_example
            >>> Context(build_example("")).role("carrier")
            'outsourcee'
        """
        return self.parties[party].role

    def names(self, party: str) -> frozenset[str]:
        """What a consent or notice may list to name ``party``: its ID, its groups,
        and the IDs of the other parties of its legal entity.

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example("{parties: [{id: ops, legal_entity: mc}]}"))
            >>> sorted(ctx.names("ops")), sorted(ctx.names("partner"))
            (['mc', 'ops'], ['partner', 'partners'])
        """
        return self._names[party]

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
        return [i for i in flow.items if self.item_kind(i) == "linkable"]

    def personal(self, flow: Flow) -> list[str]:
        """The flow's personal and sensitive items.

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example(""))
            >>> ctx.personal(ctx.flows["C1"])
            ['name', 'email', 'phone']
        """
        return [i for i in flow.items if self.item_kind(i) != "linkable"]

    def defined_purposes(self, flow: Flow) -> list[str]:
        """Purposes of the flow that the inventory defines (others are TP402 only).

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example("{flows: [{id: F1, from: mc, to: partner, "
            ...     "items: [name], purposes: [ads, profiling], start: 2025-01-01}]}"))
            >>> ctx.defined_purposes(ctx.flows["F1"])
            ['ads']
        """
        got = self._defined.get(flow.id)
        if got is None:
            got = self._defined[flow.id] = [p for p in flow.purposes if p in self.purposes]
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
        """The last day the flow runs within the audit's view.

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example("{flows: [{id: F1, from: mc, to: partner, "
            ...     "items: [name], start: 2027-01-01}, {id: F2, from: mc, to: partner, "
            ...     "items: [name], start: 2025-01-01, end: 2025-03-31}]}"))
            >>> ctx.last_day(ctx.flows["F2"]), ctx.last_day(ctx.flows["C1"])
            (datetime.date(2025, 3, 31), datetime.date(2026, 11, 1))
        """
        h = self.horizon(flow)
        return min(flow.end, h) if flow.end is not None else h

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
    def _org_intake(self) -> dict[str, Reach]:
        """Per data-subject group, which items reach the organisation's parties, when.

        Only flows into parties that can pass data on to the organisation are
        followed: the rest cannot change what the organisation holds, and
        skipping them keeps a check of a large inventory fast.
        """
        feeds = set(self.parties_by_entity[self.org_entity])
        todo = list(feeds)
        while todo:
            party = todo.pop()
            for f in self.inbound.get(party, ()):
                if f.frm not in feeds:
                    feeds.add(f.frm)
                    todo.append(f.frm)
        return self.group_reach(allow=lambda f: f.to in feeds, groups=feeds)

    def groups_of(self, flow: Flow) -> list[str]:
        """Data-subject groups whose data the flow carries while it runs.

        A group counts when one of the flow's items, collected from it, reaches
        the provider on or before the flow's last day. The rules ask this of
        the organisation's own provisions only.

        Example:
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example("{flows: [{id: F1, from: mc, to: partner, "
            ...     "items: [name], start: 2025-01-01}]}"))
            >>> ctx.groups_of(ctx.flows["F1"])
            ['customers']
        """
        last = self.last_day(flow)
        # Data a department collected is the organisation's data: a provision
        # by any party of the legal entity can carry it.
        holder = self.entity(flow.frm)
        table = self._holdings.get(holder)
        if table is None:
            org = self.is_org(flow.frm)
            reaches = self._org_intake if org else self.subject_reach
            members = self.parties_by_entity.get(holder, [flow.frm])
            table = {}
            for group, reach in reaches.items():
                earliest: dict = {}
                for member in members:
                    for item, day in reach.items_at(member).items():
                        if item not in earliest or day < earliest[item]:
                            earliest[item] = day
                for item, day in earliest.items():
                    table.setdefault(item, []).append((day, group))
            self._holdings[holder] = table
        return sorted({g for i in flow.items for day, g in table.get(i, ()) if day <= last})


def _group(records, key) -> dict:
    out: dict = defaultdict(list)
    for r in records:
        out[key(r)].append(r)
    return dict(out)
