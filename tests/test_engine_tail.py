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
