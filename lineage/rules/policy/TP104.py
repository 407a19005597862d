from ..base import Example, Rule
from ..clauses import Clause


class TP104(Rule):
    """The consent was withdrawn and the flow ran on after the withdrawal date.

    Reported when ``withdrawn_on`` is before the flow's ``end``, or, for a
    flow with no ``end``, on or before the audit date (a running flow has not
    stopped; a planned one is judged on its start). A flow whose last day is
    the withdrawal day is covered.

    Non-compliant: consent withdrawn in 2025, flow still running.
    Compliant: the flow ended on the withdrawal date.

    Example:
        >>> from lineage.rules import engine, examples
        >>> [f.id for f in engine.run(examples.build_example(TP104.fail.inventory)).findings]
        ['TP104:F1:K1']
    """

    id = "TP104"
    clause = Clause("5[1]")
    kind = "no-consent"
    route = "consent"
    title_en = "Provision continued after consent was withdrawn"
    title_ja = "同意撤回後も継続している提供"
    when_ja = ("本人の同意が撤回された後もフローが続いている。同意の撤回日 (withdrawn_on) "
               "がフローの終了日 (end) より前のとき、又は終了日のないフローで撤回日が基準日以前(開始"
               "予定のフローは開始日以前)のときに指摘する。"
               "最終日が撤回日であるフローは同意の範囲内とする。")
    remedy_en = "Stop provision on the withdrawal date and record the flow's end."
    remedy_ja = "同意撤回日に提供を停止し、終了日を記録してください。"
    fail = Example("withdrawn, still running", """
consents:
  - {id: K1, subjects: customers, recipients: [partner], items: [name], purposes: [ads],
     obtained_on: 2024-12-01, withdrawn_on: 2025-06-30}
flows:
  - {id: F1, from: mc, to: partner, items: [name], purposes: [ads], basis: consent,
     start: 2025-01-01}
""", ("TP104:F1:K1",))
    passing = Example("ended on the withdrawal date", """
consents:
  - {id: K1, subjects: customers, recipients: [partner], items: [name], purposes: [ads],
     obtained_on: 2024-12-01, withdrawn_on: 2025-06-30}
flows:
  - {id: F1, from: mc, to: partner, items: [name], purposes: [ads], basis: consent,
     start: 2025-01-01, end: 2025-06-30}
""", ())

    @classmethod
    def count(cls, ctx, flow, consent) -> int:
        """1 when the flow ran on after the withdrawal, else 0.

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP104.fail.inventory))
            >>> TP104.count(ctx, ctx.flows["F1"], ctx.consents["K1"])
            1
        """
        return int(ctx.runs_after(flow, consent.withdrawn_on))

    @classmethod
    def condition(cls, ctx, flow, consent):
        """The finding for a flow that ran on after the consent was withdrawn, or ``[]``.

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP104.fail.inventory))
            >>> [f.id for f in TP104.condition(ctx, ctx.flows["F1"], ctx.consents["K1"])]
            ['TP104:F1:K1']
        """
        if not ctx.runs_after(flow, consent.withdrawn_on):
            return []
        en, ja = ctx.consent_words(flow, consent)
        withdrawn = consent.withdrawn_on
        if flow.start > withdrawn:
            # begun (or planned) after the withdrawal: it never had the consent
            verb = "started" if flow.start <= ctx.as_of else "starts"
            return [cls.finding(flow, subject=consent.id, evidence={"consent": consent.id},
                                message=f"{en} was withdrawn on {withdrawn}, before the flow "
                                        f"{verb} on {flow.start}",
                                message_ja=f"{ja} は {withdrawn} に撤回されており、"
                                           f"{flow.start} からの提供の根拠になりません")]
        if flow.end is not None:
            until, until_ja = f"runs until {flow.end}", f"{flow.end} まで続いています"
        else:
            until, until_ja = "has not stopped", "停止されていません"
        return [cls.finding(flow, subject=consent.id, evidence={"consent": consent.id},
                            message=f"{en} was withdrawn on "
                                    f"{withdrawn} but the flow {until}",
                            message_ja=f"{ja} は {withdrawn} に撤回されましたが、"
                                       f"提供は{until_ja}")]

