from ..base import Example, evidence_form
from ..clauses import Article
from .common import ACT, ACT_JA, LawRule, within_year
from ...model.tables import field_ja
from ...terms import role_label


class AP261(LawRule):
    """An outsourcee has no supervision recorded in the last 12 months (Art. 25).

    The Act asks the organisation to supervise its outsourcees. On every flow
    whose route is ``outsourcing`` (the route decides, not the party's role),
    one of the ``audits`` of the contracts with the recipient must fall within
    the 12 months (365 days, both ends included) up to the audit date:
    ``AP261:<flow>``. A flow that has ended is judged the same way (rules.md
    counts back from the audit date only): the outsourcee may still hold what
    it was given, and supervision is a duty of the present. A planned flow
    (starting after the audit date) counts back from its start, with the
    audits dated on or before it (rules.md, "How a flow is judged").

    Non-compliant: the carrier was last audited 366 days before the audit date.
    Compliant: audited 365 days before it.

    Example:
        >>> from lineage.rules import engine, examples
        >>> inv = examples.build_example(AP261.fail.inventory)
        >>> [f.id for f in engine.run(inv, packs=AP261.packs).findings]
        ['AP261:F1']
    """

    id = "AP261"
    clause = Article("25")
    kind = "contract"
    title_en = "Outsourcee not supervised within 12 months"
    title_ja = "12か月以内の監督がない委託"
    when_ja = ("経路が委託のフロー(当事者の役割でなく経路で判断する)で、"
               "提供先との委託契約の監督の実施日 (audits) のいずれもが基準日までの12か月(365日、"
               "両端を含む)以内にない。終了したフローも同じく判断し、"
               "基準日より後に開始する予定のフローは開始日までの12か月で判断する(開始日以前の監督だ"
               "けを数える)。")
    gloss = ("A business that outsources the handling of personal data must supervise the "
             "outsourcee necessarily and appropriately (read as an audit or report at least once "
             "in 12 months).")
    remedy_en = ("Audit the outsourcee or obtain its report at least yearly, and record the "
                 "date in the contract's audits.")
    remedy_ja = ("委託先の監査又は報告の受領を少なくとも年1回行い、委託契約の"
                 f"「{field_ja('contracts', 'audits')}」に日付を記録してください。")
    fail = Example("last audit 366 days before the audit date", """
contracts:
  - {id: K1, party: carrier, signed_on: 2024-01-01, no_leak: true, no_re_provision: true,
     audits: [2025-10-31]}
flows:
  - {id: F1, from: mc, to: carrier, items: [name], purposes: [shipping], start: 2025-01-01}
""", ("AP261:F1",))
    passing = Example("audit 365 days before the audit date", """
contracts:
  - {id: K1, party: carrier, signed_on: 2024-01-01, no_leak: true, no_re_provision: true,
     audits: [2025-11-01]}
flows:
  - {id: F1, from: mc, to: carrier, items: [name], purposes: [shipping], start: 2025-01-01}
""", ())

    @classmethod
    def check(cls, ctx, judged):
        """One finding per outsourcing flow without a recent supervision.

        Example:
            >>> from lineage.rules import context, engine, examples
            >>> ctx = context.Context(examples.build_example(AP261.passing.inventory))
            >>> judged = {f.id: engine.judge(ctx, f)[0] for f in ctx.inv.flows}
            >>> list(AP261.check(ctx, judged))
            []
        """
        # Many flows go to one outsourcee up to one day (the audit date; a planned
        # flow's start): the verdict and its messages depend on nothing else, so each
        # pair is worked out once.
        verdicts: dict = {}  # (outsourcee, day) -> None or (message, message_ja)
        evidences: dict = {}  # contract named -> evidence
        for flow in cls.flows(ctx, judged, ("outsourcing",)):
            until = ctx.horizon(flow)
            key = (flow.to, until)
            if key in verdicts:
                texts = verdicts[key]
            else:
                texts = verdicts[key] = _unsupervised(ctx, flow.to, until)
            if texts is None:
                continue
            contract = judged[flow.id].evidence.get("contract")
            # One evidence per contract named, shared by the findings as the texts are.
            key = tuple(contract) if isinstance(contract, list) else contract
            evidence = evidences.get(key)
            if evidence is None:
                evidence = evidences[key] = evidence_form({"contract": contract})
            yield cls.finding_from(flow, None, (), evidence, texts[0], texts[1])


def _unsupervised(ctx, party, until) -> tuple[str, str] | None:
    """The messages for outsourcing flows to ``party`` on the audit date ``until``,
    or None when an audit falls within the 12 months up to it."""
    audits = _audits(ctx, party)
    if any(within_year(d, until) for d in audits):
        return None
    last = max((d for d in audits if d <= until), default=None)
    # The route decides, not the role (rules.md): a recipient of another role reached by
    # outsourcing (a contract with the organisation) is not called an outsourcee.
    role = ctx.role(party)
    if role == "outsourcee":
        who, who_ja = f"outsourcee {party}", f"委託先 {party} "
    else:
        who = f"{party} (role {role}), entrusted with the data by outsourcing,"
        # the role in the reader's words: the trial of round 15 read "役割 third_party"
        who_ja = f"委託により取扱いを任された {party}（役割: {role_label(role, 'ja')}）"
    if last is None:  # none at all, or only after the audit date
        return (f"{ACT} Art. 25: {who} has no supervision recorded up to {until}",
                f"{ACT_JA}第25条: {who_ja}の監督の記録が {until} までにありません")
    return (f"{ACT} Art. 25: {who} was supervised last on {last}, not within "
            f"the 12 months up to {until}",
            f"{ACT_JA}第25条: {who_ja}の監督が {until} までの12か月以内にありません(最後の監督は {last})")


def _audits(ctx, party) -> list:
    """The dates ``party`` was audited under any of its contracts, in order (once per
    legal entity, whose parties share its contracts: many outsourcing flows go to one
    outsourcee, and a company may have thousands of branches)."""
    key = ("AP261", ctx.entity(party))
    got = ctx.memo.get(key)
    if got is None:
        got = ctx.memo[key] = sorted(d for c in ctx.contracts_by_party.get(party, ())
                                     for d in c.audits)
    return got
