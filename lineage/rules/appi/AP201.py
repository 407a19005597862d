from ..base import Example, evidence_form
from ..clauses import Article
from .common import ACT, ACT_JA, LawRule, notice_of
from .notice_terms import opt_out_lacks



class AP201(LawRule):
    """An opt-out notice lacks what the Act requires beyond the policy's four elements.

    The policy asks an opt-out notice for four things (purpose, items, method,
    stop on request); the Act asks for more: the provider's name, address and
    representative, how the data was acquired, how stop requests are accepted,
    how the data is updated, and the planned start date; and the notice must
    be filed with the Personal Information Protection Commission before the
    flow starts (``ppc_filed_on`` strictly before ``start``). One finding per
    missing element, ``AP201:<flow>:<element>`` (``provider`` once when the
    notice names no provider at all; ``ppc_filed_on`` for a missing or late
    filing). Only the notice the flow's route rests on is read; a flow with no
    notice gets TP121 instead.

    Non-compliant: a notice that satisfies the policy but names no provider
    and was never filed.
    Compliant: the same notice with every element and a filing the day before.

    Example:
        >>> from lineage.rules import engine, examples
        >>> inv = examples.build_example(AP201.fail.inventory)
        >>> [f.id for f in engine.run(inv, packs=AP201.packs).findings][:3]
        ['AP201:F1:acquisition_method', 'AP201:F1:ppc_filed_on', 'AP201:F1:provider']
    """

    id = "AP201"
    clause = Article("27(2)")
    kind = "unannounced"
    route = "opt_out"
    title_en = "Opt-out notice lacks an element the Act requires"
    title_ja = "法の定める事項を欠くオプトアウトの通知・届出"
    when_ja = ("オプトアウトの通知に、方針の定める4つの事項に加えて法が求める事項(提供者の氏名・住所"
               "・代表者、取得の方法、停止の求めを受け付ける方法、更新の方法、提供開始予定日)"
               "が欠けているか、個人情報保護委員会への届出日 (ppc_filed_on) がないかフローの開始日 "
               "(start) より前でない。欠けている事項ごとに指摘する。"
               "フローの根拠となる通知だけを読み、通知のないフローには TP121 が指摘される。")
    gloss = ("An opt-out provision must be preceded by notifying the person, or making easily "
             "knowable, the matters the Act lists (the policy's four plus the provider's name, "
             "address and representative, how the data was acquired, how stop requests are "
             "accepted, how the data is updated, the planned start), and by a filing with the "
             "Personal Information Protection Commission.")
    remedy_en = ("Add the provider's name, address and representative, the acquisition, "
                 "request and update methods and the start date to the opt-out notice, and "
                 "file it with the Commission before provision starts.")
    remedy_ja = ("オプトアウトの通知に提供者の氏名・住所・代表者、取得の方法、停止の求めを受け付ける方法、"
                 "更新の方法、提供開始予定日を加え、提供開始前に個人情報保護委員会へ届け出てください。")
    fail = Example("a policy-complete notice with nothing the Act adds", """
notices:
  - {id: N1, kind: opt_out, published_on: 2024-12-01, provision_in_purpose: true,
     items: [name], methods: [sftp], stop_on_request: true}
flows:
  - {id: F1, from: mc, to: partner, items: [name], basis: opt_out, notice: N1, method: sftp,
     start: 2025-01-01, recorded: true}
""", ("AP201:F1:acquisition_method", "AP201:F1:ppc_filed_on", "AP201:F1:provider",
      "AP201:F1:request_method", "AP201:F1:start_on", "AP201:F1:update_method"))
    passing = Example("every element, filed the day before", """
notices:
  - {id: N1, kind: opt_out, published_on: 2024-12-01, provision_in_purpose: true,
     items: [name], methods: [sftp], stop_on_request: true,
     provider: {name: モノコラボ, address: 東京都千代田区, representative: 代表取締役 山田},
     acquisition_method: 会員登録フォーム, request_method: Webフォーム,
     update_method: 毎月更新, start_on: 2025-01-01, ppc_filed_on: 2024-12-31}
flows:
  - {id: F1, from: mc, to: partner, items: [name], basis: opt_out, notice: N1, method: sftp,
     start: 2025-01-01, recorded: true}
""", ())

    @classmethod
    def check(cls, ctx, judged):
        """One finding per element the opt-out notice lacks, and for a late filing.

        Example:
            >>> from lineage.rules import context, engine, examples
            >>> ctx = context.Context(examples.build_example(AP201.passing.inventory))
            >>> judged = {f.id: engine.judge(ctx, f)[0] for f in ctx.inv.flows}
            >>> list(AP201.check(ctx, judged))
            []
        """
        # Many flows rest on one notice: its lacks and their messages are worked out
        # once and the findings share the texts.
        lacks: dict = {}  # notice ID -> [(element, message, message_ja)]
        late: dict = {}  # (notice ID, start) -> (message, message_ja)
        evidences: dict = {}  # notice ID -> evidence
        for flow in cls.flows(ctx, judged, ("opt_out",)):
            notice = notice_of(ctx, judged, flow)
            if notice is None:
                continue
            texts = lacks.get(notice.id)
            if texts is None:
                texts = lacks[notice.id] = [
                    (element,
                     f"{ACT} Art. 27(2): opt-out notice {notice.id} does not state {en}",
                     f"{ACT_JA}第27条第2項: オプトアウトの通知 {notice.id} に{ja}がありません")
                    for element, en, ja in cls.missing(notice)]
            # One evidence per notice, shared by its findings as the texts are.
            evidence = evidences.get(notice.id)
            if evidence is None:
                evidence = evidences[notice.id] = evidence_form({"notice": notice.id})
            for element, message, message_ja in texts:
                yield cls.finding_from(flow, element, (), evidence, message, message_ja)
            filed = notice.ppc_filed_on
            if filed is None or filed >= flow.start:
                got = late.get((notice.id, flow.start))
                if got is None:
                    when = f"was filed {filed}" if filed else "was never filed"
                    when_ja = (f"の個人情報保護委員会への届出（{filed}）が提供開始日 {flow.start} "
                               "より前ではありません" if filed else
                               f"は個人情報保護委員会に届け出られていません（提供開始日 {flow.start}）")
                    got = late[(notice.id, flow.start)] = (
                        f"{ACT} Art. 27(2): opt-out notice {notice.id} {when} with the "
                        f"Commission, not before the start {flow.start}",
                        f"{ACT_JA}第27条第2項: オプトアウトの通知 {notice.id} {when_ja}")
                yield cls.finding_from(flow, "ppc_filed_on", (), evidence, got[0], got[1])

    @staticmethod
    def missing(notice) -> list[tuple[str, str, str]]:
        """The Act's elements the notice lacks (``provider`` once if it names none).

        Example:
            >>> from lineage.model.schema import Notice
            >>> [m[0] for m in AP201.missing(Notice(id="N1", kind="opt_out",
            ...     provider={"name": "mc"}, acquisition_method="web", request_method="web",
            ...     update_method="monthly", start_on="2025-01-01"))]
            ['provider.address', 'provider.representative']
        """
        return opt_out_lacks(notice)
