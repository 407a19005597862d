"""Running Graphviz safely: exit status, stderr, lost edges, time limits, atomic files.

Graphviz 2.43 can exit 0 after dropping edges of a big labelled graph, so a
render also asks for Graphviz's ``plain`` output in the same run and counts the
nodes and edges it actually laid out. Anything short of the full graph is a
:class:`RenderError`, which the layout plan answers by degrading a step.

Example:
    >>> data, warnings = run_graphviz('digraph { a -> b }', "svg", nodes=2, edges=1)
    >>> data.startswith(b"<?xml"), warnings
    (True, [])
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import LineageError
from ..files import format_for, write_atomic

__all__ = ["FORMATS", "RenderError", "GraphvizMissing", "LayoutTimeout", "format_of",
           "run_graphviz", "write_atomic"]

#: Output formats by file extension; ``dot`` is the DOT source, no layout run.
FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot"}


class RenderError(LineageError, RuntimeError):
    """Graphviz failed, timed out or left part of the graph out.

    Example:
        >>> try:
        ...     run_graphviz("digraph { a -> }", "svg")
        ... except RenderError as exc:
        ...     print(str(exc).split(":")[0])
        Graphviz dot failed (exit 1)
    """


class GraphvizMissing(RenderError):
    """The Graphviz program is not installed.

    Example:
        >>> run_graphviz("digraph { a }", "svg", engine="no-such-layout-engine")
        Traceback (most recent call last):
        lineage.drawing.render.GraphvizMissing: Graphviz 'no-such-layout-engine' not found; install Graphviz (Debian: apt-get install graphviz)
    """


class LayoutTimeout(RenderError):
    """Graphviz did not finish within its time limit (the drawing may then summarise).

    Example:
        >>> big = "digraph {" + " ".join(f"n{i} -> n{(i * 7919) % 3000};" for i in range(3000)) + "}"
        >>> run_graphviz(big, "svg", timeout=0.05)
        Traceback (most recent call last):
        lineage.drawing.render.LayoutTimeout: Graphviz dot took longer than 0 s
    """


def format_of(path, fmt: str | None = None) -> str:
    """The output format for ``path`` (from its extension unless ``fmt`` is given).

    Example:
        >>> format_of("map.PNG"), format_of("x.out", "svg")
        ('png', 'svg')
        >>> format_of("map.jpg")
        Traceback (most recent call last):
        ValueError: unknown drawing format '.jpg' (known: .dot, .gv, .pdf, .png, .svg)
    """
    return format_for(path, fmt, FORMATS, "drawing")


def _count_plain(text: str) -> tuple[int, int]:
    nodes = edges = 0
    for line in text.splitlines():
        if line.startswith("node "):
            nodes += 1
        elif line.startswith("edge "):
            edges += 1
    return nodes, edges


def run_graphviz(dot_text: str, fmt: str, *, engine: str = "dot", nodes: int | None = None,
                 edges: int | None = None, timeout: float | None = None
                 ) -> tuple[bytes, list[str]]:
    """Lay out and render ``dot_text``; return the bytes and Graphviz's warnings.

    Raises :class:`RenderError` when Graphviz exits non-zero, reports an error,
    runs past ``timeout`` seconds, or lays out fewer than ``nodes``/``edges``.

    Example:
        >>> run_graphviz('digraph { a -> }', "svg")
        Traceback (most recent call last):
        lineage.drawing.render.RenderError: Graphviz dot failed (exit 1): Error: ... syntax error in line 1 near '}'
    """
    exe = shutil.which(engine)
    if exe is None:
        raise GraphvizMissing(f"Graphviz '{engine}' not found; install Graphviz "
                              "(Debian: apt-get install graphviz)")
    with tempfile.TemporaryDirectory(prefix="lineage-draw-") as tmp:
        src, out, plain = (Path(tmp) / n for n in ("in.dot", f"out.{fmt}", "out.plain"))
        src.write_text(dot_text, encoding="utf-8")
        cmd = [exe, f"-T{fmt}", "-o", str(out), "-Tplain", "-o", str(plain), str(src)]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout,
                                  env={**os.environ, "LC_ALL": "C.UTF-8"})
        except subprocess.TimeoutExpired:
            raise LayoutTimeout(f"Graphviz {engine} took longer than {timeout:.0f} s",
                              message_ja=f"Graphviz {engine} が {timeout:.0f} 秒以内に終わりませんでした"
                              ) from None
        stderr = proc.stderr.decode("utf-8", "replace")
        lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
        errors = [ln for ln in lines if ln.lower().startswith("error")]
        if proc.returncode != 0 or errors:
            detail = " ".join(errors or lines[:2]) or "no message"
            detail = detail.replace(str(src), "<input>")
            raise RenderError(f"Graphviz {engine} failed (exit {proc.returncode}): {detail}",
                              message_ja=f"Graphviz {engine} が失敗しました（終了コード "
                                         f"{proc.returncode}）: {detail}")
        if not out.exists() or not plain.exists():
            raise RenderError(f"Graphviz {engine} wrote no output",
                              message_ja=f"Graphviz {engine} は何も出力しませんでした")
        got_nodes, got_edges = _count_plain(plain.read_text("utf-8", "replace"))
        if (nodes is not None and got_nodes < nodes) or (edges is not None and got_edges < edges):
            raise RenderError(f"Graphviz {engine} laid out {got_nodes} of {nodes} nodes and "
                              f"{got_edges} of {edges} edges",
                              message_ja=f"Graphviz {engine} が配置できたのは当事者 {nodes} 件中 "
                                         f"{got_nodes} 件、フロー {edges} 件中 {got_edges} 件です")
        return out.read_bytes(), [ln for ln in lines if "warning" in ln.lower()]
