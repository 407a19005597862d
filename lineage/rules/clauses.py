"""Policy clauses as values, and citing them in the organisation's own words.

A rule cites a clause key of the structure ``docs/spec/rules.md`` restates
(``5[1]``, ``5[1]5(3)``, ``1.5``). Which words that clause has is the
organisation's business: an inventory's ``policy.clauses`` maps each key to its
own article label and text, and :func:`cite` quotes only that. Without a
mapping a citation carries the key alone, so no report ever quotes another
organisation's policy.

Example:
    >>> from lineage.model.schema import Policy
    >>> policy = Policy(clauses={"5[1]": {"label": "第6条第1項", "text": "同意なく提供しません。"}})
    >>> [(c.clause, c.label) for c in cite("5[1]", policy)]
    [('5[1]', '第6条第1項')]
    >>> [(c.clause, c.label, c.text) for c in cite("5[1]", None)]
    [('5[1]', None, None)]
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Clause", "Citation", "cite", "restatement"]


@dataclass(frozen=True, order=True)
class Clause:
    """A citation of one or more policy clauses, e.g. ``5[1]2, 5[1]3``.

    Example:
        >>> c = Clause("5[1]2, 5[1]3")
        >>> str(c), c.parts
        ('5[1]2, 5[1]3', ['5[1]2', '5[1]3'])
    """

    code: str

    def __str__(self) -> str:
        return self.code

    @property
    def parts(self) -> list[str]:
        """The single clause codes this citation names.

        Example:
            >>> Clause("5[1]2, 5[1]3").parts, Clause("8").parts
            (['5[1]2', '5[1]3'], ['8'])
        """
        return [p.strip() for p in self.code.split(",")]


@dataclass(frozen=True)
class Citation:
    """One clause as the organisation's policy words it (or the key alone).

    ``key`` is the policy's clause that supplied the words: the clause itself,
    or the closest enclosing clause the policy maps (``5[1]5`` for
    ``5[1]5(3)``); None when the policy maps neither.

    Example:
        >>> Citation("5[1]5(3)", "5[1]5", "第6条第1項第5号", "予め…").quoted
        True
        >>> Citation("8", None, None, None).quoted
        False
    """

    clause: str
    key: str | None
    label: str | None
    text: str | None

    @property
    def quoted(self) -> bool:
        """Whether the organisation's policy supplies a label or words for this clause.

        Example:
            >>> Citation("2", "2", "第2条", None).quoted
            True
        """
        return self.label is not None or self.text is not None

    def as_dict(self) -> dict:
        """The report form: clause, label and text (None when the policy gives none).

        Example:
            >>> Citation("2", "2", "第2条", None).as_dict()
            {'clause': '2', 'label': '第2条', 'text': None}
        """
        return {"clause": self.clause, "label": self.label, "text": self.text}


def _candidates(part: str):
    """The clause and its enclosing clauses, innermost first: 5[1]5(3), 5[1]5, 5[1], 5."""
    while part:
        yield part
        if part.endswith(")") and "(" in part:
            part = part.rsplit("(", 1)[0]
        elif part.endswith("]") and "[" in part:
            part = part.rsplit("[", 1)[0]
        elif "]" in part and not part.endswith("]"):
            part = part.rsplit("]", 1)[0] + "]"
        elif "." in part:
            part = part.rsplit(".", 1)[0]
        else:
            return


def cite(code: str, policy) -> tuple[Citation, ...]:
    """The citations of clause ``code`` in ``policy`` (a :class:`~lineage.model.schema.Policy`
    or None): one per clause the code names, quoting only what the policy supplies.

    Example:
        >>> from lineage.model.schema import Policy
        >>> p = Policy(clauses={"5[1]5": {"label": "第6条第1項第5号"}})
        >>> [(c.clause, c.key, c.label) for c in cite("5[1]5(3), 8", p)]
        [('5[1]5(3)', '5[1]5', '第6条第1項第5号'), ('8', None, None)]
        >>> [c.key for c in cite("5[1]5(1)-(4)", p)], [c.key for c in cite("5[1]", p)]
        (['5[1]5'], [None])
    """
    clauses = policy.clauses if policy is not None else {}
    out = []
    for part in Clause(code).parts:
        start = part
        if "-" in part:  # a range 5[1]5(1)-(4) is cited by the clause holding it
            start = part.split("-")[0]
            start = start.rsplit("(", 1)[0] if start.endswith(")") else start
        found = next((k for k in _candidates(start) if k in clauses), None)
        entry = clauses.get(found) if found else None
        out.append(Citation(part, found, entry.label if entry else None,
                            entry.text if entry else None))
    return tuple(out)


def restatement(rule, lang: str = "en") -> str:
    """What ``rule`` checks, in the words of ``docs/spec/rules.md`` (never a policy's own):
    the first paragraph of its documentation, or its Japanese title.

    Example:
        >>> from lineage.rules.policy.TP102 import TP102
        >>> restatement(TP102), restatement(TP102, "ja")
        ('The consent relied on was obtained after the flow started.', '提供開始後に取得された同意')
    """
    if lang == "ja":
        return rule.title_ja
    return " ".join(rule.doc().split("\n\n")[0].split()) or rule.title_en
