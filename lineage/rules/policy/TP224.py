from ..base import Example, Rule
from ..clauses import Clause


class TP224(Rule):
    """A purpose of the flow is not among the notice's announced purposes.

    Checked at the start and at every revision that takes effect while the flow
    runs: the purposes in force are the latest revision's ``purposes`` on or
    before that day, else the notice's. A notice with no purposes gives TP225.

    Non-compliant: shared for advertising, the notice announces shipping only.
    Compliant: advertising announced.

    Example:
        >>> from lineage.rules import engine, examples
        >>> [f.id for f in engine.run(examples.build_example(TP224.fail.inventory)).findings]
        ['TP224:F1:ads']
    """

    id = "TP224"
    clause = Clause("5[2]3")
    kind = "unannounced"
    route = "joint_use"
    title_en = "Joint use for an unannounced purpose"
    title_ja = "通知・公表されていない目的での共同利用"
    when_ja = ("フローの利用目的が、共同利用の通知・公表で公表された利用目的に含まれない。開始日と、"
               "フローの継続中に効力を生じる変更のたびに確かめ、その日以前で最新の変更の利用目的 "
               "(purposes)、なければ通知の利用目的を用いる。利用目的の記載がない通知・公表には "
               "TP225 を指摘する。")
    remedy_en = "Announce the purpose in the joint-use notice in advance, or stop using it for it."
    remedy_ja = "利用目的を事前に通知・公表するか、その目的での利用を停止してください。"
    fail = Example("purpose not announced", """
notices:
  - {id: J1, kind: joint_use, published_on: 2024-12-01, items: [name], purposes: [shipping],
     members: [mc, group-co], responsible: {name: モノコラボ}}
flows:
  - {id: F1, from: mc, to: group-co, items: [name], purposes: [ads], basis: joint_use,
     start: 2025-01-01}
""", ("TP224:F1:ads",))
    passing = Example("purpose announced", """
notices:
  - {id: J1, kind: joint_use, published_on: 2024-12-01, items: [name],
     purposes: [shipping, ads], members: [mc, group-co], responsible: {name: モノコラボ}}
flows:
  - {id: F1, from: mc, to: group-co, items: [name], purposes: [ads], basis: joint_use,
     start: 2025-01-01}
""", ())

    @classmethod
    def count(cls, ctx, flow, notice) -> int:
        """How many findings ``condition`` would give: the flow's purposes not
        announced on a day it runs. A notice without revisions announces one
        set on every day (counted without records); revisions take the full check.

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP224.fail.inventory))
            >>> TP224.count(ctx, ctx.flows["F1"], ctx.notices["J1"])
            1
        """
        if not notice.purposes:
            return 0
        if notice.revisions:
            return len(cls.condition(ctx, flow, notice))
        key = ("TP224", notice.id)
        announced = ctx.memo.get(key)
        if announced is None:
            announced = ctx.memo[key] = frozenset(notice.purposes)
        purposes = ctx.defined_purposes(flow)
        if announced.issuperset(purposes):
            return 0
        return sum(p not in announced for p in purposes)

    @classmethod
    def condition(cls, ctx, flow, notice):
        """One finding per purpose of the flow not announced on a day the flow runs.

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP224.fail.inventory))
            >>> [f.id for f in TP224.condition(ctx, ctx.flows["F1"], ctx.notices["J1"])]
            ['TP224:F1:ads']
        """
        if not notice.purposes:
            return []
        last = ctx.last_day(flow)
        days = [flow.start] + [r.effective_on for r in notice.revisions
                               if flow.start < r.effective_on <= last]
        # The purposes in force on each day, worked out once for all the flow's purposes.
        in_force = [(d, frozenset(purposes_on(notice, d))) for d in days]
        out = []
        for purpose in ctx.defined_purposes(flow):
            missing_on = [d for d, announced in in_force if purpose not in announced]
            if missing_on:
                out.append(cls.finding(
                    flow, subject=purpose, evidence={"notice": notice.id},
                    message=f"purpose {purpose} is not announced in joint-use notice "
                            f"{notice.id} (as of {missing_on[0]})",
                    message_ja=f"利用目的 {purpose} は共同利用の通知・公表 {notice.id} にありません"
                               f"({missing_on[0]} 時点)"))
        return out


def purposes_on(notice, day):
    """The joint-use purposes in force on ``day`` (revisions applied in date order).

    Example:
        >>> import datetime as dt
        >>> from lineage.model.schema import Notice
        >>> n = Notice(id="J1", kind="joint_use", purposes=["ads"],
        ...            revisions=[{"effective_on": "2025-04-01", "purposes": ["ads", "shipping"]}])
        >>> purposes_on(n, dt.date(2025, 3, 31)), purposes_on(n, dt.date(2025, 4, 1))
        (['ads'], ['ads', 'shipping'])
    """
    current = list(notice.purposes or [])
    if not notice.revisions:  # most notices: nothing to sort or apply
        return current
    for rev in sorted(notice.revisions, key=lambda r: r.effective_on):
        if rev.effective_on <= day and rev.purposes is not None:
            current = list(rev.purposes)
    return current
