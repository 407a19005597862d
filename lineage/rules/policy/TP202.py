import datetime as dt
from itertools import compress, repeat
from operator import and_, is_, le, not_

from ..base import Example, Rule
from ..clauses import Clause
from ..context import add_days
from ..entrusting import LAST_DAY as _LAST, Days as _Days, entrusted


class TP202(Rule):
    """Outsourcing without a contract in force that binds no-leak and no-re-provision.

    Applies to every flow whose route is outsourcing. The contracts with the
    recipient (or the one the flow names) must together cover every day from
    the flow's start to its last day (its ``end``, or the audit date), and
    bind ``no_leak`` and ``no_re_provision`` (section 1.5). Findings:
    ``TP202:<flow>:contract`` (no contract in force for part of the run),
    ``TP202:<flow>:no_leak``, ``TP202:<flow>:no_re_provision``.

    Non-compliant: the contract lacks the no-re-provision clause.
    Compliant: both clauses, in force throughout.

    Example:
        >>> from lineage.rules import engine, examples
        >>> [f.id for f in engine.run(examples.build_example(TP202.fail.inventory)).findings]
        ['TP202:F1:no_re_provision']
    """

    id = "TP202"
    clause = Clause("1.5, 4")
    kind = "contract"
    title_en = "Outsourcing without a binding contract in force"
    title_ja = "契約による義務づけのない委託"
    when_ja = ("経路が委託のフローについて、開始日から最終日(終了日 (end) と基準日の早いほう。"
               "開始予定のフローは開始日)までのうち、提供先の法人との委託契約"
               "(又はフローが指定する契約)が有効でない日があるか、フローが指定する契約が提供先の"
               "法人との契約でないか、"
               "契約が漏えいの禁止 (no_leak) と再提供の禁止 (no_re_provision) を定めていない。")
    remedy_en = ("Conclude (or renew) a contract with the outsourcee that forbids leaks and "
                 "re-provision, in force for the whole flow.")
    remedy_ja = "漏えい・再提供を禁止する委託契約を締結(更新)し、提供期間を通じて有効にしてください。"
    fail = Example("no re-provision clause", """
contracts:
  - {id: K1, party: carrier, signed_on: 2024-01-01, no_leak: true}
flows:
  - {id: F1, from: mc, to: carrier, items: [name], purposes: [shipping], start: 2025-01-01}
""", ("TP202:F1:no_re_provision",))
    passing = Example("renewed contract covers the run", """
contracts:
  - {id: K1, party: carrier, signed_on: 2024-01-01, ends_on: 2025-12-31, no_leak: true,
     no_re_provision: true}
  - {id: K2, party: carrier, signed_on: 2026-01-01, no_leak: true, no_re_provision: true}
flows:
  - {id: F1, from: mc, to: carrier, items: [name], purposes: [shipping], start: 2025-01-01}
""", ())

    @classmethod
    def check(cls, ctx, judged):
        """Yields findings for outsourcing without a binding contract in force.

        Example:
            >>> from lineage.rules import context, engine, examples
            >>> ctx = context.Context(examples.build_example(TP202.fail.inventory))
            >>> judged = {f.id: engine.judge(ctx, f)[0] for f in ctx.inv.flows}
            >>> [f.id for f in TP202.check(ctx, judged)]
            ['TP202:F1:no_re_provision']
        """
        # The policy pack judges every flow: these are all outsourcing flows, in order.
        flows = ctx.judged_flows(judged, "policy")[1].get("outsourcing", ())
        if not flows:
            return
        # Their starts, recipients and named contracts, read once for TP203 too.
        starts, _, _, tos, named = entrusted(ctx, judged)
        # Many flows go to one outsourcee under the same contracts: those are
        # looked up once per (recipient, named contract).
        terms: dict = {}
        # Per recipient (of flows naming no contract, most): the earliest signing
        # day of a binding contract without an end, which covers every flow
        # starting on or after it (_gap reaches it before any gap), as a day
        # number (one past the last day where none). The flows it covers are
        # passed over by passes in C, with no step of their own.
        days = _Days()
        open_from = {}
        for to in set(tos):
            # per legal entity and named contract: the branches of one company share it
            key = (ctx.entity(to), None)
            got = terms.get(key)
            if got is None:
                got = terms[key] = _terms(ctx, to, None)
            day = got[2]
            open_from[to] = _LAST + 1 if day is None else days[day]
        covered = map(and_, map(is_, named, repeat(None)),
                      map(le, map(open_from.__getitem__, tos), map(days.__getitem__, starts)))
        for flow in compress(flows, map(not_, covered)):
            to, contract, first = flow.to, flow.contract, flow.start
            key = (ctx.entity(to), contract)
            got = terms.get(key)
            if got is None:
                got = terms[key] = _terms(ctx, to, contract)
            contracts, good, day = got
            if day is not None and day <= first:
                continue
            last = ctx.last_day(flow)
            if _covers(good, first, last):
                continue
            if contract is not None and not contracts:
                # the contract the flow names binds another legal entity
                yield cls.finding(
                    flow, subject="contract", evidence={"contract": contract},
                    message=f"the contract the flow names, {contract}, is not with {flow.to} "
                            "(nor another party of its legal entity)",
                    message_ja=f"フローが指定する契約 {contract} は {flow.to}（及びその法人の"
                               "当事者）との契約ではありません")
                continue
            if not _covers(contracts, first, last):
                gap = _gap(contracts, first, last)
                if flow.end is not None and flow.end <= last:
                    run, run_ja = f"flow runs {first} to {last}", f"提供期間 {first}〜{last}"
                else:  # still running (or planned): judged up to the audit date (its start)
                    run, run_ja = (f"flow runs from {first}, judged up to {last}",
                                   f"提供期間 {first}〜、{last} まで判断")
                if contract is not None:  # as named, not any contract of the recipient's
                    what, what_ja = (f"the contract the flow names, {contract}, is not",
                                     f"フローが指定する契約 {contract} が")
                else:
                    what, what_ja = f"no contract with {flow.to} is", f"{flow.to} との委託契約が"
                held, held_ja = periods(contracts)
                yield cls.finding(
                    flow, subject="contract",
                    evidence={"contract": [c.id for c in contracts] or None},
                    message=f"{what} in force on {gap} ({run}{held})",
                    message_ja=f"{what_ja} {gap} に有効ではありません({run_ja}{held_ja})")
                continue
            active = [c for c in contracts if _overlaps(c, first, last)]
            for clause, en, ja in (("no_leak", "no-leak", "漏えい禁止"),
                                   ("no_re_provision", "no-re-provision", "再提供禁止")):
                lacking = [c.id for c in active if not getattr(c, clause)]
                if lacking:
                    yield cls.finding(
                        flow, subject=clause, evidence={"contract": lacking},
                        message=f"contract {', '.join(lacking)} with {flow.to} does not "
                                f"bind the {en} clause",
                        message_ja=f"{flow.to} との契約 {', '.join(lacking)} に{ja}の定めがありません")


def periods(contracts) -> tuple[str, str]:
    """The contracts' periods, for a message that says a day is not covered (the trial
    of round 13: the message did not show when the contract was signed).

    Example:
        >>> from lineage.model.schema import Contract
        >>> periods([Contract(id="K1", party="x", signed_on="2025-05-01", ends_on="2026-04-30"),
        ...          Contract(id="K2", party="x", signed_on="2026-05-01")])[0]
        '; contracts: K1 2025-05-01 to 2026-04-30, K2 from 2026-05-01'
    """
    if not contracts:
        return "", ""
    en = ", ".join(f"{c.id} {c.signed_on} to {c.ends_on}" if c.ends_on else
                   f"{c.id} from {c.signed_on}" for c in contracts)
    ja = "、".join(f"{c.id} {c.signed_on}〜{c.ends_on or ''}" for c in contracts)
    return f"; contracts: {en}", f"、契約: {ja}"


def _terms(ctx, to, contract) -> tuple[list, list, object]:
    """The contracts that may cover an outsourcing flow to ``to`` naming ``contract``
    (or None), those binding both clauses, and the earliest signing day of a binding
    one without an end (None if none).

    Example:
        >>> from lineage.rules import context, examples
        >>> ctx = context.Context(examples.build_example(TP202.passing.inventory))
        >>> contracts, good, open_from = _terms(ctx, "carrier", None)
        >>> [c.id for c in contracts], [c.id for c in good], open_from
        (['K1', 'K2'], ['K1', 'K2'], datetime.date(2026, 1, 1))
    """
    contracts = ctx.contracts_for(to, contract)
    good = [c for c in contracts if c.no_leak and c.no_re_provision]
    return contracts, good, min((c.signed_on for c in good if c.ends_on is None), default=None)


def _overlaps(c, first, last) -> bool:
    return c.signed_on <= last and (c.ends_on is None or c.ends_on >= first)


def _gap(contracts, first, last):
    """The first day in ``[first, last]`` no contract covers (None if covered)."""
    day = first
    for c in sorted(contracts, key=lambda c: c.signed_on):
        if c.signed_on > day:
            break
        if c.ends_on is None:
            return None
        if c.ends_on >= day:
            if c.ends_on == dt.date.max:
                return None  # covered to the end of the calendar
            day = add_days(c.ends_on, 1)
        if day > last:
            return None
    return day if day <= last else None


def _covers(contracts, first, last) -> bool:
    return bool(contracts) and _gap(contracts, first, last) is None
