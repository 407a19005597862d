"""``lineage draw --trace ITEM [--from PARTY]`` and ``--impact PARTY``: a lineage
question's answer drawn with its routes highlighted.

The expected edge sets come from :mod:`lineage.analysis` (the same functions
``lineage trace`` and ``lineage impact`` use), and are also spelled out, so a
change in either the analysis or the drawing shows up here.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest

import lineage
from lineage.analysis import impact, stop, trace, trace_subgraph
from lineage.drawing import DrawingError, draw
from lineage.drawing.style import HIGHLIGHT_COLOUR, STATUS_STYLE, highlight_style
from paths import SAMPLE

SVG = "{http://www.w3.org/2000/svg}"

EMAIL_REACH = {"F01", "F02", "F03", "F05", "F06", "F12", "F15", "F17", "F18", "F21", "F22",
               "F25", "F27", "F28", "F30", "F31", "F34", "F38", "F43", "F45", "F48"}
EMAIL_ROUTES = {"F12", "F15", "F17", "F28", "F31", "F34", "F38", "F43", "F45", "F48"}


@pytest.fixture(scope="module")
def audit():
    return lineage.check(SAMPLE)


def _edges(text: str) -> dict[str, str]:
    """Flow ID -> its DOT edge line."""
    return {m.group(1): line for line in text.splitlines()
            if (m := re.search(r' -> .*\bid="flow-([^"]+)"', line))}


def _attr(line: str, name: str) -> str | None:
    m = re.search(rf'\b{name}="((?:[^"\\]|\\.)*)"', line)
    return m.group(1) if m else None


def _highlighted(text: str) -> set[str]:
    return {k for k, line in _edges(text).items() if " highlight" in _attr(line, "class")}


def _draw_cli(run_cli, tmp_path, *args, name="q.dot") -> str:
    out = tmp_path / name
    res = run_cli("draw", SAMPLE, "-o", out, *args)
    assert res.stderr in (f"map written to {out}\n", f"図を {out} に書き出しました\n")
    return out.read_text(encoding="utf-8")


def _assert_highlight_style(text: str, audit, marked: set[str]) -> None:
    status = {r.id: r.status for r in audit.flow_results}
    for k, line in _edges(text).items():
        if k in marked:
            want = highlight_style(status[k])
            assert _attr(line, "color") == want["color"], k
            assert _attr(line, "penwidth") == want["penwidth"], k
            assert "★ path" in _attr(line, "label") or "★ 伝播経路" in _attr(line, "label")
        else:
            assert _attr(line, "color") == STATUS_STYLE[status[k]]["color"], k
            assert "★" not in _attr(line, "label")


# -- --trace ---------------------------------------------------------------------------

def test_trace_draws_exactly_the_reach(run_cli, tmp_path, audit):
    text = _draw_cli(run_cli, tmp_path, "--trace", "email")
    g, marked = trace_subgraph(audit.inventory, "email", audit=audit)
    assert set(_edges(text)) == {k for *_, k in g.edges(keys=True)} == EMAIL_REACH
    assert _highlighted(text) == set(marked) == EMAIL_ROUTES
    # the highlighted flows are the routes of the trace table
    paths = trace(SAMPLE, "email").table.path
    assert {f for path in paths for f in path} == EMAIL_ROUTES
    _assert_highlight_style(text, audit, EMAIL_ROUTES)
    assert 'F31: ' in _edges(text)["F31"] and "violation TP301" in _edges(text)["F31"]
    parties = set(re.findall(r'^  +"([^"]+)" \[id="party-', text, re.M))
    assert parties == set(g.nodes)
    assert "where Email address can go from the data subjects and the organisation" in text
    assert "★ path: a shortest route of the item to each party it reaches" in text


def test_trace_from_a_party(run_cli, tmp_path, audit):
    text = _draw_cli(run_cli, tmp_path, "--trace", "address", "--from", "mailing-house")
    assert set(_edges(text)) == _highlighted(text) == {"F11", "F24", "F44"}
    assert _highlighted(text) == set(trace_subgraph(audit.inventory, "address",
                                                    frm="mailing-house")[1])
    start = next(line for line in text.splitlines() if line.strip().startswith(
        '"mailing-house" ['))
    assert 'class="party role-outsourcee focus"' in start and 'peripheries="2"' in start
    assert f'color="{HIGHLIGHT_COLOUR}:{STATUS_STYLE["violation"]["color"]}:' in \
        _edges(text)["F44"]


def test_trace_from_a_party_that_passes_nothing_on(run_cli, tmp_path):
    text = _draw_cli(run_cli, tmp_path, "--trace", "address", "--from", "print-shop")
    assert _edges(text) == {} and '"print-shop" [id="party-print-shop"' in text


def test_trace_respects_as_of_and_depth(run_cli, tmp_path, audit):
    day = dt.date(2024, 6, 30)
    text = _draw_cli(run_cli, tmp_path, "--trace", "email", "--as-of", day.isoformat())
    past = lineage.check(SAMPLE, as_of=day)
    g, marked = trace_subgraph(past.inventory, "email", as_of=day, audit=past)
    assert set(_edges(text)) == {k for *_, k in g.edges(keys=True)}
    assert "F31" not in _edges(text) and "F43" not in _edges(text)
    assert _highlighted(text) == set(marked) == {"F12", "F15", "F17", "F28", "F34"}
    one = _draw_cli(run_cli, tmp_path, "--trace", "address", "--from", "customers",
                    "--depth", "1")
    assert set(_edges(one)) == _highlighted(one) == {"F02"}
    full = _draw_cli(run_cli, tmp_path, "--trace", "address", "--from", "customers")
    # 14 and 11 before lineage followed legal entities: the media division holds the
    # address too, and its flows F16 and F26 carry it on
    assert len(_edges(full)) == 17 and len(_highlighted(full)) == 13


def test_trace_japanese_and_merged(run_cli, tmp_path):
    text = _draw_cli(run_cli, tmp_path, "--trace", "email", "--lang", "ja", "--merge")
    assert "メールアドレスの到達範囲（起点: 本人と組織" in text
    assert "★ 伝播経路: 到達する各当事者への最短の伝播経路" in text
    # parallel flows merge; an edge is highlighted when any of its flows is
    assert len(_edges(text)) == 19 and "★ 伝播経路" in _edges(text)["F12"]


def test_trace_dot_parses_and_renders_svg(tmp_path, audit):
    drawing = draw(audit, trace="email", lang="ja")
    proc = subprocess.run(["dot", "-Tcanon"], input=drawing.source.encode(),
                          capture_output=True)
    assert proc.returncode == 0 and proc.stderr == b"", proc.stderr
    out = tmp_path / "trace.svg"
    assert drawing.save(out) == []
    root = ET.parse(out).getroot()
    edges = {g.get("id")[len("flow-"):]: g for g in root.iter(f"{SVG}g")
             if "edge" in (g.get("class") or "").split()}
    assert set(edges) == EMAIL_REACH
    for fid, g in edges.items():
        strokes = [p.get("stroke") for p in g.iter(f"{SVG}path")]
        if fid in EMAIL_ROUTES:
            assert "highlight" in g.get("class").split()
            assert strokes[0] == strokes[2] == HIGHLIGHT_COLOUR and len(strokes) == 3
        else:
            assert HIGHLIGHT_COLOUR not in strokes
    assert "★ 伝播経路" in "".join(root.itertext())


def test_trace_is_deterministic_and_matches_python(run_cli, tmp_path, audit):
    text = _draw_cli(run_cli, tmp_path, "--trace", "address", "--from", "customers",
                     "--lang", "ja")
    assert text == draw(SAMPLE, trace="address", trace_from="customers", lang="ja").source
    assert text == audit.draw(trace="address", trace_from="customers", lang="ja").source


# -- --impact ----------------------------------------------------------------------------

def test_impact_draws_the_blast_radius(run_cli, tmp_path, audit):
    text = _draw_cli(run_cli, tmp_path, "--impact", "mailing-house")
    r = impact(SAMPLE, "mailing-house")
    assert set(_edges(text)) == {k for *_, k in r.graph.edges(keys=True)} == {"F11", "F44"}
    assert _highlighted(text) == set(r.highlight) == {"F11", "F44"}
    _assert_highlight_style(text, audit, {"F11", "F44"})
    leak = next(line for line in text.splitlines() if line.strip().startswith(
        '"mailing-house" ['))
    assert " focus" in leak and 'peripheries="2"' in leak
    assert "impact of a leak at Sendworks (mailing house)" in text
    assert "route of the leaked data to each recipient" in text


def test_impact_dot_parses_and_renders_svg(run_cli, tmp_path):
    out = tmp_path / "impact.svg"
    run_cli("draw", SAMPLE, "-o", out, "--impact", "mailing-house", "--lang", "ja")
    root = ET.parse(out).getroot()
    marked = {g.get("id") for g in root.iter(f"{SVG}g")
              if "highlight" in (g.get("class") or "").split()}
    assert marked == {"flow-F11", "flow-F44"}
    proc = subprocess.run(["dot", "-Tcanon"], input=draw(
        SAMPLE, impact="mailing-house", lang="ja").source.encode(), capture_output=True)
    assert proc.returncode == 0 and proc.stderr == b""


def test_impact_of_a_party_that_leaks_to_nobody(run_cli, tmp_path):
    text = _draw_cli(run_cli, tmp_path, "--impact", "print-shop")
    assert _edges(text) == {} and '"print-shop" [id="party-print-shop"' in text


def test_any_query_result_can_be_drawn(audit):
    s = stop(audit, consent="C05")
    d = draw(audit, query=s)
    assert {(k, e["highlight"]) for *_, k, e in d.graph.edges(keys=True, data=True)} == \
        {("F37", True)}
    assert "stop answer" in d.source


# -- errors ------------------------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (["--trace", "nope"], "unknown item 'nope'"),
    (["--trace", "email", "--from", "nobody"], "unknown party 'nobody'"),
    (["--impact", "nobody"], "unknown party 'nobody'"),
    (["--from", "customers"], "--from needs --trace ITEM"),
    (["--trace", "email", "--impact", "mailing-house"],
     "--trace and --impact cannot be combined; draw one question at a time"),
    (["--trace", "email", "--item", "phone"],
     "--trace cannot be combined with --item (--trace already chooses the flows)"),
    (["--trace", "email", "--party", "customers"],
     "--trace cannot be combined with --party (use --from PARTY to start the trace there)"),
    (["--trace", "email", "--route", "consent"],
     "--trace cannot be combined with --route (--trace already chooses the flows)"),
    (["--trace", "email", "--only-violations"], "--trace cannot be combined with "
     "--only-violations (violations keep their colours in the drawing)"),
    (["--impact", "mailing-house", "--party", "customers"],
     "--impact cannot be combined with --party (--impact already chooses the flows)"),
    (["--impact", "mailing-house", "--depth", "2"], "--depth does not apply to --impact"),
    (["--trace", "email", "--depth", "0"], "--depth must be 1 or more with --trace, got 0"),
])
def test_bad_question_one_line_exit_2(run_cli, tmp_path, args, message):
    res = run_cli("draw", SAMPLE, "-o", tmp_path / "q.svg", *args, expect=2)
    assert res.stderr == f"error: {message}\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kwargs, message", [
    ({"trace": "nope"}, "unknown item 'nope'"),
    ({"impact": "nobody"}, "unknown party 'nobody'"),
    ({"trace_from": "customers"}, "trace_from= needs trace="),
    ({"trace": "email", "impact": "mailing-house"}, "trace= cannot be combined with impact="),
    ({"impact": "mailing-house", "only_violations": True},
     "impact= cannot be combined with only_violations="),
    ({"impact": "mailing-house", "depth": 1}, "depth= does not apply to impact="),
    ({"trace": "email", "depth": 0}, "depth must be 1 or more with trace=, got 0"),
])
def test_bad_question_in_python(audit, kwargs, message):
    with pytest.raises(DrawingError) as info:
        draw(audit, **kwargs)
    assert str(info.value) == message
