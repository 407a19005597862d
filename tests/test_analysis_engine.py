"""Item propagation: chains, diamonds, cycles, dropped items, time, both engines agree."""

from __future__ import annotations

import datetime as dt
import random
import textwrap

import numpy as np
import pytest

import lineage
from lineage.analysis import group_reach, reach_table, trace
from lineage.model import load
from lineage.flownet import FlowNet, sweep
from lineage.propagation import propagate
from lineage.rules.context import Context

D = dt.date


def inventory(tmp_path, flows: str, parties=("a", "b", "c", "d", "e"), extra: str = ""):
    """A small inventory: organisation ``a``, data subjects ``s``, given flows."""
    lines = ["format: lineage/1", "organisation: a", "as_of: 2026-01-01", "parties:",
             "  - {id: s, role: data_subject}"]
    lines += [f"  - {{id: {p}}}" if isinstance(p, str) else
              "  - {" + ", ".join(f"{k}: {v}" for k, v in p.items()) + "}" for p in parties]
    text = "\n".join(lines) + "\n" + textwrap.dedent(extra) + "flows:\n" + textwrap.dedent(flows)
    path = tmp_path / "inv.yaml"
    path.write_text(text, encoding="utf-8")
    return load(path)


def both(inv, seeds, **kw):
    """Arrivals from both engines, which must agree."""
    slow = propagate(inv.flows, seeds, as_of=kw.get("as_of"))
    fast = sweep(FlowNet.from_inventory(inv), seeds, as_of=kw.get("as_of"))
    for party in sorted({p.id for p in inv.parties}):
        assert slow.items_at(party) == fast.items_at(party), party
    return slow, fast


EVER = {"x": D.min}


def test_chain(tmp_path):
    inv = inventory(tmp_path, """\
      - {id: F1, from: a, to: b, items: [x], start: 2024-01-01}
      - {id: F2, from: b, to: c, items: [x], start: 2024-03-01}
      - {id: F3, from: c, to: d, items: [x], start: 2024-02-01}
    """)
    slow, fast = both(inv, {"a": EVER})
    assert fast.items_at("d") == {"x": D(2024, 3, 1)}
    assert slow.path("d", "x") == fast.path("d", "x") == ["F1", "F2", "F3"]


def test_diamond_takes_earliest_branch(tmp_path):
    inv = inventory(tmp_path, """\
      - {id: F1, from: a, to: b, items: [x], start: 2024-05-01}
      - {id: F2, from: a, to: c, items: [x], start: 2024-01-01}
      - {id: F3, from: b, to: d, items: [x], start: 2024-01-01}
      - {id: F4, from: c, to: d, items: [x], start: 2024-02-01}
    """)
    slow, fast = both(inv, {"a": EVER})
    assert fast.items_at("d") == {"x": D(2024, 2, 1)}
    assert fast.path("d", "x") == slow.path("d", "x") == ["F2", "F4"]


def test_cycle_terminates(tmp_path):
    inv = inventory(tmp_path, """\
      - {id: F1, from: a, to: b, items: [x, y], start: 2024-01-01}
      - {id: F2, from: b, to: c, items: [x, y], start: 2024-01-01}
      - {id: F3, from: c, to: b, items: [x, y], start: 2023-01-01}
      - {id: F4, from: b, to: a, items: [x], start: 2023-01-01}
    """)
    _, fast = both(inv, {"a": {"x": D.min, "y": D.min}})
    assert fast.items_at("c") == {"x": D(2024, 1, 1), "y": D(2024, 1, 1)}
    assert fast.rounds <= 4


def test_item_dropped_midway(tmp_path):
    inv = inventory(tmp_path, """\
      - {id: F1, from: a, to: b, items: [x, y], start: 2024-01-01}
      - {id: F2, from: b, to: c, items: [x], start: 2024-01-01}
      - {id: F3, from: c, to: d, items: [x, y], start: 2024-01-01}
    """)
    _, fast = both(inv, {"a": {"x": D.min, "y": D.min}})
    assert sorted(fast.items_at("d")) == ["x"]
    assert sorted(fast.items_at("b")) == ["x", "y"]


def test_time_bounded_flows(tmp_path):
    # F2 ended before x reached b: x cannot cross it; y (earlier) can.
    inv = inventory(tmp_path, """\
      - {id: F1, from: a, to: b, items: [x], start: 2024-06-01}
      - {id: F5, from: a, to: b, items: [y], start: 2023-01-01}
      - {id: F2, from: b, to: c, items: [x, y], start: 2023-01-01, end: 2024-05-31}
      - {id: F3, from: b, to: d, items: [x], start: 2027-01-01}
    """)
    _, fast = both(inv, {"a": {"x": D.min, "y": D.min}})
    assert fast.items_at("c") == {"y": D(2023, 1, 1)}
    assert fast.items_at("d") == {"x": D(2027, 1, 1)}
    _, cut = both(inv, {"a": {"x": D.min, "y": D.min}}, as_of=D(2026, 1, 1))
    assert cut.items_at("d") == {}


@pytest.mark.parametrize("seed", range(25))
def test_engines_agree_on_random_graphs(tmp_path, seed):
    rnd = random.Random(seed)
    parties = [f"p{n}" for n in range(8)]
    rows = []
    for n in range(30):
        frm, to = rnd.sample(["a"] + parties, 2)
        items = rnd.sample(["x", "y", "z"], rnd.randint(1, 3))
        start = D(2020, 1, 1) + dt.timedelta(days=rnd.randint(0, 2000))
        end = (f", end: {start + dt.timedelta(days=rnd.randint(0, 600))}"
               if rnd.random() < 0.3 else "")
        rows.append(f"  - {{id: F{n}, from: {frm}, to: {to}, items: [{', '.join(items)}], "
                    f"start: {start}{end}}}")
    inv = inventory(tmp_path, "\n".join(rows) + "\n", parties=["a"] + parties)
    seeds = {"a": {"x": D(2021, 1, 1), "y": D.min, "z": D(2019, 1, 1)}}
    both(inv, seeds)
    both(inv, seeds, as_of=D(2023, 1, 1))


def test_group_reach_matches_rules_context():
    inv = load("inventories/monocollabo")
    ctx = Context(inv)
    net = FlowNet.from_inventory(inv)
    bits = group_reach(net)
    # between legal entities, as the rules' lineage: the sample's entities of
    # several parties make it differ from the reach by party ID
    assert sorted(bits) == sorted(ctx.entity_reach)
    differs = False
    for group, reach in ctx.entity_reach.items():
        by_id = ctx.subject_reach[group]
        differs = differs or any(set(reach.items_at(p)) != set(by_id.items_at(p))
                                 for p in net.parties)
        got = np.unpackbits(bits[group], axis=1)[:, :net.n_items]
        for p, party in enumerate(net.parties):
            assert {net.items[i] for i in np.flatnonzero(got[p])} == set(reach.items_at(party))
    assert differs


def test_trace_shortest_versus_earliest(tmp_path):
    # Shortest route (1 flow) arrives later than the 2-flow route.
    inv = inventory(tmp_path, """\
      - {id: F1, from: a, to: d, items: [x], start: 2025-01-01}
      - {id: F2, from: a, to: b, items: [x], start: 2024-01-01}
      - {id: F3, from: b, to: d, items: [x], start: 2024-02-01}
    """)
    t = trace(inv, "x", frm="a")
    row = t.table[t.table.party == "d"].iloc[0]
    assert (row.hops, row.path, row.since) == (1, ["F1"], D(2024, 2, 1))
    one = trace(inv, "x", frm="a", depth=1)
    assert one.table.set_index("party").loc["d", "since"] == D(2025, 1, 1)
    assert "b" in one.table.party.tolist()


def test_trace_all_simple_paths(tmp_path):
    inv = inventory(tmp_path, """\
      - {id: F1, from: a, to: b, items: [x], start: 2024-01-01}
      - {id: F2, from: a, to: c, items: [x], start: 2024-01-01}
      - {id: F3, from: b, to: d, items: [x], start: 2024-01-01}
      - {id: F4, from: c, to: d, items: [x], start: 2024-01-01}
      - {id: F5, from: d, to: b, items: [x], start: 2024-01-01}
    """)
    t = trace(inv, "x", frm="a", all_paths=True)
    paths = sorted(tuple(p) for p in t.table[t.table.party == "d"].path)
    assert paths == [("F1", "F3"), ("F2", "F4")]
    assert ("F2", "F4", "F5") in {tuple(p) for p in t.table.path}
    assert t.extra == {"truncated": False}
    limited = trace(inv, "x", frm="a", all_paths=True, limit=2)
    assert len(limited.table) == 2 and limited.extra == {"truncated": True}


def test_reach_table_respects_as_of(tmp_path):
    inv = inventory(tmp_path, """\
      - {id: F1, from: s, to: a, items: [x], start: 2024-01-01}
      - {id: F2, from: a, to: b, items: [x], start: 2026-06-01}
    """)
    assert reach_table(inv).party.tolist() == ["b"]
    assert reach_table(inv, origins=["s"], as_of=D(2025, 1, 1)).party.tolist() == ["a"]


def test_reach_follows_legal_entities_as_trace_does(tmp_path):
    # b2 is a department of b's company: what b holds, b2 holds; c gets it from b2
    inv = inventory(tmp_path, """\
      - {id: F1, from: s, to: a, items: [x], start: 2024-01-01}
      - {id: F2, from: a, to: b, items: [x], start: 2024-02-01}
      - {id: F3, from: b2, to: c, items: [x], start: 2024-03-01}
    """, parties=["a", "b", "c", {"id": "b2", "legal_entity": "b"}])
    table = reach_table(inv, origins=["s"])
    assert table[["party", "since", "path"]].values.tolist() == [
        ["a", D(2024, 1, 1), ["F1"]], ["b", D(2024, 2, 1), ["F1", "F2"]],
        ["b2", D(2024, 2, 1), ["F1", "F2"]], ["c", D(2024, 3, 1), ["F1", "F2", "F3"]]]
    assert sorted(trace(inv, "x", frm="s").table.party) == sorted(table.party)
    net = FlowNet.from_inventory(inv)
    got = np.unpackbits(group_reach(net)["s"], axis=1)[:, :net.n_items]
    assert [p for n, p in enumerate(net.parties) if got[n].any()] == ["a", "b", "b2", "c", "s"]


SUB = """\
contracts:
  - {{id: K1, party: b, signed_on: 2023-01-01, no_leak: true, no_re_provision: true,
     sub_outsourcing: [{allowed}]}}
"""
SUB_FLOWS = """\
  - {id: F0, from: s, to: a, items: [x], purposes: [], start: 2024-01-01}
  - {id: F1, from: a, to: b, items: [x], basis: outsourcing, contract: K1, start: 2024-01-01}
  - {id: F2, from: b, to: c, items: [x], start: 2024-02-01}
  - {id: F3, from: c, to: d, items: [x], start: 2024-03-01}
"""


def test_sub_outsourcing_allowed_by_contract(tmp_path):
    inv = inventory(tmp_path, SUB_FLOWS, extra=SUB.format(allowed="c, d"))
    assert [f.id for f in lineage.check(inv).results if f.rule == "TP203"] == []


def test_sub_outsourcing_not_allowed_names_the_whole_path(tmp_path):
    inv = inventory(tmp_path, SUB_FLOWS, extra=SUB.format(allowed="c"))
    found = [f for f in lineage.check(inv).results if f.rule == "TP203"]
    assert [f.id for f in found] == ["TP203:F3:x"]
    assert found[0].as_dict()["evidence"]["path"] == ["F1", "F2", "F3"]
    inv = inventory(tmp_path, SUB_FLOWS, extra=SUB.format(allowed="e"))
    found = [f for f in lineage.check(inv).results if f.rule == "TP203"]
    assert [(f.id, f.as_dict()["evidence"]["path"]) for f in found] == [
        ("TP203:F2:x", ["F1", "F2"])]


def test_a_long_chain_is_refused_before_its_quadratic_listing(tmp_path, monkeypatch, run_cli):
    # the hostile review of round 15: a chain of 20,000 parties made trace and impact run
    # past two minutes in 4.6 GB (every party's row lists its whole route)
    from lineage.analysis import queries
    n = 300
    parties = "".join(f"  - {{id: p{k}, role: third_party}}\n" for k in range(n))
    flows = "".join(f"  - {{id: F{k + 2}, from: p{k}, to: p{k + 1}, items: [x], "
                    "start: 2024-01-01}\n" for k in range(n - 1))
    inv = tmp_path / "chain.yaml"
    inv.write_text("format: lineage/1\norganisation: org\nas_of: 2026-01-01\nparties:\n"
                   "  - {id: org, role: self}\n  - {id: s, role: data_subject}\n" + parties
                   + "data_items: [{id: x}]\nflows:\n"
                   "  - {id: F0, from: s, to: org, items: [x], start: 2024-01-01}\n"
                   "  - {id: F1, from: org, to: p0, items: [x], start: 2024-01-01}\n" + flows,
                   encoding="utf-8")
    assert len(queries.trace(inv, "x").table) == n  # 45,150 flows listed: within
    monkeypatch.setattr(queries, "MAX_LISTED_FLOWS", 10_000)
    for args in (("trace", inv, "--item", "x"), ("impact", inv, "--party", "org")):
        err = run_cli(*args, expect=2).stderr
        assert "flows along its routes (each party's whole route), more than the 10,000" in err
    assert len(queries.trace(inv, "x", depth=50).table) == 50  # narrowed: answered


def test_the_listing_cap_counts_every_party_of_an_entity(tmp_path, monkeypatch):
    # the review of round 15: the cap counted one row per legal entity, but the trace
    # lists the route once per party of it
    from lineage.analysis import queries
    lines = ["format: lineage/1", "organisation: mc", "as_of: 2026-11-01",
             "data_items: [{id: name}]", "parties:", "  - {id: mc, role: self}",
             "  - {id: customers, role: data_subject}"]
    lines += [f"  - {{id: e{e}d{m}, role: third_party, legal_entity: e{e}d0}}"
              for e in range(10) for m in range(10)]
    lines += ["flows:", "  - {id: C0, from: customers, to: mc, items: [name], start: 2024-01-01}"]
    lines += [f"  - {{id: F{e}, from: {'mc' if e == 0 else f'e{e - 1}d0'}, to: e{e}d0, "
              "items: [name], start: 2024-01-01}" for e in range(10)]
    inv = tmp_path / "entities.yaml"
    inv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(queries, "MAX_LISTED_FLOWS", 550)
    table = queries.trace(inv, "name", frm="mc").table
    assert sum(map(len, table["path"])) == 550
    monkeypatch.setattr(queries, "MAX_LISTED_FLOWS", 549)
    with pytest.raises(queries.QueryError, match="would list 550 flows"):
        queries.trace(inv, "name", frm="mc")
