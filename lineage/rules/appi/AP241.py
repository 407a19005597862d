from ..base import Example
from ..clauses import Article
from .common import ACT, ACT_JA, LawRule
from ...model.tables import field_ja

def _joint_use(ctx, flow) -> bool:
    """Whether ``flow`` is shared under a joint-use notice that holds for it."""
    from ..routes import evaluate  # (the routes import the rules: not at import time)
    result = evaluate(ctx, flow, "joint_use")
    return not result.missing and not result.findings


class AP241(LawRule):
    """Data received from another business without confirming its source (Art. 30).

    A flow into the organisation from another business (not a data subject,
    not a party of the organisation's legal entity) needs a record that the
    provider's identity and how it acquired the data were confirmed
    (``confirmed_acquisition``): ``AP241:<flow>``. Not reported on flows that
    are no provision (``storage_only``, or linkable items alone), nor on flows
    from a party (or its legal entity) holding a contract with the
    organisation: an outsourcee returning entrusted data does not provide them.
    Nor from a public body (not a business), nor on an inflow whose joint-use
    route holds as the organisation's own provisions are judged (a joint-use
    notice lists the sender and the organisation, in time, with every item and
    purpose: TP221-TP225): a joint user is no third party (Art. 27(5)(iii)),
    so, as with an outsourcee, nothing is provided. A declared ``basis`` alone
    is the sender's word, which lineage cannot check: a list bought as "joint
    use" still needs the record.

    Non-compliant: a list broker's customer list comes in unconfirmed.
    Compliant: the broker and its acquisition were confirmed.

    Example:
        >>> from lineage.rules import engine, examples
        >>> inv = examples.build_example(AP241.fail.inventory)
        >>> [f.id for f in engine.run(inv, packs=AP241.packs).findings]
        ['AP241:F1']
    """

    id = "AP241"
    clause = Article("30")
    kind = "record"
    title_en = "Data received from a third party without confirming its acquisition"
    title_ja = "取得経緯の確認がない第三者からの受領"
    when_ja = ("他の事業者(本人でも、組織と同じ法人の当事者でもない)から組織に入るフローに、"
               "提供者と取得の経緯を確認した記録(取得の経緯の確認 (confirmed_acquisition))がない。"
               "提供に当たらないフロー(保管のみ (storage_only)、個人関連情報だけのもの)、"
               "組織と契約のある当事者(又はその法人)からのフロー(委託先が委託されたデータを返すもの)"
               "、公的機関からのフロー、組織自身の共同利用の通知・公表が提供元と組織を共同して"
               "利用する者として開始日までに公表し、項目と利用目的もすべて含む共同利用のフロー"
               "(共同利用者は第三者でない)には指摘しない。受け取るフローに宣言された根拠"
               "(例えば共同利用)だけでは提供元の言い分にすぎず、記録は必要である。")
    gloss = ("A recipient of personal data from a third party must confirm the provider's identity "
             "and how it acquired the data, and keep a record.")
    remedy_en = ("Confirm the provider's name, address and representative and how it "
                 "acquired the data, keep the record, and set confirmed_acquisition: true.")
    remedy_ja = ("提供者の氏名・住所・代表者及び取得の経緯を確認して記録し、フローの"
                 f"「{field_ja('flows', 'confirmed_acquisition')}」を true としてください。")
    fail = Example("unconfirmed list from a broker", """
flows:
  - {id: F1, from: partner, to: mc, items: [name, phone], start: 2025-01-01}
""", ("AP241:F1",))
    passing = Example("confirmed list from a broker", """
flows:
  - {id: F1, from: partner, to: mc, items: [name, phone], start: 2025-01-01,
     confirmed_acquisition: true}
""", ())

    @classmethod
    def check(cls, ctx, judged):
        """One finding per unconfirmed inflow from another business.

        Example:
            >>> from lineage.rules import context, engine, examples
            >>> ctx = context.Context(examples.build_example(AP241.passing.inventory))
            >>> judged = {f.id: engine.judge(ctx, f)[0] for f in ctx.inv.flows}
            >>> list(AP241.check(ctx, judged))
            []
        """
        contracted = {ctx.entity(p) for p in ctx.contracts_by_party}
        for flow in cls.flows(ctx, judged):
            if not ctx.is_org(flow.to) or ctx.is_org(flow.frm) or flow.confirmed_acquisition:
                continue
            if ctx.role(flow.frm) in ("data_subject", "public_body"):
                continue
            if judged[flow.id].route in ("storage_only", "non_personal"):
                continue
            if ctx.entity(flow.frm) in contracted:
                continue
            if _joint_use(ctx, flow):
                continue
            yield cls.finding(
                flow,
                message=f"{ACT} Art. 30: data received from {flow.frm} with no record that the "
                        f"provider and how it acquired the data were confirmed",
                message_ja=f"{ACT_JA}第30条: {flow.frm} からの受領について、提供者及び取得の経緯の確認の記録がありません")
