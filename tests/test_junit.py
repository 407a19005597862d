"""JUnit XML output: one test case per flow."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from paths import SAMPLE


def test_one_case_per_flow_failures_for_violations(run_cli):
    res = run_cli("check", SAMPLE, "--format", "junit", expect=1)
    assert res.stdout.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')
    root = ET.fromstring(res.stdout)
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("48", "8", "0")
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases][:3] == ["F01", "F02", "F03"]
    assert len(cases) == 48
    failed = [c.get("name") for c in cases if c.find("failure") is not None]
    assert failed == ["F30", "F31", "F33", "F36", "F38", "F39", "F41", "F44"]
    f44 = suite.find("testcase[@name='F44']")
    failure = f44.find("failure")
    assert failure.get("type") == "TP203"
    assert failure.get("message").startswith("2 findings: item address, entrusted to")
    assert "TP203:F44:address [1.5] error: item address" in failure.text
    assert "TP203:F44:name [1.5] error: item name" in failure.text
    assert f44.get("file").endswith("flows.yaml") and f44.get("line").isdigit()
    props = {p.get("name"): p.get("value") for p in f44.find("properties")}
    assert props == {"from": "mailing-house", "to": "mailing-affiliate", "route": "external",
                     "status": "violation"}
    f37 = suite.find("testcase[@name='F37']")  # waived: passes, listed in system-out
    assert f37.find("failure") is None
    assert "TP102:F37:C05 [5[1]] error (waived)" in f37.find("system-out").text


def test_deterministic_and_fail_on(run_cli):
    a = run_cli("check", SAMPLE, "--format", "junit", expect=1).stdout
    b = run_cli("check", SAMPLE, "--format", "junit", expect=1).stdout
    assert a == b and "timestamp" not in a
    res = run_cli("check", SAMPLE, "--format", "junit", "--select", "TP222", "--exit-zero")
    root = ET.fromstring(res.stdout)
    assert root.get("failures") == "1"
