"""Build the common records without pydantic's per-field Python validators.

pydantic calls a Python function for nearly every field of every record (the
schema reads raw text its own way: IDs, ``a;b`` lists, dates as people type
them), which made validation most of the loading time. :func:`record_builder`
compiles, per record model, one plain function that accepts only values it can
prove valid exactly as the schema would read them (an ID matching the ID
pattern, a date :func:`~lineage.model.schema.parse_date` reads, ``true``/
``false`` ...) and builds the same model object pydantic would build. Anything
else, however harmless, raises :class:`Unusual` and the record goes through
pydantic itself, so every error message, and every edge of the schema's
reading, stays pydantic's.

The objects built are equal to pydantic's field by field, with the same
``model_fields_set``; they differ only in storage: one shared set of field
names per combination of fields given, and a key-sharing instance dict, which
keeps a flow at a fraction of the memory.

Example:
    >>> from lineage.model.schema import Flow
    >>> build = record_builder(Flow)
    >>> raw = {"id": "F1", "from": "a", "to": "b", "items": "name;email",
    ...        "start": "2024-04-01"}
    >>> flow = build(raw)
    >>> flow == Flow.model_validate(raw), flow.items, sorted(flow.model_fields_set)
    (True, ['name', 'email'], ['frm', 'id', 'items', 'start', 'to'])
    >>> build({**raw, "start": "April"})
    Traceback (most recent call last):
    lineage.model.fastpath.Unusual: start
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from collections import deque
from functools import reduce
from itertools import chain, compress, repeat
from operator import and_, attrgetter, eq, itemgetter, setitem
from sys import intern
from typing import Callable, Iterable

from pydantic import BaseModel
from pydantic_core import PydanticCustomError

from . import schema

__all__ = ["Unusual", "record_builder", "table_builder", "Facts", "bulk_ids", "all_ids",
           "look_up"]


class Unusual(Exception):
    """A value the fast path does not prove valid: pydantic must read the record.

    Example:
        >>> str(Unusual("start"))
        'start'
    """


_ID = re.compile(schema.ID_PATTERN)
_CONTROL = schema._CONTROL
#: Text pydantic's lax mode reads as a boolean; anything else goes to pydantic.
_BOOLS = {"true": True, "false": False, "True": True, "False": False,
          "TRUE": True, "FALSE": False, **schema.FLAG_WORDS}
_set_attr = object.__setattr__


def _an_id(value):
    """An ID as the schema reads it, or :class:`Unusual`."""
    if type(value) is not str:
        if type(value) not in (int, bool, float):
            raise Unusual
        value = schema._text(value)
    # The pattern allows no space and no control character: _text and the
    # stripping pydantic does leave such a value as it is.
    if len(value) > schema.ID_MAX_LENGTH or _ID.fullmatch(value) is None:
        raise Unusual
    # IDs repeat across records (from, to, party): one shared string each
    return intern(value)


def _a_text(value):
    if type(value) is not str:
        if type(value) not in (int, bool, float):
            raise Unusual
        value = schema._text(value)
    if _CONTROL.search(value) is not None or value.strip() != value:
        raise Unusual
    return value


def _a_country(value):
    # (a code ISO does not assign goes to pydantic, which says which code is meant)
    if type(value) is not str or value not in schema.ISO_COUNTRIES:
        raise Unusual
    return value


def _a_bool(value):
    if value is True or value is False:
        return value
    if type(value) is str:
        found = _BOOLS.get(value)
        if found is not None:
            return found
    raise Unusual


def _a_date(value):
    if type(value) is not str and type(value) is not dt.date:
        raise Unusual
    try:
        return schema._iso_date(value)
    except PydanticCustomError:
        raise Unusual from None


def _parts(value, item) -> list:
    """The items of a list field: a ``;``-separated cell or a list, each read by ``item``."""
    if type(value) is str:
        return [item(part) for part in schema._id_list(value)]
    if type(value) is list:
        return [item(part) for part in value]
    raise Unusual


def _ids(cache: dict, limit: int = 65_536):
    """A list of IDs; a cell's reading is kept by its text (cells repeat down a column).

    The cache lives as long as the builder, one load, and holds at most ``limit``
    cells: a million different cells must not be kept beside the records.
    """
    def read(value):
        if type(value) is str:
            found = cache.get(value)
            if found is None:
                found = tuple(_an_id(p) for p in schema._id_list(value))
                if len(cache) < limit:
                    cache[value] = found
            return list(found)
        if type(value) is list:
            return [_an_id(p) for p in value]
        raise Unusual
    # what the table builder may prove for a whole column with one regex
    read.reads_ids = True
    return read


def _cached(read, limit: int = 65_536):
    """``read`` remembering what it read, for values that repeat (at most ``limit``)."""
    cache: dict = {}

    def cached(value):
        if type(value) is not str:
            return read(value)
        found = cache.get(value)
        if found is None:
            found = read(value)
            if len(cache) < limit:
                cache[value] = found
        return found
    # what the table builder may prove for a whole column with one regex
    cached.reads_id = read is _an_id
    return cached


def _nonempty(read):
    def check(value):
        out = read(value)
        if not out:
            raise Unusual
        return out
    # a cell the list pattern matches holds at least one ID
    check.reads_ids = getattr(read, "reads_ids", False)
    return check


def _enum(choices: tuple):
    known = {c: c for c in choices}

    def read(value):
        if type(value) is str:
            found = known.get(value)
            if found is not None:
                return found
        raise Unusual
    return read


def _unknown(value):
    raise Unusual


def _reader(model: type[BaseModel], name: str, annotation: str) -> Callable:
    """The fast reading of one field, by the annotation the schema writes for it."""
    plain = annotation.removesuffix(" | None")
    simple = {"Id": _an_id, "Text": _a_text, "Date": _a_date, "bool": _a_bool, "Flag": _a_bool,
              "Country": _a_country,
              "IdList": _ids({}), "TextList": lambda v: _parts(v, _a_text),
              "DateList": lambda v: _parts(v, _a_date),
              "Annotated[IdList, Field(min_length=1)]": _nonempty(_ids({}))}
    if plain in simple:
        return simple[plain]
    if plain.startswith("Literal["):
        base = model.model_fields[name].annotation
        args = [a for a in typing.get_args(base) if a is not type(None)]
        if typing.get_origin(base) is typing.Literal:
            args = [base]
        if len(args) == 1 and typing.get_origin(args[0]) is typing.Literal:
            return _enum(typing.get_args(args[0]))
        return _unknown
    nested = getattr(schema, plain, None)
    if isinstance(nested, type) and issubclass(nested, schema.Record):
        build = record_builder(nested)

        def read(value):
            if type(value) is not dict:
                raise Unusual
            return build(value)
        read.model = nested  # what the table builder copies a built one of
        return read
    return _unknown


def _annotations(model: type) -> dict[str, str]:
    out: dict[str, str] = {}
    for klass in reversed(model.__mro__):
        out.update(getattr(klass, "__annotations__", {}))
    return out


def _plan(model: type[BaseModel]) -> tuple[dict, list, list, dict]:
    """What building ``model`` needs: each key's field and reading, the required
    fields, the defaults each record copies, and the instance dict to copy."""
    if model.__pydantic_post_init__ is not None or model.__private_attributes__:
        raise TypeError(f"{model.__name__} needs pydantic to build it")
    config = model.model_config
    if (config.get("extra") != "forbid" or not config.get("populate_by_name")
            or not config.get("str_strip_whitespace")):
        raise TypeError(f"{model.__name__} reads values in a way the fast path does not know")
    annotations = _annotations(model)
    by_key: dict[str, tuple[str, Callable]] = {}
    required: list[str] = []
    mutable: list[tuple[str, object]] = []  # defaults each record needs its own copy of
    proto = model.__new__(model)
    for name, info in model.model_fields.items():
        read = _reader(model, name, annotations[name])
        if name != "id" and read is _an_id:
            read = _cached(read)  # references repeat; a record's own ID does not
        by_key[name] = (name, read)
        if info.alias:
            by_key[info.alias] = (name, read)
        if info.is_required():
            required.append(name)
            default = None
        else:
            default = info.default
            if isinstance(default, (list, dict, set)):
                mutable.append((name, default))
        # set one by one, in field order: the instance dicts share their keys
        _set_attr(proto, name, default)
    _spare_no_room(model, next(iter(model.model_fields)))
    return by_key, required, mutable, proto.__dict__


def _spare_no_room(model: type, field: str) -> None:
    """Leave the least spare room in the key table ``model``'s instance dicts share.

    CPython (3.11, 3.12) gives a copy of such a dict a value slot for every key
    plus the table's spare room, which shrinks by one for each object whose
    attributes are first set one by one, down to one slot. Until some thirty
    objects have been, a copied Party's values take 264 bytes instead of 104: a
    few throwaway objects spare each of a hundred thousand records the rest.
    Elsewhere the objects are merely made and dropped.
    """
    for _ in range(32):
        _set_attr(model.__new__(model), field, None)


def record_builder(model: type[BaseModel]) -> Callable[[object], BaseModel]:
    """A function that builds ``model`` from a raw record, or raises :class:`Unusual`.

    Every field the schema types in a way the fast path does not know (a
    head count, a list of revisions) is read by pydantic whenever a record
    gives it.

    Example:
        >>> from lineage.model.schema import Party
        >>> build = record_builder(Party)
        >>> build({"id": "acme", "role": "outsourcee", "country": "US"}).country
        'US'
        >>> build({"id": "acme", "volume": "1,200"})
        Traceback (most recent call last):
        lineage.model.fastpath.Unusual: volume
    """
    by_key, required, mutable, template = _plan(model)
    shapes: dict[tuple, tuple] = {}
    new = model.__new__

    def shape(given: tuple) -> tuple:
        """The fields set, and the defaults to copy, for records giving ``given``."""
        names = set(given)
        if len(names) != len(given):
            raise Unusual(given[-1])  # a field under both its name and its alias
        absent = [name for name in required if name not in names]
        if absent:
            raise Unusual(absent[0])
        found = shapes[given] = (names, tuple((n, d) for n, d in mutable if n not in names))
        return found

    def build(record):
        if type(record) is not dict:
            raise Unusual
        values = template.copy()
        given = []
        for key, value in record.items():
            field = by_key.get(key)
            if field is None:
                raise Unusual(key)  # an unknown key, even with no value, is an error
            # empty values are absent, as the schema's _drop_empty reads them
            if value is None or (type(value) is str and (not value or value.isspace())):
                continue
            name = field[0]
            try:
                values[name] = field[1](value)
            except Unusual:
                raise Unusual(key) from None
            given.append(name)
        given = tuple(given)
        found = shapes.get(given) or shape(given)
        for name, default in found[1]:
            values[name] = default.copy()
        obj = new(model)
        _set_attr(obj, "__dict__", values)
        # nothing changes a frozen record's fields set; model_copy copies it first
        _set_attr(obj, "__pydantic_fields_set__", found[0])
        _set_attr(obj, "__pydantic_extra__", None)
        _set_attr(obj, "__pydantic_private__", None)
        return obj

    return build


class _Odd(tuple):
    """A cell the column-wise build leaves to the record path (a tuple, so that
    turning a column's tuples into lists needs no test)."""


_ODD = _Odd()
_MISSING = object()


def _bulk_ids():
    """A pattern matching a run of IDs each followed by a newline: one regex pass
    proves a whole column of IDs valid (the ID pattern allows no newline)."""
    body = schema.ID_PATTERN
    if not (body.startswith("^[") and body.endswith("]+$")) or "\\n" in body:
        return None
    return re.compile(f"(?:{body[1:-2]}{{1,{schema.ID_MAX_LENGTH}}}\n)*")


_IDS = _bulk_ids()
#: Whether ASCII letters and digits are ID characters (so :func:`all_ids` may test them
#: with str methods first).
_ALNUM_IDS = _IDS is not None and _ID.fullmatch("Az09") is not None


def all_ids(cells) -> bool:
    """Whether every cell is an ID as it stands: what the ID pattern matches, cell by
    cell (no blank, no space, line break or apostrophe, at most the longest ID).

    IDs of letters and digits only (``F123``, ``x42``) are told by ``str`` methods
    over the joined cells (a few passes in C over a block's cells, several times
    faster than the pattern); any other cell is left to the pattern, run once over
    the cells joined by line breaks, so a cell holding a line break (a quoted
    multi-line cell) is refused first: joined, it would pass for two IDs.

    Example:
        >>> all_ids(["F1", "x2"]), all_ids(["a-b", "c.d"]), all_ids(["F1", ""]), all_ids([])
        (True, True, False, False)
        >>> all_ids(["F1", "F 2"]), all_ids(["Ｆ1"]), all_ids(["x" * 129]), all_ids(["a\\nb"])
        (False, False, False, False)
    """
    if _IDS is None:
        return False
    joined = "".join(cells)
    if (_ALNUM_IDS and joined.isascii() and joined.isalnum() and "" not in cells
            and max(map(len, cells)) <= schema.ID_MAX_LENGTH):
        return True
    if "\n" in joined:
        return False
    return _IDS.fullmatch("\n".join(cells) + "\n") is not None


def bulk_ids(cells: list[str]) -> list[str]:
    """The cells that are IDs as they stand (no space, apostrophe or other character
    the ID pattern refuses), as fresh strings made one after another, in order.

    Example:
        >>> bulk_ids(["mc", "", "'x", "a b", "acme"])
        ['mc', 'acme']
    """
    if all_ids(cells):
        return "\n".join(cells).split("\n") if cells else []
    good = [cell for cell in cells
            if len(cell) <= schema.ID_MAX_LENGTH and _ID.fullmatch(cell) is not None]
    return "\n".join(good).split("\n") if good else []


def _bulk_id_lists():
    """A pattern matching a run of ``a;b`` cells each followed by a newline: every
    part an ID as it stands (no space to strip, no empty part)."""
    if _IDS is None:
        return None
    one = f"{schema.ID_PATTERN[1:-2]}{{1,{schema.ID_MAX_LENGTH}}}"
    if ";" in schema.ID_PATTERN:
        return None
    return re.compile(f"(?:{one}(?:;{one})*\n)*")


_ID_LISTS = _bulk_id_lists()


def _setter(model: type, name: str) -> Callable:
    """What ``object.__setattr__(obj, name, value)`` calls for ``model``: the slot's or
    ``__dict__``'s descriptor ``__set__`` (half the cost through ``map``)."""
    for klass in model.__mro__:
        found = klass.__dict__.get(name)
        if found is not None:
            if isinstance(found, (types.MemberDescriptorType, types.GetSetDescriptorType)):
                return found.__set__
            break
    return lambda obj, value: _set_attr(obj, name, value)


def table_builder(model: type[BaseModel], header: tuple, track: tuple = (),
                  apart: tuple = (), known: tuple = ((), ())) -> Callable | None:
    """A function building ``model`` records from a table's columns, or None.

    ``header`` holds each column's key: a field name or alias, or a dotted
    ``field.key`` of a nested record (``exemption.law``); a column of any
    other key sends each row that fills it to the record path. The function
    takes the columns (lists of cells as the CSV reader gives them, blank cells
    included) and each row's column bits (bit ``i``: column ``i`` holds a value)
    and returns, per row, the record or None, and the numbers of the None rows:
    those must go record by record (a cell the fast path does not prove valid, a
    leading apostrophe, a required field left blank). Each value is read once
    per distinct cell, not once per row, and the records are made by C-level
    passes over the whole block; every record is what :func:`record_builder`
    builds from the row's mapping.

    None when the header names a field twice (by name and by alias, or as a
    column and as the head of dotted ones).

    ``track`` names fields, and ``apart`` pairs of fields, whose :class:`Facts`
    the function's ``facts()`` gives once the table is built: what the checks
    across records need, gathered from the cells read rather than from the
    records afterwards.

    ``known`` is ``(fields, ids)``: ID fields whose cells name records read
    before (a flow's ``frm`` and ``to``: parties), and those records' IDs as
    they stand, shared strings. The fields read their cells through one cache
    that starts from ``ids``, so each cell is looked up once, in one table,
    rather than first met, proved and learnt block by block (the facts of
    those fields may then hold each of ``ids``: more, as facts may).

    Example:
        >>> from lineage.model.schema import Flow
        >>> build = table_builder(Flow, ("id", "from", "to", "items", "start", "exemption.law"))
        >>> rows, odd = build([["F1", "F2"], ["a", "a"], ["b", "b"], ["x;y", "x"],
        ...                    ["2024-04-01", "April"], ["刑訴法", ""]], [0b111111, 0b11111])
        >>> rows[0] == record_builder(Flow)({"id": "F1", "from": "a", "to": "b", "items": "x;y",
        ...                                   "start": "2024-04-01", "exemption": {"law": "刑訴法"}})
        True
        >>> rows[1], odd  # "April" is for pydantic to refuse
        (None, [1])
    """
    by_key, required, mutable, template = _plan(model)
    plain: list[tuple[int, str, Callable]] = []
    groups: dict[str, list[tuple[int, str]]] = {}
    odd_bits = 0
    for index, key in enumerate(header):
        field = by_key.get(key)
        head, dot, rest = key.partition(".")
        if field is not None:
            plain.append((index, *field))
        elif dot and "." not in rest and head in by_key:
            groups.setdefault(head, []).append((index, rest))
        else:
            odd_bits |= 1 << index
    names = tuple(name for _, name, _ in plain)
    nested = [(by_key[head][0], by_key[head][1], sum(1 << i for i, _ in cols), cols)
              for head, cols in groups.items()]
    every = names + tuple(name for name, *_ in nested)
    if len(set(every)) != len(every) or not plain:
        return None
    # list defaults of fields no column names: each record gets its own empty list
    fresh = [name for name, _ in mutable if name not in every]
    if any(type(default) is not list for _, default in mutable):
        return None
    caches: list[dict] = [{} for _ in plain]
    # per column, the cells read as _ODD (or as no list where a list is required):
    # while a block holds none of them, its values need no test
    specials: list[set] = [set() for _ in plain]
    fields, ids = known
    sharing = [k for k, (_, name, read) in enumerate(plain)
               if name in fields and getattr(read, "reads_id", False)]
    if sharing:
        cache, special = caches[sharing[0]], specials[sharing[0]]
        # an ID as it stands reads as itself: what learn would cache for its cell
        ids = ids if all_ids(ids) else [i for i in ids if all_ids((i,))]
        cache.update(zip(ids, ids))
        for k in sharing:
            caches[k], specials[k] = cache, special
    # the values of cells a cleared cache read, for the facts
    folded: list[set] = [set() for _ in plain]
    where = {name: index for index, name, _ in plain}  # the column of each field
    slot = {name: k for k, (_, name, _) in enumerate(plain)}
    # the fields reading their cells through each column's cache
    users = {name: tuple(other for _, other, _ in plain if caches[slot[other]] is cache)
             for (_, name, _), cache in zip(plain, caches)}
    # a pair either of whose columns is missing cannot be told apart from the cells
    pairs = [(where[a], where[b]) for a, b in apart if a in where and b in where]
    state = {"same": len(pairs) < len(apart), "bits": 0}
    listed = [_is_list(model, name) for _, name, _ in plain]
    shapes: dict[int, tuple | None] = {}
    new = model.__new__
    set_dict, set_fields, set_extra, set_private = (
        _setter(model, slot) for slot in ("__dict__", "__pydantic_fields_set__",
                                          "__pydantic_extra__", "__pydantic_private__"))

    def shape(mask: int) -> tuple | None:
        """The fields set, the defaults to copy and the nested records to build for
        rows with ``mask``; None when such a row goes record by record."""
        if mask & odd_bits:
            return None
        given = {name for index, name, _ in plain if mask >> index & 1}
        inner = tuple(n for n in nested if mask & n[2])
        given.update(name for name, *_ in inner)
        if any(name not in given for name in required):
            return None
        return given, tuple((n, d) for n, d in mutable if n not in given), inner

    def learn(unread: set, name: str, read: Callable, cache: dict, special: set,
              is_list: bool) -> None:
        """Read each cell of ``unread`` into ``cache`` (a blank one is the field's default;
        _ODD where the record path must read it)."""
        default = template[name]
        if type(default) is list:
            default = ()  # never a record's own: each record gets a copy
        if "" in unread:
            unread.discard("")
            cache[""] = default
            if is_list and default is None:
                special.add("")
        if not unread:
            return
        if _IDS is not None and (read is _an_id or getattr(read, "reads_id", False)):
            if all_ids(unread):
                joined = "\n".join(unread)
                # references: every new cell an ID as it stands, one shared string each.
                # The keys are those shared strings, not the cells: a look-up compares
                # a cell with its key, and shared strings lie together in memory (the
                # parties' IDs, interned before the flows are read, or this split's
                # copies), where the cells of a million rows lie all over the heap:
                # a third less time in the look-ups of a million flows' from and to.
                shared = list(map(intern, joined.split("\n")))
                cache.update(zip(shared, shared))
                return
        if _ID_LISTS is not None and getattr(read, "reads_ids", False):
            joined = "\n".join(unread)
            # (a cell holding a line break, joined, would pass for two cells)
            if (joined.count("\n") == len(unread) - 1
                    and _ID_LISTS.fullmatch(joined + "\n") is not None):
                # lists of IDs as they stand: the parts of each cell, one shared string
                # each (the keys: copies that lie together, as above)
                cells = joined.split("\n")
                cache.update(zip(cells, map(tuple, map(map, repeat(intern),
                                                      map(str.split, cells, repeat(";"))))))
                return
        for cell in unread:
            if cell.isspace():
                value = default
            elif cell[0] == "'":
                value = _ODD
            else:
                try:
                    value = read(cell)
                except Unusual:
                    value = _ODD
            if type(value) is list:
                value = tuple(value)  # (as every list is cached: see column)
            cache[cell] = value
            if value is _ODD or (is_list and value is None):
                special.add(cell)

    def column(cells, name: str, read: Callable, cache: dict, special: set,
               is_list: bool, filled: bool) -> tuple[Iterable, Iterable, bool]:
        """The value of each cell (the field's default for a blank one; _ODD where the
        record path must read it), the rows holding an _ODD, and whether the values
        are those of the non-empty cells only (an empty cell keeps the default).
        ``filled``: every cell holds a value (the rows' column bits say so)."""
        if name == "id" and read is _an_id and _IDS is not None and name not in track:
            # a record's own ID is its cell, once the whole column matches the pattern
            if all_ids(cells):
                # A party's (contract's, ...) ID is interned like the flows' from/to
                # cells, so look-ups of a flow's ends in tables keyed by ID match on
                # identity; flow IDs are left as they are (no one looks them up by a
                # second string, and a million would fill the interned table).
                return (cells if model is schema.Flow else list(map(intern, cells))), (), False
        # the cache lives per table, not per distinct cell of it: an ID is the records'
        # own string (the cache costs its table only), any other cell may be long text
        if len(cache) > (_CELLS_KEPT if read is _an_id or getattr(read, "reads_id", False)
                         else min(_CELLS_KEPT, 65_536)):
            for user in users[name]:
                if user in track:
                    _fold(folded[slot[user]], cache.values())
            cache.clear()
            special.clear()
        if filled and not special:
            # No cell of the column was ever read as one for the record path: one
            # look-up per cell while every cell was read before (the parties' IDs
            # were), else the cells not read yet are read first. The look-ups are
            # one itemgetter's (a loop in C, half the time of a map over the cache's
            # __getitem__ in a cache of a hundred thousand party IDs, where each
            # look-up waits on memory); a set of the block's cells and its difference
            # with the cache would look each cell up twice.
            try:
                values = look_up(cells, cache)
            except KeyError:
                learn(set(cells).difference(cache), name, read, cache, special, is_list)
                if not special:
                    values = look_up(cells, cache)
            if not special:
                # A list is read once per distinct cell, and cached as a tuple: each
                # record gets its own list of it (list() of a tuple reads one object,
                # where a list's copy reads the list and its items apart: a cache miss
                # less per record, in a cache of a million flows' lists of items).
                return (map(list, values) if is_list else values), (), False
        distinct = set(cells)
        unread = distinct.difference(cache)  # (not "- cache.keys()": that walks the cache)
        if unread:
            learn(unread, name, read, cache, special, is_list)
        if special and not special.isdisjoint(distinct):
            values = list(map(cache.__getitem__, cells))
            odd = [row for row, value in enumerate(values) if value is _ODD]
            if is_list:  # each record gets its own list; a blank required one: record path
                values = [v if v is None else list(v) for v in values]
            return values, odd, False
        if is_list:
            # each record gets its own list of the cell's cached tuple
            return map(list, map(cache.__getitem__, cells)), (), False
        if "" in distinct:
            # the template holds the default already: only non-empty cells need setting
            return map(cache.__getitem__, compress(cells, cells)), (), True
        # an iterator: the build sets each value as it comes
        return map(cache.__getitem__, cells), (), False

    copiers = {name: _copier(getattr(reader, "model", None)) for name, reader, *_ in nested}

    def nest(group: tuple, columns: list, masks, kinds: dict, odd: set,
              records: list) -> list:
        """Set the nested record of ``group`` into each row giving one; the rows whose
        nested record the fast path refuses (for the record path).

        Rows with the same cells get equal records, each its own object: a nested
        record is read once per distinct combination of cells and copied."""
        name, reader, bits, cols = group
        rows = [row for row in compress(range(len(masks)), map(and_, masks, repeat(bits)))
                if kinds[masks[row]] is not None and row not in odd]
        if not rows:
            return []
        keys = list(zip(*[list(map(columns[index].__getitem__, rows)) for index, _ in cols]))
        made = {}
        for key in set(keys):
            inner = {}
            for (_, field), cell in zip(cols, key):
                if cell and not cell.isspace():
                    inner[field] = intern(cell[1:] if cell[0] == "'" else cell)
            try:
                made[key] = reader(inner)
            except Unusual:
                made[key] = None
        refused = [row for row, key in zip(rows, keys) if made[key] is None]
        if refused:
            kept = [(row, key) for row, key in zip(rows, keys) if made[key] is not None]
            rows, keys = [row for row, _ in kept], [key for _, key in kept]
        copy = copiers[name]
        if copy is None or not all(map(_plain_record, made.values())):
            values = [reader(_inner(columns, cols, row)) for row in rows]
        else:
            values = copy(list(map(made.__getitem__, keys)))
        _each(map(setitem, map(records.__getitem__, rows), repeat(name), values))
        return refused

    def build(columns: list, masks) -> list:
        count = len(masks)
        kinds = {}
        for mask in set(masks):
            found = shapes.get(mask, _MISSING)
            if found is _MISSING:
                found = shapes[mask] = shape(mask)
            kinds[mask] = found
            state["bits"] |= mask
        for a, b in pairs:
            if not state["same"] and any(map(eq, columns[a], columns[b])):
                state["same"] = True
        records = list(map(dict.copy, repeat(template, count)))
        odd = set()
        every = reduce(and_, kinds)  # the columns holding a value in every row
        for (index, name, read), cache, special, is_list in zip(plain, caches, specials,
                                                                listed):
            cells = columns[index]
            values, unsure, sparse = column(cells, name, read, cache, special, is_list,
                                            every >> index & 1)
            odd.update(unsure)
            _each(map(setitem, compress(records, cells) if sparse else records,
                      repeat(name), values))
        for name in fresh:
            _each(map(setitem, records, repeat(name), map(list.copy, repeat([], count))))
        objs = list(map(new, repeat(model, count)))
        _each(map(set_dict, objs, records))
        sets = {mask: found and found[0] for mask, found in kinds.items()}
        _each(map(set_fields, objs, map(sets.__getitem__, masks)))
        _each(map(set_extra, objs, repeat(None, count)))
        _each(map(set_private, objs, repeat(None, count)))
        if None in kinds.values():
            odd.update(row for row, mask in enumerate(masks) if kinds[mask] is None)
        if nested and any(found[2] for found in kinds.values() if found is not None):
            for group in nested:
                odd.update(nest(group, columns, masks, kinds, odd, records))
        for row in odd:
            objs[row] = None
        return objs, sorted(odd)

    def facts() -> Facts:
        """What the rows built so far hold in the tracked fields (a superset: every cell
        read, rows left to the record path included)."""
        out = Facts(track, apart)
        out.same = state["same"]
        for index, name, _ in plain:
            if state["bits"] >> index & 1:
                out.filled.add(name)
            if name in track:
                values = out.values[name]
                values |= folded[slot[name]]
                _fold(values, caches[slot[name]].values())
        for name, *_, bits, _ in nested:
            if state["bits"] & bits:
                out.filled.add(name)
        return out

    build.facts = facts
    return build


class Facts:
    """What a table's records hold in a few fields, for the checks across records.

    ``values[name]``: every value the records hold in field ``name`` (the items of
    a list field; None left out), or more; ``same``: whether a record may hold one
    value in both fields of a pair of ``apart``; ``filled``: the fields some record
    may give. The table builder gathers them from the cells it reads; each record
    the record path builds is added with :meth:`add`.

    Example:
        >>> from lineage.model.schema import Flow
        >>> facts = Facts(("to", "items"), (("frm", "to"),))
        >>> facts.add(Flow(id="F1", **{"from": "a"}, to="b", items="x;y", start="2024-04-01"))
        >>> sorted(facts.values["to"]), sorted(facts.values["items"]), facts.same
        (['b'], ['x', 'y'], False)
    """

    __slots__ = ("values", "same", "filled", "apart")

    def __init__(self, track: tuple = (), apart: tuple = ()):
        self.values: dict[str, set] = {name: set() for name in track}
        self.same = False
        self.filled: set[str] = set()
        self.apart = apart

    def add(self, record: BaseModel) -> None:
        """Count one record in."""
        fields = record.__dict__
        for name, values in self.values.items():
            value = fields[name]
            if type(value) is list:
                values.update(value)
            elif value is not None:
                values.add(value)
        self.filled.update(name for name, value in fields.items()
                           if value is not None and name in record.model_fields_set)
        if any(fields[a] == fields[b] for a, b in self.apart):
            self.same = True


def _fold(into: set, values) -> None:
    """Add cached readings to ``into``: a list's items (a tuple in a cache), no None and
    no _ODD."""
    values = list(values)
    lists = [v for v in values if type(v) is tuple or type(v) is list]
    into.update(chain.from_iterable(lists))
    if len(lists) < len(values):
        into.update(v for v in values if type(v) not in (tuple, list, _Odd))
    into.discard(None)


#: Distinct cells a column of IDs keeps read (65,536 for other columns): a party's ID
#: is read once however many of a million flows name it (a cached ID is the records'
#: own string: the cache costs only its table), yet a column of all-different cells
#: cannot grow it without end.
_CELLS_KEPT = 1 << 18
_each = deque(maxlen=0).extend  # runs an iterator through, keeping nothing


def look_up(keys: list, table: dict) -> tuple:
    """``table``'s value of each of ``keys``, in order; KeyError for one it lacks.

    One ``itemgetter`` call: its loop in C looks the keys up back to back, where a
    ``map`` over ``table.__getitem__`` calls a method per key; in a table too large
    for the processor's cache the look-ups then overlap their waits on memory
    (half the time, for a hundred thousand party IDs).

    Example:
        >>> look_up(["a", "b", "a"], {"a": 1, "b": 2}), look_up(["b"], {"b": 2})
        ((1, 2, 1), (2,))
    """
    if len(keys) > 1:
        return itemgetter(*keys)(table)
    return tuple(map(table.__getitem__, keys))


def _is_list(model: type[BaseModel], name: str) -> bool:
    """Whether field ``name`` of ``model`` holds a list (or None).

    Example:
        >>> from lineage.model.schema import Flow, Notice
        >>> _is_list(Flow, "items"), _is_list(Notice, "members"), _is_list(Flow, "to")
        (True, True, False)
    """
    def listy(kind) -> bool:
        origin = typing.get_origin(kind)
        if origin is typing.Annotated:
            return listy(typing.get_args(kind)[0])
        if origin in (typing.Union, types.UnionType):
            return any(map(listy, typing.get_args(kind)))
        return kind is list or origin is list
    return listy(model.model_fields[name].annotation)


def _copier(model: type | None) -> Callable | None:
    """A function copying records of ``model`` built by the fast path: a new object
    each, with a copy of its fields (the fields set is shared, as the fast path shares
    it); None for no model."""
    if model is None:
        return None
    new = model.__new__
    set_dict, set_fields, set_extra, set_private = (
        _setter(model, slot) for slot in ("__dict__", "__pydantic_fields_set__",
                                          "__pydantic_extra__", "__pydantic_private__"))

    def copy(records: list) -> list:
        count = len(records)
        objs = list(map(new, repeat(model, count)))
        _each(map(set_dict, objs, map(dict.copy, map(_fields_of, records))))
        _each(map(set_fields, objs, map(_fields_set_of, records)))
        _each(map(set_extra, objs, repeat(None, count)))
        _each(map(set_private, objs, repeat(None, count)))
        return objs
    return copy


_fields_of = attrgetter("__dict__")
_fields_set_of = attrgetter("__pydantic_fields_set__")


def _plain_record(record) -> bool:
    """Whether copying ``record``'s fields shares nothing mutable (no list, mapping or
    record inside), and it carries no extra or private values."""
    return (record is None
            or (record.__pydantic_extra__ is None and record.__pydantic_private__ is None
                and not any(isinstance(v, (list, dict, set, BaseModel))
                            for v in record.__dict__.values())))


def _inner(columns: list, cols: list, row: int) -> dict:
    """A nested record's mapping from its dotted columns, as the CSV reader nests it."""
    out = {}
    for index, key in cols:
        cell = columns[index][row]
        if cell and not cell.isspace():
            out[key] = intern(cell[1:] if cell[0] == "'" else cell)
    return out
