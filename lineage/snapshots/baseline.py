"""A baseline for CI: which of an audit's findings a stored snapshot already had.

A finding is known when a finding with the same stable ID (rule, flow, item
or element) is in the baseline snapshot; positions and messages never matter.

Example:
    >>> import lineage, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "audits.db"
    >>> _ = lineage.snapshot("inventories/monocollabo", store=path)
    >>> base = Baseline.load(f"{path}:latest")
    >>> audit = lineage.check("inventories/monocollabo")
    >>> new, known = base.split(audit)
    >>> len(new), len(known), base.exit_code(audit)
    (0, 9, 0)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .store import Store, StoreError

__all__ = ["Baseline", "parse_spec"]


def parse_spec(spec: str) -> tuple[Path, str]:
    """Split ``STORE[:SNAPSHOT]`` into a path and a reference (default ``latest``).

    A path that exists as given wins, so a store whose name holds ``:`` works.

    >>> parse_spec("audits.db:2026-Q3")
    (PosixPath('audits.db'), '2026-Q3')
    >>> parse_spec("audits.db")
    (PosixPath('audits.db'), 'latest')
    """
    if Path(spec).exists() or ":" not in spec:
        return Path(spec), "latest"
    path, _, ref = spec.rpartition(":")
    return Path(path), ref or "latest"


@dataclass(frozen=True)
class Baseline:
    """The finding IDs of one stored snapshot, and which snapshot it was.

    Example:
        >>> Baseline(frozenset({"TP203:F44:address"}), snapshot=3, label="2026-Q3")
        Baseline(ids=frozenset({'TP203:F44:address'}), snapshot=3, label='2026-Q3', waived=frozenset(), rules=())
    """

    ids: frozenset[str]
    snapshot: int
    label: str | None = None
    #: Those of ``ids`` the baseline held waived: such a finding, unwaived now (its
    #: waiver expired or was removed), is new to a CI gate (the trial of round 14: an
    #: expired waiver passed "fail only on new errors").
    waived: frozenset[str] = frozenset()
    #: The rule packs the baseline was checked with (a gate checking others sees the
    #: findings of a pack the baseline did not run as new, or misses them).
    rules: tuple[str, ...] = ()

    @classmethod
    def load(cls, spec: str) -> "Baseline":
        """Read ``STORE[:SNAPSHOT]`` (SNAPSHOT: ID, label, ``latest`` or ``previous``).

        Example:
            >>> import lineage, tempfile, pathlib
            >>> path = pathlib.Path(tempfile.mkdtemp()) / "audits.db"
            >>> _ = lineage.snapshot("inventories/monocollabo", store=path, label="2026-Q3")
            >>> base = Baseline.load(f"{path}:2026-Q3")
            >>> base.snapshot, base.label, "TP203:F44:address" in base.ids
            (1, '2026-Q3', True)
        """
        path, ref = parse_spec(spec)
        if not path.is_file():
            raise StoreError(f"{path}: no snapshot store here (baseline {spec!r})",
                             message_ja=f"{path}: スナップショットのストアがありません "
                                        f"(基準 {spec!r})")
        with Store(path, create=False) as store:
            sid = store.resolve(ref)
            entry = next(e for e in store.list() if e["id"] == sid)
            states = store.finding_states(sid)
            return cls(frozenset(states), sid, entry["label"],
                       frozenset(i for i, waived in states.items() if waived),
                       tuple(entry["rules"]))

    def split(self, audit) -> tuple[list, list]:
        """The audit's unwaived findings that are new and known: known when the baseline
        held it unwaived; one the baseline held only waived is new again.

        Example:
            >>> import lineage
            >>> audit = lineage.check("inventories/monocollabo")
            >>> new, known = Baseline(frozenset({"TP203:F44:address"}), 1).split(audit)
            >>> len(new), [f.id for f in known]
            (8, ['TP203:F44:address'])
            >>> held = Baseline(frozenset({"TP203:F44:address"}), 1,
            ...                 waived=frozenset({"TP203:F44:address"}))
            >>> len(held.split(audit)[0])
            9
        """
        live = [f for f in audit.results if not f.waived]
        return ([f for f in live if not self.known(f.id)],
                [f for f in live if self.known(f.id)])

    def known(self, fid: str) -> bool:
        """Whether an unwaived finding of ID ``fid`` is known: the baseline held it,
        unwaived.

        Example:
            >>> b = Baseline(frozenset({"A", "B"}), 1, waived=frozenset({"B"}))
            >>> b.known("A"), b.known("B"), b.known("C")
            (True, False, False)
        """
        return fid in self.ids and fid not in self.waived

    def exit_code(self, audit, fail_on: str = "error") -> int:
        """1 when a new unwaived finding is at ``fail_on`` level or worse, else 0.

        Example:
            >>> import lineage
            >>> audit = lineage.check("inventories/monocollabo")
            >>> everything = frozenset(f.id for f in audit.results)
            >>> Baseline(everything, 1).exit_code(audit), Baseline(frozenset(), 1).exit_code(audit)
            (0, 1)
        """
        levels = {"error": ("error",), "warning": ("error", "warning")}[fail_on]
        new, _ = self.split(audit)
        return int(any(f.severity in levels for f in new))

    def states(self, audit) -> dict[str, str]:
        """SARIF ``baselineState`` of each finding: ``new`` or ``unchanged``.

        Example:
            >>> import lineage
            >>> audit = lineage.check("inventories/monocollabo")
            >>> states = Baseline(frozenset({"TP203:F44:address"}), 1).states(audit)
            >>> states["TP203:F44:address"], states["TP203:F44:name"]
            ('unchanged', 'new')
        """
        return {f.id: ("unchanged" if (f.id in self.ids if f.waived else self.known(f.id))
                       else "new") for f in audit.results}
