from ..base import Example, Rule
from ..clauses import Clause


class TP221(Rule):
    """Basis ``joint_use`` with no joint-use notice listing the provider, or a late notice.

    The notice must list the provider (party ID or one of its groups) in
    ``members``. No such notice gives TP221 alone (``TP221:<flow>``); a notice
    published after the flow started gives ``TP221:<flow>:<notice>``.

    Non-compliant: the joint-use notice was published after sharing began.
    Compliant: published before.

    Example:
        >>> from lineage.rules import engine, examples
        >>> [f.id for f in engine.run(examples.build_example(TP221.fail.inventory)).findings]
        ['TP221:F1:J1']
    """

    id = "TP221"
    clause = Clause("5[2]3")
    kind = "unannounced"
    route = "joint_use"
    title_en = "Joint use without a prior joint-use notice"
    title_ja = "事前の通知・公表がない共同利用"
    when_ja = ("根拠が共同利用なのに、提供元(当事者 ID 又はそのグループ)を共同して利用する者の範囲 "
               "(members) に記載した共同利用の通知・公表がないか、"
               "その公表がフローの開始後である(開始日当日の公表は事前の公表に当たる)。")
    remedy_en = "Publish the joint-use notice, listing the provider, before data are shared."
    remedy_ja = "共同利用の事項(提供元を含む)を、共有開始前に通知・公表してください。"
    fail = Example("notice published late", """
notices:
  - {id: J1, kind: joint_use, published_on: 2025-02-01, items: [name], purposes: [ads],
     members: [mc, group-co], responsible: {name: モノコラボ}}
flows:
  - {id: F1, from: mc, to: group-co, items: [name], purposes: [ads], basis: joint_use,
     start: 2025-01-01}
""", ("TP221:F1:J1",))
    passing = Example("notice published before", """
notices:
  - {id: J1, kind: joint_use, published_on: 2024-12-01, items: [name], purposes: [ads],
     members: [mc, group-co], responsible: {name: モノコラボ}}
flows:
  - {id: F1, from: mc, to: group-co, items: [name], purposes: [ads], basis: joint_use,
     start: 2025-01-01}
""", ())

    @classmethod
    def missing(cls, ctx, flow):
        """The finding for a flow with no joint-use notice listing its provider.

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP221.fail.inventory))
            >>> TP221.missing(ctx, ctx.flows["F1"]).id
            'TP221:F1'
        """
        named = ctx.notices.get(flow.notice) if flow.notice else None
        if named is not None:  # the named notice is the one read (rules.md: as named)
            if named.kind != "joint_use":
                return cls.finding(
                    flow, evidence={"notice": flow.notice},
                    message=f"the notice the flow names, {flow.notice}, is no joint-use notice",
                    message_ja=f"フローが指定する通知 {flow.notice} は共同利用の通知・公表ではありません")
            return cls.finding(
                flow, evidence={"notice": flow.notice},
                message=f"the notice the flow names, {flow.notice}, does not list the provider "
                        f"{flow.frm} as a joint user",
                message_ja=f"フローが指定する共同利用の通知 {flow.notice} に、提供元 {flow.frm} が"
                           "共同利用者として記載されていません")
        return cls.finding(flow, evidence={"notice": flow.notice},
                           message=f"no joint-use notice lists the provider {flow.frm} "
                                   "as a joint user",
                           message_ja=f"提供元 {flow.frm} を共同利用者とする共同利用の通知・公表がありません")

    @classmethod
    def count(cls, ctx, flow, notice) -> int:
        """How many findings ``condition`` would give (no records built): 1 for a late notice.

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP221.fail.inventory))
            >>> TP221.count(ctx, ctx.flows["F1"], ctx.notices["J1"])
            1
        """
        return int(notice.published_on is None or notice.published_on > flow.start)

    @classmethod
    def condition(cls, ctx, flow, notice):
        """The finding for a joint-use notice published after the flow started, or ``[]``.

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP221.fail.inventory))
            >>> [f.id for f in TP221.condition(ctx, ctx.flows["F1"], ctx.notices["J1"])]
            ['TP221:F1:J1']
        """
        return cls.late_notice(flow, notice, "joint-use notice", "共同利用の通知・公表")
