from itertools import compress, repeat
from operator import attrgetter, not_, or_

from ..base import Example, Rule
from ..clauses import Clause

_SKIP = {"internal", "to_subject", "storage_only", "external"}
_ITEMS = attrgetter("items")
_START, _PURPOSES = attrgetter("start"), attrgetter("purposes")


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
    when_ja = ("組織が取得又は提供するフローがクッキー・IP アドレス情報を運ぶとき(経路を問わない)、"
               "定義済みの利用目的の公表日がフローの開始日より後である(公表がない場合を含む)。条項 "
               "8 は、クッキー・IP アドレス情報を利用する目的と方法の開示を約束している。")
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
        # Each announced purpose's day (ctx.announced's test, without a call per purpose).
        announced = {p: purpose.announced_on for p, purpose in ctx.purposes.items()
                     if purpose.announced_on is not None}
        is_org, defined = ctx.is_org, ctx.defined_purposes
        for flow in _candidates(ctx, announced):
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


def _candidates(ctx, announced: dict) -> list:
    """The flows that may break the promise, in inventory order: those carrying a
    cookie or IP item (``ctx.flows_with_linkable``) that start before the last
    announcement of a defined purpose, or name a purpose never announced. Most
    flows pass on their start alone, found by passes in C without a look at
    their route, purposes or items.

    ``announced``: each defined purpose with an ``announced_on``, to that day.

    Example:
        >>> from lineage.rules import context, examples
        >>> def candidates(example):
        ...     ctx = context.Context(examples.build_example(example.inventory))
        ...     announced = {p: d.announced_on for p, d in ctx.purposes.items()
        ...                  if d.announced_on is not None}
        ...     return [f.id for f in _candidates(ctx, announced)], max(announced.values())
        >>> candidates(TP802.fail)  # F1 starts before the last announcement
        (['C1', 'F1'], datetime.date(2025, 6, 1))
        >>> candidates(TP802.passing)  # F1 starts after it
        (['C1'], datetime.date(2025, 6, 1))
    """
    never = frozenset(p for p in ctx.purposes if p not in announced)
    latest = max(announced.values(), default=None)
    if latest is None and not never:
        return []  # no purpose defined: nothing any flow names counts
    cached = "flows_with_linkable" in ctx.__dict__
    flows = ctx.flows_with_linkable if cached else ctx.inv.flows
    # A flow starting on or after the last announcement, naming no purpose never
    # announced, has every defined purpose announced by its start.
    early = map(latest.__gt__, map(_START, flows)) if latest is not None else repeat(False)
    if never:
        early = map(or_, early, map(not_, map(never.isdisjoint, map(_PURPOSES, flows))))
    found = list(compress(flows, early))
    if cached or not found:
        return found
    linkable = frozenset(i for i, item in (ctx.items or {}).items() if item.kind == "linkable")
    return list(compress(found, map(not_, map(linkable.isdisjoint, map(_ITEMS, found)))))
