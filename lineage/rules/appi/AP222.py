from ..base import Example
from ..clauses import Article
from .common import ACT, ACT_JA, LawRule
from .foreign import abroad, basis, foreign, relied_consents
from ...model.tables import field_ja


class AP222(LawRule):
    """A consent to a foreign provision was given without the information Art. 28(2) asks.

    Before a person consents to provision to a recipient in a foreign country
    (outside Japan and the EU/EEA/UK), the Act asks that they be told the
    country, its privacy regime and the recipient's measures. For a flow whose
    route is ``consent``, holding (else AP221), and whose recipient has no
    ``equivalent_system``,
    every consent the route relies on must record ``foreign_info_given``:
    ``AP222:<flow>:<consent>`` for each that does not.

    Non-compliant: customers consented to provision to a US partner without
    being told about the US regime.
    Compliant: the consent records that the information was given.

    Example:
        >>> from lineage.rules import engine, examples
        >>> inv = examples.build_example(AP222.fail.inventory)
        >>> [f.id for f in engine.run(inv, packs=AP222.packs).findings]
        ['AP222:F1:K1']
    """

    id = "AP222"
    clause = Article("28(2)")
    kind = "no-consent"
    title_en = "Consent to a foreign provision without the required information"
    title_ja = "情報提供のない外国にある第三者への提供の同意"
    when_ja = ("外国(日本・欧州経済領域・英国以外)にある提供先への本人の同意による提供(経路が本人の"
               "同意で、その経路が成り立つもの)で、提供先に相当措置の確認日 (equivalent_system) がないとき、"
               "その経路が依拠する同意に、国名・その国の個人情報保護制度・提供先が講ずる措置を本人に"
               "情報提供したこと(外国の制度等の情報提供 (foreign_info_given))が記録されていない。"
               "同意ごとに指摘する。")
    gloss = ("Before asking consent to a foreign provision, the provider must tell the person the "
             "country, its personal-information regime and the recipient's measures.")
    remedy_en = ("Before obtaining consent, tell the person the country, its personal "
                 "information regime and the recipient's measures; record foreign_info_given.")
    remedy_ja = ("同意を得る前に、提供先の国名、その国の個人情報保護制度、提供先が講ずる措置を本人に情報提供し、"
                 f"同意の「{field_ja('consents', 'foreign_info_given')}」に記録してください。")
    fail = Example("consent without the foreign information", """
parties:
  - {id: us-partner, name: 米国提携企業, country: US}
consents:
  - {id: K1, subjects: customers, recipients: [us-partner], items: [name], purposes: [ads],
     obtained_on: 2024-12-01}
flows:
  - {id: F1, from: mc, to: us-partner, items: [name], purposes: [ads], start: 2025-01-01,
     recorded: true}
""", ("AP222:F1:K1",))
    passing = Example("consent with the foreign information", """
parties:
  - {id: us-partner, name: 米国提携企業, country: US}
consents:
  - {id: K1, subjects: customers, recipients: [us-partner], items: [name], purposes: [ads],
     obtained_on: 2024-12-01, foreign_info_given: true}
flows:
  - {id: F1, from: mc, to: us-partner, items: [name], purposes: [ads], start: 2025-01-01,
     recorded: true}
""", ())

    @classmethod
    def check(cls, ctx, judged):
        """One finding per relied-on consent without ``foreign_info_given``.

        Example:
            >>> from lineage.rules import context, engine, examples
            >>> ctx = context.Context(examples.build_example(AP222.passing.inventory))
            >>> judged = {f.id: engine.judge(ctx, f)[0] for f in ctx.inv.flows}
            >>> list(AP222.check(ctx, judged))
            []
        """
        far = abroad(ctx)
        for flow in cls.flows(ctx, judged):
            if flow.to not in far or basis(ctx, judged, flow) != "consent":
                continue
            country = foreign(ctx, flow.to)
            for cid in relied_consents(ctx, judged, flow):
                if ctx.consents[cid].foreign_info_given:
                    continue
                yield cls.finding(
                    flow, subject=cid, evidence={"consent": cid, "country": country},
                    message=f"{ACT} Art. 28(2): consent {cid} to provision to {flow.to} in "
                            f"{country} does not record that the country, its regime and the "
                            f"recipient's measures were explained",
                    message_ja=f"{ACT_JA}第28条第2項: 同意 {cid} について、提供先 {flow.to} の国({country})・"
                               f"その国の制度・提供先の措置の情報提供の記録がありません")
