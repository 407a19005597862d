from ..base import Example
from ..clauses import Article
from .common import ACT, ACT_JA, LawRule, exemption


class AP251(LawRule):
    """Linkable items go to a recipient that will link them to persons, without consent (Art. 31).

    Cookie IDs, IP addresses and device IDs are not personal data for the
    organisation (section 8 of the policy), but when the recipient will link
    them to persons (``recipient_links: true``) the Act asks that the persons
    consented to the recipient acquiring them. Art. 31 concerns data that are
    not personal information for the provider (personally referable
    information, Art. 2(7)): rules.md's step 4 says when linkable items are not
    personal information, so AP251 judges the organisation's flows of linkable
    items alone, not ``combined`` (route ``non_personal``), with
    ``recipient_links``. With a personal item, or ``combined``, the items are
    personal information and the provision is judged as one (a consent or
    another route; TP801 when none). Not reported when the flow rests on a
    27(1) exemption (:func:`~.common.exemption`: its justification recorded,
    an academic party at one end for the academic ones; Art. 31(1) excepts
    them). Reported when no consent names the recipient (its ID, a group
    of it, or its legal entity) that was obtained on or before the flow's
    start and not withdrawn while it runs, as TP104 reads it (a withdrawal on
    the last day counts as covering it; before a known end, even after the
    audit date, it does not; an open flow is not covered by a consent
    withdrawn on or before the audit date, nor a planned one by a consent
    withdrawn by its start): ``AP251:<flow>``.

    Non-compliant: cookie IDs go to an ad network that joins them to its members.
    Compliant: the persons consented to the ad network acquiring them.

    Example:
        >>> from lineage.rules import engine, examples
        >>> inv = examples.build_example(AP251.fail.inventory)
        >>> [f.id for f in engine.run(inv, packs=AP251.packs).findings]
        ['AP251:F1']
    """

    id = "AP251"
    clause = Article("31")
    kind = "no-consent"
    title_en = "Linkable data to a recipient that links them to persons, without consent"
    title_ja = "本人の同意のない個人関連情報の第三者提供"
    when_ja = ("個人関連情報だけを(個人情報と併用 (combined) でなく)、それを本人と紐付ける提供先"
               "(提供先での本人との紐付け (recipient_links) が記録された提供先)に送る組織のフロー"
               "(経路が個人データ以外)で、その提供先(ID・グループ・法人)を名宛人とする本人の同意が"
               "ない。同意は、フローの開始日以前に取得され、フローの終了前に撤回されていないものに限る"
               "(TP104 と同じく、最終日の撤回は範囲内、終了日より前の撤回は基準日より後でも足りず、"
               "終了日のないフローは基準日以前に、予定のフローは開始日以前に撤回された同意では足りない)。"
               "個人の項目と一緒のフローや併用のフローは個人データの提供として判断し、"
               "根拠を記録した法第27条第1項の例外(学術研究の例外は一方の端が学術研究機関等)のフローには"
               "指摘しない。")
    gloss = ("Personally referable information (cookie IDs and the like) may go to a recipient "
             "expected to link it to persons only when the persons have consented to that "
             "recipient acquiring it as personal data, as the provider must confirm.")
    remedy_en = ("Confirm that the recipient obtained the persons' consent to acquire the "
                 "data as personal data (record it as a consent naming the recipient), or stop.")
    remedy_ja = "提供先が個人関連情報を個人データとして取得することについて本人の同意を得ていることを確認し(提供先を名宛人とする同意として記録)、又は提供を停止してください。"
    fail = Example("cookie IDs to an ad network that links them", """
flows:
  - {id: F1, from: mc, to: partner, items: [cookie], purposes: [ads], start: 2025-01-01,
     recipient_links: true}
""", ("AP251:F1",))
    passing = Example("the persons consented to the ad network", """
consents:
  - {id: K1, subjects: customers, recipients: [partner], items: [cookie], purposes: [ads],
     obtained_on: 2024-12-01}
flows:
  - {id: F1, from: mc, to: partner, items: [cookie], purposes: [ads], start: 2025-01-01,
     recipient_links: true}
""", ())

    @classmethod
    def check(cls, ctx, judged):
        """One finding per linking recipient without a valid consent.

        Example:
            >>> from lineage.rules import context, engine, examples
            >>> ctx = context.Context(examples.build_example(AP251.passing.inventory))
            >>> judged = {f.id: engine.judge(ctx, f)[0] for f in ctx.inv.flows}
            >>> list(AP251.check(ctx, judged))
            []
        """
        for flow in cls.flows(ctx, judged, ("non_personal",)):
            if not flow.recipient_links or not ctx.is_org(flow.frm):
                continue
            if exemption(ctx, flow) is not None:  # Art. 31(1) excepts 27(1)'s cases
                continue
            linkable = ctx.linkable(flow)
            names = ctx.names(flow.to)
            if any(cls.valid(ctx, c, flow) for c in ctx.inv.consents
                   if not names.isdisjoint(c.recipients)):
                continue
            yield cls.finding(
                flow, items=linkable,
                message=f"{ACT} Art. 31: {flow.to} will link {', '.join(linkable)} to "
                        f"persons, and no valid consent names it",
                message_ja=f"{ACT_JA}第31条: {flow.to} は個人関連情報({', '.join(linkable)})を"
                           f"個人データとして取得しますが、{flow.to} を名宛人とする有効な本人の"
                           "同意がありません")

    @staticmethod
    def valid(ctx, consent, flow) -> bool:
        """Whether ``consent`` was obtained by the start and not withdrawn before the end.

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(AP251.passing.inventory))
            >>> AP251.valid(ctx, ctx.consents["K1"], ctx.flows["F1"])
            True
        """
        return (consent.obtained_on <= flow.start
                and not ctx.runs_after(flow, consent.withdrawn_on))
