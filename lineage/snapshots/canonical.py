"""The canonical form of an inventory: one JSON text per meaning, and its hash.

Two inventories that say the same thing (records in another order, a default
written out, YAML or CSV) have the same canonical text, so a snapshot's hash
changes only when the content does. Records are sorted by ID (waivers by
rule, flow and item), fields keep only non-default values, keys are sorted.

Example:
    >>> import lineage
    >>> inv = lineage.load("inventories/monocollabo")
    >>> text = canonical_json(inv)
    >>> text.startswith('{"as_of":"2026-11-01","consents":[')
    True
    >>> inventory_hash(from_canonical(text)) == inventory_hash(inv)
    True
"""

from __future__ import annotations

import hashlib
import json

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..model.schema import Inventory
from ..terms import natural_key

__all__ = ["canonical_json", "inventory_hash", "from_canonical", "dumps", "sha256"]


# one encoder for all calls: json.dumps builds a new one per call when given options,
# which dominates the cost of hashing a million rows
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def dumps(value) -> str:
    """Compact JSON with sorted keys, as every hash and stored JSON column uses it.

    >>> dumps({"b": [1, 2], "a": "名"})
    '{"a":"名","b":[1,2]}'
    """
    return _ENCODER.encode(value)


def sha256(text: str) -> str:
    """Hex SHA-256 of ``text`` encoded as UTF-8.

    >>> sha256("")[:12]
    'e3b0c44298fc'
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _record_key(record: dict):
    if "id" in record:
        return (natural_key(str(record["id"])),)
    # waivers have no ID: rule, flow and item identify them
    return tuple(natural_key(str(record.get(k) or "")) for k in
                 ("rule", "flow", "item", "expires_on", "approved_by", "reason"))


def canonical_dict(inventory: Inventory) -> dict:
    """The inventory as plain data: defaults dropped, records sorted.

    >>> import lineage
    >>> sorted(canonical_dict(lineage.load("inventories/monocollabo")))[:3]
    ['as_of', 'consents', 'contracts']
    """
    data = inventory.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    for key, value in data.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            data[key] = sorted(value, key=_record_key)
    return data


def canonical_json(inventory: Inventory) -> str:
    """The canonical JSON text of ``inventory`` (see the module docstring).

    Example:
        >>> import lineage
        >>> canonical_json(lineage.load("inventories/monocollabo"))[:34]
        '{"as_of":"2026-11-01","consents":['
    """
    return dumps(canonical_dict(inventory))


def inventory_hash(inventory: Inventory) -> str:
    """SHA-256 of the canonical text: equal exactly when the content is equal.

    Example:
        >>> import lineage
        >>> inv = lineage.load("inventories/monocollabo")
        >>> reordered = inv.model_copy(update={"flows": inv.flows[::-1]})
        >>> inventory_hash(reordered) == inventory_hash(inv), len(inventory_hash(inv))
        (True, 64)
    """
    return sha256(canonical_json(inventory))


def from_canonical(text: str) -> Inventory:
    """The inventory model back from its canonical text (no source locations).

    Example:
        >>> import lineage
        >>> inv = from_canonical(canonical_json(lineage.load("inventories/monocollabo")))
        >>> inv.organisation, len(inv.flows), inv.source is None
        ('monocollabo', 48, True)
    """
    from ..model.schema import Inventory
    return Inventory.model_validate(json.loads(text))
