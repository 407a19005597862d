"""Vocabulary shared by every layer: statuses, routes, and the ID sort order.

Kept free of heavy imports so that commands reading a snapshot store start fast.

Example:
    >>> sorted(["F10", "F2", "F1"], key=natural_key)
    ['F1', 'F2', 'F10']
"""

from __future__ import annotations

import re

__all__ = ["STATUSES", "ROUTES", "natural_key"]

#: A flow's status in reports: the worst of its findings (rules.md).
STATUSES = ("ok", "warning", "violation", "waived")

#: Every route a flow can have (rules.md, "The flow table").
ROUTES = ("internal", "collection", "to_subject", "storage_only", "non_personal",
          "outsourcing", "succession", "joint_use", "law", "life", "public_health",
          "government", "academic", "opt_out", "consent", "external", "none")

_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str):
    """Sort key that puts F2 before F10."""
    return [int(t) if t.isdigit() else t for t in _DIGITS.split(text)]
