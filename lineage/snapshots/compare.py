"""What changed between two audits: findings, records, routes, and what it means.

Findings match on their stable ID (rule, flow, item or element), never on
position. Records match on their ID (waivers on rule, flow and item) and are
compared field by field on their canonical form, so a reordered file is no
change. Notes give the legal meaning of a change where the policy or the Act
gives it one: a new recipient of sensitive data, an item added to a joint-use
flow, a consent withdrawn.

Example:
    >>> import lineage
    >>> from lineage.snapshots.record import Snapshot
    >>> a = Snapshot.from_audit(lineage.check("inventories/monocollabo"))
    >>> d = diff_snapshots(a, a)
    >>> d.counts()["findings"], d.is_empty()
    ({'new': 0, 'resolved': 0, 'open': 10}, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from typing import TYPE_CHECKING

from ..terms import natural_key
from .record import FINDING_COLUMNS, FLOW_COLUMNS, Snapshot, StoredRows, finding_dict

if TYPE_CHECKING:  # two audits of the same inventory are compared without the model
    from ..model.schema import Inventory

_ROUTE, _STATUS = FLOW_COLUMNS.index("route"), FLOW_COLUMNS.index("status")
_SEVERITY, _WAIVED = FINDING_COLUMNS.index("severity"), FINDING_COLUMNS.index("waived")


def _collections() -> dict:
    from ..model.schema import COLLECTIONS
    return COLLECTIONS

__all__ = ["Diff", "Change", "Note", "diff_snapshots", "NOTE_CODES", "PROVISION_ROUTES"]

#: Routes under which a flow is a provision to a third party (5[1]).
PROVISION_ROUTES = ("consent", "opt_out", "law", "life", "public_health", "government",
                    "academic", "none")
#: Routes that are not a hop to another party at all.
_NOT_A_HOP = ("internal", "to_subject", "storage_only", "non_personal")
_TOP = ("format", "organisation", "as_of", "note")

#: Note codes with their clause (None: the Act, not the policy).
NOTE_CODES = {
    "new-sensitive-recipient": None,
    "new-third-party-recipient": "5[1]",
    "new-foreign-recipient": None,
    "new-outsourcee": "1.5",
    "joint-use-item-added": "5[2]3",
    "joint-use-members-changed": "5[2]3",
    "joint-use-items-changed": "5[2]3",
    "joint-use-notice-changed": "5[3]",
    "opt-out-notice-changed": "5[1]5",
    "consent-withdrawn": "5[1]",
    "consent-narrowed": "5[1]",
    "consent-removed": "5[1]",
    "purpose-added-to-flow": "3",
    "route-changed": None,
    "flow-ended": None,
}


@dataclass(frozen=True)
class Change:
    """One field of one record that differs: old and new values (JSON-ready).

    Example:
        >>> Change("end", None, "2026-03-31")
        Change(field='end', old=None, new='2026-03-31')
    """

    field: str
    old: object
    new: object

    def as_dict(self) -> dict:
        """JSON form; list fields also say which elements were added and removed.

        Example:
            >>> d = Change("items", ["name", "fax"], ["name", "phone"]).as_dict()
            >>> d["old"], d["new"], d["added"], d["removed"]
            (['name', 'fax'], ['name', 'phone'], ['phone'], ['fax'])
        """
        out = {"field": self.field, "old": self.old, "new": self.new}
        if isinstance(self.old, list) and isinstance(self.new, list):
            out["added"] = _sorted(set(map(_key, self.new)) - set(map(_key, self.old)))
            out["removed"] = _sorted(set(map(_key, self.old)) - set(map(_key, self.new)))
        return out

    def text(self, lang: str = "en", collection: str | None = None) -> str:
        """One-line form: ``items: +phone -fax`` or ``end: none -> 2026-03-31``.

        In Japanese the field is named by its header with the key beside it (a
        record of ``collection``; a flow's ``route`` and ``status`` by their words),
        routes and statuses by their labels, and an absent value as なし.

        Example:
            >>> Change("items", ["name", "fax"], ["name", "phone"]).text()
            'items: +phone -fax'
            >>> Change("end", None, "2026-03-31").text()
            'end: none -> 2026-03-31'
            >>> Change("end", None, "2026-03-31").text("ja", "flows")
            '終了日 (end): なし -> 2026-03-31'
            >>> Change("basis", None, "joint_use").text("ja", "flows")
            '根拠 (basis): なし -> 共同利用'
            >>> Change("route", "consent", "none").text("ja"), Change("status", "violation", "ok").text("ja")
            ('経路: 本人の同意 -> 根拠なし', '状態: 違反 -> 適合')
        """
        ja = lang == "ja"
        name = _field_ja(collection, self.field) if ja else self.field
        show = (lambda v: _show_ja(self.field, v)) if ja else _show
        if isinstance(self.old, list) and isinstance(self.new, list) and \
                all(isinstance(v, str) for v in self.old + self.new):
            d = self.as_dict()
            parts = [f"+{v}" for v in d["added"]] + [f"-{v}" for v in d["removed"]]
            if parts:
                return f"{name}: {' '.join(parts)}"
        return f"{name}: {show(self.old)} -> {show(self.new)}"


@dataclass(frozen=True)
class Note:
    """The legal meaning of a change, in English and Japanese.

    Example:
        >>> note = Note("consent-withdrawn", "consents", "C05", "withdrawn", "撤回")
        >>> note.record, note.clause
        ('C05', '5[1]')
    """

    code: str
    collection: str
    record: str
    message: str
    message_ja: str

    @property
    def clause(self) -> str | None:
        """The policy clause concerned, or None when only the Act speaks to it.

        Example:
            >>> Note("new-outsourcee", "parties", "p", "", "").clause
            '1.5'
            >>> Note("route-changed", "flows", "F1", "", "").clause is None
            True
        """
        return NOTE_CODES[self.code]

    def as_dict(self) -> dict:
        """JSON form.

        Example:
            >>> Note("flow-ended", "flows", "F1", "ended", "終了").as_dict()["clause"] is None
            True
        """
        return {"code": self.code, "clause": self.clause, "collection": self.collection,
                "record": self.record, "message": self.message, "message_ja": self.message_ja}


def _key(value) -> str:
    from .canonical import dumps
    return value if isinstance(value, str) else dumps(value)


def _sorted(values) -> list:
    return sorted(values, key=lambda v: natural_key(str(v)))


def _show(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        from .canonical import dumps
        return dumps(value)
    return str(value)


#: A flow's route and status in a diff are not inventory fields: their words in Japanese.
_FLOW_WORDS_JA = {"route": "経路", "status": "状態"}


def _field_ja(collection: str | None, field: str) -> str:
    """A changed field in Japanese: a record's by its header and key (``終了日 (end)``),
    a flow's route or status by its word."""
    if collection is None:
        return _FLOW_WORDS_JA.get(field, field)
    from ..model.tables import field_ja
    return field_ja(collection, field)


def _show_ja(field: str, value) -> str:
    """A changed value in Japanese: routes (and a declared basis) and statuses by their
    labels, an absent value as なし, anything else as written."""
    from ..terms import STATUS_WORDS, route_label
    if value is None:
        return "なし"
    if field in ("route", "basis") and isinstance(value, str):
        return route_label(value, "ja")
    if field == "status" and value in STATUS_WORDS:
        return STATUS_WORDS[value]["ja"]
    return _show(value)


def _records(inv: Inventory, collection: str) -> dict[str, dict]:
    records = getattr(inv, collection) or []
    out = {}
    for r in records:
        data = _flat(r.model_dump(mode="json", by_alias=True))
        if collection == "waivers":
            key = ":".join(x for x in (data["rule"], data["flow"], data["item"]) if x)
        else:
            key = data["id"]
        out[key] = data
    return out


def _flat(data: dict, prefix: str = "") -> dict:
    """A record's fields with a nested record's as dotted fields (``exemption.law``), as
    the CSV and workbook columns name them, leaving out the empty ones: a change shows as
    ``exemption.law: none -> 刑事訴訟法…``, not as the whole nested record in JSON with
    its nulls (the trial of round 14).

    Example:
        >>> _flat({"id": "F1", "exemption": {"law": "刑訴法", "note": None}, "end": None})
        {'id': 'F1', 'exemption.law': '刑訴法', 'end': None}
    """
    out: dict = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out.update((k, v) for k, v in _flat(value, f"{prefix}{key}.").items()
                       if v is not None)
        else:
            out[prefix + key] = value
    return out


def _changes(old: dict, new: dict) -> tuple[Change, ...]:
    return tuple(Change(k, old.get(k), new.get(k)) for k in sorted(set(old) | set(new))
                 if old.get(k) != new.get(k))


class Diff:
    """The differences from snapshot ``a`` (before) to snapshot ``b`` (after).

    Example:
        >>> import dataclasses, lineage
        >>> from lineage.snapshots.canonical import canonical_json
        >>> inv = lineage.load("inventories/monocollabo")
        >>> a = Snapshot.from_audit(lineage.check(inv))
        >>> # the same audit over an inventory that no longer holds consent C05
        >>> kept = [c for c in inv.consents if c.id != "C05"]
        >>> later = inv.model_copy(update={"consents": kept})
        >>> b = dataclasses.replace(a, inventory_json=canonical_json(later))
        >>> d = Diff(a, b)
        >>> d.records["consents"]["removed"], len(d.open), d.is_empty()
        (['C05'], 10, False)
    """

    def __init__(self, a: Snapshot, b: Snapshot):
        self.a, self.b = a, b
        order = lambda ids: sorted(ids, key=natural_key)  # noqa: E731
        fb = {d["id"]: d for d in b.finding_dicts()}
        # Rows in a chunk both stored snapshots share are the same rows: only the
        # rest of ``a`` is read. IDs are unique in a snapshot (the engine keeps one
        # finding per ID), so a finding outside the shared chunks of one snapshot is
        # outside them in the other too.
        split = _unshared(a.findings, b.findings)
        # of ``a`` only severity and waived are compared; whole dicts only for resolved
        fa = {row[0]: row for row in (a.findings if split is None else split[0])}
        if split is None:
            gained, lost = fb.keys() - fa.keys(), fa.keys() - fb.keys()
        else:
            rest_b = {row[0] for row in split[1]}
            gained, lost = rest_b - fa.keys(), fa.keys() - rest_b
        #: findings in ``b`` absent from ``a``
        self.new: tuple[dict, ...] = tuple(fb[i] for i in order(gained))
        #: findings in ``a`` absent from ``b``
        self.resolved: tuple[dict, ...] = tuple(finding_dict(fa[i]) for i in order(lost))
        # Packs only one side was checked with: their findings are neither new nor
        # resolved (the trial of round 14: a snapshot taken without --rules appi showed
        # every finding of the Act as 解消), and statuses compare under the packs both
        # sides were checked with.
        in_a, in_b = set(a.rules), set(b.rules)
        #: the packs both sides were checked with, and those of one side only
        self.packs_compared = tuple(p for p in b.rules if p in in_a)
        self.packs_apart = tuple(sorted(in_a ^ in_b))
        #: findings of a pack only ``a`` (first) or only ``b`` was checked with
        self.unchecked: tuple[tuple[dict, ...], tuple[dict, ...]] = ((), ())
        if self.packs_apart:
            # a finding of no pack (a waiver naming an unknown rule) is compared
            self.unchecked = (tuple(f for f in self.resolved if not _in(f, in_b)),
                              tuple(f for f in self.new if not _in(f, in_a)))
            self.resolved = tuple(f for f in self.resolved if _in(f, in_b))
            self.new = tuple(f for f in self.new if _in(f, in_a))
        #: findings in both (as in ``b``), with what changed about them
        self.open: tuple[dict, ...] = tuple(
            {**fb[i], "changes": [c.as_dict() for c in _changes(
                {"severity": fa[i][_SEVERITY], "waived": bool(fa[i][_WAIVED])},
                {k: fb[i][k] for k in ("severity", "waived")})] if i in fa else []}
            for i in order(fb.keys() - gained))
        self.records: dict[str, dict] = {}
        # the same canonical text is the same inventory: no record changed, and the
        # model (the slow part at a million flows) need not be built for it
        self._same_inventory = ((a.inventory_key is not None
                                 and a.inventory_key == b.inventory_key)
                                or a.inventory_json == b.inventory_json)
        if not self._same_inventory:
            ia, ib = a.inventory, b.inventory
            top = _changes({k: _json(getattr(ia, k)) for k in _TOP},
                           {k: _json(getattr(ib, k)) for k in _TOP})
            if top:
                self.records["inventory"] = {"added": [], "removed": [],
                                             "changed": [{"id": ib.organisation,
                                                          "changes": list(top)}]}
            for name in _collections():
                ra, rb = _records(ia, name), _records(ib, name)
                added = order(rb.keys() - ra.keys())
                removed = order(ra.keys() - rb.keys())
                changed = [{"id": k, "changes": list(_changes(ra[k], rb[k]))}
                           for k in order(ra.keys() & rb.keys()) if ra[k] != rb[k]]
                if added or removed or changed:
                    self.records[name] = {"added": added, "removed": removed,
                                          "changed": changed}
        # flows of shared chunks are the same flows with the same route and status
        rows_a, rows_b = _unshared(a.flows, b.flows) or (a.flows, b.flows)
        if self.packs_apart:
            rows_a = _under(a.finding_dicts(), a.flows, self.packs_compared)
            rows_b = _under(fb.values(), b.flows, self.packs_compared)
        moved, self._same_routes = _route_changes(rows_a, rows_b)
        #: flows in both whose route or status changed
        self.flow_changes: tuple[dict, ...] = tuple(
            {"id": k, "changes": list(_changes({"route": old[0], "status": old[1]},
                                               {"route": new[0], "status": new[1]}))}
            for k, (old, new) in sorted(moved.items(), key=lambda kv: natural_key(kv[0])))

    @cached_property
    def _routes_a(self) -> dict[str, str]:
        return {r[0]: r[_ROUTE] for r in self.a.flows}

    @cached_property
    def _routes_b(self) -> dict[str, str]:
        return {r[0]: r[_ROUTE] for r in self.b.flows}

    # -- meaning ---------------------------------------------------------------------
    @cached_property
    def notes(self) -> tuple[Note, ...]:
        """The legal meaning of the changes, sorted by collection, record and code.

        Example:
            >>> import dataclasses, lineage
            >>> from lineage.snapshots.canonical import canonical_json
            >>> inv = lineage.load("inventories/monocollabo")
            >>> a = Snapshot.from_audit(lineage.check(inv))
            >>> # the same audit over an inventory that no longer holds consent C05
            >>> kept = [c for c in inv.consents if c.id != "C05"]
            >>> later = inv.model_copy(update={"consents": kept})
            >>> b = dataclasses.replace(a, inventory_json=canonical_json(later))
            >>> [(n.code, n.clause, n.message) for n in Diff(a, b).notes]
            [('consent-removed', '5[1]', 'consent record C05 removed; flows F37 still name it')]
        """
        if self._same_inventory and self._same_routes:
            return ()  # every note needs a changed record or a changed route
        names = list(_collections())
        return tuple(sorted(_notes(self), key=lambda n: (
            names.index(n.collection) if n.collection in names else -1,
            natural_key(n.record), n.code)))

    # -- views -----------------------------------------------------------------------
    def is_empty(self) -> bool:
        """True when nothing changed: same findings, records and routes.

        Example:
            >>> import lineage
            >>> s = Snapshot.from_audit(lineage.check("inventories/monocollabo"))
            >>> Diff(s, s).is_empty()
            True
        """
        return not (self.new or self.resolved or self.records or self.flow_changes
                    or any(f["changes"] for f in self.open))

    def counts(self) -> dict:
        """How many of each kind of change.

        Example:
            >>> import dataclasses, lineage
            >>> from lineage.snapshots.canonical import canonical_json
            >>> inv = lineage.load("inventories/monocollabo")
            >>> a = Snapshot.from_audit(lineage.check(inv))
            >>> # the same audit over an inventory that no longer holds consent C05
            >>> kept = [c for c in inv.consents if c.id != "C05"]
            >>> later = inv.model_copy(update={"consents": kept})
            >>> b = dataclasses.replace(a, inventory_json=canonical_json(later))
            >>> counts = Diff(a, b).counts()
            >>> counts["findings"], counts["notes"]
            ({'new': 0, 'resolved': 0, 'open': 10}, 1)
            >>> counts["records"]
            {'consents': {'added': 0, 'removed': 1, 'changed': 0}}
        """
        return {"findings": {"new": len(self.new), "resolved": len(self.resolved),
                             "open": len(self.open)},
                "records": {name: {k: len(v) for k, v in r.items()}
                            for name, r in self.records.items()},
                "flow_changes": len(self.flow_changes), "notes": len(self.notes)}

    def as_dict(self) -> dict:
        """The JSON form of the diff (``lineage snapshot diff --format json``).

        Example:
            >>> import lineage
            >>> s = Snapshot.from_audit(lineage.check("inventories/monocollabo"))
            >>> data = Diff(s, s).as_dict()
            >>> data["format"], data["a"]["name"], len(data["findings"]["open"])
            ('lineage-diff/1', 'now', 10)
        """
        def side(s: Snapshot) -> dict:
            return {"id": s.id, "label": s.label, "name": s.name, "as_of": s.as_of,
                    "created_at": s.created_at, "inventory_hash": s.inventory_hash,
                    "chain_hash": s.chain_hash, "summary": s.summary}
        apart = {} if not self.packs_apart else {"not_compared": {
            "packs": list(self.packs_apart), "compared": list(self.packs_compared),
            "a": [f["id"] for f in self.unchecked[0]],
            "b": [f["id"] for f in self.unchecked[1]]}}
        return {"format": "lineage-diff/1", "a": side(self.a), "b": side(self.b),
                "counts": self.counts(), **apart,
                "findings": {"new": list(self.new), "resolved": list(self.resolved),
                             "open": list(self.open)},
                "records": {name: {"added": r["added"], "removed": r["removed"],
                                   "changed": [{"id": c["id"],
                                                "changes": [x.as_dict() for x in c["changes"]]}
                                               for c in r["changed"]]}
                            for name, r in self.records.items()},
                "flow_changes": [{"id": f["id"], "changes": [x.as_dict() for x in f["changes"]]}
                                 for f in self.flow_changes],
                "notes": [n.as_dict() for n in self.notes]}

    def __repr__(self) -> str:
        c = self.counts()["findings"]
        return (f"<Diff {self.a.name} -> {self.b.name}: {c['new']} new, "
                f"{c['resolved']} resolved, {c['open']} open findings>")


def _route_changes(rows_a, rows_b) -> tuple[dict, bool]:
    """Flows in both whose (route, status) differ: id -> (old, new); and whether every
    flow has the same route in both (same flows included).

    Flow IDs are unique in a snapshot; rows in the same order (the usual case: the
    same inventory, or one audited again) are compared pairwise, without a map.
    """
    if len(rows_a) == len(rows_b):
        moved, same = {}, True
        for ra, rb in zip(rows_a, rows_b):
            if ra[0] != rb[0]:
                break
            if ra[_ROUTE] != rb[_ROUTE] or ra[_STATUS] != rb[_STATUS]:
                moved[ra[0]] = ((ra[_ROUTE], ra[_STATUS]), (rb[_ROUTE], rb[_STATUS]))
                same = same and ra[_ROUTE] == rb[_ROUTE]
        else:
            return moved, same
    routes_a = {r[0]: (r[_ROUTE], r[_STATUS]) for r in rows_a}
    routes_b = {r[0]: (r[_ROUTE], r[_STATUS]) for r in rows_b}
    moved = {k: (routes_a[k], routes_b[k]) for k in routes_a.keys() & routes_b.keys()
             if routes_a[k] != routes_b[k]}
    same = ({k: v[0] for k, v in routes_a.items()} == {k: v[0] for k, v in routes_b.items()})
    return moved, same


_STATUS_OF_RANK = ("ok", "waived", "warning", "violation")


def _pack(finding: dict) -> str | None:
    """The pack a finding (report form) counts toward (:func:`~lineage.rules.engine.pack_of`)."""
    from ..rules.engine import pack_of  # (the rules only when packs differ)
    return pack_of(finding["rule"], finding.get("evidence"))


def _in(finding: dict, packs: set) -> bool:
    """Whether a finding's pack is one of ``packs``, or it has none."""
    pack = _pack(finding)
    return pack is None or pack in packs


def _under(findings, rows, packs) -> list:
    """A snapshot's flow ``rows`` with each status as its ``findings`` (report form) of
    ``packs`` alone give it (the worst of them, as rules.md's status reads them)."""
    keep = set(packs)
    worst: dict = {}
    for f in findings:
        if _in(f, keep):
            rank = 1 if f["waived"] else 3 if f["severity"] == "error" else 2
            if worst.get(f["flow"], 0) < rank:
                worst[f["flow"]] = rank
    out = []
    for row in rows:
        row = list(row)
        row[_STATUS] = _STATUS_OF_RANK[worst.get(row[0], 0)]
        out.append(tuple(row))
    return out


def _unshared(ra, rb):
    """The rows of two stored parts outside the chunks both hold; None unless both stored."""
    if not (isinstance(ra, StoredRows) and isinstance(rb, StoredRows)):
        return None
    shared = set(ra.blobs) & set(rb.blobs)
    return tuple([row for i, blob in enumerate(rows.blobs) if blob not in shared
                  for row in rows.chunk(i)] for rows in (ra, rb))


def _json(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def diff_snapshots(a: Snapshot, b: Snapshot) -> Diff:
    """The :class:`Diff` from ``a`` to ``b``.

    Example:
        >>> import lineage
        >>> s = Snapshot.from_audit(lineage.check("inventories/monocollabo"))
        >>> diff_snapshots(s, s)
        <Diff now -> now: 0 new, 0 resolved, 10 open findings>
    """
    return Diff(a, b)


# -- legal meaning ---------------------------------------------------------------------

def _kinds(inv: Inventory) -> dict[str, str]:
    return {d.id: d.kind for d in inv.data_items or []}


def _receipts(inv: Inventory, routes: dict[str, str]) -> dict[str, dict]:
    """Per recipient: flows, sensitive items and the flows carrying them, and its
    provisions and outsourcing flows."""
    kinds = _kinds(inv)
    roles = {p.id: p.role for p in inv.parties}
    out: dict[str, dict] = {}
    for f in inv.flows:
        route = routes.get(f.id)
        if route in _NOT_A_HOP or roles.get(f.to) == "data_subject":
            continue
        r = out.setdefault(f.to, {"flows": set(), "sensitive": set(), "sensitive_flows": set(),
                                  "provision": set(), "outsourcing": set()})
        r["flows"].add(f.id)
        sensitive = {i for i in f.items if kinds.get(i, "personal") == "sensitive"}
        if sensitive:
            r["sensitive"] |= sensitive
            r["sensitive_flows"].add(f.id)
        if route in PROVISION_ROUTES:
            r["provision"].add(f.id)
        if route == "outsourcing":
            r["outsourcing"].add(f.id)
    return out


def _ids(values) -> str:
    return ", ".join(_sorted(values))


def _notes(d: Diff):
    from ..model.tables import field_ja
    from ..terms import route_label
    ia, ib = d.a.inventory, d.b.inventory
    ra, rb = _receipts(ia, d._routes_a), _receipts(ib, d._routes_b)
    parties = {p.id: p for p in ib.parties}
    for party in _sorted(rb):
        now, before = rb[party], ra.get(party)
        new_sensitive = now["sensitive"] - (before["sensitive"] if before else set())
        if now["sensitive"] and not (before and before["sensitive"]):
            yield Note("new-sensitive-recipient", "parties", party,
                       f"new recipient of sensitive data: {party} receives "
                       f"{_ids(new_sensitive)} (flows {_ids(now['sensitive_flows'])})",
                       f"要配慮個人情報の新たな提供先: {party} が {_ids(new_sensitive)} を受領 "
                       f"(フロー {_ids(now['sensitive_flows'])})")
        if now["provision"] and not (before and before["provision"]):
            yield Note("new-third-party-recipient", "parties", party,
                       f"new third-party recipient: {party} (flows {_ids(now['provision'])})",
                       f"第三者提供の新たな提供先: {party} (フロー {_ids(now['provision'])})")
        country = parties[party].country if party in parties else "JP"
        if country != "JP" and before is None:
            yield Note("new-foreign-recipient", "parties", party,
                       f"new recipient in a foreign country ({country}): {party} "
                       f"(flows {_ids(now['flows'])})",
                       f"外国にある第三者への新たな提供 ({country}): {party} "
                       f"(フロー {_ids(now['flows'])})")
        if now["outsourcing"] and not (before and before["outsourcing"]):
            yield Note("new-outsourcee", "parties", party,
                       f"new outsourcee: {party} needs a contract against leaks and "
                       "re-provision (1.5) and supervision (4)",
                       f"新たな委託先: {party} との契約 (漏えい・再提供の禁止, 1.5) と監督 (4) が必要")
    flows_a = {f.id: f for f in ia.flows}
    for f in sorted(ib.flows, key=lambda f: natural_key(f.id)):
        old = flows_a.get(f.id)
        if old is None:
            continue
        added = set(f.items) - set(old.items)
        joint = f.basis == "joint_use" or d._routes_b.get(f.id) == "joint_use"
        if added and joint:
            yield Note("joint-use-item-added", "flows", f.id,
                       f"item added to a joint-use flow: {_ids(added)} (the joint-use notice "
                       "must list it in advance)",
                       f"共同利用のフローに項目を追加: {_ids(added)} (共同利用の通知・公表に予め記載が必要)")
        new_purposes = set(f.purposes) - set(old.purposes)
        if new_purposes:
            yield Note("purpose-added-to-flow", "flows", f.id,
                       f"purpose added to the flow: {_ids(new_purposes)} (a purpose of use "
                       "must be announced before acquisition)",
                       f"フローに利用目的を追加: {_ids(new_purposes)} (利用目的は取得前に公表が必要)")
        if f.end is not None and old.end is None:
            yield Note("flow-ended", "flows", f.id, f"flow ended on {f.end.isoformat()}",
                       f"フローの終了 ({f.end.isoformat()})")
        ra_, rb_ = d._routes_a.get(f.id), d._routes_b.get(f.id)
        if ra_ != rb_ and ra_ is not None and rb_ is not None:
            yield Note("route-changed", "flows", f.id,
                       f"route changed from {ra_} to {rb_}"
                       + (": the flow has no lawful route now" if rb_ == "none" else ""),
                       f"経路の変更: {route_label(ra_, 'ja')} → {route_label(rb_, 'ja')}"
                       + (" (適法な経路がありません)" if rb_ == "none" else ""))
    consents_a = {c.id: c for c in ia.consents}
    consents_b = {c.id: c for c in ib.consents}
    for cid in _sorted(consents_a):
        old, new = consents_a[cid], consents_b.get(cid)
        if new is None:
            users = [f.id for f in ib.flows if cid in f.consents]
            yield Note("consent-removed", "consents", cid,
                       f"consent record {cid} removed"
                       + (f"; flows {_ids(users)} still name it" if users else ""),
                       f"同意の記録 {cid} を削除"
                       + (f" (フロー {_ids(users)} が参照)" if users else ""))
            continue
        if new.withdrawn_on is not None and old.withdrawn_on is None:
            yield Note("consent-withdrawn", "consents", cid,
                       f"consent withdrawn on {new.withdrawn_on.isoformat()}: provision "
                       "relying on it must stop",
                       f"同意の撤回 ({new.withdrawn_on.isoformat()}): この同意に基づく提供は停止が必要")
        lost = [(name, set(getattr(old, name)) - set(getattr(new, name)))
                for name in ("recipients", "items", "purposes")]
        lost = [(n, v) for n, v in lost if v]
        if lost:
            what = "; ".join(f"{n} {_ids(v)}" for n, v in lost)
            what_ja = "; ".join(f"{field_ja('consents', n)} {_ids(v)}" for n, v in lost)
            yield Note("consent-narrowed", "consents", cid,
                       f"consent narrowed: no longer covers {what}",
                       f"同意の範囲を縮小: {what_ja} が対象外に")
    notices_a = {n.id: n for n in ia.notices}
    for n in sorted(ib.notices, key=lambda n: natural_key(n.id)):
        old = notices_a.get(n.id)
        if old is None or old.kind != n.kind:
            continue
        if n.kind == "joint_use":
            gained = set(n.members or []) - set(old.members or [])
            dropped = set(old.members or []) - set(n.members or [])
            if gained or dropped:
                parts = [f"+{m}" for m in _sorted(gained)] + [f"-{m}" for m in _sorted(dropped)]
                yield Note("joint-use-members-changed", "notices", n.id,
                           f"range of joint users changed: {' '.join(parts)}",
                           f"共同して利用する者の範囲の変更: {' '.join(parts)}")
            gained = set(n.items or []) - set(old.items or [])
            if gained and old.published_on is not None and n.published_on == old.published_on:
                # an item added in place reads as announced since the notice's publication
                # (the trial of round 14 fixed a TP222 so, and the diff said nothing of it)
                day = n.published_on.isoformat()
                yield Note("joint-use-items-changed", "notices", n.id,
                           f"items added to a published joint-use notice: {_ids(gained)} now "
                           f"read as announced since {day}; items announced later belong in "
                           "a new notice dated when they were",
                           f"公表済みの共同利用の通知・公表に項目を追加: {_ids(gained)} は "
                           f"{day} から記載されていたものとして扱われます。後から公表した項目は、"
                           "その日付の新しい通知・公表として記録してください")
            if (n.purposes != old.purposes or n.responsible != old.responsible
                    or len(n.revisions) != len(old.revisions) or n.revisions != old.revisions):
                yield Note("joint-use-notice-changed", "notices", n.id,
                           "joint-use purposes or responsible person changed: the change "
                           "must be notified or published in advance",
                           "共同利用の利用目的または管理責任者の変更: 予め通知・公表が必要")
        elif n.model_dump() != old.model_dump():
            yield Note("opt-out-notice-changed", "notices", n.id,
                       "opt-out notice changed: announce the change and file it with the "
                       "PPC in advance",
                       "オプトアウトの通知事項の変更: 予め公表し個人情報保護委員会へ届出が必要")
