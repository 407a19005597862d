"""Fast paths of the whole-inventory checks give what the careful paths give.

Rule.finding skips the sorting for empty or one-entry evidence and items, and
shares one clause text per rule; the findings must equal those of the general
formula, field by field.
"""

from __future__ import annotations

import itertools

from lineage.model.schema import Flow
from lineage.rules.base import Finding
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
