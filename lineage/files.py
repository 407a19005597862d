"""Writing output files so that either the whole file appears or nothing does.

Every writer (reports, drawings, workbooks, exports, converted inventories)
goes through :func:`write_atomic`: a crash, a full disk or Ctrl-C never leaves
a half-written file, and a previous file is replaced only by a complete one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_atomic", "format_for", "BOM"]

#: The byte-order mark every CSV lineage writes begins with, so Excel reads it as UTF-8.
BOM = "\ufeff"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder.

    Either the whole file appears or nothing does; an existing file is replaced
    only when the new one is complete.

    Example:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> write_atomic(d / "x.txt", b"ok"); (d / "x.txt").read_bytes(), len(list(d.iterdir()))
        (b'ok', 1)
    """
    path = Path(path)
    if path.is_dir():
        raise OSError(21, "is a folder, not a file", str(path))
    if not path.parent.is_dir():
        raise OSError(2, f"folder {path.parent} does not exist", str(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp's 0600 would hide the file from others
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def format_for(path, fmt: str | None, formats: dict[str, str], noun: str) -> str:
    """The output format for ``path``: ``fmt`` if given, else from its extension.

    ``formats`` maps extensions to format names; ``noun`` names the kind of
    output in the error (``drawing``, ``export``).

    Example:
        >>> format_for("map.PNG", None, {".png": "png"}, "drawing")
        'png'
        >>> format_for("map.jpg", None, {".png": "png"}, "drawing")
        Traceback (most recent call last):
        ValueError: unknown drawing format '.jpg' (known: .png)
    """
    if fmt is not None:
        if fmt not in set(formats.values()):
            raise ValueError(f"unknown {noun} format {fmt!r} "
                             f"(known: {', '.join(sorted(set(formats.values())))})")
        return fmt
    ext = Path(path).suffix.lower()
    if ext not in formats:
        raise ValueError(f"unknown {noun} format {ext or Path(path).name!r} "
                         f"(known: {', '.join(sorted(formats))})")
    return formats[ext]
