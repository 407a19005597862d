"""The analysts' workbench: the Python API, its notebook display, and the JSON Schema."""

from __future__ import annotations

import datetime as dt
import json
import re

import jsonschema
import networkx as nx
import pandas as pd
import pytest
import yaml

import lineage
from lineage import analysis
from lineage.model.jsonschema import inventory_schema, schema_text

from paths import ROOT, SAMPLE

DOCS = ROOT / "docs"


@pytest.fixture(scope="module")
def audit():
    return lineage.load(SAMPLE).check()


# -- the API ---------------------------------------------------------------------------
def test_findings_frame_has_categories_and_both_languages(audit):
    f = audit.findings
    for col in ("rule", "kind", "severity", "route"):
        assert isinstance(f[col].dtype, pd.CategoricalDtype), col
    for col in ("message", "message_ja", "remedy", "remedy_ja", "title", "title_ja",
                "kind_ja", "route_ja"):
        assert f[col].map(lambda v: isinstance(v, str) and v != "").all(), col
    row = f.set_index("id").loc["TP203:F44:name"]
    assert (row.route, row.route_ja, row.kind_ja) == ("external", "外部", "再提供")
    assert f.columns[:4].tolist() == ["id", "rule", "clause", "kind"]
    assert int((~f.waived & (f.severity == "error")).sum()) == 9


def test_flows_frame_has_japanese_route_and_status(audit):
    fl = audit.flows
    for col in ("route", "status", "route_ja", "status_ja"):
        assert isinstance(fl[col].dtype, pd.CategoricalDtype), col
    row = fl.set_index("id").loc["F30"]
    assert (row.route, row.route_ja, row.status, row.status_ja) == \
        ("joint_use", "共同利用", "violation", "違反")
    assert fl.status_ja.value_counts()["違反"] == 8


def test_graph_and_drawing(audit):
    assert isinstance(audit.graph, nx.MultiDiGraph)
    assert audit.graph.number_of_edges() == len(audit.inventory.flows)
    assert "<svg" in audit.draw(only_violations=True)._repr_svg_()


def test_questions_delegate_to_the_analysis(audit):
    assert audit.trace("address", frm="customers").as_dict() == \
        analysis.trace(SAMPLE, "address", frm="customers").as_dict()
    assert audit.impact("mailing-house").as_dict() == \
        analysis.impact(SAMPLE, "mailing-house").as_dict()
    assert audit.upstream("carrier").as_dict() == analysis.upstream(SAMPLE, "carrier").as_dict()
    assert audit.stop(consent="C05").as_dict() == \
        analysis.stop(SAMPLE, consent="C05").as_dict()


def test_diff_between_audits(audit):
    earlier = lineage.check(SAMPLE, as_of=dt.date(2025, 1, 1))
    d = earlier.diff(audit)
    assert [f["id"] for f in d.new] == ["TP301:F31:J2@2025-04-01"] and not d.resolved
    assert audit.diff(audit).is_empty()
    assert audit.diff(SAMPLE).is_empty()  # a path is checked now


def test_audit_shows_a_short_html_summary(audit):
    html = audit._repr_html_()
    assert len(html) < 2000 and "<table>" in html
    assert "violation: 8" in html and "TP203 × 2" in html
    assert repr(audit).startswith("<Audit monocollabo")


def test_every_command_has_a_python_equivalent_in_the_docs():
    from lineage.cli import cli
    text = (DOCS / "workbench.md").read_text(encoding="utf-8")
    table = text.split("## The Python API mirrors the CLI", 1)[1].split("\n## ", 1)[0]
    for name in cli.list_commands(None):
        assert f"`lineage {name}" in table, name
    for name in ("load", "check", "convert", "template", "schema", "draw", "snapshot", "diff"):
        assert f"lineage.{name}(" in table, name
        assert callable(getattr(lineage, name))


# -- the JSON Schema ------------------------------------------------------------------------
@pytest.mark.parametrize("name, fragment", [("inventory.schema.json", False),
                                            ("inventory-part.schema.json", True)])
def test_committed_schema_is_fresh(name, fragment, run_cli):
    committed = (DOCS / name).read_text(encoding="utf-8")
    assert committed == schema_text(fragment=fragment), \
        f"docs/{name} is stale: run `lineage schema {'--fragment ' if fragment else ''}" \
        f"-o docs/{name}`"
    args = ["schema"] + (["--fragment"] if fragment else [])
    assert run_cli(*args).stdout == committed


def _editor_view(path) -> dict:
    """The sample as a YAML 1.2 editor sees it: dates are text."""
    def plain(v):
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        if isinstance(v, list):
            return [plain(x) for x in v]
        return v.isoformat() if isinstance(v, dt.date) else v
    data = {}
    for file in sorted(path.glob("*.yaml")):
        data.update(plain(yaml.safe_load(file.read_text(encoding="utf-8"))))
    return data


def test_schema_accepts_the_sample_and_catches_typos():
    schema = inventory_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema,
                                                format_checker=jsonschema.FormatChecker())
    data = _editor_view(SAMPLE)
    assert list(validator.iter_errors(data)) == []
    data["parties"][0]["role"] = "vendor"
    data["flows"][0]["colour"] = "red"
    data["flows"][1]["start"] = "1/4/2024"
    data["parties"][1]["id"] = "bad id"
    data["notices"][0]["kind"] = "opt-out"
    messages = sorted(e.message for e in validator.iter_errors(data))
    assert len(messages) >= 5
    text = "\n".join(messages)
    for needle in ("'vendor' is not one of", "('colour' was unexpected)", "'1/4/2024'",
                   "'bad id' does not match", "'opt-out' is not one of"):
        assert needle in text, needle


def test_fragment_schema_validates_one_file_of_a_folder():
    validator = jsonschema.Draft202012Validator(inventory_schema(fragment=True))
    parties = yaml.safe_load((SAMPLE / "parties.yaml").read_text(encoding="utf-8"))
    assert list(validator.iter_errors(parties)) == []
    full = jsonschema.Draft202012Validator(inventory_schema())
    assert {e.validator for e in full.iter_errors(parties)} == {"required"}


def test_schema_descriptions_carry_the_japanese_labels():
    schema = inventory_schema()
    flow = schema["$defs"]["Flow"]["properties"]
    assert flow["from"]["description"] == "提供元 (from)"
    assert flow["basis"]["anyOf"][0]["enum"][0] == "consent"
    assert schema["properties"]["flows"]["description"] == "データの流れ (flows)"


def test_schema_output_file(tmp_path, run_cli):
    out = tmp_path / "s.json"
    run_cli("schema", "-o", out)
    assert json.loads(out.read_text(encoding="utf-8"))["title"].startswith("lineage inventory")


def test_docs_show_the_editor_hook():
    text = (DOCS / "workbench.md").read_text(encoding="utf-8")
    assert '"yaml.schemas"' in text and "inventory.schema.json" in text
    assert "# yaml-language-server: $schema=" in text
    for command in ("lineage convert", "lineage template", "--format xlsx", "lineage schema"):
        assert command in text, command
    assert re.search(r"notebooks/0\d-", text)


def _ecma_match(pattern: str, text: str) -> bool:
    """A pattern as JSON Schema reads it (ECMA-262: ``\\d`` is ASCII only)."""
    import re
    return re.search(pattern, text, re.ASCII) is not None


@pytest.mark.parametrize("text", [
    "2024-04-01", "2024/4/1", "2024/04/01", "2024年4月1日",
    "２０２４-０４-０１", "２０２４/４/１", "２０２４年４月１日", "2024年４月1日",
    # what spreadsheets show (the trial of round 13)
    "2024-4-1", "2024.04.01", "2024年4月1日(月)", "2024年4月1日（月曜日）", "2024/4/1 0:00",
    # the review of round 13: the weekday before the time, and ISO's midnight
    "2024/4/1(月) 0:00", "2024-04-01T00:00", "2024-04-01T00:00:00", "2024-04-01T00:00:00.000"])
def test_schema_accepts_every_date_form_the_loader_reads(text):
    """inventory.md: dates may be written 2024/04/01 or 2024年4月1日, "and full-width digits
    count as digits"; an editor's schema must not reject what lineage reads."""
    from lineage.model.schema import parse_date
    assert parse_date(text).isoformat() == "2024-04-01"
    pattern = inventory_schema()["$defs"]["Flow"]["properties"]["start"]["pattern"]
    assert _ecma_match(pattern, text)
    validator = jsonschema.Draft202012Validator(inventory_schema(fragment=True))
    flow = {"id": "F1", "from": "a", "to": "b", "items": ["name"], "start": text}
    assert list(validator.iter_errors({"flows": [flow]})) == []


@pytest.mark.parametrize("text", ["1/4/2024", "April 2024", "２０２４年４月", "2024/4/1 9:30",
                                  "45383", "2024-04-01T09:30", "2024-04-01T00:00:01",
                                  "2024-04-01T24:00", "2024/4/1 0:00(月)", "2024/4/1\n0:00"])
def test_schema_rejects_what_the_loader_rejects(text):
    from lineage.model.schema import DateFormError, parse_date
    with pytest.raises(DateFormError):
        parse_date(text)
    pattern = inventory_schema()["$defs"]["Flow"]["properties"]["start"]["pattern"]
    assert not _ecma_match(pattern, text)


def test_schema_refuses_the_country_codes_the_loader_refuses():
    # UK is refused by the loader (write GB); an editor's schema must say so too
    validator = jsonschema.Draft202012Validator(inventory_schema(fragment=True))
    party = {"id": "ldn", "country": "UK"}
    assert list(validator.iter_errors({"parties": [party]}))
    assert list(validator.iter_errors({"parties": [{**party, "country": "GB"}]})) == []
