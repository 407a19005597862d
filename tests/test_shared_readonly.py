"""Objects the engine shares between flows (one evidence dict per contract, notice
or consent set; one "no evidence" dict for every check) never reach a caller who
may change them: what the public API hands out is the caller's own."""

from __future__ import annotations

import copy

import lineage
from paths import SAMPLE


def test_changing_one_flows_evidence_changes_no_other_flow_nor_a_later_check():
    audit = lineage.check(SAMPLE, packs=("policy", "appi"))
    before = copy.deepcopy(audit.evidence)
    empty = [fid for fid, ev in before.items() if not ev]
    consents = [fid for fid, ev in before.items() if ev.get("consents")]
    assert len(empty) > 1 and consents  # the sample has flows that share evidence
    evidence = audit.evidence
    evidence[empty[0]]["notice"] = "N-by-the-caller"
    for fid in consents:
        evidence[fid]["consents"].append("C-by-the-caller")
    assert audit.evidence[empty[1]] == {}
    assert lineage.check(SAMPLE, packs=("policy", "appi")).evidence == before


def test_the_evidence_every_check_shares_cannot_be_changed():
    # one "no evidence" mapping serves every flow of every check in the process
    # (rules read judgements' evidence): a change would reach later verdicts
    import pytest

    from lineage.rules import engine
    judged = engine.run(lineage.load(SAMPLE)).evidence
    empty = [ev for ev in judged.values() if not ev]
    assert len(empty) > 1
    with pytest.raises(TypeError):
        empty[0]["notice"] = "N-by-the-caller"
