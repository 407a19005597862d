from ..base import Example
from ..clauses import Article
from .common import ACT, ACT_JA, LawRule
from .foreign import abroad, basis, foreign


class AP221(LawRule):
    """Provision to a recipient in a foreign country with no basis the Act accepts (Art. 28(1)).

    For a recipient whose ``country`` is neither Japan nor in the EU/EEA/UK
    (countries the Commission recognises), a provision needs: a 27(1)
    exemption (routes law, life, public health, government, academic), or a
    recipient with an equivalent system (``equivalent_system``, see AP223), or
    consent to the foreign provision (route ``consent`` holding, see AP222; a
    declared consent that no consent covers is none). Outsourcing, joint use
    and opt-out do not help here: ``AP221:<flow>``.

    Non-compliant: customer data go to an outsourced call centre in the
    Philippines (route outsourcing, lawful under the policy).
    Compliant: the call centre's equivalent safeguards were checked this year.

    Example:
        >>> from lineage.rules import engine, examples
        >>> inv = examples.build_example(AP221.fail.inventory)
        >>> [f.id for f in engine.run(inv, packs=AP221.packs).findings]
        ['AP221:F1']
    """

    id = "AP221"
    clause = Article("28(1)")
    kind = "no-consent"
    title_en = "Provision to a third party in a foreign country without a basis"
    title_ja = "根拠のない外国にある第三者への提供"
    when_ja = ("外国(日本でも欧州経済領域・英国でもない国 (country))にある提供先へのフローに、"
               "法が認める根拠がない。認められるのは、法第27条第1項の例外(法令に基づく提供、"
               "生命・財産の保護、公衆衛生、国の機関等への協力、学術研究)、提供先の相当措置 "
               "(equivalent_system、AP223 参照)、又は外国にある第三者への提供についての本人の同意(経"
               "路が本人の同意で、その経路が成り立つもの、AP222 参照)だけで、委託・共同利用・オプトアウトは根拠に"
               "ならない。同意を根拠と宣言しても、この提供を含む同意がなければ根拠にならない。")
    gloss = ("A provision to a third party in a foreign country needs the person's prior consent "
             "to provision to a foreign third party, unless the country is recognised (the "
             "EU/EEA/UK), the recipient keeps an equivalent system, or a 27(1) exemption applies; "
             "outsourcing, succession and joint use are no basis here.")
    remedy_en = ("Obtain the person's consent to provision to that country (with the "
                 "information Art. 28(2) requires), or confirm and record the recipient's "
                 "equivalent safeguards, or stop the flow.")
    remedy_ja = ("外国にある第三者への提供について本人の同意(第28条第2項の情報提供を含む)を得るか、"
                 "提供先の基準に適合する体制を確認・記録するか、提供を停止してください。")
    fail = Example("outsourcing to a call centre in the Philippines", """
parties:
  - {id: callcenter, name: コールセンター, role: outsourcee, country: PH}
contracts:
  - {id: K1, party: callcenter, signed_on: 2024-01-01, no_leak: true, no_re_provision: true,
     audits: [2026-06-01]}
flows:
  - {id: F1, from: mc, to: callcenter, items: [name, phone], purposes: [shipping],
     basis: outsourcing, start: 2025-01-01}
""", ("AP221:F1",))
    passing = Example("the same, with equivalent safeguards checked", """
parties:
  - {id: callcenter, name: コールセンター, role: outsourcee, country: PH,
     equivalent_system: 2026-05-01}
contracts:
  - {id: K1, party: callcenter, signed_on: 2024-01-01, no_leak: true, no_re_provision: true,
     audits: [2026-06-01]}
flows:
  - {id: F1, from: mc, to: callcenter, items: [name, phone], purposes: [shipping],
     basis: outsourcing, start: 2025-01-01}
""", ())

    @classmethod
    def check(cls, ctx, judged):
        """One finding per foreign provision resting on no Art. 28 basis.

        Example:
            >>> from lineage.rules import context, engine, examples
            >>> ctx = context.Context(examples.build_example(AP221.passing.inventory))
            >>> judged = {f.id: engine.judge(ctx, f)[0] for f in ctx.inv.flows}
            >>> list(AP221.check(ctx, judged))
            []
        """
        far = abroad(ctx)
        for flow in cls.flows(ctx, judged):
            if flow.to not in far or basis(ctx, judged, flow) != "none":
                continue
            country = foreign(ctx, flow.to)
            route = judged[flow.id].route
            if route == "consent":  # declared, and the consent route does not hold
                why = ("the consent it declares does not hold for this provision (see "
                       "TP101-TP104; needs consent to provision to a foreign country")
                why_ja = "宣言された同意がこの提供について成り立たず(TP101〜TP104 参照)、"
            else:
                why = (f"route {route.replace('_', ' ')} is no basis for provision to a foreign "
                       f"country (needs consent to it")
                why_ja = ""
            yield cls.finding(
                flow, evidence={"country": country},
                message=f"{ACT} Art. 28(1): {flow.to} is in {country}; {why}, an equivalent "
                        f"system, or a 27(1) exemption)",
                message_ja=f"{ACT_JA}第28条第1項: {flow.to} は外国({country})にあり、{why_ja}"
                           f"外国にある第三者への提供の根拠(同意・基準適合体制・法第27条第1項各号)がありません")
