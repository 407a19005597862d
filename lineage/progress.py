"""Progress of long work: library code reports it, only the CLI draws it.

Readers, the engine, drawing and the snapshot store call :func:`report` (or
wrap a loop in :func:`steps`) with what they have done so far. Nothing happens
unless a caller installed a callback with :func:`reporting`; the CLI installs
one that draws a bar on a terminal's standard error. Reporting costs one
context-variable look-up per call, and :func:`steps` reports every ``every``
items, so a loop over a million flows pays almost nothing.

Example:
    >>> seen = []
    >>> with reporting(lambda stage, done, total: seen.append((stage, done, total))):
    ...     total = sum(steps(range(5), "flows checked", 5, every=2))
    >>> total, seen
    (10, [('flows checked', 0, 5), ('flows checked', 2, 5), ('flows checked', 4, 5), \
('flows checked', 5, 5)])
"""

from __future__ import annotations

import contextlib
import contextvars
from typing import Callable, Iterable, Iterator, TypeVar

__all__ = ["Callback", "reporting", "report", "steps", "active"]

#: ``callback(stage, done, total)``: ``total`` is None when it is not known.
Callback = Callable[[str, int, "int | None"], None]

_CALLBACK: contextvars.ContextVar[Callback | None] = contextvars.ContextVar(
    "lineage_progress", default=None)

T = TypeVar("T")


@contextlib.contextmanager
def reporting(callback: Callback | None):
    """Send every report made inside the block to ``callback`` (None: to nobody).

    Example:
        >>> with reporting(print):
        ...     report("records read", 10, None)
        records read 10 None
    """
    token = _CALLBACK.set(callback)
    try:
        yield
    finally:
        _CALLBACK.reset(token)


def active() -> bool:
    """Whether someone listens (so a caller may skip counting work nobody sees).

    Example:
        >>> active()
        False
    """
    return _CALLBACK.get() is not None


def report(stage: str, done: int, total: int | None = None) -> None:
    """Tell the listener, if any, that ``done`` of ``total`` units of ``stage`` are done.

    Example:
        >>> report("flows checked", 1, 2)  # nobody listens: nothing happens
    """
    callback = _CALLBACK.get()
    if callback is not None:
        callback(stage, done, total)


def steps(items: Iterable[T], stage: str, total: int | None = None,
          every: int = 1000) -> Iterator[T]:
    """Yield ``items``, reporting at the start, every ``every`` items and at the end.

    Example:
        >>> list(steps("ab", "letters", 2))
        ['a', 'b']
    """
    callback = _CALLBACK.get()
    if callback is None:
        yield from items
        return
    done = 0
    callback(stage, 0, total)
    for item in items:
        yield item
        done += 1
        if done % every == 0:
            callback(stage, done, total)
    callback(stage, done, total)
