"""An inventory whose names try to inject markup into reports."""

from __future__ import annotations

from pathlib import Path

from snapshot_helpers import copy_sample

SCRIPT = "<script>window.__pwned = 1</script>"
IMG = '<img src="x" onerror="window.__pwned = 2">'


def hostile_inventory(folder: Path) -> Path:
    """The sample with a party name, an English name and an item name holding markup."""
    inv = copy_sample(folder)
    parties = (inv / "parties.yaml").read_text(encoding="utf-8")
    parties = parties.replace("name_en: Growth Marketing (marketing company)",
                              f"name_en: 'Growth {SCRIPT} Marketing'", 1)
    parties = parties.replace("name: 株式会社グロースマーケティング（マーケティング会社）",
                              f"name: '株式会社{SCRIPT}'", 1)
    assert parties.count(SCRIPT) == 2
    (inv / "parties.yaml").write_text(parties, encoding="utf-8")
    items = (inv / "data_items.yaml").read_text(encoding="utf-8")
    items = items.replace("name_en: Phone number", f"name_en: '{IMG}'", 1)
    assert IMG in items
    (inv / "data_items.yaml").write_text(items, encoding="utf-8")
    return inv
