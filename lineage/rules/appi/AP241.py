from ..base import Example
from ..clauses import Article
from .notice_terms import responsible_given
from .common import ACT, ACT_JA, LawRule, exemption
from ...model.tables import field_ja


def _not_provided(ctx, flow) -> bool:
    """Whether ``flow`` comes in on a route the Act asks no confirmation for (Art.
    30(1) proviso), holding as the organisation's own flows are judged: a 27(1)
    exemption (:func:`~.common.exemption`), a succession with its event
    recorded, or joint use under a notice naming both ends with every item and
    purpose. The basis the flow declares is the one tried; declaring none,
    each of them is. A joint-use notice must also meet the Act: published
    strictly before the start, giving the responsible person's address and
    representative on the days the flow runs (AP211's :func:`~.AP211.in_force`)."""
    from ..routes import holding  # (the routes import the rules: not at import time)
    if exemption(ctx, flow) is not None:
        return True
    basis = flow.basis
    if basis is None or basis == "succession":
        if holding(ctx, flow, "succession") is not None:
            return True
    if basis is not None and basis != "joint_use":
        return False
    if holding(ctx, flow, "joint_use") is None:
        return False
    # The notice the route's search found may meet the policy only, while another
    # meets the Act too (the audit of round 13: an older notice without the
    # address made a lawful inflow AP241): any joint-use notice will do, unless
    # the flow names its own.
    if flow.notice is not None:
        return _meets_act(ctx, flow, ctx.notices.get(flow.notice))
    items = set(flow.items)
    for notice in ctx.joint_notices:
        # a notice not listing the items cannot hold: passed over before the route is
        # evaluated (the review of round 13: every notice was tried for every inflow)
        if (notice.items and items.issubset(notice.items) and _meets_act(ctx, flow, notice)
                and holding(ctx, flow.model_copy(update={"notice": notice.id}),
                            "joint_use") is not None):
            return True
    return False


def _meets_act(ctx, flow, notice) -> bool:
    """Whether a joint-use ``notice`` meets the Act for ``flow``: published strictly
    before its start, giving the responsible person's address and representative
    on the days the flow runs."""
    return notice is not None and notice.published_on is not None \
        and _shortfall(ctx, flow, notice) is None


def _shortfall(ctx, flow, notice) -> tuple[str, str] | None:
    """Why a joint-use ``notice`` (published) fails the Act for ``flow``, in English and
    Japanese; None when it meets it (:func:`_meets_act`)."""
    published = notice.published_on
    if published is not None and published >= flow.start:
        return (f"{notice.id} was published on {published.isoformat()}, not before the "
                f"flow started on {flow.start.isoformat()}",
                f"{notice.id} の公表日（{published.isoformat()}）が開始日"
                f"（{flow.start.isoformat()}）より前ではありません")
    if not responsible_given(ctx, flow, notice):
        return (f"{notice.id} does not give the responsible person's address and "
                "representative while the flow runs",
                f"{notice.id} にフローの期間中の責任者の住所と代表者の記載がありません")
    return None


class AP241(LawRule):
    """Data received from another business without confirming its source (Art. 30).

    A flow into the organisation from another business (not a data subject,
    not a party of the organisation's legal entity) needs a record that the
    provider's identity and how it acquired the data were confirmed
    (``confirmed_acquisition``): ``AP241:<flow>``. Not reported on flows that
    are no provision (``storage_only``, or linkable items alone), nor on flows
    from a party (or its legal entity) holding a contract with the
    organisation: an outsourcee returning entrusted data does not provide them.
    Nor from a public body (not a business), nor on an inflow on a route the
    Act asks no confirmation for (Art. 30(1) proviso: a 27(1) exemption, a
    succession, joint use) when that route holds as the organisation's own
    flows are judged: the declared basis (declaring none, any of them) with its
    evidence recorded (a law cited, an academic party at one end, a succession
    event), or a joint-use notice naming the sender and the organisation with
    every item and purpose, published before the start and giving the
    responsible person's address and representative on the days the flow runs
    (AP211). A declared ``basis`` without its evidence is the sender's word: a
    list bought as "joint use" still needs the record.

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
               "、公的機関からのフロー、法が確認を求めない根拠(法第27条第1項の例外、事業の承継、"
               "共同利用。根拠を宣言しないフローはそのいずれか)が記録によって成り立つフロー(例外の理由の"
               "記載、一方の端の学術研究機関等、承継の事実、提供元と組織を共同して利用する者とし"
               "項目・利用目的を含み開始日より前に公表され、フローが続く日に責任者の住所と代表者"
               "を記載した共同利用の通知・公表)には指摘しない。記録のない根拠の宣言だけでは"
               "提供元の言い分にすぎず、記録が必要である。")
    gloss = ("A recipient of personal data from a third party must confirm the provider's identity "
             "and how it acquired the data, and keep a record.")
    remedy_en = ("Confirm the provider's name, address and representative and how it "
                 "acquired the data, keep the record, and set confirmed_acquisition: true.")
    remedy_ja = ("提供者の氏名・住所・代表者及び取得の経緯を確認して記録し、フローの"
                 f"「{field_ja('flows', 'confirmed_acquisition')}」を true（表では TRUE か ○）としてください。")
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
            if _not_provided(ctx, flow):
                continue
            why = _joint_use_shortfall(ctx, flow)
            yield cls.finding(
                flow, evidence={"notice": why[0]} if why else None,
                message=f"{ACT} Art. 30: data received from {flow.frm} with no record that the "
                        f"provider and how it acquired the data were confirmed"
                        + (f" ({why[1]})" if why else ""),
                message_ja=f"{ACT_JA}第30条: {flow.frm} からの受領について、提供者及び取得の経緯の確認の記録がありません"
                           + (f"（{why[2]}）" if why else ""))


def _joint_use_shortfall(ctx, flow):
    """Why joint use, on which the policy rests the inflow, does not spare it the
    confirmation under the Act: ``(notice, English, Japanese)``, or None when the
    joint-use route does not hold for it at all. The trial of round 14: an officer
    told only "no record" could not see that the notice was the reason.

    Example:
        >>> from lineage.rules import context, examples
        >>> ctx = context.Context(examples.build_example(
        ...     "{notices: [{id: J1, kind: joint_use, published_on: 2025-01-01, items: [name], "
        ...     "purposes: [shipping], members: [mc, partner], responsible: {name: モノコラボ, "
        ...     "address: 東京都, representative: 山田}}], flows: [{id: F1, from: partner, to: mc, "
        ...     "items: [name], purposes: [shipping], start: 2025-01-01}]}"))
        >>> _joint_use_shortfall(ctx, ctx.flows["F1"])[1]
        'joint use under notice J1 does not exempt it: J1 was published on 2025-01-01, not before the flow started on 2025-01-01'
    """
    from ..routes import holding  # (the routes import the rules: not at import time)
    if flow.basis not in (None, "joint_use"):
        return None
    evidence = holding(ctx, flow, "joint_use")
    notice = ctx.notices.get((evidence or {}).get("notice") or "")
    if notice is None:
        return None
    why = _shortfall(ctx, flow, notice)
    if why is None:
        return None
    return (notice.id, f"joint use under notice {notice.id} does not exempt it: {why[0]}",
            f"共同利用の通知・公表 {notice.id} では確認が不要になりません。{why[1]}")
