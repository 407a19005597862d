"""Which values orjson writes exactly as the standard json encoder does.

The report is written with orjson for speed and must stay byte-identical to
``json.dumps(indent=2, ensure_ascii=False)``: values of these exact types are
handed to orjson, anything else to the standard encoder. One predicate, shared
by the result that builds the records and the writer that checks them.

Example:
    >>> plain_values([{"id": "F1", "items": ("a",)}]), plain_values([1.5])
    (True, False)
"""

from __future__ import annotations

from itertools import chain

__all__ = ["SCALARS", "CONTAINERS", "ALLOWED", "STR", "plain_values"]

#: Types both encoders write alike (orjson refuses what does not fit: lone
#: surrogates, integers past 64 bits). Floats are not among them: orjson writes
#: 1e16 and NaN differently.
SCALARS = frozenset({str, int, bool, type(None)})
CONTAINERS = frozenset({list, tuple, dict})
ALLOWED = SCALARS | CONTAINERS
STR = frozenset({str})


def plain_values(values) -> bool:
    """Whether ``values`` hold only strings, integers, booleans, None, lists,
    tuples and dicts with string keys (exact types: what orjson writes byte for
    byte as json does, or refuses), a level at a time: a batch of records is
    checked with a few set operations per level, not a call per value.

    Example:
        >>> plain_values([{"a": ("x",)}, {"b": [None, {"c": 1}]}]), plain_values([{"a": [0.5]}])
        (True, False)
    """
    values = values if type(values) is list else list(values)
    allowed, containers = ALLOWED, CONTAINERS
    while values:
        kinds = set(map(type, values))
        if not kinds <= allowed:
            return False
        if kinds.isdisjoint(containers):
            return True
        if not kinds <= containers:
            values = [v for v in values if type(v) in containers]
        if dict in kinds:
            dicts = values if kinds & containers == {dict} else \
                [v for v in values if type(v) is dict]
            if not set(map(type, chain.from_iterable(dicts))) <= STR:
                return False
            rest = () if dicts is values else [v for v in values if type(v) is not dict]
            values = list(chain(chain.from_iterable(map(dict.values, dicts)),
                                chain.from_iterable(rest)))
        else:
            values = list(chain.from_iterable(values))
    return True
