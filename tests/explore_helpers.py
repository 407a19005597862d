"""Open explorer pages in Debian's Chromium through Playwright, with the network shut.

Playwright drives the system binary (``executable_path``); its own browser
downloads are never used. Every request the page makes is recorded and, unless
it is the page's own file or a ``data:``/``blob:`` URL, aborted; tests assert
that none was made.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from browser import chromium

ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@contextlib.contextmanager
def browser():
    """One headless Chromium for a test module."""
    from playwright.sync_api import sync_playwright  # test dependency: fails, never skips
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium(), args=ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


class Opened:
    """A page opened from disk, with what it logged and requested."""

    def __init__(self, b, path: Path, width: int = 1400, height: int = 900):
        self.context = b.new_context(viewport={"width": width, "height": height},
                                     accept_downloads=True)
        self.url = path.resolve().as_uri()
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(self.url)
        self.page.wait_for_selector("html[data-state=ready]", timeout=30000)

    def _route(self, route):
        url = route.request.url
        if url == self.url or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    @property
    def outside(self) -> list[str]:
        """Requests to anything but the page itself, data: or blob: URLs."""
        return [u for u in self.requests + self.blocked
                if u != self.url and not u.startswith(("data:", "blob:"))]

    def js(self, expression: str, arg=None):
        """The expression's value, copied out of the page.

        Never let it be a cytoscape object (``ele.data(k, v)``, ``ele.emit(...)``
        return their collection): Playwright copies every array it reaches index
        by index up to ``length``, and cytoscape keeps its style and path caches
        in arrays indexed by 32-bit hashes (``_private.styleCache``,
        ``style.propCache``, ``renderer.nodePathCache``), whose length is then up
        to 2**31. Copying one took seconds to minutes and ran the page out of
        memory ("Target crashed"). Use :meth:`run` for calls made for effect;
        a cytoscape value fails here at once, before anything is copied.
        """
        handle = self.page.evaluate_handle(expression, arg)
        try:
            kind = handle.evaluate("v => v !== null && typeof v === 'object' && '_private' in v"
                                   " ? (v.constructor && v.constructor.name) || 'object' : null")
            assert kind is None, f"{expression!r} returned a cytoscape {kind}, not a value"
            return handle.json_value()
        finally:
            handle.dispose()

    def run(self, statements: str, arg=None) -> None:
        """Run JavaScript statements for their effect; nothing is copied back."""
        self.page.evaluate(f"(arg) => {{ {statements}; }}", arg)

    def set_party_label(self, party: str, label: str) -> None:
        """Give the party's drawn node another label (what the page draws from ``data(label)``)."""
        self.run("const api = window.lineageExplorer;"
                 " api.cy.$id('p' + api.model.partyIndex.get(arg[0])).data('label', arg[1])",
                 [party, label])

    def click_party(self, party: str) -> None:
        """A real mouse click on the party's node, wherever the current view drew it."""
        self.page.mouse.click(*self.node_point(party))

    def node_point(self, party: str) -> tuple[float, float]:
        box = self.page.locator("[data-role=graph]").bounding_box()
        pos = self.js("""(id) => { const api = window.lineageExplorer;
            const n = api.cy.$id('p' + api.model.partyIndex.get(id));
            if (!n.nonempty()) return null; const r = n.renderedPosition(); return [r.x, r.y]; }""",
                      party)
        assert pos is not None, f"{party} is not drawn in this view"
        return box["x"] + pos[0], box["y"] + pos[1]

    def texts(self, selector: str, attr: str = "data-id") -> list[str]:
        return self.page.eval_on_selector_all(selector, f"els => els.map(e => e.getAttribute('{attr}'))")

    def close(self) -> None:
        self.context.close()
