"""The explicit list of rules, and packs as named selections of it.

Registering a duplicate or malformed rule fails at import time, so a broken
registry can never run.

Example:
    >>> [r.id for r in REGISTRY.select(["policy"], select=["TP12"])]
    ['LW001', 'LW002', 'TP121', 'TP122', 'TP123', 'TP124', 'TP125']
"""

from __future__ import annotations

import re

from ..model.errors import did_you_mean
from .base import KINDS, SEVERITIES, Rule, RuleSelectionError
from .policy.TP101 import TP101
from .policy.TP102 import TP102
from .policy.TP103 import TP103
from .policy.TP104 import TP104
from .policy.TP111 import TP111
from .policy.TP112 import TP112
from .policy.TP113 import TP113
from .policy.TP114 import TP114
from .policy.TP121 import TP121
from .policy.TP122 import TP122
from .policy.TP123 import TP123
from .policy.TP124 import TP124
from .policy.TP125 import TP125
from .policy.TP201 import TP201
from .policy.TP202 import TP202
from .policy.TP203 import TP203
from .policy.TP211 import TP211
from .policy.TP221 import TP221
from .policy.TP222 import TP222
from .policy.TP223 import TP223
from .policy.TP224 import TP224
from .policy.TP225 import TP225
from .policy.TP301 import TP301
from .policy.TP401 import TP401
from .policy.TP402 import TP402
from .policy.TP801 import TP801
from .policy.TP802 import TP802
from .waiver_rules import LW001, LW002
from .appi.AP201 import AP201
from .appi.AP202 import AP202
from .appi.AP203 import AP203
from .appi.AP211 import AP211
from .appi.AP212 import AP212
from .appi.AP221 import AP221
from .appi.AP222 import AP222
from .appi.AP223 import AP223
from .appi.AP231 import AP231
from .appi.AP241 import AP241
from .appi.AP251 import AP251
from .appi.AP261 import AP261
from .appi.AP271 import AP271

__all__ = ["Registry", "REGISTRY", "RuleSelectionError"]

_ID = re.compile(r"^[A-Z]{2}\d{3}$")


class Registry:
    """Rules by ID, and packs by name. Always-on rules join every selection.

    Example:
        >>> REGISTRY.get("tp101").id, REGISTRY.pack_of("LW001"), sorted(REGISTRY.packs)
        ('TP101', None, ['appi', 'policy'])
    """

    def __init__(self):
        self.rules: dict[str, type[Rule]] = {}
        self.packs: dict[str, list[str]] = {}
        self.always: list[str] = []
        # The engine asks the pack of every finding: a dict, not a scan of the packs.
        self._pack_of: dict[str, str] = {}

    def register(self, rule: type[Rule], pack: str | None) -> None:
        """Add ``rule`` to the registry (and to ``pack``); refuse duplicates.

        Example:
            >>> registry = Registry()
            >>> registry.register(TP101, "policy")
            >>> try:
            ...     registry.register(TP101, "policy")
            ... except ValueError as exc:
            ...     print(exc)
            duplicate rule ID TP101
            >>> registry.packs
            {'policy': ['TP101']}
        """
        if not _ID.match(getattr(rule, "id", "")):
            raise ValueError(f"malformed rule ID {getattr(rule, 'id', None)!r}")
        if rule.id in self.rules:
            raise ValueError(f"duplicate rule ID {rule.id}")
        if rule.kind not in KINDS or rule.severity not in SEVERITIES:
            raise ValueError(f"{rule.id}: bad kind or severity")
        for attr in ("clause", "title_en", "title_ja", "remedy_en", "remedy_ja", "fail",
                     "passing"):
            if not getattr(rule, attr, None):
                raise ValueError(f"{rule.id}: missing {attr}")
        if not rule.__doc__:
            raise ValueError(f"{rule.id}: missing docstring")
        self.rules[rule.id] = rule
        if pack is None:
            self.always.append(rule.id)
        else:
            self.packs.setdefault(pack, []).append(rule.id)
            self._pack_of.setdefault(rule.id, pack)

    def get(self, rule_id: str) -> type[Rule]:
        """The rule with this ID; ``RuleSelectionError`` if none.

        Example:
            >>> REGISTRY.get("tp222").title_en
            'Joint use of an unannounced item'
            >>> REGISTRY.get("TP2O3")
            Traceback (most recent call last):
            lineage.rules.base.RuleSelectionError: unknown rule 'TP2O3' (did you mean 'TP203'?)
        """
        try:
            return self.rules[rule_id.upper()]
        except KeyError:
            # TP2O3 typed with a letter O is TP203 (not TP223, as near by spelling)
            upper = rule_id.upper()
            digits = upper[:2] + upper[2:].translate(str.maketrans("OIL", "011"))
            known = [digits] if digits in self.rules else list(self.rules)
            raise RuleSelectionError(
                f"unknown rule '{rule_id}'{did_you_mean(upper, known)}",
                message_ja=f"ルール '{rule_id}' はありません"
                           f"{did_you_mean(upper, known, 'ja')}") from None

    def pack_of(self, rule_id: str) -> str | None:
        """The pack a rule belongs to (None for always-on rules).

        Example:
            >>> REGISTRY.pack_of("TP101"), REGISTRY.pack_of("LW001")
            ('policy', None)
        """
        return self._pack_of.get(rule_id)

    def select(self, packs=("policy",), select=None, ignore=None) -> list[type[Rule]]:
        """Rules of ``packs``, narrowed by ``select`` and ``ignore`` (IDs or prefixes).

        Example:
            >>> [r.id for r in REGISTRY.select(select=["TP10"], ignore=["TP104"])]
            ['LW001', 'LW002', 'TP101', 'TP102', 'TP103']
            >>> [r.id for r in REGISTRY.select(select=["TP10"], ignore=["TP104", "LW"])]
            ['TP101', 'TP102', 'TP103']
            >>> REGISTRY.select(["appi"], select=["TP101"])
            Traceback (most recent call last):
            lineage.rules.base.RuleSelectionError: --select/--ignore leave no rule of the rule packs to run (appi)
        """
        ids: list[str] = []
        for pack in packs:
            if pack not in self.packs:
                known = ", ".join(sorted(self.packs))
                raise RuleSelectionError(f"unknown rule pack '{pack}' (known: {known})",
                                         message_ja=f"ルールパック '{pack}' はありません"
                                                    f"（あるもの: {known}）")
            ids.extend(self.packs[pack])
        if select:
            ids = [i for i in ids if any(i.startswith(self._code(s)) for s in select)]
        # The waiver rules police the waivers of the rules that run, so --select keeps
        # them: --select TP104 dropped the LW001 of an expired TP104 waiver (the trial of
        # round 14); --ignore LW001 still leaves it out.
        ids.extend(self.always)
        if ignore:
            ids = [i for i in ids if not any(i.startswith(self._code(s)) for s in ignore)]
        if (select or ignore) and not any(self._pack_of.get(i) in packs for i in ids):
            # A check with no rule of its packs would call every flow ok under them.
            named = ", ".join(packs)
            raise RuleSelectionError(
                f"--select/--ignore leave no rule of the rule packs to run ({named})",
                message_ja=f"--select・--ignore の指定で、ルールパック（{named}）の規則が"
                           "一つも残りません")
        return [self.rules[i] for i in sorted(set(ids))]

    def _code(self, code: str) -> str:
        code = code.strip().upper()
        if not code or not any(i.startswith(code) for i in self.rules):
            raise RuleSelectionError(f"unknown rule or prefix '{code}'",
                                     message_ja=f"ルールまたは接頭辞 '{code}' はありません")
        return code

    def __iter__(self):
        return iter(self.rules[i] for i in sorted(self.rules))


REGISTRY = Registry()
for _rule in (TP101, TP102, TP103, TP104, TP111, TP112, TP113, TP114, TP121, TP122, TP123,
              TP124, TP125, TP201, TP202, TP203, TP211, TP221, TP222, TP223, TP224, TP225,
              TP301, TP401, TP402, TP801, TP802):
    REGISTRY.register(_rule, "policy")
for _rule in (AP201, AP202, AP203, AP211, AP212, AP221, AP222,
              AP223, AP231, AP241, AP251, AP261, AP271):
    REGISTRY.register(_rule, "appi")
for _rule in (LW001, LW002):
    REGISTRY.register(_rule, None)
