"""Routes that make a provision lawful, each a set of rule conditions.

A route *holds* for a flow when none of its conditions fails. Evidence with
alternatives (several notices, several consents) is chosen as the candidate
that comes closest: fewest failed conditions, then the earliest date, then ID.

Example:
    >>> from lineage.rules.examples import build_example
    >>> from lineage.rules.context import Context
    >>> inv = build_example("flows:\\n  - {id: F1, from: mc, to: police, items: [name], "
    ...                     "basis: law, start: 2025-01-01, exemption: {law: 刑訴法}}")
    >>> ctx = Context(inv)
    >>> evaluate(ctx, ctx.flows["F1"], "law").findings
    []
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from operator import attrgetter
from types import MappingProxyType

from ..terms import id_key
from .base import first_of_each
from .policy.TP101 import TP101
from .policy.TP102 import TP102
from .policy.TP103 import TP103
from .policy.TP104 import TP104
from .policy.TP111 import TP111
from .policy.TP112 import TP112
from .policy.TP113 import TP113
from .policy.TP114 import TP114
from .policy.TP121 import TP121
from .policy.TP122 import TP122
from .policy.TP123 import TP123
from .policy.TP124 import TP124
from .policy.TP125 import TP125
from .policy.TP201 import TP201
from .policy.TP201 import _scope as _contract_scope
from .policy.TP211 import TP211
from .policy.TP221 import TP221
from .policy.TP222 import TP222
from .policy.TP223 import TP223
from .policy.TP224 import TP224
from .policy.TP225 import TP225

__all__ = ["ORDER", "RouteResult", "evaluate", "quick", "quick_each", "score", "FAILS",
           "consent_once"]

#: Routes tried, in this order, for a flow that declares no basis (rules.md).
ORDER = ("outsourcing", "succession", "joint_use", "law", "life", "public_health",
         "government", "opt_out", "consent")

_FAR = dt.date.max


@dataclass
class RouteResult:
    """The outcome of one route for one flow.

    ``missing`` is true when the route has no evidence at all (no notice, no
    consent, no event ...): such a route is never "closest" while another
    route has some evidence.

    Example:
        >>> from lineage.rules.context import Context
        >>> from lineage.rules.examples import build_example
        >>> ctx = Context(build_example(TP121.fail.inventory))
        >>> result = evaluate(ctx, ctx.flows["F1"], "opt_out")
        >>> result.route, [f.id for f in result.findings], result.missing
        ('opt_out', ['TP121:F1'], True)
    """

    route: str
    findings: list = field(default_factory=list)
    evidence: dict = field(default_factory=dict)
    missing: bool = False


def evaluate(ctx, flow, route: str) -> RouteResult:
    """Check every condition of ``route`` for ``flow``.

    Example:
        >>> from lineage.rules.context import Context
        >>> from lineage.rules.examples import build_example
        >>> ctx = Context(build_example(TP111.fail.inventory))
        >>> [f.id for f in evaluate(ctx, ctx.flows["F1"], "law").findings]
        ['TP111:F1']
    """
    return _ROUTES[route](ctx, flow)


def holding(ctx, flow, route: str) -> dict | None:
    """The evidence of ``route`` when it holds for ``flow`` (every condition met, as
    :func:`evaluate` judges it), else None.

    Example:
        >>> from lineage.rules.context import Context
        >>> from lineage.rules.examples import build_example
        >>> ctx = Context(build_example(TP111.fail.inventory))
        >>> holding(ctx, ctx.flows["F1"], "law") is None
        True
    """
    result = evaluate(ctx, flow, route)
    return None if result.missing or result.findings else result.evidence


#: :func:`quick`'s answer for a route that does not hold.
FAILS = False

#: The evidence of a route that cites none. Every check of the process shares it,
#: so it cannot be changed: a change would reach the verdicts of later checks.
_NO_EVIDENCE = MappingProxyType({})


def quick(ctx, flow, route: str):
    """Whether ``route`` holds for ``flow``, without building its findings.

    The route's evidence when it holds, :data:`FAILS` when it does not, None
    when only :func:`evaluate` can tell. An answer other than None is exactly
    :func:`evaluate`'s: evidence equal to its ``evidence`` when its findings
    are empty, :data:`FAILS` when they are not. Most flows hold on the route
    they declare or on the first one tried; the findings of a route are only
    needed when no route holds (the verdict), or for the declared one.

    The evidence is shared between flows (one dict per contract, notice or
    consent set): read it, never change it.

    Example:
        >>> from lineage.rules.context import Context
        >>> from lineage.rules.examples import build_example
        >>> ctx = Context(build_example(TP201.passing.inventory))
        >>> flow = ctx.flows["F1"]
        >>> quick(ctx, flow, "outsourcing"), quick(ctx, flow, "law")
        ({'contract': 'K1'}, False)
        >>> evaluate(ctx, flow, "outsourcing").evidence
        {'contract': 'K1'}
    """
    check = quick_checks(ctx).get(route)
    return None if check is None else check(flow)


def quick_checks(ctx) -> dict:
    """Route name -> a function of one flow giving :func:`quick`'s answer for it.

    Each function keeps what the route's conditions take from the records
    (a contract's scope, a notice's terms, a consent plan's common terms) in
    its own tables, built once per check, so a flow costs one call and a few
    look-ups. The engine judges whole inventories through these; :func:`quick`
    is the same functions, one flow at a time.

    Example:
        >>> from lineage.rules.context import Context
        >>> from lineage.rules.examples import build_example
        >>> ctx = Context(build_example(TP201.passing.inventory))
        >>> quick_checks(ctx)["outsourcing"](ctx.flows["F1"])
        {'contract': 'K1'}
    """
    got = ctx.memo.get(("quick-checks",))
    if got is None:
        got = ctx.memo[("quick-checks",)] = {name: make(ctx) for name, make in _QUICK.items()}
    return got


def quick_each(ctx, route: str, flows: list) -> list:
    """:func:`quick`'s answer for each of ``flows`` on ``route``, in order.

    The consent route answers the flows it can in one loop (the groups and
    plans looked up per distinct list of items and recipient, as the engine
    judges a whole inventory's provisions); the others, and every flow that
    loop leaves, go through :func:`quick_checks`' function.

    Example:
        >>> from lineage.rules.context import Context
        >>> from lineage.rules.examples import build_example
        >>> from lineage.rules.policy.TP103 import TP103
        >>> ctx = Context(build_example(TP103.passing.inventory))
        >>> quick_each(ctx, "consent", [ctx.flows["F1"]])
        [{'consents': ['K1']}]
    """
    check = quick_checks(ctx).get(route)
    if check is None:
        return [None] * len(flows)
    if route == "consent":
        return _consent_each(ctx, flows, check)
    return list(map(check, flows))


def _consent_each(ctx, flows: list, check) -> list:
    """:func:`_quick_consent`'s ``check`` of each of ``flows``, inline: what it
    does, without a call per flow and per look-up (one flow in five of a large
    inventory is a declared consent). Flows naming consents, or whose groups
    the days decide, take ``check`` itself.

    Example:
        >>> from lineage.rules.context import Context
        >>> from lineage.rules.examples import build_example
        >>> from lineage.rules.policy.TP103 import TP103
        >>> ctx = Context(build_example(TP103.passing.inventory))
        >>> flow = ctx.flows["F1"]
        >>> _consent_each(ctx, [flow], quick_checks(ctx)["consent"]) == [quick(ctx, flow, "consent")]
        True
    """
    try:
        return _consent_fields(ctx, flows, check, _DICT_OF)
    except (AttributeError, KeyError):  # a flow keeping a field elsewhere: by attribute
        return _consent_fields(ctx, flows, check, _Attributes)


def _consent_fields(ctx, flows: list, check, view) -> list:
    """:func:`_consent_each`, reading each flow's fields through ``view``
    (:data:`_DICT_OF`, or :class:`_Attributes` for flows not keeping them in
    their ``__dict__``)."""
    names_of = _consent_names_table(ctx)[0]  # recipient -> its consent names
    defined, as_of = ctx.purposes, ctx.as_of
    # ctx.items_groups inline: the key of its table, the id of the sender's
    # holdings summary (kept per sender here), then the items.
    summary_of, held = {}, ctx._items_groups
    # (id of the groups, id of the consent names) -> the plan's common terms,
    # evidence, and the defined purposes its first consents do not all cover:
    # the groups and names are shared values held by the context's tables, so
    # their ids stay theirs.
    plans: dict = {}
    out: list = []
    append = out.append
    for flow, fields in zip(flows, map(view, flows)):
        if fields["consents"]:
            append(check(flow))
            continue
        start, end, frm, items = fields["start"], fields["end"], fields["frm"], fields["items"]
        horizon = as_of if as_of > start else start  # ctx.horizon(flow)
        # the provision's last day, as ctx.groups_key reads it
        last = end if end is not None else horizon
        summary = summary_of.get(frm)
        if summary is None:
            got = ctx.items_groups(frm, items)
            summary = summary_of[frm] = id(ctx._summary_of[frm])
        else:
            got = held.get((summary, *items))
            if got is None:
                got = ctx.items_groups(frm, items)
        latest, groups = got
        if latest is not None and latest > last:
            append(check(flow))  # ctx.groups_key compares the days item by item
            continue
        to = fields["to"]
        names = names_of.get(to)
        if names is None:
            names = _consent_names(ctx, to)
        key = (id(groups), id(names))
        got = plans.get(key)
        if got is None:
            plan = _consent_plan(ctx, groups, names, None)
            got = plans[key] = (plan.common, plan.evidence, None if plan.common is None else
                                frozenset(defined).difference(plan.common[3]))
        common, evidence, unmet = got
        if common is None:
            append(None)
            continue
        obtained, withdrawn, allowed, _ = common
        if (obtained > start  # TP102
                or (withdrawn is not None  # TP104
                    and (withdrawn < end if end is not None else withdrawn <= horizon))
                or not allowed.issuperset(items)):
            append(None)
        elif unmet.isdisjoint(fields["purposes"]):
            # No defined purpose the first consents leave out (only defined
            # purposes count: ctx.defined_purposes).
            append(evidence)
        else:
            append(None)
    return out


def score(ctx, flow, route: str) -> tuple[bool, int]:
    """``(missing, number of findings)`` of :func:`evaluate`'s result, counted
    without building the findings where the conditions can count them.

    When no route holds, the verdict names the closest route (fewest
    failures) and only that route's findings are needed.

    Example:
        >>> from lineage.rules.context import Context
        >>> from lineage.rules.examples import build_example
        >>> ctx = Context(build_example(TP101.fail.inventory))
        >>> flow = ctx.flows["F1"]
        >>> [score(ctx, flow, name) for name in ("law", "government", "joint_use")]
        [(True, 1), (True, 2), (True, 1)]
        >>> result = evaluate(ctx, flow, "government")
        >>> result.missing, len(result.findings)
        (True, 2)
    """
    count = _SCORE.get(route)
    if count is not None:
        got = count(ctx, flow)
        if got is not None:
            return got
    result = evaluate(ctx, flow, route)
    return result.missing, len(result.findings)


def _score_exemption(route):
    def count(ctx, flow):
        ex = flow.exemption
        if route == "government":
            n = (ctx.role(flow.to) != "public_body") + (ex is None or not ex.impediment)
            return n >= 2, n
        if route == "law":
            n = int(not (ex is not None and ex.law))
        else:
            n = int(not (ex is not None and ex.consent_difficult))
        return n >= 1, n
    return count


def _score_succession(ctx, flow):
    # No event at all: TP211's one finding. Otherwise evaluate.
    return (True, 1) if _quick_succession(ctx, flow) is FAILS else None


def _score_notice(kind, conditions):
    def count(ctx, flow):
        if kind == "joint_use":
            pool = _notices_by_date(ctx, kind, flow.notice, ctx.names(flow.frm))
        else:
            pool = _notices_by_date(ctx, kind, flow.notice)
        if not pool:
            return True, 1  # TP221/TP121.missing: one finding
        # _closest with counting conditions: the first candidate of fewest failures.
        best = None
        for notice in pool:
            n = 0
            for cond in conditions:
                n += cond.count(ctx, flow, notice)
            if n == 0:
                return False, 0
            if best is None or n < best:
                best = n
        return False, best
    return count


def _score_consent(ctx, flow):
    named = tuple(flow.consents) if flow.consents else None
    names = _consent_names(ctx, flow.to)
    plan = _consent_plan(ctx, ctx.groups_key(flow), names, named)
    wants = _Wants(ctx, flow)
    if plan.first is not None and not any(wants.short(c, t) for c, t in plan.first):
        return False, 0
    n, used = 0, bool(names)  # evidence as _consent counts it
    for group, candidates in plan.groups():
        if not candidates.by_date:
            n += 1  # _no_consent
            continue
        # The closest consent's findings number its score (TP103, TP102, TP104).
        n += _closest_candidate(candidates, wants)[1]
        used = True
    return not used, n


def _quick_outsourcing(ctx):
    # What only the recipient and the named contract decide, once per pair.
    terms: dict = {}
    # Purpose -> its announcement day (None: not announced); an undefined
    # purpose is absent (ctx.defined_purposes leaves it out, TP402 reports it).
    announced_on = {p: purpose.announced_on for p, purpose in ctx.purposes.items()}

    def check(flow):
        # Keyed by the recipient alone when the flow names no contract (most do not).
        key = flow.to if flow.contract is None else (flow.to, flow.contract)
        got = terms.get(key, _UNSET)
        if got is _UNSET:
            got = terms[key] = _outsourcing_terms(ctx, flow)
        if got is None:
            return None
        recipient_ok, evidence, allowed_items, allowed_purposes = got
        if not recipient_ok:
            return FAILS
        if allowed_items is not None and not allowed_items.issuperset(flow.items):
            return FAILS
        start = flow.start
        for purpose in flow.purposes:
            day = announced_on.get(purpose, _UNSET)
            if day is _UNSET:  # not defined: not checked here
                continue
            # ctx.announced(purpose, start), and inside the contract's purposes
            if day is None or day > start or (allowed_purposes is not None
                                              and purpose not in allowed_purposes):
                return FAILS
        return evidence

    return check


#: A flow's fields by name: the ``__dict__`` where a model keeps them (a dict
#: subscript skips the model's ``__getattr__`` hook an attribute read takes).
_DICT_OF = attrgetter("__dict__")


class _Attributes:
    """A flow's fields by name, read as its attributes: for flows that do not
    keep them in their ``__dict__``.

    Example:
        >>> from lineage.rules.examples import build_example
        >>> _Attributes(build_example("").flows[0])["to"]
        'mc'
    """

    __slots__ = ("_of",)

    def __init__(self, flow):
        self._of = flow

    def __getitem__(self, name):
        return getattr(self._of, name)


_UNSET = object()


def _outsourcing_terms(ctx, flow):
    """TP201's and the route's facts for flows to ``flow.to`` naming ``flow.contract``:
    (recipient is an outsourcee or has a contract, the route's evidence, the
    entrusted items and purposes, None where unlimited). None when more than one
    contract applies: which are in force then depends on the flow's start.
    """
    contracts = ctx.contracts_for(flow.to, flow.contract)
    if len(contracts) > 1:
        return None
    # With one contract or none, TP201's contracts "in force" are these on any start.
    recipient_ok = ctx.role(flow.to) == "outsourcee" or bool(contracts)
    evidence = _outsourcing_evidence(ctx, flow)
    items = _frozen(_contract_scope(contracts, "items"))
    purposes = _frozen(_contract_scope(contracts, "purposes"))
    return recipient_ok, evidence, items, purposes


def _frozen(scope):
    """TP201's scope as a frozenset (None, unlimited, stays None)."""
    return None if scope is None else frozenset(scope)


def _quick_succession(ctx, flow):
    if flow.event is None and (ctx.entity(flow.frm), ctx.entity(flow.to)) not in ctx.events_by_pair:
        return FAILS
    return None


def _check_succession(ctx):
    def check(flow):
        return _quick_succession(ctx, flow)
    return check


def _quick_exemption(route):
    def make(ctx):
        if route == "government":
            def check(flow):
                ex = flow.exemption
                ok = ctx.role(flow.to) == "public_body" and ex is not None and bool(ex.impediment)
                return _NO_EVIDENCE if ok else FAILS
        elif route == "law":
            def check(flow):
                ex = flow.exemption
                return _NO_EVIDENCE if ex is not None and ex.law else FAILS
        else:
            def check(flow):
                ex = flow.exemption
                return _NO_EVIDENCE if ex is not None and ex.consent_difficult else FAILS
        return check
    return make


def _quick_joint_use(ctx):
    # _closest: the route holds when a candidate meets every condition, and
    # cites the first that does. TP221, TP225, TP223, TP222 and TP224 in turn.
    pools: dict = {}  # (provider, named notice) -> the terms of its candidate notices
    names = ctx.names

    def check(flow):
        key = (flow.frm, flow.notice)
        pool = pools.get(key)
        if pool is None:
            # Notices never published or not stating every element never hold.
            pool = pools[key] = [
                (terms, notice) for notice in _notices_by_date(
                    ctx, "joint_use", flow.notice, names(flow.frm))
                for terms in [_notice_terms(ctx, flow, notice)]
                if terms[0] is not None and terms[1]]
        start = flow.start
        recipient = None
        for (published, _, members, items, purposes, evidence), notice in pool:
            if published > start:
                continue
            if recipient is None:
                recipient = names(flow.to)
            if recipient.isdisjoint(members):
                continue
            if items is not None and not items.issuperset(flow.items):
                continue
            if purposes is _REVISED:
                if TP224.count(ctx, flow, notice):
                    continue
            elif purposes is not None and not (
                    # every purpose listed, else every defined one (ctx.defined_purposes)
                    purposes.issuperset(flow.purposes)
                    or purposes.issuperset(ctx.defined_purposes(flow))):
                continue
            return evidence
        return FAILS
    return check


def _quick_opt_out(ctx):
    # As _quick_joint_use, for TP121, TP122, TP123, TP124 and TP125.
    pools: dict = {}  # named notice -> the terms of its candidate notices
    stopped = ctx.stops_by_flow

    def check(flow):
        pool = pools.get(flow.notice)
        if pool is None:
            pool = pools[flow.notice] = [
                (terms, notice) for notice in _notices_by_date(ctx, "opt_out", flow.notice)
                for terms in [_notice_terms(ctx, flow, notice)]
                if terms[0] is not None and terms[1]]
        start = flow.start
        for (published, _, items, methods, stops, evidence), notice in pool:
            if published > start:
                continue
            if items is not None and not items.issuperset(flow.items):
                continue
            if methods and flow.method not in methods:
                continue
            if (stops or flow.id in stopped) and TP125.count(ctx, flow, notice):
                continue
            return evidence
        return FAILS
    return check


#: A joint-use notice whose purposes change over time: TP224 counts them per flow.
_REVISED = object()


def _notice_terms(ctx, flow, notice) -> tuple:
    """What the notice itself decides of its route's conditions, once per notice:
    its date, whether it states every element (TP225/TP122), its members
    (joint use), the items it lists (None: TP222/TP123 do not apply), the
    purposes in force (joint use) or methods and stop requests (opt-out), and
    the evidence citing it.
    """
    key = ("notice-terms", notice.id)
    got = ctx.memo.get(key)
    if got is None:
        items = ctx.notice_sets(notice)[0] if notice.items else None
        evidence = _notice_evidence(ctx, notice)
        if notice.kind == "joint_use":
            purposes = (None if not notice.purposes else _REVISED if notice.revisions
                        else frozenset(notice.purposes))
            got = (notice.published_on, not TP225.count(ctx, flow, notice),
                   ctx.notice_sets(notice)[1], items, purposes, evidence)
        else:
            got = (notice.published_on, not TP122.count(ctx, flow, notice), items,
                   notice.methods, notice.id in ctx.stops_by_notice, evidence)
        ctx.memo[key] = got
    return got


def _notice_evidence(ctx, notice) -> dict:
    key = ("notice-evidence", notice.id)
    got = ctx.memo.get(key)
    if got is None:
        got = ctx.memo[key] = {"notice": notice.id}
    return got


def _quick_consent(ctx):
    # _Wants.short is 0 for each first consent of the plan: not late, not
    # withdrawn while the flow runs, every item and purpose covered. For all of
    # them at once: the plan's latest consent day, earliest withdrawal, and the
    # items and purposes every one of them covers (_Plan.common).
    names_of = _consent_names_table(ctx)[0]  # recipient -> its consent names
    plans: dict = {}
    groups_key, defined, as_of = ctx.groups_key, ctx.purposes, ctx.as_of

    def check(flow):
        named = tuple(flow.consents) if flow.consents else None
        groups = groups_key(flow)
        to = flow.to
        names = names_of.get(to)
        if names is None:
            names = _consent_names(ctx, to)
        key = (groups, names, named)
        plan = plans.get(key)
        if plan is None:
            plan = plans[key] = _consent_plan(ctx, *key)
        common = plan.common
        if common is None:
            return None
        latest, withdrawn, items, purposes = common
        start = flow.start
        if latest > start:  # TP102: a consent obtained after the start
            return None
        if withdrawn is not None:  # TP104: the flow ran on after a withdrawal
            end = flow.end
            if end is not None:
                if withdrawn < end:
                    return None
            elif withdrawn <= (as_of if as_of > start else start):  # ctx.horizon(flow)
                return None
        if not items.issuperset(flow.items):
            return None
        if not purposes.issuperset(flow.purposes):
            # Only the purposes the inventory defines count (ctx.defined_purposes).
            for p in flow.purposes:
                if p in defined and p not in purposes:
                    return None
        return plan.evidence
    return check


def _outsourcing(ctx, flow):
    found = TP201.condition(ctx, flow)
    missing = any(f.subject == "recipient" for f in found)
    return RouteResult("outsourcing", found, _outsourcing_evidence(ctx, flow), missing)


def _outsourcing_evidence(ctx, flow) -> dict:
    """The contract the outsourcing route names: the flow's own, else the recipient's only
    one (a contract binding another legal entity is none of its)."""
    contracts = ctx.contracts_for(flow.to, flow.contract)
    return {"contract": contracts[0].id} if len(contracts) == 1 else {}


def _succession(ctx, flow):
    found = TP211.condition(ctx, flow)
    event = TP211.event_for(ctx, flow)
    return RouteResult("succession", found, {"event": event} if event else {}, bool(found))


def _exemption(rule, route):
    def run(ctx, flow):
        found = rule.condition(ctx, flow)
        # Government has two conditions; the route lacks evidence only when both fail.
        missing = len(found) >= (2 if route == "government" else 1)
        return RouteResult(route, found, {}, missing)
    return run


def _academic(ctx, flow):
    return RouteResult("academic", TP114.condition(ctx, flow), {}, False)


def _closest(ctx, flow, candidates, conditions):
    """The candidate with fewest failures (then earliest date, then ID in natural order).

    ``candidates`` come in that order already (:func:`_notices_by_date`), so the
    search stops at the first one without failures: it is the minimum.
    """
    # Rules that can count their failures are scored without building
    # findings; only the chosen candidate's findings are built.
    counting = all(hasattr(cond, "count") for cond in conditions)
    best = None
    if not candidates:
        return None, []
    for cand in candidates:
        if counting:
            score = 0
            for cond in conditions:
                score += cond.count(ctx, flow, cand)
            found = None
        else:
            found = [f for cond in conditions for f in cond.condition(ctx, flow, cand)]
            score = len(found)
        if score == 0:
            return cand, []
        # Candidates are in (date, ID) order: the first of a score is the best of it.
        if best is None or score < best[0]:
            best = (score, cand, found)
    _, cand, found = best
    if found is None:
        found = [f for cond in conditions for f in cond.condition(ctx, flow, cand)]
    return cand, found


def _notices_by_date(ctx, kind, notice, members=None):
    """The notices of ``kind`` a flow may rest on, by date then ID: the one it
    names (``notice``), else all; for joint use only those listing one of
    ``members`` (the provider's names). Sorted once per check for each of
    these keys, not once per flow.
    """
    key = ("notices", kind, notice, members)
    got = ctx.memo.get(key)
    if got is None:
        if notice is not None:
            pool = [n for n in [ctx.notices[notice]] if n.kind == kind]
            if members is not None:
                pool = [n for n in pool if not members.isdisjoint(n.members or ())]
        elif members is not None:
            pool = ctx.joint_notices_listing(members)
        else:
            pool = {"opt_out": ctx.optout_notices, "joint_use": ctx.joint_notices}[kind]
        got = ctx.memo[key] = sorted(pool, key=lambda n: (n.published_on or _FAR, id_key(n.id)))
    return got


def _notice_route(ctx, flow, kind, missing_rule, conditions):
    """A route backed by a published notice: the named one, else the closest."""
    pool = _notices_by_date(ctx, kind, flow.notice)
    if not pool:
        return RouteResult(kind, [missing_rule.missing(ctx, flow)], {}, True)
    notice, found = _closest(ctx, flow, pool, conditions)
    return RouteResult(kind, found, {"notice": notice.id})


def _joint_use(ctx, flow):
    # Only notices that list the provider are joint-use evidence for it.
    pool = _notices_by_date(ctx, "joint_use", flow.notice, ctx.names(flow.frm))
    if not pool:
        return RouteResult("joint_use", [TP221.missing(ctx, flow)], {}, True)
    notice, found = _closest(ctx, flow, pool, (TP221, TP225, TP223, TP222, TP224))
    return RouteResult("joint_use", found, {"notice": notice.id})


def _opt_out(ctx, flow):
    return _notice_route(ctx, flow, "opt_out", TP121,
                         (TP121, TP122, TP123, TP124, TP125))


def _consent_search(ctx, flow) -> tuple:
    """What the consent route's search of ``flow`` reads: the consents it names (None:
    any), the recipient's names consents list, its :class:`_Plan`, its :class:`_Wants`,
    and whether the first consent of every group holds (the common case, at once)."""
    named = tuple(flow.consents) if flow.consents else None
    names = _consent_names(ctx, flow.to)
    plan = _consent_plan(ctx, ctx.groups_key(flow), names, named)
    wants = _Wants(ctx, flow)
    first = plan.first is not None and not any(wants.short(c, t) for c, t in plan.first)
    return named, names, plan, wants, first


def _consent(ctx, flow, once=False):
    named, names, plan, wants, first = _consent_search(ctx, flow)
    # The common case at once: every group has a consent naming the recipient,
    # and the first of each (a few distinct terms) holds.
    if first:
        return RouteResult("consent", [], {"consents": list(plan.first_used)}, False)
    found, used = [], []
    # With ``once``: (terms, recipient missed) of the closest consents whose
    # findings were TP103's alone. Another group's closest consent with the
    # same would give findings of exactly those IDs (TP103's IDs name the
    # recipient, items and purposes its terms miss; TP102 and TP104 depend on
    # the dates its terms hold), all of them dropped as repeats.
    repeats: set = set()
    for group, candidates in plan.groups():
        if not candidates.by_date:
            found.append(_no_consent(ctx, flow, group, named is not None))
            continue
        if once:
            consent, n = _closest_candidate(candidates, wants)
            used.append(consent.id)
            if n:
                key = (ctx.consent_terms(consent), names.isdisjoint(consent.recipients))
                if key not in repeats:
                    failures = [f for cond in _CONSENT_CONDITIONS
                                for f in cond.condition(ctx, flow, consent)]
                    if all(f.rule == "TP103" for f in failures):
                        repeats.add(key)
                    found.extend(failures)
            continue
        consent, failures = _closest_consent(ctx, flow, candidates, wants)
        found.extend(failures)
        used.append(consent.id)
    # Evidence for the closest-route ranking (README, reading 10): a consent of some
    # group the flow carries, or one naming the recipient for other people (the trial of
    # round 15: a consent naming the vendor ranked after an unrelated joint-use notice).
    missing = not used and not names
    if once:
        found = first_of_each(found)
    return RouteResult("consent", found, {"consents": sorted(set(used))} if used else {},
                       missing)


def consent_holds(ctx, flow) -> bool:
    """Whether the consent route holds for ``flow``: ``holding(ctx, flow, "consent")
    is not None``, without building a finding or a message. Each group's closest
    consent is found by counting its failures (:func:`_closest_candidate`), and
    the search stops at the first group with none that holds.

    The law pack asks it of every flow abroad (Art. 28 relies on a consent that
    holds, whatever route the policy took): building the findings of the consents
    that fail, to throw them away, was most of a check of 200,000 foreign
    outsourcings (the review of round 13: 10 s, against 4.5 s without the pack).

    Example:
        >>> from lineage.rules.context import Context
        >>> from lineage.rules.examples import build_example
        >>> ctx = Context(build_example(TP103.fail.inventory))
        >>> consent_holds(ctx, ctx.flows["F1"]), holding(ctx, ctx.flows["F1"], "consent")
        (False, None)
        >>> ctx = Context(build_example(TP103.passing.inventory))
        >>> consent_holds(ctx, ctx.flows["F1"]), holding(ctx, ctx.flows["F1"], "consent")
        (True, {'consents': ['K1']})
    """
    _named, _names, plan, wants, first = _consent_search(ctx, flow)
    if first:
        return True
    held = False  # no group at all: the route has no evidence (missing)
    for _group, candidates in plan.groups():
        if not candidates.by_date or _closest_candidate(candidates, wants)[1]:
            return False
        held = True
    return held


def consent_once(ctx, flow) -> RouteResult:
    """``evaluate(ctx, flow, "consent")`` with only the first finding of each ID
    (as the check keeps them), without building the repeats: the closest
    consents of several groups often miss the same items alike.

    Example:
        >>> from lineage.rules.context import Context
        >>> from lineage.rules.examples import build_example
        >>> ctx = Context(build_example(TP103.fail.inventory))
        >>> result = consent_once(ctx, ctx.flows["F1"])
        >>> [f.id for f in result.findings], result.evidence
        (['TP103:F1:phone'], {'consents': ['K1']})
    """
    return _consent(ctx, flow, once=True)


_CONSENT_CONDITIONS = (TP103, TP102, TP104)


class _Plan:
    """The consent search for flows to one recipient carrying one set of groups.

    When every group has a consent naming the recipient, ``first`` holds the
    first such consent of each group (by date, then ID), one ``(consent,
    terms)`` per distinct terms, and ``first_used`` their IDs as the route's
    evidence: if none of these terms falls short for a flow, the search of
    every group stops at its first candidate, and the route holds with exactly
    that evidence. Otherwise :meth:`groups` gives each group's candidates
    (:func:`_consent_candidates`), worked out only then.
    """

    __slots__ = ("_ctx", "_groups", "_names", "_named", "first", "first_used", "evidence",
                 "common")

    def __init__(self, ctx, groups, names, named):
        self._ctx, self._groups, self._names, self._named = ctx, groups, names, named
        self.first = self.first_used = self.evidence = self.common = None
        firsts = [_first_likely(ctx, group, names, named) for group in groups]
        if all(c is not None for c in firsts):
            by_terms: dict = {}
            for c in firsts:
                by_terms.setdefault(ctx.consent_terms(c), c)
            self.first = [(c, t) for t, c in by_terms.items()]
            self.first_used = sorted({c.id for c in firsts})
            #: The route's evidence when the first consents hold (shared by those flows).
            self.evidence = {"consents": list(self.first_used)}
            #: What every first consent allows: a flow starting on or after the
            #: latest day one was obtained, ending before the earliest withdrawal
            #: (None: none withdrawn), within the items and purposes all cover.
            first = [c for c, _ in self.first]
            withdrawn = [c.withdrawn_on for c in first if c.withdrawn_on is not None]
            self.common = (max(c.obtained_on for c in first), min(withdrawn, default=None),
                           frozenset.intersection(*(ctx.consent_sets(c)[0] for c in first)),
                           frozenset.intersection(*(ctx.consent_sets(c)[1] for c in first)))

    def groups(self) -> list:
        """``(group, candidates)`` for each group."""
        return [(group, _consent_candidates(self._ctx, group, self._names, self._named))
                for group in self._groups]


def _first_likely(ctx, group, names, named):
    """The first consent (by date, then ID) of ``group`` naming one of ``names``
    (the recipient's, :func:`_consent_names`), or None: the ``likely[0]`` of
    :func:`_consent_candidates`, without building the rest."""
    if named is None and group is not None:
        return min(ctx.consents_naming(group, names), key=_consent_order, default=None)
    return next((c for c in _consents_by_date(ctx, group, named)
                 if not names.isdisjoint(c.recipients)), None)


def _consent_plan(ctx, groups, names, named) -> _Plan:
    """The :class:`_Plan` for flows to a recipient whose consent names are
    ``names`` (:func:`_consent_names`) carrying ``groups`` (``(None,)`` when
    none is known), among ``named`` consents if the flow names some.

    Flows to recipients that consents name alike usually carry the same
    groups: one look-up per flow instead of one per group.
    """
    key = ("consent-plan", groups, names, named)
    got = ctx.memo.get(key)
    if got is None:
        got = ctx.memo[key] = _Plan(ctx, groups or (None,), names, named)
    return got


def _consent_names_table(ctx) -> tuple[dict, dict, frozenset]:
    """:func:`_consent_names`' tables: recipient -> its consent names, the
    distinct values, and every name a consent lists as a recipient."""
    table = ctx.memo.get(("consent-names",))
    if table is None:
        table = ctx.memo[("consent-names",)] = ({}, {}, frozenset(
            r for c in ctx.inv.consents for r in c.recipients))
    return table


def _consent_names(ctx, to) -> frozenset:
    """The names of ``to`` (:meth:`Context.names`) that some consent lists as a
    recipient. The consent search looks at a recipient only through these (is
    it among a consent's recipients?), so recipients with equal ones share
    every search: one frozenset per distinct value.

    Example:
        >>> from lineage.rules.context import Context
        >>> from lineage.rules.examples import build_example
        >>> ctx = Context(build_example(TP103.passing.inventory))
        >>> sorted(ctx.names("partner")), sorted(_consent_names(ctx, "partner"))
        (['partner', 'partners'], ['partners'])
    """
    by_party, values, listed = _consent_names_table(ctx)
    got = by_party.get(to)
    if got is None:
        party = ctx.parties.get(to)
        if (party is not None and to not in listed
                and len(ctx.parties_by_entity[ctx._entity[to]]) == 1):
            # The only party of its legal entity, not listed by its ID: its
            # groups alone decide (a hundred thousand recipients, a few groups).
            key = ("groups", *party.groups)
            got = values.get(key)
            if got is None:
                names = listed.intersection(party.groups)
                got = values[key] = values.setdefault(names, names)
        else:
            # Not through ctx.names, which keeps each party's names: a hundred
            # thousand recipients would each keep a set only this one asks for.
            names = ctx.party_names(to) & listed
            got = values.setdefault(names, names)
        by_party[to] = got
    return got


class _Wants:
    """What a flow needs a consent to cover, and how far each consent falls short:
    built once per flow, not once per candidate consent.

    Example:
        >>> from lineage.rules.context import Context
        >>> from lineage.rules.examples import build_example
        >>> ctx = Context(build_example(TP103.fail.inventory))
        >>> w = _Wants(ctx, ctx.flows["F1"])
        >>> w.items, w.purposes
        (['name', 'phone'], ['ads'])
    """

    __slots__ = ("ctx", "flow", "items", "purposes", "_short")

    def __init__(self, ctx, flow):
        self.ctx, self.flow = ctx, flow
        # Lists, tested against each consent's sets (no set built per flow).
        self.items = flow.items
        self.purposes = ctx.defined_purposes(flow)
        # Failures by consent terms (:meth:`Context.consent_terms`): the groups'
        # consents often share one form, and only the terms decide these.
        self._short: dict[int, int] = {}

    def short(self, consent, terms: int) -> int:
        """How many conditions fail for ``consent`` (whose terms are ``terms``)
        that the consent's terms decide: the items and purposes it misses
        (TP103 without the recipient), a late consent (TP102), a withdrawal
        (TP104).

        Example:
            >>> from lineage.rules.context import Context
            >>> from lineage.rules.examples import build_example
            >>> ctx = Context(build_example(TP103.fail.inventory))
            >>> flow, k1 = ctx.flows["F1"], ctx.consents["K1"]
            >>> _Wants(ctx, flow).short(k1, ctx.consent_terms(k1))
            1
        """
        got = self._short.get(terms)
        if got is None:
            ctx, flow = self.ctx, self.flow
            got = TP102.count(ctx, flow, consent) + TP104.count(ctx, flow, consent)
            items, purposes = ctx.consent_sets(consent)
            if not (items.issuperset(self.items) and purposes.issuperset(self.purposes)):
                got += TP103.count_terms(ctx, flow, consent)
            self._short[terms] = got
        return got


class _Candidates:
    """The consents a flow to one recipient may rest on for one group, in the
    orders the search tries them (see :func:`_consent_candidates`).

    ``by_date`` holds every candidate consent by date then ID. The search
    takes candidates as ``(consent, terms, missed, rank)``: its
    :meth:`Context.consent_terms`, 1 when it does not name the recipient
    (TP103's recipient finding) else 0, and its rank among equally close
    consents (date, that 0 or 1, ID). ``likely`` holds those naming the
    recipient, by date then ID; :meth:`others` the rest, by date then ID, the
    first of each distinct terms (needed only when no likely consent holds, so
    built on first use).
    """

    __slots__ = ("likely", "by_date", "_ctx", "_names", "_others")

    def __init__(self, ctx, likely, by_date, names):
        self._ctx, self._names = ctx, names
        self.likely = [self._entry(c) for c in likely]
        self.by_date = by_date
        self._others = None

    def _entry(self, consent) -> tuple:
        missed = int(self._names.isdisjoint(consent.recipients))
        date, key = _consent_order(consent)
        # The rank among equally close consents: date, then naming the recipient, then ID.
        return consent, self._ctx.consent_terms(consent), missed, (date, missed, key)

    def others(self) -> list:
        """The entries of the candidates not naming the recipient, by date then
        ID, the first of each distinct terms only (kept: candidates are shared
        by every recipient with the same consent names).

        Each of them fails TP103's recipient condition once, and the rest of
        its failures depend on its terms alone (:meth:`_Wants.short`): of two
        with equal terms the later never comes closer, so the search need not
        look at it.
        """
        if self._others is None:
            names = self._names
            seen: set = set()
            self._others = []
            for c in self.by_date:
                if names.isdisjoint(c.recipients):
                    entry = self._entry(c)
                    if entry[1] not in seen:
                        seen.add(entry[1])
                        self._others.append(entry)
        return self._others


def _consent_candidates(ctx, group, names, named) -> _Candidates:
    """The consents a flow may rest on for ``group``, to a recipient whose
    consent names are ``names`` (:func:`_consent_names`; ``named``: the IDs
    the flow names, or None).

    Only the group, the names and the named IDs decide them, so they are
    worked out once per check for all the flows that share these three.
    """
    key = ("consent", group, names, named)
    got = ctx.memo.get(key)
    if got is None:
        by_date = _consents_by_date(ctx, group, named)
        if named is None and group is not None:
            # Through the index: a group may have many consents, a recipient few names.
            likely = sorted(ctx.consents_naming(group, names), key=_consent_order)
        else:
            likely = [c for c in by_date if not names.isdisjoint(c.recipients)]
        got = ctx.memo[key] = _Candidates(ctx, likely, by_date, names)
    return got


def _consent_order(consent):
    return consent.obtained_on or _FAR, id_key(consent.id)


def _consents_by_date(ctx, group, named):
    """The consents of ``group`` (among ``named``, if given) by date, then ID."""
    key = ("consent-by-date", group, named)
    got = ctx.memo.get(key)
    if got is None:
        if named is not None:
            pool = [c for c in (ctx.consents[i] for i in named)
                    if group is None or c.subjects == group]
        elif group is None:
            pool = ctx.inv.consents
        else:
            pool = ctx.consents_by_subject.get(group, [])
        got = ctx.memo[key] = sorted(pool, key=_consent_order)
    return got


def _closest_consent(ctx, flow, candidates, wants):
    """:func:`_closest` for the consents of one group (:class:`_Candidates`): the
    first that meets every condition, else the one with fewest failures, then
    earliest date, then naming the recipient, then ID.

    Consents naming the recipient come first, so a lawful flow never looks at
    the group's other consents. Those fail at least once (TP103's recipient):
    once one of them could only tie with the best so far and comes later by
    date and ID, so do all the rest, and the search stops.
    """
    cand, n = _closest_candidate(candidates, wants)
    if not n:
        return cand, []
    return cand, [f for cond in _CONSENT_CONDITIONS for f in cond.condition(ctx, flow, cand)]


def _closest_candidate(candidates, wants) -> tuple:
    """:func:`_closest_consent`'s consent and its number of failures (its
    findings), without building them; ``(None, 0)`` without candidates.

    Of consents equally close on the same date, one naming the recipient wins
    over one that does not (README, "How we read the specification", item 17):
    the user wrote it for this recipient, so its failure is the one to report.
    """
    best = None  # (failures, rank, consent) of the closest so far
    for cand, terms, missed, rank in candidates.likely:
        n = missed + wants.short(cand, terms)
        if n == 0:
            return cand, 0
        # In rank order: a later one is closer only with fewer failures.
        if best is None or n < best[0]:
            best = (n, rank, cand)
    for cand, terms, missed, rank in candidates.others():
        if best is not None and (missed > best[0] or (missed == best[0] and rank > best[1])):
            break
        n = missed + wants.short(cand, terms)
        if n == 0:
            return cand, 0
        if best is None or n < best[0] or (n == best[0] and rank < best[1]):
            best = (n, rank, cand)
    if best is None:
        return None, 0
    return best[2], best[0]


def _no_consent(ctx, flow, group, named):
    # "none of the consents the flow names" where it names some (the trial of round 14
    # could not parse "no consent from X, whose data the flow carries among the ...")
    if group is None:
        return TP101.finding(flow, message="none of the consents the flow names covers this "
                                           "provision" if named else
                                           "no consent covers this provision",
                             message_ja="この提供に対応する本人の同意がありません")
    none = "none of the consents the flow names is" if named else "no consent"
    since = _group_arrives(ctx, flow, group)
    items, path = _group_items(ctx, flow, group)
    why, why_ja = _group_because(items, path, group)
    # The finding concerns the group's items, and its evidence is the way the
    # first of them came (a CI gate or a waiver reads these, not the message).
    evidence = {"path": [*path, flow.id]} if path else None
    if since is not None:  # counted up to the provision's end: not held on the audit date
        return TP101.finding(
            flow, subject=group, items=items, evidence=evidence,
            message=f"{none} from {group}, whose data the flow will carry from {since}{why}",
            message_ja=f"{since} から提供される本人 {group} のデータについて、同意がありません"
                       f"{why_ja}")
    return TP101.finding(flow, subject=group, items=items, evidence=evidence,
                         message=f"{none} from {group}, whose data the flow carries{why}",
                         message_ja=f"データを提供される本人 {group} の同意がありません{why_ja}")


def _group_items(ctx, flow, group) -> tuple[list, list]:
    """The flow's items that came from ``group`` by its last day, in the flow's
    order, and the flows by which the first of them reached the sender (empty
    where lineage shows none).

    Example:
        >>> from lineage.rules.context import Context
        >>> from lineage.rules.examples import build_example
        >>> ctx = Context(build_example(
        ...     "{flows: [{id: F1, from: mc, to: partner, items: [name, email], "
        ...     "basis: consent, start: 2025-01-01}]}"))
        >>> _group_items(ctx, ctx.flows["F1"], "customers")
        (['name', 'email'], ['C1'])
    """
    table, last = ctx._holdings_of(flow.frm), ctx.recorded_last_day(flow)
    items = [i for i in flow.items
             if any(g == group and day <= last for day, g in table.get(i, ()))]
    if not items or group not in ctx.entity_reach:
        return items, []
    return items, ctx.entity_reach[group].path(flow.frm, items[0])


def _group_because(items: list, path: list, group: str) -> tuple[str, str]:
    """Why the flow carries ``group``'s data (:func:`_group_items`), said in the
    message (the trial of round 13: one item kept for every group made a group
    count that the flow seemed not to concern, and nothing said why). ``("", "")``
    when lineage shows no item.

    Example:
        >>> _group_because(["email"], ["C2"], "members")[0]
        ' (its email came from members by C2)'
    """
    if not items:
        return "", ""
    shown = ", ".join(items)
    by = f" by {' > '.join(path)}" if path else ""
    by_ja = f"{' > '.join(path)} で " if path else ""
    return (f" (its {shown} came from {group}{by})",
            f"（{shown} は {by_ja}{group} から取得されたものです）")


def _group_arrives(ctx, flow, group):
    """The day ``group``'s data of the flow's items first reach its sender, when that
    is after the audit date (the groups are counted up to the provision's end, also
    one after it), else None."""
    table = ctx._holdings_of(flow.frm)
    first = min((day for i in flow.items for day, g in table.get(i, ()) if g == group),
                default=None)
    return first if first is not None and first > ctx.as_of else None


_SCORE = {
    "succession": _score_succession,
    "joint_use": _score_notice("joint_use", (TP221, TP225, TP223, TP222, TP224)),
    "law": _score_exemption("law"),
    "life": _score_exemption("life"),
    "public_health": _score_exemption("public_health"),
    "government": _score_exemption("government"),
    "opt_out": _score_notice("opt_out", (TP121, TP122, TP123, TP124, TP125)),
    "consent": _score_consent,
}

_QUICK = {
    "outsourcing": _quick_outsourcing,
    "succession": _check_succession,
    "joint_use": _quick_joint_use,
    "law": _quick_exemption("law"),
    "life": _quick_exemption("life"),
    "public_health": _quick_exemption("public_health"),
    "government": _quick_exemption("government"),
    "opt_out": _quick_opt_out,
    "consent": _quick_consent,
}

_ROUTES = {
    "outsourcing": _outsourcing,
    "succession": _succession,
    "joint_use": _joint_use,
    "law": _exemption(TP111, "law"),
    "life": _exemption(TP112, "life"),
    "public_health": _exemption(TP112, "public_health"),
    "government": _exemption(TP113, "government"),
    "academic": _academic,
    "opt_out": _opt_out,
    "consent": _consent,
}
