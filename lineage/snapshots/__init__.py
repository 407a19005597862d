"""Periodic audit snapshots: a hash-chained store, history, and diffs between audits.

Names are imported on first use, so reading the store (``snapshot list``) does
not load the rule engine.

Example:
    >>> import lineage, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "audits.db"
    >>> first = lineage.snapshot("inventories/monocollabo", store=path, label="2026-Q3")
    >>> d = lineage.diff("2026-Q3", "inventories/monocollabo", store=path)
    >>> d.counts()["findings"]
    {'new': 0, 'resolved': 0, 'open': 10}
"""

from importlib import import_module

_EXPORTS = {"diff": "api", "snapshot": "api", "Diff": "compare", "diff_snapshots": "compare",
            "Snapshot": "record", "Store": "store", "StoreError": "store",
            "VerifyResult": "store", "default_store": "store"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'lineage.snapshots' has no attribute {name!r}")
    value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value
