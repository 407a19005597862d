"""Content-addressed, compressed payloads: how schema 3 stores a snapshot's rows.

A snapshot's inventory text, flows, findings and waivers are cut into chunks at
content-defined boundaries (a row ends a chunk when the CRC-32 of its text has
its low nine bits zero, within 64 and 4,096 rows), so an unchanged stretch of
rows gives the same chunks in every snapshot however the rows around it
changed. Each chunk is zlib-compressed (stored raw when that is not smaller,
the SQLite ``sqlar`` convention, so the ``sqlite3`` shell's
``sqlar_uncompress`` reads it) and addressed by the SHA-256 of its stored
bytes: a chunk already in the store is not stored again, and ``verify``
checks stored bytes in one pass without decoding them.

Rows are JSON arrays of plain values (the columns of :mod:`.record`), a chunk
is a JSON array of rows; an inventory chunk is a piece of the canonical text.

Example:
    >>> chunks = split_rows("flows", [("F1", "a", "b"), ("F2", "a", "c")])
    >>> [(c.part, c.seq, c.first, c.rows) for c in chunks]
    [('flows', 0, 0, 2)]
    >>> rows_of(chunks[0].data, chunks[0].size)
    [('F1', 'a', 'b'), ('F2', 'a', 'c')]
    >>> chunks[0].blob == hashlib.sha256(chunks[0].data).hexdigest()
    True
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass

from .canonical import dumps

__all__ = ["Chunk", "PARTS", "split_rows", "split_text", "rows_of", "text_of", "unpack",
           "sqlar_uncompress"]

#: The parts of a snapshot, in the order the content hash covers them.
PARTS = ("inventory", "flows", "findings", "waivers")
#: zlib level: 6 is zlib's default; the rows are repetitive, higher levels gain little.
LEVEL = 6
_MASK = 0x1FF  # a boundary every 512 rows on average, beyond the minimum
_MIN_ROWS, _MAX_ROWS = 64, 4096
_MAX_BYTES = 1 << 20  # bounds a chunk of long rows (findings carry four messages)
_MAX_RATIO = 1032  # deflate's largest possible expansion: beyond it a size is a lie
# the canonical inventory text is cut after the record separator "},{"
_SEP = "},{"


@dataclass(frozen=True)
class Chunk:
    """One stored payload of a snapshot part: where it sits and what it holds.

    ``first`` is the index of its first row (or text piece) in the part,
    ``rows`` how many it holds, ``size`` the length of the uncompressed
    payload, ``blob`` the hex SHA-256 of ``data``, the stored bytes.

    Example:
        >>> c = split_rows("waivers", [("TP102", "F37")])[0]
        >>> c.part, c.rows, c.size, len(c.blob)
        ('waivers', 1, 17, 64)
    """

    part: str
    seq: int
    first: int
    rows: int
    size: int
    blob: str
    data: bytes = b""

    def manifest(self) -> tuple:
        """The values the content hash covers for this chunk (its data only by hash).

        Example:
            >>> split_rows("waivers", [("TP102", "F37")])[0].manifest()[:4]
            ('waivers', 0, 0, 1)
        """
        return (self.part, self.seq, self.first, self.rows, self.size, self.blob)


def _pack(part: str, seq: int, first: int, rows: int, payload: bytes) -> Chunk:
    packed = zlib.compress(payload, LEVEL)
    # sqlar convention: stored raw when compression does not help; size tells them apart
    data = packed if len(packed) < len(payload) else payload
    return Chunk(part, seq, first, rows, len(payload), hashlib.sha256(data).hexdigest(), data)


def _groups(pieces: list[bytes]):
    """Content-defined groups of consecutive pieces: (first index, pieces)."""
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


def split_rows(part: str, rows) -> list[Chunk]:
    """The chunks of a part's rows (tuples of text, integers and None), in order.

    An empty part is one chunk of no rows, so every part is in the manifest.

    Example:
        >>> rows = [(f"F{i}", "x" * (i % 7)) for i in range(3000)]
        >>> chunks = split_rows("flows", rows)
        >>> sum(c.rows for c in chunks), [c.first for c in chunks][:3]
        (3000, [0, 173, 964])
        >>> changed = rows[:2000] + [("F2000", "changed")] + rows[2001:]
        >>> sum(a.blob != b.blob for a, b in zip(chunks, split_rows("flows", changed)))
        1
    """
    pieces = [dumps(list(r)).encode("utf-8") for r in rows]
    return [_pack(part, seq, first, len(group), b"[" + b",".join(group) + b"]")
            for seq, (first, group) in enumerate(_groups(pieces))]


def split_text(part: str, text: str) -> list[Chunk]:
    """The chunks of a canonical JSON text, cut after record separators.

    Example:
        >>> text = '{"flows":[' + ",".join('{"id":"F%d"}' % i for i in range(5000)) + "]}"
        >>> chunks = split_text("inventory", text)
        >>> "".join(text_of(c.data, c.size) for c in chunks) == text, len(chunks) > 1
        (True, True)
    """
    parts = text.split(_SEP)
    pieces = [p.encode("utf-8") + b"},{" for p in parts[:-1]] + [parts[-1].encode("utf-8")]
    return [_pack(part, seq, first, len(group), b"".join(group))
            for seq, (first, group) in enumerate(_groups(pieces))]


def unpack(data: bytes, size: int) -> bytes:
    """The payload of stored bytes: raw when their length is ``size``, else zlib.

    Example:
        >>> unpack(zlib.compress(b"abc" * 10), 30), unpack(b"abc", 3)
        (b'abcabcabcabcabcabcabcabcabcabc', b'abc')
    """
    if not isinstance(data, bytes):
        raise TypeError(f"a stored payload is {type(data).__name__}, not bytes")
    payload = data if len(data) == size else _inflate(data, size)
    if len(payload) != size:
        raise ValueError(f"a stored payload holds {len(payload)} bytes, not {size}")
    return payload


def _inflate(data: bytes, size: int) -> bytes:
    """Decompress at most ``size + 1`` bytes, so a hostile chunk cannot exhaust memory.

    A few hundred bytes of zlib can inflate to gigabytes; a chunk's recorded size
    bounds what is decoded, and a size no deflate stream of this length can reach
    (deflate expands at most about 1,032 to 1) is damage, refused before decoding.
    """
    if not isinstance(size, int) or size < 0 or size > len(data) * _MAX_RATIO + 64:
        raise ValueError(f"{len(data)} stored bytes cannot hold {size} bytes")
    inflater = zlib.decompressobj()
    payload = inflater.decompress(data, size + 1)
    if len(payload) > size or inflater.unconsumed_tail:
        raise ValueError(f"a stored payload holds more than {size} bytes")
    return payload


def sqlar_uncompress(data, size):
    """SQL function ``sqlar_uncompress(data, size)`` as the ``sqlite3`` shell has it.

    Registered on lineage's connections so the store's row views work here too.

    Example:
        >>> sqlar_uncompress(zlib.compress(b"[]"), 2), sqlar_uncompress(None, 0)
        (b'[]', None)
    """
    if not isinstance(data, bytes) or not isinstance(size, int):
        return data
    try:
        return data if len(data) == size else _inflate(data, size)
    except (zlib.error, ValueError):
        return None


def rows_of(data: bytes, size: int) -> list[tuple]:
    """The rows of a stored row chunk.

    Example:
        >>> c = split_rows("findings", [("TP101:F38", 0), ("TP102:F37:C05", 1)])[0]
        >>> rows_of(c.data, c.size)
        [('TP101:F38', 0), ('TP102:F37:C05', 1)]
    """
    return [tuple(r) for r in json.loads(unpack(data, size))]


def text_of(data: bytes, size: int) -> str:
    """The text of a stored inventory chunk.

    Example:
        >>> c = split_text("inventory", '{"a":[{"id":1},{"id":2}]}')[0]
        >>> text_of(c.data, c.size)
        '{"a":[{"id":1},{"id":2}]}'
    """
    return unpack(data, size).decode("utf-8")
