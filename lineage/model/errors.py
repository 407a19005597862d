"""Input problems: where they are and what is wrong, in English and Japanese.

Loading collects every problem before it stops; :class:`InventoryError` carries
them all. Library code raises it; only the CLI prints it and exits with 2.

Example:
    >>> p = Problem(Location("inv.yaml", 12), "flows", "F7", "start", "bad date", "日付が不正")
    >>> str(p)
    "inv.yaml:12: flows F7: field 'start': bad date"
"""

from __future__ import annotations

import bisect
import difflib
import sys
from dataclasses import dataclass, field as _field

from ..errors import LineageError

__all__ = ["Location", "Problem", "InventoryError", "Suggestions", "did_you_mean",
           "MAX_PROBLEMS", "add_capped"]


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
    #: The value refused, where a later step may add a hint from it (not shown, not compared).
    value: object = _field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        parts = [str(self.location) + ":"]
        if self.collection:
            where = self.collection
            if self.record is not None:
                where += f" {_cut(self.record)}"
            parts.append(where + ":")
        if self.field:
            parts.append(f"field '{_cut(self.field)}':")
        parts.append(self.message)
        return " ".join(parts)

    def text(self, lang: str = "en") -> str:
        """The problem in ``lang``; Japanese uses ``message_ja`` when there is one.

        Example:
            >>> p = Problem(Location("flows.csv", row=2, column="start"), "flows", "F1",
            ...             "start", "bad date", "日付が不正です")
            >>> p.text("ja")
            "flows.csv 2行目 列 start: flows F1: フィールド 'start': 日付が不正です"
        """
        if lang != "ja" or not self.message_ja:
            return str(self)
        parts = [self.location.text(lang) + ":"]
        if self.collection:
            where = self.collection
            if self.record is not None:
                where += f" {_cut(self.record)}"
            parts.append(where + ":")
        if self.field:
            # フィールド, not 項目: 項目 is a data item to a privacy office (the trial of round 15)
            parts.append(f"フィールド '{_cut(self.field)}':")
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
        #: Whether the load stopped collecting problems (there are more than listed): said
        #: by the caller, or by a reader's note (:func:`add_capped`) among the problems.
        self.truncated = truncated or any(
            p.record is None and p.message.startswith(_CAPPED) for p in self.problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def _cut(text, most: int = 80) -> str:
    """A record's ID or a field as a problem's line names it: at most ``most`` characters,
    so the message after it is still read (the hostile review of round 14: a 30,000
    character ID filled the CLI's line, and the message was cut off).

    Example:
        >>> _cut("F1"), _cut("F" * 100)[-3:], len(_cut("F" * 100))
        ('F1', 'FF…', 80)
    """
    text = str(text)
    return text if len(text) <= most else text[:most - 1] + "…"


def _problem_key(p: Problem):
    loc = p.location
    return (loc.file, loc.sheet or "", loc.line or 0, loc.row or 0, loc.column or "",
            p.field or "", p.message)


#: Problems a reader or a load lists before it stops listing them: the CLI shows 200,
#: and a file whose every row or cell is wrong would otherwise build millions.
MAX_PROBLEMS = 10_000


_CAPPED = f"more than {MAX_PROBLEMS:,} problems"


def add_capped(problems: list, problem: Problem, file: str) -> None:
    """Append ``problem`` unless ``problems`` holds :data:`MAX_PROBLEMS` already; then
    append, once, a note that the rest of ``file`` is not listed (the hostile review of
    round 14: a 2.7 MB workbook of error cells listed 1,150,000 problems in 1.4 GB).

    Example:
        >>> got = []
        >>> for n in range(MAX_PROBLEMS + 5):
        ...     add_capped(got, Problem(Location("f.csv", row=n), None, None, None, "x", ""),
        ...                "f.csv")
        >>> len(got), got[-1].message
        (10001, 'more than 10,000 problems: the rest of f.csv is not listed (fix these first)')
    """
    if len(problems) < MAX_PROBLEMS:
        problems.append(problem)
    elif not problems[-1].message.startswith(_CAPPED):
        problems.append(Problem(Location(file), None, None, None,
                                f"more than {MAX_PROBLEMS:,} problems: the rest of {file} is "
                                "not listed (fix these first)",
                                f"問題が {MAX_PROBLEMS:,} 件を超えたため、{file} の残りは"
                                "表示していません（まずこれらを直してください）"))


def did_you_mean(value: str, candidates, lang: str = "en", cutoff: float = 0.75) -> str:
    """A hint naming the closest known value, or ``""`` when nothing is close.

    ``candidates`` may be a :class:`Suggestions`, which keeps its work between
    calls (a load that reports many unknown names against one set of IDs).

    Example:
        >>> did_you_mean("carier", ["carrier", "customers"])
        " (did you mean 'carrier'?)"
        >>> did_you_mean("zzz", ["carrier"])
        ''
        >>> did_you_mean("carier", ["carrier"], "ja")
        "（'carrier' のことですか？）"
    """
    if not isinstance(candidates, Suggestions):
        candidates = Suggestions(candidates)
    close = candidates.closest(value, cutoff)
    if close is None:
        return ""
    return f"（'{close}' のことですか？）" if lang == "ja" else f" (did you mean '{close}'?)"


class Suggestions:
    """The known values a did-you-mean hint chooses from, each value's answer kept.

    Up to :attr:`SMALL` candidates, the closest is difflib's, over all of them.
    Beyond that, comparing each unknown name with every known one is what made a
    load hang (the hostile review of round 14: 20,000 flows naming parties of a
    renamed prefix against 100,000 party IDs, tens of minutes): the hint then
    comes from the known values one edit away (a character deleted, inserted or
    replaced, or two neighbours swapped: the typos a hint is for), the closest
    of those by difflib's ratio. The characters an insertion or a replacement
    may bring are those known values hold at that place after the longer of the
    texts on either side of it, found by bisection in the sorted values (or in
    their sorted reversals), so IDs in kanji, of thousands of characters, cost
    no more than ASCII ones. Each distinct value is worked out once, and after
    :attr:`SEARCHES` of them the rest get no hint.

    Example:
        >>> big = Suggestions([f"party{i:05d}" for i in range(5000)] + ["carrier"])
        >>> big.closest("carier"), big.closest("party0001x"), big.closest("zzz")
        ('carrier', 'party00019', None)
        >>> Suggestions(["carrier", "customers"]).closest("carier")
        'carrier'
    """

    #: Up to this many candidates, every one is compared (difflib's own search).
    SMALL = 2_000
    #: At most this many characters tried at one place (a bound for adversarial sets).
    BRANCHES = 256
    #: Values searched among many candidates before the rest go without a hint: a hint
    #: for each of 10,000 problems of long, near-alike IDs took 23 s (the hostile review
    #: of round 14), for a CLI that shows 200.
    SEARCHES = 1_000

    __slots__ = ("_sorted", "_known", "_reversed", "_lengths", "_memo", "_searched")

    def __init__(self, candidates):
        self._sorted = sorted(candidates)
        self._known: set | None = None
        self._reversed: list | None = None
        self._lengths: set | None = None
        self._memo: dict = {}
        self._searched = 0

    def closest(self, value: str, cutoff: float = 0.75) -> str | None:
        """The known value closest to ``value`` (ratio at least ``cutoff``), or None."""
        key = (value, cutoff)
        if key not in self._memo:
            self._memo[key] = self._find(value, cutoff)
        return self._memo[key]

    def _find(self, value: str, cutoff: float) -> str | None:
        if len(self._sorted) <= self.SMALL:
            close = difflib.get_close_matches(value, self._sorted, n=1, cutoff=cutoff)
            return close[0] if close else None
        if self._known is None:
            self._known = set(self._sorted)
            self._reversed = sorted(x[::-1] for x in self._sorted)
            self._lengths = set(map(len, self._sorted))
        size = len(value)
        if self._lengths.isdisjoint((size - 1, size, size + 1)):
            return None  # one edit from no known value (a long argument costs nothing)
        if self._searched >= self.SEARCHES:
            return None
        self._searched += 1
        near = self._known.intersection(self._one_edit(value))
        if not near:
            return None
        matcher = difflib.SequenceMatcher()
        matcher.set_seq2(value)
        scored = []
        for x in near:
            matcher.set_seq1(x)
            score = matcher.ratio()
            if score >= cutoff:
                scored.append((score, x))
        # as difflib's own: the best score, and of equal ones the greatest value
        return max(scored)[1] if scored else None

    def _one_edit(self, value: str):
        """The texts one edit from ``value`` that known values may be."""
        for at in range(len(value) + 1):
            head, tail = value[:at], value[at:]
            if tail:
                yield head + tail[1:]  # deleted
                if len(tail) > 1:
                    yield head + tail[1] + tail[0] + tail[2:]  # swapped
                for c in self._between(head, tail[1:]):  # replaced
                    yield head + c + tail[1:]
            for c in self._between(head, tail):  # inserted
                yield head + c + tail

    def _between(self, head: str, tail: str) -> list:
        """Characters some known value holds right after ``head`` (or right before
        ``tail``, whichever of the two is longer)."""
        if len(head) >= len(tail):
            return _next_characters(self._sorted, head, self.BRANCHES)
        return _next_characters(self._reversed, tail[::-1], self.BRANCHES)


def _next_characters(ordered: list, prefix: str, most: int) -> list:
    """The characters that follow ``prefix`` in the texts of ``ordered`` (sorted), up
    to ``most`` of them, in order: one bisection each.

    Example:
        >>> _next_characters(["ab", "abc", "abd", "abdx", "b"], "ab", 5)
        ['c', 'd']
    """
    out: list = []
    size, n = len(prefix), len(ordered)
    lo = bisect.bisect_left(ordered, prefix)
    while lo < n and len(out) < most:
        text = ordered[lo]
        if not text.startswith(prefix):
            break
        if len(text) == size:
            lo += 1
            continue
        c = text[size]
        out.append(c)
        if ord(c) == sys.maxunicode:
            break
        lo = bisect.bisect_left(ordered, prefix + chr(ord(c) + 1), lo)
    return out
