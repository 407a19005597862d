from ..base import Example, Rule
from ..clauses import Clause


class TP102(Rule):
    """The consent relied on was obtained after the flow started.

    "In advance" (あらかじめ) means ``obtained_on`` is on or before the flow's
    ``start``; the same day counts.

    Non-compliant: consent obtained a day after provision began.
    Compliant: consent obtained on the day provision began.

    Example:
        >>> from lineage.rules import engine, examples
        >>> [f.id for f in engine.run(examples.build_example(TP102.fail.inventory)).findings]
        ['TP102:F1:K1']
    """

    id = "TP102"
    clause = Clause("5[1]")
    kind = "no-consent"
    route = "consent"
    title_en = "Consent obtained after the provision started"
    title_ja = "提供開始後に取得された同意"
    when_ja = ("依拠する本人の同意の同意取得日 (obtained_on) が、フローの開始日 (start) "
               "より後である。開始日当日の取得はあらかじめ得た同意として扱う。")
    remedy_en = "Obtain consent before provision starts, or move the flow's start after it."
    remedy_ja = "提供開始前に同意を取得してください。"
    fail = Example("consent one day late", """
consents:
  - {id: K1, subjects: customers, recipients: [partner], items: [name], purposes: [ads],
     obtained_on: 2025-01-02}
flows:
  - {id: F1, from: mc, to: partner, items: [name], purposes: [ads], basis: consent,
     start: 2025-01-01}
""", ("TP102:F1:K1",))
    passing = Example("consent on the start day", """
consents:
  - {id: K1, subjects: customers, recipients: [partner], items: [name], purposes: [ads],
     obtained_on: 2025-01-01}
flows:
  - {id: F1, from: mc, to: partner, items: [name], purposes: [ads], basis: consent,
     start: 2025-01-01}
""", ())

    @classmethod
    def count(cls, ctx, flow, consent) -> int:
        """1 when the consent is late, else 0.

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP102.fail.inventory))
            >>> TP102.count(ctx, ctx.flows["F1"], ctx.consents["K1"])
            1
        """
        return int(consent.obtained_on > flow.start)

    @classmethod
    def condition(cls, ctx, flow, consent):
        """The finding for a consent obtained after the flow started, or ``[]``.

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP102.fail.inventory))
            >>> [f.id for f in TP102.condition(ctx, ctx.flows["F1"], ctx.consents["K1"])]
            ['TP102:F1:K1']
        """
        if consent.obtained_on <= flow.start:
            return []
        en, ja = ctx.consent_words(flow, consent)
        return [cls.finding(flow, subject=consent.id, evidence={"consent": consent.id},
                            message=f"{en} was obtained on "
                                    f"{consent.obtained_on}, after the flow started on "
                                    f"{flow.start}",
                            message_ja=f"{ja} の取得日 {consent.obtained_on} が"
                                       f"提供開始日 {flow.start} より後です")]
