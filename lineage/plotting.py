"""Plots with Japanese labels: pick an installed CJK font for matplotlib.

matplotlib's default font (DejaVu Sans) has no kanji or kana, so Japanese
labels come out as empty boxes. :func:`use_japanese_font` points matplotlib at
the first installed font of :data:`JAPANESE_FONTS` (IPAexGothic and Noto Sans
CJK JP on Debian: ``fonts-ipaexfont-gothic``, ``fonts-noto-cjk``). The notebooks
call it first; matplotlib comes with ``pip install 'lineage[notebook]'``.

Example:
    >>> use_japanese_font() in JAPANESE_FONTS + (None,)
    True
"""

from __future__ import annotations

from .errors import LineageError

__all__ = ["use_japanese_font", "JAPANESE_FONTS"]

#: Fonts tried in order: the Debian packages first, then those of macOS and Windows.
JAPANESE_FONTS = ("IPAexGothic", "Noto Sans CJK JP", "IPAGothic", "Noto Sans JP",
                  "Hiragino Sans", "Yu Gothic", "Meiryo", "TakaoGothic")


def use_japanese_font(preferred: str | None = None) -> str | None:
    """Make matplotlib draw Japanese text; return the font family chosen (None: none found).

    ``preferred`` is tried first. Without any CJK font installed, nothing
    changes and ``None`` says so (the caller may warn: Japanese would show as boxes).

    Example:
        >>> import matplotlib
        >>> family = use_japanese_font()
        >>> family is None or matplotlib.rcParams["font.family"][0] == family
        True
    """
    try:
        import matplotlib
        from matplotlib import font_manager
    except ImportError:
        raise LineageError("plots need matplotlib: pip install 'lineage[notebook]'",
                           message_ja="グラフには matplotlib が必要です: "
                                      "pip install 'lineage[notebook]'") from None
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in ((preferred,) if preferred else ()) + JAPANESE_FONTS:
        if family in installed:
            matplotlib.rcParams["font.family"] = [family, "sans-serif"]
            # A CJK font's own minus sign may be missing; the ASCII hyphen is not.
            matplotlib.rcParams["axes.unicode_minus"] = False
            return family
    return None
