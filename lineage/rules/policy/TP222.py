from ..base import Example, Rule
from ..clauses import Clause


class TP222(Rule):
    """A joint-use flow carries an item the notice does not list.

    One finding per item (``TP222:<flow>:<item>``); a notice with no item list
    gives TP225 instead.

    Non-compliant: phone numbers shared, the notice lists names only.
    Compliant: the notice lists both.

    Example:
        >>> from lineage.rules import engine, examples
        >>> [f.id for f in engine.run(examples.build_example(TP222.fail.inventory)).findings]
        ['TP222:F1:phone']
    """

    id = "TP222"
    clause = Clause("5[2]3")
    kind = "unannounced-items"
    route = "joint_use"
    title_en = "Joint use of an unannounced item"
    title_ja = "通知・公表されていない項目の共同利用"
    when_ja = ("共同利用のフローが、通知・公表に記載されていない項目を運んでいる。項目ごとに指摘し、"
               "項目の記載がない通知・公表には TP225 を指摘する。")
    remedy_en = "Announce the item in the joint-use notice before sharing it, or stop sharing it."
    remedy_ja = "項目を事前に通知・公表するか、その項目の共有を停止してください。"
    fail = Example("phone not listed", """
notices:
  - {id: J1, kind: joint_use, published_on: 2024-12-01, items: [name], purposes: [ads],
     members: [mc, group-co], responsible: {name: モノコラボ}}
flows:
  - {id: F1, from: mc, to: group-co, items: [name, phone], purposes: [ads],
     basis: joint_use, start: 2025-01-01}
""", ("TP222:F1:phone",))
    passing = Example("both listed", """
notices:
  - {id: J1, kind: joint_use, published_on: 2024-12-01, items: [name, phone],
     purposes: [ads], members: [mc, group-co], responsible: {name: モノコラボ}}
flows:
  - {id: F1, from: mc, to: group-co, items: [name, phone], purposes: [ads],
     basis: joint_use, start: 2025-01-01}
""", ())

    @classmethod
    def count(cls, ctx, flow, notice) -> int:
        """How many findings ``condition`` would give: the flow's items the notice does not list.

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP222.fail.inventory))
            >>> TP222.count(ctx, ctx.flows["F1"], ctx.notices["J1"])
            1
        """
        return ctx.unlisted_count(flow, notice)

    @classmethod
    def condition(cls, ctx, flow, notice):
        """One finding per item of the flow that the joint-use notice does not list.

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP222.fail.inventory))
            >>> [f.id for f in TP222.condition(ctx, ctx.flows["F1"], ctx.notices["J1"])]
            ['TP222:F1:phone']
        """
        if not notice.items:
            return []
        listed = ctx.notice_sets(notice)[0]
        return [cls.finding(flow, subject=item, items=[item], evidence={"notice": notice.id},
                            message=f"item {item} is not listed in joint-use notice {notice.id}",
                            message_ja=f"項目 {item} は共同利用の通知・公表 {notice.id} にありません")
                for item in flow.items if item not in listed]
