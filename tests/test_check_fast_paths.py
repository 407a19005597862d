"""Fast paths of the whole-inventory checks give what the careful paths give.

Rule.finding skips the sorting for empty or one-entry evidence and items, and
shares one clause text per rule; the findings must equal those of the general
formula, field by field. The law pack's checks work out each notice's or
outsourcee's verdict and messages once and share them between flows; they must
give what the old checks (tests/checks_oracle.py) give. Whether items sent to data
subjects are their own is traced, for another business, only for the items it sends
them; that must give what tracing every item of every group gives.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random

from hypothesis import HealthCheck, given, settings

import checks_oracle
from inventory_strategies import build, inventories
from lineage.model.schema import Flow
from lineage.rules import engine
from lineage.rules.base import Finding
from lineage.rules.context import Context
from lineage.rules.registry import REGISTRY

_FLOW = Flow(id="F1", **{"from": "mc", "to": "partner"}, items=["name"], start="2025-01-01")


def _careful(rule, flow, subject, items, evidence, message, message_ja) -> Finding:
    # Rule.finding as it was before its fast paths.
    ev = tuple(sorted((k, tuple(v) if isinstance(v, list) else v)
                      for k, v in evidence.items() if v is not None)) if evidence else ()
    return Finding(rule=rule.id, clause=str(rule.clause), kind=rule.kind,
                   severity=rule.severity, flow=flow.id, frm=flow.frm, to=flow.to,
                   subject=subject, items=tuple(sorted(set(items))) if items else (),
                   evidence=ev, message=message, message_ja=message_ja,
                   remedy=rule.remedy_en, remedy_ja=rule.remedy_ja)


_EVIDENCE = [None, {}, {"contract": None}, {"contract": "K1"}, {"path": ["F1", "F2"]},
             {"notice": ("N1",)}, {"path": ["F1"], "outsourcee": "o1"},
             {"waiver": None, "notice": "N1"}, {"b": 1, "a": [2, 1]}]
_ITEMS = [(), [], ["name"], ("name",), ["phone", "name"], ["name", "name"], ("b", "a", "b"),
          {"email"}, "ab"]


def test_finding_equals_the_general_formula():
    rules = [REGISTRY.rules[r] for r in ("TP101", "TP203", "AP201", "AP261", "TP802")]
    for rule, evidence, items in itertools.product(rules, _EVIDENCE, _ITEMS):
        got = rule.finding(_FLOW, subject="x", items=items, evidence=evidence,
                           message="m", message_ja="m_ja")
        want = _careful(rule, _FLOW, "x", items, evidence, "m", "m_ja")
        assert got == want, (rule.id, evidence, items)
        assert got.as_dict() == want.as_dict()
        assert type(got.items) is tuple and type(got.evidence) is tuple


def test_every_finding_of_a_rule_shares_its_clause_text():
    rule = REGISTRY.rules["AP261"]
    a = rule.finding(_FLOW, message="m", message_ja="m")
    b = rule.finding(_FLOW, message="m", message_ja="m")
    assert a.clause == str(rule.clause) == "Art. 25" and a.clause is b.clause


def _law_inventory(seed: int) -> dict:
    """Many flows sharing few notices and outsourcees: opt-out notices lacking some of
    the Act's elements and filed around the flows' starts, joint-use notices whose
    responsible person's details change by revision while flows run, several contracts
    per outsourcee (binding or not, open or ending, signed around the flows' starts,
    some named by the flow) audited around 365 days before the flows' last days, cookie
    IDs for purposes announced before, after or never, sensitive and improperly
    acquired data, and flows with and without records."""
    rng = random.Random(seed)
    day = dt.date(2024, 1, 1)

    def on(spread=400):
        return (day + dt.timedelta(days=rng.randrange(spread))).isoformat()

    parties = [{"id": "mc", "role": "self"}, {"id": "mc-ops", "legal_entity": "mc"},
               {"id": "customers", "role": "data_subject"}]
    parties += [{"id": f"o{k}", "role": "outsourcee"} for k in range(3)]
    parties += [{"id": f"t{k}", "role": "third_party"} for k in range(3)]
    parties += [{"id": f"j{k}", "role": "joint_user"} for k in range(2)]
    notices = []
    for k in range(rng.randint(1, 3)):
        n = {"id": f"N{k}", "kind": "opt_out", "published_on": "2023-01-01",
             "items": ["name", "email"], "provision_in_purpose": "true", "methods": ["web"],
             "stop_on_request": "true"}
        if rng.random() < 0.7:
            n["provider"] = {key: "x" for key in ("name", "address", "representative")
                             if rng.random() < 0.7}
        for key in ("acquisition_method", "request_method", "update_method"):
            if rng.random() < 0.6:
                n[key] = "web"
        if rng.random() < 0.6:
            n["start_on"] = on()
        if rng.random() < 0.8:
            n["ppc_filed_on"] = on()
        notices.append(n)
    for k in range(rng.randint(1, 3)):
        n = {"id": f"J{k}", "kind": "joint_use", "published_on": "2023-01-01",
             "items": ["name", "email"], "purposes": ["p"], "members": ["mc", "j0", "j1"],
             "responsible": {key: "x" for key in ("name", "address", "representative")
                             if rng.random() < 0.6}}
        revisions = []
        for _ in range(rng.choice((0, 0, 1, 2))):
            eff = on()
            rev = {"effective_on": eff, "notified_on": eff}
            rev["responsible"] = {key: "y" for key in ("address", "representative")
                                  if rng.random() < 0.5}
            revisions.append(rev)
        if revisions:
            n["revisions"] = revisions
        notices.append(n)
    contracts = []
    for k in range(3):
        for n in range(rng.choice((1, 1, 2, 3))):
            c = {"id": f"K{k}{n}", "party": f"o{k}", "signed_on": on(),
                 "no_leak": str(rng.random() < 0.8).lower(),
                 "no_re_provision": str(rng.random() < 0.8).lower(),
                 "audits": sorted({on(800) for _ in range(rng.randint(0, 3))})}
            if rng.random() < 0.4:
                c["ends_on"] = (dt.date.fromisoformat(c["signed_on"])
                                + dt.timedelta(days=rng.randrange(0, 300))).isoformat()
            contracts.append(c)
    opt_outs = [n["id"] for n in notices if n["kind"] == "opt_out"]
    joints = [n["id"] for n in notices if n["kind"] == "joint_use"]
    flows = [{"id": "C1", "from": "customers", "to": "mc", "items": ["name", "email", "cookie"],
              "purposes": ["p"], "start": "2022-01-01"}]
    for k in range(rng.randint(10, 40)):
        shape = rng.randrange(6)
        items = rng.choice((["name"], ["name"], ["name", "cookie"], ["cookie"]))
        purposes = rng.choice((["p"], ["p"], ["p"], ["q"], ["p", "r"], ["x", "p"]))
        f = {"id": f"F{k}", "from": "mc", "items": items, "purposes": purposes, "start": on()}
        if shape == 0:
            f.update(to=rng.choice(("o0", "o1", "o2")), purposes=["p"])
            if rng.random() < 0.3:
                f["contract"] = rng.choice(contracts)["id"]
        elif shape == 4:
            f.update(**{"from": "customers", "to": rng.choice(("mc", "mc-ops", "o0"))})
            if rng.random() < 0.3:
                f["items"] = ["name", "health"]
        elif shape == 5:
            f.update(to="customers")
        elif shape == 1:
            f.update(to=rng.choice(("t0", "t1", "t2")), basis="opt_out", method="web",
                     notice=rng.choice(opt_outs))
        elif shape == 2:
            f.update(to=rng.choice(("j0", "j1")), basis="joint_use", notice=rng.choice(joints))
        else:
            f.update(to=rng.choice(("t0", "t1", "t2")), basis="consent")
        if rng.random() < 0.3:
            f["end"] = (dt.date.fromisoformat(f["start"])
                        + dt.timedelta(days=rng.randrange(0, 900))).isoformat()
        if rng.random() < 0.3:
            f["recorded"] = "true"
        if rng.random() < 0.15:
            f["improperly_acquired"] = "true"
        if shape == 1 and rng.random() < 0.2:
            f["items"] = ["name", "health"]
        flows.append(f)
    return {"format": "lineage/1", "organisation": "mc", "as_of": "2025-06-01",
            "data_items": [{"id": "name"}, {"id": "email"}, {"id": "cookie", "kind": "linkable"},
                           {"id": "health", "kind": "sensitive"}],
            "purposes": [{"id": "p", "announced_on": "2020-01-01"},
                         {"id": "q", "announced_on": "2024-06-01"}, {"id": "r"}],
            "parties": parties,
            "contracts": contracts, "notices": notices, "flows": flows}


def test_checks_with_shared_look_ups_equal_the_old_checks():
    found = dict.fromkeys(checks_oracle.CHECKS, 0)
    for seed in range(150):
        inv = build(_law_inventory(seed))
        ctx = Context(inv)
        judged = {f.id: engine.judge(ctx, f)[0] for f in inv.flows}
        for rule_id, old in checks_oracle.CHECKS.items():
            new = [f.as_dict() for f in REGISTRY.rules[rule_id].check(ctx, judged)]
            assert new == [f.as_dict() for f in old(ctx, judged)], (seed, rule_id)
            found[rule_id] += len(new)
    # Every rule found something (and, with records, audits and complete notices, not
    # on every flow).
    assert all(n > 50 for n in found.values()), found


def _foreign_both(inv):
    fast = Context(inv)
    careful = Context(inv)
    careful.entity_reach  # traced for every group and item: the careful path
    return ([fast.foreign_items(f) for f in inv.flows],
            [careful.foreign_items(f) for f in inv.flows])


@settings(max_examples=150, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(inventories(max_flows=16))
def test_foreign_items_of_another_business_equal_the_whole_trace(data):
    # Another business's flows to data subjects: only their items are traced.
    fast, careful = _foreign_both(build(data))
    assert fast == careful


def test_foreign_items_on_outsourcing_chains_equal_the_whole_trace():
    from test_reprovision_search import _generated
    asked = 0
    for seed in range(200):
        inv = build(_generated(seed))
        fast, careful = _foreign_both(inv)
        assert fast == careful, seed
        asked += sum(1 for f, got in zip(inv.flows, fast) if got and f.frm.startswith("o"))
    assert asked >= 10, asked  # outsourcees did pass data to subjects that are not theirs


def test_foreign_items_sent_by_a_department_of_another_business():
    data = {"format": "lineage/1", "organisation": "mc", "as_of": "2026-01-01",
            "parties": [{"id": "mc", "role": "self"}, {"id": "o1", "role": "outsourcee"},
                        {"id": "o1-east", "legal_entity": "o1"},
                        {"id": "customers", "role": "data_subject"},
                        {"id": "members", "role": "data_subject"}],
            "flows": [
                {"id": "C1", "from": "customers", "to": "mc", "items": ["name", "phone"],
                 "start": "2025-01-01"},
                {"id": "C2", "from": "members", "to": "mc", "items": ["phone"],
                 "start": "2025-01-01"},
                {"id": "F1", "from": "mc", "to": "o1", "items": ["name", "phone"],
                 "start": "2025-02-01"},
                {"id": "F2", "from": "o1", "to": "customers", "items": ["phone"],
                 "start": "2025-03-01"},
                {"id": "F3", "from": "o1-east", "to": "members", "items": ["name", "phone"],
                 "start": "2025-03-01"}]}
    fast, careful = _foreign_both(build(data))
    assert fast == careful
    assert fast[-2:] == [[], ["name"]]  # customers' name reached o1: not the members' own


def test_a_findings_id_slot_follows_its_fields_through_copies():
    # The ID is a slot made with the finding, not a field: copies, pickles and
    # replace() must make it again from the fields, and it must not take part in
    # equality, hashing, repr or the dataclass's fields.
    import copy
    import dataclasses
    import pickle

    made = REGISTRY.rules["TP203"].finding(_FLOW, subject="name", items=["name"],
                                           evidence={"path": ["F0", "F1"], "outsourcee": "o"},
                                           message="m", message_ja="m_ja")
    built = Finding(**{f.name: getattr(made, f.name) for f in dataclasses.fields(Finding)})
    assert made.id == built.id == "TP203:F1:name"
    assert made == built and hash(made) == hash(built) and repr(made) == repr(built)
    assert "id" not in {f.name for f in dataclasses.fields(Finding)}
    for again in (pickle.loads(pickle.dumps(made)), copy.copy(made), copy.deepcopy(made)):
        assert again == made and again.id == made.id
    assert made.replace(subject=None).id == "TP203:F1"
    assert made.replace(waived=True).id == made.id
    for name in ("id", "rule", "other"):
        try:
            setattr(made, name, "x")
        except dataclasses.FrozenInstanceError as exc:
            assert str(exc) == f"cannot assign to field {name!r}"
        else:
            raise AssertionError(name)
    assert made.id == "TP203:F1:name" and not hasattr(made, "__dict__")


def test_finding_from_equals_finding():
    # Rules that build items and evidence in a finding's own form once (TP203)
    # make the findings Rule.finding makes.
    rule = REGISTRY.rules["TP203"]
    for subject, items, evidence in [
            ("name", ["name"], {"path": ["F0", "F1"], "outsourcee": "o1"}),
            (None, [], {}), ("x", ["b", "a"], {"contract": ["K1"]}),
            ("y", ("a",), {"notice": "N1", "a": ("z",)})]:
        want = rule.finding(_FLOW, subject=subject, items=items, evidence=evidence,
                            message="m", message_ja="m_ja")
        got = rule.finding_from(_FLOW, subject, want.items, want.evidence, "m", "m_ja")
        assert got == want and got.id == want.id and got.as_dict() == want.as_dict()


def _feeder_chain(seed: int) -> dict:
    """Groups feeding the organisation through chains of businesses (some with
    departments) longer and shorter than the levels found by passes, with side
    branches that never reach it, rings, and flows that end before others start."""
    rng = random.Random(seed)
    parties = [{"id": "mc", "role": "self"}, {"id": "mc-ops", "legal_entity": "mc"}]
    flows = []
    day = dt.date(2024, 1, 1)

    def flow(frm, to):
        start = day + dt.timedelta(days=rng.randrange(60))
        f = {"id": f"F{len(flows)}", "from": frm, "to": to,
             "items": rng.sample(["name", "email", "phone"], rng.randint(1, 2)),
             "start": start.isoformat()}
        if rng.random() < 0.2:
            f["end"] = (start + dt.timedelta(days=rng.randrange(20))).isoformat()
        flows.append(f)

    for g in range(3):
        parties.append({"id": f"s{g}", "role": "data_subject"})
    for c in range(rng.randint(1, 4)):
        chain = [f"c{c}b{k}" for k in range(rng.choice((2, 7, 9, 14)))]
        for k, pid in enumerate(chain):
            parties.append({"id": pid, "role": "third_party"})
            if rng.random() < 0.2:
                parties.append({"id": f"{pid}-x", "legal_entity": pid})
                chain[k] = f"{pid}-x"
        flow(f"s{rng.randrange(3)}", chain[0])
        for a, b in zip(chain, chain[1:]):
            flow(a, b)
        flow(chain[-1], rng.choice(("mc", "mc-ops")))
        if rng.random() < 0.5:
            flow(chain[-1], chain[0])  # a ring
        parties.append({"id": f"side{c}", "role": "third_party"})
        flow(rng.choice(chain), f"side{c}")
        flow(f"s{rng.randrange(3)}", f"side{c}")
    flow("s0", "mc")
    return {"format": "lineage/1", "organisation": "mc", "as_of": "2026-01-01",
            "parties": parties, "flows": flows}


def test_org_intake_equals_the_pair_by_pair_walk():
    # The organisation's feeders are found from the pairs of parties that trade,
    # not flow by flow: the same reach as the old walk, long chains included.

    deep = 0
    for seed in range(60):
        data = _feeder_chain(seed)
        inv = build(data)
        fast, careful = Context(inv)._org_intake, checks_oracle.org_intake(Context(inv))
        assert sorted(fast) == sorted(careful), seed
        for group in fast:
            assert fast[group].arrival == careful[group].arrival, (seed, group)
            assert fast[group].via == careful[group].via, (seed, group)
        # A chain of more than eight businesses.
        deep += any(p["id"].startswith("c") and int(p["id"].split("b")[1].split("-")[0])
                    > 8 for p in data["parties"])
    assert deep > 10  # long chains were walked


@settings(max_examples=100, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(inventories(max_flows=16))
def test_org_intake_equals_the_pair_by_pair_walk_on_property_inventories(data):
    inv = build(data)
    fast, careful = Context(inv)._org_intake, checks_oracle.org_intake(Context(inv))
    assert {g: (r.arrival, r.via) for g, r in fast.items()} == {
        g: (r.arrival, r.via) for g, r in careful.items()}


def _purposes_variant(data: dict, variant: str) -> dict:
    """``data`` with its purposes all announced early, none announced, or none defined."""
    data = dict(data)
    if variant == "early":
        data["purposes"] = [{"id": p["id"], "announced_on": "2020-01-01"} for p in data["purposes"]]
    elif variant == "never":
        data["purposes"] = [{"id": p["id"]} for p in data["purposes"]]
    elif variant == "none":
        del data["purposes"]
    return data


def test_tp802_candidates_give_the_old_findings_whatever_the_purposes():
    # TP802 keeps for its careful look only the flows starting before the last
    # announcement or naming a purpose never announced, found by passes in C; with
    # every purpose announced early, none announced or none defined, and with the
    # context's flows with linkable items already made or not, it finds what the
    # old check finds.
    rule, old = REGISTRY.rules["TP802"], checks_oracle.CHECKS["TP802"]
    found = dict.fromkeys(("as is", "early", "never", "none"), 0)
    for seed in range(60):
        for variant in found:
            inv = build(_purposes_variant(_law_inventory(seed), variant))
            for cached in (False, True):
                ctx = Context(inv)
                if cached:
                    assert ctx.flows_with_linkable is not None
                judged = {f.id: engine.judge(ctx, f)[0] for f in inv.flows}
                new = [f.as_dict() for f in rule.check(ctx, judged)]
                assert new == [f.as_dict() for f in old(ctx, judged)], (seed, variant, cached)
                found[variant] += len(new)
    # Unannounced purposes were found where some exist, and none where all are early.
    assert found["as is"] > 50 and found["never"] > 50, found
    assert found["early"] == found["none"] == 0, found


def test_tp202_open_contracts_signed_between_the_flows_starts():
    # The open binding contract covers the flows starting on or after its signing
    # (found without a look at their runs); the flows before it, and those naming an
    # ending contract, are judged in full, in the old check's order.
    data = {"format": "lineage/1", "organisation": "mc", "as_of": "2026-01-01",
            "parties": [{"id": "mc", "role": "self"}, {"id": "o1", "role": "outsourcee"}],
            "contracts": [
                {"id": "K1", "party": "o1", "signed_on": "2025-03-01", "no_leak": "true",
                 "no_re_provision": "true"},
                {"id": "K2", "party": "o1", "signed_on": "2024-01-01", "ends_on": "2025-01-31",
                 "no_leak": "true"}],
            "flows": [
                {"id": "F1", "from": "mc", "to": "o1", "items": ["name"], "start": "2025-03-01"},
                {"id": "F2", "from": "mc", "to": "o1", "items": ["name"], "start": "2025-01-15"},
                {"id": "F3", "from": "mc", "to": "o1", "items": ["name"], "start": "2025-02-15"},
                {"id": "F4", "from": "mc", "to": "o1", "items": ["name"], "start": "2025-04-01",
                 "contract": "K2"},
                {"id": "F5", "from": "mc", "to": "o1", "items": ["name"], "start": "2025-04-01",
                 "contract": "K1"}]}
    inv = build(data)
    ctx = Context(inv)
    judged = {f.id: engine.judge(ctx, f)[0] for f in inv.flows}
    new = [f.as_dict() for f in REGISTRY.rules["TP202"].check(ctx, judged)]
    assert new == [f.as_dict() for f in checks_oracle.CHECKS["TP202"](ctx, judged)]
    assert [f["id"] for f in new] == ["TP202:F2:contract", "TP202:F3:contract",
                                      "TP202:F4:contract"]
