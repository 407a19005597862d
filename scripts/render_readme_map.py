"""Regenerate the README picture of the sample inventory's flow map.

Writes ``docs/images/monocollabo-map.dot``, ``.svg`` and ``.png`` (Japanese
labels, the language the sample's names are written in). Run it from anywhere
after changing the drawing code; ``tests/test_draw_readme.py`` fails while the
committed files are stale.

    .venv/bin/python scripts/render_readme_map.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lineage.drawing import draw  # noqa: E402
from lineage.drawing.render import write_atomic  # noqa: E402

SAMPLE = ROOT / "inventories" / "monocollabo"
OUT = ROOT / "docs" / "images" / "monocollabo-map"
#: The options of the README picture; the freshness test draws with the same ones.
OPTIONS = {"lang": "ja"}


def main() -> None:
    drawing = draw(SAMPLE, **OPTIONS)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(OUT.with_suffix(".dot"), drawing.source.encode("utf-8"))
    for fmt in ("svg", "png"):
        write_atomic(OUT.with_suffix(f".{fmt}"), drawing.render(fmt))
    for note in drawing.notes:
        print(f"note: {note}", file=sys.stderr)
    print(f"wrote {OUT.relative_to(ROOT)}.dot/.svg/.png")


if __name__ == "__main__":
    main()
