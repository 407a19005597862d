"""The whole-collection tests of check_references give what the record-by-record
walk gives: the same problems in the same order, or none.

``_contracts_fine`` lets the reference check skip its walk over the contracts
when a test over the whole collection finds nothing to report; here it is held
to the walk on generated contracts, fine and faulty.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from lineage.model import references
from lineage.model.errors import Location
from lineage.model.schema import Inventory
from lineage.model.sources import SourceMap

_IDS = ["mc", "acme", "sub", "ghost", "people"]


@st.composite
def inventories(draw):
    data = {"format": "lineage/1", "organisation": "mc",
            "parties": [{"id": "mc", "role": "self"}, {"id": "acme", "role": "outsourcee"},
                        {"id": "sub", "role": "outsourcee"},
                        {"id": "people", "role": "data_subject"}],
            "flows": [], "contracts": []}
    if draw(st.booleans()):
        data["data_items"] = [{"id": "name"}, {"id": "email"}]
    if draw(st.booleans()):
        data["purposes"] = [{"id": "ads"}]
    for n in range(draw(st.integers(0, 6))):
        contract = {"id": f"K{n}", "party": draw(st.sampled_from(_IDS)),
                    "signed_on": draw(st.sampled_from(["2024-01-01", "2025-01-01"]))}
        if draw(st.booleans()):
            contract["ends_on"] = draw(st.sampled_from(["2024-06-01", "2026-01-01"]))
        for field, values in (("items", ["name", "email", "phone"]),
                              ("purposes", ["ads", "resale"]),
                              ("sub_outsourcing", _IDS)):
            if draw(st.booleans()):
                contract[field] = draw(st.lists(st.sampled_from(values), min_size=1,
                                                max_size=3))
        data["contracts"].append(contract)
    return Inventory.model_validate(data)


def _messages(inv):
    return [p.as_dict() for p in references.check_references(
        inv, SourceMap(Location("inv.yaml")), {})]


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(inventories())
def test_contracts_fine_is_the_walk(inv):
    quick = _messages(inv)
    saved = references._contracts_fine
    references._contracts_fine = lambda *args: False  # always walk
    try:
        walked = _messages(inv)
    finally:
        references._contracts_fine = saved
    assert quick == walked
    fine = references._contracts_fine(
        inv.contracts, {p.id for p in inv.parties},
        inv.data_items is not None and {i.id for i in inv.data_items},
        inv.purposes is not None and {p.id for p in inv.purposes})
    assert fine == (not any(p["record"] and p["record"].startswith("K") for p in walked))
