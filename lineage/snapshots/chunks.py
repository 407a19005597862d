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

import functools
import hashlib
import json
import os
import sys
import threading
import zlib
from bisect import bisect_left
from dataclasses import dataclass
from itertools import accumulate, chain, compress, count, repeat
from operator import add, and_, not_

from ..plainjson import SCALARS
from .canonical import dumps

try:
    import orjson
except ImportError:  # pragma: no cover - a dependency; without it, the standard encoder
    orjson = None

__all__ = ["Chunk", "PARTS", "split_rows", "split_text", "row_payloads", "iter_row_payloads",
           "RowCutter", "text_payloads", "Packer", "rows_of", "text_of", "unpack",
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
_SEP_BYTES = b"},{"
_CRC_OPEN = zlib.crc32(b"[")
_SEQUENCES = frozenset({tuple, list})
_BATCH = 4096  # rows per call of the encoder: one call, not one per row
_SWITCH_INTERVAL = 0.0002  # seconds: see Packer


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


def _pack_known(known: dict, part: str, seq: int, first: int, rows: int,
                payload: bytes) -> Chunk:
    """:func:`_pack`, or a chunk already stored with this very payload, as it is.

    ``known`` maps (part, payload size) to (blob hash, stored bytes) of stored
    chunks: a stored chunk whose bytes still match their hash and unpack to
    ``payload`` is used again without compressing anything (unpacking is several
    times quicker). Made by this zlib, it is the chunk :func:`_pack` would make.

    Example:
        >>> c = _pack("flows", 0, 0, 1, b'[["F1"]]')
        >>> _pack_known({("flows", c.size): [(c.blob, c.data)]}, "flows", 3, 9, 1,
        ...             b'[["F1"]]') == Chunk("flows", 3, 9, 1, c.size, c.blob, c.data)
        True
    """
    for blob, data in known.get((part, len(payload)), ()):
        try:
            if unpack(data, len(payload)) == payload and \
                    hashlib.sha256(data).hexdigest() == blob:
                return Chunk(part, seq, first, rows, len(payload), blob, data)
        except (zlib.error, ValueError, TypeError):
            continue  # damaged: compressed anew below
    return _pack(part, seq, first, rows, payload)


def _bounds(crcs, sizes: list[int]) -> list[tuple[int, int]]:
    """Content-defined groups of consecutive pieces, as (first, end) index pairs.

    A piece ``i`` ends its group when the group holds at least ``_MIN_ROWS``
    pieces and the CRC-32 of piece ``i`` has its low bits (``_MASK``) zero, or
    the group holds ``_MAX_ROWS`` pieces, or ``_MAX_BYTES`` bytes; the last
    group takes what is left; no pieces make one empty group. ``crcs`` and
    ``sizes`` are each piece's CRC-32 and length. Only the pieces whose CRC
    qualifies and the group ends are visited in Python: a million rows make
    a few thousand groups.

    Example:
        >>> _bounds([1] * 100, [10] * 100), _bounds([], [])
        ([(0, 100)], [(0, 0)])
        >>> _bounds([1] * 70 + [0] + [1] * 9, [10] * 80)
        [(0, 71), (71, 80)]
    """
    n = len(sizes)
    if not n:
        return [(0, 0)]
    qualify = list(compress(count(), map(not_, map(and_, crcs, repeat(_MASK)))))
    ends = list(accumulate(sizes))
    out, start, j = [], 0, 0
    while start < n:
        last = start + _MAX_ROWS - 1
        j = bisect_left(qualify, start + _MIN_ROWS - 1, j)
        if j < len(qualify) and qualify[j] < last:
            last = qualify[j]
        last = min(last, bisect_left(ends, (ends[start - 1] if start else 0) + _MAX_BYTES,
                                     start), n - 1)
        out.append((start, last + 1))
        start = last + 1
    return out


def _row_texts(rows) -> list[bytes]:
    """Each row's JSON array as UTF-8, without its outer brackets.

    Encoded a batch at a time (one call of an encoder for thousands of rows)
    and cut at the rows' separators ``],[``; a batch where one of those is also
    inside a value (more pieces than rows) is encoded row by row instead. A
    batch of strings, integers, booleans and None only goes through orjson,
    which writes those as the standard encoder does (:mod:`lineage.plainjson`;
    it refuses lone surrogates and integers past 64 bits: then the standard
    encoder writes the batch).

    Example:
        >>> _row_texts([("F1", 1, None), ("a],[b", True)])
        [b'"F1",1,null', b'"a],[b",true']
    """
    if not set(map(type, rows)) <= _SEQUENCES:
        return [dumps(list(r)).encode("utf-8")[1:-1] for r in rows]
    out: list[bytes] = []
    for lo in range(0, len(rows), _BATCH):
        batch = rows[lo:lo + _BATCH]
        text = None
        if orjson is not None and set(map(type, chain.from_iterable(batch))) <= SCALARS:
            try:
                text = orjson.dumps(batch)
            except (TypeError, orjson.JSONEncodeError):
                text = None
        if text is None:
            text = dumps(batch).encode("utf-8")
        inner = text[2:-2].split(b"],[")
        if len(inner) != len(batch):
            inner = [dumps(r).encode("utf-8")[1:-1] for r in batch]
        out += inner
    return out


def row_payloads(rows) -> list[tuple[int, int, bytes]]:
    """The payloads of a part's rows, cut as :func:`split_rows` cuts them:
    (first row, row count, payload) per chunk, not compressed yet.

    Example:
        >>> row_payloads([("F1", 1), ("F2", None)]), row_payloads([])
        ([(0, 2, b'[["F1",1],["F2",null]]')], [(0, 0, b'[]')])
    """
    return list(iter_row_payloads(rows))


#: Rows encoded at a time by :func:`iter_row_payloads`.
_SEGMENT = 32_768


def iter_row_payloads(rows, segment: int = _SEGMENT):
    """:func:`row_payloads`, each payload given as soon as it is final: the rows
    are encoded ``segment`` at a time (:class:`RowCutter`), so a :class:`Packer`
    compresses the first chunks while the next rows are encoded.

    Example:
        >>> rows = [(f"F{i}", "x" * (i % 7)) for i in range(3000)]
        >>> cut_at_once = list(iter_row_payloads(rows, len(rows)))
        >>> list(iter_row_payloads(rows, 100)) == row_payloads(rows) == cut_at_once
        True
    """
    cutter = RowCutter()
    n = len(rows)
    step = max(1, segment)
    for lo in range(0, n, step):
        yield from cutter.feed(rows[lo:lo + step], final=lo + step >= n)
    if not n:
        yield from cutter.feed((), final=True)


class RowCutter:
    """Cuts a part's rows into the payloads :func:`row_payloads` gives, as the
    rows come (a batch at a time): a store compresses the first chunks of the
    flows while later flows' rows are still being made.

    Of each batch's groups (:func:`_bounds`) all are final but the last, which
    the rows still to come may lengthen: its rows are cut again with the next
    batch. The cut is greedy from a group's first row, so a group that ended
    before the rows ran out ends there however many rows follow: the payloads
    are those of the rows cut at once (``tests/test_snapshot_fast.py``
    compares them).

    Example:
        >>> cutter = RowCutter()
        >>> cutter.feed([("F1", 1)]), cutter.feed([("F2", None)], final=True)
        ([], [(0, 2, b'[["F1",1],["F2",null]]')])
        >>> RowCutter().feed([], final=True)
        [(0, 0, b'[]')]
    """

    __slots__ = ("pending", "base")

    def __init__(self):
        self.pending: list[bytes] = []  # the texts of the rows from ``base`` in no chunk yet
        self.base = 0

    def feed(self, rows, final: bool = False) -> list[tuple[int, int, bytes]]:
        """The payloads (first row, row count, payload) the rows so far make final;
        ``final``: these are the last rows, every payload is given.

        Example:
            >>> RowCutter().feed([("F1",)], final=True)
            [(0, 1, b'[["F1"]]')]
        """
        pending = self.pending
        pending += _row_texts(rows)
        if not pending:
            return [(0, 0, b"[]")] if final and not self.base else []
        # a row's piece is "[" + its text + "]": its CRC-32 continues the one of "["
        crcs = map(zlib.crc32, repeat(b"]"), map(zlib.crc32, pending, repeat(_CRC_OPEN)))
        bounds = _bounds(crcs, list(map(add, map(len, pending), repeat(2))))
        if not final:
            bounds.pop()  # the rows still to come may lengthen it
        base = self.base
        out = [(base + a, b - a, b"[[" + b"],[".join(pending[a:b]) + b"]]") for a, b in bounds]
        cut = bounds[-1][1] if bounds else 0
        del pending[:cut]
        self.base = base + cut
        return out


def text_payloads(text: str | bytes) -> list[tuple[int, int, bytes]]:
    """The payloads of a canonical JSON text (or its UTF-8), cut as :func:`split_text`
    cuts it: (first piece, piece count, payload) per chunk, not compressed yet.

    Example:
        >>> text_payloads('[{"id":1},{"id":2}]')
        [(0, 2, b'[{"id":1},{"id":2}]')]
    """
    # "},{" is ASCII: cutting the UTF-8 bytes cuts where the text is cut
    data = text if type(text) is bytes else text.encode("utf-8")
    parts = data.split(_SEP_BYTES)
    last = len(parts) - 1
    crcs = chain(map(zlib.crc32, repeat(_SEP_BYTES, last), map(zlib.crc32, parts[:last])),
                 (zlib.crc32(parts[last]),))
    sizes = list(map(add, map(len, parts), repeat(len(_SEP_BYTES))))
    sizes[last] -= len(_SEP_BYTES)
    return [(a, b - a, _SEP_BYTES.join(parts[a:b]) + (_SEP_BYTES if b <= last else b""))
            for a, b in _bounds(crcs, sizes)]


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
    return [_pack(part, seq, first, count_, payload)
            for seq, (first, count_, payload) in enumerate(row_payloads(rows))]


def split_text(part: str, text: str) -> list[Chunk]:
    """The chunks of a canonical JSON text, cut after record separators.

    Example:
        >>> text = '{"flows":[' + ",".join('{"id":"F%d"}' % i for i in range(5000)) + "]}"
        >>> chunks = split_text("inventory", text)
        >>> "".join(text_of(c.data, c.size) for c in chunks) == text, len(chunks) > 1
        (True, True)
    """
    return [_pack(part, seq, first, count_, payload)
            for seq, (first, count_, payload) in enumerate(text_payloads(text))]


class Packer:
    """Compresses and hashes chunks on worker threads while the caller makes the next.

    zlib and SHA-256 let other threads run while they work, so on a machine of
    several cores the compression of one part overlaps the making of the next.
    The chunks and their bytes are those :func:`split_rows` and
    :func:`split_text` give, in the order they were added.

    Example:
        >>> with Packer() as packer:
        ...     packer.add("flows", row_payloads([("F1", 1)]))
        ...     packer.add("waivers", row_payloads([]))
        ...     got = packer.chunks()
        >>> got == split_rows("flows", [("F1", 1)]) + split_rows("waivers", [])
        True
    """

    def __init__(self, workers: int | None = None, known: dict | None = None):
        from concurrent.futures import ThreadPoolExecutor
        #: Stored chunks by (part, payload size): see :func:`_pack_known`.
        self.known = known
        # A worker per core (two at most): the caller's thread makes the next part
        # meanwhile, and mostly waits for the last ones at the end.
        self._pool = ThreadPoolExecutor(workers or max(1, min(2, os.cpu_count() or 1)),
                                        thread_name_prefix="lineage-pack")
        self._futures: list = []
        self._parts: list[str] = []  # the part of each future
        self._seq: dict[str, int] = {}  # the next chunk number of each part
        # A worker hands a compressed chunk back, and takes the next, only with
        # the interpreter's lock, which the caller's busy thread gives up every
        # switch interval (5 ms): at a millisecond of zlib per chunk, the
        # workers would mostly wait for it. A shorter interval while packing.
        _shorten_switch()
        self._shortened = True  # until close() gives the interval back

    def add(self, part: str, payloads) -> None:
        """Queue the payloads of ``part`` (from :func:`row_payloads` or
        :func:`text_payloads`), numbered from 0 in order (a part given by several
        calls, as :class:`RowCutter` makes it: on from the last call's).

        Example:
            >>> with Packer(1) as packer:
            ...     packer.add("waivers", row_payloads([]))
            ...     [c.rows for c in packer.chunks()]
            [0]
        """
        submit = self._pool.submit
        pack = functools.partial(_pack_known, self.known) if self.known else _pack
        start = self._seq.get(part, 0)
        for seq, (first, rows, payload) in enumerate(payloads, start):
            self._futures.append(submit(pack, part, seq, first, rows, payload))
            self._parts.append(part)
            self._seq[part] = seq + 1

    def restart(self, part: str) -> None:
        """Forget what was queued of ``part``: it is queued again from its start.

        Example:
            >>> with Packer(1) as packer:
            ...     packer.add("flows", row_payloads([("F1", 1)]))
            ...     packer.restart("flows")
            ...     packer.add("flows", row_payloads([("F2", 2)]))
            ...     [(c.seq, c.first, c.rows, c.size) for c in packer.chunks()]
            [(0, 0, 1, 10)]
        """
        futures, parts = [], []
        for f, p in zip(self._futures, self._parts):
            if p == part:
                f.cancel()
            else:
                futures.append(f)
                parts.append(p)
        self._futures, self._parts = futures, parts
        self._seq.pop(part, None)

    def add_packed(self, chunks: list[Chunk]) -> None:
        """Take chunks packed already (elsewhere: :mod:`.ahead`) among the queued ones.

        Example:
            >>> with Packer(1) as packer:
            ...     packer.add_packed(split_rows("waivers", []))
            ...     [c.part for c in packer.chunks()]
            ['waivers']
        """
        from concurrent.futures import Future
        for chunk in chunks:
            done: Future = Future()
            done.set_result(chunk)
            self._futures.append(done)
            self._parts.append(chunk.part)

    def chunks(self) -> list[Chunk]:
        """Every queued chunk, compressed and hashed, in the order queued.

        Example:
            >>> with Packer(1) as packer:
            ...     packer.add("flows", row_payloads([("F1", 1)]))
            ...     packer.chunks()[0].size
            10
        """
        return [f.result() for f in self._futures]

    def close(self) -> None:
        """Stop the worker threads (after the queued work, or at once when it
        failed: nothing queued is kept).

        Example:
            >>> Packer(1).close()
        """
        for f in self._futures:
            f.cancel()
        self._pool.shutdown(wait=True)
        if self._shortened:
            self._shortened = False
            _restore_switch()

    def __enter__(self) -> "Packer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# Packers open at once (in several threads, or one inside another) share one
# shortened interval: the first saves the process's, the last to close restores
# it (each restoring what it found would leave the short one behind when they
# close in another order than they opened).
_SWITCH_LOCK = threading.Lock()
_switch: list = [0, None]  # packers open, the interval before the first


def _shorten_switch() -> None:
    with _SWITCH_LOCK:
        if not _switch[0]:
            _switch[1] = sys.getswitchinterval()
            sys.setswitchinterval(min(_switch[1], _SWITCH_INTERVAL))
        _switch[0] += 1


def _restore_switch() -> None:
    with _SWITCH_LOCK:
        _switch[0] -= 1
        if not _switch[0]:
            sys.setswitchinterval(_switch[1])


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
