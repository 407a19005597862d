"""The law pack's whole-inventory checks as they were before their texts were shared
(round 3 of issue 14), kept verbatim as the oracle of tests/test_check_fast_paths.py.

Example:
    >>> from lineage.rules import context, engine, examples
    >>> ctx = context.Context(examples.build_example(AP231.fail.inventory))
    >>> judged = {f.id: engine.judge(ctx, f)[0] for f in ctx.inv.flows}
    >>> [f.id for f in CHECKS["AP231"](ctx, judged)]
    ['AP231:F1']
"""

from __future__ import annotations

from lineage.rules.appi.AP201 import AP201
from lineage.rules.appi.AP211 import AP211, FIELDS, states
from lineage.rules.appi.AP231 import AP231
from lineage.rules.appi.AP261 import AP261, _audits
from lineage.rules.appi.common import ACT, ACT_JA, notice_of, within_year


def _ap201(ctx, judged):
    """AP201.check before round 3."""
    for flow in AP201.flows(ctx, judged, ("opt_out",)):
        notice = notice_of(ctx, judged, flow)
        if notice is None:
            continue
        for element, en, ja in AP201.missing(notice):
            yield AP201.finding(
                flow, subject=element, evidence={"notice": notice.id},
                message=f"{ACT} Art. 27(2): opt-out notice {notice.id} does not state {en}",
                message_ja=f"{ACT_JA}第27条第2項: オプトアウトの通知 {notice.id} に{ja}がありません")
        filed = notice.ppc_filed_on
        if filed is None or filed >= flow.start:
            when = f"was filed {filed}" if filed else "was never filed"
            when_ja = f"の届出日 {filed} が" if filed else "の届出がなく"
            yield AP201.finding(
                flow, subject="ppc_filed_on", evidence={"notice": notice.id},
                message=f"{ACT} Art. 27(2): opt-out notice {notice.id} {when} with the "
                        f"Commission, not before the start {flow.start}",
                message_ja=f"{ACT_JA}第27条第2項: オプトアウトの通知 {notice.id} "
                           f"{when_ja}個人情報保護委員会への届出が提供開始日 {flow.start} より前にありません")


def _ap211(ctx, judged):
    """AP211.check before round 3."""
    histories: dict = {}  # one notice's history serves every flow under it
    for flow in AP211.flows(ctx, judged, ("joint_use",)):
        notice = notice_of(ctx, judged, flow)
        if notice is None or notice.kind != "joint_use":
            continue
        last = ctx.last_day(flow)
        if notice.id not in histories:
            histories[notice.id] = states(notice)
        history = histories[notice.id]
        # The state in force at the start, then every one that takes effect while it runs.
        running = [s for i, s in enumerate(history)
                   if s[0] <= last and (i + 1 == len(history) or history[i + 1][0] > flow.start)]
        for key, en, ja in FIELDS:
            if all(state[1][key] for state in running):
                continue
            yield AP211.finding(
                flow, subject=key, evidence={"notice": notice.id},
                message=f"{ACT} Art. 27(5)(iii): joint-use notice {notice.id} does not give "
                        f"the responsible person's {en}",
                message_ja=f"{ACT_JA}第27条第5項第3号: 共同利用の通知 {notice.id} に"
                           f"管理責任者の{ja}がありません")


def _ap231(ctx, judged):
    """AP231.check before round 3."""
    for flow in AP231.flows(ctx, judged, ("consent", "opt_out")):
        if flow.recorded:
            continue
        route = judged[flow.id].route
        yield AP231.finding(
            flow, evidence=judged[flow.id].evidence,
            message=f"{ACT} Art. 29: no record is kept of the {route.replace('_', '-')} "
                    f"provision to {flow.to}",
            message_ja=f"{ACT_JA}第29条: {flow.to} への第三者提供の記録がありません")


def _ap261(ctx, judged):
    """AP261.check before round 3."""
    for flow in AP261.flows(ctx, judged, ("outsourcing",)):
        until = ctx.last_day(flow)
        audits = _audits(ctx, flow.to)
        if any(within_year(d, until) for d in audits):
            continue
        last = max((d for d in audits if d <= until), default=None)
        when = f"last on {last}" if last else "never"
        when_ja = f"最後の監督は {last}" if last else "監督の記録がありません"
        yield AP261.finding(
            flow, evidence={"contract": judged[flow.id].evidence.get("contract")},
            message=f"{ACT} Art. 25: outsourcee {flow.to} was supervised {when}, not within "
                    f"the 12 months up to {until}",
            message_ja=f"{ACT_JA}第25条: 委託先 {flow.to} の監督が {until} までの12か月以内にありません({when_ja})")


CHECKS = {"AP201": _ap201, "AP211": _ap211, "AP231": _ap231, "AP261": _ap261}
