"""Rules and findings: the units the engine runs and the records it produces.

A rule is a small class: ID, clause, kind, severity, titles and remedy in both
languages, and its logic. Route-condition rules implement ``condition``; the
others implement ``check``. The docstring is the rule's documentation; its
``examples`` (a failing and a passing case as inventory fragments) are run by
the test suite and printed by ``lineage explain``.

Example:
    >>> f = Finding(rule="TP222", clause="5[2]3", kind="unannounced-items",
    ...             severity="error", flow="F7", frm="mc", to="grp", subject="phone",
    ...             items=("phone",))
    >>> f.id
    'TP222:F7:phone'
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import operator
from dataclasses import dataclass
from typing import ClassVar, Iterable

from ..errors import LineageError
from .clauses import Clause

__all__ = ["Finding", "Rule", "Example", "KINDS", "SEVERITIES", "RuleSelectionError",
           "evidence_form", "first_of_each"]

KINDS = ("no-consent", "no-exemption", "unannounced-items", "unannounced", "contract",
         "re-provision", "purpose", "record", "waiver")
SEVERITIES = ("error", "warning")


class RuleSelectionError(LineageError, ValueError):
    """An unknown pack or rule ID was asked for.

    Example:
        >>> from lineage.rules.registry import REGISTRY
        >>> try:
        ...     REGISTRY.get("TP999")
        ... except RuleSelectionError as exc:
        ...     print(exc)
        unknown rule 'TP999'
    """


class _Room:
    """A finding's ``id`` (rule, flow, and the item or element concerned): a slot
    of its own, set with the fields, and not a field, so equality, hashing, repr
    and ``dataclasses.fields`` are those of the fields.

    Example:
        >>> Finding(rule="TP222", clause="5[2]3", kind="unannounced-items", severity="error",
        ...         flow="F7", frm="mc", to="grp", subject="phone").id
        'TP222:F7:phone'
    """

    __slots__ = ("id",)


# Slots: a large check holds hundreds of thousands of findings until the report
# is written, and an instance dict was two thirds of each one's own memory.
@dataclass(frozen=True, slots=True)
class Finding(_Room):
    """One broken promise on one flow. Immutable; ``as_dict`` is its only form.

    ``id`` is made with the finding (the engine, the reports and snapshots ask
    it several times per finding, and the flows' records share the string).

    Example:
        >>> f = Finding(rule="TP101", clause="5[1]", kind="no-consent", severity="error",
        ...             flow="F1", frm="mc", to="partner", items=("name",))
        >>> f.id, f.items, f.waived
        ('TP101:F1', ('name',), False)
    """

    rule: str
    clause: str
    kind: str
    severity: str
    flow: str
    frm: str
    to: str
    subject: str | None = None
    items: tuple[str, ...] = ()
    evidence: tuple[tuple[str, object], ...] = ()
    message: str = ""
    message_ja: str = ""
    remedy: str = ""
    remedy_ja: str = ""
    waived: bool = False

    def __post_init__(self) -> None:
        _SET_ID(self, _id_of(self.rule, self.flow, self.subject))

    def as_dict(self) -> dict:
        """The report form (``docs/spec/inventory.md``), used by every output.

        Example:
            >>> f = Finding(rule="TP202", clause="1.5, 4", kind="contract", severity="error",
            ...             flow="F1", frm="mc", to="carrier", evidence=(("contract", ("K1",)),))
            >>> d = f.as_dict()
            >>> d["id"], d["from"], d["evidence"]
            ('TP202:F1', 'mc', {'contract': ['K1']})
        """
        return {
            "id": self.id, "rule": self.rule, "clause": self.clause, "kind": self.kind,
            "severity": self.severity, "flow": self.flow, "from": self.frm, "to": self.to,
            "items": list(self.items),
            "evidence": {k: (list(v) if isinstance(v, tuple) else v)
                         for k, v in self.evidence},
            "message": self.message, "message_ja": self.message_ja,
            "remedy": self.remedy, "remedy_ja": self.remedy_ja, "waived": self.waived,
        }

    def replace(self, **changes) -> "Finding":
        """A copy with ``changes`` (findings are never mutated).

        Example:
            >>> f = Finding(rule="TP101", clause="5[1]", kind="no-consent", severity="error",
            ...             flow="F1", frm="mc", to="partner")
            >>> f.replace(waived=True).waived, f.waived
            (True, False)
        """
        return dataclasses.replace(self, **changes)


def _frozen_set(self, name, value):
    raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_del(self, name):
    raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")


def _finding_setstate(self, state) -> None:
    # As the dataclass's own (fields in order), and the ID: copies and pickles.
    for field, value in zip(dataclasses.fields(self), state):
        object.__setattr__(self, field.name, value)
    self.__post_init__()


# Set after the class is made: dataclass(slots=True) of some 3.11 releases (Debian 12's 3.11.2) replaces
# a __setstate__ written in the class body with its own, which leaves the ID slot empty.
Finding.__setstate__ = _finding_setstate

# The frozen dataclass's own refuse names other than fields with a TypeError
# once slots remade the class (CPython 3.11): every name is refused alike.
Finding.__setattr__ = _frozen_set
Finding.__delattr__ = _frozen_del
_SET_ID = _Room.__dict__["id"].__set__


def _id_of(rule: str, flow: str, subject: str | None) -> str:
    """A finding's ID from its rule, flow and subject.

    Example:
        >>> _id_of("TP101", "F1", None), _id_of("TP203", "F2", "name")
        ('TP101:F1', 'TP203:F2:name')
    """
    return f"{rule}:{flow}" if subject is None else f"{rule}:{flow}:{subject}"


class _Blank(_Room):
    """A finding's layout without its refusals: filled by plain attribute stores
    (the quickest way Python fills an object), then made a :class:`Finding` by
    setting its class, last thing in ``__init__``: ``_Blank(...)`` gives the
    finding. A frozen dataclass refuses stores, and setting each slot through
    its descriptor took twice as long; a large check makes a million findings.

    Example:
        >>> f = _Blank("TP101", "5[1]", "no-consent", "error", "F1", "mc", "p", None,
        ...            (), (), "m", "m_ja", "r", "r_ja")
        >>> type(f) is Finding, f.id, f.waived
        (True, 'TP101:F1', False)
        >>> f == Finding(rule="TP101", clause="5[1]", kind="no-consent", severity="error",
        ...              flow="F1", frm="mc", to="p", message="m", message_ja="m_ja",
        ...              remedy="r", remedy_ja="r_ja")
        True
    """

    __slots__ = tuple(f.name for f in dataclasses.fields(Finding))

    def __init__(self, rule, clause, kind, severity, flow, frm, to, subject, items, evidence,
                 message, message_ja, remedy, remedy_ja):
        self.rule = rule
        self.clause = clause
        self.kind = kind
        self.severity = severity
        self.flow = flow
        self.frm = frm
        self.to = to
        self.subject = subject
        self.items = items
        self.evidence = evidence
        self.message = message
        self.message_ja = message_ja
        self.remedy = remedy
        self.remedy_ja = remedy_ja
        self.waived = False
        self.id = f"{rule}:{flow}" if subject is None else f"{rule}:{flow}:{subject}"
        # The layouts are the same (tests/test_engine_fast_paths.py checks it
        # field by field), so the object may change class.
        self.__class__ = Finding


# ``Finding(...)`` with every field given in order, not waived: the same record
# as the dataclass's own constructor makes, about twice as fast (a class, not a
# function calling one: a call less per finding).
_new_finding = _Blank

_MAKERS: dict = {}


def finding_maker(rule):
    """A callable making findings of ``rule`` from what differs between them:
    ``(flow, frm, to, subject, items, evidence, message, message_ja, id)``, the
    forms :meth:`Rule.finding_from` takes and ``id`` as :attr:`Finding.id`
    spells it (``rule:flow:subject``). The rule's fields are the maker's own: a
    rule that makes a hundred thousand findings passes nine values, not fourteen,
    and no ID is formatted twice. Made once per rule and clause.

    Example:
        >>> from lineage.rules.policy.TP203 import TP203
        >>> make = finding_maker(TP203)
        >>> f = make("F2", "o1", "t0", "name", ("name",), (), "m", "m_ja", "TP203:F2:name")
        >>> type(f) is Finding, f.clause, f.severity, f.waived
        (True, '1.5', 'error', False)
        >>> f == _new_finding("TP203", "1.5", "re-provision", "error", "F2", "o1", "t0",
        ...                   "name", ("name",), (), "m", "m_ja", TP203.remedy_en,
        ...                   TP203.remedy_ja)
        True
    """
    got = _MAKERS.get(rule)
    if got is not None and got[0] is rule.clause:
        return got[1]
    rule_id, clause, kind, severity = rule.id, _clause_text(rule), rule.kind, rule.severity
    remedy, remedy_ja = rule.remedy_en, rule.remedy_ja

    class _Made(_Room):
        __slots__ = _Blank.__slots__

        # The fields set here, not by calling _Blank.__init__: that call would be a
        # second Python call per finding, most of what this maker saves.
        def __init__(self, flow, frm, to, subject, items, evidence, message, message_ja, id):
            self.rule = rule_id
            self.clause = clause
            self.kind = kind
            self.severity = severity
            self.flow = flow
            self.frm = frm
            self.to = to
            self.subject = subject
            self.items = items
            self.evidence = evidence
            self.message = message
            self.message_ja = message_ja
            self.remedy = remedy
            self.remedy_ja = remedy_ja
            self.waived = False
            self.id = id
            self.__class__ = Finding

    _MAKERS[rule] = (rule.clause, _Made)
    return _Made


def first_of_each(findings: list) -> list:
    """``findings`` without a later one of an ID already there, in order (``findings``
    itself when no ID repeats): the check keeps the first finding of each ID.

    Passes in C, not a Python step per finding: a large check dedups hundreds of
    thousands of them.

    Example:
        >>> f = Finding(rule="TP101", clause="5[1]", kind="no-consent", severity="error",
        ...             flow="F1", frm="mc", to="partner")
        >>> g, again = f.replace(rule="TP102"), f.replace(message="again")
        >>> [(x.id, x.message) for x in first_of_each([f, g, again])]
        [('TP101:F1', ''), ('TP102:F1', '')]
        >>> first_of_each([f, g]) == [f, g]
        True
    """
    if len(findings) < 2:
        return findings
    ids = list(map(_FINDING_ID, findings))
    # reversed, the first of each ID is the value kept for it
    first = dict(zip(reversed(ids), reversed(findings)))
    if len(first) == len(findings):
        return findings
    return list(map(first.__getitem__, dict.fromkeys(ids)))


_FINDING_ID = operator.attrgetter("id")


def evidence_form(evidence: dict | None) -> tuple:
    """Evidence as a finding keeps it: (key, value) pairs sorted by key, lists made
    tuples, None values left out. Rules that give many findings the same evidence
    make it once and pass it to :meth:`Rule.finding_from`.

    Example:
        >>> evidence_form({"path": ["F1", "F2"], "waiver": None, "outsourcee": "o1"})
        (('outsourcee', 'o1'), ('path', ('F1', 'F2')))
        >>> evidence_form({"notice": "N1"}), evidence_form({"contract": None}), evidence_form(None)
        ((('notice', 'N1'),), (), ())
    """
    # Empty or one-entry evidence (most findings) skips the sorting.
    if not evidence:
        return ()
    if len(evidence) == 1:
        ((k, v),) = evidence.items()
        return () if v is None else ((k, tuple(v) if isinstance(v, list) else v),)
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v)
                        for k, v in evidence.items() if v is not None))


_CLAUSE_TEXT: dict = {}


def _clause_text(rule) -> str:
    """``str(rule.clause)``, made once per rule and clause: every finding of the
    rule then shares one string instead of formatting its own.

    Example:
        >>> from lineage.rules.appi.AP261 import AP261
        >>> _clause_text(AP261), _clause_text(AP261) is _clause_text(AP261)
        ('Art. 25', True)
    """
    got = _CLAUSE_TEXT.get(rule)
    if got is None or got[0] is not rule.clause:
        got = _CLAUSE_TEXT[rule] = (rule.clause, str(rule.clause))
    return got[1]


@dataclass(frozen=True)
class Example:
    """A rule example: an inventory fragment and the finding IDs it must give.

    Example:
        >>> from lineage.rules.policy.TP102 import TP102
        >>> TP102.fail.title, TP102.fail.expect, TP102.passing.expect
        ('consent one day late', ('TP102:F1:K1',), ())
    """

    title: str
    inventory: str
    expect: tuple[str, ...]


class Rule:
    """Base of every rule. Subclasses set the class attributes and one method.

    ``condition(check, flow, evidence)`` -> findings, for rules that are a
    condition of a route; ``check(context)`` -> findings, for the others.

    Example:
        >>> from lineage.rules.policy.TP102 import TP102
        >>> issubclass(TP102, Rule), TP102.route, TP102.severity, str(TP102.clause)
        (True, 'consent', 'error', '5[1]')
    """

    id: ClassVar[str]
    clause: ClassVar[Clause]
    kind: ClassVar[str]
    severity: ClassVar[str] = "error"
    title_en: ClassVar[str]
    title_ja: ClassVar[str]
    #: When the rule fires, in Japanese (``explain --lang ja``, the reports' restatement).
    when_ja: ClassVar[str] = ""
    remedy_en: ClassVar[str]
    remedy_ja: ClassVar[str]
    route: ClassVar[str | None] = None
    #: The packs the rule's examples are checked with.
    packs: ClassVar[tuple[str, ...]] = ("policy",)
    fail: ClassVar[Example]
    passing: ClassVar[Example]

    @classmethod
    def doc(cls) -> str:
        """The rule's documentation for its users: its docstring, dedented, without the
        ``Example:`` section (a doctest, for the developers who run the tests).

        Example:
            >>> from lineage.rules.policy.TP102 import TP102
            >>> TP102.doc().splitlines()[0]
            'The consent relied on was obtained after the flow started.'
            >>> ">>>" in TP102.doc(), ">>>" in TP102.__doc__
            (False, True)
        """
        text = inspect.cleandoc(cls.__doc__ or "")
        cut = re.search(r"^Example:\n(?:    .*\n?|\n)*", text, re.M)
        if cut is not None:
            text = text[:cut.start()] + text[cut.end():]
        return text.strip()

    @classmethod
    def finding(cls, flow, *, subject: str | None = None, items: Iterable[str] = (),
                evidence: dict | None = None, message: str, message_ja: str) -> Finding:
        """A finding of this rule on ``flow``.

        Example:
            >>> from lineage.model.schema import Flow
            >>> from lineage.rules.policy.TP101 import TP101
            >>> flow = Flow(id="F1", **{"from": "mc", "to": "partner"}, items=["name"],
            ...             start="2025-01-01")
            >>> f = TP101.finding(flow, items=["name"], evidence={"closest_route": "consent"},
            ...                   message="no route", message_ja="根拠がありません")
            >>> f.id, f.clause, f.items, f.evidence
            ('TP101:F1', '5[1]', ('name',), (('closest_route', 'consent'),))
        """
        # Built for every finding (a large check makes hundreds of thousands):
        # empty or one-entry evidence and items skip the sorting.
        ev = evidence_form(evidence)
        if not items:
            items = ()
        elif type(items) in (list, tuple) and len(items) == 1:
            items = (items[0],)
        else:
            items = tuple(sorted(set(items)))
        return _new_finding(cls.id, _clause_text(cls), cls.kind, cls.severity, flow.id,
                            flow.frm, flow.to, subject, items, ev, message, message_ja,
                            cls.remedy_en, cls.remedy_ja)

    @classmethod
    def finding_from(cls, flow, subject: str | None, items: tuple, evidence: tuple,
                     message: str, message_ja: str) -> Finding:
        """:meth:`finding` for ``items`` and ``evidence`` already in the form a finding
        keeps: a tuple of items (sorted, no repeats), and (key, value) pairs sorted by
        key, tuples for lists, no None values. Rules that make many findings build
        them so once, and may share them between findings.

        Example:
            >>> from lineage.model.schema import Flow
            >>> from lineage.rules.policy.TP203 import TP203
            >>> flow = Flow(id="F2", **{"from": "o1", "to": "t0"}, items=["name"],
            ...             start="2025-01-01")
            >>> f = TP203.finding_from(flow, "name", ("name",),
            ...                        (("outsourcee", "o1"), ("path", ("F1", "F2"))), "m", "m_ja")
            >>> f == TP203.finding(flow, subject="name", items=["name"], message="m",
            ...                    message_ja="m_ja",
            ...                    evidence={"path": ["F1", "F2"], "outsourcee": "o1"})
            True
        """
        return _new_finding(cls.id, _clause_text(cls), cls.kind, cls.severity, flow.id,
                            flow.frm, flow.to, subject, items, evidence, message, message_ja,
                            cls.remedy_en, cls.remedy_ja)

    @classmethod
    def late_notice(cls, flow, notice, what: str, what_ja: str) -> list[Finding]:
        """A finding when ``notice`` was not published on or before the flow's start.

        ``what`` and ``what_ja`` name the kind of notice in the messages.

        Example:
            >>> from lineage.rules.policy.TP221 import TP221
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP221.fail.inventory))
            >>> [f.message for f in TP221.late_notice(ctx.flows["F1"], ctx.notices["J1"],
            ...                                       "joint-use notice", "共同利用の通知・公表")]
            ['joint-use notice J1 was published 2025-02-01, not on or before the start 2025-01-01']
        """
        if notice.published_on is not None and notice.published_on <= flow.start:
            return []
        when = notice.published_on
        if when is None:
            message = f"{what} {notice.id} was never published (the flow started {flow.start})"
            message_ja = f"{what_ja} {notice.id} は公表されていません（提供開始日 {flow.start}）"
        else:
            message = (f"{what} {notice.id} was published {when}, "
                       f"not on or before the start {flow.start}")
            message_ja = f"{what_ja} {notice.id}({when})が提供開始日 {flow.start} より後です"
        return [cls.finding(flow, subject=notice.id, evidence={"notice": notice.id},
                            message=message, message_ja=message_ja)]

    @classmethod
    def count_per_notice(cls, ctx, flow, notice) -> int:
        """How many findings ``condition`` gives for a condition only the notice
        decides (its missing elements): worked out once per notice, not per flow.

        Example:
            >>> from lineage.rules.policy.TP122 import TP122
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP122.fail.inventory))
            >>> TP122.count_per_notice(ctx, ctx.flows["F1"], ctx.notices["N1"])
            1
        """
        key = (cls.id, notice.id)
        got = ctx.memo.get(key)
        if got is None:
            got = ctx.memo[key] = len(cls.condition(ctx, flow, notice))
        return got

    @classmethod
    def meta(cls) -> dict:
        """The rule's public description (``lineage rules --format json``).

        Example:
            >>> from lineage.rules.policy.TP101 import TP101
            >>> meta = TP101.meta()
            >>> meta["id"], meta["clause"], meta["kind"], meta["route"]
            ('TP101', '5[1]', 'no-consent', None)
        """
        return {"id": cls.id, "clause": str(cls.clause), "kind": cls.kind,
                "severity": cls.severity, "title": cls.title_en, "title_ja": cls.title_ja,
                "route": cls.route}
