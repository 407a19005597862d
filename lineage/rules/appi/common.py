"""What every rule of the law pack shares: the pack's base class and its dates.

Example:
    >>> from lineage.rules.appi.AP231 import AP231
    >>> AP231.pack, AP231.packs, str(AP231.clause)
    ('appi', ('policy', 'appi'), 'Art. 29')
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from ..base import Rule
from ..context import add_days
from .notice_terms import concerns, late_revisions, opt_out_lacks, responsible_given

__all__ = ["LawRule", "ACT", "ACT_JA", "YEAR", "EXEMPT_ROUTES", "PROVISION_ROUTES",
           "ADEQUATE", "within_year", "notice_of", "exemption"]

#: How messages name the Act (English: its usual abbreviation).
ACT = "APPI"
ACT_JA = "個人情報保護法"

#: "12 months" are 365 days (rules.md, Dates).
YEAR = dt.timedelta(days=365)

#: Routes of a 27(1) exemption (the academic ones included).
EXEMPT_ROUTES = ("law", "life", "public_health", "government", "academic")

#: Routes on which a flow is a provision to someone else (not internal, not a
#: collection, not the person's own data, not a non-provision).
PROVISION_ROUTES = ("outsourcing", "succession", "joint_use", "law", "life", "public_health",
                    "government", "academic", "opt_out", "consent", "none")


#: Countries outside Japan that need no Art. 28 basis: the EU, the EEA and the UK
#: (ISO 3166 alpha-2; Greece is GR, the UK is GB).
ADEQUATE = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
    "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",  # EU
    "IS", "LI", "NO",  # EEA
    "GB",  # UK
})


def within_year(day: dt.date | None, until: dt.date) -> bool:
    """Whether ``day`` lies in the 12 months (365 days) up to ``until``, both inclusive.

    A date after ``until`` does not count: a check cannot be dated in the future.

    Example:
        >>> d = dt.date(2026, 11, 1)
        >>> [within_year(x, d) for x in (dt.date(2025, 11, 1), dt.date(2025, 10, 31),
        ...                              d, dt.date(2026, 11, 2), None)]
        [True, False, True, False, False]
    """
    return day is not None and add_days(until, -YEAR.days) <= day <= until


def exemption(ctx, flow) -> str | None:
    """The 27(1) exemption ``flow`` rests on, as AP241 and AP251 read the Act's
    exceptions (Art. 30(1) proviso, Art. 31(1)), or None.

    Its declared basis when that is an exemption route that holds with its
    justification recorded, as the policy judges it (a law cited, ...); the
    academic exemptions, outside the policy's list (TP114), when an academic
    party is at one end (AP271's test). A flow declaring no basis rests on the
    first of ``law``, ``life``, ``public_health``, ``government`` whose
    justification is recorded (in ``exemption``).

    Example:
        >>> from lineage.rules import context, examples
        >>> ctx = context.Context(examples.build_example(
        ...     "{parties: [{id: uni, role: academic}], flows: ["
        ...     "{id: F1, from: mc, to: uni, items: [name], basis: academic, start: 2025-01-01},"
        ...     "{id: F2, from: mc, to: partner, items: [name], basis: academic, start: 2025-01-01},"
        ...     "{id: F3, from: mc, to: police, items: [name], start: 2025-01-01,"
        ...     " exemption: {law: 刑事訴訟法第197条第2項}},"
        ...     "{id: F4, from: mc, to: police, items: [name], basis: law, start: 2025-01-01}]}"))
        >>> [exemption(ctx, ctx.flows[f]) for f in ("F1", "F2", "F3", "F4")]
        ['academic', None, 'law', None]
    """
    from ..routes import holding  # (the routes import the rules: not at import time)
    if flow.basis is not None:
        if flow.basis == "academic":
            return "academic" if "academic" in (ctx.role(flow.frm), ctx.role(flow.to)) else None
        if flow.basis in EXEMPT_ROUTES and holding(ctx, flow, flow.basis) is not None:
            return flow.basis
        return None
    if flow.exemption is None:
        return None
    for route in EXEMPT_ROUTES[:4]:
        if holding(ctx, flow, route) is not None:
            return route
    return None

def notice_of(ctx, judged, flow):
    """The notice the flow's route rests on (the route's evidence), or None.

    rules.md, "Notice rules need a notice": where the route rests on a notice
    the flow does not name and TP121/TP221 report that (no notice, or one
    published after the flow started), the law pack's notice rules stay silent.
    A notice the flow names, or one the search found in time, is read.

    Example:
        >>> from lineage.rules import context, engine, examples
        >>> from lineage.rules.appi.AP203 import AP203
        >>> ctx = context.Context(examples.build_example(AP203.fail.inventory))
        >>> judged = {f.id: engine.judge(ctx, f)[0] for f in ctx.inv.flows}
        >>> notice_of(ctx, judged, ctx.flows["F1"]).id, notice_of(ctx, judged, ctx.flows["C1"])
        ('N1', None)
    """
    notice = judged[flow.id].evidence.get("notice")
    found = ctx.notices.get(notice) if notice else None
    if found is None or notice == flow.notice:
        return found
    # A notice the search found for a flow that names none: where the policy pack
    # reports it (TP121/TP221: published after the flow started, or never), the Act's
    # details of that notice are not judged as well.
    if found.published_on is None or found.published_on > flow.start:
        return None
    return _act_notice(ctx, judged[flow.id].route, flow, found)


def _act_notice(ctx, route: str, flow, found):
    """The notice the Act's notice rules read for a flow naming none: the one the
    route's search found (the earliest), unless it fails the Act and another notice
    that also makes the route hold meets it. A company with a complete, filed notice
    beside an older one meeting only the policy is not told it breaks the Act (the
    audit of round 13)."""
    if route not in ("opt_out", "joint_use") or meets_act(ctx, flow, found):
        return found
    # To data subjects, the route holds for the provision: the items not their own
    # (rules.md step 2; the audit of round 14: their own items made a complete
    # notice that does not list them fail, and the older notice was read).
    flow = ctx.provision(flow)
    # Flows alike share the answer; a notice not listing the flow's items cannot make
    # its route hold, and is passed over without evaluating the route (the review of
    # round 13: every notice was tried for every flow, 13x slower at 50,000 flows).
    key = ("act-notice", route, found.id, flow.frm, flow.to, frozenset(flow.items),
           frozenset(flow.purposes), flow.method, flow.start, ctx.recorded_last_day(flow))
    got = ctx.memo.get(key)
    if got is None:
        got = ctx.memo[key] = _other_notice(ctx, route, flow, found)
    return got


def _other_notice(ctx, route: str, flow, found):
    """:func:`_act_notice`'s search: the first notice by date, then ID, that lists the
    flow's items, meets the Act and makes the route hold; else ``found``."""
    from ..routes import holding  # (the routes import the rules: not at import time)
    from ...terms import id_key
    pool = ctx.optout_notices if route == "opt_out" else ctx.joint_notices
    far, items = dt.date.max, set(flow.items)
    for other in sorted(pool, key=lambda n: (n.published_on or far, id_key(n.id))):
        if (other is not found and other.items and items.issubset(other.items)
                and meets_act(ctx, flow, other) and holding(
                    ctx, flow.model_copy(update={"notice": other.id}), route) is not None):
            return other
    return found


def meets_act(ctx, flow, notice) -> bool:
    """Whether ``notice`` gives no finding of the Act's notice rules for ``flow``: an
    opt-out notice with every element of AP201, filed and published strictly before
    the start (AP201, AP203); a joint-use notice giving the responsible person's
    address and representative while the flow runs (AP211), with no revision
    notified too late for it (AP212).

    Example:
        >>> from lineage.rules import context, examples
        >>> from lineage.rules.appi.AP201 import AP201
        >>> ctx = context.Context(examples.build_example(AP201.passing.inventory))
        >>> meets_act(ctx, ctx.flows["F1"], ctx.notices["N1"])
        True
    """
    if notice.kind == "opt_out":
        start, published, filed = flow.start, notice.published_on, notice.ppc_filed_on
        return (published is not None and published < start and filed is not None
                and filed < start and not opt_out_lacks(notice))
    # Per notice and the flow's days: a million joint-use flows share a few keys.
    key = ("act-joint", notice.id, flow.start, ctx.recorded_last_day(flow))
    got = ctx.memo.get(key)
    if got is None:
        got = ctx.memo[key] = _joint_meets(ctx, flow, notice)
    return got


def _joint_meets(ctx, flow, notice) -> bool:
    return responsible_given(ctx, flow, notice) and not any(
        concerns(ctx, flow, rev) for rev, *_ in late_revisions(ctx, notice))


class LawRule(Rule):
    """Base of the law pack's rules: a flow is judged only if the pack judges it.

    Example:
        >>> from lineage.rules.appi.AP231 import AP231
        >>> issubclass(AP231, LawRule), AP231.kind
        (True, 'record')
    """

    pack: ClassVar[str] = "appi"
    #: What the Act requires, in one English sentence (our gloss, not the Act's words).
    gloss: ClassVar[str]
    #: The packs a rule's examples run with: both, so an example shows the policy's view too.
    packs: ClassVar[tuple[str, ...]] = ("policy", "appi")

    @classmethod
    def flows(cls, ctx, judged, routes=None):
        """The flows this pack judges, in inventory order, limited to ``routes``.

        Example:
            >>> from lineage.rules import context, engine, examples
            >>> from lineage.rules.appi.AP231 import AP231
            >>> ctx = context.Context(examples.build_example(AP231.fail.inventory))
            >>> judged = {f.id: engine.judge(ctx, f)[0] for f in ctx.inv.flows}
            >>> [f.id for f in AP231.flows(ctx, judged, ("consent",))]
            ['F1']
        """
        flows, by_route = ctx.judged_flows(judged, "appi")
        if routes is None:
            yield from flows
        elif len(routes) == 1:
            yield from by_route.get(routes[0], ())
        else:
            yield from (f for f in flows if judged[f.id].route in routes)
