"""The inventory model, its loaders and its validation.

Names are imported on first use: :mod:`lineage.model.errors` is needed by every
command, the pydantic schema only by those that read an inventory.
"""

from importlib import import_module

from .errors import InventoryError, Location, Problem

_SCHEMA = ("COLLECTIONS", "Consent", "Contract", "DataItem", "Event", "Flow", "Inventory",
           "Notice", "Party", "Purpose", "Revision", "StopRequest", "Waiver")
_EXPORTS = {"load": "loading", "read_raw": "loading", **{name: "schema" for name in _SCHEMA}}

__all__ = ["InventoryError", "Location", "Problem", *_EXPORTS]


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'lineage.model' has no attribute {name!r}")
    value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value
