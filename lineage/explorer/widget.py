"""The explorer in a notebook: an anywidget running the page's own ES module.

The widget sends the same data as the page; the browser side reports what the
analyst is looking at back to Python as ``selection`` (the flow IDs of the
current view or list), ``selected`` (``["party", id]`` or ``["flow", id]``) and
``view``. :attr:`Explorer.selected_flows` turns the selection into rows of
:attr:`lineage.Audit.flows`. Setting ``focus`` from Python focuses the view.
Where widgets cannot run (nbconvert, a notebook rendered on a code host) the
display falls back to the page itself, inline.

Example:
    >>> import lineage
    >>> w = make(lineage.check("inventories/monocollabo"))
    >>> w.focus = "carrier"
    >>> w.selection = ["F10"]
    >>> w.selected_flows[["id", "from", "to"]].values.tolist()
    [['F10', 'monocollabo', 'mailing-house']]
"""

from __future__ import annotations

from html import escape

from .data import explorer_data
from .page import bundle, data_json, page_html, stylesheet

__all__ = ["make", "ExplorerPage", "WIDGET_GLUE"]

#: The widget's entry point, appended to the shared module.
WIDGET_GLUE = """
export default {
  render({ model, el }) {
    el.style.height = "760px";
    el.style.display = "block";
    const api = mount(el, JSON.parse(model.get("data")), {
      cytoscape,
      onSelect: (s) => {
        model.set("selection", s.flows);
        model.set("selected", s.selected || []);
        model.set("view", s.view);
        model.save_changes();
      },
    });
    const focus = () => { const id = model.get("focus"); if (id) api.focus(id); };
    model.on("change:focus", focus);
    focus();
    return () => api.cy.destroy();
  },
};
"""


class _Selection:
    """What both the widget and the fallback share: the audit and the selected flows."""

    audit = None
    selection: list

    @property
    def selected_flows(self):
        """The selected flows as rows of ``audit.flows`` (in flow order)."""
        flows = self.audit.flows
        return flows[flows["id"].isin(list(self.selection))].reset_index(drop=True)

    def _iframe(self) -> str:
        return (f'<iframe title="lineage explorer" style="width:100%;height:780px;border:0" '
                f'sandbox="allow-scripts allow-downloads" '
                f'srcdoc="{escape(page_html(self.audit, lang=self.lang), quote=True)}"></iframe>')


class ExplorerPage(_Selection):
    """The page shown inline, for notebooks without anywidget.

    Example:
        >>> import lineage
        >>> page = ExplorerPage(lineage.check("inventories/monocollabo"))
        >>> page._repr_html_().startswith("<iframe"), page.selected_flows.shape[0]
        (True, 0)
    """

    def __init__(self, audit, *, lang: str = "en"):
        self.audit, self.lang = audit, lang
        self.selection: list[str] = []
        self.focus = ""

    def _repr_html_(self) -> str:
        return self._iframe()


def make(audit, *, lang: str = "en"):
    """The widget for ``audit``, or the page fallback when anywidget is not installed.

    Example:
        >>> import lineage
        >>> type(make(lineage.check("inventories/monocollabo"))).__name__
        'Explorer'
    """
    try:
        import anywidget
        import traitlets
    except ImportError:
        return ExplorerPage(audit, lang=lang)

    class Explorer(_Selection, anywidget.AnyWidget):
        """The explorer widget (see :mod:`lineage.explorer.widget`).

        Example:
            >>> import lineage
            >>> w = lineage.explore("inventories/monocollabo")
            >>> w.view, w.selection, "export default" in w._esm
            ('overview', [], True)
        """

        _esm = bundle() + WIDGET_GLUE
        _css = stylesheet()
        data = traitlets.Unicode("").tag(sync=True)
        selection = traitlets.List(traitlets.Unicode(), default_value=[]).tag(sync=True)
        selected = traitlets.List(traitlets.Unicode(), default_value=[]).tag(sync=True)
        view = traitlets.Unicode("overview").tag(sync=True)
        focus = traitlets.Unicode("").tag(sync=True)

        def __init__(self, audit, lang):
            super().__init__(data=data_json(explorer_data(audit, lang=lang)))
            self.audit, self.lang = audit, lang

        def _repr_mimebundle_(self, **kwargs):
            # Where no widget manager runs, front ends show the richest type they
            # can: the page itself in an iframe.
            bundle_ = super()._repr_mimebundle_(**kwargs)
            if isinstance(bundle_, tuple):
                data, meta = bundle_
            else:
                data, meta = bundle_, {}
            data = dict(data or {})
            data["text/html"] = self._iframe()
            return data, meta

    return Explorer(audit, lang)
