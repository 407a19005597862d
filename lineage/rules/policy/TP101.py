from ..base import Example, Rule
from ..clauses import Clause


class TP101(Rule):
    """A provision to a third party has no route at all.

    No consent, no exemption of 5[1] items 1-4, not outsourcing, succession or
    joint use, and no opt-out notice. The message names the route that came
    closest and what it lacked. A declared ``consent`` basis with no consent at
    all from a data-subject group whose data the flow carries also gives TP101,
    one finding per such group (``TP101:<flow>:<group>``), whose items are the
    flow's items that came from the group and whose evidence is the path by which
    the first of them came.

    Non-compliant: customer names go to a partner and nothing makes it lawful.
    Compliant: the same flow backed by the customers' prior consent.

    Example:
        >>> from lineage.rules import engine, examples
        >>> [f.id for f in engine.run(examples.build_example(TP101.fail.inventory)).findings]
        ['TP101:F1']
    """

    id = "TP101"
    clause = Clause("5[1]")
    kind = "no-consent"
    title_en = "Provision to a third party with no consent and no exemption"
    title_ja = "同意も例外もない第三者提供"
    when_ja = ("第三者への提供に適法な根拠が一つもない。本人の同意も、5[1]第1号～第4号の例外もなく、"
               "委託・事業の承継・共同利用でもなく、オプトアウトの公表もない(指摘は最も近かった根拠"
               "とその不足を示す)。根拠を本人の同意と宣言したフローで、"
               "運ぶデータの本人のグループから同意が一つもない場合も、グループごとに指摘する。")
    remedy_en = ("Obtain the person's prior consent, or establish an exemption, "
                 "outsourcing, joint use or opt-out route, or stop the flow.")
    remedy_ja = "あらかじめ本人の同意を得るか、例外・委託・共同利用・オプトアウトの根拠を整えるか、提供を停止してください。"
    fail = Example("no route", """
flows:
  - {id: F1, from: mc, to: partner, items: [name], purposes: [ads], start: 2025-01-01}
""", ("TP101:F1",))
    passing = Example("prior consent", """
consents:
  - {id: K1, subjects: customers, recipients: [partner], items: [name], purposes: [ads],
     obtained_on: 2024-12-01}
flows:
  - {id: F1, from: mc, to: partner, items: [name], purposes: [ads], start: 2025-01-01}
""", ())
