from ..base import Example
from ..clauses import Article
from .common import ACT, ACT_JA, LawRule


class AP271(LawRule):
    """Basis ``academic`` where neither end of the flow is an academic institution.

    The Act's academic exemptions (Art. 27(1)(v)-(vii)) cover provision by, or
    to, an academic research institution. A flow with basis ``academic`` whose
    provider and recipient both lack the role ``academic`` has no exemption:
    ``AP271:<flow>``. (The policy pack reports every academic basis as TP114,
    a warning: the exemption is outside the policy's list.)

    Non-compliant: the organisation sends data to a partner company "for
    research".
    Compliant: it sends them to a university (role ``academic``).

    Example:
        >>> from lineage.rules import engine, examples
        >>> inv = examples.build_example(AP271.fail.inventory)
        >>> [f.id for f in engine.run(inv, packs=AP271.packs).findings]
        ['AP271:F1', 'TP114:F1']
    """

    id = "AP271"
    clause = Article("27(1)(v)-(vii)")
    kind = "no-exemption"
    title_en = "Academic exemption without an academic institution"
    title_ja = "学術研究機関等が関与しない学術研究例外"
    when_ja = ("根拠が学術研究のフローで、提供元も提供先も役割 (role) が学術研究機関等でない。"
               "方針のルールは学術研究の根拠をすべて TP114(警告)として指摘する。")
    gloss = ("The academic research exemptions of Art. 27(1) cover provision by or to an academic "
             "research institution, not provision between other businesses.")
    remedy_en = ("Rely on the academic exemption only when the provider or the recipient is "
                 "an academic research institution; otherwise obtain consent.")
    remedy_ja = "学術研究例外は提供元又は提供先が学術研究機関等である場合に限り用い、それ以外は本人の同意を得てください。"
    fail = Example("research basis to a company", """
flows:
  - {id: F1, from: mc, to: partner, items: [name], basis: academic, start: 2025-01-01}
""", ("AP271:F1", "TP114:F1"))
    passing = Example("research basis to a university", """
parties:
  - {id: univ, name: 大学, role: academic}
flows:
  - {id: F1, from: mc, to: univ, items: [name], basis: academic, start: 2025-01-01}
""", ("TP114:F1",))

    @classmethod
    def check(cls, ctx, judged):
        """One finding per academic flow with no academic party at either end.

        Example:
            >>> from lineage.rules import context, engine, examples
            >>> ctx = context.Context(examples.build_example(AP271.passing.inventory))
            >>> judged = {f.id: engine.judge(ctx, f)[0] for f in ctx.inv.flows}
            >>> list(AP271.check(ctx, judged))
            []
        """
        for flow in cls.flows(ctx, judged, ("academic",)):
            if "academic" in (ctx.role(flow.frm), ctx.role(flow.to)):
                continue
            yield cls.finding(
                flow,
                message=f"{ACT} Art. 27(1)(v)-(vii): the academic exemption needs an academic "
                        f"institution at one end; neither {flow.frm} nor {flow.to} is one",
                message_ja=f"{ACT_JA}第27条第1項第5号-第7号: 学術研究例外には学術研究機関等の関与が必要ですが、"
                           f"{flow.frm} も {flow.to} も学術研究機関等ではありません")
