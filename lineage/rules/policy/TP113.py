from ..base import Example, Rule
from ..clauses import Clause
from ...model.tables import field_ja


class TP113(Rule):
    """Basis ``government``, but the recipient is not a public body or no impediment is given.

    Cooperation with public bodies (5[1]4) needs a ``public_body`` recipient
    (``TP113:<flow>:recipient``) and a reason why asking consent would hinder
    the duty, ``exemption.impediment`` (``TP113:<flow>:impediment``).

    Non-compliant: "government" cooperation with a private partner, no reason.
    Compliant: a public body, with the impediment recorded.

    Example:
        >>> from lineage.rules import engine, examples
        >>> [f.id for f in engine.run(examples.build_example(TP113.fail.inventory)).findings]
        ['TP113:F1:impediment', 'TP113:F1:recipient']
    """

    id = "TP113"
    clause = Clause("5[1]4")
    kind = "no-exemption"
    route = "government"
    title_en = "Cooperation with public bodies without a public body or an impediment"
    title_ja = "国の機関等への協力の要件を欠く提供"
    when_ja = ("根拠が国の機関等への協力なのに、提供先が公的機関の当事者でないか、"
               "同意を得ることが事務の遂行に支障を及ぼす理由 (exemption.impediment) "
               "の記載がない(それぞれ別に指摘する)。")
    remedy_en = ("Provide only to a public body and record why asking consent would "
                 "hinder its duty (exemption.impediment).")
    remedy_ja = "提供先が国の機関等であること、同意取得が事務の支障となる理由を記録してください。"
    fail = Example("private recipient, no impediment", """
flows:
  - {id: F1, from: mc, to: partner, items: [name], basis: government, start: 2025-01-01}
""", ("TP113:F1:impediment", "TP113:F1:recipient"))
    passing = Example("public body, impediment recorded", """
flows:
  - {id: F1, from: mc, to: police, items: [name], basis: government, start: 2025-01-01,
     exemption: {impediment: 捜査に支障}}
""", ())

    @classmethod
    def condition(cls, ctx, flow):
        """Findings for a recipient that is no public body and for a missing impediment.

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP113.fail.inventory))
            >>> [f.id for f in TP113.condition(ctx, ctx.flows["F1"])]
            ['TP113:F1:recipient', 'TP113:F1:impediment']
        """
        out = []
        if ctx.role(flow.to) != "public_body":
            out.append(cls.finding(flow, subject="recipient",
                                   message=f"recipient {flow.to} is not a public body",
                                   message_ja=f"提供先 {flow.to} は国の機関等ではありません"))
        if flow.exemption is None or not flow.exemption.impediment:
            out.append(cls.finding(flow, subject="impediment",
                                   message="no reason why asking consent would hinder the "
                                           "duty (exemption.impediment)",
                                   message_ja="同意取得により事務の遂行に支障を及ぼす理由"
                                              "の記載がありません: "
                                              + field_ja("flows", "exemption.impediment")))
        return out
