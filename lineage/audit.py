"""The notebook API: an audit with every convenience, composed on top of all layers.

:class:`Audit` is the engine's :class:`~lineage.result.AuditResult` (findings,
flow table, summary, JSON form, DataFrames) plus what a notebook reaches for:
``draw``, ``trace``, ``upstream``, ``impact``, ``stop``, ``diff`` and
``to_excel`` (``graph``, the flow graph, is data and lives on the result).
They live here, above analysis, drawing and the outputs, so those
layers never import this module: the imports run one way (model <- rules <-
engine <- analysis <- drawing/outputs <- this module <- the command line).
Importing it also gives the model its ``Inventory.check()``.

Example:
    >>> import lineage
    >>> audit = lineage.check("inventories/monocollabo")
    >>> audit.findings.columns[:4].tolist(), type(audit).__name__
    (['id', 'rule', 'clause', 'kind'], 'Audit')
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .model.loading import load
from .model.schema import Inventory
from .result import REPORT_FORMAT, ROUTES, STATUSES, AuditResult, FlowResult

__all__ = ["Audit", "FlowResult", "check", "STATUSES", "ROUTES", "REPORT_FORMAT"]


class Audit(AuditResult):
    """A checked inventory with the notebook conveniences (see the module docstring).

    Example:
        >>> from lineage.model import load
        >>> audit = Audit(load("inventories/monocollabo"), as_of=dt.date(2026, 1, 1))
        >>> audit.as_of, len(audit.flow_results), audit.routes["F01"]
        (datetime.date(2026, 1, 1), 48, 'collection')
    """

    def draw(self, **options):
        """The flow map of this audit; options as :func:`lineage.drawing.draw`.

        Example:
            >>> check("inventories/monocollabo").draw(only_violations=True).notes
            []
        """
        from .drawing import draw
        return draw(self, **options)

    # -- questions: the CLI's trace, upstream, impact, stop and snapshot diff ---------
    def trace(self, item: str, **options):
        """Where ``item`` goes; options as :func:`lineage.analysis.trace`.

        Example:
            >>> check("inventories/monocollabo").trace("address", frm="mailing-house").highlight
            ['F11', 'F24', 'F44']
        """
        from .analysis import trace
        return trace(self, item, **options)

    def upstream(self, party: str, **options):
        """Where ``party``'s data came from; options as :func:`lineage.analysis.upstream`.

        Example:
            >>> check("inventories/monocollabo").upstream("carrier").table["from"].tolist()[0]
            'monocollabo'
        """
        from .analysis import upstream
        return upstream(self, party, **options)

    def impact(self, party: str, **options):
        """Who is affected by a leak at ``party``; options as :func:`lineage.analysis.impact`.

        Example:
            >>> result = check("inventories/monocollabo").impact("mailing-house")
            >>> sorted(result.table.party.unique())
            ['mailing-affiliate', 'print-shop']
        """
        from .analysis import impact
        return impact(self, party, **options)

    def stop(self, **options):
        """Which flows must stop for a withdrawal or stop request; as :func:`lineage.analysis.stop`.

        Example:
            >>> check("inventories/monocollabo").stop(consent="C05").query
            'stop'
        """
        from .analysis import stop
        return stop(self, **options)

    def diff(self, other, **options):
        """What changed from this audit to ``other`` (an audit, snapshot or inventory path).

        Delegates to :func:`lineage.snapshots.diff`; ``options`` as there.

        Example:
            >>> a = check("inventories/monocollabo", as_of=dt.date(2025, 1, 1))
            >>> a.diff(check("inventories/monocollabo")).counts()["findings"]
            {'new': 1, 'resolved': 0, 'open': 9}
        """
        from .snapshots import diff
        return diff(self, other, **options)

    def to_excel(self, path, *, lang: str = "en") -> Path:
        """Write the findings workbook (as ``lineage check --format xlsx``) to ``path``.

        Example:
            >>> import tempfile, pathlib
            >>> out = pathlib.Path(tempfile.mkdtemp()) / "findings.xlsx"
            >>> check("inventories/monocollabo").to_excel(out).stat().st_size > 0
            True
        """
        from .files import write_atomic
        from .output import xlsx
        path = Path(path)
        write_atomic(path, xlsx.render(self, lang))
        return path


def check(inventory: Inventory | str | Path, *, as_of=None, packs=("policy",),
          select=None, ignore=None, lang: str = "en") -> Audit:
    """Check an inventory (a model or a path) and return the :class:`Audit`.

    ``packs``, ``select`` and ``ignore`` take a list of names or one name
    (``packs="appi"``); a pack named twice runs once. ``lang`` (``"en"`` or
    ``"ja"``) is the language of the notebook's display of the result.

    Example:
        >>> audit = check("inventories/monocollabo", as_of=dt.date(2025, 1, 1), select=["TP1"])
        >>> audit.as_of, sorted(audit.summary()["findings"])
        (datetime.date(2025, 1, 1), ['TP101', 'TP102', 'TP103', 'TP111', 'TP123'])
    """
    if not isinstance(inventory, Inventory):
        inventory = load(inventory)
    return Audit(inventory, as_of=as_of, packs=packs, select=select, ignore=ignore, lang=lang)


def _inventory_check(self, **options) -> Audit:
    """Check this inventory; same options as :func:`lineage.check`.

    Example:
        >>> from lineage.model import load
        >>> load("inventories/monocollabo").check().exit_code()
        1
    """
    return check(self, **options)


# The model cannot import the layers above it; the method is attached from here.
Inventory.check = _inventory_check
