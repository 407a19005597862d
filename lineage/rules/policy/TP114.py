from ..base import Example, Rule
from ..clauses import Clause
from ...terms import route_label


class TP114(Rule):
    """The basis names an exemption the policy does not list (``academic``).

    The Act allows academic exemptions, but the policy's list in 5[1] does not
    include them: the flow is reported as a warning and its route is
    ``academic``. The analyzer never infers this route.

    Non-compliant: a flow declared ``academic``.
    Compliant: the same flow with the person's consent.

    Example:
        >>> from lineage.rules import engine, examples
        >>> [f.id for f in engine.run(examples.build_example(TP114.fail.inventory)).findings]
        ['TP114:F1']
    """

    id = "TP114"
    clause = Clause("5[1]")
    kind = "no-exemption"
    severity = "warning"
    route = "academic"
    title_en = "Exemption outside the policy's list"
    title_ja = "方針に列挙されていない例外による提供"
    when_ja = ("根拠が方針に列挙されていない例外(学術研究)である。法は学術研究の例外を認めるが、"
               "方針の5[1]の列挙にはないため、警告として指摘し、経路は学術研究とする。"
               "この経路は根拠として宣言されたときだけで、推定されることはない。")
    remedy_en = "Rely on a route the policy lists, or amend the policy to announce this exemption."
    remedy_ja = "方針に列挙された根拠によるか、方針を改定して例外を明示してください。"
    fail = Example("academic basis", """
flows:
  - {id: F1, from: mc, to: partner, items: [name], basis: academic, start: 2025-01-01}
""", ("TP114:F1",))
    passing = Example("consent instead", """
consents:
  - {id: K1, subjects: customers, recipients: [partner], items: [name], obtained_on: 2024-12-01}
flows:
  - {id: F1, from: mc, to: partner, items: [name], basis: consent, start: 2025-01-01}
""", ())

    @classmethod
    def condition(cls, ctx, flow):
        """The finding for a flow relying on an exemption the policy does not list.

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP114.fail.inventory))
            >>> [f.id for f in TP114.condition(ctx, ctx.flows["F1"])]
            ['TP114:F1']
        """
        return [cls.finding(flow, message=f"basis {flow.basis} is not an exemption the "
                                          "policy lists",
                            message_ja=f"根拠 {route_label(flow.basis, 'ja')} ({flow.basis}) は方針に列挙された例外ではありません")]
