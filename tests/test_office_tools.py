"""Issue 15, their other tools: Japanese plot labels, the notebook extra, links in docs."""

from __future__ import annotations

import io
import re
import tomllib
import warnings
from urllib.parse import unquote

import pytest

from paths import ROOT


def test_japanese_plot_labels_have_glyphs():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from lineage.plotting import use_japanese_font
    family = use_japanese_font()
    assert family in ("IPAexGothic", "Noto Sans CJK JP"), family  # scripts/setup.sh installs them
    fig, ax = plt.subplots()
    ax.set_title("指摘の種類 本人の同意なし")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font" would raise
        fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)


def test_notebook_extra_installs_what_the_notebooks_import():
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "project"]["optional-dependencies"]["notebook"]
    names = {re.split(r"[<>=\[]", req)[0] for req in extra}
    assert {"matplotlib", "ipykernel"} <= names
    text = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert "use_japanese_font()" in text


_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def _anchors(text: str) -> set[str]:
    """GitHub's heading anchors of a Markdown page, plus explicit <a id=...>."""
    out = set(re.findall(r'<a id="([^"]+)"', text))
    for heading in re.findall(r"^#+\s+(.*)$", text, re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        out.add(slug)
    return out


DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")),
        *sorted((ROOT / "docs").glob("*/*.md"))]


@pytest.mark.parametrize("page", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(page):
    text = page.read_text(encoding="utf-8")
    text = re.sub(r"```.*?```", "", text, flags=re.S)  # links in code blocks are examples
    broken = []
    for target in _LINK.findall(text):
        if re.match(r"^[a-z]+:", target):  # http:, https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        dest = (page.parent / unquote(path)).resolve() if path else page
        if ROOT.resolve() not in dest.parents and dest != ROOT.resolve():
            broken.append(f"{target} (outside the repository)")
        elif not dest.exists():
            broken.append(f"{target} (missing)")
        elif anchor and dest.suffix == ".md" and anchor not in _anchors(
                dest.read_text(encoding="utf-8")):
            broken.append(f"{target} (no such heading)")
    # A path written as code and meant to be opened (`../seed/policy.txt`) must exist too.
    for code in re.findall(r"`(\.\.?/[^`\s]+)`", text):
        dest = (page.parent / code).resolve()
        if ROOT.resolve() not in dest.parents or not dest.exists():
            broken.append(f"`{code}` (not in the repository)")
    assert broken == []
