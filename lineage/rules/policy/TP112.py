from ..base import Example, Rule
from ..clauses import Clause
from ...model.tables import field_ja


class TP112(Rule):
    """Basis ``life`` or ``public_health`` without a reason why consent was difficult.

    Both exemptions hold only "when consent is difficult to obtain"
    (本人の同意を得ることが困難であるとき): the flow must say why
    (``exemption.consent_difficult``).

    Non-compliant: a life-protection disclosure with no reason recorded.
    Compliant: the reason is recorded.

    Example:
        >>> from lineage.rules import engine, examples
        >>> [f.id for f in engine.run(examples.build_example(TP112.fail.inventory)).findings]
        ['TP112:F1']
    """

    id = "TP112"
    clause = Clause("5[1]2, 5[1]3")
    kind = "no-exemption"
    route = "life"
    title_en = "Life or public-health exemption without a reason consent was difficult"
    title_ja = "同意取得が困難な理由のない生命・公衆衛生の例外"
    when_ja = ("根拠が人の生命・身体・財産の保護又は公衆衛生の向上・児童の健全な育成なのに、"
               "本人の同意を得ることが困難な理由 (exemption.consent_difficult) の記載がない。"
               "どちらの例外も本人の同意を得ることが困難であるときに限られる。")
    remedy_en = "Record why the person's consent was difficult to obtain (exemption.consent_difficult)."
    remedy_ja = ("本人の同意を得ることが困難な理由を、フローの"
                 f"「{field_ja('flows', 'exemption.consent_difficult')}」に記録してください。")
    fail = Example("no reason", """
flows:
  - {id: F1, from: mc, to: police, items: [name, phone], basis: life, start: 2025-01-01}
""", ("TP112:F1",))
    passing = Example("reason recorded", """
flows:
  - {id: F1, from: mc, to: police, items: [name, phone], basis: public_health,
     start: 2025-01-01, exemption: {consent_difficult: 本人が意識不明}}
""", ())

    @classmethod
    def condition(cls, ctx, flow):
        """The finding for a flow that records no reason consent was difficult, or ``[]``.

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP112.fail.inventory))
            >>> [f.id for f in TP112.condition(ctx, ctx.flows["F1"])]
            ['TP112:F1']
        """
        if flow.exemption is not None and flow.exemption.consent_difficult:
            return []
        return [cls.finding(flow, message=f"basis {flow.basis or 'life/public_health'}, but no "
                                          "reason why consent was difficult to obtain "
                                          "(exemption.consent_difficult)",
                            message_ja="本人の同意を得ることが困難な理由"
                                       "の記載がありません: "
                                       + field_ja("flows", "exemption.consent_difficult"))]
