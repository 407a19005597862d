"""Rules about waivers themselves (reported on every run)."""

from .base import Example, Rule
from .clauses import Clause
from ..model.tables import field_ja

__all__ = ["LW001", "LW002"]


class LW001(Rule):
    """A waiver has expired (``expires_on`` before the audit date).

    The waived finding counts again, and the expired waiver is reported as a
    warning on its flow: ``LW001:<flow>:<rule>`` (``<rule>/<item>`` when the
    waiver names an item).

    Non-compliant: a waiver that expired before the audit date.
    Compliant: a waiver still in force.

    Example:
        >>> from lineage.rules import engine, examples
        >>> [f.id for f in engine.run(examples.build_example(LW001.fail.inventory)).findings]
        ['LW001:F1:TP114', 'TP114:F1']
    """

    id = "LW001"
    clause = Clause("waivers")
    kind = "waiver"
    severity = "warning"
    title_en = "Expired waiver"
    title_ja = "期限切れの承認"
    when_ja = ("承認の有効期限 (expires_on) が基準日より前である。承認されていた指摘は再び数えられ、"
               "期限切れの承認はそのフローへの警告として指摘される。")
    remedy_en = "Fix the finding, or renew the waiver with a new approval and expiry date."
    remedy_ja = "指摘を是正するか、新たな承認と期限で承認を更新してください。"
    fail = Example("expired", """
flows:
  - {id: F1, from: mc, to: partner, items: [name], basis: academic, start: 2025-01-01}
waivers:
  - {rule: TP114, flow: F1, reason: 共同研究, approved_by: DPO, expires_on: 2026-10-31}
""", ("LW001:F1:TP114", "TP114:F1"))
    passing = Example("in force on the audit date", """
flows:
  - {id: F1, from: mc, to: partner, items: [name], basis: academic, start: 2025-01-01}
waivers:
  - {rule: TP114, flow: F1, reason: 共同研究, approved_by: DPO, expires_on: 2026-11-01}
""", ("TP114:F1",))


class LW002(Rule):
    """A waiver matches no finding of the selected packs.

    Usually the problem was fixed and the waiver can go, or the waiver names
    the wrong rule, flow or item: ``LW002:<flow>:<rule>``.

    Non-compliant: a waiver for a flow that has no such finding.
    Compliant: a waiver that matches a finding.

    Example:
        >>> from lineage.rules import engine, examples
        >>> [f.id for f in engine.run(examples.build_example(LW002.fail.inventory)).findings]
        ['LW002:F1:TP101']
    """

    id = "LW002"
    clause = Clause("waivers")
    kind = "waiver"
    severity = "warning"
    title_en = "Waiver matches no finding"
    title_ja = "該当する指摘のない承認"
    when_ja = ("承認が、選択したルールパックのどの指摘にも該当しない。"
               "多くは問題が是正済みで承認を削除できるか、"
               "承認のルール・フロー・データ項目の指定が誤っている。")
    remedy_en = "Remove the waiver, or correct its rule, flow or item."
    remedy_ja = (f"承認を削除するか、その「{field_ja('waivers', 'rule')}」「{field_ja('waivers', 'flow')}」"
                 f"「{field_ja('waivers', 'item')}」を修正してください。")
    fail = Example("nothing to waive", """
consents:
  - {id: K1, subjects: customers, recipients: [partner], items: [name], obtained_on: 2024-12-01}
flows:
  - {id: F1, from: mc, to: partner, items: [name], start: 2025-01-01}
waivers:
  - {rule: TP101, flow: F1, reason: 移行中, approved_by: DPO, expires_on: 2027-01-01}
""", ("LW002:F1:TP101",))
    passing = Example("matches", """
flows:
  - {id: F1, from: mc, to: partner, items: [name], start: 2025-01-01}
waivers:
  - {rule: TP101, flow: F1, reason: 移行中, approved_by: DPO, expires_on: 2027-01-01}
""", ("TP101:F1",))
