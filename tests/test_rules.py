"""Every rule's failing and passing example, and the edge cases in tests/rules/*.yaml."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from lineage.audit import check
from lineage.rules.examples import BASE, build_example
from lineage.rules.registry import REGISTRY

CASES = Path(__file__).parent / "rules"


def _examples():
    for rule in REGISTRY:
        yield pytest.param(rule, rule.fail, id=f"{rule.id}-fail")
        yield pytest.param(rule, rule.passing, id=f"{rule.id}-pass")


@pytest.mark.parametrize("rule, example", list(_examples()))
def test_rule_example(rule, example):
    audit = check(build_example(example.inventory), packs=rule.packs)
    assert sorted(f.id for f in audit.results) == sorted(example.expect)


def test_every_rule_fails_its_own_failing_example():
    for rule in REGISTRY:
        assert any(i.split(":")[0] == rule.id for i in rule.fail.expect), rule.id
        assert not any(i.split(":")[0] == rule.id for i in rule.passing.expect), rule.id


def test_base_example_inventory_is_clean():
    audit = check(build_example(""))
    assert audit.results == ()
    assert [r.status for r in audit.flow_results] == ["ok"]


def _cases():
    for path in sorted(CASES.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            yield pytest.param(case, id=f"{path.stem}: {case['name']}")


@pytest.mark.parametrize("case", list(_cases()))
def test_rule_case(case):
    as_of = case.get("as_of")
    audit = check(build_example(case["inventory"]),
                  as_of=dt.date.fromisoformat(str(as_of)) if as_of else None,
                  packs=tuple(case.get("packs", ("policy",))))
    assert sorted(f.id for f in audit.results) == sorted(case["expect"])
    routes = {r.id: r.route for r in audit.flow_results}
    for flow, route in (case.get("routes") or {}).items():
        assert routes[flow] == route, flow
    by_id = {f.id: f.as_dict() for f in audit.results}
    for fid, evidence in (case.get("evidence") or {}).items():
        if not evidence:  # none at all
            assert by_id[fid]["evidence"] == {}, fid
        for key, value in evidence.items():
            assert by_id[fid]["evidence"][key] == value, (fid, key)
    for flow, statuses in (case.get("status_by_pack") or {}).items():
        assert audit.as_dict()["flows"][_row(audit, flow)]["status_by_pack"] == statuses, flow
    if "policy_ok_law_violation" in case:
        assert audit.policy_ok_law_violation == case["policy_ok_law_violation"]
    for fid, message in (case.get("messages") or {}).items():
        assert by_id[fid]["message"] == message, fid
    for fid, message in (case.get("messages_ja") or {}).items():
        assert by_id[fid]["message_ja"] == message, fid
    for fid, items in (case.get("items") or {}).items():
        assert by_id[fid]["items"] == items, fid
    if "waived" in case:
        assert sorted(f.id for f in audit.results if f.waived) == sorted(case["waived"])


def _row(audit, flow):
    return [r.id for r in audit.flow_results].index(flow)


def test_base_is_valid_yaml():
    assert yaml.safe_load(BASE)["organisation"] == "mc"


def test_a_verdict_naming_more_than_three_lacks_says_how_many_more_in_both_languages():
    # The Japanese message dropped the count that the English one gives.
    audit = check(build_example(
        "consents:\n"
        "  - {id: K1, subjects: customers, recipients: [partner], items: [name],\n"
        "     purposes: [shipping], obtained_on: 2025-06-01}\n"
        "flows:\n"
        "  - {id: F1, from: mc, to: partner, items: [name, email, phone],\n"
        "     purposes: [shipping, ads], start: 2025-01-01}\n"))
    (finding,) = audit.results
    assert finding.id == "TP101:F1"
    assert finding.message.endswith(
        "consent K1 does not cover purpose ads (+1 more)")
    assert finding.message_ja.endswith(
        "同意 K1 に利用目的 ads が含まれていません (ほか 1 件)")
    # the evidence names every lack, the one the message leaves out too (trial of round 15)
    assert list(dict(finding.evidence)["lacks"]) == [
        "TP102:F1:K1", "TP103:F1:ads", "TP103:F1:email", "TP103:F1:phone"]


def test_a_consent_of_one_of_several_groups_is_named_with_its_group():
    # An office's trial: a flow carrying two groups' data was blamed on "consent C2",
    # the members' consent for another recipient, with no word of the members.
    audit = check(build_example(
        "parties:\n"
        "  - {id: members, role: data_subject}\n"
        "consents:\n"
        "  - {id: C1, subjects: customers, recipients: [partner], items: [name],\n"
        "     purposes: [ads], obtained_on: 2024-01-01}\n"
        "  - {id: C2, subjects: members, recipients: [group-co], items: [name],\n"
        "     purposes: [ads], obtained_on: 2024-01-01, withdrawn_on: 2025-06-01}\n"
        "flows:\n"
        "  - {id: M1, from: members, to: mc, items: [name], purposes: [ads], start: 2024-01-01}\n"
        "  - {id: F1, from: mc, to: partner, items: [name], purposes: [ads], basis: consent,\n"
        "     start: 2025-01-01}\n"))
    assert [(f.id, f.message, f.message_ja) for f in audit.results] == [
        ("TP103:F1:recipient", "consent C2 of members does not cover recipient partner",
         "members の同意 C2 の提供先に partner が含まれていません"),
        ("TP104:F1:C2", "consent C2 of members was withdrawn on 2025-06-01 but the flow has "
         "not stopped", "members の同意 C2 は 2025-06-01 に撤回されましたが、提供は停止されていません")]


def test_tp201_for_a_recipient_with_no_contract_says_how_to_fix_that():
    # the trial of round 15: a reinsurer declared as outsourcing was told to "extend the
    # contract", which did not exist
    audit = check(build_example(
        "flows:\n"
        "  - {id: F1, from: mc, to: partner, items: [name], purposes: [shipping],\n"
        "     basis: outsourcing, start: 2025-01-01}\n"))
    (finding,) = [f for f in audit.results if f.id == "TP201:F1:recipient"]
    assert "A recipient with no contract is no outsourcee: sign one with it" in finding.remedy
    assert "契約のない提供先は委託先ではありません" in finding.remedy_ja
