"""The README picture (docs/images/monocollabo-map.*) matches what the code draws now.

Regenerate with ``.venv/bin/python scripts/render_readme_map.py`` when this fails.
"""

from __future__ import annotations

import importlib.util
import xml.etree.ElementTree as ET
from pathlib import Path

from lineage.drawing import draw

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
SVG = "{http://www.w3.org/2000/svg}"
STALE = "stale README picture; run: .venv/bin/python scripts/render_readme_map.py"


def _script():
    spec = importlib.util.spec_from_file_location(
        "render_readme_map", ROOT / "scripts" / "render_readme_map.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _content(svg: bytes) -> list[tuple[str, str, str]]:
    """What a reader sees and hovers: element ids, texts and tooltips, not coordinates."""
    root = ET.fromstring(svg)
    out = []
    for g in root.iter(f"{SVG}g"):
        texts = " | ".join("".join(t.itertext()) for t in g.iter(f"{SVG}text"))
        titles = " | ".join(a.get("{http://www.w3.org/1999/xlink}title") or ""
                            for a in g.iter(f"{SVG}a"))
        out.append((g.get("id") or "", texts, titles))
    return out


def test_readme_picture_is_fresh():
    script = _script()
    drawing = draw(script.SAMPLE, **script.OPTIONS)
    assert (IMAGES / "monocollabo-map.dot").read_text(encoding="utf-8") == drawing.source, STALE
    committed = (IMAGES / "monocollabo-map.svg").read_bytes()
    assert _content(committed) == _content(drawing.render("svg")), STALE
    assert (IMAGES / "monocollabo-map.png").read_bytes()[:4] == b"\x89PNG"


def test_readme_picture_shows_the_violations_in_japanese():
    root = ET.parse(IMAGES / "monocollabo-map.svg").getroot()
    edges = {g.get("id"): g for g in root.iter(f"{SVG}g") if g.get("class", "").startswith("edge")}
    violating = {k for k, g in edges.items() if "status-violation" in g.get("class")}
    assert violating == {f"flow-{f}" for f in ("F30", "F31", "F33", "F36", "F38", "F39",
                                               "F41", "F44")}
    texts = {"".join(t.itertext()) for t in root.iter(f"{SVG}text")}
    assert "モノコラボ" in texts and "凡例" in texts
