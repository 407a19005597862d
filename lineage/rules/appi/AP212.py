from ..base import Example
from ..clauses import Article
from .common import ACT, ACT_JA, LawRule, notice_of
from .notice_terms import concerns, late_revisions


class AP212(LawRule):
    """A joint-use change was not notified as the Act asks (Art. 27(6)).

    A revision changes only what differs from the state just before it.
    Replacing the responsible person (a different ``name``) or changing the
    purposes needs prior notice: ``notified_on`` strictly before
    ``effective_on`` (the policy, 5[3], accepts the same day). A changed
    address or representative alone must be notified without delay: within 30
    days of ``effective_on``. Reported as ``AP212:<flow>:<notice>@<effective_on>``
    on the joint-use flows under the notice that started on or before the
    revision's ``notified_on`` and run on or after its ``effective_on``. A
    change not yet notified is reported once it has taken effect (prior notice)
    or once its 30 days have passed on the audit date. A change that took
    effect before 2022-04-01, when the amended Act's duties began, is not
    judged.

    Non-compliant: the purposes change on the day the change is notified.
    Compliant: the change is notified the day before.

    Example:
        >>> from lineage.rules import engine, examples
        >>> inv = examples.build_example(AP212.fail.inventory)
        >>> [f.id for f in engine.run(inv, packs=AP212.packs).findings]
        ['AP212:F1:J1@2025-04-01']
    """

    id = "AP212"
    clause = Article("27(6)")
    kind = "unannounced"
    route = "joint_use"
    title_en = "Joint-use change not notified in time under the Act"
    title_ja = "共同利用の変更の通知の遅れ(法)"
    when_ja = ("共同利用の変更が法の求めるとおりに通知されていない。"
               "管理について責任を有する者の交代(氏名 (name) が異なる)と利用目的の変更は、通知日 "
               "(notified_on) が変更の効力発生日 (effective_on) "
               "より前でなければならず(方針と異なり当日は認めない)、"
               "住所又は代表者だけの変更は効力発生日から30日以内に通知しなければならない。"
               "その通知の下で、変更の通知日以前に開始し効力発生日以後も続く共同利用のフローに指摘し"
               "、まだ通知されていない変更は、効力を生じた時点(事前の通知が必要な変更)"
               "又は基準日に30日が過ぎた時点から指摘する。改正法の義務が始まった2022年4月1日より前に"
               "効力を生じた変更は判断しない。")
    gloss = ("A change of the person responsible or of the joint-use purposes must be notified in "
             "advance; a change of its name, address or representative without delay.")
    remedy_en = ("Notify a new responsible person or new purposes before the change takes "
                 "effect, and a changed address or representative without delay.")
    remedy_ja = ("管理責任者の変更・利用目的の変更はあらかじめ、住所・代表者の変更は遅滞なく、"
                 "本人に通知し又は容易に知り得る状態に置いてください。")
    fail = Example("purposes changed on the day notified", """
notices:
  - {id: J1, kind: joint_use, published_on: 2024-12-01, members: [mc, group-co],
     items: [name], purposes: [shipping, ads],
     responsible: {name: モノコラボ, address: 東京都千代田区, representative: 代表取締役 山田},
     revisions: [{effective_on: 2025-04-01, notified_on: 2025-04-01, purposes: [shipping, ads, newsvc]}]}
flows:
  - {id: F1, from: mc, to: group-co, items: [name], purposes: [shipping], basis: joint_use,
     notice: J1,
     start: 2025-01-01}
""", ("AP212:F1:J1@2025-04-01",))
    passing = Example("purposes changed, notified the day before", """
notices:
  - {id: J1, kind: joint_use, published_on: 2024-12-01, members: [mc, group-co],
     items: [name], purposes: [shipping, ads],
     responsible: {name: モノコラボ, address: 東京都千代田区, representative: 代表取締役 山田},
     revisions: [{effective_on: 2025-04-01, notified_on: 2025-03-31, purposes: [shipping, ads, newsvc]}]}
flows:
  - {id: F1, from: mc, to: group-co, items: [name], purposes: [shipping], basis: joint_use,
     notice: J1,
     start: 2025-01-01}
""", ())

    @classmethod
    def check(cls, ctx, judged):
        """One finding per late revision on each joint-use flow it concerns.

        Example:
            >>> from lineage.rules import context, engine, examples
            >>> ctx = context.Context(examples.build_example(AP212.passing.inventory))
            >>> judged = {f.id: engine.judge(ctx, f)[0] for f in ctx.inv.flows}
            >>> list(AP212.check(ctx, judged))
            []
        """
        late: dict[str, list] = {}
        for flow in cls.flows(ctx, judged, ("joint_use",)):
            notice = notice_of(ctx, judged, flow)
            if notice is None or notice.kind != "joint_use":
                continue
            if notice.id not in late:
                late[notice.id] = cls.late_revisions(ctx, notice)
            for rev, what, what_ja, prior in late[notice.id]:
                if not cls.concerns(ctx, flow, rev):
                    continue
                need = "before it took effect" if prior else "within 30 days"
                need_ja = "あらかじめ" if prior else "遅滞なく(30日以内に)"
                if rev.notified_on is None:
                    when, when_ja = f"not notified ({need})", "通知なし"
                else:
                    when, when_ja = f"notified {rev.notified_on}, not {need}", f"通知 {rev.notified_on}"
                yield cls.finding(
                    flow, subject=f"{notice.id}@{rev.effective_on}", evidence={"notice": notice.id},
                    message=f"{ACT} Art. 27(6): joint-use notice {notice.id} changed {what} on "
                            f"{rev.effective_on}, {when}",
                    message_ja=f"{ACT_JA}第27条第6項: 共同利用の通知 {notice.id} の{what_ja}の変更"
                               f"({rev.effective_on})が{need_ja}通知されていません({when_ja})")

    @staticmethod
    def concerns(ctx, flow, rev) -> bool:
        """:func:`~.notice_terms.concerns`."""
        return concerns(ctx, flow, rev)

    @staticmethod
    def late_revisions(ctx, notice) -> list:
        """:func:`~.notice_terms.late_revisions`."""
        return late_revisions(ctx, notice)
