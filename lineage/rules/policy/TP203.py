from ..base import Example, Rule
from ..clauses import Clause
import networkx as nx

from ...propagation import propagate

_EXEMPTIONS = ("law", "life", "public_health", "government")
_NOT_PROVISION = {"internal", "storage_only", "non_personal"}


class TP203(Rule):
    """An outsourcee passes entrusted data outside its circle (re-provision, 再提供).

    Items that reached an outsourcee only by outsourcing from the organisation
    may travel within the circle of the organisation, that outsourcee and the
    parties its contract lists in ``sub_outsourcing`` (at any depth). A flow
    leaving the circle with such items, starting on or after the entrusting
    flow, is a re-provision: one finding per item (``TP203:<flow>:<item>``)
    whose evidence is the path from the entrusting flow. Flows back to the
    data subjects, flows that are no provision (storage only, linkable items
    alone), items going back to the very people they are about, and flows with
    a justified exemption (law, life, public health, government; declared, or
    recorded in ``exemption`` without a basis) are not reported. Items the outsourcee also holds from another
    source are not "entrusted only".

    Non-compliant: the carrier hands customer names to a partner.
    Compliant: it hands them to a sub-outsourcee its contract allows.

    Example:
        >>> from lineage.rules import engine, examples
        >>> [f.id for f in engine.run(examples.build_example(TP203.fail.inventory)).findings]
        ['TP203:F2:name']
    """

    id = "TP203"
    clause = Clause("1.5")
    kind = "re-provision"
    title_en = "Re-provision of entrusted data by an outsourcee"
    title_ja = "委託先による再提供"
    remedy_en = ("Stop the outsourcee's onward flow, or list the recipient as an allowed "
                 "sub-outsourcee in the contract.")
    remedy_ja = "委託先からの提供を停止するか、契約の再委託先に提供先を明記してください。"
    fail = Example("carrier passes names on", """
contracts:
  - {id: K1, party: carrier, signed_on: 2024-01-01, no_leak: true, no_re_provision: true}
flows:
  - {id: F1, from: mc, to: carrier, items: [name], purposes: [shipping], start: 2025-01-01}
  - {id: F2, from: carrier, to: partner, items: [name], start: 2025-02-01}
""", ("TP203:F2:name",))
    passing = Example("allowed sub-outsourcee", """
contracts:
  - {id: K1, party: carrier, signed_on: 2024-01-01, no_leak: true, no_re_provision: true,
     sub_outsourcing: [partner]}
flows:
  - {id: F1, from: mc, to: carrier, items: [name], purposes: [shipping], start: 2025-01-01}
  - {id: F2, from: carrier, to: partner, items: [name], start: 2025-02-01}
""", ())

    @classmethod
    def check(cls, ctx, judged):
        """Yields one finding per entrusted item that leaves its outsourcing circle.

        Example:
            >>> from lineage.rules import context, engine, examples
            >>> ctx = context.Context(examples.build_example(TP203.fail.inventory))
            >>> judged = {f.id: engine.judge(ctx, f)[0] for f in ctx.inv.flows}
            >>> [f.id for f in TP203.check(ctx, judged)]
            ['TP203:F2:name']
        """
        reported: dict = {}
        # One propagation per outsourcee: each item starts at the earliest
        # entrusting flow that carries it, which is the weakest "on or after"
        # condition any onward flow must meet.
        seeds: dict[str, dict] = {}
        first: dict = {}
        for entrust in sorted((f for f in ctx.inv.flows if judged[f.id].route == "outsourcing"),
                              key=lambda f: (f.start, f.id)):
            held = seeds.setdefault(entrust.to, {})
            for item in entrust.items:
                if item not in held:
                    held[item] = entrust.start
                    first[(entrust.to, item)] = entrust
        # Outsourcees that share a circle are propagated together: the seed an
        # item came from tells which entrusting flow it belongs to.
        by_circle: dict[frozenset, list[str]] = {}
        circles = _circles(ctx, sorted(seeds))
        for outsourcee in sorted(seeds):
            by_circle.setdefault(circles[outsourcee], []).append(outsourcee)
        for circle, members in sorted(by_circle.items(), key=lambda kv: kv[1]):
            own = _own_items(ctx, judged, circle)
            starts = {o: {i: d for i, d in seeds[o].items() if i not in own.get(o, ())}
                      for o in members}
            starts = {o: v for o, v in starts.items() if v}
            if not starts:
                continue
            reach = propagate(
                ctx.inv.flows, starts, index=ctx.by_item, flows_by_id=ctx.flows,
                allow=lambda f, circle=circle: f.to in circle and not ctx.is_org(f.frm))
            for party in reach.parties():
                held = reach.items_at(party)
                for flow in ctx.out.get(party, ()):
                    if flow.to in circle:
                        continue
                    if judged[flow.id].route in _NOT_PROVISION or _exempt(ctx, flow):
                        continue
                    for item in flow.items:
                        since = held.get(item)
                        if since is None or item in own.get(party, ()):
                            continue
                        if _back_to_subjects(ctx, flow, item):
                            continue
                        if flow.end is not None and flow.end < since:
                            continue
                        outsourcee = reach.origin(party, item)
                        entrust = first[(outsourcee, item)]
                        if flow.start < entrust.start:
                            continue
                        key = (flow.id, item)
                        if key in reported:
                            continue
                        path = [entrust.id] + reach.path(party, item) + [flow.id]
                        reported[key] = cls.finding(
                            flow, subject=item, items=[item],
                            evidence={"path": path, "outsourcee": outsourcee},
                            message=f"item {item}, entrusted to {outsourcee} by {entrust.id}, "
                                    f"leaves the outsourcing circle to {flow.to} "
                                    f"(path {' > '.join(path)})",
                            message_ja=f"{entrust.id} で {outsourcee} に委託した項目 {item} が"
                                       f"委託の範囲外の {flow.to} に提供されています"
                                       f"(経路 {' > '.join(path)})")
        yield from reported.values()


def _circles(ctx, outsourcees) -> dict[str, frozenset]:
    """Each outsourcee's circle: the organisation's parties, the outsourcee and
    the sub-outsourcees its contracts allow, at any depth (with their legal
    entities). Strongly connected groups share one circle, so chains and rings
    of sub-outsourcing are walked once, not once per outsourcee.
    """
    graph = nx.DiGraph()
    for party, contracts in ctx.contracts_by_party.items():
        for contract in contracts:
            for sub in contract.sub_outsourcing:
                graph.add_edge(party, sub)
    graph.add_nodes_from(outsourcees)
    dag = nx.condensation(graph)
    members = dag.graph["mapping"]
    base = frozenset(ctx.parties_by_entity[ctx.org_entity])
    memo: dict[int, frozenset] = {}
    for node in reversed(list(nx.topological_sort(dag))):
        parties = set(base)
        for party in dag.nodes[node]["members"]:
            parties.update(ctx.parties_by_entity.get(ctx.entity(party), [party]))
        for succ in dag.successors(node):
            parties |= memo[succ]
        memo[node] = frozenset(parties)
    return {o: memo[members[o]] for o in outsourcees}


def _exempt(ctx, flow) -> bool:
    """Whether a justified exemption (5[1] items 1-4) covers the flow.

    A declared exemption basis must hold; without a basis, any exemption whose
    justification the flow records counts, as in route inference.
    """
    from ..routes import evaluate
    if flow.basis is not None:
        routes = (flow.basis,) if flow.basis in _EXEMPTIONS else ()
    else:
        routes = _EXEMPTIONS if flow.exemption is not None else ()
    return any(not evaluate(ctx, flow, route).findings for route in routes)


def _back_to_subjects(ctx, flow, item) -> bool:
    """Whether ``item`` goes back to the very people it is about."""
    if ctx.role(flow.to) != "data_subject":
        return False
    reach = ctx.subject_reach.get(flow.to)
    return reach is not None and item in reach.items_at(flow.frm)


def _own_items(ctx, judged, circle) -> dict[str, set]:
    """Items circle members hold from sources other than outsourcing."""
    own: dict[str, set] = {}
    for party in circle:
        if ctx.is_org(party):
            continue
        for flow in ctx.inbound.get(party, ()):
            if flow.frm in circle and not ctx.is_org(flow.frm):
                continue
            if ctx.is_org(flow.frm) and judged[flow.id].route == "outsourcing":
                continue
            own.setdefault(party, set()).update(flow.items)
    return own
