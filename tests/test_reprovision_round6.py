"""TP203 of round 6 (entrusting flows read once, merged in order instead of marked by
identity, labels carrying their entrusting flow's ID and outsourcee, day numbers
shared, findings made by the rule's own maker) against round 5's, kept as an oracle
(tests/tp203_round5_oracle.py): the same findings in the same order, field by field.

Each generated inventory is checked with its flows as generated (IDs out of order:
the careful path marks the entrusting flows by identity and reads them by place),
sorted by ID (the merge, and the columns read in one sweep) and reversed.
"""

from __future__ import annotations

import dataclasses
import random

from hypothesis import HealthCheck, given, settings

import tp203_round5_oracle as oracle
from inventory_strategies import build, inventories
from lineage.rules import engine
from lineage.rules.base import Finding, finding_maker
from lineage.rules.context import Context
from lineage.rules.policy import TP203 as module
from lineage.rules.policy.TP203 import TP203, _circles, _in_order
from lineage.terms import natural_key
from test_reprovision_search import _generated

_FIELDS = [f.name for f in dataclasses.fields(Finding)]


def _records(findings) -> list:
    return [(f.id, type(f), *(getattr(f, name) for name in _FIELDS)) for f in findings]


def _both(inv) -> tuple[list, list]:
    ctx = Context(inv)
    judged = {f.id: engine.judge(ctx, f)[0] for f in inv.flows}
    new = _records(TP203.check(ctx, judged))
    ctx = Context(inv)  # a fresh context: no cache of the new check helps the old
    judged = {f.id: engine.judge(ctx, f)[0] for f in inv.flows}
    return new, _records(oracle.TP203.check(ctx, judged))


def _orders(data: dict):
    """The inventory as generated, with its flows sorted by ID, and reversed."""
    yield data
    by_id = dict(data, flows=sorted(data["flows"], key=lambda f: natural_key(f["id"])))
    yield by_id
    yield dict(data, flows=by_id["flows"][::-1])


def _merged(inv) -> bool:
    """Whether the check takes the merge (its entrusting flows in ID order)."""
    ctx = Context(inv)
    judged = {f.id: engine.judge(ctx, f)[0] for f in inv.flows}
    entrusting = ctx.judged_flows(judged, "policy")[1].get("outsourcing", ())
    candidates = [f for f in ctx.flow_list if any(f is e for e in entrusting)]
    return _in_order(candidates, entrusting) is not None


def test_round6_equals_round5_on_generated_chains():
    found = merged = careful = several = 0
    for seed in range(300):
        data = _generated(seed)
        for shaped in _orders(data):
            inv = build(shaped)
            new, old = _both(inv)
            assert new == old, seed
            found += len(new)
            if new:
                if _merged(inv):
                    merged += 1
                else:
                    careful += 1
        ctx = Context(build(data))
        several += len(set(_circles(ctx, [c.party for c in build(data).contracts]).values())) > 1
    # Both ways of finding the entrusting flows, and several circles, were taken.
    assert found > 1000 and merged > 100 and careful > 100 and several > 50, (
        found, merged, careful, several)


def test_round6_equals_round5_with_other_sources_and_long_paths():
    # Outsourcees that hold the items from another source too (a consent-based
    # provision, a collection, a third party), sub-outsourcing rings and paths of
    # several flows: clean-until days and labels that beat each other.
    rng = random.Random(6)
    compared = 0
    for seed in range(200):
        data = _generated(1000 + seed)
        flows = data["flows"]
        outs = [p["id"] for p in data["parties"] if p.get("role") == "outsourcee"]
        for n in range(rng.randint(0, 4)):
            flows.append({"id": f"S{seed}x{n}", "from": rng.choice(("mc", "s0", "t0")),
                          "to": rng.choice(outs), "items": ["name", "email"],
                          "start": f"2025-01-{rng.randint(1, 12):02d}",
                          **({"basis": "consent"} if rng.random() < 0.3 else {})})
        for shaped in _orders(data):
            new, old = _both(build(shaped))
            assert new == old, seed
            compared += len(new)
    assert compared > 500, compared


@settings(max_examples=60, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(inventories(max_flows=16, focus="outsourcing"))
def test_round6_equals_round5_on_property_inventories(data):
    for shaped in _orders(data):
        new, old = _both(build(shaped))
        assert new == old


def test_the_merge_flags_exactly_the_entrusting_flows_or_gives_up():
    rng = random.Random(3)
    for _ in range(300):
        received = [object() for _ in range(rng.randint(0, 12))]
        chosen = sorted(rng.sample(range(len(received)), rng.randint(0, len(received))))
        entrusting = [received[k] for k in chosen]
        assert _in_order(received, entrusting) == [k in chosen for k in range(len(received))]
        if len(entrusting) > 1 and entrusting != entrusting[::-1]:
            assert _in_order(received, entrusting[::-1]) is None
        assert _in_order(received, [*entrusting, object()]) is None


def test_the_finding_maker_makes_the_constructors_records():
    make = finding_maker(TP203)
    made = make("F2", "o1", "t0", "name", ("name",),
                (("outsourcee", "o1"), ("path", ("F1", "F2"))), "m", "m_ja", "TP203:F2:name")
    built = Finding(rule="TP203", clause="1.5", kind="re-provision", severity="error",
                    flow="F2", frm="o1", to="t0", subject="name", items=("name",),
                    evidence=(("outsourcee", "o1"), ("path", ("F1", "F2"))), message="m",
                    message_ja="m_ja", remedy=TP203.remedy_en, remedy_ja=TP203.remedy_ja)
    assert type(made) is Finding and not hasattr(made, "__dict__")
    assert made == built and made.id == built.id and hash(made) == hash(built)
    assert repr(made) == repr(built) and made.as_dict() == built.as_dict()
    assert finding_maker(TP203) is make


def test_day_numbers_are_shared_per_date():
    import datetime as dt

    days = module._Days()
    one, again = dt.date(2025, 3, 1), dt.date(2025, 3, 1)
    assert days[one] == one.toordinal() and days[again] is days[one] and len(days) == 1
    assert days[dt.date.max] == module._LAST


def test_tp202_passes_over_covered_flows_as_the_old_check_did_at_the_calendars_end():
    # TP202 passes over the flows an open binding contract covers by day numbers,
    # "no such contract" standing one past 9999-12-31: a flow starting that day is
    # covered by a contract signed that day, and never by none.
    import checks_oracle
    from lineage.rules.policy.TP202 import TP202

    far = "9999-12-31"
    data = {"format": "lineage/1", "organisation": "mc", "as_of": "2026-01-01",
            "parties": [{"id": "mc", "role": "self"}, {"id": "o1", "role": "outsourcee"},
                        {"id": "o2", "role": "outsourcee"}, {"id": "o3", "role": "outsourcee"}],
            "contracts": [
                {"id": "K1", "party": "o1", "signed_on": far, "no_leak": "true",
                 "no_re_provision": "true"},
                {"id": "K3", "party": "o3", "signed_on": "2025-01-01", "no_leak": "true"}],
            "flows": [
                {"id": "F1", "from": "mc", "to": "o1", "items": ["name"], "start": far},
                {"id": "F2", "from": "mc", "to": "o1", "items": ["name"], "start": "2025-01-15"},
                {"id": "F3", "from": "mc", "to": "o2", "items": ["name"], "start": far},
                {"id": "F4", "from": "mc", "to": "o3", "items": ["name"], "start": far},
                {"id": "F5", "from": "mc", "to": "o1", "items": ["name"], "start": far,
                 "contract": "K1"}]}
    inv = build(data)
    ctx = Context(inv)
    judged = {f.id: engine.judge(ctx, f)[0] for f in inv.flows}
    new = [f.as_dict() for f in TP202.check(ctx, judged)]
    assert new == [f.as_dict() for f in checks_oracle.CHECKS["TP202"](ctx, judged)]
    assert [f["id"] for f in new] == ["TP202:F2:contract", "TP202:F3:contract",
                                      "TP202:F4:no_re_provision"]
