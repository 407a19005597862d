"""TP201's contract timeline (one per outsourcee's contracts, looked up by bisection)
against the plain walk over every contract for each flow's run, kept here as the oracle.

The plain walk cost each flow to an outsourcee of many renewals a pass over all its
contracts per day they change: 61 monthly contracts and 20,000 flows took 4.7 s against
1.4 s (``benchmarks``-style measurement in the round's notes), so the timeline replaced it;
their answers must be the same for every run, value and evidence.
"""

import datetime as dt
import random
from types import SimpleNamespace as C

from lineage.rules.policy.TP201 import _scope, _Timeline


def _spans(contracts, first, last):
    """The contracts in force on each day from ``first`` to ``last``, as spans (oracle)."""
    running = [c for c in contracts if c.signed_on <= last
               and (c.ends_on is None or c.ends_on >= first)]
    if not running:
        return []
    days = {first}
    for c in running:
        if c.signed_on > first:
            days.add(c.signed_on)
        if c.ends_on is not None and c.ends_on < last:
            days.add(c.ends_on + dt.timedelta(days=1))
    out = []
    for day in sorted(days):
        held = [c for c in running if c.signed_on <= day
                and (c.ends_on is None or c.ends_on >= day)]
        if held and (not out or held != out[-1][1]):
            out.append((day, held))
    return out


def _outside(spans, field, value, start):
    for day, held in spans:
        allowed = _scope(held, field)
        if allowed is not None and value not in allowed:
            ev = {"contract": held[0].id} if len(held) == 1 else {}
            return (ev, "", "") if day <= start else (ev, f" from {day}", f"{day} 以降、")
    return None


def _day(n):
    return dt.date(2024, 1, 1) + dt.timedelta(days=n)


def test_timeline_equals_the_walk_over_every_contract():
    checked = 0
    for seed in range(800):
        rnd = random.Random(seed)
        contracts = []
        for k in range(rnd.randint(0, 5)):
            start = rnd.randint(0, 300)
            contracts.append(C(
                id=f"K{k}", signed_on=_day(start),
                ends_on=_day(start + rnd.randint(0, 200)) if rnd.random() < 0.6 else None,
                items=rnd.sample(["a", "b", "c"], rnd.randint(1, 2)) if rnd.random() < 0.7
                else None,
                purposes=rnd.sample(["p", "q"], 1) if rnd.random() < 0.5 else None))
        line = _Timeline(contracts)
        for _ in range(8):
            first = _day(rnd.randint(-50, 400))
            last = first + dt.timedelta(days=rnd.randint(0, 300))
            spans = _spans(contracts, first, last) or [(first, contracts)]
            for field, values in (("items", "abc"), ("purposes", "pq")):
                for value in values:
                    assert line.outside(field, value, first, last) == \
                        _outside(spans, field, value, first), (seed, field, value, first, last)
                    checked += 1
            single = len(spans) == 1 and len(spans[0][1]) == 1
            assert line.evidence(first, last) == (
                {"contract": spans[0][1][0].id} if single else {}), (seed, first, last)
    assert checked == 800 * 8 * 5
