"""The JSON report (``lineage-report/1``): stable key order, sorted lists, UTF-8.

Example:
    >>> import lineage
    >>> text = render(lineage.check("inventories/monocollabo"))
    >>> text.startswith('{\\n  "format": "lineage-report/1"')
    True
"""

from __future__ import annotations

import json

__all__ = ["render", "dumps"]


def dumps(data) -> str:
    """JSON text as every lineage output writes it (2-space indent, newline at end)."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def render(audit) -> str:
    """The report of ``audit`` as JSON text."""
    return dumps(audit.as_dict())
