"""The context's and engine's whole-inventory passes give what the plain steps give.

``natural_sorted`` first asks whether the IDs are in natural order already (one
head, numbers without leading zeros: C-level passes, no key per ID); the
organisation's intake finds the entities feeding it in rounds over the
recipients instead of the graph of every pair of parties. Each is compared
here with its plain definition on generated inputs.
"""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory_strategies import build, inventories
from lineage.rules.context import Context
from lineage.rules.examples import build_example
from lineage.rules.registry import REGISTRY
from lineage.terms import _in_natural_order, natural_key, natural_sorted

_PIECES = ("F", "G", "F0", "F1", "0", "1", "9", "10", "a", "F01", "٣", "\n", "", "-",
           "F9", "F10", "FG", "G1", "00")


@settings(max_examples=400, derandomize=True, database=None, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_PIECES), max_size=3).map("".join), max_size=8),
       st.booleans())
def test_natural_sorted_equals_the_plain_sort(ids, presorted):
    if presorted:
        ids = sorted(ids, key=natural_key)
    expected = sorted(ids, key=natural_key)
    assert natural_sorted(ids, key=str) == expected
    if _in_natural_order(ids):  # only ever said of IDs in order
        assert ids == expected


def test_natural_order_of_numbered_ids():
    rnd = random.Random(5)
    told = 0
    for _ in range(3000):
        head = rnd.choice(["F", "FG", "x-"])
        ids = [f"{head}{rnd.choice(['', '', '0', '00'])}{rnd.randint(0, 130)}"
               for _ in range(rnd.randint(0, 30))]
        if rnd.random() < 0.7:
            ids.sort(key=natural_key)
        assert natural_sorted(ids, key=str) == sorted(ids, key=natural_key)
        if _in_natural_order(ids):
            told += 1
            assert ids == sorted(ids, key=natural_key)
    assert told > 100  # the quick answer is given, not only the sort
    assert _in_natural_order([f"F{n}" for n in range(2000)])
    assert not _in_natural_order(["F0", "F00"]) and not _in_natural_order(["F", "F1"])
    assert not _in_natural_order(["F10", "90F10"]) and not _in_natural_order(["F1", "F1\nF2"])


def _same_intake(inventory):
    ctx = Context(inventory)
    flows = ctx.flow_list
    recipients = [f.to for f in flows]
    by_pairs = ctx._feeding_by_pairs(flows, recipients)
    feeds, into = ctx._feeding_by_levels(flows, recipients, levels=len(ctx.parties) + 2)
    assert feeds == by_pairs
    assert into == [ctx.entity(to) in feeds for to in recipients]
    shallow = ctx._feeding_by_levels(flows, recipients, levels=1)
    assert shallow is None or shallow[0] == by_pairs
    # What reaches the organisation: exactly what every group's full lineage says.
    org = ctx.org
    intake = ctx._org_intake
    for group, reach in ctx.entity_reach.items():
        at_org = reach.items_at(org)
        if group in intake:
            assert intake[group].items_at(org) == at_org, group
        else:
            assert not at_org, group


@settings(max_examples=60, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(inventories(max_flows=16))
def test_org_intake_equals_the_full_lineage(data):
    _same_intake(build(data))


def test_org_intake_of_the_rule_examples_and_a_long_chain():
    for rule in REGISTRY.rules.values():
        for example in (rule.fail, rule.passing):
            _same_intake(build_example(example.inventory))
    # A chain of businesses each feeding the next, longer than the rounds allowed.
    parties = "".join(f"  - {{id: b{n}, role: third_party}}\n" for n in range(12))
    flows = "".join(f"  - {{id: B{n}, from: b{n + 1}, to: b{n}, items: [name], "
                    f"start: 2024-01-0{1 + n % 9}}}\n" for n in range(11))
    inventory = build_example(f"parties:\n{parties}flows:\n{flows}"
                              "  - {id: B99, from: b0, to: mc, items: [name], "
                              "start: 2024-02-01}\n")
    ctx = Context(inventory)
    recipients = [f.to for f in ctx.flow_list]
    assert ctx._feeding_by_levels(ctx.flow_list, recipients) is None  # too deep: the graph
    assert ctx._feeding_by_pairs(ctx.flow_list, recipients) >= {f"b{n}" for n in range(12)}
    _same_intake(inventory)


def _judged_one_by_one(inventory, flows):
    """judge_all's answer built the plain way: judge per flow, in the order given."""
    from lineage.rules import engine

    ctx = Context(inventory)
    judged, found, by_route = {}, [], {}
    for flow in flows:
        j, findings = engine.judge(ctx, flow)
        judged[flow.id] = j
        first = {}
        for f in findings:
            first.setdefault(f.id, f)
        found.extend(first.values())
        by_route.setdefault(j.route, []).append(flow)
    return judged, found, by_route


def _same_as_one_by_one(inventory, seed):
    from lineage.rules import engine

    flows = list(inventory.flows)
    random.Random(seed).shuffle(flows)  # any order: each route's flows keep it
    judged, found, by_route = engine.judge_all(Context(inventory), iter(flows))
    expected = _judged_one_by_one(inventory, flows)
    assert {k: (j.route, dict(j.evidence)) for k, j in judged.items()} == {
        k: (j.route, dict(j.evidence)) for k, j in expected[0].items()}
    assert list(judged) == list(expected[0])
    assert [f.id for f in found] == [f.id for f in expected[1]] and found == expected[1]
    assert {r: [f.id for f in fs] for r, fs in by_route.items()} == {
        r: [f.id for f in fs] for r, fs in expected[2].items()}
    assert list(by_route) == list(expected[2])


@settings(max_examples=80, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(inventories(max_flows=24), st.integers(0, 1000))
def test_judge_all_in_any_order_equals_judge_flow_by_flow(data, seed):
    _same_as_one_by_one(build(data), seed)


def test_judge_all_of_the_rule_examples_equals_judge():
    for rule in REGISTRY.rules.values():
        for example in (rule.fail, rule.passing):
            _same_as_one_by_one(build_example(example.inventory), 3)


def _same_quick_answers(inventory):
    from lineage.rules import routes

    fast, plain = Context(inventory), Context(inventory)
    flows = [fast.provision(f) for f in inventory.flows]
    for route in routes.ORDER + ("academic",):
        answers = routes.quick_each(fast, route, flows)
        expected = [routes.quick(plain, f, route) for f in flows]
        assert len(answers) == len(expected)
        for flow, got, want in zip(flows, answers, expected):
            assert (got is None, got is routes.FAILS) == (want is None, want is routes.FAILS), (
                flow.id, route)
            assert got == want, (flow.id, route)
    listed = {r for c in inventory.consents for r in c.recipients}
    for party in fast.parties:  # each recipient's consent names, against their definition
        assert routes._consent_names(fast, party) == plain.names(party) & listed, party
    for flow in inventory.flows:  # the groups by list of items, against their definition
        # (up to the provision's end, also one after the audit date: round 12)
        last = flow.end if flow.end is not None else plain.horizon(flow)
        table = plain._holdings_of(flow.frm)
        assert fast.groups_key(flow) == tuple(sorted(
            {g for i in flow.items for day, g in table.get(i, ()) if day <= last})), flow.id


@settings(max_examples=80, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(inventories(max_flows=24))
def test_quick_each_equals_quick_flow_by_flow(data):
    _same_quick_answers(build(data))


def test_quick_each_of_the_rule_examples():
    for rule in REGISTRY.rules.values():
        for example in (rule.fail, rule.passing):
            _same_quick_answers(build_example(example.inventory))
