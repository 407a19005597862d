from ..base import Example, Rule
from ..clauses import Clause


class TP124(Rule):
    """An opt-out flow uses a method the notice does not list.

    Compared with the flow's ``method``. A flow that records no method is
    reported too (``TP124:<flow>``): an unrecorded method cannot be shown to be
    announced. A notice without methods gives TP122 instead.

    Non-compliant: provided by e-mail, the notice announces SFTP only.
    Compliant: provided by SFTP.

    Example:
        >>> from lineage.rules import engine, examples
        >>> [f.id for f in engine.run(examples.build_example(TP124.fail.inventory)).findings]
        ['TP124:F1:email']
    """

    id = "TP124"
    clause = Clause("5[1]5(3)")
    kind = "unannounced"
    route = "opt_out"
    title_en = "Opt-out flow uses an unannounced method"
    title_ja = "公表されていない方法によるオプトアウト提供"
    when_ja = ("オプトアウトによる提供のフローの提供の方法 (method) が公表に記載されていないか、"
               "フローに提供の方法の記録がない(記録のない方法は公表済みと示せない)。"
               "公表に方法の記載がない場合は TP122 を指摘する。")
    remedy_en = "Announce the method in the opt-out notice, or use an announced method."
    remedy_ja = "提供方法を公表するか、公表済みの方法で提供してください。"
    fail = Example("email not announced", """
notices:
  - {id: N1, kind: opt_out, published_on: 2024-12-01, provision_in_purpose: true,
     items: [name], methods: [sftp], stop_on_request: true}
flows:
  - {id: F1, from: mc, to: partner, items: [name], basis: opt_out, method: email,
     start: 2025-01-01}
""", ("TP124:F1:email",))
    passing = Example("announced method", """
notices:
  - {id: N1, kind: opt_out, published_on: 2024-12-01, provision_in_purpose: true,
     items: [name], methods: [sftp, email], stop_on_request: true}
flows:
  - {id: F1, from: mc, to: partner, items: [name], basis: opt_out, method: email,
     start: 2025-01-01}
""", ())

    @classmethod
    def count(cls, ctx, flow, notice) -> int:
        """How many findings ``condition`` would give: 1 for a method the notice does not list.

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP124.fail.inventory))
            >>> TP124.count(ctx, ctx.flows["F1"], ctx.notices["N1"])
            1
        """
        return int(bool(notice.methods) and flow.method not in notice.methods)

    @classmethod
    def condition(cls, ctx, flow, notice):
        """The finding for a method of the flow the opt-out notice does not list, or ``[]``.

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP124.fail.inventory))
            >>> [f.id for f in TP124.condition(ctx, ctx.flows["F1"], ctx.notices["N1"])]
            ['TP124:F1:email']
        """
        if not notice.methods or flow.method in notice.methods:
            return []
        if flow.method is None:
            return [cls.finding(flow, evidence={"notice": notice.id},
                                message=f"the flow records no method, so it cannot be shown "
                                        f"to be one announced in opt-out notice {notice.id}",
                                message_ja=f"提供方法の記録がなく、オプトアウトの公表 {notice.id} "
                                           f"の方法によることを示せません")]
        return [cls.finding(flow, subject=flow.method, evidence={"notice": notice.id},
                            message=f"method {flow.method} is not listed in opt-out notice "
                                    f"{notice.id}",
                            message_ja=f"提供方法 {flow.method} はオプトアウトの公表 {notice.id} にありません")]
