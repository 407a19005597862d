"""Shared pieces of the snapshot tests: a copy of the sample and a known change to it."""

from __future__ import annotations

import shutil
from pathlib import Path

from paths import SAMPLE

#: Pins the creation time of snapshots (reproducible-builds convention).
EPOCH = {"SOURCE_DATE_EPOCH": "1790000000"}
CREATED = "2026-09-21T14:13:20Z"


def copy_sample(folder: Path) -> Path:
    """A private copy of the sample inventory (tests change it)."""
    target = folder / "inv"
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns(".lineage"))
    return target


def change_inventory(inv: Path) -> None:
    """The quarter's changes: a sensitive item sent abroad, a consent withdrawn,
    an item added to a joint-use flow."""
    with open(inv / "data_items.yaml", "a", encoding="utf-8") as f:
        f.write("  - id: health\n    name: 病歴\n    name_en: Medical history\n"
                "    kind: sensitive\n")
    with open(inv / "parties.yaml", "a", encoding="utf-8") as f:
        f.write("  - id: clinic-us\n    name: US Clinic\n    role: third_party\n"
                "    country: US\n")
    with open(inv / "flows.yaml", "a", encoding="utf-8") as f:
        f.write("  - id: F49\n    from: monocollabo\n    to: clinic-us\n"
                "    items: [name, health]\n    purposes: [partner_offers]\n"
                "    basis: consent\n    start: 2026-01-01\n")
    flows = (inv / "flows.yaml").read_text(encoding="utf-8")
    old = "    items: [member_id, email, phone]\n"
    assert flows.count(old) == 1
    (inv / "flows.yaml").write_text(
        flows.replace(old, "    items: [member_id, email, phone, address]\n"), encoding="utf-8")
    consents = (inv / "consents.yaml").read_text(encoding="utf-8")
    old = "    obtained_on: 2024-04-01\n    note: Opt-in box on the member page"
    assert consents.count(old) == 1
    (inv / "consents.yaml").write_text(consents.replace(
        old, "    obtained_on: 2024-04-01\n    withdrawn_on: 2026-06-01\n"
             "    note: Opt-in box on the member page"), encoding="utf-8")
