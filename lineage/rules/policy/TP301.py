from ..base import Example, Rule
from ..clauses import Clause


class TP301(Rule):
    """A joint-use revision changed purposes or the responsible name and was notified late.

    A revision changes the scheme when its ``purposes`` differ from those in
    force before it, or its ``responsible.name`` differs from the name in force.
    It is late when ``notified_on`` is absent or after ``effective_on``. Every
    flow whose route is joint use under that notice and that ran on a day from
    ``effective_on`` up to the day before ``notified_on`` is affected (a flow
    that starts once the change is notified is not):
    ``TP301:<flow>:<notice>@<effective_on>``.

    Non-compliant: purposes changed on 2025-04-01, notified on 2025-04-15.
    Compliant: notified on 2025-03-15.

    Example:
        >>> from lineage.rules import engine, examples
        >>> [f.id for f in engine.run(examples.build_example(TP301.fail.inventory)).findings]
        ['TP301:F1:J1@2025-04-01']
    """

    id = "TP301"
    clause = Clause("5[3]")
    kind = "unannounced"
    title_en = "Joint-use change notified after it took effect"
    title_ja = "共同利用の変更の事後通知"
    when_ja = ("共同利用の変更が、変更前と異なる利用目的又は管理について責任を有する者の氏名・名称 "
               "(responsible.name) を定めるのに、通知日 (notified_on) がないか、変更の効力発生日 "
               "(effective_on) より後である。その通知の下の共同利用のフローのうち、"
               "効力発生日から通知日の前日までのいずれかの日に続いていたものに指摘する(変更の通知後"
               "に開始したフローは対象外)。")
    remedy_en = "Notify or publish changes to joint-use purposes or the responsible person in advance."
    remedy_ja = "利用目的・管理責任者の変更は、あらかじめ通知・公表してください。"
    fail = Example("notified after the change", """
notices:
  - {id: J1, kind: joint_use, published_on: 2024-12-01, items: [name], purposes: [ads],
     members: [mc, group-co], responsible: {name: モノコラボ},
     revisions: [{effective_on: 2025-04-01, notified_on: 2025-04-15,
                  purposes: [ads, shipping]}]}
flows:
  - {id: F1, from: mc, to: group-co, items: [name], purposes: [ads], basis: joint_use,
     start: 2025-01-01}
""", ("TP301:F1:J1@2025-04-01",))
    passing = Example("notified in advance", """
notices:
  - {id: J1, kind: joint_use, published_on: 2024-12-01, items: [name], purposes: [ads],
     members: [mc, group-co], responsible: {name: モノコラボ},
     revisions: [{effective_on: 2025-04-01, notified_on: 2025-03-15,
                  purposes: [ads, shipping]}]}
flows:
  - {id: F1, from: mc, to: group-co, items: [name], purposes: [ads], basis: joint_use,
     start: 2025-01-01}
""", ())

    @classmethod
    def check(cls, ctx, judged):
        """Yields one finding per joint-use flow and late-notified change of its notice.

        Example:
            >>> from lineage.rules import context, engine, examples
            >>> ctx = context.Context(examples.build_example(TP301.fail.inventory))
            >>> judged = {f.id: engine.judge(ctx, f)[0] for f in ctx.inv.flows}
            >>> [f.id for f in TP301.check(ctx, judged)]
            ['TP301:F1:J1@2025-04-01']
        """
        late = {n.id: _late_changes(n) for n in ctx.joint_notices}
        if not any(late.values()):  # no late change: no flow to look at
            return
        for flow in ctx.judged_flows(judged, "policy")[1].get("joint_use", ()):
            notice = judged[flow.id].evidence.get("notice")
            if not late.get(notice):
                continue
            last = ctx.recorded_last_day(flow)
            for rev, what, what_ja in late[notice]:
                # Affected: ran on a day from effective_on to the day before notified_on.
                if rev.effective_on > last:
                    continue
                if rev.notified_on is not None and flow.start >= rev.notified_on:
                    continue
                if rev.notified_on is None and rev.effective_on > ctx.as_of:
                    continue  # a change yet to take effect may still be notified in time
                if rev.notified_on is None:
                    when, when_ja = "never notified it", "通知がありません"
                else:
                    when, when_ja = f"notified it {rev.notified_on}", f"通知が {rev.notified_on} です"
                yield cls.finding(
                    flow, subject=f"{notice}@{rev.effective_on}",
                    evidence={"notice": notice, "revision": str(rev.effective_on)},
                    message=f"joint-use notice {notice} changed {what} on {rev.effective_on} "
                            f"but {when}",
                    message_ja=f"共同利用 {notice} の{what_ja}の変更({rev.effective_on} 施行)の"
                               f"{when_ja}")


def _late_changes(notice):
    """Revisions that change purposes or the responsible name and were notified late."""
    out = []
    purposes = set(notice.purposes or [])
    name = notice.responsible.name if notice.responsible else None
    for rev in sorted(notice.revisions, key=lambda r: r.effective_on):
        what, what_ja = [], []
        if rev.purposes is not None and set(rev.purposes) != purposes:
            what.append("its purposes")
            what_ja.append("利用目的")
            purposes = set(rev.purposes)
        if rev.responsible is not None and rev.responsible.name and rev.responsible.name != name:
            what.append("the responsible person's name")
            what_ja.append("管理責任者の氏名・名称")
            name = rev.responsible.name
        if what and (rev.notified_on is None or rev.notified_on > rev.effective_on):
            out.append((rev, " and ".join(what), "・".join(what_ja)))
    return out
