"""The explorer as one self-contained HTML file.

The page carries everything: the vendored library with its licence notice,
the explorer module, the stylesheet and the audit's data. The data sit in a
``<script type="application/json">`` block with ``<``, ``>`` and ``&``
escaped, so no inventory text can close the block or become markup; the
script only ever puts it into the page as text. A Content Security Policy of
``default-src 'none'`` allows the one script and the one stylesheet by their
sha256, so the page can neither load nor send anything.

Example:
    >>> import lineage
    >>> html = page_html(lineage.check("inventories/monocollabo"))
    >>> "default-src 'none'" in html, 'data-state="loading"' in html
    (True, True)
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache
from html import escape
from importlib import resources

from ..result import AuditResult as Audit
from .data import explorer_data

__all__ = ["page_html", "bundle", "stylesheet", "notices", "data_json", "csp"]


def _static(name: str) -> str:
    return resources.files(__package__).joinpath("static", name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def bundle() -> str:
    """The explorer's ES module with the vendored library inlined (page and widget share it).

    The library's UMD build runs inside a function with its own ``module``, so it
    defines no global and ignores any AMD loader a notebook front end may have.

    Example:
        >>> text = bundle()
        >>> "export function mount" in text, "The Cytoscape Consortium" in text
        (True, True)
    """
    library = _static("vendor/cytoscape.min.js")
    return ("const cytoscape = (function () {\n"
            "const module = { exports: {} }; const exports = module.exports;\n"
            f"{library}\nreturn module.exports;\n}})();\n" + _static("explorer.js"))


@lru_cache(maxsize=1)
def stylesheet() -> str:
    """The explorer's CSS.

    Example:
        >>> ".lx-graph" in stylesheet()
        True
    """
    return _static("explorer.css")


@lru_cache(maxsize=1)
def notices() -> str:
    """The licence notices of the vendored libraries, as plain text.

    Example:
        >>> notices().splitlines()[0]
        'cytoscape 3.35.0 (MIT)'
    """
    manifest = json.loads(_static("vendor/manifest.json"))
    parts = []
    for entry in manifest:
        licence = next(n for n in entry["files"] if "LICENSE" in n)
        parts.append(f"{entry['name']} {entry['version']} ({entry['license']})\n\n"
                     + _static(f"vendor/{licence}").strip())
    return "\n\n".join(parts) + "\n"


def data_json(data: dict) -> str:
    """``data`` as JSON safe inside a ``<script>`` element: ``<``, ``>``, ``&`` escaped.

    Example:
        >>> data_json({"name": "</script><b>&"})
        '{"name":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def csp(script: str, style: str) -> str:
    """The Content Security Policy allowing exactly ``script`` and ``style`` (by hash).

    Example:
        >>> csp("x", "y").split("; ")[0]
        "default-src 'none'"
    """
    return (f"default-src 'none'; script-src '{_hash(script)}'; style-src '{_hash(style)}'; "
            "img-src data: blob:; base-uri 'none'; form-action 'none'")


_BOOT = """
const root = document.getElementById("lineage-explorer");
const data = JSON.parse(document.getElementById("lineage-data").textContent);
window.lineageExplorer = mount(root, data, { cytoscape, readyTarget: document.documentElement });
"""


def page_html(audit: Audit, *, lang: str = "en", data: dict | None = None) -> str:
    """The whole page for ``audit`` (``lang``: the language it opens in; switchable in it).

    Example:
        >>> import lineage
        >>> html = page_html(lineage.check("inventories/monocollabo"), lang="ja")
        >>> html.startswith("<!DOCTYPE html>"), '<html lang="ja"' in html
        (True, True)
    """
    data = data if data is not None else explorer_data(audit, lang=lang)
    script = "\n" + bundle() + _BOOT
    style = "\n" + stylesheet()
    org = audit.inventory.organisation
    title = f"lineage explorer: {org} ({audit.as_of.isoformat()})"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(lang)}" data-state="loading">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{escape(csp(script, style), quote=False)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        f"<!-- Third-party notices: see the Notices section at the end of this file.\n"
        f"{escape(notices())}-->\n"
        f"<style id=\"__________cytoscape_stylesheet\">{style}</style>\n</head>\n<body>\n"
        '<div id="lineage-explorer"></div>\n'
        f'<script type="application/json" id="lineage-data">{data_json(data)}</script>\n'
        f'<script type="module">{script}</script>\n'
        '<footer class="lx-notices" id="notices"><details><summary>'
        f"{'ライセンス表示' if lang == 'ja' else 'Notices'}</summary>"
        f"<pre>{escape(notices())}</pre></details></footer>\n"
        "</body>\n</html>\n")
