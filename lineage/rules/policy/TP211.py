from ..base import Example, Rule
from ..clauses import Clause
from ...model.tables import sheet_ja


class TP211(Rule):
    """Basis ``succession`` without a succession event in which the recipient succeeds the provider.

    Parties are compared by legal entity. The event's date does not matter: a
    disclosure before it (due diligence) is part of the succession.

    Non-compliant: a "succession" flow with no merger, split or transfer.
    Compliant: a business transfer to the recipient, even dated after the flow.

    Example:
        >>> from lineage.rules import engine, examples
        >>> [f.id for f in engine.run(examples.build_example(TP211.fail.inventory)).findings]
        ['TP211:F1']
    """

    id = "TP211"
    clause = Clause("5[2]2")
    kind = "no-exemption"
    route = "succession"
    title_en = "Succession without a succession event"
    title_ja = "事業承継の事実がない承継による提供"
    when_ja = ("根拠が事業承継なのに、提供先が提供元を承継する事業の承継(合併・会社分割・事業譲渡)"
               "の事実がない。当事者は法人単位で比べ、承継の日付は問わない(承継前の開示、"
               "例えばデューデリジェンスも承継の一部とする)。")
    remedy_en = "Record the merger, split or business transfer (events), or use another basis."
    remedy_ja = f"合併・会社分割・事業譲渡の事実を「{sheet_ja('events')}」に記録するか、別の根拠によってください。"
    fail = Example("no event", """
flows:
  - {id: F1, from: mc, to: partner, items: [name], basis: succession, start: 2025-01-01}
""", ("TP211:F1",))
    passing = Example("transfer after due diligence", """
events:
  - {id: E1, kind: transfer, date: 2025-04-01, from: mc, to: partner}
flows:
  - {id: F1, from: mc, to: partner, items: [name], basis: succession, start: 2025-01-01}
""", ())

    @classmethod
    def condition(cls, ctx, flow):
        """The finding for a succession flow without a matching succession event, or ``[]``.

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP211.fail.inventory))
            >>> [f.id for f in TP211.condition(ctx, ctx.flows["F1"])]
            ['TP211:F1']
        """
        pair = (ctx.entity(flow.frm), ctx.entity(flow.to))
        events = ([ctx.events[flow.event]] if flow.event is not None
                  else ctx.events_by_pair.get(pair, []))
        if any((ctx.entity(e.frm), ctx.entity(e.to)) == pair for e in events):
            return []
        if flow.event is not None:
            # the event named is checked as named, and said to be the wrong one: "no
            # succession event" was false when another event was one (the audit of round 14)
            named = events[0]
            other = next((e.id for e in ctx.events_by_pair.get(pair, [])), None)
            also = f"; {other} is one" if other else ""
            also_ja = f"（{other} は該当します）" if other else ""
            return [cls.finding(
                flow, evidence={"event": flow.event},
                message=f"the event the flow names, {named.id}, is not one in which "
                        f"{flow.to} succeeds {flow.frm} (in it {named.to} succeeds "
                        f"{named.frm}){also}",
                message_ja=f"フローが示す事業の承継 {named.id} は {flow.to} が {flow.frm} を"
                           f"承継するものではありません（{named.to} が {named.frm} を承継）"
                           f"{also_ja}")]
        return [cls.finding(flow, evidence={"event": flow.event},
                            message=f"no succession event in which {flow.to} succeeds "
                                    f"{flow.frm}",
                            message_ja=f"{flow.to} が {flow.frm} の事業を承継する事実がありません: "
                                       f"{sheet_ja('events')}")]

    @classmethod
    def event_for(cls, ctx, flow):
        """The event that makes the flow a succession, if any.

        Example:
            >>> from lineage.rules import context, examples
            >>> ctx = context.Context(examples.build_example(TP211.passing.inventory))
            >>> TP211.event_for(ctx, ctx.flows["F1"])
            'E1'
        """
        pair = (ctx.entity(flow.frm), ctx.entity(flow.to))
        events = ([ctx.events[flow.event]] if flow.event is not None
                  else ctx.events_by_pair.get(pair, []))
        return next((e.id for e in events if (ctx.entity(e.frm), ctx.entity(e.to)) == pair),
                    None)
