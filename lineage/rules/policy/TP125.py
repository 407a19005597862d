import datetime as dt

from ..base import Example, Rule
from ..clauses import Clause
from ..context import add_days
from ...model.tables import field_ja

_GRACE = dt.timedelta(days=30)


class TP125(Rule):
    """A stop request was not honoured within 30 days.

    A request concerns the flow when it names the flow or its notice, was
    received while the flow ran (from its start to its last day), and the flow
    carries data of the requesting group (decided as for consents: any group
    when no group's data are known to be carried). It is overdue
    (``TP125:<flow>:<request>``) when the flow ran on a day more than 30
    calendar days after receipt and provision had not stopped by then
    (``honoured_on`` absent or later). ``honoured_on`` is the day provision
    stopped, so a request honoured on day 31 after receipt (the first day more
    than 30 days after it) stopped in time: the last day of provision was day
    30. A flow that ended within the 30 days stopped in time; a request whose
    30 days have not passed on the audit date is not yet overdue.

    Non-compliant: honoured 32 days after receipt (provision on day 31).
    Compliant: honoured 31 days after receipt.

    Example:
        >>> from lineage.rules import engine, examples
        >>> [f.id for f in engine.run(examples.build_example(TP125.fail.inventory)).findings]
        ['TP125:F1:S1']
    """

    id = "TP125"
    clause = Clause("5[1]5(4)")
    kind = "no-consent"
    route = "opt_out"
    title_en = "Stop request not honoured"
    title_ja = "停止の求めに応じていない提供"
    when_ja = ("フローに関する停止の求め(フロー又はそのオプトアウトの公表を指定し、"
               "フローの開始日から最終日までに受け付けられ、"
               "求めた本人のグループのデータをフローが運ぶもの)に 30 日以内に応じていない: 受付から "
               "30 日を超えた日にも提供が続き、それまでに提供の停止日 (honoured_on) "
               "がない(又はより後)。受付から 31 日目に停止すれば期限内で、30 "
               "日以内に終了したフローや、基準日にまだ 30 日が過ぎていない求めは指摘しない。")
    remedy_en = "Stop provision of the requester's data and record honoured_on within 30 days."
    remedy_ja = (f"求めた本人のデータの提供を停止し、30 日以内に「{field_ja('stop_requests', 'honoured_on')}」"
                 "を記録してください。")
    fail = Example("honoured after 32 days", """
notices:
  - {id: N1, kind: opt_out, published_on: 2024-12-01, provision_in_purpose: true,
     items: [name], methods: [sftp], stop_on_request: true}
stop_requests:
  - {id: S1, notice: N1, subjects: customers, received_on: 2025-03-01, honoured_on: 2025-04-02}
flows:
  - {id: F1, from: mc, to: partner, items: [name], basis: opt_out, method: sftp,
     start: 2025-01-01}
""", ("TP125:F1:S1",))
    passing = Example("honoured on day 31, the first day past the 30", """
notices:
  - {id: N1, kind: opt_out, published_on: 2024-12-01, provision_in_purpose: true,
     items: [name], methods: [sftp], stop_on_request: true}
stop_requests:
  - {id: S1, notice: N1, subjects: customers, received_on: 2025-03-01, honoured_on: 2025-04-01}
flows:
  - {id: F1, from: mc, to: partner, items: [name], basis: opt_out, method: sftp,
     start: 2025-01-01}
""", ())

    @classmethod
    def count(cls, ctx, flow, notice) -> int:
        """How many findings ``condition`` would give: 0 at once when no stop
        request names the flow or the notice (nearly every flow), else counted.

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP125.fail.inventory))
            >>> TP125.count(ctx, ctx.flows["F1"], ctx.notices["N1"])
            1
        """
        if flow.id not in ctx.stops_by_flow and notice.id not in ctx.stops_by_notice:
            return 0
        return len(cls.condition(ctx, flow, notice))

    @classmethod
    def condition(cls, ctx, flow, notice):
        """One finding per stop request received while the flow ran and not honoured in 30 days.

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP125.fail.inventory))
            >>> [f.id for f in TP125.condition(ctx, ctx.flows["F1"], ctx.notices["N1"])]
            ['TP125:F1:S1']
        """
        requests = ctx.stops_by_flow.get(flow.id, []) + ctx.stops_by_notice.get(notice.id, [])
        groups = set(ctx.groups_of(flow))
        last = ctx.last_day(flow)
        out = []
        for req in sorted({r.id: r for r in requests}.values(), key=lambda r: r.id):
            if groups and req.subjects not in groups:
                continue
            if not flow.start <= req.received_on <= last:
                continue  # only requests received while the flow ran
            deadline = add_days(req.received_on, _GRACE.days)
            if last <= deadline:
                continue  # stopped, or not yet overdue, within the 30 days
            if req.honoured_on is not None:
                # stopped by the first day past the 30 (provision last ran on day 30)
                if req.honoured_on <= add_days(deadline, 1):
                    continue
                why = f"honoured on {req.honoured_on}, more than 30 days after receipt"
                why_ja = f"{req.honoured_on} に対応(受付から 30 日超)"
            else:
                why, why_ja = "never honoured", "対応の記録なし"
            out.append(cls.finding(
                flow, subject=req.id, evidence={"notice": notice.id, "stop_request": req.id},
                message=f"stop request {req.id} from {req.subjects} received on "
                        f"{req.received_on}: {why}",
                message_ja=f"{req.subjects} からの停止の求め {req.id}({req.received_on} 受付): {why_ja}"))
        return out
