from ..base import Example, Rule
from ..clauses import Clause


class TP201(Rule):
    """Outsourcing outside its limits.

    Outsourcing (委託, 5[2]1) is not a provision to a third party only within
    the scope needed for the organisation's announced purposes: the recipient
    is an ``outsourcee`` or has a contract with the organisation
    (``TP201:<flow>:recipient``), every purpose was announced on or before the
    start (``TP201:<flow>:<purpose>``), and items and purposes lie inside the
    contract's ``items``/``purposes`` when it limits them
    (``TP201:<flow>:<item>``).

    Non-compliant: the carrier gets phone numbers the contract does not entrust.
    Compliant: only the entrusted items.

    Example:
        >>> from lineage.rules import engine, examples
        >>> [f.id for f in engine.run(examples.build_example(TP201.fail.inventory)).findings]
        ['TP201:F1:phone']
    """

    id = "TP201"
    clause = Clause("5[2]1")
    kind = "no-exemption"
    route = "outsourcing"
    title_en = "Outsourcing beyond announced purposes or the contract's scope"
    title_ja = "公表目的・契約範囲を超える委託"
    remedy_en = ("Entrust only items and purposes within the announced purposes and the "
                 "contract's scope, or extend the contract.")
    remedy_ja = "公表済みの利用目的と契約の範囲内で委託するか、契約を改定してください。"
    fail = Example("item outside the contract", """
contracts:
  - {id: K1, party: carrier, signed_on: 2024-01-01, items: [name], purposes: [shipping],
     no_leak: true, no_re_provision: true}
flows:
  - {id: F1, from: mc, to: carrier, items: [name, phone], purposes: [shipping],
     basis: outsourcing, start: 2025-01-01}
""", ("TP201:F1:phone",))
    passing = Example("inside the contract", """
contracts:
  - {id: K1, party: carrier, signed_on: 2024-01-01, items: [name], purposes: [shipping],
     no_leak: true, no_re_provision: true}
flows:
  - {id: F1, from: mc, to: carrier, items: [name], purposes: [shipping],
     basis: outsourcing, start: 2025-01-01}
""", ())

    @classmethod
    def condition(cls, ctx, flow):
        """Findings for a recipient that is no outsourcee and for purposes or items out of scope.

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP201.fail.inventory))
            >>> [f.id for f in TP201.condition(ctx, ctx.flows["F1"])]
            ['TP201:F1:phone']
        """
        out = []
        contracts = ctx.contracts_by_party.get(flow.to, [])
        if flow.contract is not None:
            contracts = [c for c in [ctx.contracts[flow.contract]] if c.party == flow.to]
        if ctx.role(flow.to) != "outsourcee" and not contracts:
            out.append(cls.finding(
                flow, subject="recipient",
                message=f"recipient {flow.to} is not an outsourcee and has no contract "
                        "with the organisation",
                message_ja=f"提供先 {flow.to} は委託先ではなく、委託契約もありません"))
        in_force = [c for c in contracts if c.signed_on <= flow.start
                    and (c.ends_on is None or c.ends_on >= flow.start)] or contracts
        ev = {"contract": in_force[0].id} if len(in_force) == 1 else {}
        allowed_items = _scope(in_force, "items")
        allowed_purposes = _scope(in_force, "purposes")
        for purpose in ctx.defined_purposes(flow):
            reasons, reasons_ja = [], []
            if not ctx.announced(purpose, flow.start):
                reasons.append("was not announced on or before the start")
                reasons_ja.append("開始日までに公表されていません")
            if allowed_purposes is not None and purpose not in allowed_purposes:
                reasons.append("is outside the contract's purposes")
                reasons_ja.append("契約の目的の範囲外です")
            if reasons:
                out.append(cls.finding(
                    flow, subject=purpose, evidence=ev,
                    message=f"purpose {purpose} " + " and ".join(reasons),
                    message_ja=f"利用目的 {purpose} は" + "、".join(reasons_ja)))
        if allowed_items is not None:
            for item in flow.items:
                if item not in allowed_items:
                    out.append(cls.finding(
                        flow, subject=item, items=[item], evidence=ev,
                        message=f"item {item} is outside the contract's entrusted items",
                        message_ja=f"項目 {item} は委託契約の範囲外です"))
        return out


def _scope(contracts, field):
    """Union of the contracts' limits; ``None`` when any contract does not limit."""
    if not contracts:
        return None
    allowed: set = set()
    for c in contracts:
        values = getattr(c, field)
        if values is None:
            return None
        allowed.update(values)
    return allowed
