"""The JSON report (``lineage-report/1``): stable key order, sorted lists, UTF-8.

Every JSON lineage writes has the layout of ``json.dumps(data, indent=2,
ensure_ascii=False)`` plus a final newline. Large reports are written in
pieces (:func:`chunks`): the findings go through orjson a batch at a time,
nested in lists so that orjson indents them as deep as they stand
(:func:`_orjson_items`), which gives the same bytes as the standard
encoder (``tests/test_jsonreport_fast.py`` checks it on generated data) in a
small fraction of the time and without the whole text in memory. Whatever
orjson would write differently (floats, integers past 64 bits, lone
surrogates, types it is not asked to handle) goes through the standard encoder.
The flows, most of a large report, are written from the flow table's columns
(:class:`FlowTable`, ``tests/test_flow_text.py``): a batch with anything but
plain strings, dates and lists of strings takes the records' way above.

Example:
    >>> import lineage
    >>> text = render(lineage.check("inventories/monocollabo"))
    >>> text.startswith('{\\n  "format": "lineage-report/1"')
    True
"""

from __future__ import annotations

import datetime as dt
import json
from itertools import chain, repeat
from typing import Iterable, Iterator

from ..plainjson import STR as _STR, plain_values as _plain_all
from ..terms import natural_key

try:
    import orjson
except ImportError:  # pragma: no cover - a dependency; without it, the standard encoder
    orjson = None

__all__ = ["render", "dumps", "chunks", "Records", "FlowTable"]

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


class FlowTable:
    """The report's flows, written from the flow table's columns.

    ``audit`` is an :class:`~lineage.result.AuditResult`; its
    :meth:`~lineage.result.AuditResult.flow_column_batches` are written ``size``
    flows at a time by :class:`_FlowText` (no dict per record), and a batch it
    cannot write as json would (a value of another type, a string json escapes)
    as :meth:`~lineage.result.AuditResult.flow_records` by the records' writer.

    Example:
        >>> import lineage
        >>> audit = lineage.check("inventories/monocollabo")
        >>> dumps(FlowTable(audit, 7)) == dumps([r.as_dict() for r in audit.flow_results])
        True
    """

    __slots__ = ("audit", "size")

    def __init__(self, audit, size: int = BATCH):
        self.audit = audit
        self.size = size


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
    if isinstance(value, FlowTable):
        yield from _flow_table(value.audit, value.size, level)
        return
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


def _flow_table(audit, size: int, level: int):
    """The flows of ``audit`` as a list at ``level``, a batch of records per piece."""
    pad = "\n" + "  " * (level + 1)
    first = True
    text = _FlowText(level + 1, audit)
    iso: dict = {}
    # the outcomes from the flows with findings, unless their texts could not be made
    for columns in audit.flow_column_batches(size, outcome=text.flagged is None):
        if not columns.ids:
            continue
        yield ("[" if first else ",") + pad
        first = False
        piece = text.batch(columns)
        if piece is None:  # what the text cannot be written from its columns: records
            records, plain = audit.flow_records(columns, iso)
            yield from _batch(records, level + 1, plain)
        else:
            yield piece
    yield "[]" if first else "\n" + "  " * level + "]"


class _Texts(dict):
    """Each key's text, made by ``make`` the first time the key is asked for."""

    __slots__ = ("make",)

    def __init__(self, make):
        super().__init__()
        self.make = make

    def __missing__(self, key):
        text = self[key] = self.make(key)
        return text


class _Refused(Exception):
    """A value :class:`_FlowText` does not write from a text of its kind."""


#: Characters json writes escaped in a string (a string without them is its own
#: text) as UTF-8 bytes: each is one byte, never part of another character's.
_ESCAPED_BYTES = bytes(range(0x20)) + b'"\\'


def _escaped(text: str) -> int:
    """How many characters of ``text`` json writes escaped (quotes, backslashes,
    control characters), or -1 for a text that has a lone surrogate. Counted
    in bytes, in C, faster than a regular expression's search.

    Example:
        >>> _escaped("F1 モノ\\u2028"), _escaped('a"b\\\\\\n'), _escaped("\\ud800")
        (0, 3, -1)
    """
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return -1
    return len(data) - len(data.translate(None, _ESCAPED_BYTES))
#: The outcome of a flow with no finding (:meth:`AuditResult.flagged_flows`).
_NO_FINDING = ("ok", ())
_DATE_NONE = frozenset({dt.date, type(None)})
_SEQ = frozenset({list, tuple})
_STR_NONE = frozenset({str, type(None)})


class _FlowText:
    """The JSON text of flow records at ``level`` (as :func:`_standard` writes their
    dicts), written from a batch's columns (:class:`~lineage.result.FlowColumns`).

    A million records differ mostly in their ID, parties and items; the rest
    (basis, dates, route) takes a few thousand different values, and most flows
    share one outcome (``ok``, no finding). So a record is a few pieces joined
    in C: the IDs, party IDs and item IDs as they are, once a look at the
    batch's strings shows that json writes each as itself (no quote, backslash
    or control character), and the text of each distinct rest and outcome made
    once. Those texts are keyed by value, so the values must be of exact types
    (str, date, None; lists or tuples of strings): a batch with anything else
    is left to the records' writer (``None``).

    Example:
        >>> import json, lineage
        >>> audit = lineage.check("inventories/monocollabo")
        >>> text = _FlowText(1, audit).batch(next(audit.flow_column_batches(3)))
        >>> json.loads("[" + text.decode() + "]") == [
        ...     r.as_dict() for r in audit.flow_results[:3]]
        True
    """

    def __init__(self, level: int, audit):
        pad0 = "\n" + "  " * level
        pad1 = pad0 + "  "
        pad2 = pad1 + "  "
        self.level = level
        self.field = field = ("," + pad1 + '"{}": ').format
        self.separator = "," + pad0
        self.head = "{" + pad1 + '"id": "'
        #: a list of strings written as they are: the strings joined by this
        self.joiner = '",' + pad2 + '"'
        self.open, self.close = "[" + pad2 + '"', '"' + pad1 + "]"
        self.keys = tuple(map(field, ("start", "end", "route", "status")))
        self.rest = _Texts(self._rest)
        self.lists = _Texts(self._strings)  # lists that are not all written as they are
        per_pack = getattr(audit, "_pack_kinds", None) if audit.side_by_side else None
        self.end = pad0 + "}"
        self.packs = None
        if per_pack is not None:
            # the few different mappings, by identity (the result shares equal ones)
            self.packs = {id(d): field("status_by_pack") + _standard(d, level + 1) + self.end
                          for d in per_pack.values() if _plain(d)}
            self.packs[id(None)] = self.end
        self.status = _Texts(lambda s: _standard(s, level + 1) + field("findings"))
        # each outcome's text: those of no finding (shared), those with findings by
        # flow ID (each its own), unless one is not made of exact strings
        self.outcome: dict = {}
        self.flagged = self._flagged(audit.flagged_flows())
        self.no_finding = self._outcomes([_NO_FINDING])[0]
        # The flows with findings in the table's order: each batch takes the next
        # ones from a look-up of its own few IDs (a million look-ups in a mapping
        # of them all miss the processor's caches, most of the report's time).
        self.along = self.flagged is not None and audit.flagged_in_order
        self.pending = iter(self.flagged or ())
        self.next = next(self.pending, None)

    def _strings(self, values: tuple) -> str:
        """The text of a list of strings (keys are checked to be exact strings)."""
        if not values:
            return "[]"
        pad = "\n" + "  " * (self.level + 2)
        return ("[" + pad + ("," + pad).join(map(_string, values))
                + "\n" + "  " * (self.level + 1) + "]")

    def _rest(self, key: tuple) -> str:
        """The text from the basis to the status's key, of ``(basis, start, end, route)``:
        a str or None, a date, a date or None, a str (exact types; a key equal to one
        of these is written as it is, as json writes a str subclass)."""
        basis, start, end, route = key
        if (type(basis) not in _STR_NONE or type(start) is not dt.date
                or type(end) not in _DATE_NONE or type(route) is not str):
            raise _Refused(key)
        return "".join((
            "null" if basis is None else _string(basis), self.keys[0],
            "null" if start is None else '"' + start.isoformat() + '"', self.keys[1],
            "null" if end is None else '"' + end.isoformat() + '"', self.keys[2],
            _string(route), self.keys[3]))

    def _list(self, column, after: str, parts: list) -> bool:
        """Add the pieces of a column of lists of strings to ``parts``, then ``after``;
        False when they are not all lists or tuples of exact strings."""
        if not _only(column, _SEQ):
            return False
        if all(column):  # none empty: each one's strings joined, in brackets
            joined = list(map(self.joiner.join, column))
            # each string as it is, so the quotes and line breaks are the joiners' only
            joiners = sum(map(len, column)) - len(column)
            if _escaped("".join(joined)) != 3 * joiners:  # two quotes, a line break each
                return False
            parts += [self.open, joined, self.close + after]
            return True
        if not _only(chain.from_iterable(column), _STR):
            return False
        parts += [list(map(self.lists.__getitem__, map(tuple, column))), after]
        return True

    def _flagged(self, flagged: dict) -> dict | None:
        """The outcome text of each flow with findings by flow ID, or None when one is
        not a status and a tuple of finding IDs, all exact strings."""
        texts = self._outcomes(list(flagged.values()))
        return None if texts is None else dict(zip(flagged, texts))

    def _outcomes(self, outcomes: list) -> list | None:
        """The text of each of ``outcomes`` (status and findings, and the record's end
        when one pack ran), or None when one is not a status and a tuple of finding
        IDs, all exact strings."""
        if not outcomes:
            return []
        if not _only(outcomes, {tuple}) or set(map(len, outcomes)) != {2}:
            return None
        statuses, found = zip(*outcomes)
        if not _only(statuses, _STR) or not _only(found, {tuple}) or not _only(
                chain.from_iterable(found), _STR):
            return None
        end = "" if self.packs is not None else self.end
        if all(found) and not _escaped("".join(chain(statuses, *found))):
            lists = map("".join, zip(repeat(self.open), map(self.joiner.join, found),
                                     repeat(self.close + end)))
        else:
            lists = map(str.__add__, map(self._strings, found), repeat(end))
        return list(map(str.__add__, map(self.status.__getitem__, statuses), lists))

    def _outcome_column(self, outcome) -> list | None:
        """The outcome texts of a batch's ``outcome`` column (the careful way: the
        flows with findings have texts of their own, made here)."""
        try:
            texts = list(map(self.outcome.get, outcome))
        except TypeError:  # not hashable: not a pair of a status and a tuple
            return None
        if None not in texts:
            return texts
        at, n = [], -1
        try:
            while True:
                n = texts.index(None, n + 1)
                at.append(n)
        except ValueError:
            pass
        made = self._outcomes([outcome[n] for n in at])
        if made is None:
            return None
        for n, text in zip(at, made):
            texts[n] = text
            if not outcome[n][1]:  # no finding: shared by the flows alike, kept
                self.outcome[outcome[n]] = text
        return texts

    def _flagged_along(self, ids) -> list:
        """The outcome texts of the flows ``ids``, the next batch of the table, taking
        the flows with findings in order (IDs sorted alike, each flow once): each
        found by a C-level scan of the batch from the last one found (a few
        comparisons each, no mapping of the batch's IDs)."""
        texts = [self.no_finding] * len(ids)
        pending = self.next
        if pending is None:
            return texts
        index, flagged = ids.index, self.flagged
        at, last = 0, None
        while pending is not None:
            try:
                n = index(pending, at)
            except ValueError:
                last = last or natural_key(ids[-1])
                if natural_key(pending) > last:
                    break  # a flow of a later batch
                # before this batch's last flow, yet not here nor before: a finding
                # on no flow of the table, which no record shows
            else:
                texts[n] = flagged[pending]
                at = n + 1
            pending = next(self.pending, None)
        self.next = pending
        return texts

    def batch(self, columns) -> bytes | str | None:
        """The records of ``columns`` joined by json's separator at this level (UTF-8
        bytes; text when a string cannot be encoded, a lone surrogate), or None
        when a value is not of the kinds written here."""
        ids, frm, to, items, purposes, basis, start, end, route, outcome, packs = columns
        try:
            own = "".join(ids) + "".join(frm) + "".join(to)
        except TypeError:  # not strings: the careful path says what
            return None
        if _escaped(own) or (self.packs is not None and packs is None):
            return None
        field = self.field
        parts: list = [self.head, ids, '"' + field("from") + '"', frm,
                       '"' + field("to") + '"', to, '"' + field("items")]
        try:
            if not self._list(items, field("purposes"), parts) or not self._list(
                    purposes, field("basis"), parts):
                return None
        except TypeError:  # a list holding something else than strings
            return None
        try:
            rest = list(map(self.rest.__getitem__, zip(basis, start, end, route)))
        except (_Refused, TypeError):  # another type (or not hashable)
            return None
        if outcome is None:
            if self.flagged is None:
                return None
            outcome = self._flagged_along(ids) if self.along else list(
                map(self.flagged.get, ids, repeat(self.no_finding)))
        else:
            outcome = self._outcome_column(outcome)
            if outcome is None:
                return None
        parts += [rest, outcome]
        if self.packs is not None:
            texts = list(map(self.packs.get, map(id, packs)))
            if None in texts:  # a mapping not among the result's kinds
                return None
            parts.append(texts)
        if len(self.rest) > 100_000:
            self.rest.clear()
        # fixed pieces next to each other as one
        merged: list = []
        for part in parts:
            if type(part) is str and merged and type(merged[-1]) is str:
                merged[-1] += part
            else:
                merged.append(part)
        text = self.separator.join(map("".join, zip(
            *[repeat(p) if type(p) is str else p for p in merged])))
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: the text as json gives it
            return text


def _only(values, kinds) -> bool:
    """Whether every one of ``values`` is exactly of one of ``kinds`` (no subclass)."""
    return set(map(type, values)) <= kinds


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
    data["flows"] = FlowTable(audit, BATCH)
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
