from ..base import Example, Rule
from ..clauses import Clause


class TP401(Rule):
    """Collection from data subjects for a purpose not announced in advance.

    For flows from a ``data_subject`` party into the organisation, each
    defined purpose must have ``announced_on`` on or before the flow's start
    (``TP401:<flow>:<purpose>``).

    Non-compliant: collected on 2025-01-01 for a purpose announced in June.
    Compliant: collected after the announcement.

    Example:
        >>> from lineage.rules import engine, examples
        >>> [f.id for f in engine.run(examples.build_example(TP401.fail.inventory)).findings]
        ['TP401:F1:newsvc']
    """

    id = "TP401"
    clause = Clause("3")
    kind = "purpose"
    title_en = "Collection for a purpose not announced in advance"
    title_ja = "利用目的を事前に公表していない取得"
    when_ja = ("本人から組織への取得のフローで、定義済みの利用目的の公表日 (announced_on) がないか、"
               "取得の開始日 (start) より後である。")
    remedy_en = "Announce the purpose of use before collecting data for it."
    remedy_ja = "取得前に利用目的を公表してください。"
    fail = Example("purpose announced later", """
flows:
  - {id: F1, from: customers, to: mc, items: [email], purposes: [newsvc], start: 2025-01-01}
""", ("TP401:F1:newsvc",))
    passing = Example("purpose announced before", """
flows:
  - {id: F1, from: customers, to: mc, items: [email], purposes: [newsvc], start: 2025-06-01}
""", ())

    @classmethod
    def check(cls, ctx, judged):
        """Yields one finding per purpose of a collection not announced by its start.

        Example:
            >>> from lineage.rules import context, engine, examples
            >>> ctx = context.Context(examples.build_example(TP401.fail.inventory))
            >>> judged = {f.id: engine.judge(ctx, f)[0] for f in ctx.inv.flows}
            >>> [f.id for f in TP401.check(ctx, judged)]
            ['TP401:F1:newsvc']
        """
        for flow in ctx.judged_flows(judged, "policy")[1].get("collection", ()):
            if not ctx.is_org(flow.to):
                continue
            for purpose in ctx.defined_purposes(flow):
                if not ctx.announced(purpose, flow.start):
                    announced = ctx.purposes[purpose].announced_on
                    if announced is None:
                        message = (f"purpose {purpose} was never announced (collection "
                                   f"started on {flow.start})")
                        message_ja = (f"利用目的 {purpose} は公表されていません"
                                      f"（取得開始日 {flow.start}）")
                    else:
                        message = (f"purpose {purpose} was announced {announced}, not on or "
                                   f"before collection started on {flow.start}")
                        message_ja = f"利用目的 {purpose} の公表({announced})が取得開始日 {flow.start} より後です"
                    yield cls.finding(flow, subject=purpose, message=message,
                                      message_ja=message_ja)
