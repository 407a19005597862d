from ..base import Example, evidence_form
from ..clauses import Article
from .common import ACT, ACT_JA, LawRule
from ...model.tables import field_ja


class AP231(LawRule):
    """A provision by consent or opt-out keeps no provision record (Art. 29).

    The Act asks the provider to record each provision to a third party. The
    rule looks at flows whose route is ``consent`` or ``opt_out`` and reports
    ``AP231:<flow>`` when ``recorded`` is absent or false. The policy says
    nothing about records, so such a flow can satisfy the policy and still
    break the Act.

    Non-compliant: customer names go to a partner by consent, with no record.
    Compliant: the same flow with ``recorded: true``.

    Example:
        >>> from lineage.rules import engine, examples
        >>> inv = examples.build_example(AP231.fail.inventory)
        >>> [f.id for f in engine.run(inv, packs=AP231.packs).findings]
        ['AP231:F1']
    """

    id = "AP231"
    clause = Article("29")
    kind = "record"
    title_en = "Provision to a third party without a provision record"
    title_ja = "第三者提供の記録がない提供"
    when_ja = ("経路が本人の同意又はオプトアウトの提供に、提供記録 (recorded) "
               "がない(未記入の場合を含む)。方針は記録について定めていないため、"
               "方針に適合するフローでも法に違反しうる。")
    gloss = ("A provider of personal data to a third party must keep a record of the provision "
             "(recipient, date, persons, items).")
    remedy_en = ("Keep a record of each provision (recipient, date, persons, items) as "
                 "Art. 29 of the Act requires, and set recorded: true.")
    remedy_ja = ("第三者提供の記録(提供先・提供日・本人・項目等)を作成・保存し、フローの"
                 f"「{field_ja('flows', 'recorded')}」を true（表では TRUE か ○）としてください。")
    fail = Example("consent provision without a record", """
consents:
  - {id: K1, subjects: customers, recipients: [partner], items: [name], purposes: [ads],
     obtained_on: 2024-12-01}
flows:
  - {id: F1, from: mc, to: partner, items: [name], purposes: [ads], start: 2025-01-01}
""", ("AP231:F1",))
    passing = Example("the provision is recorded", """
consents:
  - {id: K1, subjects: customers, recipients: [partner], items: [name], purposes: [ads],
     obtained_on: 2024-12-01}
flows:
  - {id: F1, from: mc, to: partner, items: [name], purposes: [ads], start: 2025-01-01,
     recorded: true}
""", ())

    @classmethod
    def check(cls, ctx, judged):
        """One finding per consent or opt-out provision without a record.

        Example:
            >>> from lineage.rules import context, engine, examples
            >>> ctx = context.Context(examples.build_example(AP231.fail.inventory))
            >>> judged = {f.id: engine.judge(ctx, f)[0] for f in ctx.inv.flows}
            >>> [f.id for f in AP231.check(ctx, judged)]
            ['AP231:F1']
        """
        # route -> recipient -> (message, message_ja), shared by the findings
        texts: dict = {"consent": {}, "opt_out": {}}
        forms: dict = {}  # id of an evidence mapping -> (it, its form)
        for flow in cls.flows(ctx, judged, ("consent", "opt_out")):
            if flow.recorded:
                continue
            judgement = judged[flow.id]
            route = judgement.route
            got = texts[route].get(flow.to)
            if got is None:
                got = texts[route][flow.to] = (
                    f"{ACT} Art. 29: no record is kept of the {route.replace('_', '-')} "
                    f"provision to {flow.to}",
                    f"{ACT_JA}第29条: {flow.to} への第三者提供の記録がありません")
            # Flows judged alike share one evidence mapping: its form is made once
            # (kept with it, so that its id is not another's while this runs).
            evidence = judgement.evidence
            form = forms.get(id(evidence))
            if form is None:
                form = forms[id(evidence)] = (evidence, evidence_form(evidence))
            yield cls.finding_from(flow, None, (), form[1], got[0], got[1])
