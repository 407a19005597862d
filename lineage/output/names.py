"""Display names with IDs beside them: ``配送業者 (carrier)``, in the user's language.

People read names, tools read IDs; every human-facing output shows both. In
Japanese the name is ``name``; in English ``name_en``, else ``name``. A record
without a name shows its ID alone.

Example:
    >>> from lineage.model import load
    >>> n = Names(load("inventories/monocollabo"), "ja")
    >>> n.party("members"), n.item("address")
    ('会員 (members)', '住所 (address)')
    >>> Names(load("inventories/monocollabo"), "en").party("members")
    'Members (members)'
"""

from __future__ import annotations

import re

from ..terms import one_line

__all__ = ["Names"]

_ID_CHARS = r"A-Za-z0-9_.\-@/"


class Names:
    """Display names of an inventory's parties, items and purposes in ``lang``.

    Example:
        >>> from lineage.model import load
        >>> n = Names(load("inventories/monocollabo"), "ja")
        >>> n.annotate("項目 phone は共同利用の通知・公表 J1 にありません")
        '項目 電話番号 (phone) は共同利用の通知・公表 J1 にありません'
    """

    def __init__(self, inventory, lang: str = "en"):
        self.lang = lang
        self._names: dict[str, dict[str, str]] = {}
        for kind, records in (("party", inventory.parties), ("item", inventory.data_items),
                              ("purpose", inventory.purposes)):
            table = self._names[kind] = {}
            for r in records or ():
                name = r.name if lang == "ja" else (r.name_en or r.name)
                if name and name != r.id:
                    table[r.id] = one_line(name)  # shown in table rows and terminal lines
        ids = sorted({i for t in self._names.values() for i in t}, key=len, reverse=True)
        self._pattern = (re.compile(rf"(?<![{_ID_CHARS}])({'|'.join(map(re.escape, ids))})"
                                    rf"(?![{_ID_CHARS}])") if ids else None)

    def name(self, kind: str, rid) -> str | None:
        """The display name of a ``party``, ``item`` or ``purpose``; None when the record
        has none but its ID (or is not in the inventory).

        Example:
            >>> from lineage.model import load
            >>> n = Names(load("inventories/monocollabo"), "en")
            >>> n.name("party", "members"), n.name("party", "nobody")
            ('Members', None)
        """
        return self._names[kind].get(rid)

    def _label(self, kind: str, rid) -> str:
        if rid is None:
            return ""
        name = self._names[kind].get(rid)
        return f"{name} ({rid})" if name else str(rid)

    def party(self, rid) -> str:
        """``name (id)`` of a party.

        Example:
            >>> from lineage.model import load
            >>> Names(load("inventories/monocollabo"), "ja").party("nobody")
            'nobody'
        """
        return self._label("party", rid)

    def item(self, rid) -> str:
        """``name (id)`` of a data item.

        Example:
            >>> from lineage.model import load
            >>> Names(load("inventories/monocollabo"), "en").item("address")
            'Postal address (address)'
        """
        return self._label("item", rid)

    def purpose(self, rid) -> str:
        """``name (id)`` of a purpose.

        Example:
            >>> from lineage.model import load
            >>> Names(load("inventories/monocollabo"), "ja").purpose("shipping")
            '商品の配送 (shipping)'
        """
        return self._label("purpose", rid)

    def annotate(self, text: str) -> str:
        """Put the display name before every party, item and purpose ID in ``text``.

        Meant for Japanese text, where an ID stands out as ASCII; in English an
        item ID such as ``name`` is also an ordinary word.

        Example:
            >>> from lineage.model import load
            >>> Names(load("inventories/monocollabo"), "ja").annotate("提供先 carrier")
            '提供先 株式会社ハヤテ運輸（配送業者） (carrier)'
        """
        if self._pattern is None:
            return text

        def name(match):
            rid = match.group(1)
            for kind in ("party", "item", "purpose"):
                if rid in self._names[kind]:
                    return self._label(kind, rid)
            return rid
        return self._pattern.sub(name, text)
