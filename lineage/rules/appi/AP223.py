from ..base import Example
from ..clauses import Article
from .common import ACT, ACT_JA, LawRule, within_year
from .foreign import abroad, basis, foreign
from ...model.tables import field_ja


class AP223(LawRule):
    """A foreign recipient's equivalent system was not checked in the last 12 months.

    A flow to a recipient outside Japan and the EU/EEA/UK that relies on the
    recipient's equivalent system (the party has ``equivalent_system``, and
    the route is no 27(1) exemption) needs the provider to check it
    periodically (Art. 28(3)): ``equivalent_system`` must fall on a day within
    the 12 months (365 days) up to the audit date, both ends included; a date
    after the audit date does not count. A planned flow (starting after the
    audit date) is judged as planned, with the evidence dated on or before its
    start (rules.md), as AP261 judges it: a check within the 12 months up to
    its start counts. ``AP223:<flow>``; such a flow never gets AP222 or AP221.

    Non-compliant: last checked more than a year before the audit date.
    Compliant: checked 365 days before it.

    Example:
        >>> from lineage.rules import engine, examples
        >>> inv = examples.build_example(AP223.fail.inventory)
        >>> [f.id for f in engine.run(inv, packs=AP223.packs).findings]
        ['AP223:F1']
    """

    id = "AP223"
    clause = Article("28(3)")
    kind = "no-exemption"
    title_en = "Foreign recipient's equivalent system not checked within 12 months"
    title_ja = "外国にある第三者の体制の定期的な確認がない提供"
    when_ja = ("外国(日本・欧州経済領域・英国以外)にある提供先の相当措置に依拠するフロー(提供先に相"
               "当措置の確認日 (equivalent_system) があり、経路が法第27条第1項の例外でないもの)で、"
               "その確認日が基準日までの12か月(365日、両端を含む)以内にない。"
               "基準日より後の確認日は数えず、基準日より後に開始する予定のフローは開始日までの12か月"
               "以内の確認で足りる。このフローには AP222・AP221 は指摘しない。")
    gloss = ("A provider relying on a foreign recipient's equivalent system must check its "
             "implementation periodically (read as at least once in 12 months) and be ready to "
             "inform the person.")
    remedy_en = ("Check the recipient's safeguards and the foreign system at least yearly, "
                 "and record the date in equivalent_system.")
    remedy_ja = ("提供先の体制の整備状況と外国の制度を少なくとも年1回確認し、当事者の"
                 f"「{field_ja('parties', 'equivalent_system')}」に確認日を記録してください。")
    fail = Example("last checked 366 days before the audit date", """
parties:
  - {id: callcenter, name: コールセンター, role: outsourcee, country: PH,
     equivalent_system: 2025-10-31}
contracts:
  - {id: K1, party: callcenter, signed_on: 2024-01-01, no_leak: true, no_re_provision: true,
     audits: [2026-06-01]}
flows:
  - {id: F1, from: mc, to: callcenter, items: [name], purposes: [shipping],
     basis: outsourcing, start: 2025-01-01}
""", ("AP223:F1",))
    passing = Example("checked 365 days before the audit date", """
parties:
  - {id: callcenter, name: コールセンター, role: outsourcee, country: PH,
     equivalent_system: 2025-11-01}
contracts:
  - {id: K1, party: callcenter, signed_on: 2024-01-01, no_leak: true, no_re_provision: true,
     audits: [2026-06-01]}
flows:
  - {id: F1, from: mc, to: callcenter, items: [name], purposes: [shipping],
     basis: outsourcing, start: 2025-01-01}
""", ())

    @classmethod
    def check(cls, ctx, judged):
        """One finding per flow relying on an equivalent system checked too long ago.

        Example:
            >>> from lineage.rules import context, engine, examples
            >>> ctx = context.Context(examples.build_example(AP223.passing.inventory))
            >>> judged = {f.id: engine.judge(ctx, f)[0] for f in ctx.inv.flows}
            >>> list(AP223.check(ctx, judged))
            []
        """
        far = abroad(ctx)
        for flow in cls.flows(ctx, judged):
            if flow.to not in far or basis(ctx, judged, flow) != "equivalent_system":
                continue
            checked = ctx.parties[flow.to].equivalent_system
            until = ctx.horizon(flow)  # the audit date, or a planned flow's start
            if within_year(checked, until):
                continue
            country = foreign(ctx, flow.to)
            day, day_ja = ((f"{until}", f"基準日 {until}") if until == ctx.as_of
                           else (f"the flow's start {until}", f"フローの開始日 {until}"))
            yield cls.finding(
                flow, evidence={"country": country, "equivalent_system": checked.isoformat()},
                message=f"{ACT} Art. 28(3): the equivalent system of {flow.to} ({country}) was "
                        f"last checked {checked}, not within the 12 months up to {day}",
                message_ja=f"{ACT_JA}第28条第3項: {flow.to}({country})の基準適合体制の確認日 {checked} が"
                           f"{day_ja} までの12か月以内ではありません")
