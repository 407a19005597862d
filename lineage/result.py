"""The result of a check: findings, the per-flow table, waivers, and their views.

This is the engine's result as the layers above it use it (analysis, drawing,
outputs): :class:`AuditResult` runs the rules and holds the findings, the flow
table with each flow's route, status and status per pack, the summary, the JSON
report form and the DataFrames. The notebook conveniences (``draw``, ``trace``,
``impact``, ``diff``, ``to_excel`` ...) are added on top by
:class:`lineage.audit.Audit`, which nothing below the public API imports.

A check keeps no object per flow beyond the engine's: the flow table
(``flow_results``) is built when first asked for, and the JSON report reads the
flows, their judgements and the findings a batch at a time
(``flow_column_batches``, ``finding_record_batches``), so a report of a million
flows never holds a row per flow.

Example:
    >>> result = check("inventories/monocollabo")
    >>> result.findings.columns[:4].tolist()
    ['id', 'rule', 'clause', 'kind']
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from collections import Counter
from itertools import chain, compress, islice, repeat
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, NamedTuple

from . import __version__
from .model.loading import load
from .model.schema import Flow, Inventory, optional_date
from .plainjson import plain_values
from .rules.base import Finding
from .rules.clauses import quotes
from .rules.engine import routes_of, run, status_of
from .terms import KIND_LABELS, ROUTES, STATUSES, counted, law_only, natural_sorted

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["AuditResult", "FlowResult", "FlowColumns", "check", "STATUSES", "ROUTES", "REPORT_FORMAT"]

REPORT_FORMAT = "lineage-report/1"


@dataclass(frozen=True, slots=True)
class FlowResult:
    """One row of the flow table: a flow, its route and its status.

    Rows are many (one per flow) and read-only: slots keep each small, and the
    engine's equal ``status_by_pack`` mappings are shared between rows (copy one
    before changing it; :meth:`as_dict` gives copies).

    Example:
        >>> row = check("inventories/monocollabo").flow_results[0]
        >>> row.id, row.frm, row.to, row.route, row.status
        ('F01', 'members', 'monocollabo', 'collection', 'ok')
    """

    id: str
    frm: str
    to: str
    items: tuple[str, ...]
    purposes: tuple[str, ...]
    basis: str | None
    start: dt.date
    end: dt.date | None
    route: str
    status: str
    findings: tuple[str, ...]
    #: The status under each pack that judges the flow; None when one pack ran.
    status_by_pack: dict[str, str] | None = None

    def as_dict(self) -> dict:
        """The report form of the row (``status_by_pack`` only when several packs ran).

        Example:
            >>> row = FlowResult("F1", "mc", "partner", ("name",), (), None,
            ...                  dt.date(2025, 1, 1), None, "none", "violation", ("TP101:F1",))
            >>> row.as_dict()["start"], row.as_dict()["end"], row.as_dict()["findings"]
            ('2025-01-01', None, ['TP101:F1'])
            >>> "status_by_pack" in row.as_dict()
            False
        """
        out = self.record()
        out["items"], out["purposes"] = list(self.items), list(self.purposes)
        out["findings"] = list(self.findings)
        if self.status_by_pack is not None:
            out["status_by_pack"] = dict(self.status_by_pack)
        return out

    def record(self) -> dict:
        """The report form without copies: tuples where :meth:`as_dict` has lists, and
        the row's own ``status_by_pack``. For writers that encode it at once.

        Example:
            >>> row = FlowResult("F1", "mc", "partner", ("name",), (), None,
            ...                  dt.date(2025, 1, 1), None, "none", "ok", ())
            >>> row.record()["items"], row.record() == {**row.as_dict(), "items": ("name",),
            ...     "purposes": (), "findings": ()}
            (('name',), True)
        """
        out = {"id": self.id, "from": self.frm, "to": self.to, "items": self.items,
               "purposes": self.purposes, "basis": self.basis,
               "start": self.start.isoformat(),
               "end": self.end.isoformat() if self.end else None,
               "route": self.route, "status": self.status, "findings": self.findings}
        if self.status_by_pack is not None:
            out["status_by_pack"] = self.status_by_pack
        return out


_status = status_of

#: The statuses per pack of a flow no pack judges (never changed).
_NO_PACKS: dict[str, str] = {}
#: The status and finding IDs of a flow with no finding: most flows (one shared pair).
_OK = ("ok", ())
#: The flow record's fields read from the inventory's flow, in the record's order.
_FLOW_NAMES = ("id", "frm", "to", "items", "purposes", "basis", "start", "end")
_FLOW_FIELDS = attrgetter(*_FLOW_NAMES)
_ID = attrgetter("id")
_ROUTE_OF = attrgetter("route")
#: A finding's fields in its record's order (``frm`` is the record's ``from``).
_FINDING_NAMES = ("id", "rule", "clause", "kind", "severity", "flow", "frm", "to", "items",
                  "evidence", "message", "message_ja", "remedy", "remedy_ja", "waived")
#: Exact types (subclasses are not the same to an encoder).
_STR, _STR_NONE = frozenset({str}), frozenset({str, type(None)})
_SEQ = frozenset({list, tuple})


#: The same fields from a flow's own attributes (``__dict__``), and the flows that
#: keep them there: Flow, unless a class attribute of one of those names appears.


def _kept_in_dict(cls: type, names) -> set:
    """``{cls}`` when reading ``names`` from an instance's ``__dict__`` gives what
    reading them as attributes gives (no data descriptor of those names on the
    class, no attribute look-up of its own), else an empty set.

    Example:
        >>> class Row:
        ...     @property
        ...     def total(self):
        ...         return 1
        >>> _kept_in_dict(Row, ["id"]) == {Row}, _kept_in_dict(Row, ["total"])
        (True, set())
    """
    if cls.__getattribute__ is not object.__getattribute__:
        return set()
    for name in names:
        for klass in cls.__mro__:
            if name in vars(klass):
                kind = type(vars(klass)[name])
                if hasattr(kind, "__set__") or hasattr(kind, "__delete__"):
                    return set()
                break
    return {cls}


_FLOW_TYPE = _kept_in_dict(Flow, _FLOW_NAMES)


def _flow_columns(flows) -> list[tuple]:
    """The columns of ``flows``' ``_FLOW_FIELDS``: a tuple per field (``_FLOW_NAMES``),
    a value per flow. Exactly Flows are read from their ``__dict__`` a field at a
    time (C-level passes over the batch's dicts, no tuple per flow).

    Example:
        >>> inv = load("inventories/monocollabo")
        >>> _flow_columns(inv.flows[:2])[:3]
        [('F01', 'F02'), ('members', 'customers'), ('monocollabo', 'monocollabo')]
        >>> _flow_columns(inv.flows[:2]) == list(zip(*map(_FLOW_FIELDS, inv.flows[:2])))
        True
    """
    if flows and set(map(type, flows)) == _FLOW_TYPE:
        fields = list(map(vars, flows))
        try:
            return [tuple(map(get, fields)) for get in _FLOW_KEY_EACH]
        except KeyError:  # a field deleted: the attribute's own error, below
            pass
    return list(zip(*map(_FLOW_FIELDS, flows))) or [()] * len(_FLOW_NAMES)


_FLOW_KEY_EACH = tuple(map(itemgetter, _FLOW_NAMES))


def _finding_records(findings) -> list[dict] | None:
    """The report records of ``findings`` as :meth:`AuditResult.finding_record_batches`
    gives them: a finding's own items and evidence values (tuples), no copies. None
    when one's evidence is not a tuple of pairs or its items not a list or tuple:
    :meth:`Finding.as_dict`'s copies may then differ (or fail), so it makes them.

    Example:
        >>> f = Finding(rule="TP202", clause="1.5", kind="contract", severity="error",
        ...             flow="F1", frm="mc", to="carrier", evidence=(("contract", ("K1",)),))
        >>> record = _finding_records([f])[0]
        >>> record["evidence"], record == {**f.as_dict(), "items": (), "evidence": record["evidence"]}
        ({'contract': ('K1',)}, True)
        >>> _finding_records([f.replace(evidence=(("a", "b", "c"),))]) is None
        True
    """
    if not (_only(map(_EVIDENCE, findings), _TUPLE) and _only(map(_ITEMS, findings), _SEQ)):
        return None
    try:
        # attribute reads of slots in the comprehension: faster than attrgetter's
        return [{"id": f.id, "rule": f.rule, "clause": f.clause, "kind": f.kind,
                 "severity": f.severity, "flow": f.flow, "from": f.frm, "to": f.to,
                 "items": f.items, "evidence": dict(f.evidence), "message": f.message,
                 "message_ja": f.message_ja, "remedy": f.remedy, "remedy_ja": f.remedy_ja,
                 "waived": f.waived} for f in findings]
    except (TypeError, ValueError):  # evidence not in pairs: as_dict says so
        return None


#: A finding record's values but its items and evidence: strings and a bool.
_SCALARS = itemgetter("id", "rule", "clause", "kind", "severity", "flow", "from", "to",
                      "message", "message_ja", "remedy", "remedy_ja", "waived")
_STR_BOOL = frozenset({str, bool})
_NESTED = tuple(map(itemgetter, ("items", "evidence", "clause")))
_CLAUSE_KEY = itemgetter("clause")
_EVIDENCE, _ITEMS = attrgetter("evidence"), attrgetter("items")
_TUPLE = frozenset({tuple})


class FlowColumns(NamedTuple):
    """A batch of the flow table as columns, one tuple per field, a value per flow
    (:meth:`AuditResult.flow_column_batches`).

    The flows' own fields as the inventory holds them (``frm`` is the report's
    ``from``; dates are dates); ``route`` the route the check found; ``outcome``
    each flow's status and finding IDs as a pair (one shared pair for the many
    flows with no finding; None when not asked for); ``packs`` each flow's
    statuses per pack (None for a flow no pack judges), or None itself when one
    pack ran.

    Example:
        >>> cols = FlowColumns(("F1",), ("mc",), ("partner",), (["name"],), ([],), (None,),
        ...                    (dt.date(2025, 1, 1),), (None,), ("none",),
        ...                    (("violation", ("TP101:F1",)),), None)
        >>> cols.outcome[0][0], len(cols.ids)
        ('violation', 1)
    """

    ids: tuple
    frm: tuple
    to: tuple
    items: tuple
    purposes: tuple
    basis: tuple
    start: tuple
    end: tuple
    route: tuple
    outcome: tuple | None
    packs: tuple | None


def _flagged(findings) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Each flow with findings: its status and its finding IDs (findings in order).

    Example:
        >>> f = Finding(rule="TP101", clause="5[1]", kind="no-consent", severity="error",
        ...             flow="F1", frm="mc", to="partner")
        >>> _flagged([f])
        {'F1': ('violation', ('TP101:F1',))}
    """
    by_flow: dict[str, list[Finding]] = {}
    for f in findings:
        by_flow.setdefault(f.flow, []).append(f)
    return {flow: (_status(found), tuple(map(_ID, found))) for flow, found in by_flow.items()}


def _shared_mappings(per_flow) -> tuple[dict, list]:
    """``per_flow`` (flow ID -> statuses per pack) with equal mappings one object,
    and the different mappings. A large inventory has a handful of different ones:
    each is looked at once, and the engine's mapping is kept when it shares them.

    Example:
        >>> a, b = {"policy": "ok"}, {"policy": "ok"}
        >>> shared, kinds = _shared_mappings({"F1": a, "F2": b})
        >>> shared["F1"] is shared["F2"], kinds
        (True, [{'policy': 'ok'}])
    """
    values = list(per_flow.values())
    distinct = dict(zip(map(id, values), values))
    same: dict[tuple, dict] = {}
    canon = {key: same.setdefault(tuple(d.items()), d) for key, d in distinct.items()}
    if type(per_flow) is not dict or any(canon[key] is not d for key, d in distinct.items()):
        per_flow = dict(zip(per_flow.keys(), map(canon.__getitem__, map(id, values))))
    return per_flow, list(same.values())


def _only(values, kinds) -> bool:
    """Whether every one of ``values`` is exactly of one of ``kinds`` (no subclass)."""
    return set(map(type, values)) <= kinds


def _texts(values) -> bool:
    """Whether ``values`` are all strings, found by joining them (in C, without a call
    per value). A subclass of str passes too: orjson refuses one, and the writer
    then takes the standard encoder (the writer's own check), so the bytes are the same.

    Example:
        >>> _texts(("a", "b")), _texts(iter(["a", None])), _texts([])
        (True, False, True)
    """
    try:
        "".join(values)
    except TypeError:
        return False
    return True


def _plain_lists(column) -> bool:
    """Whether ``column`` holds lists or tuples of strings only."""
    return _only(column, _SEQ) and _texts(chain.from_iterable(column))


def _names(value, *, unique: bool = False):
    """Rule packs, IDs or prefixes as a tuple: one string is one name (``"policy"``, not
    the letters p, o, l ...), or names separated by commas as the CLI takes them
    (``"policy,appi"``, the trial of round 14); None stays None; ``unique`` keeps each
    once, in order.

    Example:
        >>> _names("policy"), _names(["policy", "appi", "policy"], unique=True), _names(None)
        (('policy',), ('policy', 'appi'), None)
        >>> _names("policy, appi"), _names("TP2,AP")
        (('policy', 'appi'), ('TP2', 'AP'))
    """
    if value is None:
        return None
    if isinstance(value, str):
        names = tuple(part.strip() for part in value.split(",") if part.strip()) or (value,)
    else:
        names = tuple(value)
    return tuple(dict.fromkeys(names)) if unique else names


class AuditResult:
    """A checked inventory. ``results`` are the findings as records; ``findings``
    and ``flows`` are DataFrames for analysis.

    Example:
        >>> from lineage.model import load
        >>> audit = AuditResult(load("inventories/monocollabo"), as_of=dt.date(2026, 1, 1))
        >>> audit.as_of, len(audit.flow_results), audit.routes["F01"]
        (datetime.date(2026, 1, 1), 48, 'collection')
    """

    def __init__(self, inventory: Inventory, *, as_of=None, packs=("policy",),
                 select=None, ignore=None, lang: str = "en"):
        as_of = optional_date(as_of)  # a date or ISO text (2026-04-01)
        if lang not in ("en", "ja"):
            raise ValueError(f"lang must be 'en' or 'ja', not {lang!r}")
        #: The language of the notebook's display (the trial of round 15: always English).
        self.lang = lang
        self.inventory = inventory
        self.packs = _names(packs, unique=True)
        result = run(inventory, as_of=as_of, packs=self.packs, select=_names(select),
                     ignore=_names(ignore))
        self.as_of: dt.date = result.as_of
        self.rules = result.rules
        self.results: tuple[Finding, ...] = tuple(result.findings)
        self.waivers: tuple[dict, ...] = tuple(result.waivers)
        self._evidence = result.evidence  # shared between flows: see ``evidence``
        # the engine sorted the flows by ID already (the same natural_sorted)
        self._engine_order = result.ordered
        # Each flow's judgement (route and evidence) by flow ID: the report reads the
        # routes from them, and ``routes`` is made from them when first asked.
        self._judged = result.judged
        # The packs that ran: those with a rule selected (``--rules policy,appi
        # --select AP`` runs the Act's rules only, and the policy then judged nothing:
        # no "ok" under it for every flow).
        self.packs = result.packs
        #: Several packs ran: every view shows each flow's status per pack.
        self.side_by_side: bool = len(self.packs) > 1
        # The flow table is not built here: the report streams it from the flows, these
        # and the routes, and ``flow_results`` builds its rows when first asked.
        # worked out by the engine as it ordered the findings (else here, the same)
        flagged = result.flagged
        self._flagged = flagged if flagged is not None else _flagged(self.results)
        # the engine's lists its flows in natural ID order (it sorted them so)
        self._sorted_flagged = flagged
        self._status_by_pack: dict[str, dict[str, str]] | None = None
        if self.side_by_side:
            self._status_by_pack, kinds = _shared_mappings(result.status_by_pack)
            #: The different mappings by identity (and the one of a flow no pack judges).
            self._pack_kinds = {id(d): d for d in (*kinds, _NO_PACKS)}

    @cached_property
    def routes(self) -> dict[str, str]:
        """Each flow's route by flow ID (made when first asked: a JSON report reads
        the routes without this mapping).

        Example:
            >>> check("inventories/monocollabo").routes["F01"]
            'collection'
        """
        return routes_of(self._judged)

    @cached_property
    def evidence(self) -> dict[str, dict]:
        """Each flow's evidence by flow ID: the contract, notice or consents its route
        relies on (``{}`` when it cites none).

        The caller's own copy: the engine shares one dict between the flows that
        rely on the same evidence (and one empty dict between checks), so changing
        one here must not change another flow, or a later check.

        Example:
            >>> audit = check("inventories/monocollabo")
            >>> audit.evidence["F01"], audit.evidence["F01"] is audit.evidence["F02"]
            ({}, False)
        """
        return {fid: {k: list(v) if type(v) is list else v for k, v in ev.items()}
                for fid, ev in self._evidence.items()}

    @cached_property
    def _ordered_flows(self) -> list:
        """The inventory's flows in natural flow-ID order (the flow table's order)."""
        ordered, self._engine_order = self._engine_order, None
        if len(ordered) == len(self.inventory.flows):
            return ordered
        return natural_sorted(self.inventory.flows)

    @cached_property
    def flow_results(self) -> tuple[FlowResult, ...]:
        """The flow table: one :class:`FlowResult` per flow, in natural flow-ID order.

        Equal ``status_by_pack`` mappings are one object: a large inventory has a
        handful of different ones (statuses per pack), not one per flow.

        Example:
            >>> [(r.id, r.status) for r in check("inventories/monocollabo").flow_results[:2]]
            [('F01', 'ok'), ('F02', 'ok')]
        """
        flagged, routes, per_pack = self._flagged, self.routes, self._status_by_pack
        # Rows hold tuples; equal ones are one object (few purpose lists, item sets repeat).
        same = {}.setdefault
        rows = []
        for f in self._ordered_flows:
            by_pack = None if per_pack is None else per_pack.get(f.id)
            items, purposes = tuple(f.items), tuple(f.purposes)
            status, found = flagged.get(f.id, _OK)
            rows.append(FlowResult(f.id, f.frm, f.to, same(items, items),
                                   same(purposes, purposes), f.basis, f.start, f.end,
                                   routes[f.id], status, found, by_pack))
        return tuple(rows)

    def flagged_flows(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        """Each flow with findings, by flow ID: its status and its finding IDs, in the
        order of the findings (every other flow is ``ok`` with none). The result's
        own mapping: read it, never change it.

        Example:
            >>> check("inventories/monocollabo").flagged_flows()["F30"]
            ('violation', ('TP222:F30:phone',))
        """
        return self._flagged

    @cached_property
    def flagged_in_order(self) -> bool:
        """Whether :meth:`flagged_flows` lists its flows in the flow table's order, and
        the table has each flow ID once: then a writer may walk the two together
        instead of looking up every flow (the engine lists findings in flow order).

        Example:
            >>> check("inventories/monocollabo").flagged_in_order
            True
        """
        flagged = self._flagged
        return len(self._judged) == len(self.inventory.flows) and (
            flagged is self._sorted_flagged or list(flagged) == natural_sorted(flagged, key=str))

    def flow_column_batches(self, size: int = 1000, outcome: bool = True
                            ) -> Iterator[FlowColumns]:
        """The flow table as :class:`FlowColumns`, ``size`` flows at a time, in flow-ID
        order: the flows' own values as they are (dates as dates), and what the
        check gave each (route, status and finding IDs, statuses per pack).
        ``outcome=False``: no ``outcome`` column (None), for a writer that reads
        :meth:`flagged_flows` instead.

        What every view of the flow table is made from: :meth:`flow_record_batches`
        makes records of it, the JSON report's writer writes its text from it.

        Example:
            >>> audit = check("inventories/monocollabo", packs=("policy", "appi"))
            >>> cols = next(audit.flow_column_batches(10))
            >>> cols.ids[:2], cols.route[0], cols.outcome[0], cols.packs[0]
            (('F01', 'F02'), 'collection', ('ok', ()), {'policy': 'ok', 'appi': 'ok'})
            >>> next(check("inventories/monocollabo").flow_column_batches(10)).packs is None
            True
        """
        flows, judged = self._ordered_flows, self._judged
        per_pack = self._status_by_pack
        # The engine judged the flows in the inventory's order: when that is already
        # the ID order (as generated inventories are), the judgements are read along
        # with the flows instead of looked up one by one in a mapping of them all.
        keys, values, along = iter(judged), iter(judged.values()), True
        for lo in range(0, len(flows), size):
            ids, frm, to, items, purposes, basis, start, end = _flow_columns(
                flows[lo:lo + size])
            if along:
                along = tuple(islice(keys, len(ids))) == ids
            route = tuple(map(_ROUTE_OF, islice(values, len(ids)) if along
                              else map(judged.__getitem__, ids)))
            packs = None if per_pack is None else tuple(map(per_pack.get, ids))
            yield FlowColumns(ids, frm, to, items, purposes, basis, start, end, route,
                              self._outcomes(ids) if outcome else None, packs)

    def _outcomes(self, ids) -> tuple:
        """The (status, finding IDs) of each of ``ids``: most flows have no finding
        and share one pair."""
        return tuple(map(self._flagged.get, ids, repeat(_OK)))

    def flow_record_batches(self, size: int = 1000) -> Iterator[tuple[list[dict], bool]]:
        """The report's flows (as :meth:`FlowResult.record` gives them), ``size`` at a time,
        each batch with whether it holds only strings, None, lists, tuples and dicts
        (so a JSON writer may hand it to a fast encoder as it is).

        Built straight from the flows, the routes and the findings, without a
        :class:`FlowResult` per flow: a report of a million flows keeps none.

        Example:
            >>> audit = check("inventories/monocollabo")
            >>> batch, plain = next(audit.flow_record_batches(10))
            >>> len(batch), plain, batch[0]["id"], batch[0]["route"], batch[0]["findings"]
            (10, True, 'F01', 'collection', ())
        """
        iso: dict = {}  # dates repeat: each one's text once
        for columns in self.flow_column_batches(size):
            yield self.flow_records(columns, iso)

    def flow_records(self, columns: FlowColumns, iso: dict | None = None
                     ) -> tuple[list[dict], bool]:
        """The records of one batch of :meth:`flow_column_batches` and whether they are
        plain (as :meth:`flow_record_batches` gives them). ``iso``: a dict that keeps
        each date's text between calls.

        Example:
            >>> audit = check("inventories/monocollabo")
            >>> records, plain = audit.flow_records(next(audit.flow_column_batches(2)))
            >>> [r["id"] for r in records], records[0]["start"], plain
            (['F01', 'F02'], '2023-04-01', True)
        """
        ids, frm, to, items, purposes, basis, start, end, route, outcome, packs = columns
        if outcome is None:
            outcome = self._outcomes(ids)
        if iso is None:
            iso = {}
        elif len(iso) > 10_000:
            iso.clear()
        dates = set(start).union(end)
        for d in dates.difference(iso):
            iso[d] = d.isoformat() if d else None
        plain_dates = _only(map(iso.__getitem__, dates), _STR_NONE)
        start, end = map(iso.__getitem__, start), map(iso.__getitem__, end)
        status, found = zip(*outcome) if outcome else ((), ())
        plain = (plain_dates and _texts(chain(ids, frm, to, route, status))
                 and _only(basis, _STR_NONE) and _plain_lists(items + purposes + found))
        if packs is None:
            batch = [{"id": a, "from": b, "to": c, "items": d, "purposes": e, "basis": f,
                      "start": g, "end": h, "route": i, "status": j, "findings": k}
                     for a, b, c, d, e, f, g, h, i, j, k in zip(
                         ids, frm, to, items, purposes, basis, start, end, route,
                         status, found)]
        else:
            batch = [{"id": a, "from": b, "to": c, "items": d, "purposes": e, "basis": f,
                      "start": g, "end": h, "route": i, "status": j, "findings": k,
                      "status_by_pack": m}
                     for a, b, c, d, e, f, g, h, i, j, k, m in zip(
                         ids, frm, to, items, purposes, basis, start, end, route,
                         status, found, packs)]
            if None in packs:  # a flow no pack judged: its record has no such key
                for record in batch:
                    if record["status_by_pack"] is None:
                        del record["status_by_pack"]
            # every flow's mapping is one of the few different ones: each checked once
            kinds = list({id(d): d for d in packs if d is not None}.values())
            plain = plain and _only(kinds, {dict}) and _only(
                chain.from_iterable(kinds), _STR) and _only(
                chain.from_iterable(map(dict.values, kinds)), _STR)
        return batch, plain

    # -- numbers -----------------------------------------------------------------
    def summary(self) -> dict:
        """Counts of flows by status and findings by rule (the report's summary).

        With several packs, ``by_pack`` counts statuses over the flows each pack
        judged, and ``policy_ok_law_violation`` counts the flows with no unwaived
        policy error but an unwaived error under the Act.

        Example:
            >>> from lineage.rules.examples import build_example
            >>> summary = check(build_example("")).summary()
            >>> summary["flows"], summary["status"]["ok"], summary["findings"]
            (1, 1, {})
            >>> both = check(build_example(""), packs=("policy", "appi")).summary()
            >>> both["by_pack"]["appi"], both["policy_ok_law_violation"]
            ({'ok': 1, 'warning': 0, 'violation': 0, 'waived': 0}, 0)
        """
        flows, routes, flagged = self.inventory.flows, self._judged, self._flagged
        if len(routes) == len(flows):
            # The engine judged each flow once by its ID: the IDs are the routes' keys,
            # each once, and the flows with findings are counted without a pass over all.
            ids = routes
            counts = Counter(map(itemgetter(0), map(flagged.__getitem__,
                                                    filter(routes.__contains__, flagged))))
        else:
            ids = list(map(attrgetter("id"), flows))
            counts = Counter(map(itemgetter(0), filter(None, map(flagged.get, ids))))
        # Most flows have no finding: count the others, the rest are "ok".
        status = {s: counts[s] for s in STATUSES}
        status["ok"] += len(flows) - counts.total()
        by_rule = Counter(map(attrgetter("rule"), self.results))
        out = {"flows": len(flows), "status": status,
               "findings": dict(sorted(by_rule.items()))}
        if self.side_by_side:
            by_pack = {p: {s: 0 for s in STATUSES} for p in self.packs}
            # A handful of different mappings: each counted once, times its uses
            for key, uses in Counter(map(id, self._pack_statuses(ids))).items():
                for pack, st in self._pack_kinds[key].items():
                    by_pack[pack][st] += uses
            out["by_pack"] = by_pack
            if "policy" in self.packs and "appi" in self.packs:
                out["policy_ok_law_violation"] = len(self.policy_ok_law_violation)
        return out

    @cached_property
    def policy_ok_law_violation(self) -> list[str]:
        """IDs of the flows that satisfy the policy but not the Act (both packs selected).

        Example:
            >>> from lineage.rules.examples import build_example
            >>> check(build_example(""), packs=("policy", "appi")).policy_ok_law_violation
            []
        """
        if self._status_by_pack is None:
            return []
        ids = list(map(attrgetter("id"), self._ordered_flows))
        verdict = {key: law_only(d) for key, d in self._pack_kinds.items()}
        return list(compress(ids, map(verdict.__getitem__, map(id, self._pack_statuses(ids)))))

    def _pack_statuses(self, ids) -> Iterator[dict[str, str]]:
        """The statuses per pack of the flows ``ids``: one of ``_pack_kinds`` each."""
        return map(self._status_by_pack.get, ids, repeat(_NO_PACKS))

    def exit_code(self, fail_on: str = "error") -> int:
        """0 when no unwaived finding at ``fail_on`` level or worse, else 1.

        Example:
            >>> audit = check("inventories/monocollabo")
            >>> audit.exit_code(), audit.exit_code("warning")
            (1, 1)
        """
        levels = {"error": ("error",), "warning": ("error", "warning")}[fail_on]
        return int(any(not f.waived and f.severity in levels for f in self.results))

    # -- views ---------------------------------------------------------------------
    def as_dict(self) -> dict:
        """The JSON report of ``docs/spec/inventory.md``.

        Example:
            >>> report = check("inventories/monocollabo").as_dict()
            >>> report["format"], report["organisation"], len(report["flows"])
            ('lineage-report/1', 'monocollabo', 48)
        """
        report = self.report_head()
        report.update({"flows": [r.as_dict() for r in self.flow_results],
                       "findings": list(self.finding_records()),
                       "waivers": list(self.waivers)})
        return report

    def report_head(self) -> dict:
        """The report's keys before ``flows`` (format, tool, ..., summary), in order.

        :func:`lineage.output.jsonreport.chunks` writes these, then the flows,
        the findings and the waivers one by one, without the whole report in memory.

        Example:
            >>> list(check("inventories/monocollabo").report_head())
            ['format', 'tool', 'organisation', 'as_of', 'rules', 'policy', 'summary']
        """
        report = {"format": REPORT_FORMAT, "tool": f"lineage {__version__}",
                  "organisation": self.inventory.organisation,
                  "as_of": self.as_of.isoformat(), "rules": list(self.packs)}
        policy = self.inventory.policy
        if policy is not None:
            # Only what the inventory supplies; the clause words go with each finding.
            report["policy"] = policy.model_dump(mode="json", include={
                "title", "publisher", "url", "revised_on", "file"}, exclude_none=True)
        report["summary"] = self.summary()
        return report

    def finding_records(self) -> Iterator[dict]:
        """The report's findings, one new dict each; with an inventory policy, each
        says what the policy's cited clauses say (``policy``).

        Example:
            >>> record = next(check("inventories/monocollabo").finding_records())
            >>> record["id"], [c["label"] for c in record["policy"]]
            ('TP222:F30:phone', ['方針5 [2] 第3号'])
        """
        policy = self.inventory.policy
        quoted: dict[str, list] = {}  # many findings, few clauses
        for f in self.results:
            d = f.as_dict()
            if policy is not None:
                clause = d["clause"]
                if clause not in quoted:
                    quoted[clause] = list(quotes(clause, policy))
                d["policy"] = [c.as_dict() for c in quoted[clause]]
            yield d

    def finding_record_batches(self, size: int = 1000) -> Iterator[tuple[list[dict], bool]]:
        """:meth:`finding_records`, ``size`` at a time, each batch with whether it holds
        only strings, integers, booleans, None, lists, tuples and dicts (as
        :meth:`flow_record_batches`). Records to encode, not to change: a finding's
        items and evidence values are its own tuples (where :meth:`finding_records`
        copies them into lists), and the findings citing one clause share one
        ``policy`` list.

        Example:
            >>> audit = check("inventories/monocollabo")
            >>> [(len(batch), plain) for batch, plain in audit.finding_record_batches(4)]
            [(4, True), (4, True), (2, True)]
            >>> import json
            >>> [json.dumps(r) for b, _ in audit.finding_record_batches(4) for r in b] == [
            ...     json.dumps(r) for r in audit.finding_records()]
            True
        """
        policy = self.inventory.policy
        # many findings, few clauses: each clause's policy records once, and whether
        # they are plain
        quoted: dict[str, list] = {}
        quoted_plain: dict[str, bool] = {}
        results = self.results
        for lo in range(0, len(results), size):
            chunk = results[lo:lo + size]
            batch = _finding_records(chunk)
            if batch is None:  # what as_dict copies otherwise: its records, checked later
                batch, plain = [f.as_dict() for f in chunk], False
                clause = list(map(_CLAUSE_KEY, batch))
            else:
                # The scalars' types in one pass (strings and the waived flag), then
                # what the items (a list or tuple each) and the evidence (dicts) hold.
                items, evidence, clause = (list(map(get, batch)) for get in _NESTED)
                plain = (set(map(type, chain.from_iterable(map(_SCALARS, batch)))) <= _STR_BOOL
                         and _only(chain.from_iterable(items), _STR)
                         and plain_values(evidence))
            if policy is not None:
                clauses = set(clause)
                for each in clauses.difference(quoted):
                    records = [c.as_dict() for c in quotes(each, policy)]
                    quoted[each], quoted_plain[each] = records, plain_values(records)
                plain = plain and all(map(quoted_plain.__getitem__, clauses))
                for record, records in zip(batch, map(quoted.__getitem__, clause)):
                    record["policy"] = records
            yield batch, plain

    @cached_property
    def findings(self) -> pd.DataFrame:
        """Findings as a DataFrame (categorical rule, kind, severity, route, pack).

        After the report's columns come the rule's ``title``/``title_ja``, the
        flow's ``route``, Japanese labels ``kind_ja``, ``route_ja``, the rule
        ``pack`` the finding counts toward, and the parties' names ``from_name``,
        ``to_name`` (``_en``: in English where the inventory gives it).

        Example:
            >>> f = check("inventories/monocollabo").findings
            >>> f.loc[f.rule == "TP222", ["route", "route_ja", "title_ja"]].iloc[0].tolist()
            ['joint_use', '共同利用', '通知・公表されていない項目の共同利用']
            >>> f.loc[f.rule == "TP222", ["pack", "to_name"]].iloc[0].tolist()
            ['policy', '株式会社コラボリビング（グループ会社）']
        """
        import pandas as pd  # only the frames need it: a check that writes a report does not
        rows = [f.as_dict() for f in self.results]
        cols = ["id", "rule", "clause", "kind", "severity", "flow", "from", "to", "items",
                "evidence", "message", "message_ja", "remedy", "remedy_ja", "waived"]
        df = pd.DataFrame(rows, columns=cols)
        for col, cats in (("rule", sorted({r.id for r in self.rules})),
                          ("kind", sorted({r.kind for r in self.rules})),
                          ("severity", ["error", "warning"])):
            df[col] = pd.Categorical(df[col], categories=cats)
        df["waived"] = df["waived"].astype(bool)
        return _japanese_findings(self, df)

    @cached_property
    def flows(self) -> pd.DataFrame:
        """The flow table: one row per flow with its route and status.

        Example:
            >>> flows = check("inventories/monocollabo").flows
            >>> flows.loc[0, ["id", "route", "status", "route_ja", "status_ja"]].tolist()
            ['F01', 'collection', 'ok', '取得', '適合']
        """
        import pandas as pd
        rows = [r.as_dict() for r in self.flow_results]
        cols = ["id", "from", "to", "items", "purposes", "basis", "start", "end", "route",
                "status", "findings"]
        df = pd.DataFrame(rows, columns=cols)
        df["route"] = pd.Categorical(df["route"], categories=ROUTES)
        df["status"] = pd.Categorical(df["status"], categories=STATUSES)
        if self.side_by_side:
            # One column per pack; a flow the pack does not judge is missing (NaN).
            for pack in self.packs:
                df[f"status_{pack}"] = pd.Categorical(
                    [r.status_by_pack.get(pack) for r in self.flow_results],
                    categories=STATUSES)
        return _japanese_flows(df)

    @cached_property
    def graph(self):
        """The flow graph with each edge's route, status and finding IDs.

        Example:
            >>> g = check("inventories/monocollabo").graph
            >>> g.edges["members", "monocollabo", "F01"]["status"]
            'ok'
        """
        from .graph import build_graph
        return build_graph(self.inventory, self)

    def _repr_html_(self) -> str:
        """A notebook's display: flows by status (per pack too, with several) and findings
        by rule.

        Example:
            >>> html = check("inventories/monocollabo", packs=("policy", "appi"))._repr_html_()
            >>> "<th>appi</th>" in html, "satisfy the policy but not the Act: 4" in html
            (True, True)
            >>> print(check("inventories/monocollabo", lang="ja")._repr_html_().split("<table>")[0])
            <div><b>lineage 監査</b>: モノコラボ (monocollabo)（基準日 2026-11-01）: フロー 48 件
        """
        from html import escape  # a notebook's display only

        from .rules.packs import PACK_TITLES
        from .terms import STATUS_WORDS
        ja = self.lang == "ja"
        s = self.summary()

        def status(k):
            return STATUS_WORDS.get(k, {}).get("ja", k) if ja else k

        def pack_name(p):
            return PACK_TITLES.get(p, {}).get("ja", p) if ja else p
        cells = "".join(f"<td>{escape(status(k))}: {v}</td>" for k, v in s["status"].items())
        every = "全体" if ja else "all"
        rows = f"<tr><th>{every}</th>{cells}</tr>" if "by_pack" in s else f"<tr>{cells}</tr>"
        # per pack, as the summary line of `lineage check` gives them (the trial of round 14)
        for pack, counts in (s.get("by_pack") or {}).items():
            rows += f"<tr><th>{escape(pack_name(pack))}</th>" + "".join(
                f"<td>{escape(status(k))}: {v}</td>" for k, v in counts.items()) + "</tr>"
        rules = ", ".join(f"{escape(k)} × {v}" for k, v in s["findings"].items())
        org = self.inventory.organisation
        if ja:
            name = next((p.name for p in self.inventory.parties if p.id == org and p.name), None)
            both = (f"<br>方針には適合するが法に違反するフロー: {s['policy_ok_law_violation']}"
                    if "policy_ok_law_violation" in s else "")
            shown = f"{name} ({org})" if name else org
            return (f"<div><b>lineage 監査</b>: {escape(shown)}（基準日 {self.as_of}）: "
                    f"フロー {s['flows']} 件<table>{rows}</table>"
                    f"指摘: {rules or 'なし'}{both}</div>")
        both = (f"<br>satisfy the policy but not the Act: {s['policy_ok_law_violation']}"
                if "policy_ok_law_violation" in s else "")
        return (f"<div><b>lineage audit</b> of {escape(org)} as of "
                f"{self.as_of}: {counted(s['flows'], 'flow')}<table>{rows}</table>"
                f"findings: {rules or 'none'}{both}</div>")

    def __repr__(self) -> str:
        s = self.summary()
        return (f"<Audit {self.inventory.organisation} as_of={self.as_of} "
                f"flows={s['flows']} status={s['status']}>")


def _japanese_findings(audit: AuditResult, df):
    """Add rule titles, the flow's route, Japanese labels, each finding's rule pack and
    the parties' names to the findings frame (the trial of round 14 built the pack from
    the rule's prefix and merged the names in by hand)."""
    import pandas as pd
    from .rules.engine import pack_of_finding
    from .terms import route_label
    titles = {r.id: (r.title_en, r.title_ja) for r in audit.rules}
    routes = audit.routes
    df["title"] = [titles.get(r, ("", ""))[0] for r in df["rule"]]
    df["title_ja"] = [titles.get(r, ("", ""))[1] for r in df["rule"]]
    df["kind_ja"] = [KIND_LABELS.get(k, {}).get("ja", k) for k in df["kind"]]
    df["route"] = pd.Categorical([routes.get(f) for f in df["flow"]], categories=ROUTES)
    df["route_ja"] = pd.Categorical([route_label(r, "ja") for r in df["route"]],
                                    categories=list(dict.fromkeys(
                                        route_label(r, "ja") for r in ROUTES)))
    df["pack"] = pd.Categorical([pack_of_finding(f) for f in audit.results],
                                categories=list(audit.packs))
    parties = audit.inventory.parties
    names = {p.id: p.name or p.name_en or p.id for p in parties}
    names_en = {p.id: p.name_en or p.name or p.id for p in parties}
    df["from_name"] = [names.get(p, p) for p in df["from"]]
    df["to_name"] = [names.get(p, p) for p in df["to"]]
    df["from_name_en"] = [names_en.get(p, p) for p in df["from"]]
    df["to_name_en"] = [names_en.get(p, p) for p in df["to"]]
    return df


def _japanese_flows(df):
    """Add Japanese route and status labels (categorical, in the same order)."""
    import pandas as pd
    from .terms import ROUTE_LABELS, STATUS_WORDS
    df["route_ja"] = pd.Categorical([ROUTE_LABELS[r]["ja"] for r in df["route"]],
                                    categories=list(dict.fromkeys(
                                        ROUTE_LABELS[r]["ja"] for r in ROUTES)))
    df["status_ja"] = pd.Categorical([STATUS_WORDS[s]["ja"] for s in df["status"]],
                                     categories=[STATUS_WORDS[s]["ja"] for s in STATUSES])
    return df


def check(inventory: Inventory | str | Path, *, as_of=None, packs=("policy",),
          select=None, ignore=None, lang: str = "en") -> AuditResult:
    """Check an inventory (a model or a path) and return the :class:`AuditResult`.

    :func:`lineage.check` is the same with the notebook conveniences added.

    Example:
        >>> audit = check("inventories/monocollabo", as_of=dt.date(2025, 1, 1), select=["TP1"])
        >>> audit.as_of, sorted(audit.summary()["findings"])
        (datetime.date(2025, 1, 1), ['TP101', 'TP102', 'TP103', 'TP111', 'TP123'])
    """
    as_of = optional_date(as_of)  # a date or ISO text (2026-04-01)
    if not isinstance(inventory, Inventory):
        inventory = load(inventory)
    return AuditResult(inventory, as_of=as_of, packs=packs, select=select, ignore=ignore,
                       lang=lang)
