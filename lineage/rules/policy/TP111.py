from ..base import Example, Rule
from ..clauses import Clause
from ...model.tables import field_ja


class TP111(Rule):
    """Basis ``law`` without a cited law (``exemption.law``).

    Non-compliant: a police inquiry answered "by law" with no law named.
    Compliant: the answer cites 刑事訴訟法第197条第2項.

    Example:
        >>> from lineage.rules import engine, examples
        >>> [f.id for f in engine.run(examples.build_example(TP111.fail.inventory)).findings]
        ['TP111:F1']
    """

    id = "TP111"
    clause = Clause("5[1]1")
    kind = "no-exemption"
    route = "law"
    title_en = "Provision based on law without citing the law"
    title_ja = "根拠法令の記載がない法令に基づく提供"
    when_ja = "根拠が法令に基づく提供なのに、根拠となる法令 (exemption.law) の記載がない。"
    remedy_en = "Record the law that requires or permits the provision (exemption.law)."
    remedy_ja = f"提供の根拠となる法令を、フローの「{field_ja('flows', 'exemption.law')}」に記録してください。"
    fail = Example("no law cited", """
flows:
  - {id: F1, from: mc, to: police, items: [name], basis: law, start: 2025-01-01}
""", ("TP111:F1",))
    passing = Example("law cited", """
flows:
  - {id: F1, from: mc, to: police, items: [name], basis: law, start: 2025-01-01,
     exemption: {law: 刑事訴訟法第197条第2項}}
""", ())

    @classmethod
    def condition(cls, ctx, flow):
        """The finding for a flow whose exemption cites no law, or ``[]``.

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP111.fail.inventory))
            >>> [f.id for f in TP111.condition(ctx, ctx.flows["F1"])]
            ['TP111:F1']
        """
        if flow.exemption is not None and flow.exemption.law:
            return []
        return [cls.finding(flow, message="basis law, but no law is cited (exemption.law)",
                            message_ja="法令に基づく提供ですが、根拠法令の記載がありません: "
                                       + field_ja("flows", "exemption.law"))]
