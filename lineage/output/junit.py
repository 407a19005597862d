"""JUnit XML for CI dashboards: one test case per flow.

A flow fails when it has an unwaived finding at the ``fail_on`` level or worse;
its other findings (warnings below that level, waived ones) are listed in
``system-out``. Test case names are flow IDs, so a dashboard's history of a
flow survives renamed parties. No timestamps: the same audit gives the same bytes.

Example:
    >>> import lineage, xml.etree.ElementTree as ET
    >>> root = ET.fromstring(render(lineage.check("inventories/monocollabo")))
    >>> root.get("tests"), root.get("failures")
    ('48', '8')
    >>> root.find("testsuite/testcase[@name='F44']/failure").get("type")
    'TP203'
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..rules.clauses import clause_label
from ..terms import STATUS_WORDS, counted, route_label

__all__ = ["render"]

#: The words of the texts a dashboard shows, in the glossary's terms.
_WORDS = {
    "en": {"error": "error", "warning": "warning", "waived": " (waived)", "remedy": "remedy",
           "route": "route", "status": "status", "known": " (known)"},
    "ja": {"error": "違反", "warning": "警告", "waived": "（承認済み）", "remedy": "対応",
           "route": "経路", "status": "状態", "known": "（既知）"},
}


def _levels(fail_on: str) -> tuple[str, ...]:
    return {"error": ("error",), "warning": ("error", "warning")}[fail_on]


def _line(f, lang: str = "en") -> str:
    w = _WORDS[lang]
    tag = w["waived"] if f.waived else ""
    message = f.message_ja if lang == "ja" else f.message
    return f"{f.id} [{clause_label(f.clause, lang)}] {w.get(f.severity, f.severity)}{tag}: {message}"


def _failures(n: int, lang: str) -> str:
    if lang == "ja":
        return f"指摘 {n} 件"
    return counted(n, "finding")


def render(audit, fail_on: str = "error", lang: str = "en", baseline=None) -> str:
    """JUnit XML text of ``audit`` (``testsuites`` > one ``testsuite`` > a case per flow).

    With a ``baseline`` (:class:`~lineage.snapshots.baseline.Baseline`) a flow fails
    only for findings new to it, as the gate's exit code counts them; its known ones
    are listed in ``system-out``, marked (the trial of round 14: every violating flow
    was red, and none said which finding failed the job).

    Example:
        >>> import lineage
        >>> audit = lineage.check("inventories/monocollabo")
        >>> root = ET.fromstring(render(audit, fail_on="warning"))
        >>> case = root.find("testsuite/testcase[@name='F30']")
        >>> root.get("failures"), case.get("file"), case.find("failure").get("type")
        ('8', 'inventories/monocollabo/flows.yaml', 'TP222')
    """
    levels = _levels(fail_on)
    lang = "ja" if lang == "ja" else "en"
    w = _WORDS[lang]
    by_flow: dict[str, list] = {}
    for f in audit.results:
        by_flow.setdefault(f.flow, []).append(f)
    positions = {flow.id: i for i, flow in enumerate(audit.inventory.flows)}
    source = audit.inventory.source
    org = audit.inventory.organisation
    cases, failures = [], 0
    for row in audit.flow_results:
        findings = by_flow.get(row.id, [])
        failing = [f for f in findings if not f.waived and f.severity in levels
                   and (baseline is None or not baseline.known(f.id))]
        case = ET.Element("testcase", {"classname": f"lineage.{org}.flows", "name": row.id,
                                       "time": "0"})
        if source is not None and row.id in positions:
            loc = source.locate(("flows", positions[row.id]))
            case.set("file", loc.file)
            if loc.line is not None:
                case.set("line", str(loc.line))
        props = ET.SubElement(case, "properties")
        for name, value in (("from", row.frm), ("to", row.to), ("route", row.route),
                            ("status", row.status)):
            ET.SubElement(props, "property", {"name": name, "value": value})
        if failing:
            failures += 1
            first = failing[0]
            message = first.message_ja if lang == "ja" else first.message
            failure = ET.SubElement(case, "failure", {
                "type": first.rule,
                "message": f"{_failures(len(failing), lang)}: {message}"})
            failure.text = "\n".join(
                _line(f, lang) + f"\n  {w['remedy']}: {f.remedy_ja if lang == 'ja' else f.remedy}"
                for f in failing) + "\n"
        rest = [f for f in findings if f not in failing]
        route = route_label(row.route, lang) if lang == "ja" else row.route
        status = STATUS_WORDS[row.status][lang]
        out = [f"{row.id}: {row.frm} -> {row.to}, {w['route']} {route}, {w['status']} {status}"]
        out += [_line(f, lang) + (w["known"] if baseline is not None and not f.waived
                                  and baseline.known(f.id) else "") for f in rest]
        ET.SubElement(case, "system-out").text = "\n".join(out) + "\n"
        cases.append(case)
    counts = {"tests": str(len(cases)), "failures": str(failures), "errors": "0",
              "skipped": "0", "time": "0"}
    suites = ET.Element("testsuites", {"name": "lineage", **counts})
    suite = ET.SubElement(suites, "testsuite", {"name": f"lineage.{org}", **counts})
    props = ET.SubElement(suite, "properties")
    for name, value in (("organisation", org), ("as_of", audit.as_of.isoformat()),
                        ("rules", ",".join(audit.packs))):
        ET.SubElement(props, "property", {"name": name, "value": value})
    suite.extend(cases)
    ET.indent(suites, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(
        suites, encoding="unicode") + "\n"
