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
import re
from operator import attrgetter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..model.schema import Inventory
from ..terms import natural_key, natural_sorted

__all__ = ["canonical_json", "canonical_bytes", "inventory_hash", "from_canonical", "dumps", "sha256"]


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
    return _sorted_records(inventory.model_dump(mode="json", by_alias=True,
                                                exclude_defaults=True))


def _sorted_records(data: dict) -> dict:
    for key, value in data.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            data[key] = sorted(value, key=_record_key)
    return data


def canonical_json(inventory: Inventory) -> str:
    """The canonical JSON text of ``inventory`` (see the module docstring).

    ``dumps(canonical_dict(inventory))``, made by pydantic's JSON serializer and
    orjson instead (:func:`_fast_json`): no dict per record through the standard
    encoder, the record lists a batch at a time. ``tests/test_snapshot_fast.py``
    checks the two give the same text on generated inventories.

    Example:
        >>> import lineage
        >>> canonical_json(lineage.load("inventories/monocollabo"))[:34]
        '{"as_of":"2026-11-01","consents":['
    """
    data = _fast_json(inventory)
    return data.decode("utf-8") if data is not None else dumps(canonical_dict(inventory))


def canonical_bytes(inventory: Inventory) -> bytes:
    """:func:`canonical_json` encoded as UTF-8 (what is hashed and stored), made
    without the text in between when it can be.

    Example:
        >>> import lineage
        >>> inv = lineage.load("inventories/monocollabo")
        >>> canonical_bytes(inv) == canonical_json(inv).encode("utf-8")
        True
    """
    data = _fast_json(inventory)
    return data if data is not None else dumps(canonical_dict(inventory)).encode("utf-8")


#: Records serialised per call: the batch's data is short-lived.
_RECORDS_BATCH = 20_000
#: A number orjson would not read back as the integer it is (past 64 bits: a
#: float), or a float (no field of the model holds one): such a text is made the
#: careful way. A match inside a string only costs the careful way, too.
_SUSPECT = re.compile(rb"[\[:,]-?(?:[0-9]{19}|[0-9]+[.eE])")
_ADAPTERS: dict = {}


def _fast_json(inventory) -> bytes | None:
    """:func:`canonical_json` through pydantic's JSON serializer, orjson's reader and
    orjson's writer with sorted keys, or None when that might not give the same text.

    Read back by orjson, pydantic's JSON is the data ``model_dump(mode="json")``
    gives (strings, integers, booleans, None, lists, dicts with string keys;
    ``_SUSPECT`` keeps out what orjson would read differently), and orjson writes
    such data byte for byte as the standard encoder does (:mod:`lineage.plainjson`),
    keys sorted by code point as ``sort_keys`` sorts them. The record lists (a
    million flows) are made a batch at a time, sorted by :func:`natural_sorted`
    (:func:`natural_key`'s order, stable, as :func:`canonical_dict` sorts them).
    """
    try:
        import orjson
        from pydantic_core import PydanticSerializationError

        from ..model.schema import COLLECTIONS, Inventory
    except ImportError:  # pragma: no cover - dependencies; without them, the careful way
        return None
    if type(inventory) is not Inventory:
        return None
    fields = Inventory.model_fields
    texts: dict[str, bytes] = {}
    try:
        lists = {}
        for name, info in fields.items():
            value = inventory.__dict__.get(name)
            model = COLLECTIONS.get(name)
            if model is None or type(value) is not list or not value:
                continue
            text = _records_json(model, value, orjson)
            if text is None:
                continue
            lists[name] = value
            # exclude_defaults: the list is written unless it equals the field's default
            if info.is_required() or not value == info.default:
                texts[info.serialization_alias or info.alias or name] = text
        raw = inventory.model_dump_json(by_alias=True, exclude_defaults=True,
                                        exclude=set(lists))
        if _SUSPECT.search(raw.encode("utf-8")):
            return None
        data = orjson.loads(raw)
        if not set(texts).isdisjoint(data):
            return None
        for key, value in data.items():
            if isinstance(value, list) and value and isinstance(value[0], dict):
                value = sorted(value, key=_record_key)
            texts[key] = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except (PydanticSerializationError, orjson.JSONDecodeError, orjson.JSONEncodeError,
            TypeError, ValueError, UnicodeError):
        return None  # the careful way gives its own result or error
    return b"{" + b",".join([orjson.dumps(k) + b":" + texts[k] for k in sorted(texts)]) + b"}"


def _records_json(model, records: list, orjson) -> bytes | None:
    """The canonical text of a list of records of ``model``, sorted by natural ID, or
    None when they are not all exactly ``model`` with a text ID."""
    if set(map(type, records)) != {model} or "id" not in model.model_fields:
        return None
    ids = list(map(_ID, records))
    if set(map(type, ids)) != {str}:
        return None
    records = natural_sorted(records, ids=ids)
    adapter = _ADAPTERS.get(model)
    if adapter is None:
        from pydantic import TypeAdapter
        adapter = _ADAPTERS[model] = TypeAdapter(list[model])
    out = []
    for lo in range(0, len(records), _RECORDS_BATCH):
        raw = adapter.dump_json(records[lo:lo + _RECORDS_BATCH], by_alias=True,
                                exclude_defaults=True)
        if not _numberless(model) and _SUSPECT.search(raw):
            return None
        out.append(orjson.dumps(orjson.loads(raw), option=orjson.OPT_SORT_KEYS)[1:-1])
    return b"[" + b",".join(out) + b"]"


_ID = attrgetter("id")
#: Core schema types that serialise to JSON strings, booleans, null, arrays and
#: objects only (no number): validators are left out of serialisation.
_NUMBERLESS = frozenset({"bool", "chain", "date", "default", "function-after",
                         "function-before", "function-wrap", "list", "model", "model-field",
                         "model-fields", "no-info", "with-info", "nullable", "str",
                         "definitions", "definition-ref", "literal"})
_NUMBERLESS_MODELS: dict = {}


def _numberless(model) -> bool:
    """Whether no record of ``model`` can hold a number (its core schema has no
    number type, no literal but text, no serializer of its own): then its JSON
    needs no look for numbers orjson would read back otherwise.

    Example:
        >>> from lineage.model.schema import Flow, Party
        >>> _numberless(Flow), _numberless(Party)
        (True, False)
    """
    known = _NUMBERLESS_MODELS.get(model)
    if known is None:
        known = _NUMBERLESS_MODELS[model] = _plain_schema(model.__pydantic_core_schema__)
    return known


def _plain_schema(schema) -> bool:
    if isinstance(schema, (list, tuple)):
        return all(map(_plain_schema, schema))
    if not isinstance(schema, dict):
        return True
    if "serialization" in schema:
        return False
    kind = schema.get("type")
    if kind is not None and kind not in _NUMBERLESS:
        return False
    if kind == "literal" and not all(type(v) is str for v in schema.get("expected", ())):
        return False
    return all(_plain_schema(v) for k, v in schema.items() if k != "metadata")


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
