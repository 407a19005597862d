"""The rules reference, generated from the registry (never kept by hand).

Example:
    >>> "| TP101 | 5[1] |" in markdown(rules_of(None))
    True
"""

from __future__ import annotations

import re
import textwrap

from ..rules.clauses import ACT_URL, Article
from ..rules.registry import REGISTRY
from ..terms import code_words

__all__ = ["rules_of", "as_json", "table", "markdown", "explain", "finding_text"]


def rules_of(packs):
    """Rules of ``packs`` (all registered rules when None), by ID.

    Example:
        >>> [r.id for r in rules_of(["policy"])][:4]
        ['LW001', 'LW002', 'TP101', 'TP102']
    """
    if packs is None:
        return list(REGISTRY)
    return REGISTRY.select(packs)


def _pack(rule) -> str:
    return REGISTRY.pack_of(rule.id) or "always"


def as_json(rules) -> list[dict]:
    """Each rule's public description, with its pack.

    Example:
        >>> first = as_json(rules_of(["policy"]))[0]
        >>> first["id"], first["pack"], first["severity"], first["title"]
        ('LW001', 'always', 'warning', 'Expired waiver')
    """
    return [{**r.meta(), "pack": _pack(r), "remedy": r.remedy_en, "remedy_ja": r.remedy_ja}
            for r in rules]


def table(rules, lang: str = "en") -> str:
    """A fixed-width listing for the terminal.

    Example:
        >>> print(table(rules_of(["policy"])[:2], lang="ja"), end="")
        LW001  承認済みの指摘  承認の管理  警告  期限切れの承認
        LW002  承認済みの指摘  承認の管理  警告  該当する指摘のない承認
    """
    from ..terms import display_width, pad
    if lang == "ja":
        rows = [(r.id, r.clause.label_ja, *code_words(r.kind, r.severity, lang), r.title_ja)
                for r in rules]
    else:
        rows = [(r.id, str(r.clause), r.kind, r.severity, r.title_en) for r in rules]
    # Columns as wide as their widest cell on a terminal (法第27条第2項ただし書 is
    # twice as wide as its length), so every title starts in one column.
    widths = [max((display_width(row[k]) for row in rows), default=0) for k in range(4)]
    return "".join("  ".join([*(pad(cell, w) for cell, w in zip(row, widths)), row[4]]) + "\n"
                   for row in rows)


#: The law pack's introduction on the reference page.
LAW_INTRO = [
    "## Law pack `appi`: the Act on the Protection of Personal Information", "",
    "Opt-in (`--rules policy,appi`): the Act (個人情報の保護に関する法律, Act No. 57 of 2003) "
    "as in force from 2022-04-01, which asks more than the policy text. Its rules judge "
    "flows that run on or after 2022-04-01, read the route the policy rules decide, and "
    "cite Articles, not policy clauses.", "",
    "Each rule below gives the Article it checks with the Article's heading in Japanese, "
    "an English gloss of what the Article requires (our summary), and the rule's "
    "conditions. The Act's own wording is not quoted: no authoritative copy of it is "
    "available to this project offline, and a misquoted statute is worse than none. "
    f"Read the official text on e-Gov: <{ACT_URL}> (the Enforcement Rules are linked "
    "from it).",
]


def _ordered(rules) -> list:
    """Policy and always-on rules by ID, then the law pack's (its own section)."""
    law = [r for r in rules if isinstance(r.clause, Article)]
    return [r for r in rules if r not in law] + law


def markdown(rules) -> str:
    """The rules reference page (``docs/rules.md``), the law pack in its own section.

    Example:
        >>> text = markdown(rules_of(["policy"])[:1])
        >>> text.splitlines()[0], "## LW001: Expired waiver" in text
        ('# Rules reference', True)
        >>> law = markdown(rules_of(["appi"]))
        >>> "Article 第28条 外国にある第三者への提供の制限 (Art. 28(1))" in law
        True
    """
    rules = _ordered(rules)
    out = ["# Rules reference", "",
           "Generated from the rule registry by `lineage rules --format markdown`; "
           "a test fails when this page and the registry differ.", "",
           "| ID | Clause | Pack | Kind | Severity | Title | 見出し |",
           "|---|---|---|---|---|---|---|"]
    for r in rules:
        out.append(f"| {r.id} | {r.clause} | {_pack(r)} | {r.kind} | {r.severity} | "
                   f"{r.title_en} | {r.title_ja} |")
    intro = False
    for r in rules:
        if isinstance(r.clause, Article):
            if not intro:
                out += [""] + LAW_INTRO
                intro = True
            out += ["", f'<a id="{r.id.lower()}"></a>', "", f"### {r.id}: {r.title_en}", "",
                    f"{r.title_ja}", "",
                    f"Article {r.clause.heading_ja} ({r.clause})", "",
                    f"> {r.gloss}", "",
                    r.doc(), "", f"Remedy: {r.remedy_en} / {r.remedy_ja}"]
            continue
        # An explicit anchor: SARIF helpUri and links use docs/rules.md#tp101.
        out += ["", f'<a id="{r.id.lower()}"></a>', "", f"## {r.id}: {r.title_en}", "",
                f"{r.title_ja}", "", _cited(r), "",
                r.doc(), "", f"Remedy: {r.remedy_en} / {r.remedy_ja}"]
    return "\n".join(out) + "\n"


def _cited(rule, lang: str = "en") -> str:
    """What the rule cites: an Article of the Act (its heading), or a policy clause, whose
    words only the inspected inventory's own ``policy.clauses`` supply."""
    from ..rules.clauses import Article
    if isinstance(rule.clause, Article):
        if lang == "ja":
            return f"{rule.clause.label_ja}: {rule.clause.text_ja}"
        return f"{rule.clause}: {rule.clause.text_ja}\n\n> {rule.clause.text_en}"
    if lang == "ja":
        return (f"条項 {rule.clause}: 報告書は、棚卸しに記載された自社の方針のうち、この条項に"
                "当てた条番号と文言だけを引用します。")
    return (f"Clause {rule.clause}: reports quote the organisation's own words for it when "
            "the inventory maps it\n(policy.clauses; 方針の文言は棚卸しの policy.clauses "
            "から引用します).")


#: A reStructuredText cross-reference: its role and target.
_ROLE = re.compile(r":(?:func|meth|class|attr|data|mod|exc):`~?\.?([^`]+)`")


def explain(rule, lang: str = "en") -> str:
    """``lineage explain``: documentation, clause or Article, and the two examples.

    In Japanese: the title, clause text (or the Article's heading), when the rule
    fires (its ``when_ja``), remedy and examples (the detailed documentation is the
    rule's English docstring and is left out).

    Example:
        >>> text = explain(REGISTRY.get("AP221"))
        >>> print("\\n".join(text.splitlines()[3:6]))
        Article Art. 28(1)  kind no-consent  severity error  pack appi
        <BLANKLINE>
        Act (法): 個人情報保護法 第28条 外国にある第三者への提供の制限
        >>> explain(REGISTRY.get("TP203"), "ja").splitlines()[0]
        'TP203  委託先による再提供'
        >>> print("\\n".join(explain(REGISTRY.get("TP102"), "ja").splitlines()[5:10]))
        <BLANKLINE>
        指摘される場合:
          依拠する本人の同意の同意取得日 (obtained_on) が、フローの開始日 (start) より後である。
          開始日当日の取得はあらかじめ得た同意として扱う。
        <BLANKLINE>
    """
    if lang == "ja":
        return _explain_ja(rule)
    if isinstance(rule.clause, Article):
        cite = [f"Article {rule.clause}  kind {rule.kind}  severity {rule.severity}  "
                f"pack {_pack(rule)}", "", f"Act (法): {rule.clause.text_ja}",
                "What it requires (our gloss; the Act's wording is not quoted):",
                *textwrap.wrap(rule.gloss, 88, initial_indent="  ", subsequent_indent="  "),
                f"Official text: {ACT_URL}"]
    else:
        cite = [f"Clause {rule.clause}  kind {rule.kind}  severity {rule.severity}  "
                f"pack {_pack(rule)}", "", *_cited(rule).splitlines()]
    out = [f"{rule.id}  {rule.title_en}", f"       {rule.title_ja}", ""] + cite + [
        "", rule.doc(), "", f"Remedy: {rule.remedy_en}", f"対応: {rule.remedy_ja}", ""]
    # The docstring is reStructuredText for the docs page; a terminal shows `code`, and a
    # cross-reference (:func:`~.common.exemption`) as the name it points to (the trial of
    # round 14 saw the markup).
    out = [_ROLE.sub(lambda m: f"`{m.group(1).rsplit('.', 1)[-1]}`", line).replace("``", "`")
           for line in out]
    for label, ex in (("Failing example", rule.fail), ("Passing example", rule.passing)):
        expect = ", ".join(ex.expect) or "no findings"
        out += [f"{label} ({ex.title}) -> {expect}:",
                "  (added to the small inventory all rule examples share: organisation mc, "
                "data subjects customers, outsourcee carrier, third party partner, "
                "joint user group-co, public body police; audit date 2026-11-01; "
                f"checked with --rules {','.join(rule.packs)})"]
        out += ["  " + line for line in ex.inventory.strip("\n").splitlines()]
        out.append("")
    return "\n".join(out)


def _explain_ja(rule) -> str:
    law = isinstance(rule.clause, Article)
    cite = ([f"条文 {rule.clause.label_ja}", "", "法の条文見出し（条文の文言は引用しません）:",
             f"  {rule.clause.text_ja}", f"  公式の条文: {ACT_URL}"] if law else
            [f"条項 {rule.clause}", "", *_cited(rule, "ja").splitlines()])
    kind, severity = code_words(rule.kind, rule.severity, "ja")
    out = [f"{rule.id}  {rule.title_ja}", "",
           f"{cite[0].split()[0]} {rule.clause.label_ja}  種類 {kind}  "
           f"重大度 {severity}  ルールパック {_pack(rule)}",
           *cite[1:], ""]
    if rule.when_ja:
        out += ["指摘される場合:", *_wrap_ja(rule.when_ja, 88, "  "), ""]
    out += [f"対応: {rule.remedy_ja}", ""]
    for label, ex in (("違反の例", rule.fail), ("適合の例", rule.passing)):
        expect = ", ".join(ex.expect) or "指摘なし"
        out += [f"{label} -> {expect}:",
                "  （どの例にも共通の小さな棚卸しに追加: 組織 mc、本人 customers、委託先 carrier、"
                "第三者 partner、共同利用者 group-co、公的機関 police、基準日 2026-11-01、"
                f"ルール {','.join(rule.packs)}）"]
        out += ["  " + line for line in ex.inventory.strip("\n").splitlines()]
        out.append("")
    return "\n".join(out)


#: What a line of Japanese text may not begin with (句読点, closing brackets): kept on the
#: line before, which may then run a column or two over.
_NO_LINE_START = "、。，．・:：)）」』】"


def _wrap_ja(text: str, width: int, indent: str = "") -> list[str]:
    """``text`` in lines of at most ``width`` terminal columns (a wide character takes
    two), each after ``indent``: broken between Japanese characters or at a space, never
    inside an ASCII word (an ID, a field name), nor before a closing mark or 、。.

    Example:
        >>> for line in _wrap_ja("同意取得日 (obtained_on) がフローの開始日より後である。", 26, "  "):
        ...     print(line + "|")
          同意取得日 (obtained_on)|
          がフローの開始日より後で|
          ある。|
        >>> _wrap_ja("提供を停止する。", 14), _wrap_ja("同意の範囲外(提供先)", 14)
        (['提供を停止する。'], ['同意の範囲外', '(提供先)'])
    """
    from ..terms import display_width
    # Units that are never split: ASCII words with what follows them up to a space or
    # a wide character, single spaces, single wide characters; an opening bracket with
    # what follows it (a line never ends with one).
    units = re.findall(r"[(（「『【]*(?:[!-~]+| |[^!-~ ])", text)
    lines, line = [], ""
    for unit in units:
        fits = display_width(indent + line + unit) <= width
        if line.strip() and not fits and unit != " " and unit[0] not in _NO_LINE_START:
            lines.append(line.rstrip())
            line = ""
        if unit == " " and not line:
            continue
        line += unit
    if line.strip():
        lines.append(line.rstrip())
    return [indent + line for line in lines]


def finding_text(audit, finding, lang: str = "en") -> str:
    """One finding of ``audit`` as ``lineage explain FINDING INVENTORY`` prints it
    before its rule's page: its flow, message, items, every piece of evidence
    (a verdict's full list of lacks too), remedy and the organisation's own
    words for the clause.

    Example:
        >>> import lineage
        >>> audit = lineage.check("inventories/monocollabo")
        >>> f = next(f for f in audit.results if f.id == "TP222:F30:phone")
        >>> print(finding_text(audit, f).splitlines()[0])
        TP222:F30:phone  [5[2]3]  error  flow F30: monocollabo → collabo-living (route joint_use)
    """
    from ..rules.clauses import quotes
    from ..terms import route_label
    from .names import Names
    from .view import EVIDENCE_WORDS
    ja = lang == "ja"
    names = Names(audit.inventory, lang)
    route = audit.routes.get(finding.flow)
    severity = {"error": "違反", "warning": "警告"}.get(finding.severity, finding.severity) \
        if ja else finding.severity
    if ja:
        head = (f"{finding.id}  [{finding.clause}]  {severity}  フロー {finding.flow}: "
                f"{names.party(finding.frm)} → {names.party(finding.to)}"
                f"（経路: {route_label(route, 'ja')}）")
    else:
        head = (f"{finding.id}  [{finding.clause}]  {severity}  flow {finding.flow}: "
                f"{finding.frm} → {finding.to} (route {route})")
    lines = [head + ("  (承認済み)" if ja and finding.waived else
                     "  (waived)" if finding.waived else "")]
    lines.append("  " + (names.annotate(finding.message_ja) if ja else finding.message))
    if finding.items:
        lines.append(f"  {'項目' if ja else 'items'}: {', '.join(finding.items)}")
    if finding.evidence:
        lines.append("  " + ("根拠資料:" if ja else "evidence:"))
        for key, value in finding.evidence:
            label = EVIDENCE_WORDS.get(key, {}).get(lang, key)
            if key == "closest_route":
                value = route_label(value, lang)
            shown = ", ".join(value) if isinstance(value, (list, tuple)) else str(value)
            lines.append(f"    {label}: {shown}")
    lines.append(f"  {'対応' if ja else 'remedy'}: "
                 f"{names.annotate(finding.remedy_ja) if ja else finding.remedy}")
    policy = audit.inventory.policy
    for c in quotes(finding.clause, policy):
        title = (policy.title or "") if policy is not None else ""
        lines.append(f"  {title} {c.label or ''}: {c.text or ''}".rstrip(": ").replace("   ", "  "))
    return "\n".join(lines) + "\n"
