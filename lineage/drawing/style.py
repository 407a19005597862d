"""The visual language of the flow map: shapes, colours, zones and words.

Everything a reader decodes from the picture is defined here, once, so the
drawing, the legend and ``docs/drawing.md`` cannot disagree.

Example:
    >>> ROLE_STYLE["self"]["shape"], STATUS_STYLE["violation"]["color"]
    ('box', '#c62828')
    >>> route_label("opt_out", "ja")
    'オプトアウト'
"""

from __future__ import annotations

from ..terms import ROLE_WORDS, ROUTE_LABELS, STATUS_WORDS, route_label  # noqa: F401  (re-exported)

__all__ = ["DEFAULT_FONT", "ROLE_STYLE", "ORG_STYLE", "STATUS_STYLE", "STATUS_RANK",
           "LAW_ONLY_STYLE", "LAW_MARK", "SENSITIVE_MARK", "FOREIGN_MARK",
           "HIGHLIGHT_COLOUR", "FOCUS_STYLE", "ZONES", "ROUTE_LABELS", "STATUS_WORDS",
           "ROLE_WORDS", "WORDS", "route_label", "word", "worst_status", "highlight_style"]

#: The font list handed to Graphviz (Pango picks the first installed family that
#: has each glyph); IPAexGothic is what the setup installs, Noto is preferred when present.
DEFAULT_FONT = "Noto Sans CJK JP,IPAexGothic,sans-serif"

#: Node look per declared role. Fill colours are light so black text stays legible.
ROLE_STYLE: dict[str, dict[str, str]] = {
    "self": {"shape": "box", "style": "filled,rounded,bold", "fillcolor": "#3f6fa8",
             "fontcolor": "#ffffff", "color": "#1f3f66", "penwidth": "2"},
    "outsourcee": {"shape": "box", "style": "filled,rounded", "fillcolor": "#dbe9f7",
                   "fontcolor": "#111111", "color": "#4a7ab0", "penwidth": "1"},
    "successor": {"shape": "box", "style": "filled,rounded,dashed", "fillcolor": "#e6dcf5",
                  "fontcolor": "#111111", "color": "#6a4c9c", "penwidth": "1"},
    "joint_user": {"shape": "box3d", "style": "filled", "fillcolor": "#dcf0dc",
                   "fontcolor": "#111111", "color": "#3b7d3b", "penwidth": "1"},
    "third_party": {"shape": "box", "style": "filled", "fillcolor": "#fbe3cc",
                    "fontcolor": "#111111", "color": "#a4622a", "penwidth": "1"},
    "academic": {"shape": "note", "style": "filled", "fillcolor": "#f5e1ec",
                 "fontcolor": "#111111", "color": "#8c4a6e", "penwidth": "1"},
    "public_body": {"shape": "house", "style": "filled", "fillcolor": "#e8e8e8",
                    "fontcolor": "#111111", "color": "#555555", "penwidth": "1"},
    "data_subject": {"shape": "ellipse", "style": "filled", "fillcolor": "#fff5c2",
                     "fontcolor": "#111111", "color": "#9c8a2a", "penwidth": "1"},
}

#: The organisation itself (the inventory's ``organisation`` party) stands out.
ORG_STYLE = {"shape": "box", "style": "filled,rounded,bold", "fillcolor": "#1f3f66",
             "fontcolor": "#ffffff", "color": "#0b1f36", "penwidth": "4",
             "fontsize": "18", "margin": "0.25,0.12"}

#: Edge look per flow status; errors shout, warnings caution, waivers whisper.
STATUS_STYLE: dict[str, dict[str, str]] = {
    "violation": {"color": "#c62828", "fontcolor": "#c62828", "penwidth": "3.5",
                  "style": "solid"},
    "warning": {"color": "#f0a000", "fontcolor": "#9a6700", "penwidth": "2.5",
                "style": "solid"},
    "waived": {"color": "#7a7a7a", "fontcolor": "#555555", "penwidth": "1.5",
               "style": "dashed"},
    "ok": {"color": "#5f6b7a", "fontcolor": "#333333", "penwidth": "1",
           "style": "solid"},
}

#: With the law pack: a flow lawful under the policy but violating the Act. Purple, so
#: the group a privacy office must look at first stands apart from the policy's red.
LAW_ONLY_STYLE = {"color": "#7b1fa2", "fontcolor": "#6a1b9a", "penwidth": "3.5",
                  "style": "solid"}
#: Marks in labels (plain glyphs every CJK font has): the law-only group, a sensitive
#: item (要配慮個人情報), a party in a foreign country.
LAW_MARK = "§"
SENSITIVE_MARK = "◆"
FOREIGN_MARK = "◇"

#: Flows on a lineage question's routes (``draw --trace`` / ``--impact``) are drawn
#: as three parallel lines: this blue on both sides, the status colour in the middle.
HIGHLIGHT_COLOUR = "#1565c0"
#: Where a lineage question starts (``--from`` party, leaking party): a double border.
FOCUS_STYLE = {"peripheries": "2", "color": HIGHLIGHT_COLOUR}

#: Worse statuses have higher ranks (a merged edge shows its worst flow).
STATUS_RANK = {"ok": 0, "waived": 1, "warning": 2, "violation": 3}

#: Zones (Graphviz clusters) in drawing order; joint-use notices come after "org".
ZONES = ("subjects", "org", "joint_use", "third", "public")

WORDS: dict[str, dict[str, str]] = {
    "subjects": {"en": "Data subjects", "ja": "本人"},
    "org": {"en": "Organisation, outsourcees and successors", "ja": "組織・委託先・承継先"},
    "joint_use": {"en": "Joint use", "ja": "共同利用"},
    "third": {"en": "Third parties", "ja": "第三者"},
    "public": {"en": "Public bodies", "ja": "公的機関"},
    "legend": {"en": "Legend", "ja": "凡例"},
    "organisation": {"en": "organisation", "ja": "組織（本体）"},
    "flows": {"en": "flows", "ja": "件"},
    "items": {"en": "items", "ja": "項目"},
    "purposes": {"en": "purposes", "ja": "利用目的"},
    "basis": {"en": "basis", "ja": "根拠"},
    "dates": {"en": "dates", "ja": "期間"},
    "route": {"en": "route", "ja": "経路"},
    "status": {"en": "status", "ja": "状態"},
    "findings": {"en": "findings", "ja": "指摘"},
    "role": {"en": "role", "ja": "役割"},
    "country": {"en": "country", "ja": "国"},
    "entity": {"en": "legal entity", "ja": "法人"},
    "groups": {"en": "groups", "ja": "グループ"},
    "waived": {"en": "waived", "ja": "承認済み"},
    "members": {"en": "members", "ja": "共同利用者"},
    "path": {"en": "path", "ja": "伝播経路"},
    "law_only": {"en": "policy ok, Act violated: AP rule IDs",
                 "ja": "方針は適合・個人情報保護法に違反（APルールID）"},
    "sensitive": {"en": "sensitive item (要配慮個人情報)", "ja": "要配慮個人情報"},
    "foreign": {"en": "in a foreign country (ISO code)", "ja": "外国にある者（国コード）"},
    "abroad": {"en": "abroad", "ja": "外国"},
    # the summarised view (drawing/summary.py)
    "parties": {"en": "parties", "ja": "当事者"},
    "flow_count": {"en": "flows", "ja": "フロー"},
    "more": {"en": "more", "ja": "ほか"},
    "summary_footer": {"en": "group: parties · edge: flows, status count: rule IDs",
                       "ja": "グループ: 当事者の件数 · 線: フローの件数、状態 件数: ルールID"},
}



def word(key: str, lang: str = "en") -> str:
    """A fixed word of the drawing in ``lang``.

    Example:
        >>> word("third", "ja")
        '第三者'
    """
    return WORDS[key][lang]


def worst_status(statuses) -> str:
    """The worst of several flow statuses (``ok`` when there are none).

    Example:
        >>> worst_status(["ok", "waived", "violation"])
        'violation'
    """
    return max(statuses, key=STATUS_RANK.__getitem__, default="ok")


def highlight_style(status: str) -> dict[str, str]:
    """Edge attributes of a highlighted flow: status colour framed in blue, at least 2 wide.

    Example:
        >>> highlight_style("violation")["color"]
        '#1565c0:#c62828:#1565c0'
        >>> highlight_style("ok")["penwidth"]
        '2'
    """
    base = STATUS_STYLE.get(status, STATUS_STYLE["ok"])
    width = max(float(base["penwidth"]), 2.0)
    return {**base, "color": f"{HIGHLIGHT_COLOUR}:{base['color']}:{HIGHLIGHT_COLOUR}",
            "penwidth": f"{width:g}"}
