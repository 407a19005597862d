"""Mutate valid inventories in every form and judge what the CLI did with them.

Used by the short fixed-seed run in the suite (``tests/fuzz/test_fuzz.py``,
in-process through click's CliRunner) and by the long run
(``scripts/fuzz.py``, one subprocess per input under resource limits).

A case is a seed number: ``make_case(seed, folder)`` writes one mutated
inventory (a YAML file, a YAML folder, a CSV folder or a workbook) and returns
its path, so any failure is replayed from its seed alone.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import hashlib
import io
import json
import random
import zipfile
from pathlib import Path

import yaml

FORMS = ("yaml", "yaml-folder", "csv-folder", "xlsx")

#: A small inventory touching every collection, so mutations reach every reader path.
SEED_INVENTORY = {
    "format": "lineage/1",
    "organisation": "mc",
    "as_of": "2026-01-01",
    "note": "seed",
    "data_items": [{"id": "name", "name": "氏名", "name_en": "Name"},
                   {"id": "email", "name": "メール"},
                   {"id": "cookie", "kind": "linkable"}],
    "purposes": [{"id": "shipping", "name": "配送"}, {"id": "offers", "name": "案内"}],
    "parties": [{"id": "mc", "role": "self", "name": "MC", "country": "JP"},
                {"id": "members", "role": "data_subject", "name": "会員"},
                {"id": "carrier", "role": "outsourcee", "name": "Carrier", "country": "JP"},
                {"id": "partner", "role": "third_party", "name": "Partner", "country": "US",
                 "groups": ["g1"]}],
    "contracts": [{"id": "K1", "party": "carrier", "signed_on": "2024-01-01",
                   "purposes": ["shipping"], "no_leak": True, "no_re_provision": True}],
    "consents": [{"id": "C1", "subjects": "members", "recipients": ["partner"],
                  "items": ["name"], "purposes": ["offers"], "obtained_on": "2024-02-01"}],
    "notices": [{"id": "O1", "kind": "opt_out", "published_on": "2024-01-01",
                 "items": ["name"], "purposes": ["offers"]}],
    "stop_requests": [{"id": "S1", "notice": "O1", "subjects": "members",
                       "received_on": "2025-01-01", "honoured_on": "2025-01-10"}],
    "flows": [{"id": "F1", "from": "members", "to": "mc", "items": ["name", "email"],
               "purposes": ["shipping"], "start": "2024-01-01"},
              {"id": "F2", "from": "mc", "to": "carrier", "items": ["name"],
               "purposes": ["shipping"], "start": "2024-01-01", "end": "2025-12-31"},
              {"id": "F3", "from": "mc", "to": "partner", "items": ["name"],
               "purposes": ["offers"], "start": "2024-03-01", "basis": "consent",
               "note": "=HYPERLINK(\"http://x\")"}],
    "waivers": [{"rule": "TP101", "flow": "F3", "reason": "reviewed",
                 "approved_by": "DPO", "expires_on": "2026-12-31"}],
}

_WEIRD_TEXT = ["", " ", "\u3000", "\t", "x" * 70_000, "=1+1", "-2", "@x", "'q", "a;b",
               "\r\n", "\x1b[2J", "\x00", "\x0b", "\ufffe", "\ud800", "😀" * 100, "NO", "on",
               "007", "1e3", "~", "null", "2024-02-30", "9999-12-31", "0001-01-01",
               "10000-01-01", "-1", "<script>", "&amp;", "]]>", "${x}", "{{x}}", "\u202e",
               "Ｆ１", "a\nb", "\\", '"', "'", "#", "*x", "&x", "!!python/object:os.system"]
_WEIRD_DATES = ["9999-12-31", "0001-01-01", "2024-02-29", "2023-02-29", "99999-01-01",
                "2024-13-01", "2024-1-1", "20240101", "2024/01/01", 45000, -1, True]


def _paths(node, prefix=()):
    """Every path into the nested dicts and lists of ``node``."""
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, prefix + (index,))


def _get(node, path):
    for part in path:
        node = node[part]
    return node


def _set(root, path, value):
    if not path:
        return value
    _get(root, path[:-1])[path[-1]] = value
    return root


def _weird_value(rng: random.Random, depth_bomb: bool = True):
    kind = rng.randrange(10)
    if kind == 0:
        return rng.choice(_WEIRD_TEXT)
    if kind == 1:
        return rng.choice(_WEIRD_DATES)
    if kind == 2:
        return rng.choice([None, True, False, 0, -1, 2 ** 70, 1.5, float("inf")])
    if kind == 3:
        return [rng.choice(_WEIRD_TEXT) for _ in range(rng.randrange(4))]
    if kind == 4:
        return {rng.choice(["id", "x", "from", "", "note"]): rng.choice(_WEIRD_TEXT)}
    if kind == 5 and depth_bomb:
        value = "deep"
        for _ in range(rng.choice([10, 70, 200])):
            value = [value] if rng.random() < 0.5 else {"k": value}
        return value
    if kind == 6:
        return "".join(chr(rng.choice([rng.randrange(32, 127), rng.randrange(0x3000, 0x30ff),
                                       rng.randrange(0, 0x110000)]))
                       for _ in range(rng.randrange(1, 30)))
    if kind == 7:
        return rng.choice(["mc", "members", "carrier", "partner", "F1", "K1", "O1", "name"])
    if kind == 8:
        return []
    return {}


def mutate_tree(data: dict, rng: random.Random, rounds: int | None = None) -> dict:
    """Apply random type swaps, deletions, duplications and odd values to ``data``."""
    data = copy.deepcopy(data)
    for _ in range(rounds or rng.randint(1, 4)):
        paths = [p for p in _paths(data) if p]
        path = rng.choice(paths)
        op = rng.randrange(6)
        parent = _get(data, path[:-1])
        if op == 0:  # delete
            if isinstance(parent, dict):
                parent.pop(path[-1], None)
            elif parent:
                parent.pop(path[-1])
        elif op == 1:  # duplicate a list element or a record
            if isinstance(parent, list):
                parent.insert(path[-1], copy.deepcopy(parent[path[-1]]))
            else:
                parent[str(path[-1]) + "_dup"] = copy.deepcopy(parent[path[-1]])
        elif op == 2:  # type swap / odd value
            _set(data, path, _weird_value(rng))
        elif op == 3:  # unknown or misspelt key
            target = _get(data, path)
            if isinstance(target, dict):
                target[rng.choice(["extra", "Id", "frm", "項目", "\x1bkey", ""])] = "x"
        elif op == 4:  # many records
            target = _get(data, path)
            if isinstance(target, list) and target:
                target.extend(copy.deepcopy(target[-1]) for _ in range(rng.choice([5, 50])))
        else:  # swap two values of the same record
            if isinstance(parent, dict) and len(parent) > 1:
                other = rng.choice(list(parent))
                parent[path[-1]], parent[other] = parent[other], parent[path[-1]]
    return data


_TEXT_KEYS = {"name", "name_en", "note", "reason", "approved_by"}
_DATE_KEYS = {"start", "end", "signed_on", "ends_on", "obtained_on", "published_on",
              "received_on", "honoured_on", "expires_on", "as_of"}
_EDGE_DATES = ["9999-12-31", "0001-01-01", "9999-12-30", "2024-02-29", "0001-01-02"]


def mutate_gently(data: dict, rng: random.Random) -> dict:
    """Odd but often valid changes: strange names and notes, dates at the calendar's edges.

    These reach the checker and every output, where type swaps mostly stop at loading.
    """
    data = copy.deepcopy(data)
    paths = [p for p in _paths(data) if p and isinstance(p[-1], str)
             and p[-1] in _TEXT_KEYS | _DATE_KEYS]
    for path in rng.sample(paths, min(len(paths), rng.randint(1, 5))):
        if path[-1] in _DATE_KEYS:
            _set(data, path, rng.choice(_EDGE_DATES))
        else:
            _set(data, path, rng.choice(_WEIRD_TEXT + [
                "".join(chr(rng.randrange(0x20, 0x2fff)) for _ in range(rng.randrange(1, 40)))]))
    return data


# -- writing a (possibly invalid) tree in each form ---------------------------------------------

def _yaml_text(data) -> str:
    try:
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1 << 20)
    except (yaml.YAMLError, ValueError, TypeError):
        return json.dumps(data, ensure_ascii=False, default=str)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _flat(record) -> dict:
    if not isinstance(record, dict):
        return {"id": _cell(record)}
    out = {}
    for key, value in record.items():
        if isinstance(value, dict) and value and all(not isinstance(v, (dict, list))
                                                     for v in value.values()):
            for sub, v in value.items():
                out[f"{key}.{sub}"] = _cell(v)
        else:
            out[str(key)] = _cell(value)
    return out


def _sheets(data) -> dict[str, list[list[str]]]:
    """Sheet name -> rows (header first) of a tree, as a CSV folder or workbook holds it."""
    sheets = {}
    top = {k: _cell(v) for k, v in data.items() if not isinstance(v, list)} \
        if isinstance(data, dict) else {"format": _cell(data)}
    sheets["inventory"] = [list(top), list(top.values())]
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, list):
                rows = [_flat(r) for r in value]
                header = list(dict.fromkeys(k for r in rows for k in r)) or ["id"]
                sheets[str(key)] = [header] + [[r.get(h, "") for h in header] for r in rows]
    return sheets


def write_form(data, form: str, folder: Path) -> Path:
    """Write ``data`` as ``form`` under ``folder``; return the inventory path."""
    folder.mkdir(parents=True, exist_ok=True)
    if form == "yaml":
        path = folder / "inv.yaml"
        path.write_text(_yaml_text(data), encoding="utf-8", errors="surrogatepass")
        return path
    if form == "yaml-folder":
        path = folder / "inv"
        path.mkdir()
        if not isinstance(data, dict):
            (path / "all.yaml").write_text(_yaml_text(data), encoding="utf-8",
                                           errors="surrogatepass")
            return path
        top = {k: v for k, v in data.items() if not isinstance(v, list)}
        (path / "inventory.yaml").write_text(_yaml_text(top), encoding="utf-8",
                                             errors="surrogatepass")
        for key, value in data.items():
            if isinstance(value, list):
                name = "".join(c for c in str(key) if c.isalnum() or c in "_-") or "x"
                (path / f"{name}.yaml").write_text(_yaml_text({key: value}), encoding="utf-8",
                                                   errors="surrogatepass")
        return path
    if form == "csv-folder":
        path = folder / "inv"
        path.mkdir()
        for sheet, rows in _sheets(data).items():
            name = "".join(c for c in sheet if c.isalnum() or c in "_-") or "x"
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerows(rows)
            (path / f"{name}.csv").write_text(out.getvalue(), encoding="utf-8",
                                             errors="surrogatepass")
        return path
    from openpyxl import Workbook
    path = folder / "inv.xlsx"
    wb = Workbook()
    wb.remove(wb.active)
    for sheet, rows in _sheets(data).items():
        title = "".join(c for c in sheet if c.isalnum() or c in "_-")[:31] or "x"
        if title in wb.sheetnames:
            continue
        ws = wb.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                clean = "".join(ch for ch in value if ch in "\t\n\r" or 32 <= ord(ch) < 0xd800
                                or 0xe000 <= ord(ch) < 0xfffe or ord(ch) > 0xffff)
                if clean:
                    cell = ws.cell(row=r, column=c)
                    cell.value = clean[:32_000]
                    cell.data_type = "s"  # text, as a user types it: never a formula
    wb.save(path)
    return path


# -- byte-level damage -------------------------------------------------------------------------

def damage_text(path: Path, rng: random.Random) -> None:
    """Damage a text file: truncate, insert odd bytes, aliases, a BOM, CRLF, a tab."""
    data = path.read_bytes()
    op = rng.randrange(7)
    if op == 0 and data:
        data = data[: rng.randrange(len(data))]
    elif op == 1:
        pos = rng.randrange(len(data) + 1)
        data = data[:pos] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 8))) + \
            data[pos:]
    elif op == 2:
        data = b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n")
    elif op == 3:
        bomb = b"x0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + b"".join(
            b"x%d: &a%d [" % (i, i) + b", ".join([b"*a%d" % (i - 1)] * 10) + b"]\n"
            for i in range(1, rng.choice([3, 6, 9])))
        data = bomb + data
    elif op == 4:
        data = data.replace(b"  ", b"\t", 1)
    elif op == 5:
        data = data.decode("utf-8", "replace").encode("cp932", "replace")
    else:
        data = data + b"\n" + b"[" * 2000 + b"]" * 2000 + b"\n"
    path.write_bytes(data)


def damage_zip(path: Path, rng: random.Random) -> None:
    """Damage a workbook: bit flips, truncation, a broken or bloated sheet, a missing part."""
    data = path.read_bytes()
    op = rng.randrange(6)
    if op == 0:
        buf = bytearray(data)
        for _ in range(rng.randint(1, 20)):
            i = rng.randrange(len(buf))
            buf[i] ^= 1 << rng.randrange(8)
        path.write_bytes(bytes(buf))
        return
    if op == 1:
        path.write_bytes(data[: rng.randrange(len(data))])
        return
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    sheets = [n for n, _ in parts if n.startswith("xl/worksheets/")] or [parts[0][0]]
    victim = rng.choice(sheets)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in parts:
            if name == victim:
                if op == 2:
                    body = body[: rng.randrange(len(body) + 1)]
                elif op == 3:
                    continue
                elif op == 4:
                    body = (b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaa">'
                            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                            b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
                            + body.replace(b"<t>", b"<t>&c;", 1))
                else:
                    import re
                    body = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"',
                                  body).replace(b"</sheetData>", b"<row/>" * 50_000
                                                + b"</sheetData>")
            z.writestr(name, body)
    path.write_bytes(out.getvalue())


def make_case(seed: int, folder: Path) -> tuple[Path, str]:
    """Write the mutated inventory of ``seed`` under ``folder``; return (path, description)."""
    rng = random.Random(seed)
    form = FORMS[seed % len(FORMS)]
    pick = rng.random()
    data = SEED_INVENTORY if pick < 0.1 else mutate_gently(SEED_INVENTORY, rng) \
        if pick < 0.45 else mutate_tree(SEED_INVENTORY, rng)
    path = write_form(data, form, folder)
    what = f"seed {seed}: {form}"
    if rng.random() < 0.3:
        if form == "xlsx":
            damage_zip(path, rng)
            what += " + damaged zip"
        else:
            files = [path] if path.is_file() else sorted(path.iterdir())
            damage_text(rng.choice(files), rng)
            what += " + damaged text"
    return path, what


def snapshot(path: Path) -> dict:
    """Hash of every file under ``path`` (or of the file): inputs must never change."""
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


#: Commands run on every case; OUT is replaced by a fresh output path.
COMMANDS = (
    ("validate",),
    ("check", "--format", "json"),
    ("check", "--format", "csv", "--as-of", "9999-12-31"),
    ("export", "-o", "OUT.graphml"),
    ("convert", "OUT.xlsx"),
    ("convert", "OUT.yaml"),
    ("convert", "OUTDIR", "--to", "csv"),
)


def judge(code: int, stdout: str, stderr: str) -> str | None:
    """What is wrong with a run's outcome, or None when it is acceptable."""
    if code not in (0, 1, 2):
        return f"exit code {code}"
    for bad in ("Traceback", "internal error", "site-packages", "Warning:"):
        if bad in stderr or bad in stdout:
            return f"{bad!r} in output"
    if any(len(line) > 600 for line in stderr.splitlines()):
        return "an error line longer than 600 characters"
    if stderr.count("\n") > 210:
        return "more than 210 lines of errors"
    if "\x1b" in stderr:
        return "an escape character in the errors"
    return None


def today() -> str:
    """The date, for log lines."""
    return dt.datetime.now(dt.timezone.utc).strftime("%H:%M:%S")
