"""The end of a check (after the rules ran) gives what its careful form gave.

``engine._first_selected`` keeps the first finding of each ID among those of the
selected rules, in C-level passes; the loop it replaced is kept here as the
oracle. Fixed seed, bounded sample.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lineage.rules import engine
from lineage.rules.base import Finding


def _oracle(found, active):
    unique = {}
    for f in found:
        if f.rule in active:
            unique.setdefault(f.id, f)
    return list(unique.values())


FINDING = st.builds(
    lambda rule, flow, n: Finding(rule=rule, clause="1", kind="k", severity="error",
                                  flow=flow, frm="a", to="b", message=str(n)),
    st.sampled_from(["TP101", "TP102", "TP203", "LW001"]), st.sampled_from(["F1", "F2", "F10"]),
    st.integers(0, 3))


@settings(max_examples=300, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(FINDING, max_size=12), st.sets(st.sampled_from(["TP101", "TP102", "TP203",
                                                                "LW001"])))
def test_the_first_finding_of_each_id_of_the_selected_rules_in_order(found, active):
    got = engine._first_selected(found, active)
    expected = _oracle(found, active)
    assert len(got) == len(expected)
    assert all(a is b for a, b in zip(got, expected))


def _in_order_oracle(ctx, findings, flagged):
    """engine._in_order as it was (a Python step per finding): the oracle."""
    from lineage.terms import natural_sorted
    by_flow: dict = {}
    for f in findings:
        by_flow.setdefault(f.flow, []).append(f)
    out: list = []
    flows = ctx.flows
    if len(flows) == len(ctx.flow_list) and all(map(flows.__contains__, by_flow)):
        for flow_id in natural_sorted(by_flow, key=str):
            got = by_flow[flow_id]
            if len(got) > 1:
                got.sort(key=lambda f: (f.rule, f.id))
            out.extend(got)
            flagged[flow_id] = (engine.status_of(got), tuple(f.id for f in got))
    if len(out) != len(findings):
        out = sorted(findings, key=engine._finding_order(ctx, findings))
        flagged.clear()
    return out


#: Flow IDs of several shapes: one head and a number (in order or not, leading
#: zeros), other heads, no number, digits inside, non-ASCII.
FLOW_IDS = st.sampled_from(["F1", "F2", "F9", "F10", "F11", "F100", "F01", "F010", "F0", "G1",
                            "G10", "F", "F1a", "a2b", "a10", "x", "モ1", "F 3", ""])
ORDERED = st.builds(
    lambda rule, flow, subject, severity, waived: Finding(
        rule=rule, clause="1", kind="k", severity=severity, flow=flow, frm="a", to="b",
        subject=subject, waived=waived),
    st.sampled_from(["TP101", "TP102", "TP203", "LW001", "TP11"]), FLOW_IDS,
    st.none() | st.sampled_from(["name", "mail", "a"]),
    st.sampled_from(["error", "warning", "info"]), st.booleans())


@settings(max_examples=400, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ORDERED, max_size=14), st.sets(FLOW_IDS, max_size=12),
       st.booleans(), st.booleans())
def test_findings_are_put_in_order_as_the_careful_loop_put_them(found, flow_ids, all_known,
                                                                 shuffled):
    # The flows of the context: those of the findings too (unless some finding is
    # on no flow of it: the plain sort), in natural order, each ID once.
    from types import SimpleNamespace
    from lineage.terms import natural_sorted
    if all_known:
        flow_ids = flow_ids | {f.flow for f in found}
    ordered = natural_sorted(flow_ids, key=str)
    ctx = SimpleNamespace(flows={i: None for i in ordered},
                          flow_list=[SimpleNamespace(id=i) for i in ordered])
    if shuffled:
        found = found[::-1]
    flagged, expected_flagged = {}, {}
    got = engine._in_order(ctx, list(found), flagged)
    expected = _in_order_oracle(ctx, list(found), expected_flagged)
    assert [id(f) for f in got] == [id(f) for f in expected]
    assert list(flagged.items()) == list(expected_flagged.items())


def test_a_million_flows_shape_in_order_takes_the_flows_by_number():
    from types import SimpleNamespace
    ids = [f"F{n}" for n in range(200)]
    ctx = SimpleNamespace(flows=dict.fromkeys(ids), flow_list=[SimpleNamespace(id=i) for i in ids])
    found = [Finding(rule=r, clause="1", kind="k", severity="error", flow=f"F{n}", frm="a",
                     to="b", waived=n % 7 == 0) for r in ("TP203", "TP101") for n in
             range(199, -1, -3)]
    flagged, expected_flagged = {}, {}
    assert engine._in_order(ctx, found, flagged) == _in_order_oracle(ctx, found, expected_flagged)
    assert list(flagged.items()) == list(expected_flagged.items())
    assert list(flagged)[:3] == ["F1", "F4", "F7"]
    assert flagged["F7"] == ("waived", ("TP101:F7", "TP203:F7"))
