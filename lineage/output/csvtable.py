"""The findings table as CSV (one row per finding, lists joined with ``;``).

Every CSV lineage writes starts with a UTF-8 byte-order mark (:data:`BOM`): Excel
in Japan opens a CSV without one as Shift_JIS and garbles the Japanese. Python's
``utf-8-sig`` codec and lineage's own readers skip it.

Example:
    >>> import lineage
    >>> render(lineage.check("inventories/monocollabo")).splitlines()[0]
    '\ufeffid,rule,clause,kind,severity,flow,from,to,items,message,remedy,waived'
"""

from __future__ import annotations

import csv
import io

__all__ = ["render", "COLUMNS", "BOM"]

#: The byte-order mark every CSV lineage writes begins with (so Excel reads UTF-8).
BOM = "\ufeff"

COLUMNS = ("id", "rule", "clause", "kind", "severity", "flow", "from", "to", "items",
           "message", "remedy", "waived")


def render(audit, lang: str = "en") -> str:
    """CSV text of the audit's findings; ``lang`` picks message and remedy.

    Example:
        >>> import csv, lineage
        >>> text = render(lineage.check("inventories/monocollabo"), lang="ja")
        >>> row = list(csv.DictReader(text.removeprefix(BOM).splitlines()))[0]
        >>> row["id"], row["items"], row["waived"], row["message"]
        ('TP222:F30:phone', 'phone', 'false', '項目 phone は共同利用の通知・公表 J1 にありません')
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    suffix = "_ja" if lang == "ja" else ""
    for f in audit.results:
        d = f.as_dict()
        writer.writerow([d["id"], d["rule"], d["clause"], d["kind"], d["severity"],
                         d["flow"], d["from"], d["to"], ";".join(d["items"]),
                         d["message" + suffix], d["remedy" + suffix],
                         "true" if d["waived"] else "false"])
    return BOM + out.getvalue()
