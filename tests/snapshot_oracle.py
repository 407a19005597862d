"""The snapshot's rows, chunks and canonical text as lineage made them before
their fast paths (tests/test_snapshot_fast.py checks the fast paths against these).

Kept as they were, a dict per record and a call per row: slow, and plainly right.
"""

from __future__ import annotations

import hashlib
import json
import zlib

from lineage.snapshots.chunks import Chunk
from lineage.terms import STATUSES, natural_key

_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
dumps = _ENCODER.encode

FLOW_COLUMNS = ("flow", "from_party", "to_party", "items", "purposes", "basis",
                "start_date", "end_date", "route", "status", "findings")
FINDING_COLUMNS = ("finding_id", "rule", "clause", "kind", "severity", "flow",
                   "from_party", "to_party", "subject", "items", "evidence", "message",
                   "message_ja", "remedy", "remedy_ja", "waived")


def _record_key(record: dict):
    if "id" in record:
        return (natural_key(str(record["id"])),)
    return tuple(natural_key(str(record.get(k) or "")) for k in
                 ("rule", "flow", "item", "expires_on", "approved_by", "reason"))


def canonical_json(inventory) -> str:
    data = inventory.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    for key, value in data.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            data[key] = sorted(value, key=_record_key)
    return dumps(data)


def flow_row(d: dict) -> tuple:
    return (d["id"], d["from"], d["to"], dumps(d["items"]), dumps(d["purposes"]),
            d["basis"], d["start"], d["end"], d["route"], d["status"], dumps(d["findings"]))


def finding_row(f) -> tuple:
    d = f.as_dict()
    return (d["id"], d["rule"], d["clause"], d["kind"], d["severity"], d["flow"],
            d["from"], d["to"], f.subject, dumps(d["items"]), dumps(d["evidence"]),
            d["message"], d["message_ja"], d["remedy"], d["remedy_ja"], int(d["waived"]))


def flow_rows(audit) -> tuple:
    return tuple(flow_row(r.as_dict()) for r in audit.flow_results)


def finding_rows(findings) -> tuple:
    return tuple(finding_row(f) for f in findings)


def summarise(flows, findings) -> dict:
    ci = {c: i for i, c in enumerate(FINDING_COLUMNS)}
    fi = {c: i for i, c in enumerate(FLOW_COLUMNS)}
    severity = {"error": 0, "warning": 0, "waived": 0}
    kind: dict = {}
    for row in findings:
        if row[ci["waived"]]:
            severity["waived"] += 1
            continue
        severity[row[ci["severity"]]] = severity.get(row[ci["severity"]], 0) + 1
        kind[row[ci["kind"]]] = kind.get(row[ci["kind"]], 0) + 1
    route: dict = {}
    status = {s: 0 for s in STATUSES}
    for row in flows:
        route[row[fi["route"]]] = route.get(row[fi["route"]], 0) + 1
        status[row[fi["status"]]] = status.get(row[fi["status"]], 0) + 1
    return {"flows": len(flows), "findings": len(findings), "severity": severity,
            "kind": dict(sorted(kind.items())), "status": status,
            "route": dict(sorted(route.items()))}


LEVEL = 6
_MASK = 0x1FF
_MIN_ROWS, _MAX_ROWS = 64, 4096
_MAX_BYTES = 1 << 20
_SEP = "},{"


def _pack(part, seq, first, rows, payload) -> Chunk:
    packed = zlib.compress(payload, LEVEL)
    data = packed if len(packed) < len(payload) else payload
    return Chunk(part, seq, first, rows, len(payload), hashlib.sha256(data).hexdigest(), data)


def groups(pieces):
    start, size = 0, 0
    crc = zlib.crc32
    for i, piece in enumerate(pieces):
        size += len(piece)
        n = i + 1 - start
        if (n >= _MIN_ROWS and not crc(piece) & _MASK) or n >= _MAX_ROWS or size >= _MAX_BYTES:
            yield start, pieces[start:i + 1]
            start, size = i + 1, 0
    if start < len(pieces) or not pieces:
        yield start, pieces[start:]


def split_rows(part, rows) -> list:
    pieces = [dumps(list(r)).encode("utf-8") for r in rows]
    return [_pack(part, seq, first, len(group), b"[" + b",".join(group) + b"]")
            for seq, (first, group) in enumerate(groups(pieces))]


def split_text(part, text) -> list:
    parts = text.split(_SEP)
    pieces = [p.encode("utf-8") + b"},{" for p in parts[:-1]] + [parts[-1].encode("utf-8")]
    return [_pack(part, seq, first, len(group), b"".join(group))
            for seq, (first, group) in enumerate(groups(pieces))]


def chunks(snap) -> list:
    return (split_text("inventory", snap.inventory_json) + split_rows("flows", snap.flows)
            + split_rows("findings", snap.findings) + split_rows("waivers", snap.waivers))
