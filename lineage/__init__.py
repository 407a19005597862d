"""lineage: where personal data goes, and whether each hop is allowed.

The public names are imported on first use, so ``lineage --version`` and
``lineage snapshot list`` start without loading pandas, pydantic or networkx.

Example:
    >>> import lineage
    >>> audit = lineage.load("inventories/monocollabo").check()
    >>> audit.exit_code()
    1
"""

from importlib import import_module

__version__ = "0.1.0"

_EXPORTS = {
    "Audit": ("audit", "Audit"),
    "check": ("audit", "check"),
    "InventoryError": ("model.errors", "InventoryError"),
    "load": ("model.loading", "load"),
    "draw": ("drawing", "draw"),
    "explore": ("explorer", "explore"),
    "Store": ("snapshots.store", "Store"),
    "snapshot": ("snapshots.api", "snapshot"),
    "diff": ("snapshots.api", "diff"),
    "convert": ("forms", "convert"),
    "template": ("forms.template", "write_template"),
    "schema": ("model.jsonschema", "inventory_schema"),
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    try:
        module, attr = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'lineage' has no attribute {name!r}") from None
    if name == "load":
        # lineage.load(path).check(): the notebook API attaches Inventory.check
        import_module(".audit", __name__)
    value = getattr(import_module(f".{module}", __name__), attr)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
