import datetime as dt
from bisect import bisect_left, bisect_right

from ..base import Example, Rule
from ..clauses import Clause


class TP201(Rule):
    """Outsourcing outside its limits.

    Outsourcing (委託, 5[2]1) is not a provision to a third party only within
    the scope needed for the organisation's announced purposes: the recipient
    is an ``outsourcee`` or has a contract with the organisation
    (``TP201:<flow>:recipient``), every purpose was announced on or before the
    start (``TP201:<flow>:<purpose>``), and items and purposes lie inside the
    contract's ``items``/``purposes`` when it limits them
    (``TP201:<flow>:<item>``), on every day the flow runs up to the audit date:
    a renewal that no longer entrusts an item takes it out of scope from the
    renewal's first day (the message says from when).

    Non-compliant: the carrier gets phone numbers the contract does not entrust.
    Compliant: only the entrusted items.

    Example:
        >>> from lineage.rules import engine, examples
        >>> [f.id for f in engine.run(examples.build_example(TP201.fail.inventory)).findings]
        ['TP201:F1:phone']
    """

    id = "TP201"
    clause = Clause("5[2]1")
    kind = "no-exemption"
    route = "outsourcing"
    title_en = "Outsourcing beyond announced purposes or the contract's scope"
    title_ja = "公表目的・契約範囲を超える委託"
    when_ja = ("根拠が委託のフローが委託の範囲を超えている: "
               "提供先の役割が委託先でなく組織との委託契約もない、"
               "利用目的が開始日以前に公表されていない、又は契約が委託するデータ項目 (items)"
               "・委託する利用目的 (purposes) を限っているのにその外の項目・利用目的がある。"
               "フローが続く基準日までの毎日について判断し、"
               "更新された契約から外れた項目はその更新の初日から範囲外とする。")
    remedy_en = ("Entrust only items and purposes within the announced purposes and the "
                 "contract's scope, or extend the contract. A recipient with no contract is "
                 "no outsourcee: sign one with it, or treat the flow as a provision to a "
                 "third party (consent or another route).")
    remedy_ja = ("公表済みの利用目的と契約の範囲内で委託するか、契約を改定してください。"
                 "契約のない提供先は委託先ではありません。契約を締結するか、第三者提供として"
                 "本人の同意などの根拠を整えてください。")
    fail = Example("item outside the contract", """
contracts:
  - {id: K1, party: carrier, signed_on: 2024-01-01, items: [name], purposes: [shipping],
     no_leak: true, no_re_provision: true}
flows:
  - {id: F1, from: mc, to: carrier, items: [name, phone], purposes: [shipping],
     basis: outsourcing, start: 2025-01-01}
""", ("TP201:F1:phone",))
    passing = Example("inside the contract", """
contracts:
  - {id: K1, party: carrier, signed_on: 2024-01-01, items: [name], purposes: [shipping],
     no_leak: true, no_re_provision: true}
flows:
  - {id: F1, from: mc, to: carrier, items: [name], purposes: [shipping],
     basis: outsourcing, start: 2025-01-01}
""", ())

    @classmethod
    def condition(cls, ctx, flow):
        """Findings for a recipient that is no outsourcee and for purposes or items out of scope.

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP201.fail.inventory))
            >>> [f.id for f in TP201.condition(ctx, ctx.flows["F1"])]
            ['TP201:F1:phone']
        """
        out = []
        contracts = ctx.contracts_for(flow.to, flow.contract)
        if ctx.role(flow.to) != "outsourcee" and not contracts:
            if flow.contract is not None:  # the contract it names binds another company
                out.append(cls.finding(
                    flow, subject="recipient", evidence={"contract": flow.contract},
                    message=f"recipient {flow.to} is not an outsourcee, and the contract the "
                            f"flow names, {flow.contract}, is not with it (nor another party "
                            "of its legal entity)",
                    message_ja=f"提供先 {flow.to} は委託先ではなく、フローが指定する契約 "
                               f"{flow.contract} も {flow.to}（及びその法人の当事者）との"
                               "契約ではありません"))
            else:
                out.append(cls.finding(
                    flow, subject="recipient",
                    message=f"recipient {flow.to} is not an outsourcee and has no contract "
                            "with the organisation",
                    message_ja=f"提供先 {flow.to} は委託先ではなく、委託契約もありません"))
        # The contracts' scope on every day the flow runs up to the audit date (rules.md:
        # a route holds "on the flow's start and for as long as it runs"): a renewal that
        # no longer entrusts an item takes it out of scope from its first day. Days with
        # no contract in force are TP202's; with none in force on any day of the run, the
        # scope is that of all the recipient's contracts.
        line = _timeline(ctx, flow, contracts)
        first, last = flow.start, ctx.last_day(flow)
        cited = None  # the run's contract, for a purpose not announced (worked out once)
        for purpose in ctx.defined_purposes(flow):
            reasons, reasons_ja = [], []
            if not ctx.announced(purpose, flow.start):
                reasons.append("was not announced on or before the start")
                reasons_ja.append("開始日までに公表されていません")
            outside = line.outside("purposes", purpose, first, last)
            if outside is not None:
                ev, since, since_ja = outside
                reasons.append("is outside the contract's purposes" + since)
                reasons_ja.append(since_ja + "契約の目的の範囲外です")
            elif reasons:
                if cited is None:
                    cited = line.evidence(first, last)
                ev = cited
            if reasons:
                out.append(cls.finding(
                    flow, subject=purpose, evidence=ev,
                    message=f"purpose {purpose} " + " and ".join(reasons),
                    message_ja=f"利用目的 {purpose} は" + "、".join(reasons_ja)))
        for item in flow.items:
            outside = line.outside("items", item, first, last)
            if outside is not None:
                ev, since, since_ja = outside
                out.append(cls.finding(
                    flow, subject=item, items=[item], evidence=ev,
                    message=f"item {item} is outside the contract's entrusted items{since}",
                    message_ja=f"項目 {item} は{since_ja}委託契約の範囲外です"))
        return out


def _timeline(ctx, flow, contracts) -> "_Timeline":
    """The :class:`_Timeline` of ``contracts`` (``Context.contracts_for`` of ``flow``),
    made once per check for each legal entity, or each named contract: the flows to
    every branch of one outsourcee share it."""
    key = (("TP201-timeline", ctx.entity(flow.to)) if flow.contract is None
           else ("TP201-named", flow.contract, ctx.entity(flow.to)))
    got = ctx.memo.get(key)
    if got is None:
        got = ctx.memo[key] = _Timeline(contracts)
    return got


class _Timeline:
    """Which of ``contracts`` are in force when: spans of days with the same contracts,
    each from its first day to the next span's, in order, and per value the spans whose
    contracts leave it out. A flow's run is found among the spans by bisection, so a
    recipient of monthly renewals and thousands of flows costs a look-up per flow and
    item, not a walk over every contract. The spans come from one sweep over the
    contracts' first and last days, keeping per span only how many are in force (and
    which, when one): thousands of contracts of one company, each signed on its own
    day, make thousands of spans, not a list of contracts per span.

    Example:
        >>> import datetime as dt
        >>> from types import SimpleNamespace as C
        >>> a = C(id="K1", signed_on=dt.date(2024, 1, 1), ends_on=dt.date(2025, 6, 30),
        ...       items=["name"], purposes=None)
        >>> b = C(id="K2", signed_on=dt.date(2025, 7, 1), ends_on=None, items=["email"],
        ...       purposes=None)
        >>> line = _Timeline([a, b])
        >>> [(d.isoformat(), n, one.id) for d, n, one in zip(line.days, line.count, line.single)]
        [('2024-01-01', 1, 'K1'), ('2025-07-01', 1, 'K2')]
        >>> line.outside("items", "name", dt.date(2025, 1, 1), dt.date(2026, 1, 1))
        ({'contract': 'K2'}, ' from 2025-07-01', '2025-07-01 以降、')
        >>> line.outside("items", "name", dt.date(2025, 1, 1), dt.date(2025, 6, 30)) is None
        True
    """

    def __init__(self, contracts):
        self.contracts = contracts
        #: Each span's first day, how many contracts are in force from it (0: a gap),
        #: and the one when there is one.
        self.days, self.count, self.single = [], [], []
        active: dict = {}  # position in ``contracts`` -> the contract
        for day, changes in _sweep(contracts, range(len(contracts))):
            for n, starts in changes:
                if starts:
                    active[n] = contracts[n]
                else:
                    del active[n]
            self.days.append(day)
            self.count.append(len(active))
            self.single.append(next(iter(active.values())) if len(active) == 1 else None)
        #: The spans with a contract in force, in order: a run's are found by bisection.
        self._busy = [i for i, n in enumerate(self.count) if n]
        self._outside: dict = {}  # (field, value) -> the spans leaving it out, in order
        self._all: dict = {}  # field -> the scope of all the contracts

    def _run(self, first, last) -> tuple[int, int]:
        """The spans a run from ``first`` to ``last`` touches, as a range of indices."""
        return max(bisect_right(self.days, first) - 1, 0), bisect_right(self.days, last) - 1

    def _busy_in(self, lo: int, hi: int) -> tuple[int, int]:
        """Where the spans ``lo`` to ``hi`` with a contract in force lie in ``_busy``."""
        return bisect_left(self._busy, lo), bisect_right(self._busy, hi)

    def _spans_of(self, field: str, value) -> list:
        """The spans with contracts in force none of which allows ``value`` (each
        allows it when it does not limit ``field`` or lists it), in order."""
        key = (field, value)
        got = self._outside.get(key)
        if got is None:
            allowing = [n for n, c in enumerate(self.contracts)
                        if (values := getattr(c, field)) is None or value in values]
            # how many allowing contracts are in force on each break day of theirs
            moves = iter(_sweep(self.contracts, allowing))
            pending = next(moves, None)
            allowed, got = 0, []
            for i, day in enumerate(self.days):
                while pending is not None and pending[0] <= day:
                    allowed += sum(1 if starts else -1 for _, starts in pending[1])
                    pending = next(moves, None)
                if self.count[i] and not allowed:
                    got.append(i)
            self._outside[key] = got
        return got

    def outside(self, field: str, value, first, last):
        """Where ``value`` first lies outside the scope (``field``) of the contracts in
        force while a flow runs from ``first`` to ``last``: (evidence, and the English and
        Japanese words saying from when, empty when from its start), or None when every
        span's contracts allow it. With no contract in force on any of its days, the
        scope is that of all the contracts."""
        lo, hi = self._run(first, last)
        a, b = self._busy_in(lo, hi)
        if a == b:  # no contract in force on any of its days (or the first starts later)
            if field not in self._all:
                self._all[field] = _scope(self.contracts, field)
            allowed = self._all[field]
            if allowed is None or value in allowed:
                return None
            ev = {"contract": self.contracts[0].id} if len(self.contracts) == 1 else {}
            return ev, "", ""
        spans = self._spans_of(field, value)
        at = bisect_left(spans, lo)
        if at == len(spans) or spans[at] > hi:
            return None
        i = spans[at]
        one = self.single[i]
        ev = {"contract": one.id} if one is not None else {}
        day = self.days[i]
        if day <= first:
            return ev, "", ""
        return ev, f" from {day}", f"{day} 以降、"

    def evidence(self, first, last) -> dict:
        """The contract a flow's run cites when one contract alone is in force all along
        (or, with none in force on any of its days, the only contract there is)."""
        a, b = self._busy_in(*self._run(first, last))
        if a == b:
            return {"contract": self.contracts[0].id} if len(self.contracts) == 1 else {}
        if b - a == 1 and self.single[self._busy[a]] is not None:
            return {"contract": self.single[self._busy[a]].id}
        return {}


def _sweep(contracts, positions):
    """The days the contracts at ``positions`` start or stop being in force, in order,
    each with its changes ``(position, starts)``: a contract is in force from
    ``signed_on`` to ``ends_on``, both included."""
    changes: dict = {}
    for n in positions:
        c = contracts[n]
        changes.setdefault(c.signed_on, []).append((n, True))
        if c.ends_on is not None and c.ends_on < dt.date.max:
            changes.setdefault(c.ends_on + dt.timedelta(days=1), []).append((n, False))
    return sorted(changes.items())


def _scope(contracts, field):
    """Union of the contracts' limits; ``None`` when any contract does not limit."""
    if not contracts:
        return None
    allowed: set = set()
    for c in contracts:
        values = getattr(c, field)
        if values is None:
            return None
        allowed.update(values)
    return allowed
