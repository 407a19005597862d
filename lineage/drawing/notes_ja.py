"""The drawing's notes (:meth:`Drawing.save`, :func:`plan_layout`) in Japanese.

The library keeps its notes in English (they are part of its API); the CLI
shows them in the user's language through :func:`note_ja`, which knows every
note form the drawing writes. A note of an unknown form is returned as it is.

Example:
    >>> note_ja("1000 parties: node overlap removal skipped")
    '当事者 1000 件: ノードの重なりの解消を省略しました'
"""

from __future__ import annotations

import re

__all__ = ["note_ja", "describe_ja"]

_PARTS = [
    ("zones as clusters", "区域をクラスタとして表示"),
    ("parties ranked by hop distance", "当事者を経由数で階層化"),
    ("force-directed, no zones or ranks", "力学モデル配置 (区域・階層なし)"),
    ("parallel flows merged", "並行するフローを統合"),
    ("flow labels only in tooltips", "フローの説明はツールチップのみ"),
    ("no overlap removal", "重なりの解消なし"),
    ("overlaps only reduced by scaling", "重なりは拡大で減らすのみ"),
]


def describe_ja(text: str) -> str:
    """A layout step's description (``Step.describe()``) in Japanese.

    Example:
        >>> describe_ja("dot, parties ranked by hop distance, parallel flows merged")
        'dot、当事者を経由数で階層化、並行するフローを統合'
    """
    for english, japanese in _PARTS:
        text = text.replace(english, japanese)
    return text.replace(", ", "、")


_STEP = r"((?:dot|sfdp|neato|fdp)(?:, [^;()']+)?)"

_FORMS: list[tuple[re.Pattern, object]] = [
    (re.compile(r"(\d+) parties, (\d+) flows: zones \(clusters\) and ranks dropped; laid out "
                r"with sfdp \(dot takes minutes above (\d+) flows\)"),
     lambda m: f"当事者 {m[1]} 件、フロー {m[2]} 件: 区域 (クラスタ) と階層を省き、sfdp で配置"
               f"しました (dot はフローが {m[3]} 件を超えると数分かかります)"),
    (re.compile(r"(\d+) (parties|flows): zones \(clusters\) dropped; Graphviz cluster layout "
                r"is too slow above (\d+) parties"),
     lambda m: f"{'当事者' if m[2] == 'parties' else 'フロー'} {m[1]} 件: 区域 (クラスタ) を"
               f"省きました (当事者が {m[3]} 件を超えると Graphviz のクラスタ配置は遅すぎます)"),
    (re.compile(r"(\d+) flows: flow labels dropped from the picture \(each flow's details "
                r"stay in its SVG tooltip\)"),
     lambda m: f"フロー {m[1]} 件: 図からフローの説明を省きました (各フローの詳細は SVG の"
               f"ツールチップにあります)"),
    (re.compile(r"(\d+) parties, (\d+) flows: the full map would take about ([\d.]+) s to lay "
                r"out, more than the time budget allows \(([\d.]+) s\); drawn as a summary"),
     lambda m: f"当事者 {m[1]} 件、フロー {m[2]} 件: 全体図の配置には約 {m[3]} 秒かかる見込みで、"
               f"時間の枠 ({m[4]} 秒) を超えるため要約図を描きました"),
    (re.compile(r"(\d+) parties, (\d+) flows: the full map did not finish within the time "
                r"budget \(([\d.]+) s\); drawn as a summary"),
     lambda m: f"当事者 {m[1]} 件、フロー {m[2]} 件: 全体図の配置が時間の枠 ({m[3]} 秒) 内に"
               f"終わらなかったため要約図を描きました"),
    (re.compile(r"summary: (\d+) parties grouped by (role|legal entity) into (\d+) groups, "
                r"(\d+) flows into (\d+) edges; for the full map use --group none"),
     lambda m: f"要約図: 当事者 {m[1]} 件を{'役割' if m[2] == 'role' else '法人'}ごとに "
               f"{m[3]} グループ、フロー {m[4]} 件を {m[5]} 本の線にまとめました。全体図は "
               f"--group none で描けます"),
    (re.compile(r"(\d+) parties: node overlap removal skipped"),
     lambda m: f"当事者 {m[1]} 件: ノードの重なりの解消を省略しました"),
    (re.compile(r"(\d+) parties: node overlaps only reduced by scaling \(full overlap "
                r"removal skipped\)"),
     lambda m: f"当事者 {m[1]} 件: ノードの重なりは配置の拡大で減らすだけにしました "
               f"(完全な重なりの解消は省略)"),
    (re.compile(r"layout '(.+?)' failed \((.*)\); trying '(.+)'"),
     lambda m: f"配置「{describe_ja(m[1])}」に失敗しました ({m[2]})。"
               f"「{describe_ja(m[3])}」を試します"),
    (re.compile(r"drawn with " + _STEP + r"(?: \((\d+) flows as (\d+) edges\))?"
                r"(; zones not drawn)?"),
     lambda m: f"{describe_ja(m[1])} で描画しました"
               + (f" (フロー {m[2]} 件を {m[3]} 本の辺に統合)" if m[2] else "")
               + ("。区域は描いていません" if m[4] else "")),
]


def note_ja(note: str) -> str:
    """One drawing note in Japanese (unknown forms unchanged).

    Example:
        >>> note_ja("drawn with dot, parties ranked by hop distance, parallel flows merged "
        ...         "(48 flows as 40 edges); zones not drawn")
        'dot、当事者を経由数で階層化、並行するフローを統合 で描画しました (フロー 48 件を 40 本の辺に統合)。区域は描いていません'
        >>> note_ja("something new")
        'something new'
    """
    for pattern, render in _FORMS:
        m = pattern.fullmatch(note)
        if m:
            return render(m)
    return note
