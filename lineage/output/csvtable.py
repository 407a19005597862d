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

__all__ = ["render", "COLUMNS", "BOM", "safe_cell", "FORMULA_STARTS"]

#: The byte-order mark every CSV lineage writes begins with (so Excel reads UTF-8).
BOM = "\ufeff"

#: A spreadsheet reads a cell starting with one of these as a formula (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """``value`` as a CSV cell no spreadsheet runs: a formula start gets a leading ``'``.

    Example:
        >>> print(safe_cell('=HYPERLINK("http://x")'), safe_cell("-1"), safe_cell("ok"))
        '=HYPERLINK("http://x") '-1 ok
    """
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text

COLUMNS = ("id", "rule", "clause", "kind", "severity", "flow", "from", "to", "items",
           "message", "remedy", "waived")


def render(audit, lang: str = "en") -> str:
    """CSV text of the audit's findings; ``lang`` picks message and remedy.

    With several packs, each row also gives the finding's ``pack`` and its
    flow's status under each pack (``status_policy``, ``status_appi``; empty
    where the pack does not judge the flow).

    Example:
        >>> import csv, lineage
        >>> text = render(lineage.check("inventories/monocollabo"), lang="ja")
        >>> row = list(csv.DictReader(text.removeprefix(BOM).splitlines()))[0]
        >>> row["id"], row["items"], row["waived"], row["message"]
        ('TP222:F30:phone', 'phone', 'false', '項目 phone は共同利用の通知・公表 J1 にありません')
    """
    from ..rules.engine import pack_of_finding  # the CLI imports this module at start-up
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    packs = list(audit.packs) if audit.side_by_side else []
    writer.writerow(COLUMNS + (("pack",) if packs else ()) + tuple(f"status_{p}" for p in packs))
    suffix = "_ja" if lang == "ja" else ""
    per_flow = {r.id: r.status_by_pack or {} for r in audit.flow_results}
    for f in audit.results:
        d = f.as_dict()
        row = [d["id"], d["rule"], d["clause"], d["kind"], d["severity"],
               d["flow"], d["from"], d["to"], ";".join(d["items"]),
               d["message" + suffix], d["remedy" + suffix],
               "true" if d["waived"] else "false"]
        if packs:
            row.append(pack_of_finding(f) or "")
            row += [per_flow[f.flow].get(p, "") for p in packs]
        writer.writerow([safe_cell(c) for c in row])
    return BOM + out.getvalue()
