"""The JSON report (``lineage-report/1``): stable key order, sorted lists, UTF-8.

Every JSON lineage writes has the layout of ``json.dumps(data, indent=2,
ensure_ascii=False)`` plus a final newline. Large reports are written in
pieces (:func:`chunks`): the flows and findings go through orjson a batch at
a time, nested in lists so that orjson indents them as deep as they stand
(:func:`_orjson_items`), which gives the same bytes as the standard
encoder (``tests/test_jsonreport_fast.py`` checks it on generated data) in a
small fraction of the time and without the whole text in memory. Whatever
orjson would write differently (floats, integers past 64 bits, lone
surrogates, types it is not asked to handle) goes through the standard encoder.

Example:
    >>> import lineage
    >>> text = render(lineage.check("inventories/monocollabo"))
    >>> text.startswith('{\\n  "format": "lineage-report/1"')
    True
"""

from __future__ import annotations

import json
from itertools import chain, repeat
from typing import Iterable, Iterator

from ..plainjson import STR as _STR, plain_values as _plain_all

try:
    import orjson
except ImportError:  # pragma: no cover - a dependency; without it, the standard encoder
    orjson = None

__all__ = ["render", "dumps", "chunks", "Records"]

#: Records encoded per orjson call: large enough to amortise the call, small
#: enough that a batch's text is a few hundred kB.
BATCH = 1000


class Records:
    """A list value written record by record (the report's flows, its findings).

    ``records`` is any iterable of dicts; it is read once, as the value is written.
    Or ``batches``: an iterable of ``(records, plain)`` pairs, a list of dicts each
    and whether its values are only strings, integers, booleans, None, lists,
    tuples and dicts with string keys (as :meth:`AuditResult.flow_record_batches`
    gives them), so that a plain batch goes to orjson without a check of its own.

    Example:
        >>> print(dumps({"flows": Records(iter([{"id": "F1"}]))}), end="")
        {
          "flows": [
            {
              "id": "F1"
            }
          ]
        }
        >>> batches = [([{"id": "F1"}], True), ([{"n": 0.5}], False)]
        >>> dumps(Records(batches=batches)) == dumps([{"id": "F1"}, {"n": 0.5}])
        True
    """

    __slots__ = ("records", "batches")

    def __init__(self, records: Iterable[dict] = (), *,
                 batches: Iterable[tuple[list, bool]] | None = None):
        self.records = records
        self.batches = batches


def dumps(data) -> str:
    """JSON text as every lineage output writes it (2-space indent, newline at end).

    Example:
        >>> print(dumps({"organisation": "モノコラボ", "flows": [1]}), end="")
        {
          "organisation": "モノコラボ",
          "flows": [
            1
          ]
        }
    """
    return "".join(c if type(c) is str else c.decode("utf-8") for c in chunks(data))


def chunks(data) -> Iterator[str | bytes]:
    """The JSON text of ``data`` as :func:`dumps` writes it, in pieces: ``str`` pieces
    and UTF-8 ``bytes`` pieces (orjson's), in order. ``data`` may hold
    :class:`Records` values, read as they are written.

    Example:
        >>> b"".join(c.encode() if isinstance(c, str) else c
        ...          for c in chunks({"a": Records([{"b": None}] * 2)}))
        b'{\\n  "a": [\\n    {\\n      "b": null\\n    },\\n    {\\n      "b": null\\n    }\\n  ]\\n}\\n'
    """
    yield from _pieces(data, 0)
    yield "\n"


#: Containers this shallow are written piece by piece; deeper ones in one call.
_SPLIT_DEPTH = 2


def _pieces(value, level: int):
    """``json.dumps(value, ensure_ascii=False, indent=2)`` at ``level``, in pieces.

    The standard encoder with an indent builds a list of every token before
    joining them: for a report of 100,000 flows that is millions of small
    strings (hundreds of MB). Writing the top levels here and each record in
    one call gives the same bytes; a record's own line breaks are re-indented
    (JSON strings never hold a raw line break, so every one is the encoder's).
    """
    if isinstance(value, Records):
        if value.batches is not None:
            yield from _batches(value.batches, level)
        else:
            yield from _records(value.records, level)
        return
    if level < _SPLIT_DEPTH and value and (
            isinstance(value, (list, tuple))
            or (isinstance(value, dict) and all(type(k) is str for k in value))):
        pad = "\n" + "  " * (level + 1)
        if isinstance(value, dict):
            yield "{"
            for n, (key, item) in enumerate(value.items()):
                yield ("," if n else "") + pad + _string(key) + ": "
                yield from _pieces(item, level + 1)
            yield "\n" + "  " * level + "}"
        else:
            yield "["
            for n, item in enumerate(value):
                yield ("," if n else "") + pad
                yield from _pieces(item, level + 1)
            yield "\n" + "  " * level + "]"
        return
    if orjson is not None and _plain(value):
        text = _orjson(value, level)
        if text is not None:
            yield text
            return
    yield _standard(value, level)


def _records(records: Iterable[dict], level: int):
    """A list of records at ``level``, a batch of records per piece."""
    pad = "\n" + "  " * (level + 1)
    first = True
    batch: list = []
    for record in records:
        batch.append(record)
        if len(batch) == BATCH:
            yield ("[" if first else ",") + pad
            yield from _batch(batch, level + 1)
            first, batch = False, []
    if batch:
        yield ("[" if first else ",") + pad
        yield from _batch(batch, level + 1)
        first = False
    yield "[]" if first else "\n" + "  " * level + "]"


def _batches(batches, level: int):
    """A list of records at ``level`` from ``(records, plain)`` batches, a batch per piece."""
    pad = "\n" + "  " * (level + 1)
    first = True
    for batch, plain in batches:
        if batch:
            yield ("[" if first else ",") + pad
            yield from _batch(batch, level + 1, plain)
            first = False
    yield "[]" if first else "\n" + "  " * level + "]"


def _batch(batch: list, level: int, plain: bool = False):
    """Records at ``level`` joined by the encoder's separator (no leading pad).

    ``plain``: the caller knows the batch holds only what orjson writes as json does.
    """
    text = _orjson_items(batch, level) if orjson is not None and (
        plain or _plain_records(batch)) else None
    if text is not None:
        yield text
        return
    pad = ",\n" + "  " * level
    yield pad.join(_standard(r, level) for r in batch)


def _orjson(value, level: int) -> bytes | None:
    """orjson's text of a plain value at ``level``, or None when orjson refuses it."""
    try:
        text = orjson.dumps(value, option=_OPTIONS)
    except (TypeError, orjson.JSONEncodeError):
        return None
    return text.replace(b"\n", b"\n" + b"  " * level) if level else text


def _orjson_items(batch: list, level: int) -> bytes | None:
    """orjson's text of the items of ``batch`` at ``level`` joined by the separator, or
    None when orjson refuses one.

    The batch goes in ``level - 1`` lists, one in another: orjson then writes its
    items with their indentation at ``level``, and the piece is cut from between
    the lists' brackets, with no pass over the text to indent it.

    Example:
        >>> _orjson_items([{"a": [1]}, "b"], 2)
        b'{\\n      "a": [\\n        1\\n      ]\\n    },\\n    "b"'
    """
    nested = batch
    for _ in range(level - 1):
        nested = [nested]
    try:
        text = orjson.dumps(nested, option=_OPTIONS)
    except (TypeError, orjson.JSONEncodeError):
        return None
    # "[" and a line break, pad and "[" for each list around the batch, then the
    # first item's line break and pad; after the last item a line break, pad and
    # "]" for each list, the batch's too.
    head = 2 + sum(2 * d + 2 for d in range(1, level)) + 2 * level
    tail = sum(2 * d + 2 for d in range(level))
    return text[head:-tail]


def _standard(value, level: int) -> str:
    text = _ENCODER.encode(value)
    return text.replace("\n", "\n" + "  " * level) if level and "\n" in text else text


_ENCODER = json.JSONEncoder(ensure_ascii=False, indent=2)
_string = json.encoder.encode_basestring  # the C function json itself uses
if orjson is not None:
    # Dates, datetimes and dataclasses are handed back (and so refused): the
    # standard encoder refuses them too, and the report writes dates as text.
    _OPTIONS = (orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATETIME
                | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS)

def _plain(value) -> bool:
    """Whether ``value`` holds only strings, integers, booleans, None, lists, tuples
    and dicts with string keys (what orjson writes byte for byte like json).

    Example:
        >>> _plain({"a": [1, "x", None, (True,)]}), _plain({"a": 1.5}), _plain({1: "a"})
        (True, False, False)
    """
    return _plain_all([value])


def _plain_records(batch: list) -> bool:
    """:func:`_plain_all` of a batch of records, a key at a time: each key's values
    are mostly of one kind (all strings, all tuples of strings), which the set
    operations settle without a Python-level pass over mixed values.

    Example:
        >>> _plain_records([{"id": "F1", "items": ("a",)}, {"id": "F2", "end": None}])
        True
        >>> _plain_records([{"id": "F1"}, {"id": 1.0}]), _plain_records([{"id": "F1"}, {2: "x"}])
        (False, False)
    """
    if set(map(type, batch)) != {dict}:
        return _plain_all(batch)
    keys = set(chain.from_iterable(batch))
    if not set(map(type, keys)) <= _STR:
        return False
    return all(_plain_all(list(map(dict.get, batch, repeat(key)))) for key in keys)




def render(audit) -> str:
    """The report of ``audit`` as JSON text.

    Example:
        >>> import lineage
        >>> report = json.loads(render(lineage.check("inventories/monocollabo")))
        >>> list(report)[:5], len(report["findings"])
        (['format', 'tool', 'organisation', 'as_of', 'rules'], 10)
    """
    return dumps(report_data(audit))


def report_data(audit) -> dict:
    """The report of ``audit`` as data to write: :meth:`AuditResult.as_dict` with its
    flows and findings as :class:`Records`, produced as they are written.

    Example:
        >>> import lineage
        >>> audit = lineage.check("inventories/monocollabo")
        >>> dumps(report_data(audit)) == dumps(audit.as_dict())
        True
    """
    data = audit.report_head()
    data["flows"] = Records(batches=audit.flow_record_batches(BATCH))
    data["findings"] = Records(batches=audit.finding_record_batches(BATCH))
    data["waivers"] = list(audit.waivers)
    return data


def write(audit, out) -> None:
    """Write the report of ``audit`` to ``out``, a binary file, in pieces (UTF-8).

    Example:
        >>> import io, lineage
        >>> buf = io.BytesIO(); write(lineage.check("inventories/monocollabo"), buf)
        >>> buf.getvalue().decode("utf-8") == render(lineage.check("inventories/monocollabo"))
        True
    """
    for piece in chunks(report_data(audit)):
        out.write(piece.encode("utf-8") if type(piece) is str else piece)
