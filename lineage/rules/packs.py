"""Which flows each rule pack judges (rules.md, "Law pack appi", Status).

The policy pack judges every flow. The law pack judges flows that run on or
after 2022-04-01, when the amended Act took effect: a flow that ended before
then has no ``appi`` status and gets no AP finding.

Example:
    >>> from lineage.model.schema import Flow
    >>> old = Flow(id="F1", **{"from": "mc", "to": "p"}, items=["name"],
    ...            start="2020-01-01", end="2022-03-31")
    >>> judges("policy", old), judges("appi", old)
    (True, False)
"""

from __future__ import annotations

import datetime as dt

__all__ = ["APPI_FROM", "PACK_TITLES", "pack_label", "judges", "judges_key"]

#: The day the 2020 amendment of the Act (as in force from April 2022) took effect.
APPI_FROM = dt.date(2022, 4, 1)

#: Each pack's name in reports, in both languages.
PACK_TITLES = {
    "policy": {"en": "policy", "ja": "方針"},
    "appi": {"en": "the Act (APPI)", "ja": "個人情報保護法"},
}


def pack_label(pack: str, lang: str = "en") -> str:
    """A rule pack as a header or summary line names it: its ID in English; in Japanese
    its name with the ID beside it.

    Example:
        >>> pack_label("appi"), pack_label("appi", "ja"), pack_label("policy", "ja")
        ('appi', '個人情報保護法 (appi)', '方針 (policy)')
    """
    if lang != "ja" or pack not in PACK_TITLES:
        return pack
    return f"{PACK_TITLES[pack]['ja']} ({pack})"


def judges(pack: str, flow, as_of: dt.date | None = None) -> bool:
    """Whether ``pack`` judges ``flow``: ``appi`` only flows running on or after
    2022-04-01 (rules.md: a flow that ended before then has no ``appi`` entry), by
    their last day as recorded (``Context.recorded_last_day``): the ``end``
    when recorded, also one after the audit date; with no end, the audit date
    ``as_of`` (a planned flow's start), so an audit dated before the Act's
    duties began judges an open flow by them only if it is planned from
    2022-04-01. Without ``as_of``, an open flow is judged.

    Example:
        >>> from lineage.model.schema import Flow
        >>> edge = Flow(id="F1", **{"from": "mc", "to": "p"}, items=["name"],
        ...             start="2020-01-01", end="2022-04-01")
        >>> judges("appi", edge), judges("appi", edge.model_copy(update={"end": None}))
        (True, True)
        >>> judges("appi", edge.model_copy(update={"end": None}), dt.date(2021, 6, 1))
        False
        >>> judges("appi", edge, dt.date(2021, 6, 1))  # its recorded end counts
        True
    """
    if pack == "appi":
        end = flow.end
        if end is not None:
            return end >= APPI_FROM
        if as_of is None or as_of >= APPI_FROM:  # the common case
            return True
        return (as_of if as_of > flow.start else flow.start) >= APPI_FROM
    return True


def judges_key(flow, as_of: dt.date | None = None):
    """All of a flow that :func:`judges` looks at with ``as_of``, so that callers may
    ask once per key instead of once per flow. Keep the two together.

    Example:
        >>> from lineage.model.schema import Flow
        >>> flow = Flow(id="F1", **{"from": "mc", "to": "p"}, items=["name"],
        ...             start="2020-01-01", end="2022-03-31")
        >>> judges_key(flow), judges_key(flow, dt.date(2021, 6, 1))
        (datetime.date(2022, 3, 31), (datetime.date(2022, 3, 31), datetime.date(2020, 1, 1)))
    """
    if as_of is None or as_of >= APPI_FROM:
        return flow.end
    return flow.end, flow.start
