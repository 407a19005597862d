"""Property-based tests: generated valid inventories, properties every check must keep.

A fixed-seed, bounded sample (derandomized, no example database) so the suite is
repeatable; ``scripts/property_run.py`` runs the same properties with random seeds for
as long as asked. Every mistake they found is a small inventory in tests/regressions/.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import inventory_properties as props
from inventory_strategies import build, inventories


def _fixed(n: int):
    return settings(max_examples=n, derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@_fixed(60)
@given(inventories())
def test_generated_inventories_are_valid(data):
    build(data)


@_fixed(40)
@given(inventories(), st.integers(0, 2**32))
def test_record_order_does_not_change_the_report(data, seed):
    props.order_does_not_matter(data, seed)


@_fixed(12)
@given(inventories(max_flows=8))
def test_every_form_gives_the_same_report(data):
    props.forms_do_not_matter(data)


@_fixed(40)
@given(inventories(), st.integers(0, 2**32))
def test_renaming_ids_changes_no_verdict(data, seed):
    props.renaming_changes_no_verdict(data, seed)


@_fixed(40)
@given(inventories(), st.data())
def test_covering_a_flow_adds_no_finding_to_it(data, draw):
    flow = draw.draw(st.sampled_from([f["id"] for f in data["flows"]]))
    kind = draw.draw(st.sampled_from(("consent", "opt_out", "joint_use", "contract")))
    props.cover_adds_no_finding(data, flow, kind)


@_fixed(30)
@given(inventories())
def test_removing_a_flow_removes_exactly_its_findings(data):
    props.removing_a_flow_removes_its_findings(data)


@_fixed(40)
@given(inventories())
def test_every_flow_gets_a_route_and_a_status(data):
    props.every_flow_has_route_and_status(data)


@_fixed(40)
@given(inventories(), st.integers(-800, 800))
def test_shifting_every_date_changes_no_verdict(data, days):
    props.shifting_dates_changes_no_verdict(data, days)


@_fixed(60)
@given(inventories(focus="outsourcing"))
def test_reprovision_matches_path_enumeration(data):
    props.reprovision_matches_path_enumeration(data)
