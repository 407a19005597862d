"""Input problems: where they are and what is wrong, in English and Japanese.

Loading collects every problem before it stops; :class:`InventoryError` carries
them all. Library code raises it; only the CLI prints it and exits with 2.

Example:
    >>> p = Problem(Location("inv.yaml", 12), "flows", "F7", "start", "bad date", "日付が不正")
    >>> str(p)
    "inv.yaml:12: flows F7: field 'start': bad date"
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from ..errors import LineageError

__all__ = ["Location", "Problem", "InventoryError", "did_you_mean"]


@dataclass(frozen=True, order=True)
class Location:
    """A place in the user's input: a file and line, or a sheet/row/column.

    Example:
        >>> str(Location("inventory.xlsx", sheet="flows", row=3, column="start"))
        'inventory.xlsx [sheet flows] row 3 column start'
    """

    file: str
    line: int | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        text = self.file
        if self.line is not None:
            text += f":{self.line}"
        if self.sheet is not None:
            text += f" [sheet {self.sheet}]"
        if self.row is not None:
            text += f" row {self.row}"
        if self.column is not None:
            text += f" column {self.column}"
        return text

    def text(self, lang: str = "en") -> str:
        """The location in ``lang`` (``ja``: シート・行・列).

        Example:
            >>> Location("inventory.xlsx", sheet="flows", row=3, column="start").text("ja")
            'inventory.xlsx シート flows 3行目 列 start'
        """
        if lang != "ja":
            return str(self)
        text = self.file
        if self.line is not None:
            text += f":{self.line}"
        if self.sheet is not None:
            text += f" シート {self.sheet}"
        if self.row is not None:
            text += f" {self.row}行目"
        if self.column is not None:
            text += f" 列 {self.column}"
        return text

    def as_dict(self) -> dict:
        """The location as a JSON-ready dict without empty parts.

        Example:
            >>> Location("inv.yaml", 12).as_dict()
            {'file': 'inv.yaml', 'line': 12}
        """
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input.

    Example:
        >>> p = Problem(Location("parties.yaml", 4), "parties", "acme", "country",
        ...             "expected a two-letter country code", "国コードが不正です")
        >>> str(p)
        "parties.yaml:4: parties acme: field 'country': expected a two-letter country code"
    """

    location: Location
    collection: str | None
    record: str | None
    field: str | None
    message: str
    message_ja: str = ""

    def __str__(self) -> str:
        parts = [str(self.location) + ":"]
        if self.collection:
            where = self.collection
            if self.record is not None:
                where += f" {self.record}"
            parts.append(where + ":")
        if self.field:
            parts.append(f"field '{self.field}':")
        parts.append(self.message)
        return " ".join(parts)

    def text(self, lang: str = "en") -> str:
        """The problem in ``lang``; Japanese uses ``message_ja`` when there is one.

        Example:
            >>> p = Problem(Location("flows.csv", row=2, column="start"), "flows", "F1",
            ...             "start", "bad date", "日付が不正です")
            >>> p.text("ja")
            "flows.csv 2行目 列 start: flows F1: 項目 'start': 日付が不正です"
        """
        if lang != "ja" or not self.message_ja:
            return str(self)
        parts = [self.location.text(lang) + ":"]
        if self.collection:
            where = self.collection
            if self.record is not None:
                where += f" {self.record}"
            parts.append(where + ":")
        if self.field:
            parts.append(f"項目 '{self.field}':")
        parts.append(self.message_ja)
        return " ".join(parts)

    def as_dict(self) -> dict:
        """JSON-ready form used by ``lineage validate --format json``.

        Example:
            >>> d = Problem(Location("inv.yaml", 3), None, None, None, "invalid YAML").as_dict()
            >>> d["location"], d["message"], d["message_ja"]
            ({'file': 'inv.yaml', 'line': 3}, 'invalid YAML', '')
        """
        return {"location": self.location.as_dict(), "collection": self.collection,
                "record": self.record, "field": self.field, "message": self.message,
                "message_ja": self.message_ja}


class InventoryError(LineageError):
    """The inventory could not be read; ``problems`` lists every problem found.

    Example:
        >>> err = InventoryError([Problem(Location("b.yaml", 2), None, None, None, "bad"),
        ...                       Problem(Location("a.yaml", 9), None, None, None, "worse")])
        >>> [str(p.location) for p in err.problems]
        ['a.yaml:9', 'b.yaml:2']
        >>> print(err)
        a.yaml:9: worse
        b.yaml:2: bad
    """

    def __init__(self, problems: list[Problem], truncated: bool = False):
        self.problems = sorted(problems, key=_problem_key)
        #: Whether the load stopped collecting problems (there are more than listed).
        self.truncated = truncated
        super().__init__("\n".join(str(p) for p in self.problems))


def _problem_key(p: Problem):
    loc = p.location
    return (loc.file, loc.sheet or "", loc.line or 0, loc.row or 0, loc.column or "",
            p.field or "", p.message)


def did_you_mean(value: str, candidates, lang: str = "en", cutoff: float = 0.75) -> str:
    """A hint naming the closest known value, or ``""`` when nothing is close.

    Example:
        >>> did_you_mean("carier", ["carrier", "customers"])
        " (did you mean 'carrier'?)"
        >>> did_you_mean("zzz", ["carrier"])
        ''
        >>> did_you_mean("carier", ["carrier"], "ja")
        "（'carrier' のことですか？）"
    """
    close = difflib.get_close_matches(value, sorted(candidates), n=1, cutoff=cutoff)
    if not close:
        return ""
    return f"（'{close[0]}' のことですか？）" if lang == "ja" else f" (did you mean '{close[0]}'?)"
