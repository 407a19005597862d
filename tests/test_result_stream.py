"""The report streamed from the flows equals the report built from the flow table.

``lineage check --format json`` writes the flows a batch at a time straight from the
inventory's flows, the routes and the findings (:meth:`AuditResult.flow_record_batches`),
counts the summary without a row per flow, and sorts flows with
:func:`lineage.terms.natural_sorted`. The careful path builds every
:class:`FlowResult` and encodes :meth:`AuditResult.as_dict` with the standard
encoder. These compare the two on generated inventories (fixed seed, bounded sample)
and on values only the standard encoder writes right.
"""

from __future__ import annotations

import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lineage
from inventory_strategies import build, inventories
from lineage.output import jsonreport
from lineage.terms import STATUSES, law_only, natural_key, natural_sorted


def _fixed(n: int):
    return settings(max_examples=n, derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _standard(data) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _summary_from_rows(audit) -> dict:
    """The summary as it was counted before: one pass over the flow table's rows."""
    status = {s: 0 for s in STATUSES}
    for r in audit.flow_results:
        status[r.status] += 1
    by_rule: dict[str, int] = {}
    for f in audit.results:
        by_rule[f.rule] = by_rule.get(f.rule, 0) + 1
    out = {"flows": len(audit.flow_results), "status": status,
           "findings": dict(sorted(by_rule.items()))}
    if audit.side_by_side:
        by_pack = {p: {s: 0 for s in STATUSES} for p in audit.packs}
        for r in audit.flow_results:
            for pack, st_ in r.status_by_pack.items():
                by_pack[pack][st_] += 1
        out["by_pack"] = by_pack
        if "policy" in audit.packs and "appi" in audit.packs:
            out["policy_ok_law_violation"] = sum(
                law_only(r.status_by_pack) for r in audit.flow_results)
    return out


def _written(audit) -> str:
    buf = io.BytesIO()
    jsonreport.write(audit, buf)
    return buf.getvalue().decode("utf-8")


def _same_report_both_ways(audit, size: int) -> None:
    careful = lineage.check(audit.inventory, as_of=audit.as_of, packs=audit.packs)
    streamed = [r for batch, _ in audit.flow_record_batches(size) for r in batch]
    assert json.loads(json.dumps(streamed)) == [r.as_dict() for r in careful.flow_results]
    assert all(len(batch) <= size for batch, _ in audit.flow_record_batches(size))
    assert audit.summary() == _summary_from_rows(careful)
    assert audit.policy_ok_law_violation == [
        r.id for r in careful.flow_results if law_only(r.status_by_pack)]
    assert _written(audit) == _standard(careful.as_dict())


@_fixed(40)
@given(inventories(), st.sampled_from([("policy",), ("policy", "appi"), ("appi",)]),
       st.integers(1, 5))
def test_the_streamed_report_equals_the_flow_tables_report(data, packs, size):
    audit = lineage.check(build(data), packs=packs)
    _same_report_both_ways(audit, size)


def test_the_sample_inventory_both_ways_and_in_every_batch_size():
    for packs in (("policy",), ("policy", "appi")):
        audit = lineage.check("inventories/monocollabo", packs=packs)
        for size in (1, 7, 48, 1000):
            _same_report_both_ways(audit, size)


def test_a_value_only_the_standard_encoder_writes_right_takes_the_standard_path():
    # A float (orjson writes 1e16 as 1e16, json as 1e+16) in a flow the model did not
    # validate: the batch is not plain, so it is written as json writes it.
    audit = lineage.check("inventories/monocollabo", packs=("policy", "appi"))
    flow = next(f for f in audit.inventory.flows if f.id == "F03")
    flow.items.append(1e16)
    batches = list(audit.flow_record_batches(10))
    assert [plain for _, plain in batches] == [False, True, True, True, True]
    text = _written(audit)
    assert "1e+16" in text
    assert text == _standard(audit.as_dict())


def test_a_finding_with_such_a_value_takes_the_standard_path():
    audit = lineage.check("inventories/monocollabo")
    odd = audit.results[3].replace(evidence=(("score", 1e16), ("seen", ("a", 2**70))))
    audit.results = audit.results[:3] + (odd,) + audit.results[4:]
    assert [plain for _, plain in audit.finding_record_batches(3)] == [True, False, True, True]
    records = [r for batch, _ in audit.finding_record_batches(3) for r in batch]
    # the same records but for tuples where finding_records copies into lists
    assert [json.dumps(r) for r in records] == [json.dumps(r) for r in audit.finding_records()]
    text = _written(audit)
    assert '"score": 1e+16' in text and str(2**70) in text
    assert text == _standard(audit.as_dict())


def test_the_flow_table_is_built_only_when_asked():
    audit = lineage.check("inventories/monocollabo")
    _written(audit)
    audit.summary()
    assert "flow_results" not in vars(audit)
    assert audit.flow_results[0].id == "F01" and "flow_results" in vars(audit)


IDS = st.from_regex(r"[A-Za-z_.\-@/]{0,3}[0-9]{0,4}([A-Za-z]{0,2}[0-9]{0,3})?", fullmatch=True) \
    .filter(bool)


@_fixed(300)
@given(st.lists(IDS, max_size=30))
def test_natural_sorted_is_the_natural_key_order(ids):
    # natural_key orders any IDs ("F" before "F1" too: it once raised TypeError there)
    assert natural_sorted(ids, key=str) == sorted(ids, key=natural_key)


def test_natural_key_orders_an_id_before_itself_with_a_number():
    ids = ["F1", "F", "F1a", "F01", "1", "", "F0", "F²", "F１２"]
    assert sorted(ids, key=natural_key) == ["", "1", "F", "F0", "F01", "F1", "F1a", "F１２",
                                            "F²"]
    assert natural_sorted(ids, key=str) == sorted(ids, key=natural_key)


@_fixed(200)
@given(st.lists(st.tuples(st.sampled_from(["F", "", "flow-", "G_"]),
                          st.integers(0, 10**6), st.sampled_from(["", "0", "00"])),
                max_size=40))
def test_natural_sorted_of_letters_then_a_number(parts):
    # the shape large inventories have, leading zeros and duplicates included
    ids = [f"{head}{zeros}{n}" for head, n, zeros in parts]
    records = [(i, n) for n, i in enumerate(ids)]
    assert natural_sorted(records, key=lambda r: r[0]) == sorted(
        records, key=lambda r: natural_key(r[0]))


def test_an_inventory_without_flows_both_ways():
    inv = build({"format": "lineage/1", "organisation": "mc",
                 "parties": [{"id": "mc", "role": "self"}], "flows": []})
    for packs in (("policy",), ("policy", "appi")):
        audit = lineage.check(inv, packs=packs)
        assert list(audit.flow_record_batches()) == []
        assert audit.summary()["status"] == {"ok": 0, "warning": 0, "violation": 0, "waived": 0}
        _same_report_both_ways(audit, 3)
        assert '"flows": [],' in _written(audit)


def test_flows_out_of_id_order_take_the_routes_by_look_up():
    # The routes are read along with the flows only while the engine's order (the
    # inventory's) is the ID order; a shuffled inventory gives the same report.
    import random
    inv = lineage.load("inventories/monocollabo")
    ordered = lineage.check(inv, packs=("policy", "appi"))
    flows = list(inv.flows)
    random.Random(4).shuffle(flows)
    shuffled = lineage.check(inv.model_copy(update={"flows": flows}), packs=("policy", "appi"))
    assert list(shuffled.routes) != [f.id for f in shuffled._ordered_flows]
    for size in (1, 5, 1000):
        _same_report_both_ways(shuffled, size)
    assert _written(shuffled) == _written(ordered)


def test_a_flow_that_is_not_exactly_a_flow_is_read_attribute_by_attribute():
    import types
    from lineage.result import _FLOW_FIELDS, _flow_columns

    class Renamed:  # any object with the fields, one computed
        def __init__(self, flow):
            vars(self).update(vars(flow))
            del vars(self)["frm"]

        @property
        def frm(self):
            return "renamed"

    inv = lineage.load("inventories/monocollabo")
    flow = inv.flows[0]
    odd, plain = Renamed(flow), types.SimpleNamespace(**vars(flow))
    assert _flow_columns([odd])[1] == ("renamed",)
    # the columns, read from the dicts of exactly Flows, else attribute by attribute
    for flows in ([flow, odd, plain], [odd], inv.flows, [plain, flow]):
        assert _flow_columns(flows) == list(zip(*map(_FLOW_FIELDS, flows)))
    assert _flow_columns([]) == [()] * 8
    # a field gone from a flow: the attribute's own error, as before
    broken = flow.model_copy()
    del broken.__dict__["basis"]
    try:
        _flow_columns([flow, broken])
    except AttributeError as exc:
        assert "basis" in str(exc)
    else:
        raise AssertionError("no error for a missing field")


def test_the_summary_counts_each_flow_once_whichever_way_it_counts():
    audit = lineage.check("inventories/monocollabo", packs=("policy", "appi"))
    expected = _summary_from_rows(audit)
    assert audit.summary() == expected
    # the routes not one per flow (as after a change behind the result's back):
    # counted flow by flow, the same numbers
    audit.routes = dict(list(audit.routes.items())[:-1]) | {"extra": "none"}
    audit.routes.pop("extra")
    assert audit.summary() == expected


def test_a_finding_whose_evidence_is_not_in_pairs_fails_as_it_always_did():
    audit = lineage.check("inventories/monocollabo")
    odd = audit.results[1].replace(evidence=(("a", "b", "c"),))
    audit.results = audit.results[:1] + (odd,) + audit.results[2:]
    try:
        odd.as_dict()
    except ValueError as exc:
        expected = str(exc)
    try:
        list(audit.finding_record_batches(4))
    except ValueError as exc:
        assert str(exc) == expected
    else:
        raise AssertionError("no error for evidence not in pairs")
    # evidence given as a mapping: read as as_dict reads it (its keys, as pairs)
    mapped = audit.results[2].replace(evidence={"ab": "x"})
    audit.results = audit.results[:1] + (mapped,) + audit.results[2:]
    records = [r for b, _ in audit.finding_record_batches(4) for r in b]
    assert records[1]["evidence"] == {"a": "b"}
    assert {k: v for k, v in records[1].items() if k != "policy"} == mapped.as_dict()


def test_a_subclass_of_str_in_a_flow_or_finding_is_written_as_json_writes_it():
    # The result's check lets a str subclass pass (strings are checked by joining
    # them); orjson refuses one, so the writer takes the standard encoder.
    class Name(str):
        def __str__(self):
            return "not this"

    audit = lineage.check("inventories/monocollabo", packs=("policy", "appi"))
    flow = next(f for f in audit.inventory.flows if f.id == "F05")
    vars(flow)["frm"] = Name(flow.frm)
    vars(flow)["items"] = [Name("name"), "phone\u2028\U0001f600\x1b"]
    odd = audit.results[0].replace(message=Name("message \ud800 lone"), evidence=(
        (Name("key"), Name("value")),))
    audit.results = (odd,) + audit.results[1:]
    assert all(plain for _, plain in audit.flow_record_batches(10))
    expected = _standard(audit.as_dict())
    buf = io.BytesIO()
    for piece in jsonreport.chunks(jsonreport.report_data(audit)):
        buf.write(piece.encode("utf-8", "surrogatepass") if isinstance(piece, str) else piece)
    assert buf.getvalue().decode("utf-8", "surrogatepass") == expected


#: Every code point: control characters, U+2028, astral characters, lone surrogates.
HOSTILE = st.text(st.characters(exclude_categories=()), max_size=8)


@_fixed(60)
@given(st.lists(st.tuples(st.integers(0, 47), HOSTILE, st.lists(HOSTILE, max_size=3),
                          st.one_of(st.none(), HOSTILE)), max_size=6),
       st.lists(HOSTILE, max_size=3), st.integers(1, 9))
def test_hostile_strings_in_flows_and_findings_are_written_as_json_writes_them(
        changes, texts, size):
    # Strings the loader never lets in, put into the checked flows and findings:
    # every batch (plain or not, orjson or the standard encoder) gives json's text.
    audit = lineage.check("inventories/monocollabo", packs=("policy", "appi"))
    for n, text, items, basis in changes:
        fields = vars(audit.inventory.flows[n])
        fields.update(frm=text, purposes=items, basis=basis)
        fields["items"] = [*items, text]
    for n, text in enumerate(texts):
        audit.results = audit.results[:n] + (audit.results[n].replace(
            message_ja=text, evidence=(("note", text), ("path", (text, "F1")))),) \
            + audit.results[n + 1:]
    old = jsonreport.BATCH
    jsonreport.BATCH = size
    try:
        pieces = list(jsonreport.chunks(jsonreport.report_data(audit)))
    finally:
        jsonreport.BATCH = old
    text = "".join(p if isinstance(p, str) else p.decode("utf-8") for p in pieces)
    assert text == _standard(audit.as_dict())


def test_finding_records_are_each_findings_report_fields():
    import json
    from lineage.result import _finding_records

    audit = lineage.check("inventories/monocollabo", packs=("policy", "appi"))
    found = list(audit.results) + [audit.results[0].replace(waived=True), audit.results[1].replace(
        items=["a", "b"], evidence=(("path", ("F1", "F2")), ("n", 1), ("path", "last")))]
    records = _finding_records(found)
    assert len(records) == len(found) > 2
    for record, finding in zip(records, found):
        expected = finding.as_dict()
        assert list(record) == list(expected)
        assert json.dumps(record) == json.dumps(expected)
        assert record["items"] is finding.items  # the finding's own, not a copy
    assert records[-2]["waived"] is True and records[-2]["id"] == records[0]["id"]
    assert records[-1]["evidence"] == {"path": "last", "n": 1}
    # evidence not a tuple of pairs, items of another kind: as_dict makes those
    for odd in (found[0].replace(evidence={"ab": "x"}), found[0].replace(evidence=[("a", "b")]),
                found[0].replace(items="ab"), found[0].replace(evidence=(("a", "b", "c"),)),
                found[0].replace(evidence=(5,))):
        assert _finding_records([found[1], odd]) is None


def test_fields_are_read_from_the_dict_only_where_that_is_what_the_attribute_gives():
    from lineage.model.schema import Flow
    from lineage.result import _FINDING_NAMES, _FLOW_NAMES, _kept_in_dict
    from lineage.rules.base import Finding

    class Logged(Flow):  # looks up every attribute itself
        def __getattribute__(self, name):
            return object.__getattribute__(self, name)

    class Slotted:
        __slots__ = ("id",)  # a slot is a data descriptor: not in any __dict__

    assert _kept_in_dict(Flow, _FLOW_NAMES) == {Flow}
    assert _kept_in_dict(Finding, _FINDING_NAMES) == set()  # slots: no instance dict
    assert _kept_in_dict(Logged, _FLOW_NAMES) == set()
    assert _kept_in_dict(Slotted, ["id"]) == set()


ODD_VALUE = st.one_of(st.text(max_size=3), st.booleans(), st.none(), st.integers(),
                      st.floats(allow_nan=True), st.lists(st.floats() | st.text(max_size=2),
                                                          max_size=2),
                      st.tuples(st.text(max_size=2)), st.dictionaries(st.text(max_size=2),
                                                                      st.floats(), max_size=1))


@_fixed(200)
@given(st.lists(st.tuples(st.sampled_from(["message", "remedy_ja", "kind", "to", "waived",
                                           "items", "evidence"]), ODD_VALUE), max_size=3),
       st.integers(1, 5))
def test_a_batch_of_findings_is_called_plain_only_when_every_value_is(changes, size):
    # The batch's check (a count of its values' types, then the items and the
    # evidence) never says plain where the generic check does not; the report is
    # the standard encoder's text either way.
    from lineage.plainjson import plain_values
    audit = lineage.check("inventories/monocollabo")
    results = list(audit.results)
    for n, (field, value) in enumerate(changes):
        if field == "evidence":
            value = (("note", value),)
        elif field == "items" and not isinstance(value, (list, tuple)):
            value = (value,)
        results[n] = results[n].replace(**{field: value})
    audit.results = tuple(results)
    for batch, plain in audit.finding_record_batches(size):
        if plain:
            assert plain_values(batch)
    old = jsonreport.BATCH
    jsonreport.BATCH = size
    try:
        text = "".join(p if isinstance(p, str) else p.decode("utf-8")
                       for p in jsonreport.chunks(jsonreport.report_data(audit)))
    finally:
        jsonreport.BATCH = old
    assert text == _standard(audit.as_dict())
