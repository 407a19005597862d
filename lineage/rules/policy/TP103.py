from ..base import Example, Rule
from ..clauses import Clause


class TP103(Rule):
    """A consent exists but does not cover the recipient, an item, or a purpose.

    One finding per uncovered element: ``TP103:<flow>:recipient``,
    ``TP103:<flow>:<item>`` or ``TP103:<flow>:<purpose>``. The recipient is
    covered by its party ID or one of its ``groups``.

    Non-compliant: the consent covers the name but not the phone number.
    Compliant: the consent names the recipient's group and covers every item.

    Example:
        >>> from lineage.rules import engine, examples
        >>> [f.id for f in engine.run(examples.build_example(TP103.fail.inventory)).findings]
        ['TP103:F1:phone']
    """

    id = "TP103"
    clause = Clause("5[1]")
    kind = "no-consent"
    route = "consent"
    title_en = "Consent does not cover the recipient, an item or a purpose"
    title_ja = "同意の範囲外(提供先・項目・目的)"
    when_ja = ("本人の同意はあるが、提供先・データ項目・利用目的のいずれかを含んでいない(含まない要"
               "素ごとに指摘する)。提供先は、その当事者 ID 又は所属するグループ (groups) "
               "が同意にあれば含まれる。")
    remedy_en = "Obtain consent that names this recipient, every item and every purpose."
    remedy_ja = "提供先・全項目・全目的を含む同意を取得してください。"
    fail = Example("phone not covered", """
consents:
  - {id: K1, subjects: customers, recipients: [partner], items: [name], purposes: [ads],
     obtained_on: 2024-12-01}
flows:
  - {id: F1, from: mc, to: partner, items: [name, phone], purposes: [ads], basis: consent,
     start: 2025-01-01}
""", ("TP103:F1:phone",))
    passing = Example("group recipient, all items", """
consents:
  - {id: K1, subjects: customers, recipients: [partners], items: [name, phone],
     purposes: [ads], obtained_on: 2024-12-01}
flows:
  - {id: F1, from: mc, to: partner, items: [name, phone], purposes: [ads], basis: consent,
     start: 2025-01-01}
""", ())

    @classmethod
    def uncovered(cls, ctx, flow, consent):
        """What the consent misses: (recipient missed, items, purposes).

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP103.fail.inventory))
            >>> TP103.uncovered(ctx, ctx.flows["F1"], ctx.consents["K1"])
            (False, ['phone'], [])
        """
        items, purposes = ctx.consent_sets(consent)
        return (ctx.names(flow.to).isdisjoint(consent.recipients),
                [i for i in flow.items if i not in items],
                [p for p in ctx.defined_purposes(flow) if p not in purposes])

    @classmethod
    def count(cls, ctx, flow, consent) -> int:
        """How many findings ``condition`` would give (cheap: no records built).

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP103.fail.inventory))
            >>> TP103.count(ctx, ctx.flows["F1"], ctx.consents["K1"])
            1
        """
        return int(ctx.names(flow.to).isdisjoint(consent.recipients)) + cls.count_terms(
            ctx, flow, consent)

    @classmethod
    def count_terms(cls, ctx, flow, consent) -> int:
        """How many items and purposes of the flow the consent misses (``count``
        without the recipient: what only the consent's terms decide).

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP103.fail.inventory))
            >>> TP103.count_terms(ctx, ctx.flows["F1"], ctx.consents["K1"])
            1
        """
        items, purposes = ctx.consent_sets(consent)
        return (sum(i not in items for i in flow.items)
                + sum(p not in purposes for p in ctx.defined_purposes(flow)))

    @classmethod
    def condition(cls, ctx, flow, consent):
        """One finding per recipient, item or purpose of the flow the consent does not cover.

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP103.fail.inventory))
            >>> [f.id for f in TP103.condition(ctx, ctx.flows["F1"], ctx.consents["K1"])]
            ['TP103:F1:phone']
        """
        recipient, items, purposes = cls.uncovered(ctx, flow, consent)
        out = []
        ev = {"consent": consent.id}
        if not (recipient or items or purposes):
            return out
        en, ja = ctx.consent_words(flow, consent)
        if recipient:
            out.append(cls.finding(
                flow, subject="recipient", evidence=ev,
                message=f"{en} does not cover recipient {flow.to}",
                message_ja=f"{ja} の提供先に {flow.to} が含まれていません"))
        for item in items:
            out.append(cls.finding(
                flow, subject=item, items=[item], evidence=ev,
                message=f"{en} does not cover item {item}",
                message_ja=f"{ja} に項目 {item} が含まれていません"))
        for purpose in purposes:
            out.append(cls.finding(
                flow, subject=purpose, evidence=ev,
                message=f"{en} does not cover purpose {purpose}",
                message_ja=f"{ja} に利用目的 {purpose} が含まれていません"))
        return out
