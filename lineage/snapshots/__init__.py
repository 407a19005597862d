"""Periodic audit snapshots: a hash-chained store, history, and diffs between audits.

Example:
    >>> import lineage, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "audits.db"
    >>> first = snapshot("inventories/monocollabo", store=path, label="2026-Q3")
    >>> d = diff("2026-Q3", "inventories/monocollabo", store=path)
    >>> d.counts()["findings"]
    {'new': 0, 'resolved': 0, 'open': 10}
"""

from .api import diff, snapshot
from .diff import Diff, diff_snapshots
from .record import Snapshot
from .store import Store, StoreError, VerifyResult, default_store

__all__ = ["Store", "StoreError", "Snapshot", "VerifyResult", "Diff", "snapshot", "diff",
           "diff_snapshots", "default_store"]
