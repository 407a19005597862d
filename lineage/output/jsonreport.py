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
    return "".join(_pieces(data, 0)) + "\n"


#: Containers this shallow are written piece by piece; deeper ones in one call.
_SPLIT_DEPTH = 2


def _pieces(value, level: int):
    """``json.dumps(value, ensure_ascii=False, indent=2)`` at ``level``, in pieces.

    The standard encoder with an indent builds a list of every token before
    joining them: for a report of 100,000 flows that is millions of small
    strings (hundreds of MB). Writing the top levels here and each record in
    one call gives the same bytes; a record's own line breaks are re-indented
    (JSON strings never hold a raw line break, so every one is the encoder's).
    """
    if level < _SPLIT_DEPTH and value and (
            isinstance(value, (list, tuple))
            or (isinstance(value, dict) and all(type(k) is str for k in value))):
        pad = "\n" + "  " * (level + 1)
        if isinstance(value, dict):
            yield "{"
            for n, (key, item) in enumerate(value.items()):
                yield ("," if n else "") + pad + _string(key) + ": "
                yield from _pieces(item, level + 1)
            yield "\n" + "  " * level + "}"
        else:
            yield "["
            for n, item in enumerate(value):
                yield ("," if n else "") + pad
                yield from _pieces(item, level + 1)
            yield "\n" + "  " * level + "]"
        return
    if type(value) is dict:
        text = _flat_record(value, level)
        if text is not None:
            yield text
            return
    text = _ENCODER.encode(value)
    yield text.replace("\n", "\n" + "  " * level) if level and "\n" in text else text


_ENCODER = json.JSONEncoder(ensure_ascii=False, indent=2)
_string = json.encoder.encode_basestring  # the C function json itself uses
_CONSTANTS = {None: "null", True: "true", False: "false"}


def _scalar(value) -> str | None:
    kind = type(value)
    if kind is str:
        return _string(value)
    if kind is int:
        return int.__repr__(value)
    if value is None or kind is bool:
        return _CONSTANTS[value]
    return None  # floats and the rest: the standard encoder's business


def _flat_record(record: dict, level: int) -> str | None:
    """A record of scalars and lists of scalars as the indenting encoder writes it, or None.

    The report's flows and findings are such records; writing them directly
    is several times faster than the standard encoder's generators.
    """
    pad = "\n" + "  " * (level + 1)
    inner = pad + "  "
    parts = []
    for key, value in record.items():
        if type(key) is not str:
            return None
        text = _scalar(value)
        if text is None:
            if type(value) is not list:
                return None
            if not value:
                text = "[]"
            else:
                items = [_scalar(v) for v in value]
                if None in items:
                    return None
                text = "[" + inner + ("," + inner).join(items) + pad + "]"
        parts.append(pad + _string(key) + ": " + text)
    if not parts:
        return "{}"
    return "{" + ",".join(parts) + "\n" + "  " * level + "}"


def render(audit) -> str:
    """The report of ``audit`` as JSON text.

    Example:
        >>> import lineage
        >>> report = json.loads(render(lineage.check("inventories/monocollabo")))
        >>> list(report)[:5], len(report["findings"])
        (['format', 'tool', 'organisation', 'as_of', 'rules'], 10)
    """
    return dumps(audit.as_dict())
