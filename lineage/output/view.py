"""One view of an audit result, the same for every report format.

:func:`build` gathers what a report shows (the audit, its flow map, and with a
snapshot store the trend and the changes since the previous snapshot) into a
:class:`Report`; its properties compute everything a format renders, once:
the counts (from :meth:`Audit.summary`, so the summary, the status tables and
the per-pack columns cannot disagree), display names beside IDs for parties,
items and purposes, findings grouped by flow and by kind with the citation of
the organisation's own policy (or the spec's restatement when the inventory
supplies none), each flow's status under each pack, and every fixed word in the
report's language (``LABELS``, from :mod:`lineage.terms` and the glossary).

The HTML page (:mod:`~lineage.output.report_html`) and the Markdown text
(:mod:`~lineage.output.report_markdown`) only lay this view out.

Example:
    >>> import lineage
    >>> rep = build(lineage.check("inventories/monocollabo"), lang="ja", drawing=False)
    >>> rep.counts["status"]["violation"], rep.party("carrier")
    (8, '株式会社ハヤテ運輸（配送業者） (carrier)')
    >>> [c.label for c in rep.findings[0].citations]
    ['方針5 [2] 第3号']
"""

from __future__ import annotations

import re

from dataclasses import dataclass, field
from functools import cached_property

from .. import __version__
from ..rules.base import KINDS
from ..rules.clauses import clause_label, quotes, restatement
from ..rules.packs import PACK_TITLES
from ..rules.registry import REGISTRY
from ..terms import KIND_LABELS, STATUSES, STATUS_WORDS, route_label
from ..terms import law_only as _law_only  # the Report has a law_only of its own
from .names import Names

__all__ = ["Report", "FindingView", "FlowView", "build", "LABELS", "PACK_LABELS", "status_by_pack_of",
           "EVIDENCE_WORDS", "PEOPLE_TOP"]

#: Rule packs by name, in the glossary's words (the law pack's own table).
PACK_LABELS = PACK_TITLES

LABELS = {
    "en": {"title": "Personal-data audit", "as_of": "as of", "rules": "rules",
           "tool": "tool", "inventory": "inventory", "summary": "Summary",
           "flows": "flows", "findings": "Findings", "drawing": "Flow map",
           "no_drawing": "The flow map is not included", "by_kind": "Findings by kind",
           "by_flow": "Findings by flow",
           "none": "No findings.", "flow_table": "Flows and their routes",
           "waivers": "Waivers", "no_waivers": "No waivers.", "trend": "Trend over snapshots",
           "changes": "Changes since the previous snapshot", "no_changes": "No changes.",
           "first": "This is the first audit in the store; there is nothing to compare.",
           "flow": "flow", "from_to": "from → to", "items": "items", "purposes": "purposes",
           "basis": "basis", "route": "route", "status": "status", "rule": "rule",
           "item": "item", "reason": "reason", "approved_by": "approved by",
           "expires_on": "expires", "state": "state", "remedy": "Remedy",
           "clause": "Clause", "policy_text": "Policy text",
           "restatement": "What the rule checks",
           "no_policy": "The inventory maps no article of its own policy to this clause.",
           "evidence": "evidence", "waived": "waived", "error": "error",
           "warning": "warning", "snapshot": "snapshot", "now": "now",
           "new": "new", "resolved": "resolved", "open": "still open",
           "meaning": "What it means", "records": "Inventory changes",
           "added": "added", "removed": "removed", "changed": "changed",
           "routes_changed": "Route and status changes", "count": "count",
           "by_pack": "Status by rule pack", "pack": "rule pack",
           "law_only": "Satisfies the policy but not the Act",
           "law_only_legend": "flow that satisfies the organisation's policy but breaks the "
                              "Act (policy ok, Act violation)",
           "legend": "Legend", "policy": "The organisation's policy",
           "publisher": "publisher", "revised_on": "revised", "url": "URL",
           "appendix": "Appendix: the organisation's policy (full text)",
           "page": "page", "audit_date": "audit date", "contents": "Contents",
           "kind": "kind", "id": "ID", "name": "name",
           "people": "If a party leaks: people's data concerned",
           "people_note": "The parties holding the most people's data, from the parties' "
                          "recorded volume. A group's figure recorded by another holder is "
                          "an upper bound.",
           "party": "party", "people_count": "people", "about_people": "about {n} people",
           "upto_people": "up to {n} people",
           "groups": "per group",
           "status_words": {k: v["en"] for k, v in STATUS_WORDS.items()}},
    "ja": {"title": "個人データ監査報告書", "as_of": "基準日", "rules": "ルール",
           "tool": "ツール", "inventory": "棚卸し", "summary": "概要",
           "flows": "フロー", "findings": "指摘", "drawing": "フロー図",
           "no_drawing": "フロー図は含まれていません", "by_kind": "種類別の指摘",
           "by_flow": "フロー別の指摘",
           "none": "指摘はありません。", "flow_table": "フローと経路",
           "waivers": "承認", "no_waivers": "承認はありません。", "trend": "スナップショットの推移",
           "changes": "前回のスナップショットからの変更", "no_changes": "変更はありません。",
           "first": "ストアで最初の監査のため、比較対象はありません。",
           "flow": "フロー", "from_to": "提供元 → 提供先", "items": "項目",
           "purposes": "利用目的", "basis": "根拠", "route": "経路", "status": "状態",
           "rule": "ルール", "item": "項目", "reason": "理由", "approved_by": "承認者",
           "expires_on": "期限", "state": "状態", "remedy": "対応", "clause": "条項",
           "policy_text": "方針の文言", "restatement": "ルールの内容",
           "no_policy": "棚卸しの方針 (policy) にこの条項に当たる自社の条文の指定はありません。",
           "evidence": "根拠資料",
           "waived": "承認済み", "error": "エラー", "warning": "警告",
           "snapshot": "スナップショット", "now": "今回", "new": "新規",
           "resolved": "解消", "open": "継続", "meaning": "法的な意味",
           "records": "棚卸しの変更", "added": "追加", "removed": "削除", "changed": "変更",
           "routes_changed": "経路・状態の変更", "count": "件数",
           "by_pack": "ルールパック別の状態", "pack": "ルールパック",
           "law_only": "方針には適合、法には違反",
           "law_only_legend": "自社の方針には適合するが個人情報保護法に違反するフロー",
           "legend": "凡例", "policy": "自社の個人情報保護方針",
           "publisher": "公表者", "revised_on": "改定日", "url": "URL",
           "appendix": "付録: 自社の個人情報保護方針 (全文)",
           "page": "ページ", "audit_date": "監査基準日", "contents": "目次",
           "kind": "種類", "id": "ID", "name": "名称",
           "people": "漏えいした場合に影響を受ける人数",
           "people_note": "扱う人数が多い当事者の上位。人数は棚卸しに記録された人数によります。"
                          "他の保有者が記録した人数は上限の見積もりです。",
           "party": "当事者", "people_count": "人数", "about_people": "約{n}人分",
           "upto_people": "最大 約{n}人分",
           "groups": "本人の区分別",
           "status_words": {k: v["ja"] for k, v in STATUS_WORDS.items()}},
}

#: What a finding's evidence names, in both languages (keys of ``evidence``).
EVIDENCE_WORDS = {
    "closest_route": {"en": "closest route", "ja": "最も近い根拠"},
    "consent": {"en": "consent", "ja": "本人の同意"},
    "consents": {"en": "consents", "ja": "本人の同意"},
    "contract": {"en": "contract", "ja": "委託契約"},
    "country": {"en": "country", "ja": "国"},
    "equivalent_system": {"en": "equivalent_system", "ja": "相当措置の確認日"},
    "event": {"en": "succession", "ja": "事業の承継"},
    "lacks": {"en": "lacks", "ja": "欠けている条件"},
    "notice": {"en": "notice", "ja": "通知・公表"},
    "outsourcee": {"en": "outsourcee", "ja": "委託先"},
    "path": {"en": "path", "ja": "経路のフロー"},
    "revision": {"en": "revision", "ja": "変更"},
    "stop_request": {"en": "stop request", "ja": "停止の求め"},
    "waiver": {"en": "waiver", "ja": "承認"},
}

#: How many parties the report's "if a party leaks" table shows.
PEOPLE_TOP = 5

#: Words for values that are codes in the inventory (waiver states).
_STATE_WORDS = {"active": {"en": "active", "ja": "有効"},
                "expired": {"en": "expired", "ja": "期限切れ"},
                "unmatched": {"en": "unmatched", "ja": "該当する指摘なし"},
                "not-selected": {"en": "not-selected", "ja": "対象のルールを実行せず"},
                "unused": {"en": "unused", "ja": "未使用"}}


@dataclass(frozen=True)
class FindingView:
    """One finding as every report shows it.

    Example:
        >>> import lineage
        >>> rep = build(lineage.check("inventories/monocollabo"), drawing=False)
        >>> f = rep.findings[0]
        >>> f.id, f.css, f.frm, f.citations[0].clause
        ('TP222:F30:phone', 'error', 'Monocollabo (monocollabo)', '5[2]3')
    """

    id: str
    rule: str
    clause: str
    kind: str
    kind_label: str
    severity: str
    waived: bool
    css: str
    badge: str
    flow: str
    frm: str
    to: str
    message: str
    remedy: str
    evidence: tuple[tuple[str, str], ...]
    citations: tuple
    restatement: str
    law: str = ""
    #: ``clause`` as the report's language shows it (``法第29条`` for ``Art. 29`` in Japanese)
    clause_label: str = ""


@dataclass(frozen=True)
class FlowView:
    """One row of the flow table, with display names beside IDs.

    Example:
        >>> import lineage
        >>> rep = build(lineage.check("inventories/monocollabo"), drawing=False)
        >>> row = rep.flows[0]
        >>> row.id, row.frm, row.route, row.status
        ('F01', 'Members (members)', 'collection', 'ok')
    """

    id: str
    frm: str
    to: str
    items: tuple[str, ...]
    purposes: tuple[str, ...]
    basis: str
    route: str
    route_label: str
    status: str
    status_label: str
    findings: tuple[str, ...]
    by_pack: tuple[tuple[str, str], ...]
    law_only: bool


#: The width and height Graphviz writes on its SVG's root element (in pt).
_SVG_SIZE = re.compile(r'<svg\b[^>]*?\swidth="(?P<w>[0-9.]+)pt"[^>]*?\sheight="(?P<h>[0-9.]+)pt"')


@dataclass
class Report:
    """Everything a report shows, computed once for every format.

    Example:
        >>> rep = Report(audit=None, lang="ja")
        >>> rep.svg, rep.history, rep.diff, rep.words["title"]
        (None, [], None, '個人データ監査報告書')
    """

    audit: object
    lang: str = "en"
    svg: str | None = None
    drawing_note: str | None = None
    history: list[dict] = field(default_factory=list)
    diff: object | None = None
    store_path: str | None = None

    @property
    def map_portrait(self) -> bool:
        """Whether the printed map is larger on a portrait A4 page than on a landscape
        one (a tall map): the print stylesheet gives it the page that shows it largest.

        Example:
            >>> Report(audit=None, svg='<svg width="600pt" height="900pt"></svg>').map_portrait
            True
            >>> Report(audit=None, svg='<svg width="900pt" height="400pt"></svg>').map_portrait
            False
        """
        if not self.svg:
            return False
        size = _SVG_SIZE.search(self.svg[:2000])
        if size is None:
            return False
        width, height = float(size["w"]), float(size["h"])
        if width <= 0 or height <= 0:
            return False
        # the room report.css leaves the map on each page (mm): landscape 273 x 150,
        # portrait 186 x 235 (the margins, the heading and the legend taken off)
        return min(186 / width, 235 / height) > min(273 / width, 150 / height)

    # -- words and names ---------------------------------------------------------------
    @property
    def words(self) -> dict:
        """The fixed words in the report's language.

        Example:
            >>> Report(audit=None).words["title"], Report(audit=None, lang="ja").words["title"]
            ('Personal-data audit', '個人データ監査報告書')
        """
        return LABELS[self.lang]

    @cached_property
    def names(self):
        """Display names beside IDs (:class:`~lineage.output.names.Names`), the one helper
        every output uses.

        Example:
            >>> import lineage
            >>> build(lineage.check("inventories/monocollabo"), drawing=False).names.item("phone")
            'Phone number (phone)'
        """
        return Names(self.audit.inventory, self.lang)

    def party(self, pid: str) -> str:
        """A party's display name with its ID beside it.

        Example:
            >>> import lineage
            >>> build(lineage.check("inventories/monocollabo"), drawing=False).party("carrier")
            'Hayate Transport (carrier) (carrier)'
        """
        return self.names.party(pid)

    def item(self, iid: str) -> str:
        """A data item's display name with its ID.

        Example:
            >>> import lineage
            >>> build(lineage.check("inventories/monocollabo"), lang="ja", drawing=False).item("phone")
            '電話番号 (phone)'
        """
        return self.names.item(iid)

    def purpose(self, pid: str) -> str:
        """A purpose's display name with its ID.

        Example:
            >>> import lineage
            >>> rep = build(lineage.check("inventories/monocollabo"), drawing=False)
            >>> rep.purpose("shipping")
            'Delivering goods (shipping)'
        """
        return self.names.purpose(pid)

    @property
    def organisation(self) -> str:
        """The organisation's display name.

        Example:
            >>> import lineage
            >>> build(lineage.check("inventories/monocollabo"), lang="ja", drawing=False).organisation
            'モノコラボ'
        """
        org = self.audit.inventory.organisation
        shown = self.names.party(org)
        return shown.removesuffix(f" ({org})")

    @property
    def title(self) -> str:
        """The report's title: the fixed title and the organisation.

        Example:
            >>> import lineage
            >>> build(lineage.check("inventories/monocollabo"), drawing=False).title
            'Personal-data audit: Monocollabo'
        """
        return f"{self.words['title']}: {self.organisation}"

    @property
    def packs(self) -> list[tuple[str, str]]:
        """The rule packs that ran: ``(pack, label)``.

        Example:
            >>> import lineage
            >>> build(lineage.check("inventories/monocollabo"), lang="ja", drawing=False).packs
            [('policy', '方針')]
        """
        return [(p, PACK_LABELS.get(p, {}).get(self.lang, p)) for p in self.audit.packs]

    @property
    def tool(self) -> str:
        """The tool and its version.

        Example:
            >>> Report(audit=None).tool.startswith("lineage ")
            True
        """
        return f"lineage {__version__}"

    @cached_property
    def inventory_hash(self) -> str:
        """The inventory's content hash (as snapshots record it).

        Example:
            >>> import lineage
            >>> len(build(lineage.check("inventories/monocollabo"), drawing=False).inventory_hash)
            64
        """
        from ..snapshots.canonical import inventory_hash
        return inventory_hash(self.audit.inventory)

    @property
    def policy(self):
        """The inventory's own policy (:class:`~lineage.model.schema.Policy`) or None.

        Example:
            >>> import lineage
            >>> build(lineage.check("inventories/monocollabo"), drawing=False).policy.title
            '個人情報保護方針'
        """
        return self.audit.inventory.policy

    # -- numbers: one source -----------------------------------------------------------
    @cached_property
    def counts(self) -> dict:
        """Every number a report prints: the audit's summary, plus findings by severity.

        ``status`` is :meth:`Audit.summary`'s, ``by_pack`` and
        ``policy_ok_law_violation`` are there when several packs ran.

        Example:
            >>> import lineage
            >>> c = build(lineage.check("inventories/monocollabo"), drawing=False).counts
            >>> c["flows"], c["status"], c["severity"]
            (48, {'ok': 39, 'warning': 0, 'violation': 8, 'waived': 1}, {'error': 9, 'warning': 0, 'waived': 1})
        """
        s = self.audit.summary()
        sev = {"error": 0, "warning": 0, "waived": 0}
        for f in self.audit.results:
            sev["waived" if f.waived else f.severity] += 1
        out = dict(s)
        out["severity"] = sev
        return out

    @property
    def several_packs(self) -> bool:
        """Whether flows show a status per pack (more than one pack ran).

        Example:
            >>> import lineage
            >>> build(lineage.check("inventories/monocollabo"), drawing=False).several_packs
            False
        """
        return len(self.audit.packs) > 1

    # -- flows and findings ------------------------------------------------------------
    @cached_property
    def flows(self) -> list[FlowView]:
        """The flow table, in flow order.

        Example:
            >>> import lineage
            >>> rep = build(lineage.check("inventories/monocollabo"), lang="ja", drawing=False)
            >>> rep.flows[0].route_label, rep.flows[0].status_label, rep.flows[0].items[0]
            ('取得', '適合', '会員ID (member_id)')
        """
        out = []
        packed: dict[tuple, tuple] = {}  # rows share a handful of status-per-pack mappings
        for r in self.audit.flow_results:
            by_pack = status_by_pack_of(r)
            key = tuple(by_pack.items())
            if key not in packed:
                packed[key] = (tuple(sorted(by_pack.items(), key=lambda kv: _pack_order(kv[0]))),
                               _law_only(by_pack))
            out.append(FlowView(
                r.id, self.party(r.frm), self.party(r.to),
                tuple(self.item(i) for i in r.items),
                tuple(self.purpose(p) for p in r.purposes),
                route_label(r.basis, self.lang) if r.basis else "",
                r.route, route_label(r.route, self.lang), r.status,
                self.words["status_words"][r.status], tuple(r.findings), *packed[key]))
        return out

    def flows_with(self, status: str) -> list[FlowView]:
        """The flows of one status (the per-status tables).

        Example:
            >>> import lineage
            >>> rep = build(lineage.check("inventories/monocollabo"), drawing=False)
            >>> len(rep.flows_with("violation")) == rep.counts["status"]["violation"]
            True
        """
        return [f for f in self.flows if f.status == status]

    @property
    def law_only(self) -> list[FlowView]:
        """Flows that satisfy the policy but break the Act (several packs only).

        Example:
            >>> import lineage
            >>> build(lineage.check("inventories/monocollabo"), drawing=False).law_only
            []
        """
        return [f for f in self.flows if f.law_only]

    @property
    def statuses(self) -> list[tuple[str, str]]:
        """``(status, word)`` in report order.

        Example:
            >>> Report(audit=None, lang="ja").statuses[2]
            ('violation', '違反')
        """
        return [(s, self.words["status_words"][s]) for s in STATUSES]

    @cached_property
    def findings(self) -> list[FindingView]:
        """Every finding in report order, with its citation and texts in the report's language.

        Example:
            >>> import lineage
            >>> rep = build(lineage.check("inventories/monocollabo"), lang="ja", drawing=False)
            >>> f = rep.findings[0]
            >>> f.badge, f.kind_label, f.to
            ('エラー', '通知・公表にない項目', '株式会社コラボリビング（グループ会社） (collabo-living)')
        """
        ja = self.lang == "ja"
        w = self.words
        policy = self.policy
        out = []
        # Findings are many, rules and clauses few: their words are found once each.
        restated: dict[str, str] = {}
        cited: dict[str, tuple] = {}
        for f in self.audit.results:
            rule = REGISTRY.rules.get(f.rule)
            d = f.as_dict()
            if f.rule not in restated:
                restated[f.rule] = restatement(rule, self.lang) if rule is not None else ""
            if f.clause not in cited:
                cited[f.clause] = (quotes(f.clause, policy),
                                   _law_heading(f.clause, self.lang))
            evidence = tuple(
                (EVIDENCE_WORDS.get(k, {}).get(self.lang, k),
                 route_label(v, self.lang) if k == "closest_route" else
                 (" → " if k == "path" else ", ").join(map(str, v)) if isinstance(v, list)
                 else str(v))
                for k, v in d["evidence"].items())
            out.append(FindingView(
                f.id, f.rule, f.clause, f.kind, KIND_LABELS.get(f.kind, {}).get(self.lang, f.kind),
                f.severity, f.waived, "waived" if f.waived else f.severity,
                w["waived"] if f.waived else w[f.severity], f.flow, self.party(f.frm),
                self.party(f.to), self.names.annotate(d["message_ja"]) if ja else d["message"],
                d["remedy_ja"] if ja else d["remedy"], evidence,
                cited[f.clause][0], restated[f.rule], cited[f.clause][1],
                clause_label(f.clause, self.lang)))
        return out

    @cached_property
    def by_kind(self) -> list[tuple[str, str, list[FindingView]]]:
        """Findings grouped by kind: ``(kind, label, findings)`` in the spec's kind order.

        Example:
            >>> import lineage
            >>> rep = build(lineage.check("inventories/monocollabo"), drawing=False)
            >>> [(k, len(fs)) for k, _, fs in rep.by_kind][:2]
            [('no-consent', 4), ('no-exemption', 1)]
        """
        groups: dict[str, list[FindingView]] = {}
        for f in self.findings:
            groups.setdefault(f.kind, []).append(f)
        order = sorted(groups, key=lambda k: (KINDS.index(k) if k in KINDS else 99, k))
        return [(k, KIND_LABELS.get(k, {}).get(self.lang, k), groups[k]) for k in order]

    @cached_property
    def by_flow(self) -> list[tuple[FlowView, list[FindingView]]]:
        """Findings grouped by flow, in flow order (flows without findings left out).

        Example:
            >>> import lineage
            >>> rep = build(lineage.check("inventories/monocollabo"), drawing=False)
            >>> [(row.id, [f.id for f in fs]) for row, fs in rep.by_flow][:1]
            [('F30', ['TP222:F30:phone'])]
        """
        groups: dict[str, list[FindingView]] = {}
        for f in self.findings:
            groups.setdefault(f.flow, []).append(f)
        return [(row, groups[row.id]) for row in self.flows if row.id in groups]

    @cached_property
    def waivers(self) -> list[dict]:
        """The waivers with their state in the report's language.

        Example:
            >>> import lineage
            >>> build(lineage.check("inventories/monocollabo"), lang="ja", drawing=False).waivers[0]["state"]
            '有効'
        """
        return [{**v, "state": _STATE_WORDS.get(v.get("state"), {}).get(self.lang,
                                                                         v.get("state"))}
                for v in self.audit.waivers]

    @cached_property
    def people(self) -> list[dict]:
        """The parties whose leak would concern the most people's data, largest first.

        Each entry: ``party`` (ID), ``label`` (display name and ID), ``total``,
        ``about`` (the "about N people" phrase) and ``groups`` (``(group label,
        count)``), from :func:`lineage.analysis.people_affected` for every party
        other than a data subject, with the flows started by the audit date (a
        planned flow has brought its recipient nothing yet); parties with no
        recorded figure are left out. At most :data:`PEOPLE_TOP` entries.

        Example:
            >>> import lineage
            >>> rep = build(lineage.check("inventories/monocollabo"), lang="ja", drawing=False)
            >>> [(p["party"], p["total"]) for p in rep.people][:3]
            [('monocollabo-media', 564000), ('monocollabo', 563000), ('ad-network', 436000)]
            >>> rep.people[2]["about"], rep.people[2]["groups"][0]
            ('最大 約436,000人分', ('会員 (members)', 36000))
        """
        if self.audit is None:
            return []
        from ..analysis.queries import people_affected
        from ..rules.context import Context
        from ..terms import natural_key
        inv = self.audit.inventory
        # as of the audit date: a planned flow has brought its recipient nothing yet
        reach = Context(inv, self.audit.as_of).group_reach(as_of=self.audit.as_of)
        out = []
        memo: dict = {}  # each group's holders, found once for all parties
        for p in inv.parties:
            if p.role == "data_subject":
                continue
            groups = sorted(g for g, r in reach.items() if g != p.id and r.items_at(p.id))
            if not groups:
                continue
            counted = people_affected(inv, p.id, groups, reach, memo=memo)
            if counted["total"] is None:
                continue
            out.append({"party": p.id, "label": self.party(p.id), "total": counted["total"],
                        # "up to" where a group's figure is another holder's (an upper bound)
                        "about": self.words["upto_people" if counted["upper_bound"] else
                                            "about_people"].format(n=f"{counted['total']:,}"),
                        "groups": [(self.party(g["group"]), g["count"])
                                   for g in counted["groups"]]})
        out.sort(key=lambda e: (-e["total"], natural_key(e["party"])))
        return out[:PEOPLE_TOP]

    def pack_counts(self) -> list[tuple[str, str, dict]]:
        """Status counts per pack ``(pack, label, {status: n})`` (several packs only).

        Example:
            >>> import lineage
            >>> build(lineage.check("inventories/monocollabo"), drawing=False).pack_counts()
            []
        """
        by_pack = self.counts.get("by_pack") or {}
        return [(p, label, by_pack.get(p, {})) for p, label in self.packs if p in by_pack]


def _law_heading(code: str, lang: str) -> str:
    """The Act's Article heading for a law-pack citation (``Art. 28(1)``); empty for a
    policy clause. Headings only: the Act's wording is never quoted."""
    from ..rules.clauses import Article, citation
    cited = citation(code)
    if not isinstance(cited, Article):
        return ""
    return cited.text_ja if lang == "ja" else cited.heading_en


def status_by_pack_of(row) -> dict:
    """A flow's status under each pack (``{}`` when one pack ran or the engine recorded none).

    Example:
        >>> import lineage
        >>> status_by_pack_of(lineage.check("inventories/monocollabo").flow_results[0])
        {}
    """
    return dict(row.status_by_pack or {})


def _pack_order(pack: str) -> tuple:
    order = list(PACK_LABELS)
    return (order.index(pack) if pack in order else len(order), pack)


def build(audit, *, store=None, lang: str = "en", drawing: bool = True) -> Report:
    """Gather the report of ``audit``; with ``store`` (a :class:`Store`) add trend and diff.

    The trend is every stored snapshot, plus this audit as ``now`` unless the
    latest snapshot is this very audit (same inventory hash, date and rules).
    The diff is from the latest other audit to this one.

    Example:
        >>> import lineage, tempfile, pathlib
        >>> from lineage.snapshots.store import Store
        >>> store = Store(pathlib.Path(tempfile.mkdtemp()) / "audits.db")
        >>> audit = lineage.check("inventories/monocollabo")
        >>> _ = store.add(audit, label="2026-Q3"), store.add(audit, label="2026-Q4")
        >>> rep = build(audit, store=store, drawing=False)
        >>> [h["name"] for h in rep.history]
        ['2026-Q3', '2026-Q4']
        >>> rep.diff
        <Diff #1 (2026-Q3) -> #2 (2026-Q4): 0 new, 0 resolved, 10 open findings>
        >>> store.close()
    """
    from ..snapshots.compare import Diff
    from ..snapshots.record import Snapshot
    rep = Report(audit=audit, lang=lang)
    if drawing:
        rep.svg, rep.drawing_note = _drawing(audit, lang)
    if store is not None:
        rep.store_path = str(store.path)
        current = Snapshot.from_audit(audit)
        entries = store.list()
        same = bool(entries) and (entries[-1]["inventory_hash"] == current.inventory_hash
                                  and entries[-1]["as_of"] == current.as_of
                                  and tuple(entries[-1]["rules"]) == current.rules)
        for e in entries:
            name = e["label"] or f"#{e['id']}"
            rep.history.append({"name": name, "as_of": e["as_of"], "summary": e["summary"]})
        if not same:
            rep.history.append({"name": LABELS[lang]["now"], "as_of": current.as_of,
                                "summary": current.summary})
        before = entries[-2]["id"] if same and len(entries) > 1 else (
            entries[-1]["id"] if entries and not same else None)
        if before is not None:
            rep.diff = Diff(store.get(before), store.get("latest") if same else current)
    return rep


def _drawing(audit, lang: str) -> tuple[str | None, str | None]:
    from ..drawing import draw
    from .svgsafe import sanitize_svg
    try:
        svg = draw(audit, lang=lang, links="#flow-{flow}").render("svg")
    except Exception as exc:  # a report without its map beats no report; say why
        return None, f"{type(exc).__name__}: {exc}"
    return sanitize_svg(svg.decode("utf-8")), None
