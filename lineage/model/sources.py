"""Reading inventory files into raw values with a map of where each came from.

YAML is composed into nodes with the safe loader (no object construction from
tags) and every scalar is kept as the text the user wrote; the schema's field
types decide what it means, so YAML 1.1 readings (``NO`` as false, ``on`` as
true, ``001`` as 1) never apply. Duplicate keys, non-standard tags and alias
bombs are problems, not silent surprises.

Example:
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "inv.yaml").write_text("format: lineage/1\\nparties:\\n  - {id: a, country: NO}\\n")
    >>> raw = read_yaml_file(d / "inv.yaml")
    >>> raw.data["parties"][0]["country"], raw.source.locate(("parties", 0, "country")).line
    ('NO', 3)
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..files import note_input_folder, read_input
from .errors import InventoryError, Location, Problem

__all__ = ["SourceMap", "RowTable", "RawInventory", "LineMap", "read_yaml_file", "read_yaml_folder",
           "yaml_files"]

_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_VALUE_TAG = "tag:yaml.org,2002:value"


class _Loader(_BASE_LOADER):
    """The safe loader with a resolver that only says what lineage asks of a tag.

    Scalars are kept as written, so the tag a plain scalar resolves to matters
    only when it is refused: of the safe resolver's implicit tags, only ``<<``
    (merge) and ``=`` (value) are. Every other plain scalar is tagged as text,
    which spares a regular-expression match per scalar.
    """

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode:
            if implicit[0]:
                if value == "<<":
                    return _MERGE_TAG
                if value == "=":
                    return _VALUE_TAG
            return _STR_TAG
        return super().resolve(kind, value, implicit)


_LOADER = _Loader
_ALLOWED_TAGS = {f"tag:yaml.org,2002:{t}" for t in
                 ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")}
_NULLS = {"", "~", "null", "Null", "NULL"}
#: Aliases may expand a document to at most this many times its written nodes ...
EXPANSION_FACTOR = 10
#: ... but always to this many values: a small file with a few shared lists is fine.
MIN_EXPANSION = 100_000
#: Aliases may expand a document's long texts (scalars of more than LONG_TEXT characters)
#: to at most EXPANSION_FACTOR times the file's length, or MIN_EXPANDED_TEXT characters:
#: 300 uses of one 2 MB name are 600 MB of names every later step reads (the hostile
#: review of round 15). Short values (IDs in a shared list) are the values cap's.
MIN_EXPANDED_TEXT = 10_000_000
LONG_TEXT = 1_000
#: Deepest nesting of lists and mappings; an inventory needs about six levels.
MAX_DEPTH = 64


class RowTable:
    """Where the records of one table (a CSV file, a sheet) sit, computed on demand.

    A reader keeps per record only its row number and which columns held a
    value (a bit per column); a :class:`Location` is built only when an error
    or a finding asks for one. ``last_prefix`` picks the column a nested path
    (``exemption``) points to when several columns hold it: the workbook
    reader names the last, the CSV reader the first.

    Example:
        >>> t = RowTable("flows.csv", ("id", "start", "exemption.law"), {("end",)})
        >>> t.add(2, ("id", "exemption.law"))
        >>> [str(t.locate(0, p)) for p in [(), ("start",), ("end",), ("exemption",)]]
        ['flows.csv row 2', 'flows.csv row 2', 'flows.csv row 2 column end', 'flows.csv row 2 column exemption.law']
    """

    __slots__ = ("file", "header", "labels", "schema", "sheet", "last_prefix", "rows",
                 "present", "_parts", "_exact", "_prefixed")

    def __init__(self, file: str, header: tuple, schema: set | frozenset = frozenset(), *,
                 labels: tuple | None = None, sheet: str | None = None,
                 last_prefix: bool = False):
        self.file = file
        self.header = tuple(header)
        self.labels = tuple(labels) if labels is not None else self.header
        self.schema = {tuple(p): ".".join(p) for p in schema}
        self.sheet = sheet
        self.last_prefix = last_prefix
        # row numbers fit 32 bits (a sheet has at most 1,048,576 rows)
        self.rows = array("I")
        # one bit per header column, in the narrowest array that holds them; a plain
        # list past 64 columns (ints of any size)
        width = len(self.header)
        self.present: array | list = (array(next(code for code in "BHIQ"
                                                 if array(code).itemsize * 8 >= width))
                                      if width <= 64 else [])
        self._parts = [tuple(h.split(".")) for h in self.header]
        self._exact: dict | None = None  # a path -> the columns naming it, when asked
        self._prefixed: dict | None = None  # a path -> the columns nested under it

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, row: int, columns) -> None:
        """Record the next record: its row number and the columns that held a value.

        Example:
            >>> t = RowTable("p.csv", ("id",)); t.add(5, ["id"]); len(t), t.rows[0]
            (1, 5)
        """
        mask = 0
        index = self.header.index
        for name in columns:
            mask |= 1 << index(name)
        self.rows.append(row)
        self.present.append(mask)

    def add_mask(self, row: int, mask: int) -> None:
        """Like :meth:`add` with the column bits already computed (bit i: header[i]).

        Example:
            >>> t = RowTable("p.csv", ("id", "role")); t.add_mask(3, 0b10)
            >>> t.locate(0, ("role",)).column
            'role'
        """
        self.rows.append(row)
        self.present.append(mask)

    def locate(self, index: int, rest: tuple) -> Location | None:
        """The location of ``rest`` inside record ``index``, or None past the last record.

        Example:
            >>> t = RowTable("p.csv", ("id",)); t.add(2, ["id"])
            >>> str(t.locate(0, ("id",))), t.locate(1, ())
            ('p.csv row 2 column id', None)
        """
        if not 0 <= index < len(self.rows):
            return None
        line, mask = self.rows[index], self.present[index]
        if self._exact is None:
            self._index()
        for k in range(len(rest), 0, -1):
            sub = tuple(rest[:k])
            column = self._column(sub, mask)
            if column is not None:
                return Location(self.file, sheet=self.sheet, row=line, column=column)
        return Location(self.file, sheet=self.sheet, row=line)

    def _index(self) -> None:
        """The columns by the path they name and by each path they are nested under:
        a look-up per problem, not a scan of every column (the hostile review of
        round 14: a CSV file of 20,000 unknown columns took 146 s to report them)."""
        exact: dict = {}
        prefixed: dict = {}
        for i, parts in enumerate(self._parts):
            exact.setdefault(parts, []).append(i)
            for k in range(1, len(parts)):
                prefixed.setdefault(parts[:k], []).append(i)
        self._exact, self._prefixed = exact, prefixed

    def _column(self, sub: tuple, mask: int) -> str | None:
        exact = [i for i in self._exact.get(sub, ()) if mask >> i & 1]
        prefixed = [i for i in self._prefixed.get(sub, ()) if mask >> i & 1]
        if self.last_prefix and (exact or prefixed):
            # the workbook reader wrote every column's nested paths in turn: the last wins
            return self.labels[max(exact + prefixed)]
        if exact:
            return self.labels[exact[-1]]
        if sub in self.schema:
            return self.schema[sub]
        if prefixed:
            return self.labels[prefixed[0]]
        return None


@dataclass
class SourceMap:
    """Locations of values by path, e.g. ``("flows", 3, "start")``.

    Paths not recorded fall back to their nearest recorded parent, so every
    problem gets at least a file. ``tables`` hold, per collection, where each
    record of a CSV file or sheet sits (:class:`RowTable`), computed on demand.

    Example:
        >>> sm = SourceMap(Location("inv.yaml"), {("flows", 0): Location("inv.yaml", 7)})
        >>> str(sm.locate(("flows", 0, "start"))), str(sm.locate(("parties", 1)))
        ('inv.yaml:7', 'inv.yaml')
    """

    default: Location
    paths: dict[tuple, Location] = field(default_factory=dict)
    tables: dict[str, RowTable] = field(default_factory=dict)
    #: Per YAML file, the line of each key and list entry by path: an int each, the
    #: Location is built when asked for.
    lines: list[tuple[str, dict[tuple, int]]] = field(default_factory=list)

    def locate(self, path: tuple) -> Location:
        """The location of ``path`` or of its closest recorded ancestor.

        Example:
            >>> sm = SourceMap(Location("inv.yaml"), {("flows",): Location("inv.yaml", 3)})
            >>> sm.locate(("flows", 2, "to")).line, sm.locate(("parties",)).line
            (3, None)
        """
        full = path = tuple(path)
        table = (self.tables.get(path[0]) if self.tables and len(path) >= 2
                 and type(path[1]) is int else None)
        while path:
            loc = self.paths.get(path)
            if loc is not None:
                return loc
            for file, lines in self.lines:
                line = lines.get(path)
                if line is not None:
                    return Location(file, line)
            if table is not None and len(path) == 2:
                # nested records (a notice's revisions) keep their own paths, looked up above
                loc = table.locate(full[1], full[2:])
                if loc is not None:
                    return loc
            path = path[:-1]
        return self.default

    def merge(self, other: "SourceMap") -> None:
        """Add ``other``'s paths (each top-level key comes from one source).

        Example:
            >>> a = SourceMap(Location("a.yaml"), {("parties",): Location("a.yaml", 1)})
            >>> a.merge(SourceMap(Location("b.yaml"), {("flows",): Location("b.yaml", 1)}))
            >>> str(a.locate(("parties", 0))), str(a.locate(("flows", 0)))
            ('a.yaml:1', 'b.yaml:1')
        """
        self.paths.update(other.paths)
        self.tables.update(other.tables)
        self.lines.extend(other.lines)


@dataclass
class RawInventory:
    """Top-level keys with raw (text) values, and where each value came from.

    ``problems`` are what a reader found that does not stop validation (a
    missing column): they are reported together with the schema's problems.

    Example:
        >>> raw = RawInventory({"format": "lineage/1"}, SourceMap(Location("<memory>")),
        ...                    "<memory>")
        >>> raw.origin, raw.problems
        ('<memory>', [])
    """

    data: dict
    source: SourceMap
    origin: str
    problems: list = field(default_factory=list)


def yaml_files(folder: Path) -> list[Path]:
    """The YAML files of an inventory folder, in name order.

    Anything named ``*.yaml``/``*.yml`` that is not a folder counts, so a dangling
    symlink or a named pipe is refused by name rather than skipped.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     d = Path(tmp)
        ...     for name in ("parties.yaml", "flows.yml", "notes.txt"):
        ...         _ = (d / name).write_text("{}\\n")
        ...     print([p.name for p in yaml_files(d)])
        ['flows.yml', 'parties.yaml']
    """
    return sorted(p for p in folder.iterdir()
                  if p.suffix.lower() in (".yaml", ".yml") and not p.is_dir())


#: libyaml's words for the common slips, in Japanese (anything else is quoted as it is).
_YAML_PROBLEMS_JA = {
    "did not find expected ',' or '}'": "',' か '}' がありません（{ } の閉じ忘れ？）",
    "did not find expected ',' or ']'": "',' か ']' がありません（[ ] の閉じ忘れ？）",
    "mapping values are not allowed here": "ここにはキーと値（: ）を書けません（: の後の空白、"
                                           "値の引用符の閉じ忘れ、字下げの誤り？）",
    "could not find expected ':'": "':' がありません",
    "found character that cannot start any token": "ここでは使えない文字があります"
                                                   "（タブ文字なら空白に置き換えてください）",
    "did not find expected key": "キーがありません（字下げの誤り？）",
    "did not find expected '-' indicator": "'-' がありません（リストの字下げの誤り？）",
    "found unexpected end of stream": "ファイルが途中で終わっています（引用符の閉じ忘れ？）",
    "found undefined alias": "定義されていない別名（*）があります",
    "found duplicate anchor": "同じ名前のアンカー（&）が二つあります",
}


def yaml_problem_ja(problem: str) -> str:
    """libyaml's ``problem`` in Japanese, or quoted as it is when it is not a common one.

    Example:
        >>> yaml_problem_ja("did not find expected ',' or '}'")
        "',' か '}' がありません（{ } の閉じ忘れ？）"
        >>> yaml_problem_ja("something rare")
        '「something rare」'
    """
    for words, japanese in _YAML_PROBLEMS_JA.items():
        if problem.startswith(words):
            return japanese
    return f"「{problem}」"


def read_yaml_file(path: Path, display: str | None = None) -> RawInventory:
    """Read one YAML inventory file; raise :class:`InventoryError` on any problem.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     path = Path(tmp) / "inv.yaml"
        ...     _ = path.write_text("format: lineage/1\\norganisation: 007\\n")
        ...     raw = read_yaml_file(path, display="inv.yaml")
        >>> raw.data, str(raw.source.locate(("organisation",)))
        ({'format': 'lineage/1', 'organisation': '007'}, 'inv.yaml:2')
    """
    path = Path(path)
    name = display or str(path)
    try:
        text = read_input(path).decode("utf-8-sig")
    except OSError as exc:
        raise InventoryError([Problem(Location(name), None, None, None,
                                      f"cannot read file: {exc.strerror or exc}",
                                      "ファイルを読めません")]) from None
    except UnicodeDecodeError as exc:
        raise InventoryError([Problem(Location(name), None, None, None,
                                      f"not UTF-8 text ({exc.reason} at byte {exc.start}); "
                                      "save the YAML file as UTF-8 (only a CSV folder may "
                                      "be CP932/Shift_JIS)",
                                      f"UTF-8 のテキストではありません（{exc.start} バイト目）。"
                                      "YAML ファイルは UTF-8 で保存してください"
                                      "（CP932/Shift_JIS で読めるのは CSV フォルダだけです）")]) \
            from None
    # Most files: no alias, nothing to report. Read event by event, no node tree.
    loader = _LOADER(text)
    try:
        return _yaml_raw(name, *_read_events(loader, name))
    except _Fallback:
        pass
    finally:
        loader.dispose()
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except RecursionError:
        raise InventoryError([Problem(Location(name), None, None, None,
                                      f"values are nested too deeply (more than {MAX_DEPTH} "
                                      "levels)", "入れ子が深すぎます")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        if isinstance(exc, yaml.reader.ReaderError):
            # a character YAML refuses (a NUL): PyYAML says where by position only, and
            # its text ends with "in '<unicode string>'" (the hostile review of round 15)
            line = text.count("\n", 0, exc.position) + 1
            reason = (f"a control character U+{exc.character:04X} cannot be in a YAML file"
                      if isinstance(exc.character, int) else "a character YAML does not allow")
        raise InventoryError([Problem(Location(name, line), None, None, None,
                                      f"invalid YAML: {reason}",
                                      "YAML の構文が正しくありません: " + yaml_problem_ja(reason))]) \
            from None
    written = _distinct_nodes(root)
    limit = max(EXPANSION_FACTOR * written, MIN_EXPANSION)
    sizes = _expanded_sizes(root)
    if sizes is not None and root is not None and sizes[id(root)] > limit:
        # Counted on the node graph without expanding anything: a bomb of 10**30
        # values is refused as fast as one of a million.
        key, size, where = None, sizes[id(root)], root
        if isinstance(root, yaml.MappingNode):
            where, _ = max(root.value, key=lambda kv: sizes[id(kv[1])])
            key = where.value if isinstance(where, yaml.ScalarNode) else None
        raise InventoryError([Problem(Location(name, where.start_mark.line + 1), key, None,
                                      None, f"aliases expand the document to {size:,} values, "
                                      f"more than the {limit:,} allowed (at most "
                                      f"{EXPANSION_FACTOR} times its {written:,} written "
                                      f"values, or {MIN_EXPANSION:,}); write the values out "
                                      "or share fewer", "エイリアスの展開で値が多くなりすぎます")])
    chars = _expanded_text(root)
    text_limit = max(EXPANSION_FACTOR * len(text), MIN_EXPANDED_TEXT)
    if chars is not None and chars > text_limit:
        raise InventoryError([Problem(
            Location(name, 1), None, None, None,
            f"aliases expand the document's long texts to {chars:,} characters, more than the "
            f"{text_limit:,} allowed (at most {EXPANSION_FACTOR} times its {len(text):,} "
            f"written characters, or {MIN_EXPANDED_TEXT:,}); write the values out or share "
            "fewer",
            f"エイリアスの展開で文字数が多くなりすぎます（{chars:,} 文字、上限 {text_limit:,} 文字）。"
            "値を書き出すか、共有を減らしてください")])
    converter = _Converter(name, written)
    data = {} if root is None else converter.convert(root, ())
    return _yaml_raw(name, data, LineMap(converter.paths), converter.problems)


def _yaml_raw(name: str, data, lines: "LineMap", problems: list[Problem] = ()) -> RawInventory:
    problems = list(problems)
    if not isinstance(data, dict):
        problems.append(Problem(Location(name, 1), None, None, None,
                                "the top level must be a mapping of keys "
                                "(format, organisation, parties, flows, ...)",
                                "最上位はキーと値の対応(マッピング)である必要があります"))
    if problems:
        raise InventoryError(problems)
    return RawInventory(data, SourceMap(Location(name, 1), lines=[(name, lines)]), name)


def read_yaml_folder(folder: Path) -> RawInventory:
    """Read a folder of YAML files whose top-level keys are merged.

    A key may appear in one file only; every file's problems are collected.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     _ = (Path(tmp) / "a.yaml").write_text("format: lineage/1\\n")
        ...     _ = (Path(tmp) / "b.yaml").write_text("organisation: mc\\n")
        ...     raw = read_yaml_folder(Path(tmp))
        >>> raw.data
        {'format': 'lineage/1', 'organisation': 'mc'}
    """
    note_input_folder(folder)  # no output of this run may add a file it would read
    folder = Path(folder)
    files = yaml_files(folder)
    problems: list[Problem] = []
    if not files:
        raise InventoryError([Problem(Location(str(folder)), None, None, None,
                                      "folder holds no .yaml/.yml files",
                                      "フォルダに YAML ファイルがありません")])
    merged: dict = {}
    source = SourceMap(Location(str(files[0]), 1))
    owner: dict[str, str] = {}
    for path in files:
        try:
            raw = read_yaml_file(path)
        except InventoryError as exc:
            problems.extend(exc.problems)
            continue
        for key, value in raw.data.items():
            if key in owner:
                problems.append(Problem(raw.source.locate((key,)), None, None, key,
                                        f"top-level key '{key}' is already defined in "
                                        f"{owner[key]}; a key may appear in one file only",
                                        f"キー '{key}' は {owner[key]} で定義済みです"))
                continue
            owner[key] = str(path)
            merged[key] = value
        source.merge(raw.source)
    if problems:
        raise InventoryError(problems)
    source.default = Location(str(folder))
    for key, file in owner.items():
        if not any((key,) in lines for _, lines in source.lines):
            source.paths.setdefault((key,), Location(file, 1))
    return RawInventory(merged, source, str(folder))


def _distinct_nodes(root) -> int:
    """How many nodes the document writes (an alias's target counts once)."""
    seen: set[int] = set()
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
    return len(seen)


def _children(node) -> list:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [value for _, value in node.value]
    return []


def _keys_and_children(node) -> list:
    """A node's children and, for a mapping, its keys too (a key may be an alias)."""
    if isinstance(node, yaml.MappingNode):
        return [child for pair in node.value for child in pair]
    return _children(node)


def _fold(root, own, children) -> dict[int, int] | None:
    """Each node's ``own(node)`` plus its ``children``'s totals, by node id, once
    aliases are expanded; None on a cycle. One pass over the written nodes (each
    alias target is totalled once), so it costs nothing even when the expansion
    is astronomical.

    Example:
        >>> root = yaml.compose("a: &x [1, 2]\\nb: *x", Loader=_LOADER)
        >>> _fold(root, lambda node: 1, _children)[id(root)]
        7
    """
    totals: dict[int, int] = {}
    visiting: set[int] = set()
    stack = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            visiting.discard(key)
            totals[key] = own(node) + sum(totals[id(child)] for child in children(node))
            continue
        if key in totals:
            continue
        if key in visiting:
            return None  # a value that contains itself: the converter names where
        visiting.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in children(node))
    return totals


def _expanded_sizes(root) -> dict[int, int] | None:
    """Values each node stands for once aliases are expanded, by node id; None on a
    cycle (:func:`_fold`)."""
    return {} if root is None else _fold(root, lambda node: 1, _children)


def _long_text(node) -> int:
    """The characters of a scalar longer than :data:`LONG_TEXT` (0 for any other node)."""
    if isinstance(node, yaml.ScalarNode) and len(node.value) > LONG_TEXT:
        return len(node.value)
    return 0


def _expanded_text(root) -> int | None:
    """Characters of the long scalars (more than :data:`LONG_TEXT`) the document stands
    for once aliases are expanded (keys included); None on a cycle (:func:`_fold`).

    Example:
        >>> root = yaml.compose("a: &x " + "n" * 2000 + "\\nb: [*x, *x, *x, short]",
        ...                     Loader=_LOADER)
        >>> _expanded_text(root)
        8000
    """
    if root is None:
        return 0
    totals = _fold(root, _long_text, _keys_and_children)
    return None if totals is None else totals[id(root)]


class _Converter:
    """Node tree to raw values; records the line of every key and list entry.

    Aliases are expanded, so a few lines can stand for billions of values (an
    alias bomb) or for a value that contains itself: both stop with a problem
    naming the key, long before memory or time run out.
    """

    def __init__(self, name: str, written: int = 0):
        self.name = name
        self.paths: dict[tuple, int] = {}  # path -> line
        self.problems: list[Problem] = []
        self.count = 0
        self.limit = max(EXPANSION_FACTOR * written, MIN_EXPANSION)
        self.stopped = False
        self.active: set[int] = set()  # nodes being converted: the path from the root

    def _loc(self, node) -> Location:
        return Location(self.name, node.start_mark.line + 1)

    def _stop(self, node, path: tuple, message: str, message_ja: str) -> None:
        if not self.stopped:
            self.stopped = True
            where = ".".join(str(p) for p in path) or "(top level)"
            self.problems.append(Problem(self._loc(node), _collection(path), None,
                                         _field(path), f"at '{where}': {message}",
                                         message_ja))

    def convert(self, node, path: tuple):
        if self.stopped:
            return None
        self.count += 1
        if self.count > self.limit:
            self._stop(node, path, f"aliases expand the document to more than "
                       f"{self.limit:,} values (at most {EXPANSION_FACTOR} times its written "
                       f"values, or {MIN_EXPANSION:,}); write the values out or share fewer",
                       "エイリアスの展開で値が多くなりすぎます")
            return None
        if len(path) > MAX_DEPTH:
            self._stop(node, path, f"values are nested too deeply (more than {MAX_DEPTH} "
                       "levels)", "入れ子が深すぎます")
            return None
        if id(node) in self.active:
            self._stop(node, path, "a recursive alias (the value contains itself)",
                       "再帰的なエイリアスです")
            return None
        self.active.add(id(node))
        try:
            return self._convert(node, path)
        finally:
            self.active.discard(id(node))

    def _convert(self, node, path: tuple):
        if node.tag not in _ALLOWED_TAGS:
            self.problems.append(Problem(self._loc(node), _collection(path), None,
                                         _field(path),
                                         f"YAML tag '{node.tag}' is not allowed",
                                         f"YAML タグ '{node.tag}' は使えません"))
            return None
        if isinstance(node, yaml.ScalarNode):
            if not node.style and node.value in _NULLS:
                return None
            return node.value
        if isinstance(node, yaml.SequenceNode):
            out = []
            for index, child in enumerate(node.value):
                sub = path + (index,)
                self.paths[sub] = child.start_mark.line + 1
                out.append(self.convert(child, sub))
            return out
        out: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(Problem(self._loc(key_node), _collection(path), None,
                                             None, "a key must be plain text",
                                             "キーは文字列である必要があります"))
                continue
            key = key_node.value
            sub = path + (key,)
            if key in out:
                self.problems.append(Problem(self._loc(key_node), _collection(path), None,
                                             key, f"duplicate key '{key}'",
                                             f"キー '{key}' が重複しています"))
                continue
            self.paths[sub] = key_node.start_mark.line + 1
            out[key] = self.convert(value_node, sub)
        return out


def _collection(path: tuple) -> str | None:
    return path[0] if path and isinstance(path[0], str) else None


def _field(path: tuple) -> str | None:
    names = [p for p in path[2:] if isinstance(p, str)] if len(path) > 2 else []
    return ".".join(names) or None


class LineMap(Mapping):
    """The line of every key and list entry of one YAML file, by path, kept compact.

    A record of a top-level list (a flow, a party) keeps its first line, a
    shape shared by every record that writes the same keys in the same order,
    and one small offset per key: a few dozen bytes where a dict of paths took
    over a kilobyte. Other paths (top-level keys, the policy) are a plain dict.

    Example:
        >>> lines = LineMap({("flows",): 1})
        >>> lines.add_record("flows", 0, 2, [(("id",), 2), (("start",), 3)])
        >>> lines.get(("flows", 0, "start")), lines.get(("flows", 0)), ("flows",) in lines
        (3, 2, True)
        >>> lines.get(("flows", 0, "end")), lines.get(("flows", 1)), len(lines)
        (None, None, 4)
    """

    def __init__(self, plain: dict | None = None):
        self.plain: dict[tuple, int] = plain if plain is not None else {}
        #: per top-level key: record start lines, shapes, offsets (bytes or array)
        self.records: dict[str, tuple[array, list, list]] = {}
        self._shapes: dict[tuple, tuple] = {}
        self._positions: dict[int, dict] = {}

    def add_record(self, key: str, index: int, line: int, marks: list) -> None:
        """Record entry ``index`` of the list under ``key``: its line and its
        ``(path inside the record, line)`` marks, in reading order.

        Example:
            >>> lines = LineMap(); lines.add_record("parties", 0, 5, [])
            >>> lines.get(("parties", 0)), lines.get(("parties", 0, "id"))
            (5, None)
        """
        table = self.records.get(key)
        if table is None:
            table = self.records[key] = (array("q"), [], [])
        starts, shapes, offsets = table
        if index != len(starts):
            raise ValueError("records are added in order")
        shape = tuple(path for path, _ in marks)
        shape = self._shapes.setdefault(shape, shape)
        steps = [mark - line for _, mark in marks]
        starts.append(line)
        shapes.append(shape)
        offsets.append(bytes(steps) if all(0 <= s < 256 for s in steps) else array("q", steps))

    def get(self, path, default=None):
        """The line of ``path``, or ``default`` when nothing was recorded there.

        Example:
            >>> lines = LineMap({("format",): 1})
            >>> lines.add_record("parties", 0, 3, [(("groups", 0), 4)])
            >>> lines.get(("parties", 0, "groups", 0)), lines.get(("format",)), lines.get(("x",), 0)
            (4, 1, 0)
        """
        if len(path) >= 2 and isinstance(path[1], int):
            table = self.records.get(path[0])
            if table is not None:
                starts, shapes, offsets = table
                index = path[1]
                if not 0 <= index < len(starts):
                    return default
                if len(path) == 2:
                    return starts[index]
                shape = shapes[index]
                positions = self._positions.get(id(shape))
                if positions is None:
                    positions = self._positions[id(shape)] = {p: i for i, p in enumerate(shape)}
                found = positions.get(tuple(path[2:]))
                return default if found is None else starts[index] + offsets[index][found]
        return self.plain.get(path, default)

    def __getitem__(self, path):
        found = self.get(path)
        if found is None:
            raise KeyError(path)
        return found

    def __contains__(self, path) -> bool:
        return self.get(path) is not None

    def __iter__(self):
        yield from self.plain
        for key, (starts, shapes, _) in self.records.items():
            for index, shape in enumerate(shapes):
                yield (key, index)
                for sub in shape:
                    yield (key, index) + sub

    def __len__(self) -> int:
        return len(self.plain) + sum(len(starts) + sum(map(len, shapes))
                                     for starts, shapes, _ in self.records.values())


class _Fallback(Exception):
    """The document needs the node reader: an alias or anchor, or any problem at all."""


_ENTRY = object()  # the pending key of a list: its next index


def _read_events(loader, name: str):
    """Raw values and a :class:`LineMap` of a document, read event by event.

    Nothing but the values and their lines is kept (no node tree). It reads
    only documents with nothing to report and no alias or anchor; anything else
    raises :class:`_Fallback` and the node reader, :class:`_Converter`, reads
    the document again and says what is wrong, as it always did.
    """
    lines = LineMap()
    plain = lines.plain
    get = loader.get_event
    scalar, seq_start, map_start = yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent
    seq_end, map_end = yaml.SequenceEndEvent, yaml.MappingEndEvent
    allowed, nulls = _ALLOWED_TAGS, _NULLS
    try:
        get()  # the stream's start
        event = get()
        if type(event) is yaml.StreamEndEvent:
            return {}, lines
        if type(event) is not yaml.DocumentStartEvent:
            raise _Fallback
        event = get()
        if type(event) is not map_start or event.anchor is not None or (
                event.tag not in (None, "!") and event.tag not in allowed):
            raise _Fallback
        data: dict = {}
        # the open containers: (value, path, its pending key or _ENTRY)
        stack: list = []
        container, path, key = data, (), None
        record = None  # (top-level key, index, line, marks) of the record being read
        marks = None
        while True:
            event = get()
            kind = type(event)
            if kind is map_end or kind is seq_end:
                if not stack:
                    break
                value = container
                container, path, key = stack.pop()
            elif key is None and kind is scalar:  # a mapping's key
                if event.anchor is not None:
                    raise _Fallback
                key = event.value
                if key in container:
                    raise _Fallback  # a duplicate key
                sub = path + (key,)
                if marks is not None:
                    marks.append((sub[2:], event.start_mark.line + 1))
                else:
                    plain[sub] = event.start_mark.line + 1
                continue
            elif key is None:
                raise _Fallback  # a key that is not plain text
            else:
                if event.anchor is not None:
                    raise _Fallback
                tag = event.tag
                if key is _ENTRY:
                    sub = path + (len(container),)
                    line = event.start_mark.line + 1
                    if len(sub) == 2 and marks is None:
                        # an entry of a top-level list: a record, its lines kept compact
                        marks = []
                        record = (sub[0], sub[1], line)
                    elif marks is not None:
                        marks.append((sub[2:], line))
                    else:
                        plain[sub] = line
                else:
                    sub = path + (key,)
                if len(sub) > MAX_DEPTH:
                    raise _Fallback
                if kind is scalar:
                    if tag is None or tag == "!":
                        if event.implicit[0] and event.value in ("<<", "="):
                            raise _Fallback  # a merge key or a value key: refused tags
                    elif tag not in allowed:
                        raise _Fallback
                    value = None if not event.style and event.value in nulls else event.value
                elif kind is map_start or kind is seq_start:
                    if tag is not None and tag != "!" and tag not in allowed:
                        raise _Fallback
                    stack.append((container, path, key))
                    container, path = ({} if kind is map_start else []), sub
                    key = None if kind is map_start else _ENTRY
                    continue
                else:
                    raise _Fallback  # an alias
            # a value is complete: put it in its container
            if key is _ENTRY:
                container.append(value)
                if marks is not None and len(path) == 1:
                    lines.add_record(record[0], record[1], record[2], marks)
                    marks = record = None
            else:
                container[key] = value
                key = None
        if type(get()) is not yaml.DocumentEndEvent or type(get()) is not yaml.StreamEndEvent:
            raise _Fallback  # more than one document
    except yaml.YAMLError:
        raise _Fallback from None
    return data, lines
