"""Whole-inventory checks as they were before round 3 of issue 14 (the law pack's
before their texts were shared, AP202 before its improper inflows per provider,
TP202 before its look-ups per outsourcee, TP802 before its cheap tests came first,
TP402 before it passed over flows with defined purposes only in map(), and the
context's intake of the organisation before it found its feeders by passes in C),
kept verbatim as the oracle of tests/test_check_fast_paths.py.

Example:
    >>> from lineage.rules import context, engine, examples
    >>> ctx = context.Context(examples.build_example(AP231.fail.inventory))
    >>> judged = {f.id: engine.judge(ctx, f)[0] for f in ctx.inv.flows}
    >>> [f.id for f in CHECKS["AP231"](ctx, judged)]
    ['AP231:F1']
"""

from __future__ import annotations

import datetime as dt

from lineage.rules.appi.AP201 import AP201
from lineage.rules.appi.AP202 import AP202, _opt_out_reach
from lineage.rules.appi.AP211 import AP211, FIELDS, states
from lineage.rules.appi.AP231 import AP231
from lineage.rules.appi.AP261 import AP261, _audits
from lineage.rules.appi.common import ACT, ACT_JA, notice_of, within_year
from lineage.rules.policy.TP202 import TP202, _covers, _gap, _overlaps, periods
from lineage.rules.policy.TP402 import TP402
from lineage.rules.policy.TP802 import _SKIP, TP802
from lineage.terms import id_key


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
            when_ja = (f"の個人情報保護委員会への届出（{filed}）が提供開始日 {flow.start} "
                       "より前ではありません" if filed else
                       f"は個人情報保護委員会に届け出られていません（提供開始日 {flow.start}）")
            yield AP201.finding(
                flow, subject="ppc_filed_on", evidence={"notice": notice.id},
                message=f"{ACT} Art. 27(2): opt-out notice {notice.id} {when} with the "
                        f"Commission, not before the start {flow.start}",
                message_ja=f"{ACT_JA}第27条第2項: オプトアウトの通知 {notice.id} {when_ja}")


def _ap211(ctx, judged):
    """AP211.check before round 3."""
    histories: dict = {}  # one notice's history serves every flow under it
    for flow in AP211.flows(ctx, judged, ("joint_use",)):
        notice = notice_of(ctx, judged, flow)
        if notice is None or notice.kind != "joint_use":
            continue
        last = ctx.recorded_last_day(flow)  # (round 13: as recorded)
        # (round 12: from 2022-04-01 for a flow that started earlier)
        first = max(flow.start, dt.date(2022, 4, 1))
        if notice.id not in histories:
            histories[notice.id] = states(notice)
        history = histories[notice.id]
        # The state in force at the start, then every one that takes effect while it runs.
        running = [s for i, s in enumerate(history)
                   if s[0] <= last and (i + 1 == len(history) or history[i + 1][0] > first)]
        for key, en, ja in FIELDS:
            if all(state[1][key] for state in running):
                continue
            # (round 12: a detail given later while the flow ran is said so)
            missing = [i for i, state in enumerate(running) if not state[1][key]]
            given = [state[0] for state in running[missing[0]:] if state[1][key]]
            if running[-1][1][key]:
                verb, until, until_ja = "did not give", f" until {given[0]}", f"が {given[0]} までありませんでした"
            elif flow.end is not None and flow.end < ctx.as_of:
                # (round 13: a flow that has ended is told in the past)
                verb, until = "did not give", f" while the flow ran (to {flow.end})"
                until_ja = f"がありませんでした(提供は {flow.end} まで)"
            else:
                verb, until, until_ja = "does not give", "", "がありません"
            yield AP211.finding(
                flow, subject=key, evidence={"notice": notice.id},
                message=f"{ACT} Art. 27(5)(iii): joint-use notice {notice.id} {verb} "
                        f"the responsible person's {en}{until}",
                message_ja=f"{ACT_JA}第27条第5項第3号: 共同利用の通知 {notice.id} に"
                           f"管理責任者の{ja}{until_ja}")


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
    """AP261.check before round 3, looking back from the audit date (rules.md)."""
    for flow in AP261.flows(ctx, judged, ("outsourcing",)):
        until = ctx.horizon(flow)
        audits = _audits(ctx, flow.to)
        if any(within_year(d, until) for d in audits):
            continue
        last = max((d for d in audits if d <= until), default=None)
        if last is None:
            message = f"{ACT} Art. 25: outsourcee {flow.to} has no supervision recorded up to {until}"
            message_ja = f"{ACT_JA}第25条: 委託先 {flow.to} の監督の記録が {until} までにありません"
        else:
            message = (f"{ACT} Art. 25: outsourcee {flow.to} was supervised last on {last}, "
                       f"not within the 12 months up to {until}")
            message_ja = (f"{ACT_JA}第25条: 委託先 {flow.to} の監督が {until} までの12か月以内に"
                          f"ありません(最後の監督は {last})")
        yield AP261.finding(
            flow, evidence={"contract": judged[flow.id].evidence.get("contract")},
            message=message, message_ja=message_ja)


def _tp202(ctx, judged):
    """TP202.check before round 3."""
    # The policy pack judges every flow: these are all outsourcing flows, in order.
    for flow in ctx.judged_flows(judged, "policy")[1].get("outsourcing", ()):
        # (round 11: a contract binds the recipient's legal entity, and a flow naming
        # another company's contract is told so)
        # (gathered here, not through Context.contracts_for, which this checks too)
        entity = ctx.entity(flow.to)
        contracts = sorted((c for c in ctx.inv.contracts if ctx.entity(c.party) == entity
                            and (flow.contract is None or c.id == flow.contract)),
                           key=lambda c: id_key(c.id))
        first, last = flow.start, ctx.last_day(flow)
        good = [c for c in contracts if c.no_leak and c.no_re_provision]
        if _covers(good, first, last):
            continue
        if flow.contract is not None and not contracts:
            yield TP202.finding(
                flow, subject="contract", evidence={"contract": flow.contract},
                message=f"the contract the flow names, {flow.contract}, is not with {flow.to} "
                        "(nor another party of its legal entity)",
                message_ja=f"フローが指定する契約 {flow.contract} は {flow.to}（及びその法人の"
                           "当事者）との契約ではありません")
            continue
        if not _covers(contracts, first, last):
            gap = _gap(contracts, first, last)
            # (round 12: an open flow is judged up to the audit date; a named contract
            # is named)
            if flow.end is not None and flow.end <= last:
                run, run_ja = f"flow runs {first} to {last}", f"提供期間 {first}〜{last}"
            else:
                run, run_ja = (f"flow runs from {first}, judged up to {last}",
                               f"提供期間 {first}〜、{last} まで判断")
            if flow.contract is not None:
                what = f"the contract the flow names, {flow.contract}, is not"
                what_ja = f"フローが指定する契約 {flow.contract} が"
            else:
                what, what_ja = f"no contract with {flow.to} is", f"{flow.to} との委託契約が"
            yield TP202.finding(
                flow, subject="contract",
                evidence={"contract": [c.id for c in contracts] or None},
                # (round 13: with the contracts' periods)
                message=f"{what} in force on {gap} ({run}{periods(contracts)[0]})",
                message_ja=f"{what_ja} {gap} に有効ではありません({run_ja}{periods(contracts)[1]})")
            continue
        active = [c for c in contracts if _overlaps(c, first, last)]
        for clause, en, ja in (("no_leak", "no-leak", "漏えい禁止"),
                               ("no_re_provision", "no-re-provision", "再提供禁止")):
            lacking = [c.id for c in active if not getattr(c, clause)]
            if lacking:
                yield TP202.finding(
                    flow, subject=clause, evidence={"contract": lacking},
                    message=f"contract {', '.join(lacking)} with {flow.to} does not "
                            f"bind the {en} clause",
                    message_ja=f"{flow.to} との契約 {', '.join(lacking)} に{ja}の定めがありません")


def _tp802(ctx, judged):
    """TP802.check before round 3."""
    # Most flows carry no cookie or IP item: only the others are looked at.
    for flow in ctx.flows_with_linkable:
        if judged[flow.id].route in _SKIP:
            continue
        route = judged[flow.id].route
        linkable = ctx.linkable(ctx.provision(flow))
        if not linkable:
            continue
        if route == "collection" and not ctx.is_org(flow.to):
            continue
        if route != "collection" and not ctx.is_org(flow.frm):
            continue  # another business's flow: not the organisation's promise
        for purpose in ctx.defined_purposes(flow):
            if not ctx.announced(purpose, flow.start):
                yield TP802.finding(
                    flow, subject=purpose, items=linkable,
                    message=f"cookie/IP items {', '.join(linkable)} are used for "
                            f"purpose {purpose}, not announced on or before {flow.start}",
                    message_ja=f"クッキー・IP 情報({', '.join(linkable)})の利用目的 "
                               f"{purpose} が {flow.start} までに開示されていません")


def _tp402(ctx, judged):
    """TP402.check before round 4."""
    for flow in ctx.inv.flows:
        for purpose in flow.purposes:
            if purpose not in ctx.purposes:
                yield TP402.finding(flow, subject=purpose,
                                    message=f"purpose {purpose} is not defined",
                                    message_ja=f"利用目的 {purpose} が定義されていません")


def _ap202(ctx, judged):
    """AP202.check before round 3."""
    optout = [f for f in AP202.flows(ctx, judged, ("opt_out",))]
    if not optout:
        return
    graph: list = []  # (edges, index, by_id), built only if some item needs it
    reaches: dict = {}
    for flow in optout:
        provider = ctx.entity(flow.frm)
        last = ctx.recorded_last_day(flow)  # (round 13: as recorded)
        if provider not in reaches:
            reaches[provider] = _opt_out_reach(ctx, provider, graph)
        reach, first = reaches[provider]
        bad = _old_improper(ctx, flow, provider, last)
        for item in flow.items:
            why, why_ja, path = [], [], None
            if ctx.item_kind(item) == "sensitive":
                why.append("it is sensitive (要配慮個人情報)")
                why_ja.append("要配慮個人情報です")
            since = reach.items_at(provider).get(item) if reach else None
            if since is not None and since <= last:
                seed = reach.origin(provider, item)
                path = [first[(seed, item)].id] + reach.path(provider, item) + [flow.id]
                why.append(f"it reached {flow.frm} by another business's opt-out "
                           f"(path {' > '.join(path)})")
                why_ja.append(f"他の事業者からオプトアウトにより取得したものです(経路 {' > '.join(path)})")
            if item in bad:
                why.append(f"it was acquired improperly ({bad[item]})")
                why_ja.append(f"不正に取得されたものです({bad[item]})")
            if not why:
                continue
            evidence = {"notice": judged[flow.id].evidence.get("notice"), "path": path}
            yield AP202.finding(
                flow, subject=item, items=[item], evidence=evidence,
                message=f"{ACT} Art. 27(2) proviso: item {item} may not be provided to "
                        f"{flow.to} by opt-out: {'; '.join(why)}",
                message_ja=f"{ACT_JA}第27条第2項ただし書: 項目 {item} はオプトアウトにより "
                           f"{flow.to} に提供できません: {'、'.join(why_ja)}")


def _old_improper(ctx, flow, provider, last) -> dict:
    """Items of ``flow`` marked as improperly acquired, with the flow that says so."""
    out = {}
    if flow.improperly_acquired:
        out = {item: flow.id for item in flow.items}
    for member in ctx.parties_by_entity.get(provider, [flow.frm]):
        for inflow in ctx.inbound.get(member, ()):
            if inflow.improperly_acquired and inflow.start <= last:
                for item in inflow.items:
                    if item in flow.items:
                        out.setdefault(item, inflow.id)
    return out


def org_intake(ctx):
    """Context._org_intake before round 4 (feeders found pair by pair)."""
    from collections import defaultdict

    from lineage.propagation import item_index

    feeds = {ctx.org_entity}
    todo = [ctx.org_entity]
    inbound: dict = defaultdict(list)
    entity_of = ctx._entity.get
    for to, frm in {(f.to, f.frm) for f in ctx.flow_list}:
        inbound[entity_of(to, to)].append(entity_of(frm, frm))
    while todo:
        entity = todo.pop()
        for frm in inbound.get(entity, ()):
            if frm not in feeds:
                feeds.add(frm)
                todo.append(frm)
    index = item_index([f for f in ctx.flow_list if entity_of(f.to, f.to) in feeds],
                       ctx.entity)
    return ctx._entity_group_reach(
        index=index, groups={p for p, e in ctx._entity.items() if e in feeds})


CHECKS = {"AP201": _ap201, "AP202": _ap202, "AP211": _ap211, "AP231": _ap231, "AP261": _ap261,
          "TP202": _tp202, "TP402": _tp402, "TP802": _tp802}
