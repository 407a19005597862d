"""TP203's outsourcing circles (an iterative Tarjan search) against networkx's
condensation, the way they were made before, on generated contract graphs."""

from types import SimpleNamespace

import networkx as nx
from hypothesis import given, settings, strategies as st

from lineage.rules.policy.TP203 import _circles


def _oracle(ctx, outsourcees):
    graph = nx.DiGraph()
    for party, contracts in ctx.contracts_by_party.items():
        for contract in contracts:
            for sub in contract.sub_outsourcing:
                graph.add_edge(party, sub)
    graph.add_nodes_from(outsourcees)
    base = frozenset(ctx.parties_by_entity[ctx.org_entity])
    out = {}
    for o in outsourcees:
        parties = set(base)
        for node in nx.descendants(graph, o) | {o}:
            parties.update(ctx.parties_by_entity.get(ctx.entity(node), [node]))
        out[o] = frozenset(parties)
    return out


def _ctx(edges, entities, n_org):
    contracts: dict = {}
    for k, (party, subs) in enumerate(edges):
        contracts.setdefault(party, []).append(SimpleNamespace(id=f"K{k}", sub_outsourcing=subs))
    by_entity: dict = {"org": [f"d{k}" for k in range(n_org)] + ["org"]}
    for party, entity in entities.items():
        by_entity.setdefault(entity, []).append(party)
    return SimpleNamespace(contracts_by_party=contracts, parties_by_entity=by_entity,
                           org_entity="org", entity=lambda p: entities.get(p, p))


_party = st.sampled_from([f"x{k}" for k in range(12)])


@settings(max_examples=300, deadline=None)
@given(edges=st.lists(st.tuples(_party, st.lists(_party, max_size=3)), max_size=25),
       entities=st.dictionaries(_party, st.sampled_from(["E1", "E2", "E3"]), max_size=6),
       outsourcees=st.lists(_party, min_size=1, max_size=8, unique=True),
       n_org=st.integers(0, 2))
def test_circles_equal_the_condensation(edges, entities, outsourcees, n_org):
    ctx = _ctx(edges, entities, n_org)
    assert _circles(ctx, outsourcees) == _oracle(ctx, outsourcees)


def test_a_ring_of_many_contracts_is_one_circle_without_recursion():
    n = 50_000
    edges = [(f"x{k}", [f"x{(k + 1) % n}"]) for k in range(n)]
    ctx = _ctx(edges, {}, 1)
    circles = _circles(ctx, ["x0", "x49999"])
    assert circles["x0"] is circles["x49999"]
    assert len(circles["x0"]) == n + 2  # every party of the ring, the org's two


def test_a_chain_reaches_down_not_up():
    edges = [("a", ["b"]), ("b", ["c"])]
    ctx = _ctx(edges, {}, 0)
    circles = _circles(ctx, ["a", "b", "c"])
    assert circles == {"a": frozenset({"org", "a", "b", "c"}),
                       "b": frozenset({"org", "b", "c"}), "c": frozenset({"org", "c"})}
