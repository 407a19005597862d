"""Art. 28: which basis a provision to a foreign recipient rests on (one per flow).

rules.md, "Art. 28, one basis per flow": for a recipient in a country outside
Japan and the EU/EEA/UK, in this order: a 27(1) exemption needs nothing more;
else a recipient with ``equivalent_system`` relies on it (AP223 when it was not
checked within the 12 months up to the audit date); else a ``consent`` route
that holds needs ``foreign_info_given`` (AP222); else AP221 (a declared
consent that no consent covers is no consent to rely on).

Example:
    >>> from lineage.rules import context, engine, examples
    >>> from lineage.rules.appi.AP221 import AP221
    >>> ctx = context.Context(examples.build_example(AP221.fail.inventory))
    >>> judged = {f.id: engine.judge(ctx, f)[0] for f in ctx.inv.flows}
    >>> basis(ctx, judged, ctx.flows["F1"]), basis(ctx, judged, ctx.flows["C1"])
    ('none', None)
"""

from __future__ import annotations

from .common import ADEQUATE, EXEMPT_ROUTES, PROVISION_ROUTES

__all__ = ["foreign", "basis", "abroad", "relied_consents"]


def foreign(ctx, party: str) -> str | None:
    """The recipient's country when Art. 28 applies to it (outside JP and EU/EEA/UK).

    Example:
        >>> from lineage.rules import context, examples
        >>> ctx = context.Context(examples.build_example(
        ...     "{parties: [{id: ph, country: PH}, {id: fr, country: FR}]}"))
        >>> foreign(ctx, "ph"), foreign(ctx, "fr"), foreign(ctx, "partner")
        ('PH', None, None)
    """
    country = ctx.parties[party].country
    return None if country == "JP" or country in ADEQUATE else country


def basis(ctx, judged, flow) -> str | None:
    """``exemption``, ``equivalent_system``, ``consent`` or ``none``; None when Art. 28
    does not apply (not a provision, or a recipient in Japan or the EU/EEA/UK).

    Example:
        >>> from lineage.rules import context, engine, examples
        >>> from lineage.rules.appi.AP223 import AP223
        >>> ctx = context.Context(examples.build_example(AP223.fail.inventory))
        >>> judged = {f.id: engine.judge(ctx, f)[0] for f in ctx.inv.flows}
        >>> basis(ctx, judged, ctx.flows["F1"])
        'equivalent_system'
    """
    route = judged[flow.id].route
    if route not in PROVISION_ROUTES or foreign(ctx, flow.to) is None:
        return None
    if route in EXEMPT_ROUTES:
        return "exemption"
    if ctx.parties[flow.to].equivalent_system is not None:
        return "equivalent_system"
    if _consent_holds(ctx, flow):
        # Art. 28 asks for the person's consent to the provision abroad, whatever
        # route satisfies Art. 27: an outsourcing to a foreign recipient covered by a
        # consent relies on it (the audit of round 13: AP221 asked for a consent
        # already recorded, unless the flow declared basis: consent).
        return "consent"
    return "none"


def relied_consents(ctx, judged, flow) -> tuple:
    """The consents a flow on the ``consent`` basis of Art. 28 relies on: its route's
    evidence on the consent route, else those the consent route finds for it.

    Example:
        >>> from lineage.rules import context, engine, examples
        >>> from lineage.rules.appi.AP222 import AP222
        >>> ctx = context.Context(examples.build_example(AP222.fail.inventory))
        >>> judged = {f.id: engine.judge(ctx, f)[0] for f in ctx.inv.flows}
        >>> relied_consents(ctx, judged, ctx.flows["F1"])
        ('K1',)
    """
    judgement = judged[flow.id]
    if judgement.route == "consent":
        return tuple(judgement.evidence.get("consents", ()))
    from ..routes import holding  # (the routes import the rules: not at import time)
    evidence = holding(ctx, ctx.provision(flow), "consent") or {}
    return tuple(evidence.get("consents", ()))


def _consent_holds(ctx, flow) -> bool:
    """Whether the consent route holds (TP101-TP104 all met) for the flow as a
    provision (:meth:`Context.provision`: to data subjects, the items not their
    own), as the policy judged it. A flow declaring consent that no consent
    covers relies on no consent to the provision abroad: AP221, not AP222, which
    reads a consent that exists. Asked for each flow to a foreign recipient on
    the consent route, once."""
    from ..routes import consent_holds  # (the routes import the rules: not at import time)
    key = ("foreign-consent", flow.id)
    got = ctx.memo.get(key)
    if got is None:
        got = ctx.memo[key] = consent_holds(ctx, ctx.provision(flow))
    return got


def abroad(ctx) -> frozenset:
    """The parties :func:`foreign` names a country for: a flow to anyone else
    has no Art. 28 basis to check (:func:`basis` is None), so the rules skip
    it with a set test. Worked out once per check.

    Example:
        >>> from lineage.rules import context, examples
        >>> ctx = context.Context(examples.build_example(
        ...     "{parties: [{id: ph, country: PH}, {id: fr, country: FR}]}"))
        >>> sorted(abroad(ctx))
        ['ph']
    """
    got = ctx.memo.get(("abroad",))
    if got is None:
        got = ctx.memo[("abroad",)] = frozenset(p for p in ctx.parties
                                                if foreign(ctx, p) is not None)
    return got
