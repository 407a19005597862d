from ..base import Example, Rule
from ..clauses import Clause


class TP121(Rule):
    """Basis ``opt_out`` with no opt-out notice, or the notice was published after the flow started.

    A missing notice gives TP121 alone (``TP121:<flow>``); a late one gives
    ``TP121:<flow>:<notice>`` together with the notice's other failures.

    Non-compliant: opt-out provision with no notice at all.
    Compliant: a complete notice published on the start day.

    Example:
        >>> from lineage.rules import engine, examples
        >>> [f.id for f in engine.run(examples.build_example(TP121.fail.inventory)).findings]
        ['TP121:F1']
    """

    id = "TP121"
    clause = Clause("5[1]5")
    kind = "unannounced"
    route = "opt_out"
    title_en = "Opt-out provision without a prior opt-out notice"
    title_ja = "事前の公表がないオプトアウトによる提供"
    when_ja = ("根拠がオプトアウトなのに、オプトアウトの公表がないか、"
               "公表がフローの開始後である(開始日当日の公表は事前の公表に当たる)。"
               "公表がない場合はこの指摘だけ、公表が遅れた場合は公表のほかの不備とともに指摘する。")
    remedy_en = "Publish the opt-out notice before provision starts."
    remedy_ja = "提供開始前にオプトアウトの事項を公表してください。"
    fail = Example("no notice", """
flows:
  - {id: F1, from: mc, to: partner, items: [name], basis: opt_out, start: 2025-01-01}
""", ("TP121:F1",))
    passing = Example("notice on the start day", """
notices:
  - {id: N1, kind: opt_out, published_on: 2025-01-01, provision_in_purpose: true,
     items: [name], methods: [sftp], stop_on_request: true}
flows:
  - {id: F1, from: mc, to: partner, items: [name], basis: opt_out, method: sftp,
     start: 2025-01-01}
""", ())

    @classmethod
    def missing(cls, ctx, flow):
        """The finding for a flow with no opt-out notice at all.

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP121.fail.inventory))
            >>> TP121.missing(ctx, ctx.flows["F1"]).id
            'TP121:F1'
        """
        if flow.notice:  # named, and of another kind (rules.md: read as named)
            return cls.finding(
                flow, evidence={"notice": flow.notice},
                message=f"the notice the flow names, {flow.notice}, is no opt-out notice",
                message_ja=f"フローが指定する通知 {flow.notice} はオプトアウトの公表ではありません")
        return cls.finding(flow, message="no opt-out notice covers this flow",
                           message_ja="このフローに対応するオプトアウトの公表がありません")

    @classmethod
    def count(cls, ctx, flow, notice) -> int:
        """How many findings ``condition`` would give (no records built): 1 for a late notice.

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(
            ...     "{notices: [{id: N1, kind: opt_out, published_on: 2025-02-01}], "
            ...     "flows: [{id: F1, from: mc, to: partner, items: [name], basis: opt_out, "
            ...     "start: 2025-01-01}]}"))
            >>> TP121.count(ctx, ctx.flows["F1"], ctx.notices["N1"])
            1
        """
        return int(notice.published_on is None or notice.published_on > flow.start)

    @classmethod
    def condition(cls, ctx, flow, notice):
        """The finding for a notice published after the flow started (or never), or ``[]``.

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(
            ...     "{notices: [{id: N1, kind: opt_out, published_on: 2025-02-01}], "
            ...     "flows: [{id: F1, from: mc, to: partner, items: [name], basis: opt_out, "
            ...     "start: 2025-01-01}]}"))
            >>> [f.id for f in TP121.condition(ctx, ctx.flows["F1"], ctx.notices["N1"])]
            ['TP121:F1:N1']
        """
        return cls.late_notice(flow, notice, "opt-out notice", "オプトアウトの公表")
