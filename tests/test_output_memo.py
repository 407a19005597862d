"""Outputs that remember per-group or per-clause work give what asking afresh gives.

The report's "if a party leaks" table asks :func:`people_affected` for every party
with one ``memo``; the CSV, table, workbook and report views cite each clause once.
These compare the remembered answers with answers computed afresh for every party.
"""

from __future__ import annotations

import lineage
from lineage.analysis.queries import people_affected
from lineage.model.schema import Inventory
from lineage.rules.context import Context


def _every_party(inv: Inventory, memo):
    reach = Context(inv).subject_reach
    out = {}
    for p in inv.parties:
        groups = sorted(g for g, r in reach.items() if g != p.id and r.items_at(p.id))
        if groups:
            out[p.id] = people_affected(inv, p.id, groups, reach,
                                        memo=memo() if callable(memo) else memo)
    return out


def test_people_affected_with_one_memo_equals_a_fresh_count_per_party():
    inv = lineage.load("inventories/monocollabo")
    shared: dict = {}
    remembered = _every_party(inv, shared)
    fresh = _every_party(inv, lambda: None)
    assert remembered == fresh
    assert remembered["mailing-house"]["total"] == 154000
    assert set(shared["best"]) >= {"customers"}


def test_the_people_table_comes_from_the_same_counts():
    from lineage.output.view import PEOPLE_TOP, build
    rep = build(lineage.check("inventories/monocollabo"), drawing=False)
    inv = rep.audit.inventory
    fresh = _every_party(inv, lambda: None)
    subjects = {p.id for p in inv.parties if p.role == "data_subject"}
    expected = sorted(((pid, c["total"]) for pid, c in fresh.items()
                       if pid not in subjects and c["total"] is not None),
                      key=lambda e: (-e[1], lineage.terms.natural_key(e[0])))[:PEOPLE_TOP]
    assert [(p["party"], p["total"]) for p in rep.people] == expected


def test_each_finding_view_cites_what_its_own_clause_and_rule_give():
    from lineage.output.view import _law_heading, build
    from lineage.rules.clauses import cite, restatement
    from lineage.rules.registry import REGISTRY
    for lang in ("en", "ja"):
        rep = build(lineage.check("inventories/monocollabo", packs=("policy", "appi")),
                    lang=lang, drawing=False)
        policy = rep.audit.inventory.policy
        assert len(rep.findings) == len(rep.audit.results) > 10
        for view, f in zip(rep.findings, rep.audit.results):
            assert view.citations == tuple(c for c in cite(f.clause, policy) if c.quoted)
            assert view.restatement == restatement(REGISTRY.rules[f.rule], lang)
            assert view.law == _law_heading(f.clause, lang)


def test_the_csv_quotes_each_findings_own_clause():
    import csv
    from lineage.output import csvtable
    from lineage.rules.clauses import cite
    audit = lineage.check("inventories/monocollabo", packs=("policy", "appi"))
    rows = list(csv.DictReader(csvtable.render(audit).removeprefix(csvtable.BOM).splitlines()))
    policy = audit.inventory.policy
    assert any(r["policy_text"] for r in rows)
    for row, f in zip(rows, audit.results, strict=True):
        quoted = [c for c in cite(f.clause, policy) if c.quoted]
        assert row["policy_label"] == csvtable.safe_cell(" / ".join(c.label or "" for c in quoted))
        assert row["policy_text"] == csvtable.safe_cell(" / ".join(c.text or "" for c in quoted))


def test_flow_rows_share_equal_parts_and_equal_the_engines_per_flow_answers():
    from lineage.rules.engine import run, status_of
    from lineage.terms import natural_key
    inv = lineage.load("inventories/monocollabo")
    audit = lineage.check(inv, packs=("policy", "appi"))
    engine = run(inv, packs=("policy", "appi"))
    flows = sorted(inv.flows, key=lambda f: natural_key(f.id))
    assert [r.id for r in audit.flow_results] == [f.id for f in flows]
    for row, flow in zip(audit.flow_results, flows, strict=True):
        mine = [f for f in engine.findings if f.flow == flow.id]
        assert row.items == tuple(flow.items) and row.purposes == tuple(flow.purposes)
        assert row.status == status_of(mine)
        assert row.findings == tuple(f.id for f in mine)
        assert row.status_by_pack == engine.status_by_pack[flow.id]
    distinct = {id(r.status_by_pack) for r in audit.flow_results}
    assert len(distinct) == len({tuple(r.status_by_pack.items()) for r in audit.flow_results})
