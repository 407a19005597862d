"""The engine's passes that read a flow's fields from its ``__dict__`` give what
reading them as attributes gives.

A pydantic model keeps its fields in the instance ``__dict__``; an attribute
read goes through the model's ``__getattr__`` hook, a dict subscript does not.
The classification and the consent route read them the fast way, and fall
back to attributes for a flow that keeps a field elsewhere. Both ways are
compared here on generated inventories, and the whole check's judgements are
compared with judge's flow by flow when the flows come in the inventory's own
order (the judgements then start from a copy of the context's index).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from inventory_strategies import build, inventories
from lineage.rules import engine, routes
from lineage.rules.context import Context
from lineage.rules.examples import build_example
from lineage.rules.registry import REGISTRY


class _Slotted:
    """A flow's fields as plain attributes, with no ``__dict__`` to read."""

    __slots__ = tuple(f for f in ("id", "frm", "to", "items", "purposes", "basis", "consents",
                                  "notice", "contract", "event", "exemption", "method",
                                  "start", "end", "combined", "recipient_links", "recorded",
                                  "confirmed_acquisition", "improperly_acquired",
                                  "storage_only", "note"))

    def __init__(self, flow):
        for name in self.__slots__:
            setattr(self, name, getattr(flow, name))


def _examples():
    for rule in REGISTRY.rules.values():
        for example in (rule.fail, rule.passing):
            yield build_example(example.inventory)


def _same_classes(inventory):
    ctx = Context(inventory)
    flows = list(inventory.flows)
    by_fields = engine._places_by_fields(ctx, flows)
    assert by_fields == engine._places_by_attributes(ctx, flows)
    assert engine._places_by_class(ctx, flows) == by_fields
    # Flows without a __dict__: the attribute pass, with the same classes.
    assert engine._places_by_class(ctx, [_Slotted(f) for f in flows]) == by_fields


def _same_consent_answers(inventory):
    fast, plain = Context(inventory), Context(inventory)
    flows = [f for f in inventory.flows if plain.is_org(f.frm)]
    check = routes.quick_checks(fast)["consent"]
    by_dict = routes._consent_fields(fast, flows, check, routes._DICT_OF)
    by_attribute = routes._consent_fields(Context(inventory), flows,
                                          routes.quick_checks(Context(inventory))["consent"],
                                          routes._Attributes)
    expected = [routes.quick(plain, f, "consent") for f in flows]
    for flow, got, other, want in zip(flows, by_dict, by_attribute, expected):
        assert (got is None, got is routes.FAILS) == (want is None, want is routes.FAILS), flow.id
        assert got == want == other, flow.id


def _same_judgements_in_order(inventory):
    ctx = Context(inventory)
    judged, found, by_route = engine.judge_all(ctx, inventory.flows)
    plain = Context(inventory)
    expected = {}
    for flow in inventory.flows:
        expected[flow.id] = engine.judge(plain, flow)[0]
    assert list(judged) == list(expected)
    assert {k: (j.route, dict(j.evidence)) for k, j in judged.items()} == {
        k: (j.route, dict(j.evidence)) for k, j in expected.items()}
    assert type(judged) is dict and judged is not ctx.flows


@settings(max_examples=80, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(inventories(max_flows=24))
def test_fields_read_from_the_dict_equal_the_attributes(data):
    inventory = build(data)
    _same_classes(inventory)
    _same_consent_answers(inventory)
    _same_judgements_in_order(inventory)


def test_rule_examples_read_from_the_dict_equal_the_attributes():
    for inventory in _examples():
        _same_classes(inventory)
        _same_consent_answers(inventory)
        _same_judgements_in_order(inventory)


def test_a_flow_without_a_dict_is_classified_by_attribute():
    ctx = Context(build_example("{flows: [{id: F1, from: mc, to: partner, items: [name], "
                                "start: 2025-01-01}]}"))
    flows = [_Slotted(f) for f in ctx.inv.flows]
    try:
        engine._places_by_fields(ctx, flows)
    except AttributeError:
        pass
    else:
        raise AssertionError("a flow without __dict__ must not be read as one")
    assert engine._places_by_class(ctx, flows) == engine._places_by_attributes(ctx, flows)
