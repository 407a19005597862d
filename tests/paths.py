"""Paths the tests share."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "inventories" / "monocollabo"
GOLDEN = Path(__file__).resolve().parent / "golden"
