from ..base import Example, Rule
from ..clauses import Clause

_ELEMENTS = (
    ("items", "the items used jointly", "共同して利用される個人情報の項目"),
    ("members", "the range of joint users", "共同して利用する者の範囲"),
    ("purposes", "the purposes of the users", "利用する者の利用目的"),
    ("responsible", "the name of the person responsible", "管理について責任を有する者の氏名または名称"),
)


class TP225(Rule):
    """The joint-use notice lacks one of its five elements.

    The fact of joint use (a ``joint_use`` notice states it), the items, the
    range of users (``members``), the purposes, and the name of the person
    responsible (``responsible.name``). One finding per missing element
    (``TP225:<flow>:<element>``).

    Non-compliant: no person responsible is named.
    Compliant: all five elements.

    Example:
        >>> from lineage.rules import engine, examples
        >>> [f.id for f in engine.run(examples.build_example(TP225.fail.inventory)).findings]
        ['TP225:F1:responsible']
    """

    id = "TP225"
    clause = Clause("5[2]3")
    kind = "unannounced"
    route = "joint_use"
    title_en = "Joint-use notice lacks a required element"
    title_ja = "共同利用の通知・公表事項の欠落"
    when_ja = ("共同利用の通知・公表に5つの事項のいずれかが欠けている: 共同利用をする旨、"
               "データ項目、共同して利用する者の範囲 (members)、利用目的、"
               "管理について責任を有する者の氏名・名称 (responsible.name)。"
               "欠けている事項ごとに指摘する。")
    remedy_en = "Add the missing element to the joint-use notice."
    remedy_ja = "欠けている事項を共同利用の通知・公表に追加してください。"
    fail = Example("no responsible person", """
notices:
  - {id: J1, kind: joint_use, published_on: 2024-12-01, items: [name], purposes: [ads],
     members: [mc, group-co]}
flows:
  - {id: F1, from: mc, to: group-co, items: [name], purposes: [ads], basis: joint_use,
     start: 2025-01-01}
""", ("TP225:F1:responsible",))
    passing = Example("five elements", """
notices:
  - {id: J1, kind: joint_use, published_on: 2024-12-01, items: [name], purposes: [ads],
     members: [mc, group-co], responsible: {name: モノコラボ}}
flows:
  - {id: F1, from: mc, to: group-co, items: [name], purposes: [ads], basis: joint_use,
     start: 2025-01-01}
""", ())

    @classmethod
    def count(cls, ctx, flow, notice) -> int:
        """How many findings ``condition`` would give: the notice's missing elements
        (the same for every flow, so counted once per notice).

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP225.fail.inventory))
            >>> TP225.count(ctx, ctx.flows["F1"], ctx.notices["J1"])
            1
        """
        return cls.count_per_notice(ctx, flow, notice)

    @classmethod
    def condition(cls, ctx, flow, notice):
        """One finding per required element the joint-use notice lacks.

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP225.fail.inventory))
            >>> [f.id for f in TP225.condition(ctx, ctx.flows["F1"], ctx.notices["J1"])]
            ['TP225:F1:responsible']
        """
        out = []
        for field, en, ja in _ELEMENTS:
            value = getattr(notice, field)
            if field == "responsible":
                value = value.name if value is not None else None
            if not value:
                out.append(cls.finding(flow, subject=field, evidence={"notice": notice.id},
                                       message=f"joint-use notice {notice.id} does not state {en}",
                                       message_ja=f"共同利用の通知・公表 {notice.id} に「{ja}」がありません"))
        return out
