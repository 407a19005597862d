"""The engine's per-flow shortcuts give exactly what the plain evaluation gives.

``engine.judge`` classifies a flow from facts looked up once per party, asks
``routes.quick`` whether a route holds without building its findings, shares
judgements and evidence between flows, and when no route holds counts each
route's failures (``routes.score``) and builds only the closest route's. The plain definitions below are the engine as
rules.md states it (every step looked up, every route evaluated with its
findings); both run over generated inventories, the rules' own examples, and
small cases where flows share every cache key but must be judged apart.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from inventory_strategies import build, inventories
from lineage.rules import engine, routes
from lineage.rules.context import Context
from lineage.rules.examples import build_example
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
from lineage.rules.registry import REGISTRY
from lineage.terms import natural_key

_NOTICE_RULES = {"joint_use": (TP221, TP222, TP223, TP224, TP225),
                 "opt_out": (TP121, TP122, TP123, TP124, TP125)}
_ALL_ROUTES = routes.ORDER + ("academic",)


def plain_classify(ctx, flow):
    """rules.md, "How a flow is judged", steps 1-4, every fact looked up."""
    if ctx.entity(flow.frm) == ctx.entity(flow.to):
        return "internal"
    if ctx.role(flow.frm) == "data_subject":
        return "collection"
    if ctx.role(flow.to) == "data_subject":
        if not ctx.foreign_items(flow):
            return "to_subject"
        flow = ctx.provision(flow)
    if flow.storage_only:
        return "storage_only"
    if not flow.combined and not ctx.personal(flow):
        return "non_personal"
    if not ctx.is_org(flow.frm):
        return "external"
    return None


def plain_judge(ctx, flow):
    """The route and findings of a flow: every route evaluated in order, with findings."""
    route = plain_classify(ctx, flow)
    if route is not None:
        return route, {}, []
    flow = ctx.provision(flow)
    if flow.basis is not None:
        result = routes.evaluate(ctx, flow, flow.basis)
        return flow.basis, result.evidence, result.findings
    tried = [routes.evaluate(ctx, flow, name) for name in routes.ORDER]
    for result in tried:
        if not result.findings:
            return result.route, result.evidence, []
    return "none", {}, [engine._verdict(ctx, flow, tried)]


def plain_groups(ctx, flow):
    # up to the provision's end, also one after the audit date (round 12), else the horizon
    last = flow.end if flow.end is not None else ctx.horizon(flow)
    table = ctx._holdings_of(flow.frm)
    return tuple(sorted({g for i in flow.items for day, g in table.get(i, ()) if day <= last}))


def _same_as_plain(inventory):
    fast, plain = Context(inventory), Context(inventory)
    # The subjects' items with and without the index of flows by provider.
    sent = fast._sent_by_subjects()
    assert "out" not in vars(fast)
    assert sent == {p: {i for f in plain.out.get(p, ()) for i in f.items}
                    for p in plain._subjects if plain.out.get(p)}
    assert plain._sent_by_subjects() == sent  # now from plain.out
    for flow in inventory.flows:
        assert engine.classify(fast, flow) == plain_classify(plain, flow), flow.id
        judgement, found = engine.judge(fast, flow)
        route, evidence, expected = plain_judge(plain, flow)
        assert (judgement.route, judgement.evidence, found) == (route, evidence, expected), flow.id
        assert fast.groups_key(flow) == plain_groups(plain, flow), flow.id
        assert fast.groups_of(flow) == list(plain_groups(plain, flow)), flow.id
        provided = fast.provision(flow)
        for name in _ALL_ROUTES:
            answer = routes.quick(fast, provided, name)
            result = routes.evaluate(plain, provided, name)
            assert routes.score(fast, provided, name) == (
                result.missing, len(result.findings)), (flow.id, name)
            if answer is routes.FAILS:
                assert result.findings, (flow.id, name)
            elif answer is not None:
                assert not result.findings and answer == result.evidence, (flow.id, name)
        for kind, rules in _NOTICE_RULES.items():
            for notice in inventory.notices:
                if notice.kind != kind:
                    continue
                for rule in rules:
                    assert rule.count(fast, provided, notice) == len(
                        rule.condition(plain, provided, notice)), (flow.id, notice.id, rule.id)
    # The whole inventory at once (engine.judge_all, its quick checks held in
    # local tables) gives each flow exactly what plain_judge gives, the
    # findings flow by flow in inventory order, and the flows by route.
    judged, found, by_route = engine.judge_all(Context(inventory), inventory.flows)
    plain = Context(inventory)
    expected_found, expected_by_route = [], {}
    for flow in inventory.flows:
        route, evidence, expected = plain_judge(plain, flow)
        assert (judged[flow.id].route, judged[flow.id].evidence) == (route, evidence), flow.id
        first = {}  # the first finding of each ID, as the check keeps them
        for f in expected:
            first.setdefault(f.id, f)
        expected_found.extend(first.values())
        expected_by_route.setdefault(route, []).append(flow)
    assert list(judged) == [f.id for f in inventory.flows]
    assert found == expected_found
    assert by_route == expected_by_route
    assert list(by_route) == list(expected_by_route)  # routes in the order they first occur
    # And the whole check: the same findings, routes, evidence and statuses.
    for packs in (("policy",), ("policy", "appi")):
        result = engine.run(inventory, packs=packs)
        again = engine.run(inventory, packs=packs)
        assert result.findings == again.findings
        assert result.findings == sorted(result.findings, key=lambda f: (
            natural_key(f.flow), f.rule, f.id))
        assert engine._in_order(Context(inventory), result.findings[::-1]) == result.findings
        plain = Context(inventory)
        assert result.routes == {f.id: plain_judge(plain, f)[0] for f in inventory.flows}
        assert dict(result.evidence.items()) == {f.id: plain_judge(plain, f)[1]
                                                 for f in inventory.flows}
        assert list(result.evidence) == list(result.routes)
        assert {type(route) for route in result.routes.values()} <= {str}
        for f in inventory.flows:  # flows judged alike as one, by value
            assert result.evidence[f.id] == plain_judge(plain, f)[1]
        assert result.status_by_pack == {
            f.id: {p: engine.status_of([x for x in result.findings if x.flow == f.id
                                        and engine.pack_of_finding(x) == p])
                   for p in packs if engine.judges(p, f)}
            for f in inventory.flows}


@settings(max_examples=80, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(inventories(max_flows=16))
def test_judge_equals_the_plain_evaluation(data):
    _same_as_plain(build(data))


def test_rule_examples_judged_as_plainly():
    for rule in REGISTRY.rules.values():
        for example in (rule.fail, rule.passing):
            _same_as_plain(build_example(example.inventory))


_SHARED = """
parties:
  - {id: shop, role: third_party, groups: [partners]}
  - {id: shop2, role: third_party, groups: [partners]}
  - {id: ops, role: outsourcee}
  - {id: members, role: data_subject}
contracts:
  - {id: K9, party: ops, signed_on: 2024-01-01, items: [name, email], purposes: [ads, newsvc],
     no_leak: true, no_re_provision: true}
consents:
  - {id: K1, subjects: customers, recipients: [partners], items: [name, email],
     purposes: [ads], obtained_on: 2025-01-01}
notices:
  - {id: J1, kind: joint_use, published_on: 2024-12-01, items: [name], purposes: [ads],
     members: [mc, shop], responsible: {name: モノコラボ}}
flows:
  - {id: C2, from: members, to: mc, items: [phone], start: 2025-03-01}
  - {id: F1, from: mc, to: shop, items: [name], purposes: [ads], basis: consent,
     start: 2025-02-01}
  - {id: F2, from: mc, to: shop2, items: [name, phone], purposes: [ads], basis: consent,
     start: 2025-02-01}
  - {id: F3, from: mc, to: shop2, items: [name], purposes: [ads], basis: consent,
     start: 2024-12-01}
  - {id: O1, from: mc, to: ops, items: [name], purposes: [ads], start: 2025-02-01}
  - {id: O2, from: mc, to: ops, items: [name, phone], purposes: [ads], start: 2025-02-01}
  - {id: O3, from: mc, to: ops, items: [name], purposes: [newsvc], start: 2025-02-01}
  - {id: O4, from: mc, to: ops, items: [name], purposes: [newsvc], start: 2025-07-01}
  - {id: J2, from: mc, to: shop, items: [name], purposes: [ads], basis: joint_use,
     start: 2025-01-01}
  - {id: J3, from: mc, to: shop, items: [name, email], purposes: [ads], basis: joint_use,
     start: 2025-01-01}
  - {id: G1, from: mc, to: shop, items: [phone], purposes: [ads], start: 2025-02-01,
     end: 2025-02-28}
  - {id: G2, from: mc, to: shop, items: [phone, name], purposes: [ads], start: 2025-04-01}
"""


def test_flows_sharing_cache_keys_are_judged_apart():
    # shop and shop2 have the same consent names (partners), so their flows share
    # one consent plan; O1-O4 share the contract; J2/J3 the notice; G1/G2 the
    # sender's holdings but not the days. Each still gets its own verdict.
    inventory = build_example(_SHARED)
    _same_as_plain(inventory)
    result = engine.run(inventory)
    ctx = Context(inventory)
    assert routes._consent_names(ctx, "shop") is routes._consent_names(ctx, "shop2")
    assert {f: result.routes[f] for f in ("F1", "F2", "F3", "O1", "O2", "O3", "O4", "J2", "J3")} \
        == {"F1": "consent", "F2": "consent", "F3": "consent", "O1": "outsourcing",
            "O2": "none", "O3": "none", "O4": "outsourcing", "J2": "joint_use",
            "J3": "joint_use"}
    assert result.evidence["O1"] == result.evidence["O4"] == {"contract": "K9"}
    assert {f.id for f in result.findings} >= {"TP103:F2:phone", "TP102:F3:K1",
                                                "TP101:O2", "TP101:O3", "TP222:J3:email"}
    # C2 brings the members' phone numbers on 2025-03-01: after G1 ended, before G2.
    assert ctx.groups_key(ctx.flows["G1"]) == ("customers",)
    assert ctx.groups_key(ctx.flows["G2"]) == ("customers", "members")


def test_shared_judgements_and_statuses_are_equal_values():
    # Flows with equal judgements or statuses share one object: each is still the
    # value the flow would get alone, and no two different values are merged.
    inventory = build_example(_SHARED)
    result = engine.run(inventory, packs=("policy", "appi"))
    ctx = Context(inventory)
    for flow in inventory.flows:
        route, evidence, _ = plain_judge(ctx, flow)
        assert (result.routes[flow.id], result.evidence[flow.id]) == (route, evidence)
    assert result.evidence["O1"] is result.evidence["O4"]
    shared = {}
    for flow_id, statuses in result.status_by_pack.items():
        assert shared.setdefault(tuple(statuses.items()), statuses) is statuses, flow_id


def test_unknown_party_fails_as_before():
    # A flow naming a party the inventory does not define fails on the same
    # look-up as the plain steps (the loader rejects such inventories first).
    inventory = build_example(_SHARED)
    f1 = next(f for f in inventory.flows if f.id == "F1")
    ghost = f1.model_copy(update={"to": "ghost"})
    ctx = Context(inventory)
    for look in (engine.classify, plain_classify):
        try:
            look(ctx, ghost)
        except KeyError as exc:
            assert exc.args == ("ghost",)
        else:
            raise AssertionError("no KeyError")


def test_shared_values_survive_every_output(tmp_path):
    # Judgements, evidence and statuses are shared between flows: no reader may
    # change them. Every output of the sample inventory, with both packs, leaves
    # the shared empty evidence empty and gives the same report twice.
    from click.testing import CliRunner

    from lineage.cli import cli

    runner = CliRunner()
    reports = []
    for fmt in ("json", "csv", "table", "sarif", "junit", "xlsx", "json"):
        out = tmp_path / f"report.{fmt}"
        result = runner.invoke(cli, ["check", "inventories/monocollabo", "--rules",
                                     "policy,appi", "--format", fmt, "-o", str(out)])
        assert result.exit_code in (0, 1), result.output
        if fmt == "json":
            reports.append(out.read_bytes())
    result = runner.invoke(cli, ["report", "inventories/monocollabo", "--rules", "policy,appi",
                                 "--no-drawing", "-o", str(tmp_path / "report.md")])
    assert result.exit_code == 0, result.output
    assert reports[0] == reports[1]
    assert engine._EMPTY == {} and routes._NO_EVIDENCE == {}
    assert all(j.evidence == {} for j in engine._PLAIN.values())


def test_the_context_is_freed_when_the_check_ends(monkeypatch):
    # Its caches refer back to it; run() drops them, so the context goes with the
    # last reference, not at some later full collection.
    import gc
    import weakref

    made = []

    class Watched(Context):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(weakref.ref(self))

    monkeypatch.setattr(engine, "Context", Watched)
    enabled = gc.isenabled()
    gc.disable()
    try:
        result = engine.run(build_example(_SHARED), packs=("policy", "appi"))
        assert result.findings and len(made) == 1
        assert made[0]() is None
    finally:
        if enabled:
            gc.enable()


def test_routes_and_evidence_are_read_through_the_judgements():
    # One mapping per flow (the judgements, equal ones shared); the routes are made
    # from it when asked, the evidence read through it.
    a = engine.Judgement("outsourcing", {"contract": "K1"})
    b = engine.Judgement("outsourcing", {"contract": "K2"})
    judged = {"F1": a, "F2": b, "F3": a}
    routes = engine.routes_of(judged)
    assert routes == dict.fromkeys(("F1", "F2", "F3"), "outsourcing") and routes is not judged
    evidence = engine.EvidenceView(judged)
    assert dict(evidence.items()) == {"F1": {"contract": "K1"}, "F2": {"contract": "K2"},
                                      "F3": {"contract": "K1"}}
    assert evidence["F3"] is a.evidence and list(evidence) == ["F1", "F2", "F3"]
    assert evidence.values() == [a.evidence, b.evidence, a.evidence] and "F2" in evidence
    result = engine.run(build_example(_SHARED), packs=("policy", "appi"))
    assert result.routes == engine.routes_of(result.judged)
    assert list(result.evidence) == list(result.judged) == list(result.routes)
    assert all(result.evidence[f] is j.evidence for f, j in result.judged.items())

def _consent_holds_as_plainly(inventory) -> int:
    """routes.consent_holds against the route's plain evaluation, for every flow and
    its provision (as the law pack's Art. 28 step asks it); how many hold."""
    ctx = Context(inventory)
    held = 0
    for flow in inventory.flows:
        for asked in (flow, ctx.provision(flow)):
            plain = routes.holding(ctx, asked, "consent") is not None
            assert routes.consent_holds(ctx, asked) == plain, asked.id
            held += plain
    return held


@settings(max_examples=120, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(inventories(max_flows=16))
def test_consent_holds_equals_the_plain_evaluation(data):
    _consent_holds_as_plainly(build(data))


def test_consent_holds_on_the_rule_examples_and_shared_keys():
    held = sum(_consent_holds_as_plainly(build_example(example.inventory))
               for rule in REGISTRY.rules.values() for example in (rule.fail, rule.passing))
    held += _consent_holds_as_plainly(build_example(_SHARED))
    assert held > 10  # the comparison met flows the route holds for, not only failures
