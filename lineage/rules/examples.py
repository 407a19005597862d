"""The small inventory every rule example builds on.

A rule's example is a YAML fragment merged onto :data:`BASE`: lists are
appended, scalars replaced. The base itself has no finding.

Example:
    >>> inv = build_example("flows:\\n  - {id: F1, from: mc, to: partner, items: [name], start: 2025-01-01}")
    >>> [f.id for f in inv.flows]
    ['C1', 'F1']
"""

from __future__ import annotations

import yaml

from ..model.errors import Location
from ..model.loading import build_inventory
from ..model.schema import Inventory
from ..model.sources import RawInventory, SourceMap

__all__ = ["BASE", "build_example"]

BASE = """\
format: lineage/1
organisation: mc
as_of: 2026-11-01
data_items:
  - {id: name, name: 氏名, name_en: Name}
  - {id: email, name: メールアドレス, name_en: E-mail address}
  - {id: phone, name: 電話番号, name_en: Phone number}
  - {id: cookie, name: Cookie ID, kind: linkable}
purposes:
  - {id: shipping, name: 商品の配送, name_en: Shipping, announced_on: 2024-01-01}
  - {id: ads, name: 広告配信, name_en: Advertising, announced_on: 2024-01-01,
     third_party_provision: true}
  - {id: newsvc, name: 新サービス, name_en: New service, announced_on: 2025-06-01}
parties:
  - {id: mc, name: モノコラボ, role: self}
  - {id: customers, name: お客様, role: data_subject}
  - {id: carrier, name: 配送業者, role: outsourcee}
  - {id: partner, name: 提携企業, role: third_party, groups: [partners]}
  - {id: group-co, name: グループ会社, role: joint_user}
  - {id: police, name: 警察署, role: public_body}
flows:
  - {id: C1, from: customers, to: mc, items: [name, email, phone, cookie],
     purposes: [shipping, ads], start: 2024-01-01}
"""


def _merge(base: dict, extra: dict) -> dict:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, list) and isinstance(out.get(key), list):
            out[key] = out[key] + value
        else:
            out[key] = value
    return out


def _stringify(value):
    """YAML's safe load typed the values; the model wants the text back."""
    if isinstance(value, dict):
        return {str(k): _stringify(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stringify(v) for v in value]
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if not isinstance(value, str) else value


def build_example(fragment: str) -> Inventory:
    """The base inventory with ``fragment`` merged in, validated.

    Example:
        >>> inv = build_example("{flows: [{id: F1, from: mc, to: partner, items: [name], "
        ...                     "start: 2025-01-01}]}")
        >>> inv.organisation, inv.as_of, [f.id for f in inv.flows]
        ('mc', datetime.date(2026, 11, 1), ['C1', 'F1'])
    """
    data = _merge(yaml.safe_load(BASE), yaml.safe_load(fragment) or {})
    raw = RawInventory(_stringify(data), SourceMap(Location("<example>")), "<example>")
    return build_inventory(raw)
