"""Load an inventory from any accepted form into the typed model.

``load`` finds the form (a YAML file, a folder of YAML files), reads raw values
with their locations, validates every record against the schema, then checks
references across collections. Every problem is collected before it raises
:class:`~lineage.model.errors.InventoryError`. Input files are only read.

Example:
    >>> inv = load("inventories/monocollabo")
    >>> inv.organisation
    'monocollabo'
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata

from array import array
from itertools import repeat
from operator import is_
from pathlib import Path
from typing import Callable

from typing import Literal

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from . import schema
from ..files import note_input
from ..progress import report
from .errors import MAX_PROBLEMS, InventoryError, Location, Problem, did_you_mean
from .references import TooManyProblems, check_references
from .csvfolder import Columns, decode, forced_encoding, read_csv_folder, undecodable
from .fastpath import Facts, Unusual, record_builder, table_builder
from .workbook import read_workbook
from .sources import RawInventory, read_yaml_file, read_yaml_folder, yaml_files
from .tables import CODE_OF_JA, TOP_SHEET, japanese_headers

__all__ = ["load", "read_raw", "build_inventory", "READERS"]

_TOP_FIELDS = ("format", "organisation", "as_of", "note", "policy")
_REQUIRED_TOP = ("format", "organisation", "parties", "flows")
#: Every key a record may have, for "did you mean" hints on unknown keys.
_FIELD_NAMES = sorted({f.alias or name for model in (*schema.COLLECTIONS.values(),
                                                     schema.Exemption, schema.Responsible,
                                                     schema.Revision, schema.Policy,
                                                     schema.PolicyClause)
                       for name, f in model.model_fields.items()})
_RECORD_ADAPTERS = {name: TypeAdapter(model) for name, model in schema.COLLECTIONS.items()}

#: Whether :func:`load` reads a CSV folder's collections column by column (the
#: tests turn it off to compare with the row-by-row reading).
COLUMNAR = True

#: Readers by form; later forms (CSV folder, Excel) register here.
READERS: dict[str, Callable[[Path], RawInventory]] = {
    "yaml": read_yaml_file,
    "yaml-folder": read_yaml_folder,
    "csv-folder": read_csv_folder,
    "xlsx": read_workbook,
}


def detect_form(path: Path) -> str:
    """Which reader a path needs: ``yaml``, ``yaml-folder`` or another registered form.

    Example:
        >>> detect_form(Path("inventories/monocollabo")), detect_form(Path("inventory.yaml"))
        ('yaml-folder', 'yaml')
    """
    if path.is_dir():
        if yaml_files(path):
            return "yaml-folder"
        if "csv-folder" in READERS and any(path.glob("*.csv")):
            return "csv-folder"
        raise InventoryError([Problem(Location(str(path)), None, None, None,
                                      "folder holds no inventory files (.yaml, .yml"
                                      + (", .csv" if "csv-folder" in READERS else "") + ")",
                                      "フォルダに棚卸しファイルがありません")])
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix in (".xlsx",) and "xlsx" in READERS:
        return "xlsx"
    if not path.exists():
        raise InventoryError([Problem(Location(str(path)), None, None, None,
                                      "no such file or folder",
                                      "ファイルまたはフォルダが見つかりません")])
    raise InventoryError([Problem(Location(str(path)), None, None, None,
                                  f"unknown inventory form '{suffix or path.name}'; expected "
                                  "a .yaml or .xlsx file, or a folder of .yaml or .csv files",
                                  "棚卸しの形式を判別できません")])


def read_raw(path: str | Path, encoding: str | None = None) -> RawInventory:
    """Read an inventory's raw values and source map, whatever its form.

    Example:
        >>> raw = read_raw("inventories/monocollabo")
        >>> raw.origin, raw.data["organisation"], type(raw.data["flows"][0]["start"]).__name__
        ('inventories/monocollabo', 'monocollabo', 'str')
    """
    return _read(path, encoding)


def _read(path: str | Path, encoding: str | None = None,
          by_column: bool = False) -> RawInventory:
    """:func:`read_raw`; with ``by_column``, a CSV folder's collections are kept as
    :class:`~lineage.model.csvfolder.Columns` for :func:`_build`."""
    path = Path(path)
    if not path.exists():
        raise InventoryError([Problem(Location(str(path)), None, None, None,
                                      "no such file or folder",
                                      "ファイルまたはフォルダが見つかりません")])
    form = detect_form(path)
    reader = READERS[form]
    if by_column and reader is read_csv_folder:
        def reader(folder):
            return read_csv_folder(folder, by_column=_table_builder)
    if encoding is not None and form == "csv-folder":
        with forced_encoding(encoding):
            return reader(path)
    return reader(path)


def load(path: str | Path, encoding: str | None = None) -> schema.Inventory:
    """Load and validate an inventory; raise ``InventoryError`` listing every problem.

    ``encoding`` names the text encoding of a CSV folder (``utf-8``, ``cp932``),
    and of the policy's text file (``policy.file``); by default each file's is
    detected.

    Example:
        >>> inv = load("inventories/monocollabo")
        >>> len(inv.flows), inv.flows[0].id, inv.flows[0].start
        (48, 'F01', datetime.date(2023, 4, 1))
    """
    raw = _read(path, encoding, by_column=COLUMNAR)
    # Nobody else sees this raw inventory: each record is let go once built, so
    # the raw records and the model never both fill memory.
    try:
        if encoding is None:
            return _build(raw, consume=True)
        with forced_encoding(encoding):
            return _build(raw, consume=True)
    finally:
        del raw
        release_free_memory()


def release_free_memory() -> None:
    """Give the C heap's free pages back to the system, where the C library can (glibc).

    Reading a large inventory frees tens of megabytes of the C heap (its text, the
    blocks of cells, the caches and sets of the read), scattered between what stays;
    Python's own allocator keeps small objects in separate arenas, so those pages
    would stay idle in the process until it ends. A no-op elsewhere.

    Example:
        >>> release_free_memory()
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _malloc_trim():
    global _TRIM
    if _TRIM is False:
        try:
            import ctypes
            _TRIM = ctypes.CDLL(None).malloc_trim
        except (OSError, AttributeError, TypeError):
            _TRIM = None
    return _TRIM


_TRIM = False  # glibc's malloc_trim, once looked up (None: the C library has none)


def build_inventory(raw: RawInventory) -> schema.Inventory:
    """Validate raw values into an :class:`~lineage.model.schema.Inventory`.

    Example:
        >>> from lineage.model.sources import SourceMap
        >>> raw = RawInventory({"format": "lineage/1", "organisation": "mc",
        ...                     "parties": [{"id": "mc", "role": "self"}], "flows": []},
        ...                    SourceMap(Location("<memory>")), "<memory>")
        >>> inv = build_inventory(raw)
        >>> inv.organisation, inv.parties[0].role, inv.data_items
        ('mc', 'self', None)
    """
    return _build(raw, consume=False)


def _build(raw: RawInventory, consume: bool) -> schema.Inventory:
    """:func:`build_inventory`; with ``consume``, each raw record is dropped from
    ``raw.data`` once validated."""
    problems: list[Problem] = list(raw.problems)
    if len(problems) > MAX_LOAD_PROBLEMS:  # the reader stopped listing them (add_capped)
        raise InventoryError(problems)
    data, source = raw.data, raw.source
    known = set(_TOP_FIELDS) | set(schema.COLLECTIONS)
    for key in data:
        if key not in known:
            known_keys = sorted(known)
            problems.append(Problem(source.locate((key,)), None, None, key,
                                    f"unknown top-level key '{key}'"
                                    + did_you_mean(str(key), known_keys),
                                    f"不明な最上位キー '{key}'"
                                    + did_you_mean(str(key), known_keys, "ja")))
    # a top-level cell holding a formula or an error value was reported as such
    told = {p.field for p in problems if p.message.startswith(_CELL_PROBLEMS)
            and p.collection == TOP_SHEET}
    for key in _REQUIRED_TOP:
        if data.get(key) is None and key not in told:
            problems.append(Problem(source.default, None, None, key,
                                    f"required top-level key '{key}' is missing",
                                    f"必須の最上位キー '{key}' がありません"))
    fields: dict = {}
    for key in _TOP_FIELDS:
        if data.get(key) is not None and str(data[key]).strip() != "":
            fields[key] = data[key]
    try:
        top = _TOP_ADAPTER.validate_python(fields)
    except ValidationError as exc:
        top = None
        # A missing required key was reported above, in the top-level wording.
        problems.extend(p for p in _problems(exc, source, None, None, data)
                        if not (p.field in _REQUIRED_TOP
                                and p.message == "required field is missing"))
    raw_ids: dict[str, list] = {}
    positions: dict[str, list[int]] = {}
    facts: dict = {}  # what a collection read column-wise holds (fastpath.Facts)
    distinct: dict = {}  # its raw IDs as a set, and how many rows named one
    # built per load: their caches (a cell's list of IDs) go with it
    builders = {name: record_builder(model) for name, model in schema.COLLECTIONS.items()}
    total = sum(len(v) for k, v in data.items()
                if k in schema.COLLECTIONS and isinstance(v, (list, Columns)))
    validated = 0
    for name in schema.COLLECTIONS:
        value = data.get(name)
        if value is None:
            continue
        if isinstance(value, Columns):
            report("records validated", validated, total)
            try:
                (fields[name], positions[name], raw_ids[name], facts[name],
                 distinct[name]) = _validate_columns(name, value, source, problems, builders,
                                                     consume, (validated, total))
            except _TooMany:
                raise InventoryError(_without_echoes(problems) + [_too_many(source, name)],
                                     truncated=True) from None
            validated += len(value)
            continue
        if not isinstance(value, list):
            problems.append(Problem(source.locate((name,)), name, None, None,
                                    f"'{name}' must be a list of records",
                                    f"'{name}' はレコードのリストである必要があります"))
            continue
        raw_ids[name] = [r.get("id") if isinstance(r, dict) else None for r in value]
        report("records validated", validated, total)
        try:
            fields[name], positions[name] = _validate(name, value, source, data, problems,
                                                      builders, consume, (validated, total))
        except _TooMany:
            raise InventoryError(_without_echoes(problems) + [_too_many(source, name)],
                                 truncated=True) from None
        validated += len(value)
    report("records validated", validated, total)
    problems = _name_hints(_without_echoes(problems), fields)
    if top is None or "parties" not in fields or "flows" not in fields:
        raise InventoryError(problems)
    fields.update({k: getattr(top, k) for k in _TOP_FIELDS})
    if top.policy is not None and top.policy.file is not None:
        problems.extend(_read_policy_file(top.policy, raw.origin, source))
    inventory = schema.Inventory.model_construct(**fields)
    inventory._source = source
    try:
        problems.extend(check_references(inventory, source, raw_ids, positions,
                                         facts.get("flows"), distinct,
                                         max(0, MAX_LOAD_PROBLEMS - _counted(problems))))
    except TooManyProblems as exc:
        problems.extend(exc.problems)
        # (none when the cap was reached before the checks across records: the review
        # of round 14 saw an IndexError there)
        name = exc.problems[-1].collection if exc.problems else None
        raise InventoryError(problems + [_too_many(source, name, "checked")],
                             truncated=True) from None
    if problems:
        raise InventoryError(problems)
    return inventory


#: How an ID pattern message ends when no hint follows it (see :func:`_pattern_words`).
_ID_RULE_END = "(no spaces, no other characters)"


def _name_hints(problems: list[Problem], fields: dict) -> list[Problem]:
    """``problems`` with a hint where a value that is no ID is the display name of a
    party, data item or purpose: an office types 法令等に基づく対応 where the ID is
    ``regulatory`` (the trial of round 15), and the ID's rule alone does not say
    what to write.

    Example:
        >>> from lineage.model.errors import Location
        >>> purpose = schema.Purpose(id="regulatory", name="法令等に基づく対応")
        >>> words = _pattern_words("法令等に基づく対応", schema.ID_PATTERN)
        >>> p = Problem(Location("flows.csv", row=2), "flows", "F1", "purposes.0", *words,
        ...             value="法令等に基づく対応")
        >>> _name_hints([p], {"purposes": [purpose]})[0].message.split(") ")[-1]
        "(that is the name of purpose 'regulatory': write its ID)"
    """
    if not any(p.message.endswith(_ID_RULE_END) for p in problems):
        return problems
    named: dict = {}
    for collection, what, what_ja in (("purposes", "purpose", "利用目的"),
                                      ("data_items", "data item", "データ項目"),
                                      ("parties", "party", "当事者")):
        for record in fields.get(collection) or ():
            for text in (getattr(record, "name", None), getattr(record, "name_en", None)):
                if isinstance(text, str) and text.strip():
                    named.setdefault(unicodedata.normalize("NFKC", text).strip(),
                                     (record.id, what, what_ja))
    if not named:
        return problems
    out = []
    for p in problems:
        if isinstance(p.value, str) and p.message.endswith(_ID_RULE_END):
            found = named.get(unicodedata.normalize("NFKC", p.value).strip())
            if found is not None:
                rid, what, what_ja = found
                p = dataclasses.replace(
                    p, message=f"{p.message} (that is the name of {what} '{rid}': write its ID)",
                    message_ja=f"{p.message_ja}（{what_ja} '{rid}' の名称です。ID '{rid}' を"
                               "書いてください）")
        out.append(p)
    return out


def _without_echoes(problems: list[Problem]) -> list[Problem]:
    """``problems`` without each record's "required field is missing" where the reader
    reported the cause (:func:`_echo_filter`: the whole column missing, one line, not
    one per row; a cell's formula or error value), and with an unknown column's rows as
    one problem (:func:`_unknown_columns`).

    Example:
        >>> col = Problem(Location("flows.csv", row=1), "flows", None, "start",
        ...               "required column 'start' is missing", "")
        >>> row = Problem(Location("flows.csv", row=2), "flows", "F1", "start",
        ...               "required field is missing", "")
        >>> [p.record for p in _without_echoes([col, row])]
        [None]
    """
    return _unknown_columns(_echo_filter(problems)(problems))


_CELL_PROBLEMS = ("cell holds a formula", "cell holds the error value")


def _cell_key(p: Problem) -> tuple:
    loc = p.location
    return loc.file, loc.sheet, loc.row, p.collection, p.field


def _unknown_columns(problems: list[Problem]) -> list[Problem]:
    """One problem at the header for an unknown column holding values in several rows,
    not one per row (the trial of round 13: a misspelt 開始日 gave 37 lines).

    Example:
        >>> rows = [Problem(Location("flows.csv", row=n, column="開始年月日"), "flows", f"F{n}",
        ...                 "開始年月日", "unknown key '開始年月日' (typo?)", "不明なキー '開始年月日' です")
        ...         for n in (2, 3, 4)]
        >>> [str(p) for p in _unknown_columns(rows)]
        ["flows.csv row 1 column 開始年月日: flows: field '開始年月日': unknown column '開始年月日' (typo?), with values in 3 rows"]
    """
    groups: dict = {}
    for p in problems:
        loc = p.location
        if (loc.row is not None and loc.column is not None and p.record is not None
                and p.message.startswith("unknown key '")):
            groups.setdefault((loc.file, loc.sheet, loc.column, p.collection, p.field),
                              []).append(p)
    many = {id(p): key for key, got in groups.items() if len(got) > 1 for p in got}
    if not many:
        return problems
    out, said = [], set()
    for p in problems:
        key = many.get(id(p))
        if key is None:
            out.append(p)
        elif key not in said:
            said.add(key)
            n = len(groups[key])
            file, sheet, column, collection, field = key
            out.append(Problem(
                Location(file, sheet=sheet, row=1, column=column), collection, None, field,
                p.message.replace("unknown key", "unknown column", 1) + f", with values in {n} rows",
                p.message_ja.replace("不明なキー", "不明な列", 1) + f"（{n} 行に値があります）"))
    return out


class _Top(BaseModel):
    """The top-level scalars, validated apart so collections can fail alone."""

    model_config = ConfigDict(extra="ignore")
    format: Literal["lineage/1"]
    organisation: schema.Id
    as_of: schema.Date | None = None
    note: schema.Text | None = None
    policy: schema.Policy | None = None


#: The largest policy text read (a policy is pages, not megabytes).
MAX_POLICY_BYTES = 2_000_000


def policy_folder(origin: str | Path) -> Path:
    """The folder ``policy.file`` is read relative to: the inventory folder, or the
    folder holding an inventory file.

    Example:
        >>> policy_folder("inventories/monocollabo").as_posix()
        'inventories/monocollabo'
    """
    path = Path(origin)
    return path if path.is_dir() else path.parent


def _read_policy_file(policy: schema.Policy, origin: str, source) -> list[Problem]:
    """Read ``policy.file`` into the policy; a problem naming the field if it cannot be.

    The file must lie inside the inventory's folder: an inventory must not make
    a report quote an arbitrary file of the machine it is checked on.
    """
    where = source.locate(("policy", "file"))

    def problem(en: str, ja: str) -> list[Problem]:
        return [Problem(where, None, "policy", "policy.file", en, ja)]

    if origin.startswith("<"):
        return problem(f"{policy.file!r}: an inventory read from memory has no folder to "
                       "read the policy file from",
                       f"{policy.file!r}: メモリ上の棚卸しからは方針のファイルを読めません")
    base = policy_folder(origin).resolve()
    target = (base / policy.file).resolve()
    if Path(policy.file).is_absolute() or not target.is_relative_to(base):
        return problem(f"{policy.file!r} lies outside the inventory's folder {base}; put the "
                       "policy text beside the inventory and give a relative path",
                       f"{policy.file!r} は棚卸しのフォルダの外にあります。"
                       "方針の全文は棚卸しと同じフォルダに置き、相対パスで指定してください")
    if not target.is_file():
        return problem(f"{policy.file!r}: no such file in {base}",
                       f"{policy.file!r}: ファイルが見つかりません")
    try:
        with target.open("rb") as fh:
            data = fh.read(MAX_POLICY_BYTES + 1)
        note_input(target)  # an input of the run: no output of it may replace the file
    except OSError as exc:
        return problem(f"{policy.file!r}: cannot read file: {exc.strerror or exc}",
                       f"{policy.file!r}: ファイルを読めません")
    if len(data) > MAX_POLICY_BYTES:
        return problem(f"{policy.file!r} is larger than {MAX_POLICY_BYTES} bytes",
                       f"{policy.file!r} が大きすぎます")
    try:
        # as for CSV files: a BOM or valid UTF-8 is UTF-8, else Shift_JIS (CP932) as
        # Japanese Windows saves text (or what --encoding forces)
        text, _ = decode(data)
    except UnicodeDecodeError as exc:
        en, ja = undecodable(exc)
        return problem(f"{policy.file!r}: {en}", f"{policy.file!r}: {ja}")
    except LookupError as exc:
        return problem(f"{policy.file!r}: unknown encoding ({exc})",
                       f"{policy.file!r}: 文字コードが不明です（{exc}）")
    # CR LF and a lone CR (an old Mac file, or a last line saved with CR alone) end lines
    policy._text = text.replace("\r\n", "\n").replace("\r", "\n")
    return []


_TOP_ADAPTER = TypeAdapter(_Top)


#: Problems a load collects before it stops reading: the CLI shows 200, and a file whose
#: every row is wrong would otherwise build millions (the hostile review of round 13:
#: 500,000 bad rows took 38 s and 2.8 GB to list 3,000,000 problems).
MAX_LOAD_PROBLEMS = MAX_PROBLEMS


class _TooMany(Exception):
    """A collection gave :data:`MAX_LOAD_PROBLEMS` problems: the load stops reading it."""


def _counted(problems: list, seen: set | None = None) -> int:
    """The problems the cap counts. An unknown column's value in every row of a CSV file
    or sheet is one problem once collapsed (:func:`_unknown_columns`): it counts once
    (the review of round 13: one misspelt header in a file of 50,000 rows hit the cap),
    ``seen`` keeping the columns counted. A YAML file's unknown keys are each reported,
    and each counts (the hostile review of round 14: 200,000 of them were never capped).

    Example:
        >>> row = lambda r, key: Problem(Location("f.csv", row=r), "flows", "F1", key,
        ...                              f"unknown key '{key}'", "")
        >>> line = Problem(Location("f.yaml", 3), "flows", "F1", "x", "unknown key 'x'", "")
        >>> seen = set()
        >>> _counted([row(2, "x"), row(3, "x"), row(3, "y"), line, line], seen), len(seen)
        (4, 2)
    """
    seen = set() if seen is None else seen
    n = 0
    for p in problems:
        if p.message.startswith("unknown key '") and p.location.row is not None:
            key = (p.location.file, p.location.sheet, p.collection, p.field, p.message)
            if key in seen:
                continue
            seen.add(key)
        n += 1
    return n


def _echo_filter(problems: list) -> Callable[[list], list]:
    """A function dropping a record's "required field is missing" where ``problems``
    report the cause already: the whole column missing, or a workbook cell holding a
    formula or an error value (reported as such and left out of its record). The
    validation applies it before the cap counts (the review of round 14: 6,000
    formula cells in a required column said "more than 10,000 problems")."""
    columns = {(p.collection, p.field) for p in problems
               if p.record is None and p.message.startswith("required column ")}
    cells = {_cell_key(p) for p in problems if p.message.startswith(_CELL_PROBLEMS)}
    if not columns and not cells:
        return lambda found: found

    def keep(found: list) -> list:
        return [p for p in found if not (p.message == "required field is missing" and (
            (p.collection, p.field) in columns or _cell_key(p) in cells))]
    return keep


def _keep_most(problems: list, counted: int) -> None:
    """Drop the last problems past :data:`MAX_LOAD_PROBLEMS` (``counted`` in all): the
    load stops at the first problem past the cap, so that "more than 10,000" is true
    (the hostile review of round 14: exactly 10,000 problems said "more than")."""
    excess = counted - MAX_LOAD_PROBLEMS
    if excess > 0:
        del problems[len(problems) - excess:]


def _too_many(source, name: str | None, done: str = "read") -> Problem:
    """The note closing a load that stopped at :data:`MAX_LOAD_PROBLEMS`: the rest of
    collection ``name`` was not ``done`` ("read", or "checked" for the checks across
    records)."""
    ja = "読んで" if done == "read" else "確認して"
    if name is None:  # a top-level field (the organisation)
        return Problem(source.locate(()), None, None, None,
                       f"more than {MAX_LOAD_PROBLEMS:,} problems: the rest was not {done} "
                       "(fix these first)",
                       f"問題が {MAX_LOAD_PROBLEMS:,} 件を超えたため、残りは{ja}いません"
                       "（まずこれらを直してください）")
    return Problem(source.locate((name,)), name, None, None,
                   f"more than {MAX_LOAD_PROBLEMS:,} problems: the rest of '{name}' was not "
                   f"{done} (fix these first)",
                   f"問題が {MAX_LOAD_PROBLEMS:,} 件を超えたため、'{name}' の残りは{ja}いません"
                   "（まずこれらを直してください）")


def _validate(name: str, records: list, source, data, problems: list[Problem],
              builders: dict, consume: bool = False,
              progress: tuple[int, int] = (0, 0)) -> tuple[list, list[int]]:
    """The valid records of one collection and their input positions; problems of the others.

    The fast path (:mod:`~lineage.model.fastpath`) builds each record it can
    prove valid; pydantic reads every other record, alone. A list's errors are
    its records' errors under their index, so the problems are those of
    validating the whole list at once, in the same order.
    """
    build = builders[name]
    adapter = _RECORD_ADAPTERS[name]
    valid: list = []
    indices: list[int] = []
    before, total = progress
    seen: set = set()
    counted = _counted(problems, seen)
    echoes = _echo_filter(problems)
    for index, record in enumerate(records):
        if not index & 0x3FFF and index:  # a million records take seconds: say how far
            report("records validated", before + index, total)
        try:
            valid.append(build(record))
        except Unusual:
            try:
                valid.append(adapter.validate_python(record))
            except ValidationError as exc:
                found = echoes(_problems(exc, source, name, records, data, (index,)))
                problems.extend(found)
                if consume:
                    records[index] = None
                counted += _counted(found, seen)
                if counted > MAX_LOAD_PROBLEMS:
                    _keep_most(problems, counted)
                    raise _TooMany
                continue
        indices.append(index)
        if consume:
            records[index] = None
    return valid, indices


#: Per collection, the fields (and pairs of fields) whose facts the reference
#: check reads instead of walking the records (see references.check_references).
_FACTS = {"flows": (("frm", "to", "items", "consents", "notice", "contract", "event"),
                    (("frm", "to"),))}


#: Per collection, the fields naming a party, which the column-wise reader reads
#: from the parties' IDs read first (see fastpath.table_builder's ``known``).
_PARTY_FIELDS = {"flows": ("frm", "to")}


def _table_builder(name: str, header: tuple, parties: list = ()) -> Callable | None:
    """The column-wise builder of collection ``name`` for a file with ``header``;
    ``parties``: the parties' IDs, when read before the file."""
    return table_builder(schema.COLLECTIONS[name], header, *_FACTS.get(name, ((), ())),
                         known=(_PARTY_FIELDS.get(name, ()), parties))


def _validate_columns(name: str, table: Columns, source, problems: list[Problem],
                      builders: dict, consume: bool = False,
                      progress: tuple[int, int] = (0, 0)) -> tuple:
    """:func:`_validate` of a collection read column by column; also each record's raw ID,
    the table's :class:`~lineage.model.fastpath.Facts` and its set of raw IDs.

    The reader built the rows :func:`~lineage.model.fastpath.table_builder` proves
    valid; every other row goes through :func:`_validate`'s steps from its
    mapping, so its problems are the same, in order.
    """
    build = builders[name]
    adapter = _RECORD_ADAPTERS[name]
    valid: list = []
    indices: array | None = None  # while every record is valid, their positions are a range
    facts = table.facts
    if facts is None and name in _FACTS:
        facts = Facts(*_FACTS[name])
    raw_ids: list = []
    before, total = progress
    index = 0
    seen: set = set()
    counted = _counted(problems, seen)
    echoes = _echo_filter(problems)
    for number, (built, odd, raws, ids) in enumerate(table.blocks):
        count = len(built)
        raw_ids.extend(ids)
        for row in odd:
            raw = raws[row]
            try:
                built[row] = build(raw)
            except Unusual:
                try:
                    built[row] = adapter.validate_python(raw)
                except ValidationError as exc:
                    found = echoes(_problems(exc, source, name, {index + row: raw}, None,
                                             (index + row,)))
                    problems.extend(found)
                    counted += _counted(found, seen)
                    if counted > MAX_LOAD_PROBLEMS:
                        _keep_most(problems, counted)
                        raise _TooMany from None
                    continue
            if facts is not None:
                facts.add(built[row])
        if odd and any(map(is_, built, repeat(None))):
            kept = [row for row, record in enumerate(built) if record is not None]
            valid.extend(built[row] for row in kept)
            if indices is None:
                indices = array("q", range(index))
            indices.extend(index + row for row in kept)
        else:
            valid.extend(built)
            if indices is not None:
                indices.extend(range(index, index + count))
        index += count
        if consume:
            table.blocks[number] = None
        report("records validated", before + index, total)
    table.ids.discard(None)
    return (valid, range(index) if indices is None else indices, raw_ids, facts,
            (table.ids, table.named))


def _problems(exc: ValidationError, source, collection, records, data,
              prefix: tuple = ()) -> list[Problem]:
    out = []
    # One record may hold more errors than a load lists (a row of 200,000 unknown
    # columns, the hostile review of round 14): the rest would each be described, a
    # did-you-mean search each, for the cap to drop them.
    for err in exc.errors(include_url=False)[:MAX_LOAD_PROBLEMS + 1]:
        loc = prefix + tuple(err["loc"])
        if collection is None:
            path = loc
            record = None
            field_path = [p for p in loc if isinstance(p, str)]
        else:
            index = loc[0] if loc and isinstance(loc[0], int) else None
            path = (collection,) + loc
            rec = records[index] if index is not None else None
            record = _record_label(rec, index)
            field_path = [str(p) for p in loc[1:]]
        field = ".".join(field_path) or None
        where = source.locate(path)
        # (a line number: YAML, where a comma can cut a name in {...})
        message, message_ja = _describe(err, in_yaml=where.line is not None)
        out.append(Problem(where, collection, record, field, message, message_ja,
                           value=err.get("input")))
    return out


#: An unknown key that reads as the tail of a name cut at a comma (Ltd., Inc., a word
#: with a space or a capital, Japanese text): YAML's {...} ends a value at a comma.
_COMMA_TAIL = re.compile(r"[\s.()（）]|^[A-Z]|[^\x00-\x7f]")


def _record_label(record, index) -> str | None:
    if isinstance(record, dict) and isinstance(record.get("id"), str):
        return record["id"]
    if isinstance(record, dict) and "rule" in record and "flow" in record:
        return f"#{index + 1} ({record.get('rule')} on {record.get('flow')})"
    return None if index is None else f"#{index + 1}"


def _pattern_words(value, pattern, in_list: bool = False) -> tuple[str, str]:
    """The message for a value that does not match its field's pattern, the pattern in words.
    ``in_list``: the value is an element of a list, which may be several IDs joined by
    another separator than ``;`` (a Japanese 、, a comma), said in a hint.

    Example:
        >>> _pattern_words("car rier", schema.ID_PATTERN)[0]
        "'car rier' is not a valid ID: an ID is one or more of the ASCII letters A-Z and a-z, the digits 0-9 and the characters - _ . @ / (no spaces, no other characters)"
        >>> _pattern_words("Norway", schema.COUNTRY_PATTERN)[0]
        "'Norway' is not a country code: two capital letters (ISO 3166-1 alpha-2, e.g. JP, US)"
        >>> _pattern_words("name、address", schema.ID_PATTERN, in_list=True)[1].split("）")[-2]
        "（リストの区切りは ';' です: 'name;address'"
    """
    if pattern == schema.COUNTRY_PATTERN:
        return (f"{value!r} is not a country code: two capital letters (ISO 3166-1 alpha-2, "
                "e.g. JP, US)",
                f"{value!r} は国コードではありません: 大文字の英字 2 文字（ISO 3166-1 alpha-2、"
                "例: JP、US）")
    if pattern == schema.CLAUSE_KEY:
        return (f"{value!r} is not a clause number: a digit, then up to 31 of the ASCII "
                "letters, digits and the characters . [ ] ( ) - (e.g. 5[1]2)",
                f"{value!r} は条項番号ではありません: 数字 1 文字に続けて、半角英数字と記号 "
                ". [ ] ( ) - を 31 文字まで（例: 5[1]2）")
    hint = hint_ja = ""
    if isinstance(value, str):
        folded = unicodedata.normalize("NFKC", value).strip()
        if folded != value and re.fullmatch(schema.ID_PATTERN, folded):
            # full-width letters and digits (Ｋ４), as a Japanese keyboard types them
            hint, hint_ja = f" (write it in half-width characters: {folded!r})", \
                f"（半角で {folded!r} と書いてください）"
        elif value.strip().upper() in _SHEET_ERRORS:
            hint = " (a spreadsheet's error value: the formula or look-up behind the cell failed)"
            hint_ja = "（表計算ソフトのエラー値です。セルの数式や参照が失敗しています）"
        elif in_list:
            parts = [p for p in _LIST_SEPARATORS.split(folded) if p]
            if len(parts) > 1 and all(re.fullmatch(schema.ID_PATTERN, p) for p in parts):
                joined = ";".join(parts)
                hint = f" (a list separates its values with ';': {joined!r})"
                hint_ja = f"（リストの区切りは ';' です: {joined!r}）"
    return (f"{value!r} is not a valid ID: an ID is one or more of the ASCII letters A-Z and "
            "a-z, the digits 0-9 and the characters - _ . @ / (no spaces, no other characters)"
            + hint,
            f"{value!r} は ID に使えません: ID は半角英字 A-Z・a-z、数字 0-9、記号 - _ . @ / "
            "だけからなる 1 文字以上の文字列です（空白やその他の文字は使えません）" + hint_ja)


#: What people separate a list with where lineage reads ';' (after NFKC: 、 stays, ， is ,).
_LIST_SEPARATORS = re.compile(r"[、,・;\s]+")

#: The error values a spreadsheet shows in a cell whose formula failed.
_SHEET_ERRORS = frozenset({"#N/A", "#REF!", "#VALUE!", "#NAME?", "#DIV/0!", "#NUM!", "#NULL!",
                           "#SPILL!", "#CALC!", "#GETTING_DATA"})


#: schema._text's message for a control character: its kind, code point and position.
_HOLDS = re.compile(r"text holds a (control character|bidirectional control) U\+([0-9A-F]{4,6}) "
                    r"at position (\d+);")


def _describe(err: dict, in_yaml: bool = False) -> tuple[str, str]:
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return "required field is missing", "必須のフィールドがありません"
    if kind == "extra_forbidden":
        key = str(err["loc"][-1])
        # a Japanese header with a typo (提供記禄) is closest to a Japanese header
        known = _FIELD_NAMES if key.isascii() else japanese_headers()
        hint, hint_ja = did_you_mean(key, known), did_you_mean(key, known, "ja")
        if not hint and in_yaml and _COMMA_TAIL.search(key):
            # "Ltd." from {name: Siam Tours Co., Ltd.}: a comma ends a value in {...}
            hint = " (a text holding a comma inside {...} must be quoted: name: \"A, B\")"
            hint_ja = "（{...} の中でカンマを含む文字列は引用符で囲んでください: name: \"A, B\"）"
        hint, hint_ja = hint or " (typo?)", hint_ja or "（入力の誤り？）"
        return f"unknown key '{key}'{hint}", f"不明なキー '{key}' です{hint_ja}"
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        # pydantic's list reads "'a', 'b' or 'c'": in Japanese, 「、」 throughout
        expected_ja = re.sub(r"' or '", "'、'", expected).replace("', '", "'、'")
        # "jointuser" for joint_user: the closest choice, as for an unknown key
        choices = re.findall(r"'([^']*)'", expected)
        near = isinstance(value, str) and len(choices) > 1  # (one choice names itself)
        hint = did_you_mean(value, choices) if near else ""
        hint_ja = did_you_mean(value, choices, "ja") if near else ""
        code = CODE_OF_JA.get(value.strip()) if isinstance(value, str) else None
        if code in choices:
            # the Japanese term the reports print (委託先): its code is what the file holds
            hint, hint_ja = f" (write '{code}' for {value})", f"（{value} は '{code}' と書いてください）"
        return (f"{value!r} is not one of {expected}{hint}",
                f"{value!r} は {expected_ja} のいずれでもありません{hint_ja}")
    if kind.startswith("bool"):
        return (f"expected true or false (or ○/×), got {value!r}",
                f"true または false(○・× も可)を指定してください({value!r})")
    if kind in ("date_form", "worded"):  # a validator's own words, in both languages
        return ctx["message"], ctx["message_ja"]
    if kind == "value_error" or "set_int_max_str_digits" in str(err.get("msg", "")):
        text = str(ctx.get("error", err["msg"]))
        if "set_int_max_str_digits" in text or "4300 digits" in text:
            # Python's own limit on reading long numbers, whose message names a Python
            # setting (the hostile review of round 15)
            return ("a number of more than 4,300 digits", "4,300 桁を超える数です")
        held = _HOLDS.match(text)
        if held is not None:  # schema._text's refusal of a control character
            what = "双方向制御文字" if held[1] == "bidirectional control" else "制御文字"
            return text, (f"{what} U+{held[2]}（{held[3]} 文字目）を含みます。取り除いてください"
                          "（制御文字は図・書き出し・端末を壊します）")
        return text, "値が正しくありません: " + text
    if kind == "string_pattern_mismatch":
        # an element of a list (items.0): "name、address" is a list typed another way
        return _pattern_words(value, ctx.get("pattern"),
                              in_list=bool(err.get("loc")) and type(err["loc"][-1]) is int)
    if kind in ("list_type",):
        return f"expected a list, got {value!r}", "リストを指定してください"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping of fields, got {value!r}", "フィールドのマッピングを指定してください"
    if kind in ("too_short",):
        return "must not be empty", "空にできません"
    if kind in ("string_type",):
        return f"expected text, got {value!r}", "文字列を指定してください"
    if kind == "string_too_long" or (kind == "too_long" and isinstance(value, str)):
        # pydantic-core reports an over-long ID as too_long ("at most 128 items")
        return "text is too long for an ID", "ID が長すぎます"
    return err["msg"], err["msg"]
