"""Every mistake the property tests found, as a small inventory with its expected findings.

Each ``tests/regressions/*.yaml`` is a complete inventory (``lineage check`` runs it; its
``note`` says what went wrong); ``expected.yaml`` holds what it must give. Each is also
checked with its records reversed and in every form, the properties that found most of
them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import inventory_properties as props
from lineage.audit import check
from lineage.model import load
from lineage.rules.examples import _stringify

HERE = Path(__file__).parent / "regressions"
EXPECTED = yaml.safe_load((HERE / "expected.yaml").read_text(encoding="utf-8"))


def test_every_regression_has_expectations():
    files = sorted(p.name for p in HERE.glob("*.yaml") if p.name != "expected.yaml")
    assert files == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_regression(name):
    want = EXPECTED[name]
    audit = check(load(HERE / name))
    by_id = {f.id: f.as_dict() for f in audit.results}
    assert sorted(by_id) == sorted(want["findings"])
    routes = {r.id: r.route for r in audit.flow_results}
    for flow, route in (want.get("routes") or {}).items():
        assert routes[flow] == route, flow
    for fid, evidence in (want.get("evidence") or {}).items():
        for key, value in evidence.items():
            assert by_id[fid]["evidence"][key] == value, (fid, key)
    for fid, message in (want.get("messages") or {}).items():
        assert by_id[fid]["message"] == message, fid
    if "flow_order" in want:
        assert [r.id for r in audit.flow_results] == want["flow_order"]
    data = _stringify(yaml.safe_load((HERE / name).read_text(encoding="utf-8")))
    props.order_does_not_matter(data, 0)
    reversed_data = {k: v[::-1] if isinstance(v, list) else v for k, v in data.items()}
    assert props.report(reversed_data) == props.report(data)
    props.forms_do_not_matter(data)
