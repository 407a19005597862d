from ..base import Example, Rule
from ..clauses import Clause


class TP123(Rule):
    """An opt-out flow carries an item the notice does not list.

    One finding per item (``TP123:<flow>:<item>``). Linkable items count: with
    a declared basis they are treated as personal information.

    Non-compliant: the phone number goes out but the notice lists names only.
    Compliant: the notice lists both.

    Example:
        >>> from lineage.rules import engine, examples
        >>> [f.id for f in engine.run(examples.build_example(TP123.fail.inventory)).findings]
        ['TP123:F1:phone']
    """

    id = "TP123"
    clause = Clause("5[1]5(2)")
    kind = "unannounced-items"
    route = "opt_out"
    title_en = "Opt-out flow carries an unannounced item"
    title_ja = "公表されていない項目のオプトアウト提供"
    when_ja = ("オプトアウトによる提供のフローが、公表に記載されていない項目を運んでいる。"
               "項目ごとに指摘する。根拠を宣言したフローでは、クッキー・IP "
               "アドレス情報も個人情報として数える。")
    remedy_en = "Add the item to the opt-out notice before providing it, or stop providing it."
    remedy_ja = "項目を事前に公表するか、その項目の提供を停止してください。"
    fail = Example("phone not listed", """
notices:
  - {id: N1, kind: opt_out, published_on: 2024-12-01, provision_in_purpose: true,
     items: [name], methods: [sftp], stop_on_request: true}
flows:
  - {id: F1, from: mc, to: partner, items: [name, phone], basis: opt_out, method: sftp,
     start: 2025-01-01}
""", ("TP123:F1:phone",))
    passing = Example("both listed", """
notices:
  - {id: N1, kind: opt_out, published_on: 2024-12-01, provision_in_purpose: true,
     items: [name, phone], methods: [sftp], stop_on_request: true}
flows:
  - {id: F1, from: mc, to: partner, items: [name, phone], basis: opt_out, method: sftp,
     start: 2025-01-01}
""", ())

    @classmethod
    def count(cls, ctx, flow, notice) -> int:
        """How many findings ``condition`` would give: the flow's items the notice does not list.

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP123.fail.inventory))
            >>> TP123.count(ctx, ctx.flows["F1"], ctx.notices["N1"])
            1
        """
        return ctx.unlisted_count(flow, notice)

    @classmethod
    def condition(cls, ctx, flow, notice):
        """One finding per item of the flow that the opt-out notice does not list.

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP123.fail.inventory))
            >>> [f.id for f in TP123.condition(ctx, ctx.flows["F1"], ctx.notices["N1"])]
            ['TP123:F1:phone']
        """
        if not notice.items:
            return []  # TP122 reports the missing item list once
        return [cls.finding(flow, subject=item, items=[item], evidence={"notice": notice.id},
                            message=f"item {item} is not listed in opt-out notice {notice.id}",
                            message_ja=f"項目 {item} はオプトアウトの公表 {notice.id} にありません")
                for item in flow.items if item not in notice.items]
