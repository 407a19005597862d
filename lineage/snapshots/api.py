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
    if isinstance(ref, Snapshot):
        return ref
    if not isinstance(ref, (str, int, Path)):
        from ..result import AuditResult
        if isinstance(ref, AuditResult):
            return Snapshot.from_audit(ref)
    if store is not None and not isinstance(ref, Path) and store.has(ref):
        return store.get(ref)
    path = Path(ref)
    if path.exists():
        from ..audit import check
        return Snapshot.from_audit(check(path, as_of=_as_of(as_of), packs=packs),
                                   source=str(path))
    if store is None:
        raise StoreError(f"{ref}: no such inventory (and no store to look it up in)",
                         message_ja=f"{ref}: その棚卸しはありません (探すストアもありません)")
    return store.get(ref)  # raises the store's "no snapshot" message


def diff(a, b, *, store=None, as_of=None, packs=("policy",)) -> Diff:
    """The :class:`Diff` from ``a`` to ``b``; each a snapshot reference (see :func:`resolve`).

    ``store`` is a :class:`Store` or a path, needed when a reference names a
    stored snapshot. An inventory path is checked now with ``as_of`` and ``packs``.

    Example:
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "audits.db"
        >>> _ = snapshot("inventories/monocollabo", store=path, label="before")
        >>> diff("before", "inventories/monocollabo", store=path)
        <Diff #1 (before) -> now: 0 new, 0 resolved, 10 open findings>
    """
    if store is None or isinstance(store, Store):
        return Diff(resolve(a, store, as_of=as_of, packs=packs),
                    resolve(b, store, as_of=as_of, packs=packs))
    with Store(store, create=False) as opened:
        return Diff(resolve(a, opened, as_of=as_of, packs=packs),
                    resolve(b, opened, as_of=as_of, packs=packs))
