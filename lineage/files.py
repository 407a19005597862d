"""Writing output files so that either the whole file appears or nothing does.

Every writer (reports, drawings, workbooks, exports, converted inventories)
goes through :func:`write_atomic`: a crash, a full disk or Ctrl-C never leaves
a half-written file, and a previous file is replaced only by a complete one.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from .errors import LineageError

__all__ = ["write_atomic", "format_for", "OutputError", "note_input", "start_run", "end_run",
           "check_output", "check_input", "read_input", "BOM", "safe_cell", "FORMULA_STARTS"]

#: The byte-order mark every CSV lineage writes begins with, so Excel reads it as UTF-8.
BOM = "\ufeff"

#: A spreadsheet reads a cell starting with one of these as a formula (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """``value`` as a CSV cell no spreadsheet runs: a formula start gets a leading ``'``.

    Every CSV writer uses it (reports, exports), so it lives with the file helpers.

    Example:
        >>> print(safe_cell('=HYPERLINK("http://x")'), safe_cell("-1"), safe_cell("ok"))
        '=HYPERLINK("http://x") '-1 ok
    """
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text

#: (device, inode) of every file read as input in this run; an output must not be one.
#: None outside a run (library use: a notebook may rewrite a file it read earlier).
_INPUTS: set[tuple[int, int]] | None = None
#: (device, inode) of every inventory folder read in this run: a new YAML or CSV file
#: written there would be read as part of the inventory next time.
_INPUT_DIRS: set[tuple[int, int]] = set()
#: The files an inventory folder reads as its parts.
PART_SUFFIXES = (".yaml", ".yml", ".csv")


class OutputError(LineageError):
    """An output path lineage refuses to write: an input, a symlink, a device, a folder.

    Example:
        >>> check_output("/dev/zero")
        Traceback (most recent call last):
        lineage.files.OutputError: /dev/zero: is not a regular file (a character device); refusing to write to it
    """


def is_null_device(st: os.stat_result | None) -> bool:
    """Whether ``st`` is the status of the null device (``/dev/null``): the one device
    an output may name, since writing there loses nothing and replaces nothing (a CI
    job's ``-o /dev/null`` keeps only the exit code).

    Example:
        >>> is_null_device(os.stat(os.devnull)), is_null_device(os.stat("."))
        (True, False)
    """
    if st is None or not stat.S_ISCHR(st.st_mode):
        return False
    try:
        null = os.stat(os.devnull)
    except OSError:
        return False
    return stat.S_ISCHR(null.st_mode) and st.st_rdev == null.st_rdev


def note_input(path) -> None:
    """Remember ``path`` as an input of this run, so no output replaces it.

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "inv.yaml"; _ = f.write_text("x")
        >>> start_run(); note_input(f); check_output(f)
        Traceback (most recent call last):
        lineage.files.OutputError: ...inv.yaml: is an input of this run; refusing to write over it
        >>> end_run(); check_output(f).st_size
        1
    """
    if _INPUTS is not None:
        _note(path, _INPUTS)


def note_input_folder(path) -> None:
    """Remember ``path`` as an inventory folder of this run: no output of the run may add
    a YAML or CSV file to it (the next load would read it as part of the inventory).

    Example:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> start_run(); note_input_folder(d); check_output(d / "findings.csv")
        Traceback (most recent call last):
        lineage.files.OutputError: ...findings.csv: is inside the inventory folder read by this run, which would read it as part of the inventory next time; write it elsewhere
        >>> check_output(d / "findings.html") is None
        True
        >>> end_run()
    """
    if _INPUTS is not None:  # (during a run only, as for the files)
        _note(path, _INPUT_DIRS)


def _note(path, into: set) -> None:
    """Add ``path``'s (device, inode) to ``into``; nothing for a path that is not there."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return
    into.add((st.st_dev, st.st_ino))


def start_run() -> None:
    """Start a run (one CLI command): from now on, every file read is an input.

    Example:
        >>> import lineage.files as files
        >>> files.start_run(); len(files._INPUTS)
        0
        >>> files.end_run()
    """
    global _INPUTS
    _INPUTS = set()
    _INPUT_DIRS.clear()


def end_run() -> None:
    """End the run: no file counts as an input any more.

    Example:
        >>> import lineage.files as files
        >>> files.end_run(); files._INPUTS is None
        True
    """
    global _INPUTS
    _INPUTS = None
    _INPUT_DIRS.clear()


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a named pipe"),
          (stat.S_ISSOCK, "a socket"))


def check_input(path) -> None:
    """Refuse an input that is not a regular file, before anything opens it.

    A named pipe would block the reader forever, a device could be endless; a
    dangling symlink or a symlink loop is named as such. Raises :class:`OSError`
    whose ``strerror`` says what is wrong; remembers the file as an input.

    Example:
        >>> import tempfile, pathlib, os
        >>> d = pathlib.Path(tempfile.mkdtemp()); os.mkfifo(d / "flows.yaml")
        >>> check_input(d / "flows.yaml")
        Traceback (most recent call last):
        OSError: [Errno 22] not a regular file (a named pipe): '...flows.yaml'
        >>> os.symlink(d / "gone.yaml", d / "a.yaml"); check_input(d / "a.yaml")
        Traceback (most recent call last):
        FileNotFoundError: [Errno 2] dangling symbolic link (its target does not exist): '...a.yaml'
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise OSError(2, "dangling symbolic link (its target does not exist)",
                          str(path)) from None
        raise
    except OSError as exc:
        if exc.errno == 40:  # ELOOP
            raise OSError(40, "symbolic link loop", str(path)) from None
        raise
    if not stat.S_ISREG(st.st_mode):
        kind = next((k for test, k in _KINDS if test(st.st_mode)), "a special file")
        raise OSError(22, f"not a regular file ({kind})", str(path))
    if _INPUTS is not None:
        _INPUTS.add((st.st_dev, st.st_ino))


def read_input(path) -> bytes:
    """The bytes of an input file, after :func:`check_input`.

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "a.yaml"; _ = f.write_text("x: 1")
        >>> read_input(f)
        b'x: 1'
    """
    check_input(path)
    with open(path, "rb") as fh:
        return fh.read()


def check_output(path) -> os.stat_result | None:
    """Refuse an output path that is a symlink, not a regular file, or an input of the run.

    Returns the existing file's status (None when there is no file yet).

    Example:
        >>> import tempfile, pathlib, os
        >>> d = pathlib.Path(tempfile.mkdtemp()); os.symlink(d / "x", d / "link")
        >>> check_output(d / "link")
        Traceback (most recent call last):
        lineage.files.OutputError: ...link: is a symbolic link; refusing to write through it
        >>> check_output(d / "new.txt") is None
        True
    """
    if _INPUT_DIRS and str(path).lower().endswith(PART_SUFFIXES):
        try:
            parent = os.stat(os.path.dirname(os.path.abspath(path)))
        except OSError:
            parent = None
        if parent is not None and (parent.st_dev, parent.st_ino) in _INPUT_DIRS:
            raise OutputError(
                f"{path}: is inside the inventory folder read by this run, which would read "
                "it as part of the inventory next time; write it elsewhere",
                message_ja=f"{path}: この実行で読んだ棚卸しのフォルダの中です。次回、棚卸しの"
                           "一部として読み込まれてしまうため、別の場所に書き出してください")
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror or exc})",
                          message_ja=f"{path}: 書き込めません（{exc.strerror or exc}）") from None
    if stat.S_ISLNK(st.st_mode):
        raise OutputError(f"{path}: is a symbolic link; refusing to write through it",
                          message_ja=f"{path}: シンボリックリンクです。リンク先には書き込みません")
    if is_null_device(st):
        return st
    if not stat.S_ISREG(st.st_mode):
        kind = next((k for test, k in _KINDS if test(st.st_mode)), "a special file")
        raise OutputError(f"{path}: is not a regular file ({kind}); refusing to write to it",
                          message_ja=f"{path}: 通常のファイルではありません（{kind}）。書き込みません")
    if _INPUTS is not None and (st.st_dev, st.st_ino) in _INPUTS:
        raise OutputError(f"{path}: is an input of this run; refusing to write over it",
                          message_ja=f"{path}: この実行の入力ファイルです。上書きしません")
    return st


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path, data) -> None:
    """Write ``data`` (bytes, or an iterable of bytes pieces) to ``path`` through a
    temporary file in the same folder.

    Either the whole file appears or nothing does; an existing file is replaced
    only when the new one is complete, and keeps its permission bits (a 0600
    file stays 0600); a new file gets the umask's default. Raises
    :class:`OutputError` for a symlink, a non-regular file or an input of the run.

    Example:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> write_atomic(d / "x.txt", b"ok"); (d / "x.txt").read_bytes(), len(list(d.iterdir()))
        (b'ok', 1)
    """
    path = Path(path)
    existing = check_output(path)
    if is_null_device(existing):
        # Nothing to replace: the output is made (its errors are still raised) and dropped.
        if not isinstance(data, (bytes, bytearray, memoryview)):
            for _ in data:
                pass
        return
    if not path.parent.is_dir():
        raise OSError(2, f"folder {path.parent} does not exist", str(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp's 0600 would hide a new file from others; an existing file keeps
        # its own bits, so a private report never becomes world-readable.
        mode = stat.S_IMODE(existing.st_mode) if existing else 0o666 & ~_umask()
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            if isinstance(data, (bytes, bytearray, memoryview)):
                fh.write(data)
            else:  # pieces of a large output, produced as they are written
                for piece in data:
                    fh.write(piece)
        # Checked again just before the rename: the target may have changed meanwhile.
        check_output(path)
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
