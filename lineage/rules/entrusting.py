"""What TP202 and TP203 both read of the entrusting (outsourcing) flows, read once
per check, and the day numbers their searches compare.

Example:
    >>> LAST_DAY == dt.date.max.toordinal()
    True
"""

import datetime as dt
import operator

#: Days are day numbers (date.toordinal) in the searches: compared and ordered as
#: the dates are, by the interpreter's quick path for small ints, without a
#: reach for a date object read from some flow long before.
LAST_DAY = dt.date.max.toordinal()

_START, _ITEMS = operator.attrgetter("start"), operator.attrgetter("items")
_ID, _TO = operator.attrgetter("id"), operator.attrgetter("to")
_CONTRACT = operator.attrgetter("contract")


def entrusted(ctx, judged) -> tuple:
    """The entrusting (outsourcing) flows' starts, items, IDs, recipients and named
    contracts, as columns in the order of ``ctx.judged_flows``: read in one sweep,
    once per check for TP202 and TP203 (at a million flows, reaching a flow
    record costs more than what is done with it).

    Example:
        >>> from lineage.rules import context, engine, examples
        >>> from lineage.rules.policy.TP203 import TP203
        >>> ctx = context.Context(examples.build_example(TP203.fail.inventory))
        >>> judged = {f.id: engine.judge(ctx, f)[0] for f in ctx.inv.flows}
        >>> starts, items, ids, tos, contracts = entrusted(ctx, judged)
        >>> ids, tos, contracts, entrusted(ctx, judged)[2] is ids
        (('F1',), ('carrier',), (None,), True)
    """
    flows = ctx.judged_flows(judged, "policy")[1].get("outsourcing", ())
    got = ctx.memo.get(("entrusting",))
    if got is None or got[0] is not flows:
        columns = tuple(zip(*zip(map(_START, flows), map(_ITEMS, flows), map(_ID, flows),
                                 map(_TO, flows), map(_CONTRACT, flows))))
        got = ctx.memo[("entrusting",)] = (flows, columns or ((),) * 5)
    return got[1]


class Days(dict):
    """Date -> its day number (``date.toordinal``), made on first look-up.

    A large inventory's flows share a few hundred dates (the loader shares equal
    ones): the search's day numbers are then a few hundred int objects too, at
    hand, and comparing two reads none of the hundreds of thousands an int per
    flow would scatter over memory (at a million flows, a reach for a far int
    costs as much as the comparison's whole step).

    Example:
        >>> days = Days()
        >>> days[dt.date(2025, 1, 1)], days[dt.date(1, 1, 1)], len(days)
        (739252, 1, 2)
    """

    def __missing__(self, day):
        number = self[day] = day.toordinal()
        return number
