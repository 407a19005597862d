"""The flow records' text written from columns equals the standard encoder's text.

:class:`lineage.output.jsonreport._FlowText` writes each batch of the report's flows
from the flow table's columns (IDs as they are, each distinct rest and outcome's
text once) instead of a dict per record. These compare it with
``json.dumps(record, indent=2, ensure_ascii=False)`` of the same records on
generated columns: every code point in IDs, parties, items and finding IDs (quotes,
backslashes, control characters, U+2028, astral characters, lone surrogates),
empty lists and lists of one empty string, str subclasses, values of other types
(which must be refused, so the records' writer writes them), dates and None, one
pack and several, at several levels. Fixed seed, bounded sample.
"""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lineage
from lineage.output.jsonreport import FlowTable, _FlowText, _NO_FINDING, dumps
from lineage.result import _OK, FlowColumns
from lineage.terms import natural_key
from inventory_strategies import build, inventories


def _fixed(n: int):
    return settings(max_examples=n, derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


class Name(str):
    """A str subclass whose str() differs from its text (json writes the text)."""

    def __str__(self):
        return "not this"


#: Every code point, surrogates and control characters included, and plain IDs.
TEXT = st.text(st.characters(exclude_categories=()), max_size=6)
IDS = st.from_regex(r"[A-Za-z][A-Za-z0-9_.\-]{0,6}", fullmatch=True)
STRING = IDS | IDS | TEXT | st.sampled_from(["", '"', "\\", "\n", "\u2028", "\ud800", "モノ"])
ODD = st.sampled_from([1, 1.5, None, True, b"x", ("a",)])
STRINGS = st.lists(STRING, max_size=3)
LISTS = STRINGS | STRINGS.map(tuple) | st.lists(STRING | ODD, max_size=3)
DATES = st.dates(dt.date(1999, 1, 1), dt.date(2030, 12, 31))
OUTCOMES = st.one_of(
    st.just(_OK),
    st.tuples(st.sampled_from(["violation", "warning", "waived"]),
              st.lists(STRING, min_size=1, max_size=3).map(tuple)))
PACKS = [{"policy": "ok"}, {"policy": "violation", "appi": "ok"}, {}]

FLOW = st.fixed_dictionaries({
    "id": STRING | st.just(7), "frm": STRING, "to": STRING,
    "items": LISTS.filter(bool) | LISTS, "purposes": LISTS,
    "basis": st.none() | st.sampled_from(["consent", "law"]) | STRING | st.just(3),
    "start": DATES | st.none(),
    "end": st.none() | DATES | st.datetimes().map(lambda d: d),
    "route": st.sampled_from(["collection", "outsourcing", "none"]) | STRING,
    "outcome": OUTCOMES, "pack": st.sampled_from([0, 1, 2, None]),
    "subclass": st.sampled_from([(), ("frm",), ("id", "to"), ("items",)])})


def _unique_ids(flows: list) -> None:
    """Flow IDs made unique (as the loader ensures: the flows with findings are keyed
    by them), and the fields ``subclass`` names made :class:`Name` strings (drawn
    as plain strings: hypothesis keeps what it draws)."""
    for n, flow in enumerate(flows):
        if isinstance(flow["id"], str):
            flow["id"] += f"#{n}"
        for name in flow.pop("subclass"):
            value = flow[name]
            if type(value) is str:
                flow[name] = Name(value)
            elif type(value) is list and all(type(v) is str for v in value):
                flow[name] = [Name(v) for v in value]


def _record(flow: dict, packs: bool) -> dict:
    status, found = flow["outcome"]
    record = {"id": flow["id"], "from": flow["frm"], "to": flow["to"],
              "items": list(flow["items"]), "purposes": list(flow["purposes"]),
              "basis": flow["basis"],
              "start": flow["start"].isoformat() if flow["start"] else flow["start"],
              "end": flow["end"].isoformat() if flow["end"] else None,
              "route": flow["route"], "status": status, "findings": list(found)}
    if packs and flow["pack"] is not None:
        record["status_by_pack"] = PACKS[flow["pack"]]
    return record


def _columns(flows: list, packs: bool, with_outcome: bool) -> FlowColumns:
    def column(name):
        return tuple(f[name] for f in flows)
    return FlowColumns(column("id"), column("frm"), column("to"), column("items"),
                       column("purposes"), column("basis"), column("start"), column("end"),
                       column("route"), column("outcome") if with_outcome else None,
                       tuple(None if f["pack"] is None else PACKS[f["pack"]] for f in flows)
                       if packs else None)


def _audit(flows: list, packs: bool):
    """What the writer reads of a result: its packs and the flows with findings."""
    flagged = {f["id"]: f["outcome"] for f in flows if f["outcome"] is not _OK}
    ids = [f["id"] for f in flows]
    # as the result says it: the table (these flows) in natural ID order, each once
    in_order = all(type(i) is str for i in ids) and len(set(ids)) == len(ids) and (
        ids == sorted(ids, key=natural_key))
    return SimpleNamespace(side_by_side=packs,
                           _pack_kinds={id(d): d for d in PACKS} if packs else None,
                           flagged_flows=lambda: flagged, flagged_in_order=in_order)


def _standard_records(records: list, level: int) -> str:
    pad = "  " * level
    return (",\n" + pad).join(json.dumps(r, indent=2, ensure_ascii=False).replace(
        "\n", "\n" + pad) for r in records)


@_fixed(400)
@given(st.lists(FLOW, min_size=1, max_size=8), st.booleans(), st.booleans(),
       st.integers(1, 3))
def test_a_batch_is_the_standard_text_of_its_records_or_refused(flows, packs, with_outcome,
                                                               level):
    _unique_ids(flows)
    records = [_record(f, packs) for f in flows]
    text = _FlowText(level, _audit(flows, packs)).batch(_columns(flows, packs, with_outcome))
    if text is None:  # refused: only for a value the standard encoder writes otherwise
        # or refuses (the records' writer then does either), or a string json escapes
        return
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    assert text == _standard_records(records, level)


#: Strings json writes as they are: any but quotes, backslashes, control characters
#: and surrogates (U+2028, astral and Japanese characters, empty strings included).
SAFE_TEXT = st.text(st.characters(exclude_categories=("Cc", "Cs"),
                                  exclude_characters='"\\'), max_size=6) | IDS
SAFE = SAFE_TEXT
SAFE_LISTS = st.lists(SAFE, max_size=3) | st.lists(SAFE, max_size=3).map(tuple)
SAFE_FLOW = st.fixed_dictionaries({
    "id": SAFE, "frm": SAFE, "to": SAFE, "items": SAFE_LISTS, "purposes": SAFE_LISTS,
    "basis": st.none() | SAFE_TEXT, "start": DATES, "end": st.none() | DATES,
    "route": SAFE_TEXT,
    "outcome": st.just(_OK) | st.tuples(st.sampled_from(["violation", "warning"]), st.lists(
        SAFE_TEXT, min_size=1, max_size=3).map(tuple)),
    "pack": st.sampled_from([0, 1, 2, None]),
    "subclass": st.sampled_from([(), ("frm",), ("id", "to"), ("items",)])})


@_fixed(300)
@given(st.lists(SAFE_FLOW, min_size=1, max_size=8), st.booleans(), st.booleans(),
       st.integers(1, 3), st.booleans())
def test_flows_of_strings_json_writes_as_they_are_are_written_from_their_columns(
        flows, packs, with_outcome, level, in_order):
    _unique_ids(flows)
    if in_order:  # the table's order: the flows with findings are taken along
        flows.sort(key=lambda f: natural_key(f["id"]))
    # the one refusal: subclasses of str in a batch whose lists are not all written as
    # they are (an empty one among them), whose texts are kept by value
    subclass = any(type(v) is Name for f in flows for v in (*f["items"], *f["purposes"]))
    writer = _FlowText(level, _audit(flows, packs))
    half = len(flows) // 2 or 1
    for batch in (flows[:half], flows[half:]):  # the table's batches, one writer
        if not batch:
            continue
        text = writer.batch(_columns(batch, packs, with_outcome))
        if text is None and subclass:
            return
        assert isinstance(text, bytes)
        assert text.decode("utf-8") == _standard_records(
            [_record(f, packs) for f in batch], level)


def test_plain_flows_are_written_from_their_columns_not_refused():
    flows = [{"id": f"F{n}", "frm": "mc", "to": Name("partner"), "items": ["name", "mail"],
              "purposes": [] if n % 2 else ("p1",), "basis": None if n % 3 else "consent",
              "start": dt.date(2025, 1, n + 1), "end": None if n % 2 else dt.date(2026, 1, 1),
              "route": "outsourcing", "outcome": _OK if n % 2 else ("violation", ("TP101:F1",)),
              "pack": n % 3} for n in range(6)]
    for packs in (False, True):
        for with_outcome in (False, True):
            writer = _FlowText(2, _audit(flows, packs))
            text = writer.batch(_columns(flows, packs, with_outcome))
            assert isinstance(text, bytes)
            assert text.decode() == _standard_records([_record(f, packs) for f in flows], 2)
    # a string json escapes, a value of another type: refused, for the careful path
    for field, value in (("id", 'F"1'), ("frm", "a\x00"), ("items", ["a\\b"]),
                         ("items", [1]), ("basis", 1), ("start", "2025-01-01"),
                         ("end", dt.datetime(2025, 1, 1))):
        odd = [dict(flows[0], **{field: value})] + flows[1:]
        assert _FlowText(2, _audit(odd, False)).batch(_columns(odd, False, True)) is None


def test_a_lone_surrogate_gives_the_text_json_gives():
    flows = [{"id": "F1\ud800", "frm": "mc", "to": "x", "items": ["a"], "purposes": [],
              "basis": None, "start": dt.date(2025, 1, 1), "end": None, "route": "none",
              "outcome": ("violation", ("TP101:F1\ud800",)), "pack": None}]
    text = _FlowText(1, _audit(flows, False)).batch(_columns(flows, False, False))
    assert text is None or text == _standard_records([_record(flows[0], False)], 1)


def test_the_outcome_of_no_finding_is_the_results():
    assert _NO_FINDING == _OK


@_fixed(30)
@given(st.lists(st.tuples(st.integers(0, 47), STRING, LISTS, STRING), max_size=5),
       st.integers(1, 9))
def test_the_report_of_changed_flows_is_json_whichever_path_each_batch_takes(changes, size):
    audit = lineage.check("inventories/monocollabo", packs=("policy", "appi"))
    for n, text, items, route in changes:
        vars(audit.inventory.flows[n]).update(frm=text, items=items)
    expected = [r.as_dict() for r in audit.flow_results]
    assert dumps(FlowTable(audit, size)) == json.dumps(
        expected, indent=2, ensure_ascii=False) + "\n"


def test_the_flows_with_findings_are_taken_in_order_batch_by_batch():
    # The writer walks the flows with findings along the table; one that is on no
    # flow of the table (between two that are) is passed over, as no record shows it.
    audit = lineage.check("inventories/monocollabo", packs=("policy", "appi"))
    expected = dumps([r.as_dict() for r in audit.flow_results])
    assert audit.flagged_in_order
    flagged = dict(audit._flagged)
    flagged["F25a"] = ("violation", ("TP101:F25a",))
    flagged["G1"] = ("violation", ("TP101:G1",))
    flagged[""] = ("warning", ("TP101:",))
    audit._flagged = dict(sorted(flagged.items(), key=lambda kv: natural_key(kv[0])))
    del audit.flagged_in_order
    assert audit.flagged_in_order
    for size in (1, 2, 7, 48):
        assert dumps(FlowTable(audit, size)) == expected
    # out of order: every flow looked up instead, the same text
    audit._flagged = dict(reversed(list(audit._flagged.items())))
    del audit.flagged_in_order
    assert not audit.flagged_in_order
    for size in (1, 7):
        assert dumps(FlowTable(audit, size)) == expected


@_fixed(30)
@given(inventories(), st.sampled_from([("policy",), ("policy", "appi"), ("appi",)]))
def test_the_engines_flows_with_findings_are_the_results_worked_out_again(data, packs):
    # The engine works out each flow's status and finding IDs as it orders the
    # findings; the result's own pass over its findings gives the same, in order.
    from lineage.result import _flagged
    audit = lineage.check(build(data), packs=packs)
    assert list(audit._flagged.items()) == list(_flagged(audit.results).items())
    sample = lineage.check("inventories/monocollabo", packs=packs)
    assert list(sample._flagged.items()) == list(_flagged(sample.results).items())
