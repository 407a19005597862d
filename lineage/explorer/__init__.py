"""The explorer: click through an audit's flows in one offline page or a notebook widget.

:func:`write_page` writes the self-contained HTML file of ``lineage explore``;
:func:`explore` returns a notebook widget running the same JavaScript module
(or, without anywidget, an object that shows the page inline).

Example:
    >>> import lineage, tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "explorer.html"
    >>> write_page(lineage.check("inventories/monocollabo"), out).name
    'explorer.html'
"""

from __future__ import annotations

from pathlib import Path

from .data import explorer_data
from .page import page_html

__all__ = ["explore", "write_page", "explorer_data", "page_html"]


def write_page(audit, path, *, lang: str = "en") -> Path:
    """Write the explorer page of ``audit`` to ``path`` atomically; return the path.

    Example:
        >>> import lineage, tempfile, pathlib
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "x.html"
        >>> write_page(lineage.check("inventories/monocollabo"), out).read_text()[:15]
        '<!DOCTYPE html>'
    """
    from ..files import write_atomic
    path = Path(path)
    write_atomic(path, page_html(audit, lang=lang).encode("utf-8"))
    return path


def explore(audit, *, lang: str = "en"):
    """A notebook explorer of ``audit`` (an :class:`~lineage.Audit` or an inventory path).

    With anywidget installed (``pip install lineage[notebook]``) this is an
    :class:`~lineage.explorer.widget.Explorer` widget whose ``selection`` (flow IDs)
    and ``selected_flows`` (a DataFrame) follow the clicks; otherwise a
    :class:`~lineage.explorer.widget.ExplorerPage` that shows the page inline.

    Example:
        >>> import lineage
        >>> w = explore(lineage.check("inventories/monocollabo"))
        >>> w.selection = ["F01", "F02"]
        >>> w.selected_flows["id"].tolist()
        ['F01', 'F02']
    """
    from .widget import make
    if not hasattr(audit, "as_dict"):
        from ..result import check
        audit = check(audit)
    return make(audit, lang=lang)
