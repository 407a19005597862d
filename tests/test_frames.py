"""The DataFrames an analyst reads: the findings' pack and parties' names (the trial of
round 14 derived the pack from the rule's prefix and merged the names in by hand)."""

from __future__ import annotations

import lineage
from paths import SAMPLE


def test_findings_carry_their_pack_and_the_parties_names():
    audit = lineage.check(SAMPLE, packs="policy,appi")
    f = audit.findings
    assert list(f["pack"].cat.categories) == ["policy", "appi"]
    assert f.groupby("pack", observed=False).size().to_dict() == {
        p: sum(1 for x in audit.results if x.rule.startswith({"policy": "TP", "appi": "AP"}[p])
               or (x.rule.startswith("LW") and dict(x.evidence).get("waiver", "").startswith(
                   {"policy": "TP", "appi": "AP"}[p])))
        for p in ("policy", "appi")}
    names = {p.id: p.name for p in audit.inventory.parties}
    assert (f["from_name"] == f["from"].map(names)).all()
    assert (f["to_name"] == f["to"].map(names)).all()
    assert f["route_ja"].dtype.name == audit.flows["route_ja"].dtype.name == "category"
    # foreign recipients, as the trial wanted them, without a merge
    abroad = {p.id for p in audit.inventory.parties if p.country not in (None, "JP")}
    assert set(f.loc[f["to"].isin(abroad), "to_name"]) <= set(names.values())
