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
    """JSON text as every lineage output writes it (2-space indent, newline at end).

    Example:
        >>> print(dumps({"organisation": "モノコラボ", "flows": [1]}), end="")
        {
          "organisation": "モノコラボ",
          "flows": [
            1
          ]
        }
    """
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def render(audit) -> str:
    """The report of ``audit`` as JSON text.

    Example:
        >>> import lineage
        >>> report = json.loads(render(lineage.check("inventories/monocollabo")))
        >>> list(report)[:5], len(report["findings"])
        (['format', 'tool', 'organisation', 'as_of', 'rules'], 10)
    """
    return dumps(audit.as_dict())
