"""The loader's fast path builds exactly what pydantic builds, and stays out of every error.

``lineage.model.fastpath`` builds the records it can prove valid without
pydantic's Python validators; everything else goes through pydantic. These
tests hold it to pydantic field by field (values, their types, the order of the
fields, the fields set) on generated records full of the values the schema
reads in special ways, and check that whole inventories, valid or not, load to
the same model and the same problems with the fast path on and off.
"""

from __future__ import annotations

import datetime as dt
import string
import typing

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter, ValidationError

from lineage.model import loading, schema
from lineage.model.errors import InventoryError, Location
from lineage.model.fastpath import Unusual, record_builder
from lineage.model.sources import RawInventory, SourceMap

from inventory_strategies import inventories

# Values chosen to sit on every edge of the schema's reading: IDs with spaces,
# control characters and non-ASCII letters, lists as cells and as YAML lists,
# dates in every form and none, booleans as pydantic reads text, numbers and
# dates where text is expected (Excel cells), empty and blank values.
_IDS = ["a", "F1", "x.y-z_1@a/b", "007", " a", "a ", "a b", "a;b", "ａ", "é", "a\x1f",
        "\x1fa", "a\n", "-", "." * 129, "." * 128, "", "   ", 7, 7.5, True, None,
        dt.date(2024, 1, 1)]
_TEXTS = ["text", "テキスト", " padded", "padded ", "line\nbreak", "tab\there", "bell\x07",
          "del\x7f", "nbsp\xa0", "\u3000full", "x\ufffe", "", " ", 12, 1.0, False,
          dt.date(2024, 4, 1), ["a"], {"a": 1}]
_LISTS = ["a;b", "a; b ;;c", ";", " ; ", "a;;", "a;b c", "a;\x1f", "a;\x1fb", "i0;ｉ1",
          ["a", "b"], ["a", " b"], ["a", None], ["a", 1], [], [""], "a", 3, {"a": "b"}]
_DATES = ["2024-04-01", "2024/4/1", "2024年4月1日", "２０２４－０４－０１", " 2024-04-01",
          "2024-02-30", "2024-4-1", "April 1", "20240401", dt.date(2024, 4, 1),
          dt.datetime(2024, 4, 1), dt.datetime(2024, 4, 1, 12), 45000, "", None,
          ["2024-04-01"], "2024-04-01;2025-01-01", "2024-04-01;nope"]
_BOOLS = ["true", "false", "True", "FALSE", "yes", "no", "on", "0", "1", " true", "tru",
          True, False, 0, 1, 2, "", None]
_ENUMS = ["self", "outsourcee", "consent", "opt_out", "joint_use", "merger", "personal",
          "linkable", " self", "Self", "SELF", "nope", 1, None, ""]
_COUNTRIES = ["JP", "US", "NO", "jp", "J", "JPN", " JP", "ＪＰ", 1, None]
_VOLUMES = ["1200", "1,200", "customers=12;members=3", {"customers": 3}, -1, "x"]
_NESTED = [{}, {"note": "n"}, {"law": "刑訴法"}, {"law": " "}, {}, {"name": "a", "address": "b"},
           {"nope": "x"}, {"law": 3}, "text", None]
_REVISIONS = [[{"effective_on": "2025-04-01", "purposes": "a;b"}], [], "x"]


def _values(model, name: str, annotation: str) -> tuple[list, list]:
    """Values a field always reads, and values on its edges (some refused)."""
    plain = annotation.removesuffix(" | None")
    if plain in ("Id",):
        return _IDS[:4], _IDS
    if plain == "Text":
        return _TEXTS[:2], _TEXTS
    if plain in ("IdList", "TextList", "Annotated[IdList, Field(min_length=1)]"):
        return _LISTS[:2], _LISTS + _IDS[:6]
    if plain in ("Date", "DateList"):
        return _DATES[:4], _DATES
    if plain == "bool":
        return _BOOLS[:4], _BOOLS
    if plain.startswith("Literal["):
        base = model.model_fields[name].annotation
        if typing.get_origin(base) is not typing.Literal:  # Literal[...] | None
            base = next(a for a in typing.get_args(base) if a is not type(None))
        return list(typing.get_args(base)), _ENUMS
    if plain == "Country":
        return _COUNTRIES[:3], _COUNTRIES
    if plain == "Volume":
        return _VOLUMES[:1], _VOLUMES
    if plain == "list[Revision]":
        return _REVISIONS[:1], _REVISIONS
    return _NESTED[:2], _NESTED


def _annotations(model) -> dict:
    out: dict = {}
    for klass in reversed(model.__mro__):
        out.update(getattr(klass, "__annotations__", {}))
    return out


_MODELS = [*schema.COLLECTIONS.values(), schema.Exemption, schema.Provider,
           schema.Responsible, schema.Revision]


@st.composite
def records(draw, model):
    """A raw record of ``model``: mostly its own fields, sometimes an alias, an unknown key."""
    annotations = _annotations(model)
    record: dict = {}
    for name, info in model.model_fields.items():
        chance = 0.9 if info.is_required() else 0.4
        if draw(st.floats(0, 1)) < chance:
            key = info.alias or name
            if info.alias and draw(st.booleans()):
                key = name  # populate_by_name: the field's own name works too
            valid, edges = _values(model, name, annotations[name])
            # most values valid, so that many records take the fast path
            record[key] = draw(st.sampled_from(valid) if draw(st.floats(0, 1)) < 0.93
                               else st.sampled_from(edges))
    if draw(st.floats(0, 1)) < 0.05:
        record[draw(st.sampled_from(["colour", "from", "frm", "ID", "note"]))] = "x"
    if draw(st.floats(0, 1)) < 0.1:
        record = dict(reversed(list(record.items())))
    return record


def _same(fast, slow, where="") -> None:
    """Equal values of the same types, fields in the same order, the same fields set."""
    assert type(fast) is type(slow), where
    if isinstance(fast, BaseModel):
        assert list(fast.__dict__) == list(slow.__dict__), where
        assert fast.model_fields_set == slow.model_fields_set, where
        assert fast.__pydantic_extra__ == slow.__pydantic_extra__, where
        assert fast.__pydantic_private__ == slow.__pydantic_private__, where
        for key in slow.__dict__:
            _same(fast.__dict__[key], slow.__dict__[key], f"{where}.{key}")
        assert fast == slow
        assert fast.model_dump(by_alias=True, exclude_unset=True) == \
            slow.model_dump(by_alias=True, exclude_unset=True)
    elif isinstance(fast, (list, tuple)):
        assert len(fast) == len(slow), where
        for a, b in zip(fast, slow):
            _same(a, b, where)
    else:
        assert fast == slow, where


@pytest.mark.parametrize("model", _MODELS, ids=lambda m: m.__name__)
@settings(max_examples=300, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fast_records_are_pydantic_records(model, data):
    """Whatever the fast path builds, pydantic builds the same; what pydantic refuses, the
    fast path leaves to it."""
    record = data.draw(records(model))
    build = record_builder(model)
    try:
        slow = TypeAdapter(model).validate_python(record)
    except ValidationError:
        slow = None
    try:
        fast = build(record)
    except Unusual:
        return
    assert slow is not None, f"fast path accepted a record pydantic refuses: {record!r}"
    _same(fast, slow)


def test_the_fast_path_takes_ordinary_records():
    """Not a vacuous pass: the usual CSV and YAML records are built without pydantic."""
    build = record_builder(schema.Flow)
    for record in ({"id": "F1", "from": "a", "to": "b", "items": "name;email",
                    "purposes": "ads", "start": "2024/4/1", "recorded": "TRUE"},
                   {"id": "F2", "from": "a", "to": "b", "items": ["name"], "start": "2024-04-01",
                    "exemption": {"law": "刑訴法"}, "basis": "law", "note": ""}):
        _same(build(record), schema.Flow.model_validate(record))


def test_records_share_their_fields_set_but_not_their_lists():
    build = record_builder(schema.Flow)
    record = {"id": "F1", "from": "a", "to": "b", "items": "name", "start": "2024-04-01"}
    one, two = build(record), build({**record, "id": "F2"})
    assert one.model_fields_set is two.model_fields_set
    assert one.consents == [] and one.consents is not two.consents
    assert one.items == two.items and one.items is not two.items
    copied = one.model_copy(update={"end": dt.date(2025, 1, 1)})
    assert "end" in copied.model_fields_set and "end" not in two.model_fields_set


def _raw(data: dict) -> RawInventory:
    return RawInventory(data, SourceMap(Location("<memory>")), "<memory>")


def _careful(monkeypatch):
    """Load with pydantic alone, as before the fast path."""
    def never(model):
        def build(record):
            raise Unusual
        return build
    monkeypatch.setattr(loading, "record_builder", never)


def _outcome(data: dict):
    try:
        return loading.build_inventory(_raw(data))
    except InventoryError as exc:
        return [p.as_dict() for p in exc.problems]


_SPOILERS = [("start", "2024-13-01"), ("start", None), ("items", ";"), ("from", "a b"),
             ("to", "ｘ"), ("colour", "red"), ("basis", "Consent"), ("recorded", "yes!"),
             ("items", ["a", None]), ("method", "x\x1b[2J"), ("exemption", {"lawx": "1"}),
             ("id", ""), ("id", "F 1"), ("frm", "mc")]


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(inventories(max_flows=8), st.lists(st.tuples(st.integers(0, 7),
                                                    st.sampled_from(_SPOILERS)), max_size=3))
def test_fast_and_careful_paths_load_the_same(monkeypatch, data, spoil):
    """Whole inventories, valid or spoilt: the same model, or the same problems in order."""
    for index, (key, value) in spoil:
        if data["flows"]:
            data["flows"][index % len(data["flows"])][key] = value
    fast = _outcome(data)
    with monkeypatch.context() as patch:
        _careful(patch)
        slow = _outcome(data)
    if isinstance(slow, list):
        assert fast == slow
    else:
        assert not isinstance(fast, list), fast
        assert fast == slow
        for name in schema.COLLECTIONS:
            _same(getattr(fast, name), getattr(slow, name), name)


def test_an_invalid_record_keeps_its_exact_message(tmp_path):
    """The messages as they were before the fast path (copied from its output)."""
    (tmp_path / "inventory.csv").write_text("format,organisation\nlineage/1,mc\n")
    (tmp_path / "parties.csv").write_text("id,role\nmc,self\nacme,outsourcee\n")
    (tmp_path / "flows.csv").write_text(
        "id,from,to,items,start,recorded,colour\n"
        "F1,mc,acme,name,2024-04-01,true,\n"
        "F2,mc,acme,name,2024-02-30,true,\n"
        "F3,mc,a cme,name;;,2024-04-01,maybe,red\n")
    with pytest.raises(InventoryError) as caught:
        loading.load(tmp_path)
    assert [str(p) for p in caught.value.problems] == [
        f"{tmp_path}/flows.csv row 3 column start: flows F2: field 'start': "
        "not a real date: '2024-02-30' (day is out of range for month)",
        f"{tmp_path}/flows.csv row 4 column colour: flows F3: field 'colour': "
        "unknown key 'colour' (typo?)",
        f"{tmp_path}/flows.csv row 4 column recorded: flows F3: field 'recorded': "
        "expected true or false (or ○/×), got 'maybe'",
        f"{tmp_path}/flows.csv row 4 column to: flows F3: field 'to': "
        "'a cme' is not a valid ID: an ID is one or more of the ASCII letters A-Z and a-z, "
        "the digits 0-9 and the characters - _ . @ / (no spaces, no other characters)",
    ]


def test_printable_ids_only_take_the_fast_path():
    """Every character the ID pattern refuses sends the record to pydantic."""
    build = record_builder(schema.DataItem)
    allowed = set(string.ascii_letters + string.digits + "_.-@/")
    for code in range(0x30FF):
        char = chr(code)
        record = {"id": f"a{char}b"}
        try:
            build(record)
        except Unusual:
            assert char not in allowed
            continue
        assert char in allowed
        assert build(record) == schema.DataItem.model_validate(record)


_REFERENCES = """\
format: lineage/1
organisation: mc
data_items:
  - {id: name}
parties:
  - {id: mc, role: self}
  - {id: acme, role: outsourcee}
  - {id: people, role: data_subject}
consents:
  - {id: C1, subjects: people, recipients: [acme], items: [name], obtained_on: 2024-01-01}
flows:
  - {id: F1, from: mc, to: acme, items: [name], consents: [C1], start: 2024-04-01}
  - {id: F2, from: mc, to: acmee, items: [name], start: 2024-04-01}
  - {id: F3, from: mc, to: acme, items: [name, nmae], start: 2024-04-01}
  - {id: F4, from: mc, to: acme, items: [name], consents: [C1, C2], start: 2024-04-01}
  - {id: F5, from: mc, to: acme, items: [name], notice: N1, start: 2024-04-01}
  - {id: F6, from: mc, to: acme, items: [name], contract: K1, start: 2024-04-01}
  - {id: F7, from: mc, to: acme, items: [name], event: E1, start: 2024-04-01}
  - {id: F8, from: mc, to: acme, items: [name], start: 2024-04-01, end: 2024-03-01}
  - {id: F9, from: acme, to: acme, items: [name], start: 2024-04-01}
  - {id: F10, from: mcc, to: acme, items: [name], start: 2024-04-01}
"""


def test_each_reference_problem_of_a_flow_is_still_found(tmp_path):
    """The flows' reference check skips a flow only when it has nothing to report: every
    kind of problem, one flow each, with the messages as they were (copied from the
    output before the quick test existed)."""
    path = tmp_path / "inv.yaml"
    path.write_text(_REFERENCES)
    with pytest.raises(InventoryError) as caught:
        loading.load(path)
    assert [str(p).split(": ", 1)[1] for p in caught.value.problems] == [
        "flows F2: field 'to': unknown party 'acmee' (did you mean 'acme'?)",
        "flows F3: field 'items': unknown data item 'nmae' (did you mean 'name'?)",
        "flows F4: field 'consents': unknown consent 'C2'",
        "flows F5: field 'notice': unknown notice 'N1'",
        "flows F6: field 'contract': unknown contract 'K1'",
        "flows F7: field 'event': unknown event 'E1'",
        "flows F8: field 'end': end 2024-03-01 is before start 2024-04-01",
        "flows F9: field 'to': a flow cannot go from party 'acme' to itself",
        "flows F10: field 'from': unknown party 'mcc' (did you mean 'mc'?)",
    ]
    assert [p.location.line for p in caught.value.problems] == list(range(13, 22))


@pytest.mark.parametrize("faulty", range(2, 11))
def test_one_flow_with_a_reference_problem_is_found_among_fine_ones(tmp_path, faulty):
    """The check first tests every flow a field at a time and walks the flows one by one
    only when that test fails: a lone faulty flow among fine ones still fails it."""
    head, flows = _REFERENCES.split("flows:\n")
    lines = flows.splitlines()
    fine = [lines[0].replace("F1,", f"G{n},") for n in range(4)]
    path = tmp_path / "inv.yaml"
    path.write_text(head + "flows:\n" + "\n".join(fine[:2] + [lines[faulty - 1]] + fine[2:]))
    with pytest.raises(InventoryError) as caught:
        loading.load(path)
    assert [p.record for p in caught.value.problems] == [f"F{faulty}"]
