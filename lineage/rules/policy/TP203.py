from ..base import Example, Rule
from ..clauses import Clause
from ...propagation import propagate

_EXEMPT = {"law": "TP111", "life": "TP112", "public_health": "TP112", "government": "TP113"}
_NOT_PROVISION = {"internal", "to_subject", "storage_only", "non_personal"}


class TP203(Rule):
    """An outsourcee passes entrusted data outside its circle (re-provision, 再提供).

    Items that reached an outsourcee only by outsourcing from the organisation
    may travel within the circle of the organisation, that outsourcee and the
    parties its contract lists in ``sub_outsourcing`` (at any depth). A flow
    leaving the circle with such items, starting on or after the entrusting
    flow, is a re-provision: one finding per item (``TP203:<flow>:<item>``)
    whose evidence is the path from the entrusting flow. Flows back to the
    data subjects, flows that are no provision (storage only, linkable items
    alone) and flows with a justified exemption (law, life, public health,
    government) are not reported. Items the outsourcee also holds from another
    source are not "entrusted only".

    Non-compliant: the carrier hands customer names to a partner.
    Compliant: it hands them to a sub-outsourcee its contract allows.
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
        from . import TP111, TP112, TP113  # noqa: F401  (exemption conditions)
        exempt_rules = {"TP111": TP111.TP111, "TP112": TP112.TP112, "TP113": TP113.TP113}
        reported: dict = {}
        entrusting = sorted((f for f in ctx.inv.flows if judged[f.id].route == "outsourcing"),
                            key=lambda f: (f.start, f.id))
        circles: dict = {}
        for entrust in entrusting:
            if entrust.to not in circles:
                circle = _circle(ctx, entrust.to)
                circles[entrust.to] = (circle, _own_items(ctx, judged, circle))
            circle, own = circles[entrust.to]
            seeds = {entrust.to: {i: entrust.start for i in entrust.items
                                  if i not in own.get(entrust.to, ())}}
            if not seeds[entrust.to]:
                continue
            reach = propagate(
                ctx.inv.flows, seeds, index=ctx.out,
                allow=lambda f: f.to in circle and not ctx.is_org(f.frm))
            for party in reach.parties():
                held = reach.items_at(party)
                for flow in ctx.out.get(party, ()):
                    if flow.to in circle or flow.start < entrust.start:
                        continue
                    if ctx.role(flow.to) == "data_subject":
                        continue
                    if judged[flow.id].route in _NOT_PROVISION:
                        continue
                    rule = _EXEMPT.get(flow.basis or "")
                    if rule and not exempt_rules[rule].condition(ctx, flow):
                        continue
                    for item in flow.items:
                        since = held.get(item)
                        if since is None or item in own.get(party, ()):
                            continue
                        if flow.end is not None and flow.end < since:
                            continue
                        key = (flow.id, item)
                        if key in reported:
                            continue
                        path = [entrust.id] + reach.path(party, item) + [flow.id]
                        reported[key] = cls.finding(
                            flow, subject=item, items=[item],
                            evidence={"path": path, "outsourcee": entrust.to},
                            message=f"item {item}, entrusted to {entrust.to} by {entrust.id}, "
                                    f"leaves the outsourcing circle to {flow.to} "
                                    f"(path {' > '.join(path)})",
                            message_ja=f"{entrust.id} で {entrust.to} に委託した項目 {item} が"
                                       f"委託の範囲外の {flow.to} に提供されています"
                                       f"(経路 {' > '.join(path)})")
        yield from reported.values()


def _circle(ctx, outsourcee: str) -> set[str]:
    """The organisation's parties, the outsourcee and its allowed sub-outsourcees."""
    circle = set(ctx.parties_by_entity[ctx.org_entity])
    todo = [outsourcee]
    while todo:
        party = todo.pop()
        if party in circle:
            continue
        circle.add(party)
        circle.update(ctx.parties_by_entity[ctx.entity(party)])
        for contract in ctx.contracts_by_party.get(party, []):
            todo.extend(contract.sub_outsourcing)
    return circle


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
