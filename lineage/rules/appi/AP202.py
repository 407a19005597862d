from dataclasses import dataclass

from ..base import Example
from ..clauses import Article
from ...propagation import item_index, propagate
from .common import ACT, ACT_JA, LawRule


@dataclass(frozen=True)
class _Edge:
    """A flow seen between legal entities (what lineage follows, as for TP203)."""

    id: str
    frm: str
    to: str
    items: tuple
    start: object
    end: object


class AP202(LawRule):
    """Opt-out provision of data the Act excludes from opt-out (Art. 27(2) proviso).

    An opt-out flow may not carry: a ``sensitive`` item (要配慮個人情報); an
    item that reached the provider by another business's opt-out provision
    (lineage: along any path between legal entities, from a flow with basis
    ``opt_out`` sent by another legal entity, arriving on or before the last
    day the opt-out flow runs; the finding names the path); or data acquired
    improperly (the opt-out flow, or a flow that brought the item to the
    provider's legal entity by then, is marked ``improperly_acquired``). One
    finding per item, ``AP202:<flow>:<item>``, naming every reason.

    Non-compliant: dental records (sensitive) sold by opt-out.
    Compliant: names sold by a complete opt-out notice.

    Example:
        >>> from lineage.rules import engine, examples
        >>> inv = examples.build_example(AP202.fail.inventory)
        >>> [f.id for f in engine.run(inv, packs=AP202.packs).findings]
        ['AP202:F1:dental']
    """

    id = "AP202"
    clause = Article("27(2) proviso")
    kind = "no-consent"
    route = "opt_out"
    title_en = "Opt-out provision of data the Act excludes from opt-out"
    title_ja = "オプトアウトによる提供が認められない個人データの提供"
    when_ja = ("オプトアウトによる提供のフローが、要配慮個人情報の項目、"
               "他の事業者のオプトアウトによる提供で提供元に届いた項目(法人をたどるいずれかの経路で"
               "、そのフローの最終日までに届いたもの)、又は不正に取得されたデータ(そのフロー自体か、"
               "項目を提供元の法人にもたらしたフローに不正な取得 (improperly_acquired) "
               "の記録があるもの)を運んでいる。項目ごとに指摘し、該当する理由をすべて示す。")
    gloss = ("Opt-out is not available for sensitive personal information, for data the provider "
             "itself received by another business's opt-out, or for data acquired improperly: "
             "these need the person's prior consent.")
    remedy_en = ("Stop providing these items by opt-out: obtain the person's prior consent "
                 "(sensitive data, data received by another's opt-out, improperly acquired data).")
    remedy_ja = ("要配慮個人情報、他者からオプトアウトにより取得したデータ、不正に取得したデータは"
                 "オプトアウトで提供できません。本人の同意を得るか、提供を停止してください。")
    fail = Example("sensitive item by opt-out", """
data_items:
  - {id: dental, name: 歯科診療記録, kind: sensitive}
notices:
  - {id: N1, kind: opt_out, published_on: 2024-12-01, provision_in_purpose: true,
     items: [name, dental], methods: [sftp], stop_on_request: true,
     provider: {name: モノコラボ, address: 東京都千代田区, representative: 代表取締役 山田},
     acquisition_method: 会員登録フォーム, request_method: Webフォーム,
     update_method: 毎月更新, start_on: 2025-01-01, ppc_filed_on: 2024-12-01}
flows:
  - {id: C2, from: customers, to: mc, items: [dental], start: 2024-01-01}
  - {id: F1, from: mc, to: partner, items: [dental], basis: opt_out, method: sftp,
     start: 2025-01-01, recorded: true}
""", ("AP202:F1:dental",))
    passing = Example("personal items by opt-out", """
notices:
  - {id: N1, kind: opt_out, published_on: 2024-12-01, provision_in_purpose: true,
     items: [name], methods: [sftp], stop_on_request: true,
     provider: {name: モノコラボ, address: 東京都千代田区, representative: 代表取締役 山田},
     acquisition_method: 会員登録フォーム, request_method: Webフォーム,
     update_method: 毎月更新, start_on: 2025-01-01, ppc_filed_on: 2024-12-01}
flows:
  - {id: F1, from: mc, to: partner, items: [name], basis: opt_out, method: sftp,
     start: 2025-01-01, recorded: true}
""", ())

    @classmethod
    def check(cls, ctx, judged):
        """One finding per item an opt-out flow may not carry.

        Example:
            >>> from lineage.rules import context, engine, examples
            >>> ctx = context.Context(examples.build_example(AP202.fail.inventory))
            >>> judged = {f.id: engine.judge(ctx, f)[0] for f in ctx.inv.flows}
            >>> [f.message for f in AP202.check(ctx, judged)][0][:67]
            'APPI Art. 27(2) proviso: item dental may not be provided to partner'
        """
        optout = [f for f in cls.flows(ctx, judged, ("opt_out",))]
        if not optout:
            return
        graph: list = []  # (edges, index, by_id), built only if some item needs it
        reaches: dict = {}
        for flow in optout:
            provider = ctx.entity(flow.frm)
            last = ctx.recorded_last_day(flow)
            if provider not in reaches:
                reaches[provider] = _opt_out_reach(ctx, provider, graph)
            reach, first = reaches[provider]
            # To data subjects, only the items that are not their own are provided
            # (rules.md step 2; the audit of round 14: their own record was reported).
            provided = ctx.provision(flow)
            bad = _improper(ctx, provided, provider, last)
            for item in provided.items:
                why, why_ja, path = [], [], None
                if ctx.item_kind(item) == "sensitive":
                    why.append("it is sensitive (要配慮個人情報)")
                    why_ja.append("要配慮個人情報です")
                since = reach.items_at(provider).get(item) if reach else None
                if since is not None and since <= last:
                    seed = reach.origin(provider, item)
                    path = [first[(seed, item)].id] + reach.path(provider, item) + [flow.id]
                    why.append(f"it reached {flow.frm} by another business's opt-out "
                               f"(path {' > '.join(path)})")
                    why_ja.append(f"他の事業者からオプトアウトにより取得したものです(経路 {' > '.join(path)})")
                if item in bad:
                    why.append(f"it was acquired improperly ({bad[item]})")
                    why_ja.append(f"不正に取得されたものです({bad[item]})")
                if not why:
                    continue
                evidence = {"notice": judged[flow.id].evidence.get("notice"), "path": path}
                yield cls.finding(
                    flow, subject=item, items=[item], evidence=evidence,
                    message=f"{ACT} Art. 27(2) proviso: item {item} may not be provided to "
                            f"{flow.to} by opt-out: {'; '.join(why)}",
                    message_ja=f"{ACT_JA}第27条第2項ただし書: 項目 {item} はオプトアウトにより "
                               f"{flow.to} に提供できません: {'、'.join(why_ja)}")


def _entity_graph(ctx, graph: list) -> tuple:
    """Flows between legal entities as edges, their item index and edges by ID;
    built once, on first use (``graph`` keeps it)."""
    if not graph:
        edges = [_Edge(f.id, ctx.entity(f.frm), ctx.entity(f.to), tuple(f.items), f.start,
                       f.end)
                 for f in ctx.inv.flows if ctx.entity(f.frm) != ctx.entity(f.to)]
        graph.extend((edges, item_index(edges), {e.id: e for e in edges}))
    return tuple(graph)


def _opt_out_reach(ctx, provider, graph):
    """Where items received by other businesses' opt-out travel, between legal entities.

    Seeds are the recipients of flows with basis ``opt_out`` sent by a legal
    entity other than ``provider``; ``first`` maps (seed, item) to the earliest
    such flow, the head of every path.
    """
    seeds: dict = {}
    first: dict = {}
    # Filtered before sorting: the same order, without sorting every flow.
    for f in sorted((f for f in ctx.inv.flows if f.basis == "opt_out"),
                    key=lambda f: (f.start, f.id)):
        if ctx.entity(f.frm) == provider:
            continue
        to = ctx.entity(f.to)
        if to == ctx.entity(f.frm):
            continue
        held = seeds.setdefault(to, {})
        for item in f.items:
            if item not in held:
                held[item] = f.start
                first[(to, item)] = f
    if not seeds:
        return None, first
    edges, index, by_id = _entity_graph(ctx, graph)
    return propagate(edges, seeds, index=index, flows_by_id=by_id), first


def _improper(ctx, flow, provider, last) -> dict:
    """Items of ``flow`` marked as improperly acquired, with the flow that says so."""
    out = {}
    if flow.improperly_acquired:
        out = {item: flow.id for item in flow.items}
    for inflow in _improper_inflows(ctx, provider, flow.frm):
        if inflow.start <= last:
            for item in inflow.items:
                if item in flow.items:
                    out.setdefault(item, inflow.id)
    return out


def _improper_inflows(ctx, provider, party) -> list:
    """The flows marked ``improperly_acquired`` into ``provider``'s parties, in the
    order :func:`_improper` reads them; once per provider (every opt-out flow of a
    provider would otherwise walk all its inflows, most of them proper)."""
    members = ctx.parties_by_entity.get(provider)
    key = ("AP202", provider) if members is not None else ("AP202", provider, party)
    got = ctx.memo.get(key)
    if got is None:
        got = ctx.memo[key] = [inflow for member in (members or [party])
                               for inflow in ctx.inbound.get(member, ())
                               if inflow.improperly_acquired]
    return got
