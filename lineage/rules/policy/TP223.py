from ..base import Example, Rule
from ..clauses import Clause


class TP223(Rule):
    """The recipient is not within the notice's announced range of joint users.

    Non-compliant: the notice lists the provider but not the recipient.
    Compliant: the recipient belongs to a group the notice lists.

    Example:
        >>> from lineage.rules import engine, examples
        >>> [f.id for f in engine.run(examples.build_example(TP223.fail.inventory)).findings]
        ['TP223:F1']
    """

    id = "TP223"
    clause = Clause("5[2]3")
    kind = "unannounced"
    route = "joint_use"
    title_en = "Recipient outside the announced range of joint users"
    title_ja = "共同利用者の範囲外への提供"
    when_ja = ("共同利用の通知・公表に記載された提供元から、"
               "共同して利用する者の範囲に含まれない提供先(提供先自身もそのグループも記載されていな"
               "い)へ提供している。")
    remedy_en = "Add the recipient to the announced range of joint users, or stop the flow."
    remedy_ja = "提供先を共同して利用する者の範囲に加えて公表するか、提供を停止してください。"
    fail = Example("recipient not a member", """
notices:
  - {id: J1, kind: joint_use, published_on: 2024-12-01, items: [name], purposes: [ads],
     members: [mc, group-co], responsible: {name: モノコラボ}}
flows:
  - {id: F1, from: mc, to: partner, items: [name], purposes: [ads], basis: joint_use,
     start: 2025-01-01}
""", ("TP223:F1",))
    passing = Example("member by group", """
notices:
  - {id: J1, kind: joint_use, published_on: 2024-12-01, items: [name], purposes: [ads],
     members: [mc, partners], responsible: {name: モノコラボ}}
flows:
  - {id: F1, from: mc, to: partner, items: [name], purposes: [ads], basis: joint_use,
     start: 2025-01-01}
""", ())

    @classmethod
    def count(cls, ctx, flow, notice) -> int:
        """How many findings ``condition`` would give: 1 when the recipient is no joint user.

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP223.fail.inventory))
            >>> TP223.count(ctx, ctx.flows["F1"], ctx.notices["J1"])
            1
        """
        return int(ctx.names(flow.to).isdisjoint(ctx.notice_sets(notice)[1]))

    @classmethod
    def condition(cls, ctx, flow, notice):
        """The finding for a recipient outside the notice's joint users, or ``[]``.

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP223.fail.inventory))
            >>> [f.id for f in TP223.condition(ctx, ctx.flows["F1"], ctx.notices["J1"])]
            ['TP223:F1']
        """
        if not ctx.names(flow.to).isdisjoint(ctx.notice_sets(notice)[1]):
            return []
        return [cls.finding(flow, evidence={"notice": notice.id},
                            message=f"recipient {flow.to} is not in the range of joint users "
                                    f"of notice {notice.id}",
                            message_ja=f"提供先 {flow.to} は {notice.id} の共同利用者の範囲に含まれていません")]
