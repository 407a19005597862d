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
import typing
from sys import intern
from typing import Callable

from pydantic import BaseModel
from pydantic_core import PydanticCustomError

from . import schema

__all__ = ["Unusual", "record_builder"]


class Unusual(Exception):
    """A value the fast path does not prove valid: pydantic must read the record.

    Example:
        >>> str(Unusual("start"))
        'start'
    """


_ID = re.compile(schema.ID_PATTERN)
_COUNTRY = re.compile(schema.COUNTRY_PATTERN)
_CONTROL = schema._CONTROL
#: Text pydantic's lax mode reads as a boolean; anything else goes to pydantic.
_BOOLS = {"true": True, "false": False, "True": True, "False": False,
          "TRUE": True, "FALSE": False}
_set_attr = object.__setattr__
_ABSENT = object()


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
    if type(value) is not str or _COUNTRY.fullmatch(value) is None:
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
    return cached


def _nonempty(read):
    def check(value):
        out = read(value)
        if not out:
            raise Unusual
        return out
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
    simple = {"Id": _an_id, "Text": _a_text, "Date": _a_date, "bool": _a_bool,
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
        return read
    return _unknown


def _annotations(model: type) -> dict[str, str]:
    out: dict[str, str] = {}
    for klass in reversed(model.__mro__):
        out.update(getattr(klass, "__annotations__", {}))
    return out


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
    template = proto.__dict__
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
            # empty values are absent, as the schema's _drop_empty reads them
            if value is None or (type(value) is str and (not value or value.isspace())):
                continue
            field = by_key.get(key)
            if field is None:
                raise Unusual(key)
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
