"""The column-wise build's shortcuts give what the record-by-record build gives.

``fastpath.table_builder`` sets only the non-empty cells of a column whose blank
cells keep the template's default, proves a column of ``a;b`` lists with one
regex, keeps each column's readings in a bounded cache, and gathers the
flows' references as it reads (:class:`~lineage.model.fastpath.Facts`) so the
reference check need not walk a million flows. These tests hold each shortcut
to the careful path: the same records (each with its own lists), the same
problems in the same order at the same locations.
"""

from __future__ import annotations

import csv
import io
from operator import attrgetter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lineage.model import csvfolder, fastpath, loading, references, schema
from lineage.model.errors import InventoryError

from test_fast_hostile import careful, outcome
from test_fastpath import _same

_SETTINGS = dict(deadline=None, derandomize=True, database=None,
                 suppress_health_check=list(HealthCheck))

#: Cells of a flow's reference columns: known IDs, unknown ones, and cells only the
#: record path reads (spaces, apostrophes, empty parts, full-width letters).
_REFS = {
    "from": ["mc", "mc", "acme", "mcc", "'mc", " mc", "ｍｃ", ""],
    "to": ["acme", "acme", "people", "acmee", "mc", "acme ", "'acme"],
    "items": ["name", "name;email", "email", "nmae", "name;;email", "name; email", ";",
              "'name", "name;x y", "", "email;name;name"],
    "consents": ["", "", "C1", "C1;C2", "C2", " C1", "C1;"],
    "notice": ["", "", "N1", "N2", "'N1"],
    "contract": ["", "", "K1", "K2"],
    "event": ["", "", "E1", "E2"],
    "purposes": ["", "ads", "ads;mail", "ads; mail", "ad s"],
    "basis": ["", "", "consent", "law", "Consent", " law"],
    "method": ["", "", "", "sftp", "'=cmd", " sftp"],
    "start": ["2024-04-01", "2024/4/1", "2024-04-01", "April"],
    "end": ["", "", "2025-01-01", "2024-01-01", "2024-3-1"],
    "recorded": ["", "true", "FALSE", "yes"],
    "exemption.law": ["", "", "刑訴法", " ", " 刑訴法", "法\x1b", "'法"],
}
_OPTIONAL = [k for k in _REFS if k not in ("from", "to", "items", "start")]


@st.composite
def folders(draw):
    """A CSV folder whose flows name known and unknown parties, items, consents,
    notices, contracts and events, in cells the fast path reads and cells it leaves."""
    header = ["id", "from", "to", "items", "start"] + draw(
        st.lists(st.sampled_from(_OPTIONAL), unique=True, max_size=8))
    if draw(st.integers(0, 9)) == 0:
        header.remove(draw(st.sampled_from(["from", "to", "items"])))
    header = draw(st.permutations(header))
    odd = draw(st.sampled_from([0, 0, 5, 40]))  # percent of cells drawn from the whole pool
    rows = []
    for n in range(draw(st.integers(0, 24))):
        row = []
        for key in header:
            if key == "id":
                row.append(draw(st.sampled_from([f"F{n}"] * 19 + ["F0"])))
            elif draw(st.integers(0, 99)) < odd:
                row.append(draw(st.sampled_from(_REFS[key])))
            else:
                row.append(_REFS[key][0])
        rows.append(row)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    data_items = draw(st.sampled_from([None, "id\nname\nemail\n"]))
    files = {
        "inventory.csv": "format,organisation\nlineage/1,mc\n",
        "parties.csv": "id,role\nmc,self\nacme,outsourcee\npeople,data_subject\n",
        "consents.csv": "id,subjects,recipients,items,obtained_on\n"
                        "C1,people,acme,name,2024-01-01\n",
        "notices.csv": "id,kind,items\nN1,opt_out,name\n",
        "contracts.csv": "id,party,signed_on\nK1,acme,2024-01-01\n",
        "events.csv": "id,kind,from,to,date\nE1,merger,mc,acme,2024-01-01\n",
        "flows.csv": out.getvalue(),
    }
    if data_items is not None:
        files["data_items.csv"] = data_items
    return files


def _write(folder, files):
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


@settings(max_examples=250, **_SETTINGS)
@given(folders(), st.sampled_from([1, 3, 1 << 13]), st.sampled_from([1, 4, 1 << 18]))
def test_references_from_facts_are_the_walks_references(tmp_path_factory, files, chunk,
                                                         kept):
    """Same model or the same problems in order, read in blocks of any size and with the
    column caches emptied every few cells (their readings folded into the facts)."""
    folder = tmp_path_factory.mktemp("refs")
    _write(folder, files)
    saved = csvfolder.CHUNK, fastpath._CELLS_KEPT
    csvfolder.CHUNK, fastpath._CELLS_KEPT = chunk, kept
    try:
        fast = outcome(folder)
    finally:
        csvfolder.CHUNK, fastpath._CELLS_KEPT = saved
    with careful():
        slow = outcome(folder)
    assert fast == slow


@settings(max_examples=200, **_SETTINGS)
@given(folders(), st.sampled_from([1, 3, 1 << 13]), st.sampled_from([1, 4, 1 << 18]))
def test_flows_read_from_the_parties_ids_read_first_are_the_careful_ones(
        tmp_path_factory, files, chunk, kept):
    """With the parties' IDs read before the flows (as a large flows file is read), the
    flows' from and to start from those IDs, in one cache: the same model, or the same
    problems in order, as the careful path, whatever the block size and however often
    the cache is emptied."""
    folder = tmp_path_factory.mktemp("first")
    _write(folder, files)
    saved = csvfolder.CHUNK, fastpath._CELLS_KEPT, csvfolder.FIRST_FROM
    csvfolder.CHUNK, fastpath._CELLS_KEPT, csvfolder.FIRST_FROM = chunk, kept, 0
    try:
        fast = outcome(folder)
    finally:
        csvfolder.CHUNK, fastpath._CELLS_KEPT, csvfolder.FIRST_FROM = saved
    with careful():
        slow = outcome(folder)
    assert fast == slow


_FLOWS = """\
id,from,to,items,consents,notice,contract,event,start,end
F1,mc,acme,name,C1,,,,2024-04-01,
F2,mc,acmee,name,,,,,2024-04-01,
F3,mc,acme,name;nmae,,,,,2024-04-01,
F4,mc,acme,name,C1;C2,,,,2024-04-01,
F5,mc,acme,name,,N2,,,2024-04-01,
F6,mc,acme,name,,,K2,,2024-04-01,
F7,mc,acme,name,,,,E2,2024-04-01,
F8,mc,acme,name,,,,,2024-04-01,2024-03-01
F9,acme,acme,name,,,,,2024-04-01,
F10,mcc,acme,name,,,,,2024-04-01,
"""


def _reference_folder(tmp_path, flows):
    files = {**folders_base(), "flows.csv": flows}
    _write(tmp_path, files)
    return tmp_path


def folders_base():
    return {"inventory.csv": "format,organisation\nlineage/1,mc\n",
            "data_items.csv": "id\nname\n",
            "parties.csv": "id,role\nmc,self\nacme,outsourcee\npeople,data_subject\n",
            "consents.csv": "id,subjects,recipients,items,obtained_on\n"
                            "C1,people,acme,name,2024-01-01\n"}


def test_each_reference_problem_of_a_csv_flow_is_found_from_the_facts(tmp_path, monkeypatch):
    """Every kind of reference problem, one flow each: the facts say "not fine" and the
    walk gives the messages as they were."""
    used = []
    real = references._facts_fine
    monkeypatch.setattr(references, "_facts_fine",
                        lambda *a: used.append(real(*a)) or used[-1])
    with pytest.raises(InventoryError) as caught:
        loading.load(_reference_folder(tmp_path, _FLOWS))
    assert used == [False]
    assert [str(p).split(": ", 1)[1] for p in caught.value.problems] == [
        "flows F2: field 'to': unknown party 'acmee' (did you mean 'acme'?)",
        "flows F3: field 'items': unknown data item 'nmae' (did you mean 'name'?)",
        "flows F4: field 'consents': unknown consent 'C2'",
        "flows F5: field 'notice': unknown notice 'N2'",
        "flows F6: field 'contract': unknown contract 'K2'",
        "flows F7: field 'event': unknown event 'E2'",
        "flows F8: field 'end': end 2024-03-01 is before start 2024-04-01",
        "flows F9: field 'to': a flow cannot go from party 'acme' to itself",
        "flows F10: field 'from': unknown party 'mcc' (did you mean 'mc'?)",
    ]
    assert [p.location.row for p in caught.value.problems] == list(range(3, 12))


@pytest.mark.parametrize("faulty", range(2, 11))
def test_one_faulty_csv_flow_among_fine_ones_is_found(tmp_path, faulty):
    """A lone problem among fine flows (whose facts alone say nothing is wrong)."""
    lines = _FLOWS.splitlines()
    fine = [lines[1].replace("F1,", f"G{n},") for n in range(4)]
    flows = "\n".join([lines[0]] + fine[:2] + [lines[faulty]] + fine[2:]) + "\n"
    with pytest.raises(InventoryError) as caught:
        loading.load(_reference_folder(tmp_path, flows))
    assert [p.record for p in caught.value.problems] == [f"F{faulty}"]


def test_fine_csv_flows_are_not_walked(tmp_path, monkeypatch):
    """What the facts are for: flows with nothing to report are not walked one by one,
    but an end date still has every flow's dates compared."""
    monkeypatch.setattr(references, "_flows_fine", None)  # the walk's quick test: unused
    fine = "\n".join(_FLOWS.splitlines()[:2]) + "\n"
    inv = loading.load(_reference_folder(tmp_path, fine))
    assert [f.id for f in inv.flows] == ["F1"]
    ended = fine.replace("2024-04-01,\n", "2024-04-01,2024-05-01\n")
    assert loading.load(_reference_folder(tmp_path, ended)).flows[0].end.isoformat() \
        == "2024-05-01"


# --- the table builder against the record builder --------------------------------------

_KEYS = ["id", "from", "to", "items", "start", "purposes", "consents", "basis", "method",
         "recorded", "end", "note", "exemption.law", "exemption.document"]
_POOL = {key: values + ["", "   ", "'x"] for key, values in _REFS.items()}
_POOL.update({"id": ["F1", "F2", "'F3", " F4", "Ｆ5"], "note": ["", "メモ", "a\nb", "\x1b"],
              "exemption.document": ["", "規程", " 規程", "'規程"]})


@settings(max_examples=300, **_SETTINGS)
@given(st.data())
def test_table_builder_builds_what_the_record_builder_builds(data):
    """Row by row: a row the table builder builds is the record builder's record (same
    values, types, fields set), and every record owns its lists."""
    header = tuple(data.draw(st.permutations(_KEYS)))[:data.draw(st.integers(3, len(_KEYS)))]
    # the parties' IDs read first (some no IDs as they stand: those are left out)
    known = data.draw(st.sampled_from([((), ()), (("frm", "to"), ["mc", "acme", "people"]),
                                       (("frm", "to"), ["mc", "'acme", " mc", "ｍｃ"]),
                                       (("to",), ["acme"])]))
    build = fastpath.table_builder(schema.Flow, header, ("frm", "to", "items", "consents"),
                                   (("frm", "to"),), known)
    record = fastpath.record_builder(schema.Flow)
    table = csvfolder.Columns(header, None)
    built_all = []
    for _ in range(data.draw(st.integers(1, 3))):  # blocks share the column caches
        rate = data.draw(st.sampled_from([3, 10, 40]))  # percent of cells off the pool's head
        cell = {k: st.one_of(st.sampled_from(_POOL[k][:1]), st.sampled_from(_POOL[k]))
                if rate == 40 else st.integers(0, 99).flatmap(
                    lambda n, k=k: st.sampled_from(_POOL[k] if n < rate else _POOL[k][:1]))
                for k in header}
        rows = data.draw(st.lists(st.tuples(*[cell[k] for k in header]), min_size=1,
                                  max_size=12))
        columns = [list(c) for c in zip(*rows)]
        masks = [sum(1 << i for i, c in enumerate(row) if c and not c.isspace())
                 for row in rows]
        built, odd = build(columns, masks)
        assert odd == [i for i, r in enumerate(built) if r is None]
        for row, obj in enumerate(built):
            if obj is None:
                continue
            mapping = table.record(columns, row)
            _same(obj, record(mapping))
            built_all.append(obj)
    lists = [v for obj in built_all for v in obj.__dict__.values() if isinstance(v, list)]
    assert len({id(v) for v in lists}) == len(lists)
    facts = build.facts()
    for field in ("frm", "to", "items", "consents"):
        held = set()
        for obj in built_all:
            value = getattr(obj, field)
            held.update(value if isinstance(value, list) else [value])
        held.discard(None)
        assert held <= facts.values[field]
    if any(obj.frm == obj.to for obj in built_all):
        assert facts.same


def test_the_facts_of_records_built_one_by_one():
    """Records the record path builds count in through Facts.add."""
    facts = fastpath.Facts(("frm", "items"), (("frm", "to"),))
    flows = [schema.Flow(id="F1", **{"from": "a"}, to="a", items="x;y", start="2024-04-01",
                         end="2025-01-01"),
             schema.Flow(id="F2", **{"from": "b"}, to="c", items="z", start="2024-04-01")]
    for flow in flows:
        facts.add(flow)
    assert facts.values == {"frm": {"a", "b"}, "items": {"x", "y", "z"}}
    assert facts.same and {"end", "frm", "items"} <= facts.filled
    assert sorted(map(attrgetter("id"), flows)) == ["F1", "F2"]


@settings(max_examples=200, **_SETTINGS)
@given(st.lists(st.tuples(st.sampled_from(_POOL["exemption.law"]),
                          st.sampled_from(_POOL["exemption.document"])), min_size=1,
                max_size=10))
def test_nested_records_are_read_once_per_cells_and_copied(cells):
    """Rows whose nested cells are alike get equal nested records, each its own object;
    a nested record the fast path refuses sends its row (and only it) to the record path."""
    header = ("id", "from", "to", "items", "start", "exemption.law", "exemption.document")
    build = fastpath.table_builder(schema.Flow, header)
    record = fastpath.record_builder(schema.Flow)
    count = len(cells)
    columns = [[f"F{n}" for n in range(count)], ["mc"] * count, ["acme"] * count,
               ["name"] * count, ["2024-04-01"] * count,
               [law for law, _ in cells], [document for _, document in cells]]
    masks = [sum(1 << i for i, column in enumerate(columns)
                 if column[row] and not column[row].isspace()) for row in range(count)]
    built, odd = build(columns, masks)
    table = csvfolder.Columns(header, None)
    for row in range(count):
        try:
            expected = record(table.record(columns, row))
        except fastpath.Unusual:
            expected = None
        if built[row] is None:
            assert row in odd
        else:
            _same(built[row], expected)
    nested = [f.exemption for f in built if f is not None and f.exemption is not None]
    assert len({id(e) for e in nested}) == len(nested)
