from ..base import Example
from ..clauses import Article
from .common import ACT, ACT_JA, LawRule, notice_of


class AP203(LawRule):
    """An opt-out flow starts on or before the day its notice was published.

    The Enforcement Rules ask for a period between the notice and the first
    provision, so the person can ask for a stop. The policy accepts a notice
    published on the start day ("in advance" includes the same day); the Act
    does not: the notice must be published strictly before the flow starts.
    Reported as ``AP203:<flow>:<notice>``, also for a notice published after
    the start or never (TP121 reports that too). A flow with no notice at all
    gets TP121 only.

    Non-compliant: the opt-out notice is published on the day provision starts.
    Compliant: it is published the day before.

    Example:
        >>> from lineage.rules import engine, examples
        >>> inv = examples.build_example(AP203.fail.inventory)
        >>> [f.id for f in engine.run(inv, packs=AP203.packs).findings]
        ['AP203:F1:N1']
    """

    id = "AP203"
    clause = Article("Rule 11(1)")
    kind = "unannounced"
    route = "opt_out"
    title_en = "Opt-out provision with no period to ask for a stop"
    title_ja = "停止を求める期間を置かないオプトアウトによる提供"
    when_ja = ("オプトアウトによる提供のフローが、その通知の公表日以前に開始している。"
               "方針は開始日当日の公表を認めるが、法は停止を求める期間を置くため、"
               "公表は開始日より前でなければならない。公表が開始日より後の場合や公表されていない場合"
               "も指摘し(TP121 も指摘される)、通知のないフローには TP121 だけが指摘される。")
    gloss = ("The notice before an opt-out provision must leave the person the time needed to ask "
             "for the provision to stop.")
    remedy_en = ("Publish the opt-out notice, and leave the person time to ask for a stop, "
                 "before provision starts.")
    remedy_ja = "オプトアウトの通知・公表の後、本人が停止を求めるのに必要な期間を置いてから提供を開始してください。"
    fail = Example("notice published on the start day", """
notices:
  - {id: N1, kind: opt_out, published_on: 2025-01-01, provision_in_purpose: true,
     items: [name], methods: [sftp], stop_on_request: true,
     provider: {name: モノコラボ, address: 東京都千代田区, representative: 代表取締役 山田},
     acquisition_method: 会員登録フォーム, request_method: Webフォーム,
     update_method: 毎月更新, start_on: 2025-01-01, ppc_filed_on: 2024-12-01}
flows:
  - {id: F1, from: mc, to: partner, items: [name], basis: opt_out, notice: N1, method: sftp,
     start: 2025-01-01, recorded: true}
""", ("AP203:F1:N1",))
    passing = Example("notice published the day before", """
notices:
  - {id: N1, kind: opt_out, published_on: 2024-12-31, provision_in_purpose: true,
     items: [name], methods: [sftp], stop_on_request: true,
     provider: {name: モノコラボ, address: 東京都千代田区, representative: 代表取締役 山田},
     acquisition_method: 会員登録フォーム, request_method: Webフォーム,
     update_method: 毎月更新, start_on: 2025-01-01, ppc_filed_on: 2024-12-01}
flows:
  - {id: F1, from: mc, to: partner, items: [name], basis: opt_out, notice: N1, method: sftp,
     start: 2025-01-01, recorded: true}
""", ())

    @classmethod
    def check(cls, ctx, judged):
        """One finding per opt-out flow whose notice was not published strictly before it.

        Example:
            >>> from lineage.rules import context, engine, examples
            >>> ctx = context.Context(examples.build_example(AP203.passing.inventory))
            >>> judged = {f.id: engine.judge(ctx, f)[0] for f in ctx.inv.flows}
            >>> list(AP203.check(ctx, judged))
            []
        """
        for flow in cls.flows(ctx, judged, ("opt_out",)):
            notice = notice_of(ctx, judged, flow)
            if notice is None:
                continue
            published = notice.published_on
            if published is not None and published < flow.start:
                continue
            if published is None:
                when, when_ja = "never published", " が公表されておらず"
            else:
                when, when_ja = f"published {published}", f"({published} 公表)の後"
            yield cls.finding(
                flow, subject=notice.id, evidence={"notice": notice.id},
                message=f"{ACT} Enforcement Rules Art. 11(1): opt-out notice {notice.id} was "
                        f"{when}, not before the start {flow.start}: no period to "
                        f"ask for a stop",
                message_ja=f"{ACT_JA}施行規則第11条第1項: オプトアウトの通知 {notice.id}{when_ja}、"
                           f"提供開始日 {flow.start} までに停止を求める期間がありません")
