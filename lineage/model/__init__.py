"""The inventory model, its loaders and its validation."""

from .errors import InventoryError, Location, Problem
from .load import load, read_raw
from .schema import (COLLECTIONS, Consent, Contract, DataItem, Event, Flow, Inventory,
                     Notice, Party, Purpose, Revision, StopRequest, Waiver)

__all__ = ["InventoryError", "Location", "Problem", "load", "read_raw", "COLLECTIONS",
           "Consent", "Contract", "DataItem", "Event", "Flow", "Inventory", "Notice",
           "Party", "Purpose", "Revision", "StopRequest", "Waiver"]
