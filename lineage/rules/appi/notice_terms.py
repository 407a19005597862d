"""What the law pack's notice rules read of a notice, apart from the rules themselves:
the Act's opt-out elements (AP201), the joint-use scheme's states over time (AP211,
AP241) and its late revisions (AP212). The rules import it, and so does
:func:`~.common.notice_of`, which must judge a notice against the Act without importing
the rules that import it.
"""

from __future__ import annotations

import datetime as dt

from ..packs import APPI_FROM

__all__ = ["ELEMENTS", "FIELDS", "PROMPT", "opt_out_lacks", "states", "in_force",
           "responsible_given", "late_revisions", "concerns"]

#: What the Act adds to the policy's four opt-out elements: field, English, Japanese.
ELEMENTS = (
    ("provider.name", "the provider's name", "提供者の氏名又は名称"),
    ("provider.address", "the provider's address", "提供者の住所"),
    ("provider.representative", "the provider's representative", "提供者の代表者"),
    ("acquisition_method", "how the data was acquired", "取得の方法"),
    ("request_method", "how stop requests are accepted", "停止の求めを受け付ける方法"),
    ("update_method", "how the data is updated", "更新の方法"),
    ("start_on", "the planned start date", "提供を開始する予定日"),
)


def opt_out_lacks(notice) -> list[tuple[str, str, str]]:
    """The Act's elements an opt-out notice lacks (``provider`` once if it names none).

    Example:
        >>> from lineage.model.schema import Notice
        >>> [m[0] for m in opt_out_lacks(Notice(id="N1", kind="opt_out",
        ...     provider={"name": "mc"}, acquisition_method="web", request_method="web",
        ...     update_method="monthly", start_on="2025-01-01"))]
        ['provider.address', 'provider.representative']
    """
    out = []
    for element, en, ja in ELEMENTS:
        if element.startswith("provider."):
            if notice.provider is None:
                if element == "provider.name":
                    out.append(("provider", "the provider's name, address and "
                                "representative", "提供者の氏名・住所・代表者"))
                continue
            value = getattr(notice.provider, element.split(".")[1])
        else:
            value = getattr(notice, element)
        if value is None or value == "":
            out.append((element, en, ja))
    return out


#: "Without delay" read as within 30 calendar days.
PROMPT = dt.timedelta(days=30)


#: The responsible person's details the Act adds to the policy's name.
FIELDS = (("address", "address", "住所"), ("representative", "representative", "代表者の氏名"))


def states(notice) -> list[tuple[dt.date, dict, tuple | None, object]]:
    """The joint-use scheme's state over time: ``(from, responsible, purposes, revision)``.

    The first state is the notice's own (in force from ``date.min``); each
    revision, in ``effective_on`` order, changes only what it states
    (rules.md, "How the law pack reads its rules", AP211/AP212).

    Example:
        >>> from lineage.model.schema import Notice
        >>> n = Notice(id="J1", kind="joint_use", purposes=["ads"],
        ...     responsible={"name": "mc", "address": "東京"},
        ...     revisions=[{"effective_on": "2025-04-01", "responsible": {"representative": "山田"}}])
        >>> [(s[0].isoformat(), s[1]) for s in states(n)][1]
        ('2025-04-01', {'name': 'mc', 'address': '東京', 'representative': '山田'})
    """
    resp = notice.responsible
    current = {"name": resp.name if resp else None, "address": resp.address if resp else None,
               "representative": resp.representative if resp else None}
    purposes = tuple(sorted(notice.purposes)) if notice.purposes is not None else None
    out = [(dt.date.min, dict(current), purposes, None)]
    for rev in sorted(notice.revisions, key=lambda r: (r.effective_on, r.notified_on or dt.date.max)):
        if rev.responsible is not None:
            for key in current:
                value = getattr(rev.responsible, key)
                if value is not None:
                    current[key] = value
        if rev.purposes is not None:
            purposes = tuple(sorted(rev.purposes))
        out.append((rev.effective_on, dict(current), purposes, rev))
    return out



def in_force(ctx, flow, history: list) -> list:
    """The states of ``history`` (:func:`states`) in force on some day ``flow`` runs
    that the Act judges: from its start, or from 2022-04-01 where it started
    before the Act asked for these details, to its last day (rules.md,
    AP211/AP212). AP211 and AP241 read the responsible person through this.

    Example:
        >>> from lineage.rules import context, examples
        >>> ctx = context.Context(examples.build_example(
        ...     "{notices: [{id: J1, kind: joint_use, published_on: 2019-06-01, members: [mc],"
        ...     " responsible: {name: mc}, revisions: [{effective_on: 2020-06-01,"
        ...     " responsible: {address: 東京}}, {effective_on: 2025-06-01,"
        ...     " responsible: {representative: 山田}}]}],"
        ...     " flows: [{id: F1, from: mc, to: group-co, items: [name], start: 2020-01-01,"
        ...     " end: 2025-01-31}]}"))
        >>> [s[1] for s in in_force(ctx, ctx.flows["F1"], states(ctx.notices["J1"]))]
        [{'name': 'mc', 'address': '東京', 'representative': None}]
    """
    if len(history) == 1:
        return history  # the notice's own state, in force from date.min
    first, last = max(flow.start, APPI_FROM), ctx.recorded_last_day(flow)
    # The state in force on the first day, then every one that takes effect by the last.
    return [s for i, s in enumerate(history)
            if s[0] <= last and (i + 1 == len(history) or history[i + 1][0] > first)]


def responsible_given(ctx, flow, notice) -> bool:
    """Whether a joint-use ``notice`` gives the responsible person's address and
    representative on every day the Act judges ``flow`` (AP211's test; AP241 and the
    notice choice ask it too). Worked out once per notice and the flow's days.

    Example:
        >>> from lineage.rules import context, examples
        >>> from lineage.rules.appi.AP211 import AP211
        >>> ctx = context.Context(examples.build_example(AP211.fail.inventory))
        >>> responsible_given(ctx, ctx.flows["F1"], ctx.notices["J1"])
        False
    """
    key = ("responsible-given", notice.id, flow.start, ctx.recorded_last_day(flow))
    got = ctx.memo.get(key)
    if got is None:
        got = ctx.memo[key] = all(state[1][name] for state in in_force(ctx, flow, states(notice))
                                  for name, _, _ in FIELDS)
    return got


def concerns(ctx, flow, rev) -> bool:
    """Whether a late revision concerns ``flow``: it started on or before the
    revision's ``notified_on`` and runs on the day it takes effect.

    Example:
        >>> from lineage.rules import context, examples
        >>> from lineage.rules.appi.AP212 import AP212
        >>> ctx = context.Context(examples.build_example(AP212.fail.inventory))
        >>> rev = late_revisions(ctx, ctx.notices["J1"])[0][0]
        >>> concerns(ctx, ctx.flows["F1"], rev)
        True
    """
    if rev.notified_on is not None and flow.start > rev.notified_on:
        return False
    return rev.effective_on <= ctx.recorded_last_day(flow)


def late_revisions(ctx, notice) -> list:
    """Revisions notified too late: ``(revision, what, what_ja, needs_prior_notice)``.

    Example:
        >>> from lineage.rules import context, examples
        >>> from lineage.rules.appi.AP212 import AP212
        >>> ctx = context.Context(examples.build_example(AP212.fail.inventory))
        >>> [(r[0].effective_on.isoformat(), r[1], r[3])
        ...  for r in late_revisions(ctx, ctx.notices["J1"])]
        [('2025-04-01', 'purposes', True)]
    """
    out = []
    history = states(notice)
    for (_, before, purposes_before, _), (_, after, purposes, rev) in zip(history, history[1:]):
        if rev.effective_on < APPI_FROM:
            continue  # a change before the amended Act's duties took effect
        prior = [w for w, changed in (("purposes", purposes != purposes_before),
                                      ("the responsible person", after["name"] != before["name"]))
                 if changed]
        prompt = [w for w in ("address", "representative") if after[w] != before[w]]
        if not prior and not prompt:
            continue
        notified = rev.notified_on
        if prior:
            if notified is not None and notified < rev.effective_on:
                continue
            if notified is None and rev.effective_on > ctx.as_of:
                continue
            changed = prior + prompt
        else:
            if notified is not None and notified - rev.effective_on <= PROMPT:
                continue
            if notified is None and ctx.as_of - rev.effective_on <= PROMPT:
                continue
            changed = prompt
        words = {"purposes": "利用目的", "the responsible person": "管理責任者",
                 "address": "住所", "representative": "代表者"}
        out.append((rev, " and ".join(changed), "・".join(words[w] for w in changed),
                    bool(prior)))
    return out
