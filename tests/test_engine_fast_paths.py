"""The engine's shortcuts give exactly what the careful search gives.

The routes sort candidates once per check (keyed on the group, recipient and
named records), judge consents with equal terms once per flow, and stop at the
first candidate that holds. The careful search below is the plain definition
(rules.md, "Routes"): every candidate, sorted per flow, every condition
counted. Both run over generated inventories and over small cases where two
flows share every key of a cache but must still be judged apart.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings

from inventory_strategies import build, inventories
from lineage.rules import engine, routes
from lineage.rules.context import Context
from lineage.rules.examples import build_example
from lineage.rules.policy.TP102 import TP102
from lineage.rules.policy.TP103 import TP103
from lineage.rules.policy.TP104 import TP104
from lineage.rules.policy.TP121 import TP121
from lineage.rules.policy.TP122 import TP122
from lineage.rules.policy.TP123 import TP123
from lineage.rules.policy.TP124 import TP124
from lineage.rules.policy.TP125 import TP125
from lineage.rules.policy.TP221 import TP221
from lineage.rules.policy.TP222 import TP222
from lineage.rules.policy.TP223 import TP223
from lineage.rules.policy.TP224 import TP224
from lineage.rules.policy.TP225 import TP225
from lineage.terms import id_key

_FAR = dt.date.max


def _careful_closest(ctx, flow, candidates, conditions, date_of, likely=None):
    def order(c):
        return (not likely(c) if likely else False, date_of(c) or _FAR, id_key(c.id))

    best = None
    for cand in sorted(candidates, key=order):
        found = [f for cond in conditions for f in cond.condition(ctx, flow, cand)]
        # README item 17: on the same date, one naming the recipient before one that does not.
        key = (len(found), date_of(cand) or _FAR, not likely(cand) if likely else False,
               id_key(cand.id))
        if best is None or key < best[0]:
            best = (key, cand, found)
    return (None, []) if best is None else (best[1], best[2])


def careful_consent(ctx, flow):
    groups = ctx.groups_of(flow) or [None]
    named = [ctx.consents[c] for c in flow.consents] if flow.consents else None
    names = ctx.names(flow.to)
    found, used = [], []
    for group in groups:
        if named is not None:
            pool = [c for c in named if group is None or c.subjects == group]
        elif group is None:
            pool = list(ctx.inv.consents)
        else:
            pool = [c for c in ctx.inv.consents if c.subjects == group]
        if not pool:
            found.append(routes._no_consent(ctx, flow, group, named is not None))
            continue
        likely = [c for c in pool if not names.isdisjoint(c.recipients)]
        conditions = (TP103, TP102, TP104)
        consent, failures = _careful_closest(ctx, flow, likely, conditions,
                                             lambda c: c.obtained_on)
        if failures or not likely:
            consent, failures = _careful_closest(
                ctx, flow, pool, conditions, lambda c: c.obtained_on,
                likely=lambda c: not names.isdisjoint(c.recipients))
        found.extend(failures)
        used.append(consent.id)
    return routes.RouteResult("consent", found,
                              {"consents": sorted(set(used))} if used else {}, not used)


def careful_notice(ctx, flow, kind):
    notices = [n for n in ctx.inv.notices if n.kind == kind]
    if flow.notice is not None:
        notices = [n for n in notices if n.id == flow.notice]
    if kind == "joint_use":
        provider = ctx.names(flow.frm)
        notices = [n for n in notices if not provider.isdisjoint(n.members or ())]
        missing, conditions = TP221, (TP221, TP225, TP223, TP222, TP224)
    else:
        missing, conditions = TP121, (TP121, TP122, TP123, TP124, TP125)
    if not notices:
        return routes.RouteResult(kind, [missing.missing(ctx, flow)], {}, True)
    notice, found = _careful_closest(ctx, flow, notices, conditions, lambda n: n.published_on)
    return routes.RouteResult(kind, found, {"notice": notice.id})


def _same_as_careful(ctx):
    # One context for every flow, so the caches are shared as in a real check.
    for flow in ctx.flow_list:
        flow = ctx.provision(flow)
        careful = careful_consent(ctx, flow)
        assert routes.evaluate(ctx, flow, "consent") == careful, flow.id
        # consent_once (judge_all's path for a declared consent): the careful
        # result with only the first finding of each ID, in the same order.
        first: dict = {}
        for f in careful.findings:
            first.setdefault(f.id, f)
        assert routes.consent_once(ctx, flow) == routes.RouteResult(
            "consent", list(first.values()), careful.evidence, careful.missing), flow.id
        for kind in ("joint_use", "opt_out"):
            assert routes.evaluate(ctx, flow, kind) == careful_notice(ctx, flow, kind), flow.id


@settings(max_examples=80, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(inventories(max_flows=16))
def test_routes_equal_the_careful_search(data):
    _same_as_careful(Context(build(data)))


_TWINS = """
parties: [{id: shop, role: third_party, groups: [partners]}]
consents:
  - {id: K1, subjects: customers, recipients: [partners], items: [name, email],
     purposes: [ads], obtained_on: 2025-01-01, withdrawn_on: 2025-12-31}
  - {id: K2, subjects: customers, recipients: [partners], items: [name, email],
     purposes: [ads], obtained_on: 2025-01-01}
  - {id: K3, subjects: customers, recipients: [carrier], items: [name, email],
     purposes: [ads], obtained_on: 2024-01-01}
flows:
  - {id: F1, from: mc, to: shop, items: [name], purposes: [ads], basis: consent,
     start: 2025-02-01}
  - {id: F2, from: mc, to: shop, items: [name], purposes: [ads], basis: consent,
     start: 2024-12-01}
  - {id: F3, from: mc, to: shop, items: [name, phone], purposes: [ads], basis: consent,
     start: 2025-02-01}
  - {id: F4, from: mc, to: shop, items: [name], purposes: [ads], basis: consent,
     start: 2025-02-01, end: 2025-06-30}
"""


def test_flows_sharing_every_cache_key_are_judged_apart():
    # F1-F4 share group, recipient and candidates; they differ in start, items or
    # end, and K1/K2 differ only in the withdrawal, so neither cache may merge them.
    ctx = Context(build_example(_TWINS))
    _same_as_careful(ctx)
    result = engine.run(ctx.inv)
    # F1 runs on after K1's withdrawal, F4 ends before it; F2 starts before K1
    # and K2, so the older K3 (not naming the shop) is as close; F3's phone is
    # not covered.
    assert result.evidence == {"C1": {}, "F1": {"consents": ["K2"]},
                               "F2": {"consents": ["K3"]}, "F3": {"consents": ["K2"]},
                               "F4": {"consents": ["K1"]}}
    assert [f.id for f in result.findings] == ["TP103:F2:recipient", "TP103:F3:phone"]
    assert ctx.consent_terms(ctx.consents["K1"]) != ctx.consent_terms(ctx.consents["K2"])


def test_each_group_first_consent_is_judged_on_its_own_terms():
    # F1 carries data of customers and members; the first consent of each group
    # names the shop, but only the customers' one holds (K2 came too late).
    ctx = Context(build_example("""
parties:
  - {id: shop, role: third_party, groups: [partners]}
  - {id: members, role: data_subject}
consents:
  - {id: K1, subjects: customers, recipients: [partners], items: [name],
     purposes: [ads], obtained_on: 2025-01-01}
  - {id: K2, subjects: members, recipients: [shop], items: [name],
     purposes: [ads], obtained_on: 2025-03-01}
flows:
  - {id: C2, from: members, to: mc, items: [name], start: 2024-01-01}
  - {id: F1, from: mc, to: shop, items: [name], purposes: [ads], basis: consent,
     start: 2025-02-01}
  - {id: F2, from: mc, to: shop, items: [name], purposes: [ads], basis: consent,
     start: 2025-04-01}
"""))
    _same_as_careful(ctx)
    result = engine.run(ctx.inv)
    assert result.evidence["F1"] == result.evidence["F2"] == {"consents": ["K1", "K2"]}
    assert [f.id for f in result.findings] == ["TP102:F1:K2"]


def test_consents_not_naming_the_recipient_with_equal_terms():
    # None of K1-K4 names the shop; K1/K3 and K2/K4 have equal terms. Only the
    # first of each terms can be the closest: the later twin never is, whatever
    # the flow (a late start, an item one terms lacks, a run past a withdrawal).
    ctx = Context(build_example("""
parties: [{id: shop, role: third_party}]
consents:
  - {id: K1, subjects: customers, recipients: [carrier], items: [name],
     purposes: [ads], obtained_on: 2025-01-01, withdrawn_on: 2025-06-30}
  - {id: K2, subjects: customers, recipients: [carrier], items: [name, email],
     purposes: [ads], obtained_on: 2025-02-01}
  - {id: K3, subjects: customers, recipients: [partner], items: [name],
     purposes: [ads], obtained_on: 2025-01-01, withdrawn_on: 2025-06-30}
  - {id: K4, subjects: customers, recipients: [partner], items: [name, email],
     purposes: [ads], obtained_on: 2025-02-01}
flows:
  - {id: F1, from: mc, to: shop, items: [name], purposes: [ads], basis: consent,
     start: 2025-03-01}
  - {id: F2, from: mc, to: shop, items: [name, email], purposes: [ads], basis: consent,
     start: 2025-03-01}
  - {id: F3, from: mc, to: shop, items: [name], purposes: [ads], basis: consent,
     start: 2025-01-15, end: 2025-05-01}
  - {id: F4, from: mc, to: shop, items: [name, phone], purposes: [ads], basis: consent,
     start: 2024-12-01}
"""))
    _same_as_careful(ctx)
    result = engine.run(ctx.inv)
    assert {f: result.evidence[f] for f in ("F1", "F2", "F3", "F4")} == {
        "F1": {"consents": ["K2"]}, "F2": {"consents": ["K2"]}, "F3": {"consents": ["K1"]},
        "F4": {"consents": ["K2"]}}


def test_groups_whose_closest_consents_miss_alike_give_each_finding_once():
    # Three groups; each one's only consent names the shop. K1 and K2 have equal
    # terms and both miss email (TP103:F1:email once, from K1, the first group);
    # K3 is late too, so its TP102 (named by the consent) is its own, and a
    # fourth group with no consent adds its TP101.
    ctx = Context(build_example("""
parties:
  - {id: shop, role: third_party}
  - {id: members, role: data_subject}
  - {id: guests, role: data_subject}
  - {id: staff, role: data_subject}
consents:
  - {id: K1, subjects: customers, recipients: [shop], items: [name],
     purposes: [ads], obtained_on: 2024-01-01}
  - {id: K2, subjects: members, recipients: [shop], items: [name],
     purposes: [ads], obtained_on: 2024-01-01}
  - {id: K3, subjects: guests, recipients: [shop], items: [name],
     purposes: [ads], obtained_on: 2025-06-01}
flows:
  - {id: C2, from: members, to: mc, items: [name, email], start: 2023-01-01}
  - {id: C3, from: guests, to: mc, items: [name, email], start: 2023-01-01}
  - {id: C4, from: staff, to: mc, items: [email], start: 2023-01-01}
  - {id: F1, from: mc, to: shop, items: [name, email], purposes: [ads], basis: consent,
     start: 2025-02-01}
"""))
    _same_as_careful(ctx)
    flow = ctx.flows["F1"]
    plain = routes.evaluate(ctx, flow, "consent")
    once = routes.consent_once(ctx, flow)
    assert [f.id for f in plain.findings] == [
        "TP103:F1:email", "TP103:F1:email", "TP102:F1:K3", "TP103:F1:email",
        "TP101:F1:staff"]
    assert [f.id for f in once.findings] == ["TP103:F1:email", "TP102:F1:K3", "TP101:F1:staff"]
    assert once.findings[0] is not plain.findings[1] and once.findings[0] == plain.findings[0]
    assert once.evidence == plain.evidence == {"consents": ["K1", "K2", "K3"]}
    judged, found, _ = engine.judge_all(Context(ctx.inv), ctx.inv.flows)
    assert judged["F1"].route == "consent" and found == once.findings


def test_status_of_equals_its_definition():
    # rules.md, "The flow table": the worst live finding; "waived" when all are waived.
    import itertools
    from lineage.rules.base import Finding

    def careful(found):
        live = [f for f in found if not f.waived]
        if any(f.severity == "error" for f in live):
            return "violation"
        return "warning" if live else "waived" if found else "ok"

    kinds = [Finding(rule="TP101", clause="5[1]", kind="no-consent", severity=sev,
                     flow="F1", frm="mc", to="p", waived=waived)
             for sev in ("error", "warning") for waived in (False, True)]
    for n in range(4):
        for found in itertools.product(kinds, repeat=n):
            assert engine.status_of(found) == careful(found), found


def test_rule_findings_are_the_dataclass_records():
    # Rule.finding fills a Finding's slots directly (faster than the frozen
    # dataclass's constructor): the record must be the one the constructor makes,
    # with every field (reading an unset slot raises), so a field added to Finding
    # cannot be left out.
    import dataclasses
    from lineage.rules.base import Finding

    result = engine.run(build_example(_TWINS))
    fields = [f.name for f in dataclasses.fields(Finding)]
    assert result.findings
    for found in result.findings:
        again = Finding(**{name: getattr(found, name) for name in fields})
        assert not hasattr(found, "__dict__")
        assert found == again and hash(found) == hash(again) and repr(found) == repr(again)
        assert found.replace(waived=True).waived and not found.waived
