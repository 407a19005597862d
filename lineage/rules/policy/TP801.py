from ..base import Example, Rule
from ..clauses import Clause


class TP801(Rule):
    """Cookie or IP data travel with personal data to a third party with no route.

    Section 8: linkable items (cookie IDs, IP addresses) used together with
    personal information are personal information. A flow that carries them
    with personal items, or says ``combined: true``, and has no route gets
    TP801 instead of TP101, naming the linkable items.

    Non-compliant: cookie IDs sent with e-mail addresses to an ad partner.
    Compliant: cookie IDs alone (not combined) are not personal information.

    Example:
        >>> from lineage.rules import engine, examples
        >>> [f.id for f in engine.run(examples.build_example(TP801.fail.inventory)).findings]
        ['TP801:F1']
    """

    id = "TP801"
    clause = Clause("8")
    kind = "no-consent"
    title_en = "Cookie or IP data combined with personal data, provided without a route"
    title_ja = "個人情報と一体となったクッキー・IP アドレス情報の無断提供"
    when_ja = ("クッキー・IP アドレス情報が個人の項目と一緒に(又はフローに個人情報と併用 (combined) "
               "が記録されて)、根拠のないまま第三者に提供されている。条項 8 "
               "により個人情報となるため、TP101 の代わりにこの指摘を出し、クッキー・IP "
               "アドレス情報の項目を示す(根拠を宣言したフローでは、"
               "これらの項目は個人情報として数える)。")
    remedy_en = ("Treat the combined data as personal information: obtain consent or "
                 "another route, or stop sending the linkable items with personal data.")
    remedy_ja = "個人情報とみなして同意等の根拠を整えるか、個人情報と一体での提供を停止してください。"
    fail = Example("cookie with e-mail", """
flows:
  - {id: F1, from: mc, to: partner, items: [cookie, email], purposes: [ads],
     start: 2025-01-01}
""", ("TP801:F1",))
    passing = Example("cookie alone", """
flows:
  - {id: F1, from: mc, to: partner, items: [cookie], purposes: [ads], start: 2025-01-01}
""", ())

    @classmethod
    def applies(cls, ctx, flow) -> bool:
        """Whether a flow without a route gets TP801 rather than TP101.

        Example:
            >>> from lineage.rules import context, examples
            >>> bad = context.Context(examples.build_example(TP801.fail.inventory))
            >>> ok = context.Context(examples.build_example(TP801.passing.inventory))
            >>> TP801.applies(bad, bad.flows["F1"]), TP801.applies(ok, ok.flows["F1"])
            (True, False)
        """
        return bool(ctx.linkable(flow)) and (bool(ctx.personal(flow)) or flow.combined)
