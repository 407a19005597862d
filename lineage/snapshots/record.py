"""A snapshot as data: the audited inventory, the flow table and every finding.

A :class:`Snapshot` comes either from an :class:`~lineage.audit.Audit` (not
stored yet: ``id`` is None) or from a :class:`~lineage.snapshots.store.Store`.
Rows are tuples of plain values (text, integers, None) in the column order of
the store's tables, lists and mappings as canonical JSON text, so the hash of
what is written equals the hash of what is read back.

Example:
    >>> import lineage
    >>> snap = Snapshot.from_audit(lineage.check("inventories/monocollabo"))
    >>> snap.summary["flows"], snap.summary["severity"]
    (48, {'error': 9, 'warning': 0, 'waived': 1})
    >>> snap.finding("TP203:F44:address")["flow"]
    'F44'
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import json.scanner
from collections import Counter
from collections.abc import Sequence
from itertools import chain, compress, repeat
from operator import add, attrgetter, itemgetter, not_
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from .. import __version__
from ..plainjson import plain_values
from ..terms import STATUSES
from .canonical import canonical_bytes, dumps, from_canonical, sha256

if TYPE_CHECKING:  # the store reads snapshots without loading pydantic or pandas
    import pandas as pd

    from ..model.schema import Inventory

__all__ = ["Snapshot", "StoredRows", "Deferred", "finding_dict", "flow_rows", "finding_rows", "FLOW_COLUMNS", "FINDING_COLUMNS", "WAIVER_COLUMNS", "HEADER_FIELDS",
           "GENESIS", "LAYOUT_ROWS", "LAYOUT_CHUNKS", "content_hash", "manifest_hash",
           "chain_hash", "summarise"]

FLOW_COLUMNS = ("flow", "from_party", "to_party", "items", "purposes", "basis",
                "start_date", "end_date", "route", "status", "findings")
FINDING_COLUMNS = ("finding_id", "rule", "clause", "kind", "severity", "flow",
                   "from_party", "to_party", "subject", "items", "evidence", "message",
                   "message_ja", "remedy", "remedy_ja", "waived")
WAIVER_COLUMNS = ("rule", "flow", "item", "reason", "approved_by", "expires_on", "state")
#: Columns of the ``snapshots`` table covered by the content hash, in hash order.
HEADER_FIELDS = ("id", "created_at", "label", "organisation", "as_of", "rules",
                 "tool_version", "source", "inventory_hash", "summary", "flow_count",
                 "finding_count")
#: The ``prev_hash`` of the first snapshot of a store.
GENESIS = "0" * 64
#: ``snapshots.layout``: rows in the flows, findings and waivers tables (schema 1 and 2)
LAYOUT_ROWS = 1
#: ``snapshots.layout``: content-addressed compressed chunks in ``parts`` and ``blobs`` (schema 3)
LAYOUT_CHUNKS = 2


def _flow_row(d: dict) -> tuple:
    return (d["id"], d["from"], d["to"], dumps(d["items"]), dumps(d["purposes"]),
            d["basis"], d["start"], d["end"], d["route"], d["status"], dumps(d["findings"]))


def _finding_row(f) -> tuple:
    d = f.as_dict()
    return (d["id"], d["rule"], d["clause"], d["kind"], d["severity"], d["flow"],
            d["from"], d["to"], f.subject, dumps(d["items"]), dumps(d["evidence"]),
            d["message"], d["message_ja"], d["remedy"], d["remedy_ja"], int(d["waived"]))


def _waiver_row(w: dict) -> tuple:
    return tuple(w.get(c) for c in WAIVER_COLUMNS)


try:
    import orjson
except ImportError:  # pragma: no cover - a dependency; without it, the standard encoder
    orjson = None

_NONE = type(None)
_BATCH = 50_000
_FINDING_FIELDS = attrgetter("id", "rule", "clause", "kind", "severity", "flow", "frm", "to",
                             "subject", "items", "evidence", "message", "message_ja",
                             "remedy", "remedy_ja", "waived")


def _texts_of(column, cache: dict):
    """The JSON text of each list of strings in ``column``, each distinct list's once
    (item and purpose lists repeat), or None when one holds anything else."""
    if not set(map(type, column)) <= {list, tuple}:
        return None
    keys = list(map(tuple, column))
    new = set(keys).difference(cache)
    if not set(map(type, chain.from_iterable(new))) <= {str}:
        return None  # strings only: equal keys are then equal texts
    new = list(new)
    cache.update(zip(new, _json_texts(list(map(list, new)), b"],[")))
    return map(cache.__getitem__, keys)


def _json_texts(values: list, separator: bytes) -> list[str]:
    """``[dumps(v) for v in values]`` for lists (``separator`` ``b"],["``) or dicts
    (``b"},{"``): one orjson call for them all when they hold plain values only
    (which orjson writes as the standard encoder does, keys sorted alike), cut at
    the separators; a cut count that is not one per value (a separator inside a
    string) or anything else takes one standard call per value.

    Example:
        >>> _json_texts([["a"], [], ["b", "c"]], b"],["), _json_texts([{"b": 1, "a": []}], b"},{")
        (['["a"]', '[]', '["b","c"]'], ['{"a":[],"b":1}'])
    """
    if orjson is not None and values and plain_values(values):
        try:
            pieces = orjson.dumps(values, option=orjson.OPT_SORT_KEYS)[2:-2].split(separator)
        except (TypeError, orjson.JSONEncodeError):
            pieces = None
        if pieces is not None and len(pieces) == len(values):
            head, tail = separator[-1:], separator[:1]
            return list(map(bytes.decode, map(add, map(add, repeat(head), pieces),
                                              repeat(tail))))
    return list(map(dumps, values))


def flow_rows(audit, each=None) -> tuple[tuple, ...]:
    """The snapshot's flow rows of an audit, in the flow table's order.

    The rows ``_flow_row`` makes of each :attr:`AuditResult.flow_results` row,
    made from the result's columns (:meth:`AuditResult.flow_column_batches`)
    without a row object per flow, each distinct list and date written once;
    anything but plain values takes the rows' own way
    (``tests/test_snapshot_fast.py`` checks the two agree). ``each``, if given,
    is called with each batch of rows as it is made, in order, and with None
    when the rows are then made another way (forget the batches: the rows
    returned are all of them).

    Example:
        >>> import lineage
        >>> audit = lineage.check("inventories/monocollabo")
        >>> flow_rows(audit) == tuple(_flow_row(r.as_dict()) for r in audit.flow_results)
        True
        >>> flow_rows(audit)[0][:4]
        ('F01', 'members', 'monocollabo', '["member_id","name","email","phone","address","birth_date","gender"]')
    """
    from ..result import AuditResult
    kind = type(audit)
    # the columns are the flow table's only where a subclass changed neither
    rows = _fast_flow_rows(audit, each) if isinstance(audit, AuditResult) and all(
        getattr(kind, name) is getattr(AuditResult, name) for name in
        ("flow_results", "flow_column_batches", "_outcomes")) else None
    if rows is not None:
        return rows
    if each is not None:
        each(None)
    return tuple(_flow_row(r.as_dict()) for r in audit.flow_results)


def _fast_flow_rows(audit, each=None) -> tuple[tuple, ...] | None:
    lists: dict = {}
    dates: dict = {}
    found_texts: dict = {}
    out: list[tuple] = []
    for columns in audit.flow_column_batches(_BATCH):
        ids, frm, to, items, purposes, basis, start, end, route, outcome = columns[:10]
        items, purposes = _texts_of(items, lists), _texts_of(purposes, lists)
        if items is None or purposes is None or outcome is None:
            return None
        if not set(map(type, chain(start, end))) <= {dt.date, _NONE}:
            return None
        for d in set(start).union(end).difference(dates):
            dates[d] = d.isoformat() if d else None
        status, found = zip(*outcome) if outcome else ((), ())
        found = _texts_of(found, found_texts)
        if found is None:
            return None
        rows = list(zip(ids, frm, to, items, purposes, basis, map(dates.__getitem__, start),
                        map(dates.__getitem__, end), route, status, found))
        out += rows
        if each is not None:
            each(rows)
    return tuple(out)


def finding_rows(findings) -> tuple[tuple, ...]:
    """The snapshot's finding rows, as ``_finding_row`` makes each: read a field at
    a time, each distinct item list and evidence written once.

    Example:
        >>> import lineage
        >>> audit = lineage.check("inventories/monocollabo")
        >>> finding_rows(audit.results) == tuple(map(_finding_row, audit.results))
        True
    """
    from ..rules.base import Finding
    findings = list(findings)
    if not findings or set(map(type, findings)) != {Finding}:
        return tuple(map(_finding_row, findings))
    (ids, rule, clause, kind, severity, flow, frm, to, subject, items, evidence, message,
     message_ja, remedy, remedy_ja, waived) = zip(*map(_FINDING_FIELDS, findings))
    items = _texts_of(items, {})
    if items is None or not set(map(type, waived)) <= {bool}:
        return tuple(map(_finding_row, findings))
    # evidence is shared between the findings a rule gives alike: once per object
    distinct = {id(ev): ev for ev in evidence}
    texts = dict(zip(distinct, _json_texts(
        [{k: (list(v) if isinstance(v, tuple) else v) for k, v in ev}
         for ev in distinct.values()], b"},{")))
    return tuple(zip(ids, rule, clause, kind, severity, flow, frm, to, subject, items,
                     map(texts.__getitem__, map(id, evidence)), message, message_ja,
                     remedy, remedy_ja, map(int, waived)))


class StoredRows(Sequence):
    """A stored part's rows, decoded on first use; ``blobs`` names the chunks they are in.

    A store hands these out instead of tuples: a diff of two snapshots skips the
    chunks both share (same hash, same rows) without decoding them. It equals a
    tuple of the same rows, and another ``StoredRows`` with the same chunks.

    Example:
        >>> from lineage.snapshots.chunks import split_rows
        >>> rows = StoredRows([(c.blob, c.data, c.size, c.rows) for c in
        ...                    split_rows("flows", [("F1", 1), ("F2", 2)])])
        >>> len(rows), rows[1], rows == (("F1", 1), ("F2", 2)), len(rows.blobs)
        (2, ('F2', 2), True, 1)
    """

    __slots__ = ("_chunks", "_decoded", "_rows", "_len", "blobs", "_width")

    def __init__(self, chunks, width: int | None = None):
        #: (blob hash, stored bytes, unpacked size, row count) of each chunk, in order
        self._chunks = list(chunks)
        #: the columns every row has (None: not checked): a row of another shape is
        #: damage, even in a store re-hashed so that verify passes
        self._width = width
        self._decoded: list = [None] * len(self._chunks)
        self._rows: tuple | None = None
        self._len = sum(c[3] for c in self._chunks)
        self.blobs: tuple[str, ...] = tuple(c[0] for c in self._chunks)

    def chunk(self, index: int) -> list[tuple]:
        """The rows of chunk ``index`` (decoded once).

        Example:
            >>> from lineage.snapshots.chunks import split_rows
            >>> c = split_rows("waivers", [("TP102", "F37")])[0]
            >>> StoredRows([(c.blob, c.data, c.size, c.rows)]).chunk(0)
            [('TP102', 'F37')]
        """
        rows = self._decoded[index]
        if rows is None:
            import zlib

            from ..errors import LineageError
            from .chunks import rows_of
            blob, data, size, count = self._chunks[index]
            try:
                rows = rows_of(data, size)
                if len(rows) != count:
                    raise ValueError(f"it holds {len(rows)} rows, not {count}")
                width = self._width
                if width is not None and not all(len(r) == width and type(r[0]) is str
                                                 for r in rows):
                    raise ValueError(f"a row does not have the {width} columns of its part, "
                                     "an ID first")
            except (zlib.error, ValueError, TypeError, RecursionError) as exc:
                # read lazily, after the store's own reading guard: damage, not a crash
                raise LineageError(f"a stored chunk ({blob[:12]}) is damaged ({exc}); run "
                                   "`lineage snapshot verify`",
                                   message_ja=f"保存されたチャンク ({blob[:12]}) が壊れています "
                                              f"({exc})。`lineage snapshot verify` を実行して"
                                              "ください") from None
            self._decoded[index] = rows
        return rows

    def _all(self) -> tuple:
        if self._rows is None:
            self._rows = tuple(row for i in range(len(self._chunks)) for row in self.chunk(i))
            self._decoded = [None] * len(self._chunks)  # held once, in _rows
        return self._rows

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, index):
        return self._all()[index]

    def __iter__(self):
        return iter(self._all())

    def __eq__(self, other) -> bool:
        if isinstance(other, StoredRows) and other.blobs == self.blobs:
            return True
        if isinstance(other, (tuple, StoredRows)):
            return self._all() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._all())

    def __add__(self, other):
        return self._all() + tuple(other)

    def __mul__(self, times: int):
        return self._all() * times

    def __repr__(self) -> str:
        return f"<StoredRows {self._len} rows in {len(self.blobs)} chunks>"


_SCAN = json.scanner.make_scanner(json.JSONDecoder())


def _loads(text):
    """``json.loads`` of a stored column, through the C scanner directly (a third of the
    time for the many short values of a million-row snapshot); anything but one exact
    JSON value goes to ``json.loads`` and gets its error."""
    try:
        try:
            value, end = _SCAN(text, 0)
        except (StopIteration, TypeError, ValueError):
            return json.loads(text)
        return value if end == len(text) else json.loads(text)
    except (TypeError, ValueError, RecursionError) as exc:
        # a stored column that is no JSON text, or nested 100,000 deep: damage, not a
        # crash (the hostile review of round 15 re-hashed such a store past verify)
        from ..errors import LineageError
        raise LineageError(f"a stored value is damaged ({type(exc).__name__}: "
                           f"{str(exc)[:80]}); run `lineage snapshot verify`",
                           message_ja=f"保存された値が壊れています ({type(exc).__name__})。"
                                      "`lineage snapshot verify` を実行してください") from None


def finding_dict(row: tuple) -> dict:
    """One finding row in report form (as ``Finding.as_dict`` gives it), plus ``subject``.

    Example:
        >>> row = ("TP101:F38", "TP101", "5[1]", "no-consent", "error", "F38", "a", "b",
        ...        None, '["name"]', "{}", "m", "m_ja", "r", "r_ja", 0)
        >>> d = finding_dict(row)
        >>> d["id"], d["items"], d["waived"]
        ('TP101:F38', ['name'], False)
    """
    (fid, rule, clause, kind, severity, flow, src, dst, subject, items, evidence, message,
     message_ja, remedy, remedy_ja, waived) = row
    return {"id": fid, "rule": rule, "clause": clause, "kind": kind, "severity": severity,
            "flow": flow, "from": src, "to": dst, "subject": subject,
            "items": _loads(items), "evidence": _loads(evidence), "message": message,
            "message_ja": message_ja, "remedy": remedy, "remedy_ja": remedy_ja,
            "waived": bool(waived)}


def summarise(flows, findings) -> dict:
    """Counts a snapshot list shows: findings by severity and kind, flows by route.

    Severity counts are of unwaived findings; waived ones are counted apart.

    >>> summarise([], [])["severity"]
    {'error': 0, 'warning': 0, 'waived': 0}
    """
    ci = {c: i for i, c in enumerate(FINDING_COLUMNS)}
    fi = {c: i for i, c in enumerate(FLOW_COLUMNS)}
    # counted a column at a time in C (Counter keeps first-seen order, as the
    # counts added one row at a time had it)
    findings = findings if type(findings) in (list, tuple) else list(findings)
    waived = list(map(itemgetter(ci["waived"]), findings))
    severity = {"error": 0, "warning": 0, "waived": sum(map(bool, waived))}
    open_ = list(compress(findings, map(not_, waived)))
    for name, n in Counter(map(itemgetter(ci["severity"]), open_)).items():
        severity[name] = severity.get(name, 0) + n
    kind = dict(Counter(map(itemgetter(ci["kind"]), open_)))
    flows = flows if type(flows) in (list, tuple) else list(flows)
    route = dict(Counter(map(itemgetter(fi["route"]), flows)))
    status = {s: 0 for s in STATUSES}
    for name, n in Counter(map(itemgetter(fi["status"]), flows)).items():
        status[name] = status.get(name, 0) + n
    # sorted by name: the stored summary is canonical JSON (sorted keys) and must
    # read back equal, order included
    return {"flows": len(flows), "findings": len(findings), "severity": severity,
            "kind": dict(sorted(kind.items())), "status": status,
            "route": dict(sorted(route.items()))}


def content_hash(header: dict, flows, findings, waivers) -> str:
    """SHA-256 over the header fields and every row, in stored order.

    Each part is one line of canonical JSON, so a changed value, a removed or
    added row, or rows swapped between tables all change the hash.

    >>> content_hash({k: None for k in HEADER_FIELDS}, [], [], [])[:12]
    'cc47a04eb1e7'
    """
    h = hashlib.sha256()
    h.update(dumps(["header", [header[k] for k in HEADER_FIELDS]]).encode("utf-8") + b"\n")
    for name, rows in (("flow", flows), ("finding", findings), ("waiver", waivers)):
        for row in rows:
            h.update(dumps([name, list(row)]).encode("utf-8") + b"\n")
    return h.hexdigest()


def manifest_hash(header: dict, manifest) -> str:
    """SHA-256 of a chunked snapshot (layout 2): header, then each chunk's manifest entry.

    ``manifest`` holds ``(part, seq, first, rows, size, blob)`` tuples in
    stored order; ``blob`` is the SHA-256 of the chunk's stored bytes, so the
    hash covers every stored byte while ``verify`` hashes each byte once.
    The layout number is hashed too: a layout-1 hash never equals a layout-2 one.

    >>> manifest_hash({k: None for k in HEADER_FIELDS}, [])[:12]
    '2606b3294d71'
    """
    h = hashlib.sha256()
    h.update(dumps(["header", LAYOUT_CHUNKS, [header[k] for k in HEADER_FIELDS]]
                   ).encode("utf-8") + b"\n")
    for entry in manifest:
        h.update(dumps(["chunk", list(entry)]).encode("utf-8") + b"\n")
    return h.hexdigest()


def chain_hash(prev_hash: str, content: str) -> str:
    """The link of the hash chain: SHA-256 of the previous link and this content hash.

    >>> chain_hash(GENESIS, "a" * 64) == sha256(GENESIS + "\\n" + "a" * 64)
    True
    """
    return sha256(f"{prev_hash}\n{content}")


@dataclass(frozen=True)
class Snapshot:
    """One audit kept as evidence (or about to be): header, inventory and rows.

    Example:
        >>> import lineage
        >>> snap = Snapshot.from_audit(lineage.check("inventories/monocollabo"), label="draft")
        >>> snap.organisation, snap.as_of, snap.rules, snap.id, len(snap.flows)
        ('monocollabo', '2026-11-01', ('policy',), None, 48)
    """

    organisation: str
    as_of: str
    rules: tuple[str, ...]
    tool_version: str
    inventory_hash: str
    inventory_json: str = field(repr=False)
    flows: tuple[tuple, ...] = field(repr=False)
    findings: tuple[tuple, ...] = field(repr=False)
    waivers: tuple[tuple, ...] = field(repr=False)
    id: int | None = None
    label: str | None = None
    created_at: str | None = None
    source: str | None = None
    content_hash: str | None = None
    prev_hash: str | None = None
    chain_hash: str | None = None

    @classmethod
    def from_audit(cls, audit, *, label: str | None = None,
                   source: str | None = None) -> "Snapshot":
        """The snapshot of an audit, not stored yet.

        >>> import lineage
        >>> Snapshot.from_audit(lineage.check("inventories/monocollabo")).name
        'now'
        """
        return cls._made(audit, label=label, source=source)

    @classmethod
    def _made(cls, audit, *, label: str | None = None, source: str | None = None,
              made=None, inventory_part=None) -> "Snapshot":
        """:meth:`from_audit`, calling ``made(part, value)`` with each part (the
        finding, flow and waiver rows, then the inventory's canonical UTF-8) as
        soon as it is made: a store compresses one part while the next is made,
        the rows' first while the inventory's text, the longest to make, is made.

        ``inventory_part``: where the inventory's part is being made (an
        :class:`~.ahead.InventoryAhead`: a child process making it while the
        check ran), asked for it when the rows are made; when it gives it (the
        digest, the length and the packed chunks of :func:`.ahead.made_here`),
        ``made("inventory", chunks)`` gets those chunks and the text is read
        from them when first wanted, else the part is made here."""
        made = made or (lambda part, value: None)
        # The findings first: they are compressed while the flows' rows are made,
        # those a batch at a time where ``made`` takes them so (a store compresses
        # the first batches while the next are made).
        findings = finding_rows(audit.results)
        made("findings", findings)
        batch = getattr(made, "batch", None)
        flows = flow_rows(audit, each=batch and functools.partial(batch, "flows"))
        made("flows", flows)
        waivers = tuple(_waiver_row(w) for w in audit.waivers)
        made("waivers", waivers)
        # (asked last: the child has had the rows' time to finish)
        # (not another inventory's part: an ``ahead`` given for another audit)
        part = inventory_part.result() if inventory_part is not None and \
            getattr(inventory_part, "inventory", None) is audit.inventory else None
        if part is None:
            data = canonical_bytes(audit.inventory)
            made("inventory", data)
            digest = hashlib.sha256(data).hexdigest()
            # the text is made from its UTF-8 when first read: a snapshot
            # stored and left holds only the bytes (half the memory or less)
            text = Deferred(functools.partial(bytes.decode, data, "utf-8"))
        else:
            from .ahead import text_loader
            digest, _, chunks = part
            made("inventory", chunks)
            text = Deferred(text_loader(chunks))
        return cls(organisation=audit.inventory.organisation, as_of=audit.as_of.isoformat(),
                   rules=tuple(audit.packs), tool_version=__version__,
                   inventory_hash=digest, inventory_json=text,
                   flows=flows, findings=findings, waivers=waivers,
                   label=label, source=source)

    # -- derived ------------------------------------------------------------------
    @property
    def name(self) -> str:
        """How output names this snapshot: ``#3 (2026-Q3)``, ``#3``, or ``now``.

        Example:
            >>> import dataclasses, lineage
            >>> snap = Snapshot.from_audit(lineage.check("inventories/monocollabo"))
            >>> snap.name, dataclasses.replace(snap, id=3, label="2026-Q3").name
            ('now', '#3 (2026-Q3)')
        """
        if self.id is None:
            return self.label or "now"
        return f"#{self.id} ({self.label})" if self.label else f"#{self.id}"

    @cached_property
    def summary(self) -> dict:
        """Counts by severity, kind, route and status (see :func:`summarise`).

        Example:
            >>> import lineage
            >>> s = Snapshot.from_audit(lineage.check("inventories/monocollabo")).summary
            >>> s["findings"], s["status"]
            (10, {'ok': 39, 'warning': 0, 'violation': 8, 'waived': 1})
        """
        return summarise(self.flows, self.findings)

    @cached_property
    def inventory(self) -> Inventory:
        """The audited inventory, rebuilt from its canonical text.

        Example:
            >>> import lineage
            >>> inv = Snapshot.from_audit(lineage.check("inventories/monocollabo")).inventory
            >>> inv.organisation, inv.flows[0].id
            ('monocollabo', 'F01')
        """
        return from_canonical(self.inventory_json)

    def header(self) -> dict:
        """The hashed header fields (what the ``snapshots`` table holds).

        Example:
            >>> import lineage
            >>> h = Snapshot.from_audit(lineage.check("inventories/monocollabo")).header()
            >>> tuple(h) == HEADER_FIELDS, h["rules"], h["flow_count"], h["finding_count"]
            (True, '["policy"]', 48, 10)
        """
        return {"id": self.id, "created_at": self.created_at, "label": self.label,
                "organisation": self.organisation, "as_of": self.as_of,
                "rules": dumps(list(self.rules)), "tool_version": self.tool_version,
                "source": self.source, "inventory_hash": self.inventory_hash,
                "summary": dumps(self.summary), "flow_count": len(self.flows),
                "finding_count": len(self.findings)}

    @cached_property
    def _finding_index(self) -> dict[str, dict]:
        return {d["id"]: d for d in self.finding_dicts()}

    def finding(self, finding_id: str) -> dict | None:
        """A finding by its stable ID, in report form, or None.

        Example:
            >>> import lineage
            >>> snap = Snapshot.from_audit(lineage.check("inventories/monocollabo"))
            >>> snap.finding("TP222:F30:phone")["message"]
            'item phone is not listed in joint-use notice J1'
            >>> snap.finding("TP999:F1") is None
            True
        """
        return self._finding_index.get(finding_id)

    def finding_dicts(self) -> list[dict]:
        """Findings in report form (as ``Finding.as_dict`` gives them), plus ``subject``.

        Example:
            >>> import lineage
            >>> snap = Snapshot.from_audit(lineage.check("inventories/monocollabo"))
            >>> first = snap.finding_dicts()[0]
            >>> first["id"], first["subject"], first["items"], first["evidence"]
            ('TP222:F30:phone', 'phone', ['phone'], {'notice': 'J1'})
        """
        return [finding_dict(row) for row in self.findings]

    def flow_dicts(self) -> list[dict]:
        """The flow table in report form (as ``FlowResult.as_dict`` gives it).

        Example:
            >>> import lineage
            >>> snap = Snapshot.from_audit(lineage.check("inventories/monocollabo"))
            >>> last = next(d for d in snap.flow_dicts() if d["id"] == "F44")
            >>> last["id"], last["route"], last["status"], last["findings"]
            ('F44', 'external', 'violation', ['TP203:F44:address', 'TP203:F44:name'])
        """
        out = []
        for row in self.flows:
            r = dict(zip(FLOW_COLUMNS, row))
            out.append({"id": r["flow"], "from": r["from_party"], "to": r["to_party"],
                        "items": _loads(r["items"]),
                        "purposes": _loads(r["purposes"]), "basis": r["basis"],
                        "start": r["start_date"], "end": r["end_date"], "route": r["route"],
                        "status": r["status"], "findings": _loads(r["findings"])})
        return out

    def waiver_dicts(self) -> list[dict]:
        """Waivers with their state, as the report lists them.

        Example:
            >>> import lineage
            >>> w = Snapshot.from_audit(lineage.check("inventories/monocollabo")).waiver_dicts()[0]
            >>> w["rule"], w["flow"], w["expires_on"], w["state"]
            ('TP102', 'F37', '2027-03-31', 'active')
        """
        return [dict(zip(WAIVER_COLUMNS, row)) for row in self.waivers]

    def as_dict(self) -> dict:
        """Header, summary, flows, findings and waivers as JSON-ready data.

        Example:
            >>> import lineage
            >>> d = Snapshot.from_audit(lineage.check("inventories/monocollabo")).as_dict()
            >>> d["id"], d["chain_hash"], len(d["flows"]), len(d["findings"]), len(d["waivers"])
            (None, None, 48, 10, 1)
        """
        return {"id": self.id, "label": self.label, "created_at": self.created_at,
                "organisation": self.organisation, "as_of": self.as_of,
                "rules": list(self.rules), "tool": f"lineage {self.tool_version}",
                "source": self.source, "inventory_hash": self.inventory_hash,
                "content_hash": self.content_hash, "prev_hash": self.prev_hash,
                "chain_hash": self.chain_hash, "summary": self.summary,
                "flows": self.flow_dicts(), "findings": self.finding_dicts(),
                "waivers": self.waiver_dicts()}

    @property
    def findings_frame(self) -> pd.DataFrame:
        """Findings as a DataFrame (same columns as ``Audit.findings`` plus ``subject``).

        Example:
            >>> import lineage
            >>> df = Snapshot.from_audit(lineage.check("inventories/monocollabo")).findings_frame
            >>> df.shape, int(df.waived.sum())
            ((10, 16), 1)
        """
        import pandas as pd
        return pd.DataFrame(self.finding_dicts(),
                            columns=["id", "rule", "clause", "kind", "severity", "flow",
                                     "from", "to", "subject", "items", "evidence", "message",
                                     "message_ja", "remedy", "remedy_ja", "waived"])

    @property
    def flows_frame(self) -> pd.DataFrame:
        """The flow table as a DataFrame (same columns as ``Audit.flows``).

        Example:
            >>> import lineage
            >>> df = Snapshot.from_audit(lineage.check("inventories/monocollabo")).flows_frame
            >>> df.shape, df.status.value_counts().to_dict()
            ((48, 11), {'ok': 39, 'violation': 8, 'waived': 1})
        """
        import pandas as pd
        return pd.DataFrame(self.flow_dicts(),
                            columns=["id", "from", "to", "items", "purposes", "basis",
                                     "start", "end", "route", "status", "findings"])


class Deferred:
    """A field value read on first use: a store hands out a snapshot's inventory text so.

    ``key`` names what the value is made of (the stored chunks), so two values
    with equal keys are equal without reading either.

    Example:
        >>> snap = Snapshot("o", "2026-04-01", (), "0.1", "h", Deferred(lambda: "{}", ("k",)),
        ...                 (), (), ())
        >>> snap.inventory_key, snap.inventory_json, snap.inventory_key
        (('k',), '{}', ('k',))
    """

    __slots__ = ("load", "key")

    def __init__(self, load, key=None):
        self.load, self.key = load, key


class _DeferredField:
    """The descriptor behind ``Snapshot.inventory_json``: reads a :class:`Deferred` once."""

    def __init__(self, name: str):
        self.slot = f"_deferred_{name}"

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        value = obj.__dict__[self.slot]
        if isinstance(value, Deferred):
            obj.__dict__[self.slot + "_key"] = value.key
            value = obj.__dict__[self.slot] = value.load()
        return value

    def __set__(self, obj, value) -> None:
        obj.__dict__[self.slot] = value
        obj.__dict__[self.slot + "_key"] = value.key if isinstance(value, Deferred) else None


# after the dataclass is made, so its __init__, __eq__ and replace() go through it
Snapshot.inventory_json = _DeferredField("inventory_json")  # type: ignore[assignment]
Snapshot.inventory_key = property(  # type: ignore[attr-defined]
    lambda self: self.__dict__.get("_deferred_inventory_json_key"),
    doc="What the stored inventory text is made of (its chunks' hashes), or None.")
