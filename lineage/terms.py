"""Vocabulary shared by every layer: statuses, routes, and the ID sort order.

Kept free of heavy imports so that commands reading a snapshot store start fast.

Example:
    >>> sorted(["F10", "F2", "F1"], key=natural_key)
    ['F1', 'F2', 'F10']
"""

from __future__ import annotations

import re

__all__ = ["STATUSES", "STATUS_WORDS", "KIND_LABELS", "ROUTES", "natural_key"]

#: A flow's status in reports: the worst of its findings (rules.md).
STATUSES = ("ok", "warning", "violation", "waived")

#: The four statuses in the glossary's words.
STATUS_WORDS = {
    "violation": {"en": "violation", "ja": "違反"},
    "warning": {"en": "warning", "ja": "警告"},
    "waived": {"en": "waived", "ja": "承認済み"},
    "ok": {"en": "ok", "ja": "適合"},
}

#: Headings for the kinds of finding (rules.md), in both languages.
KIND_LABELS = {
    "no-consent": {"en": "No consent", "ja": "本人の同意なし"},
    "no-exemption": {"en": "Exemption not established", "ja": "例外の要件を満たさない"},
    "unannounced-items": {"en": "Items not announced", "ja": "通知・公表にない項目"},
    "unannounced": {"en": "Notice missing, late or incomplete", "ja": "通知・公表の不備"},
    "contract": {"en": "Outsourcing contract", "ja": "委託契約"},
    "re-provision": {"en": "Re-provision", "ja": "再提供"},
    "purpose": {"en": "Purpose of use", "ja": "利用目的"},
    "waiver": {"en": "Waivers", "ja": "承認の管理"},
}

#: Every route a flow can have (rules.md, "The flow table").
ROUTES = ("internal", "collection", "to_subject", "storage_only", "non_personal",
          "outsourcing", "succession", "joint_use", "law", "life", "public_health",
          "government", "academic", "opt_out", "consent", "external", "none")

_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str):
    """Sort key that puts F2 before F10.

    Example:
        >>> natural_key("TP222:F10")
        ['TP', 222, ':F', 10, '']
        >>> sorted(["F10", "F9", "F100"], key=natural_key)
        ['F9', 'F10', 'F100']
    """
    return [int(t) if t.isdigit() else t for t in _DIGITS.split(text)]
