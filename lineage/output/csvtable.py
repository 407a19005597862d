"""The findings table as CSV (one row per finding, lists joined with ``;``).

Every CSV lineage writes starts with a UTF-8 byte-order mark (:data:`BOM`): Excel
in Japan opens a CSV without one as Shift_JIS and garbles the Japanese. Python's
``utf-8-sig`` codec and lineage's own readers skip it.

Example:
    >>> import lineage
    >>> render(lineage.check("inventories/monocollabo")).splitlines()[0]
    '\ufeffid,rule,clause,kind,severity,flow,from,to,items,message,remedy,waived,policy_label,policy_text'

The last two columns quote the organisation's own policy (``policy.clauses`` of
the inventory) for the finding's clause, and stay empty when it maps none.
"""

from __future__ import annotations

import csv
import io

from ..files import BOM, FORMULA_STARTS, safe_cell
from ..rules.clauses import quotes

# safe_cell and BOM live with the file helpers (every CSV writer shares them)
__all__ = ["render", "chunks", "COLUMNS", "BOM", "safe_cell", "FORMULA_STARTS"]

COLUMNS = ("id", "rule", "clause", "kind", "severity", "flow", "from", "to", "items",
           "message", "remedy", "waived", "policy_label", "policy_text")


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
    return "".join(chunks(audit, lang))


#: Rows per piece of :func:`chunks`.
ROWS_PER_CHUNK = 2000


def chunks(audit, lang: str = "en"):
    """:func:`render`'s text in pieces of :data:`ROWS_PER_CHUNK` rows, so a large
    table is written as it is made.

    Example:
        >>> import lineage
        >>> audit = lineage.check("inventories/monocollabo")
        >>> pieces = list(chunks(audit))
        >>> pieces[0].startswith(BOM + "id,rule"), "".join(pieces) == render(audit)
        (True, True)
    """
    from ..rules.engine import pack_of_finding  # the CLI imports this module at start-up
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    packs = list(audit.packs) if audit.side_by_side else []
    out.write(BOM)
    writer.writerow(COLUMNS + (("pack",) if packs else ()) + tuple(f"status_{p}" for p in packs))
    suffix = "_ja" if lang == "ja" else ""
    per_flow = {r.id: r.status_by_pack or {} for r in audit.flow_results} if packs else {}
    policy = audit.inventory.policy
    cited: dict[str, tuple[str, str]] = {}  # many findings, few clauses
    for n, f in enumerate(audit.results, start=1):
        d = f.as_dict()
        if f.clause not in cited:
            quoted = list(quotes(f.clause, policy))
            cited[f.clause] = (" / ".join(c.label or "" for c in quoted),
                               " / ".join(c.text or "" for c in quoted))
        row = [d["id"], d["rule"], d["clause"], d["kind"], d["severity"],
               d["flow"], d["from"], d["to"], ";".join(d["items"]),
               d["message" + suffix], d["remedy" + suffix],
               "true" if d["waived"] else "false", *cited[f.clause]]
        if packs:
            row.append(pack_of_finding(f) or "")
            row += [per_flow[f.flow].get(p, "") for p in packs]
        writer.writerow([safe_cell(c) for c in row])
        if n % ROWS_PER_CHUNK == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()
