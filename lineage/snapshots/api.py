"""The Python equivalents of ``lineage snapshot create`` and ``lineage snapshot diff``.

Example:
    >>> import lineage, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "audits.db"
    >>> snapshot("inventories/monocollabo", store=path).id
    1
    >>> diff("latest", "inventories/monocollabo", store=path).is_empty()
    True
"""

from __future__ import annotations

from pathlib import Path

from .compare import Diff
from .record import Snapshot
from .store import Store, StoreError, default_store

# The rule engine, the results and the model are imported when a reference needs
# them: a diff of two stored snapshots checks nothing (and saves about a second).


def _as_of(value):
    if value is None:
        return None
    from ..model.schema import optional_date
    return optional_date(value)  # a date or ISO text (2026-04-01)

__all__ = ["snapshot", "diff", "resolve"]


def snapshot(inventory, *, store=None, label: str | None = None, as_of=None,
             packs=("policy",), select=None, ignore=None) -> Snapshot:
    """Check ``inventory`` (a path, model or :class:`Audit`) and store the result.

    ``store`` is a :class:`Store` or a path (default: ``.lineage/audits.db``
    next to the inventory). Returns the stored :class:`Snapshot`.

    Example:
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "audits.db"
        >>> snap = snapshot("inventories/monocollabo", store=path, label="2026-Q4")
        >>> snap.name, snap.summary["severity"]
        ('#1 (2026-Q4)', {'error': 9, 'warning': 0, 'waived': 1})
    """

    from ..audit import check
    from ..model import load
    from ..model.schema import Inventory
    from ..result import AuditResult
    from .ahead import InventoryAhead
    as_of = _as_of(as_of)
    source = str(inventory) if isinstance(inventory, (str, Path)) else None
    if store is None:
        if source is None:
            raise StoreError("give a store: the inventory is not a path to put one beside",
                             message_ja="ストアを指定してください: 棚卸しがパスではないため、"
                                        "その隣に置けません")
        store = default_store(source)
    if not isinstance(inventory, (AuditResult, Inventory)):
        inventory = load(inventory)
    if not isinstance(inventory, AuditResult) and not isinstance(store, Store):
        # the check's rule selection is refused before the store is opened (and
        # its file made), as when the check ran before the store was opened
        from ..rules.registry import REGISTRY
        REGISTRY.select(tuple(packs), select, ignore)

    def take(opened: Store) -> Snapshot:
        if isinstance(inventory, AuditResult):
            return opened.add(inventory, label=label, source=source)
        # The inventory's part of the snapshot depends on the inventory alone: a
        # child process makes it while this one checks (see .ahead), on a
        # machine and in a process where that is safe and pays.
        # (the latest snapshot's chunks read here only for a child: else once, by add)
        ahead = InventoryAhead.start(inventory, opened.latest_chunks)
        try:
            audit = check(inventory, as_of=as_of, packs=packs, select=select, ignore=ignore)
            return opened.add(audit, label=label, source=source, ahead=ahead)
        finally:
            if ahead is not None:
                ahead.close()

    if isinstance(store, Store):
        return take(store)
    with Store(store) as opened:
        return take(opened)


def resolve(ref, store: Store | None, *, as_of=None, packs=("policy",)) -> Snapshot:
    """A snapshot from a reference: a stored ID, label, ``latest`` or ``previous``,
    an inventory path (checked now, not stored), an :class:`Audit` or a :class:`Snapshot`.

    Example:
        >>> import lineage, tempfile, pathlib
        >>> store = Store(pathlib.Path(tempfile.mkdtemp()) / "audits.db")
        >>> _ = store.add(lineage.check("inventories/monocollabo"), label="2026-Q4")
        >>> resolve("2026-Q4", store).name, resolve("inventories/monocollabo", store).name
        ('#1 (2026-Q4)', 'now')
        >>> store.close()
    """
    got = _stored(ref, store)
    return got if got is not None else _checked(ref, store, as_of, packs)


def _checked(ref, store: Store | None, as_of, packs) -> Snapshot:
    """:func:`resolve` of a reference naming no snapshot: an inventory path, checked now."""
    path = Path(ref)
    if path.exists():
        from ..audit import check
        return Snapshot.from_audit(check(path, as_of=_as_of(as_of), packs=packs),
                                   source=str(path))
    if store is None:
        raise StoreError(f"{ref}: no such inventory (and no store to look it up in)",
                         message_ja=f"{ref}: その棚卸しはありません (探すストアもありません)")
    return store.get(ref)  # raises the store's "no snapshot" message


def diff(a, b, *, store=None, as_of=None, packs=None) -> Diff:
    """The :class:`Diff` from ``a`` to ``b``; each a snapshot reference (see :func:`resolve`).

    ``store`` is a :class:`Store` or a path, needed when a reference names a
    stored snapshot. An inventory path is checked now with ``as_of`` and
    ``packs``; by default with the packs of the stored snapshot on the other
    side (a snapshot made with ``policy,appi`` is compared with the inventory
    checked under both), else ``policy``.

    Example:
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "audits.db"
        >>> _ = snapshot("inventories/monocollabo", store=path, label="both",
        ...              packs=("policy", "appi"))
        >>> d = diff("both", "inventories/monocollabo", store=path)
        >>> d, d.b.rules
        (<Diff #1 (both) -> now: 0 new, 0 resolved, 15 open findings>, ('policy', 'appi'))
    """
    if store is None or isinstance(store, Store):
        return _diff(a, b, store, as_of, packs)
    with Store(store, create=False) as opened:
        return _diff(a, b, opened, as_of, packs)


def _diff(a, b, store, as_of, packs) -> Diff:
    stored = [_stored(ref, store) for ref in (a, b)]
    if packs is None:
        known = [s.rules for s in stored if s is not None]
        packs = tuple(known[0]) if known else ("policy",)
    first, second = (s if s is not None else _checked(ref, store, as_of, packs)
                     for s, ref in zip(stored, (a, b)))
    return Diff(first, second)


def _stored(ref, store: Store | None) -> Snapshot | None:
    """The snapshot ``ref`` names without checking an inventory (None: it names none)."""
    if isinstance(ref, Snapshot):
        return ref
    if not isinstance(ref, (str, int, Path)):
        from ..result import AuditResult
        if isinstance(ref, AuditResult):  # checked already, with its own packs
            return Snapshot.from_audit(ref)
    if store is not None and isinstance(ref, (str, int)) and store.has(ref):
        return store.get(ref)
    return None
