from ..base import Example, evidence_form
from ..clauses import Article
from .common import ACT, ACT_JA, LawRule, notice_of
from .notice_terms import FIELDS, in_force, states  # noqa: F401  (AP241 reads them here)


class AP211(LawRule):
    """A joint-use notice does not give the responsible person's address or representative.

    The policy asks for the responsible person's name; the Act (Art.
    27(5)(iii)) also asks for the address and, for a company, its
    representative. The responsible person read is the one in force on some
    day the flow runs (the notice and the revisions effective by then), from
    2022-04-01 when it started earlier: the Act asked for these details from
    then (:func:`in_force`). One
    finding per missing detail, ``AP211:<flow>:address`` or
    ``AP211:<flow>:representative``. Only the notice the flow's joint-use
    route rests on is read; a flow with no such notice gets TP221 instead.

    Non-compliant: the notice names the responsible company only.
    Compliant: it gives its address and representative too.

    Example:
        >>> from lineage.rules import engine, examples
        >>> inv = examples.build_example(AP211.fail.inventory)
        >>> [f.id for f in engine.run(inv, packs=AP211.packs).findings]
        ['AP211:F1:address', 'AP211:F1:representative']
    """

    id = "AP211"
    clause = Article("27(5)(iii)")
    kind = "unannounced"
    route = "joint_use"
    title_en = "Joint-use notice without the responsible person's address or representative"
    title_ja = "責任者の住所・代表者を欠く共同利用の通知"
    when_ja = ("共同利用の通知に、管理について責任を有する者の住所又は(法人の場合)"
               "代表者の記載がない。責任者は、フローが続くいずれかの日(2022年4月1日より前に始まった"
               "フローは同日以後)に効力のあるもの(通知と、その日までに効力を生じた変更)を読み、欠けている事項ごとに指摘する。"
               "フローの共同利用の根拠となる通知だけを読み、そのような通知のないフローには TP221 "
               "が指摘される。")
    gloss = ("For joint use, the person must be told, in advance, the name, address and (for a "
             "company) representative of the person responsible for the jointly used data.")
    remedy_en = ("State the responsible person's address and, for a company, its "
                 "representative in the joint-use notice.")
    remedy_ja = "共同利用の通知・公表に管理責任者の住所及び法人の代表者の氏名を加えてください。"
    fail = Example("name only", """
notices:
  - {id: J1, kind: joint_use, published_on: 2024-12-01, members: [mc, group-co],
     items: [name], purposes: [shipping], responsible: {name: モノコラボ}}
flows:
  - {id: F1, from: mc, to: group-co, items: [name], purposes: [shipping], basis: joint_use,
     notice: J1,
     start: 2025-01-01}
""", ("AP211:F1:address", "AP211:F1:representative"))
    passing = Example("name, address and representative", """
notices:
  - {id: J1, kind: joint_use, published_on: 2024-12-01, members: [mc, group-co],
     items: [name], purposes: [shipping],
     responsible: {name: モノコラボ, address: 東京都千代田区, representative: 代表取締役 山田}}
flows:
  - {id: F1, from: mc, to: group-co, items: [name], purposes: [shipping], basis: joint_use,
     notice: J1,
     start: 2025-01-01}
""", ())

    @classmethod
    def check(cls, ctx, judged):
        """One finding per detail missing on a day the joint-use flow runs.

        Example:
            >>> from lineage.rules import context, engine, examples
            >>> ctx = context.Context(examples.build_example(AP211.passing.inventory))
            >>> judged = {f.id: engine.judge(ctx, f)[0] for f in ctx.inv.flows}
            >>> list(AP211.check(ctx, judged))
            []
        """
        # One notice's history and messages serve every flow under it (the findings
        # share the texts).
        # notice ID -> (history, {(field, day given or None): (message, message_ja)}, evidence)
        notices: dict = {}
        for flow in cls.flows(ctx, judged, ("joint_use",)):
            notice = notice_of(ctx, judged, flow)
            if notice is None or notice.kind != "joint_use":
                continue
            got = notices.get(notice.id)
            if got is None:
                got = notices[notice.id] = (states(notice), {},
                                            evidence_form({"notice": notice.id}))
            history, texts, evidence = got
            running = in_force(ctx, flow, history)
            for key, en, ja in FIELDS:
                if all(state[1][key] for state in running):
                    continue
                given = _given_on(running, key)
                # A flow that has ended is told in the past, with its last day.
                ended = (flow.end if given is None and flow.end is not None
                         and flow.end < ctx.as_of else None)
                text = texts.get((key, given, ended))
                if text is None:
                    text = texts[(key, given, ended)] = _missing_words(
                        notice.id, en, ja, given, ended)
                yield cls.finding_from(flow, key, (), evidence, *text)


def _given_on(running: list, key: str):
    """The day a detail missing from a state in force was given by a later one while
    the flow ran, or None when the last state still lacks it (revisions only add)."""
    if not running[-1][1][key]:
        return None
    first = next(n for n, state in enumerate(running) if not state[1][key])
    return next(state[0] for state in running[first:] if state[1][key])


def _missing_words(notice: str, en: str, ja: str, given, ended=None) -> tuple[str, str]:
    """AP211's message for a missing detail: in the past with the day it was given, or
    the last day of a flow that has ended.

    Example:
        >>> import datetime as dt
        >>> _missing_words("J1", "address", "住所", None, dt.date(2022, 4, 1))[0].split(": ")[1]
        "joint-use notice J1 did not give the responsible person's address while the flow ran (to 2022-04-01)"
    """
    head = f"{ACT} Art. 27(5)(iii): joint-use notice {notice}"
    head_ja = f"{ACT_JA}第27条第5項第3号: 共同利用の通知 {notice} に管理責任者の{ja}"
    if given is None and ended is not None:
        return (f"{head} did not give the responsible person's {en} while the flow ran "
                f"(to {ended})", f"{head_ja}がありませんでした(提供は {ended} まで)")
    if given is None:
        return f"{head} does not give the responsible person's {en}", f"{head_ja}がありません"
    return (f"{head} did not give the responsible person's {en} until {given}",
            f"{head_ja}が {given} までありませんでした")
