"""SARIF 2.1.0 for code-scanning tools: each finding located at its flow in the YAML.

One run; the rules that ran are the driver's rules (title, clause text and
gloss, remedy, default level); each result points at the inventory file and
line where its flow starts, carries the finding's stable ID as a partial
fingerprint (so a scanner tracks it across commits however lines move),
marks waived findings as accepted external suppressions, and, with a
baseline, says whether it is ``new`` or ``unchanged``.

Example:
    >>> import json, lineage
    >>> log = json.loads(render(lineage.check("inventories/monocollabo")))
    >>> result = log["runs"][0]["results"][0]
    >>> result["ruleId"], result["partialFingerprints"]
    ('TP222', {'lineageFindingId/v1': 'TP222:F30:phone'})
    >>> result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    'inventories/monocollabo/flows.yaml'
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from .. import __version__
from ..rules.clauses import Article, citation, quotes, restatement
from ..rules.registry import REGISTRY
from .jsonreport import dumps

__all__ = ["render", "as_sarif", "SCHEMA_URI", "FINGERPRINT", "SECURITY_SEVERITY",
           "help_uri"]

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
#: The partialFingerprints key holding a finding's stable ID.
FINGERPRINT = "lineageFindingId/v1"
#: ``security-severity`` by severity (GitHub code scanning ranks 7.0-8.9 as high,
#: 4.0-6.9 as medium): an unlawful provision is high, a warning medium.
SECURITY_SEVERITY = {"error": "8.0", "warning": "4.0"}
#: Where the rules reference page lives, relative to lineage's repository root.
RULES_PAGE = "docs/rules.md"
#: The checkout lineage runs from (holds docs/rules.md when run from source).
_SOURCE_ROOT = Path(__file__).resolve().parent.parent.parent


def help_uri(rule_id: str, base: str | None = None) -> str | None:
    """The rule's section of the rules reference (``docs/rules.md#tp101``) as an absolute URI.

    SARIF requires ``helpUri`` to be absolute. ``base`` (or the environment
    variable ``LINEAGE_DOCS_URL``, e.g. the repository's ``.../blob/main/``
    address) is where ``docs/`` is published; without one, the page of the
    checkout lineage runs from, as a ``file:`` URI; ``None`` when neither exists.

    Example:
        >>> help_uri("TP101", "https://example.org/lineage/")
        'https://example.org/lineage/docs/rules.md#tp101'
        >>> help_uri("TP101").endswith("/docs/rules.md#tp101")
        True
    """
    base = base or os.environ.get("LINEAGE_DOCS_URL")
    anchor = f"{RULES_PAGE}#{rule_id.lower()}"
    if base:
        return base.rstrip("/") + "/" + anchor
    page = _SOURCE_ROOT / RULES_PAGE
    return page.as_uri() + f"#{rule_id.lower()}" if page.exists() else None


def _sentence(text: str, lang: str = "en") -> str:
    # SARIF asks for messages that end like sentences
    text = text.strip()
    if text.endswith((".", "!", "?", "。")):
        return text
    return text + ("。" if lang == "ja" else ".")


def _uri(file: str, root: Path) -> tuple[str, bool]:
    """A URI for ``file``: relative to ``root`` (with %SRCROOT%) when inside it."""
    path = Path(file)
    absolute = path if path.is_absolute() else (root / path)
    try:
        rel = PurePosixPath(os.path.relpath(absolute.resolve(), root.resolve()).replace(os.sep, "/"))
    except ValueError:  # another drive (Windows)
        rel = None
    if rel is not None and not str(rel).startswith(".."):
        return quote(str(rel), safe="/"), True
    return absolute.resolve().as_uri(), False


def _rule_descriptor(rule, lang: str, policy=None) -> dict:
    code = str(rule.clause)
    title = rule.title_ja if lang == "ja" else rule.title_en
    remedy = rule.remedy_ja if lang == "ja" else rule.remedy_en
    # The spec's restatement always; the organisation's own words only when its
    # inventory maps the clause (never another organisation's policy).
    quoted = list(quotes(code, policy))
    own = "\n".join(f"{c.label or c.clause}: {c.text or ''}".rstrip(": ") for c in quoted)
    own_md = "\n\n".join(f"**{c.label or c.clause}**" + (f"\n\n> {c.text}" if c.text else "")
                          for c in quoted)
    text = f"{_sentence(remedy, lang)}\n\n{code}: {_sentence(restatement(rule, lang), lang)}"
    markdown = f"{_sentence(remedy, lang)}\n\n**{code}**: {_sentence(restatement(rule, lang), lang)}"
    cited = citation(code)
    article = isinstance(cited, Article)
    if article:  # the Act's heading (never its wording) and a gloss
        text += f"\n\n{cited.text_ja}\n{cited.text_en}"
        markdown += f"\n\n{cited.text_ja}\n\n> {cited.text_en}"
    props = {"clause": code, "kind": rule.kind, "title_ja": rule.title_ja,
             "tags": ["privacy", "APPI", rule.kind], "precision": "high",
             "problem.severity": rule.severity,
             "security-severity": SECURITY_SEVERITY.get(rule.severity, "4.0")}
    if quoted:
        text += "\n\n" + own
        markdown += "\n\n" + own_md
        props["policy"] = [c.as_dict() for c in quoted]
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.kind.split("-")) + rule.id,
        "shortDescription": {"text": _sentence(title, lang)},
        "fullDescription": {"text": _sentence(
            f"{'' if article else 'Clause '}{code}: {restatement(rule)}")},
        "help": {"text": text + f"\n\nSee {RULES_PAGE} ({rule.id}).",
                 "markdown": f"**{title}**\n\n" + markdown
                             + f"\n\n{rule.id} in the rules reference: "
                               f"`{RULES_PAGE}#{rule.id.lower()}`"},
        **({"helpUri": help_uri(rule.id)} if help_uri(rule.id) else {}),
        "defaultConfiguration": {"level": "error" if rule.severity == "error" else "warning"},
        "properties": props,
    }


def as_sarif(audit, *, baseline=None, lang: str = "en", root: str | Path | None = None) -> dict:
    """The SARIF log of ``audit`` as data; ``baseline`` (a :class:`Baseline`) adds states.

    ``root`` is the folder artifact URIs are relative to (default: the current
    folder, where CI checks the repository out).

    Example:
        >>> import lineage
        >>> from lineage.snapshots.baseline import Baseline
        >>> audit = lineage.check("inventories/monocollabo")
        >>> log = as_sarif(audit, baseline=Baseline(frozenset({"TP222:F30:phone"}), 1))
        >>> results = log["runs"][0]["results"]
        >>> log["version"], [(r["ruleId"], r["baselineState"]) for r in results[:2]]
        ('2.1.0', [('TP222', 'unchanged'), ('TP301', 'new')])
    """
    root = Path(root) if root is not None else Path.cwd()
    rules = {r.id: r for r in audit.rules}
    for f in audit.results:
        if f.rule not in rules:
            rules[f.rule] = REGISTRY.get(f.rule)
    ordered = sorted(rules.values(), key=lambda r: r.id)
    index = {r.id: i for i, r in enumerate(ordered)}
    positions = {flow.id: i for i, flow in enumerate(audit.inventory.flows)}
    source = audit.inventory.source
    states = baseline.states(audit) if baseline is not None else {}
    by_pack = {}
    if len(audit.packs) > 1:  # each result says how its flow fares under every pack
        from .view import status_by_pack_of
        by_pack = {r.id: status_by_pack_of(r) for r in audit.flow_results}
    results = []
    uris: dict[str, tuple[str, bool]] = {}  # findings are many, inventory files few
    # A waiver's own finding (LW001 expired, LW002 unmatched) is located at the waiver,
    # where someone renewing or removing it goes (the trial of round 14: at the flow)
    waivers = {(w.flow, w.rule if w.item is None else f"{w.rule}/{w.item}"): i
               for i, w in reversed(list(enumerate(audit.inventory.waivers or [])))}
    for f in audit.results:
        d = f.as_dict()
        waiver = (waivers.get((f.flow, dict(f.evidence).get("waiver")))
                  if f.rule in ("LW001", "LW002") else None)
        if source is not None and waiver is not None:
            loc = source.locate(("waivers", waiver))
        else:
            loc = source.locate(("flows", positions[f.flow])) if source is not None and \
                f.flow in positions else None
        result = {"ruleId": f.rule, "ruleIndex": index[f.rule],
                  "level": "error" if f.severity == "error" else "warning",
                  "message": {"text": _sentence(d["message_ja"] if lang == "ja"
                                                else d["message"], lang)}}
        if loc is not None:
            if loc.file not in uris:
                uris[loc.file] = _uri(loc.file, root)
            uri, relative = uris[loc.file]
            artifact = {"uri": uri}
            if relative:
                artifact["uriBaseId"] = "%SRCROOT%"
            physical = {"artifactLocation": artifact}
            line = loc.line if loc.line is not None else loc.row
            if line is not None:
                physical["region"] = {"startLine": int(line)}
            result["locations"] = [{
                "physicalLocation": physical,
                "logicalLocations": [{"name": f.flow, "fullyQualifiedName": f"flows/{f.flow}",
                                      "kind": "object"}]}]
        result["partialFingerprints"] = {FINGERPRINT: f.id}
        if f.id in states:
            result["baselineState"] = states[f.id]
        if f.waived:
            result["suppressions"] = [{"kind": "external", "status": "accepted",
                                       "justification": _waiver_reason(audit, f, lang)}]
        result["properties"] = {"findingId": f.id, "flow": f.flow, "from": f.frm, "to": f.to,
                                "items": d["items"], "clause": f.clause, "kind": f.kind,
                                "evidence": d["evidence"],
                                "remedy": d["remedy_ja"] if lang == "ja" else d["remedy"],
                                "security-severity": SECURITY_SEVERITY.get(f.severity, "4.0")}
        if by_pack.get(f.flow):
            result["properties"]["status_by_pack"] = by_pack[f.flow]
        results.append(result)
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "lineage", "version": __version__,
                                "semanticVersion": __version__,
                                "rules": [_rule_descriptor(r, lang, audit.inventory.policy)
                                          for r in ordered]}},
            # Locations are relative to %SRCROOT%, the folder lineage ran in (the checkout
            # in CI); a viewer resolves it there, so lines match whatever the cwd was.
            "originalUriBaseIds": {"%SRCROOT%": {"description": {
                "text": "The root of the repository the inventory lives in (the folder "
                        "lineage ran in)."}}},
            "automationDetails": {"id": f"lineage/{audit.inventory.organisation}/"},
            "properties": {"organisation": audit.inventory.organisation,
                           "as_of": audit.as_of.isoformat(), "rules": list(audit.packs)},
            "results": results,
        }],
    }


def _waiver_reason(audit, finding, lang: str = "en") -> str:
    """The justification of a waived finding: its waiver's reason, approver and expiry,
    in the report's language (the words of the HTML report's waiver table)."""
    for w in audit.waivers:
        if w["rule"] == finding.rule and w["flow"] == finding.flow and \
                w.get("item") in (None, finding.subject) and w.get("state") == "active":
            reason, by, until = w.get("reason", ""), w.get("approved_by", ""), w.get("expires_on", "")
            if lang == "ja":
                return f"{reason}（承認者: {by}、期限: {until}）"
            return f"{reason} (approved by {by}, expires {until})"
    return "棚卸しの承認による" if lang == "ja" else "waived in the inventory"


def render(audit, *, baseline=None, lang: str = "en", root: str | Path | None = None) -> str:
    """The SARIF log of ``audit`` as JSON text (see :func:`as_sarif`).

    Example:
        >>> import json, lineage
        >>> log = json.loads(render(lineage.check("inventories/monocollabo"), lang="ja"))
        >>> log["$schema"] == SCHEMA_URI, log["runs"][0]["results"][0]["message"]["text"]
        (True, '項目 phone は共同利用の通知・公表 J1 にありません。')
    """
    return dumps(as_sarif(audit, baseline=baseline, lang=lang, root=root))
