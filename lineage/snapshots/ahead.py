"""A snapshot's inventory part, made in a second process while this one checks.

The inventory part of a snapshot (the canonical JSON of the inventory, cut into
chunks, compressed and hashed: :mod:`.chunks`) depends on the inventory only,
not on the check. On a machine of several cores, :meth:`InventoryAhead.start`
forks a child right after the inventory is loaded; the child makes that part
while the parent judges the flows, writes the packed chunks into a pipe and
exits. The parent takes them (:meth:`InventoryAhead.result`) where it would
have made them itself: the same function makes the same chunks either way,
so the store's bytes do not depend on whether a child made them (the tests
compare both ways byte for byte).

A child is forked only where that is safe and pays: on Linux (macOS and
Windows do not fork a Python safely, or at all), when this process runs no
other thread (a fork copies only the calling thread: a lock another thread
holds would stay held in the child; a notebook's kernel runs several, so a
notebook never forks), for an inventory of at least :data:`MIN_FLOWS` flows,
and unless the environment sets ``LINEAGE_FORK=0``. The child touches no file,
terminal or store connection: it computes, writes into its pipe and leaves by
``os._exit``. Whatever goes wrong in it (an error, a signal, a short pipe)
makes :meth:`~InventoryAhead.result` None, and the caller makes the part
itself, as without a child.

Example:
    >>> import lineage
    >>> inv = lineage.load("inventories/monocollabo")
    >>> InventoryAhead.start(inv) is None  # 48 flows: not worth a process
    True
    >>> ahead = InventoryAhead.start(inv, min_flows=0)
    >>> got = ahead.result() if ahead is not None else made_here(inv)
    >>> got == made_here(inv)
    True
    >>> ahead is None or ahead.close() is None
    True
"""

from __future__ import annotations

import functools
import gc
import hashlib
import json
import os
import signal
import sys
import threading
import warnings
from typing import TYPE_CHECKING

from .chunks import Chunk, _pack, _pack_known, text_of, text_payloads

if TYPE_CHECKING:
    from ..model.schema import Inventory

__all__ = ["InventoryAhead", "MIN_FLOWS", "made_here", "may_fork"]

#: Flows below which the inventory part is made in this process: a child costs
#: a few milliseconds to start, and the part of a small inventory takes less.
MIN_FLOWS = 20_000
_LENGTH = 8  # bytes of the header's length, before the header


def may_fork() -> bool:
    """Whether this process may fork a child to make an inventory part (see the
    module's notes: Linux, no other thread, ``LINEAGE_FORK`` not ``0``).

    Example:
        >>> may_fork() == (sys.platform.startswith("linux") and hasattr(os, "fork")
        ...                and threading.active_count() == 1
        ...                and os.environ.get("LINEAGE_FORK") != "0")
        True
    """
    return (sys.platform.startswith("linux") and hasattr(os, "fork")
            and threading.active_count() == 1 and os.environ.get("LINEAGE_FORK") != "0")


def made_here(inventory: Inventory, known: dict | None = None) -> tuple[str, int, list[Chunk]]:
    """The inventory part as this process makes it: the SHA-256 of the canonical
    UTF-8 (hex), its length, and its packed chunks (``known``: stored chunks
    reused as :func:`.chunks._pack_known` reuses them).

    Example:
        >>> import lineage
        >>> digest, size, chunks = made_here(lineage.load("inventories/monocollabo"))
        >>> len(digest), sum(c.size for c in chunks) == size, chunks[0].part
        (64, True, 'inventory')
    """
    from .canonical import canonical_bytes
    data = canonical_bytes(inventory)
    pack = functools.partial(_pack_known, known) if known else _pack
    chunks = [pack("inventory", seq, first, rows, payload)
              for seq, (first, rows, payload) in enumerate(text_payloads(data))]
    return hashlib.sha256(data).hexdigest(), len(data), chunks


def text_loader(chunks: list[Chunk]):
    """A function giving the text the inventory ``chunks`` hold (for a
    :class:`~.record.Deferred`): the text is made when first read.

    Example:
        >>> from .chunks import split_text
        >>> text_loader(split_text("inventory", '[{"id":1},{"id":2}]'))()
        '[{"id":1},{"id":2}]'
    """
    return functools.partial(_joined, tuple(chunks))


def _joined(chunks: tuple) -> str:
    return "".join(text_of(c.data, c.size) for c in chunks)


class InventoryAhead:
    """A child process making an inventory's part of a snapshot (see the module).

    Use :meth:`start`; then :meth:`result` once, where the part is needed, and
    :meth:`close` (or ``with``) in every case, so no child outlives the call.
    A thread of this process drains the child's pipe as it writes, so the child
    ends (and frees its memory) as soon as its work is done.

    Example:
        >>> import lineage
        >>> inv = lineage.load("inventories/monocollabo")
        >>> ahead = InventoryAhead.start(inv, min_flows=0)  # None where it may not fork
        >>> try:
        ...     got = ahead.result() if ahead is not None else made_here(inv)
        ... finally:
        ...     _ = ahead is not None and ahead.close()
        >>> got[0] == made_here(inv)[0]
        True
    """

    def __init__(self, pid: int, fd: int, known: dict | None, inventory=None):
        self.pid = pid
        #: The inventory whose part the child makes (its part fits no other).
        self.inventory = inventory
        #: The stored chunks the child reused: the store reuses them for the other parts.
        self.known = known
        self._fd = fd
        self._data: list[bytes] = []
        self._status: int | None = None
        self._reader = threading.Thread(target=self._drain, name="lineage-ahead", daemon=True)
        self._reader.start()

    @classmethod
    def start(cls, inventory: Inventory, known: dict | None = None, *,
              min_flows: int = MIN_FLOWS) -> "InventoryAhead | None":
        """Fork a child making ``inventory``'s part, or None where this process
        should make it itself (:func:`may_fork`, fewer than ``min_flows`` flows, or
        the fork failed). ``known`` may be a function giving the stored chunks:
        called only when a child is to be forked (else the caller reads them once,
        when it packs, and holds no second copy meanwhile).

        Example:
            >>> import lineage
            >>> InventoryAhead.start(lineage.load("inventories/monocollabo")) is None
            True
        """
        if len(inventory.flows) < min_flows or not may_fork():
            return None
        if callable(known):
            known = known()
        parent, prctl = os.getpid(), _prctl()
        read_end, write_end = os.pipe()
        try:
            pid = os.fork()
        except OSError:  # no memory or too many processes: made here instead
            os.close(read_end)
            os.close(write_end)
            return None
        if pid == 0:  # the child: never returns into the caller's frames
            code = 1
            try:
                os.close(read_end)
                _end_with(parent, prctl)
                _child(inventory, known, write_end)
                code = 0
            except BaseException:  # noqa: BLE001 - the parent makes the part instead
                pass
            finally:
                os._exit(code)
        try:
            os.close(write_end)
            return cls(pid, read_end, known, inventory)
        except BaseException as error:
            # no thread to drain the pipe (too many threads), or Ctrl-C just now:
            # a child nobody waits for would block on its full pipe for good
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
            try:
                os.close(read_end)
            except OSError:
                pass
            if isinstance(error, Exception):
                return None  # made here instead
            raise

    def _drain(self) -> None:
        try:
            while True:
                got = os.read(self._fd, 1 << 20)
                if not got:
                    break
                self._data.append(got)
        except OSError:
            self._data.append(b"\0")  # a broken pipe: no valid result
        finally:
            os.close(self._fd)

    def _reap(self, kill: bool) -> None:
        # Only the caller's thread signals and reaps the child, in that order: a
        # child reaped elsewhere first could have its ID given to another process
        # by the time it is signalled (until reaped, the ID stays the child's).
        if self._status is not None:
            return
        if kill:
            try:
                os.kill(self.pid, signal.SIGKILL)  # the result is not wanted any more
            except ProcessLookupError:
                pass
        self._reader.join()
        _, self._status = os.waitpid(self.pid, 0)

    def result(self) -> tuple[str, int, list[Chunk]] | None:
        """What :func:`made_here` gives, as the child made it; None when the child
        did not finish its work (the caller then makes the part itself).

        Example:
            >>> import lineage
            >>> inv = lineage.load("inventories/monocollabo")
            >>> ahead = InventoryAhead.start(inv, min_flows=0)
            >>> ahead is None or ahead.result()[0] == made_here(inv)[0]
            True
            >>> ahead is None or ahead.close() is None
            True
        """
        self._reader.join()
        self._reap(kill=False)  # the pipe is closed: the child has ended, or is ending
        if os.waitstatus_to_exitcode(self._status) != 0:
            return None
        return _parsed(b"".join(self._data))

    def close(self) -> None:
        """End the child if it still runs, and wait for it (nothing is left behind).

        Example:
            >>> import lineage
            >>> ahead = InventoryAhead.start(lineage.load("inventories/monocollabo"), min_flows=0)
            >>> ahead is None or ahead.close() is None
            True
        """
        self._reap(kill=True)
        self._data = []

    def __enter__(self) -> "InventoryAhead":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _prctl():
    """The C library's ``prctl``, or None: looked up before the fork (the child
    loads no library: another library's thread may hold the loader's lock)."""
    try:
        import ctypes
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError, ImportError):
        return None


def _end_with(parent: int, prctl) -> None:
    """Have the kernel kill this child when its parent ends: a parent killed
    outright (SIGKILL, the out-of-memory killer) runs no ``finally`` to end it,
    and the child would compute on for nothing (seconds, at a million flows)."""
    if prctl is not None:
        prctl(1, 9, 0, 0, 0)  # PR_SET_PDEATHSIG, SIGKILL
    if os.getppid() != parent:  # the parent ended before the request was made
        os._exit(1)


def _child(inventory, known, fd: int) -> None:
    """The child's work: the part, written into ``fd`` as a header and the chunks' bytes."""
    # The collector would write into every object it scans, and each page
    # written is copied from the parent's: the child builds no cycles to free.
    gc.disable()
    from ..progress import reporting
    # A warning the work raises is the parent's to show: it makes the same part
    # again when the child fails, and would show it twice.
    with reporting(None), warnings.catch_warnings():  # the progress display is the parent's
        warnings.simplefilter("ignore")
        digest, size, chunks = made_here(inventory, known)
    header = json.dumps({"digest": digest, "size": size,
                         "chunks": [[c.seq, c.first, c.rows, c.size, c.blob, len(c.data)]
                                    for c in chunks]}).encode("ascii")
    with os.fdopen(fd, "wb") as out:
        out.write(len(header).to_bytes(_LENGTH, "big"))
        out.write(header)
        for c in chunks:
            out.write(c.data)


def _parsed(raw: bytes) -> tuple[str, int, list[Chunk]] | None:
    """The part from what the child wrote, or None when it is not whole."""
    try:
        length = int.from_bytes(raw[:_LENGTH], "big")
        header = json.loads(raw[_LENGTH:_LENGTH + length])
        at = _LENGTH + length
        chunks = []
        for seq, first, rows, size, blob, stored in header["chunks"]:
            data = raw[at:at + stored]
            at += stored
            chunks.append(Chunk("inventory", seq, first, rows, size, blob, data))
        if at != len(raw) or not chunks:
            return None
        return header["digest"], header["size"], chunks
    except (ValueError, KeyError, TypeError):
        return None
