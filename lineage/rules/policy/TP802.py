from itertools import compress
from operator import attrgetter, not_

from ..base import Example, Rule
from ..clauses import Clause

_SKIP = {"internal", "to_subject", "storage_only", "external"}
_ITEMS = attrgetter("items")


class TP802(Rule):
    """Cookie or IP data collected or provided for a purpose not announced in advance.

    Section 8 promises to disclose why and how cookies and IP addresses are
    used. Flows carrying linkable items that the organisation collects or
    provides (whatever their route) need every defined purpose announced on or
    before their start (``TP802:<flow>:<purpose>``).

    Non-compliant: cookie IDs collected for a purpose announced later.
    Compliant: announced before.

    Example:
        >>> from lineage.rules import engine, examples
        >>> [f.id for f in engine.run(examples.build_example(TP802.fail.inventory)).findings]
        ['TP401:F1:newsvc', 'TP802:F1:newsvc']
    """

    id = "TP802"
    clause = Clause("8")
    kind = "purpose"
    title_en = "Cookie or IP data used for an unannounced purpose"
    title_ja = "目的を開示していないクッキー・IP アドレス情報の利用"
    remedy_en = "Disclose the purpose and method of using cookies and IP addresses beforehand."
    remedy_ja = "クッキー・IP アドレス情報の利用目的と方法を事前に開示してください。"
    fail = Example("cookie collected early", """
flows:
  - {id: F1, from: customers, to: mc, items: [cookie], purposes: [newsvc], start: 2025-01-01}
""", ("TP401:F1:newsvc", "TP802:F1:newsvc"))
    passing = Example("cookie after announcement", """
flows:
  - {id: F1, from: customers, to: mc, items: [cookie], purposes: [newsvc], start: 2025-07-01}
""", ())

    @classmethod
    def check(cls, ctx, judged):
        """Yields one finding per unannounced purpose of a flow with cookie or IP items.

        Example:
            >>> from lineage.rules import context, engine, examples
            >>> ctx = context.Context(examples.build_example(TP802.fail.inventory))
            >>> judged = {f.id: engine.judge(ctx, f)[0] for f in ctx.inv.flows}
            >>> [f.id for f in TP802.check(ctx, judged)]
            ['TP802:F1:newsvc']
        """
        # Most flows carry no cookie or IP item: only the others are looked at.
        # Each announced purpose's day (ctx.announced's test, without a call per purpose).
        announced = {p: purpose.announced_on for p, purpose in ctx.purposes.items()
                     if purpose.announced_on is not None}
        is_org, defined = ctx.is_org, ctx.defined_purposes
        for flow in _with_linkable(ctx):
            route = judged[flow.id].route
            if route in _SKIP:
                continue
            if route == "collection":
                if not is_org(flow.to):
                    continue
            elif not is_org(flow.frm):
                continue  # another business's flow: not the organisation's promise
            # Every purpose announced on or before the start (most flows): nothing to report.
            purposes = defined(flow)
            start = flow.start
            for p in purposes:
                day = announced.get(p)
                if day is None or day > start:
                    break
            else:
                continue
            linkable = ctx.linkable(ctx.provision(flow))
            if not linkable:
                continue
            for purpose in purposes:
                if not ctx.announced(purpose, flow.start):
                    yield cls.finding(
                        flow, subject=purpose, items=linkable,
                        message=f"cookie/IP items {', '.join(linkable)} are used for "
                                f"purpose {purpose}, not announced on or before {flow.start}",
                        message_ja=f"クッキー・IP 情報({', '.join(linkable)})の利用目的 "
                                   f"{purpose} が {flow.start} までに開示されていません")


def _with_linkable(ctx) -> list:
    """``ctx.flows_with_linkable`` (the flows carrying a cookie or IP item, in
    inventory order), picked by map() and compress() without an interpreted step
    per flow, unless the context has it already.

    Example:
        >>> from lineage.rules import context, examples
        >>> ctx = context.Context(examples.build_example(TP802.fail.inventory))
        >>> [f.id for f in _with_linkable(ctx)] == [f.id for f in ctx.flows_with_linkable]
        True
    """
    if "flows_with_linkable" in ctx.__dict__:
        return ctx.flows_with_linkable
    linkable = frozenset(i for i, item in (ctx.items or {}).items() if item.kind == "linkable")
    flows = ctx.inv.flows
    return list(compress(flows, map(not_, map(linkable.isdisjoint, map(_ITEMS, flows)))))
