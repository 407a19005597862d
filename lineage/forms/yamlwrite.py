"""Write an inventory as YAML: one file, or a folder with one file per collection.

Records keep the fields their source set (a ``role: third_party`` written out
stays written out), ``note`` comes last, lists of IDs and dates are written
inline (``items: [name, email]``) and records as blocks, so the output reads
and diffs like a hand-written inventory. YAML comments are not part of the
model and are not carried over; ``note`` fields are.

Example:
    >>> from lineage.model import load
    >>> text = yaml_text(load("inventories/monocollabo"))
    >>> text.splitlines()[:3]
    ['format: lineage/1', 'organisation: monocollabo', 'as_of: 2026-11-01']
    >>> sorted(yaml_folder(load("inventories/monocollabo")))[:3]
    ['consents.yaml', 'contracts.yaml', 'data_items.yaml']
"""

from __future__ import annotations

import datetime as dt

import yaml

from ..model import schema
from ..model.tables import SHEET_LABELS, TOP_SHEET

__all__ = ["yaml_text", "yaml_folder", "inventory_mapping"]

_TOP = ("format", "organisation", "as_of", "note", "policy")


class _Dumper(yaml.SafeDumper):
    """Block records, inline scalar lists, list items indented under their key."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)

    def ignore_aliases(self, data):
        # Loaded records share equal values (one date object per distinct date):
        # each is written out, never as a YAML anchor and alias.
        return True


def _represent_list(dumper, data):
    scalar = all(isinstance(v, (str, bool, int, dt.date)) for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=scalar)


def _represent_str(dumper, data):
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(str, _represent_str)


def _note_last(value):
    if isinstance(value, dict):
        out = {k: _note_last(v) for k, v in value.items() if k != "note"}
        if "note" in value:
            out["note"] = value["note"]
        return out
    if isinstance(value, list):
        return [_note_last(v) for v in value]
    return value


def _record(record) -> dict:
    return _note_last(record.model_dump(by_alias=True, exclude_unset=True, exclude_none=True))


def inventory_mapping(inventory: schema.Inventory) -> dict:
    """The inventory as the mapping a YAML file holds (absent collections left out).

    Example:
        >>> from lineage.model import load
        >>> m = inventory_mapping(load("inventories/monocollabo"))
        >>> list(m)[:5], m["flows"][0]["from"]
        (['format', 'organisation', 'as_of', 'policy', 'data_items'], 'members')
    """
    out: dict = {}
    for key in _TOP:
        value = getattr(inventory, key)
        if value is not None:
            out[key] = _record(value) if key == "policy" else value
    for name in schema.COLLECTIONS:
        records = getattr(inventory, name)
        # parties and flows are required: an empty list is written as [].
        if records is None or (not records and name not in ("data_items", "purposes",
                                                             "parties", "flows")):
            continue
        out[name] = [_record(r) for r in records]
    return out


def _dump(mapping: dict) -> str:
    return yaml.dump(mapping, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     width=1 << 20, default_flow_style=False)  # never fold a long note


def _comment(name: str) -> str:
    ja, en = SHEET_LABELS[name]
    return f"# {en[0].upper() + en[1:]} ({ja}).\n"


def yaml_text(inventory: schema.Inventory) -> str:
    """The whole inventory as one YAML document.

    Example:
        >>> from lineage.model import load
        >>> text = yaml_text(load("inventories/monocollabo"))
        >>> "# Flows (データの流れ).\\nflows:\\n  - id: F01\\n" in text
        True
    """
    mapping = inventory_mapping(inventory)
    top = {k: v for k, v in mapping.items() if k in _TOP}
    parts = [_dump(top)]
    for name, records in mapping.items():
        if name in _TOP:
            continue
        parts.append("\n" + _comment(name) + _dump({name: records}))
    return "".join(parts)


def yaml_folder(inventory: schema.Inventory) -> dict[str, str]:
    """File name -> text of a folder of YAML files (``inventory.yaml`` holds the top keys,
    ``policy.yaml`` the organisation's policy).

    Example:
        >>> from lineage.model import load
        >>> files = yaml_folder(load("inventories/monocollabo"))
        >>> files["inventory.yaml"], files["policy.yaml"].splitlines()[1]
        ('format: lineage/1\\norganisation: monocollabo\\nas_of: 2026-11-01\\n', 'policy:')
    """
    mapping = inventory_mapping(inventory)
    top = {k: v for k, v in mapping.items() if k in _TOP and k != "policy"}
    files = {f"{TOP_SHEET}.yaml": _dump(top)}
    if "policy" in mapping:
        files["policy.yaml"] = ("# The organisation's own policy: reports quote only these "
                                "words.\n" + _dump({"policy": mapping["policy"]}))
    for name, records in mapping.items():
        if name not in _TOP:
            files[f"{name}.yaml"] = _comment(name) + _dump({name: records})
    return files
