from ..base import Example, Rule
from ..clauses import Clause

_ELEMENTS = (
    ("provision_in_purpose", "that the purpose includes provision to third parties",
     "利用目的に第三者への提供を含むこと"),
    ("items", "the items provided", "提供されるデータの項目"),
    ("methods", "the method of provision", "提供の手段または方法"),
    ("stop_on_request", "that provision stops at the person's request",
     "本人の求めに応じて提供を停止すること"),
)


class TP122(Rule):
    """The opt-out notice lacks one of the policy's four elements.

    (1) the purpose includes provision to third parties
    (``provision_in_purpose``), (2) the items, (3) the method of provision
    (``methods``), (4) that provision stops on request (``stop_on_request``).
    One finding per missing element (``TP122:<flow>:<element>``); a notice
    without items gives this finding, not one TP123 per item.

    Non-compliant: a notice that does not promise to stop on request.
    Compliant: all four elements.

    Example:
        >>> from lineage.rules import engine, examples
        >>> [f.id for f in engine.run(examples.build_example(TP122.fail.inventory)).findings]
        ['TP122:F1:stop_on_request']
    """

    id = "TP122"
    clause = Clause("5[1]5(1)-(4)")
    kind = "unannounced"
    route = "opt_out"
    title_en = "Opt-out notice lacks a required element"
    title_ja = "オプトアウトの公表事項の欠落"
    when_ja = ("オプトアウトの公表に、方針の定める4つの事項のいずれかが欠けている: (1) "
               "利用目的に第三者提供を含むこと (provision_in_purpose)、(2) データ項目、(3) "
               "提供の手段・方法 (methods)、(4) 求めに応じて提供を停止すること (stop_on_request)。"
               "欠けている事項ごとに指摘し、項目の記載がない公表には項目ごとの TP123 "
               "でなくこの指摘を出す。")
    remedy_en = "Add the missing element to the published opt-out notice."
    remedy_ja = "欠けている事項をオプトアウトの公表内容に追加してください。"
    fail = Example("no stop on request", """
notices:
  - {id: N1, kind: opt_out, published_on: 2024-12-01, provision_in_purpose: true,
     items: [name], methods: [sftp]}
flows:
  - {id: F1, from: mc, to: partner, items: [name], basis: opt_out, method: sftp,
     start: 2025-01-01}
""", ("TP122:F1:stop_on_request",))
    passing = Example("four elements", """
notices:
  - {id: N1, kind: opt_out, published_on: 2024-12-01, provision_in_purpose: true,
     items: [name], methods: [sftp], stop_on_request: true}
flows:
  - {id: F1, from: mc, to: partner, items: [name], basis: opt_out, method: sftp,
     start: 2025-01-01}
""", ())

    @classmethod
    def count(cls, ctx, flow, notice) -> int:
        """How many findings ``condition`` would give: the notice's missing elements
        (the same for every flow, so counted once per notice).

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP122.fail.inventory))
            >>> TP122.count(ctx, ctx.flows["F1"], ctx.notices["N1"])
            1
        """
        return cls.count_per_notice(ctx, flow, notice)

    @classmethod
    def condition(cls, ctx, flow, notice):
        """One finding per required element the opt-out notice lacks.

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP122.fail.inventory))
            >>> [f.id for f in TP122.condition(ctx, ctx.flows["F1"], ctx.notices["N1"])]
            ['TP122:F1:stop_on_request']
        """
        out = []
        for field, en, ja in _ELEMENTS:
            if not getattr(notice, field):
                out.append(cls.finding(flow, subject=field, evidence={"notice": notice.id},
                                       message=f"opt-out notice {notice.id} does not state {en}",
                                       message_ja=f"オプトアウトの公表 {notice.id} に「{ja}」がありません"))
        return out
