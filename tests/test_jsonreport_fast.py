"""The JSON writer's fast path (orjson, batches, streaming) gives the standard encoder's bytes.

Every JSON lineage writes must equal ``json.dumps(data, indent=2, ensure_ascii=False)``
plus a newline. The writer hands plain values to orjson and re-indents its text; these
tests compare the two on generated data: every string (control characters, non-ASCII,
astral characters, lone surrogates), integers past 64 bits, floats (which must take the
standard path), nested lists, tuples and dicts, batches of records, and the same with
orjson absent. Fixed seed, bounded sample.
"""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lineage
from lineage.files import write_atomic
from lineage.output import jsonreport
from lineage.output.jsonreport import Records, chunks, dumps


def _fixed(n: int):
    return settings(max_examples=n, derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _standard(data) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


#: Every code point, surrogates and control characters included.
TEXT = st.text(st.characters(exclude_categories=()), max_size=12)
SCALARS = (TEXT | st.integers() | st.integers(-2**70, 2**70) | st.none() | st.booleans()
           | st.sampled_from(["", "\x00", "\x1f\x7f", "\u2028\u2029", "\ud800", "\udcff",
                              "モノコラボ", "\U0001f600", '"\\/', "\t\n\r\b\f"]))
VALUES = st.recursive(
    SCALARS | st.floats(allow_nan=True, allow_infinity=True),
    lambda inner: (st.lists(inner, max_size=4) | st.lists(inner, max_size=3).map(tuple)
                   | st.dictionaries(TEXT, inner, max_size=4)),
    max_leaves=20)
RECORDS = st.lists(st.dictionaries(TEXT, VALUES, max_size=6), max_size=12)


@pytest.fixture(params=["orjson", "standard"])
def encoder(request, monkeypatch):
    """Each test runs with orjson and without it (the standard encoder alone)."""
    if request.param == "standard":
        monkeypatch.setattr(jsonreport, "orjson", None)
    return request.param


@_fixed(300)
@given(data=VALUES)
def test_any_value_is_written_as_the_standard_encoder_writes_it(data):
    assert dumps(data) == _standard(data)
    assert dumps({"report": {"flows": data}}) == _standard({"report": {"flows": data}})


@_fixed(200)
@given(records=RECORDS, batch=st.integers(1, 5))
def test_records_in_batches_are_written_as_a_list(records, batch):
    old = jsonreport.BATCH
    jsonreport.BATCH = batch
    try:
        assert dumps({"flows": Records(iter(records))}) == _standard({"flows": records})
        assert dumps({"a": {"flows": Records(records)}}) == _standard({"a": {"flows": records}})
        assert dumps(Records(records)) == _standard(records)
    finally:
        jsonreport.BATCH = old


def test_what_orjson_writes_differently_takes_the_standard_path(encoder):
    odd = {"float": 1e16, "small": 1e-05, "nan": float("nan"), "inf": float("-inf"),
           "huge": 2**64, "negative": -2**63 - 1, "surrogate": "\ud800x", "ctl": "\x00\x1b",
           "keys": {1: "int key", None: "none key"}, "tuple": (1, "a"), "empty": [{}, [], ""]}
    assert dumps(odd) == _standard(odd)
    records = [dict(odd), {"id": "F1"}, {"id": "F2", "x": [0.5]}]
    assert dumps({"flows": Records(records)}) == _standard({"flows": records})


def test_types_the_standard_encoder_refuses_are_refused(encoder):
    import datetime as dt
    for value in (dt.date(2026, 1, 1), {1, 2}, object()):
        with pytest.raises(TypeError):
            dumps({"flows": Records([{"when": value}])})
        with pytest.raises(TypeError):
            dumps({"a": {"b": {"c": value}}})


@pytest.mark.parametrize("packs", [("policy",), ("policy", "appi")])
def test_the_report_equals_the_standard_encoding_of_as_dict(packs, encoder, monkeypatch):
    monkeypatch.setattr(jsonreport, "BATCH", 7)  # several batches over 48 flows
    audit = lineage.check("inventories/monocollabo", packs=packs)
    expected = _standard(audit.as_dict())
    assert jsonreport.render(audit) == expected
    buf = io.BytesIO()
    jsonreport.write(audit, buf)
    assert buf.getvalue() == expected.encode("utf-8")


def test_streamed_pieces_keep_the_rows_shared_mapping_unchanged():
    audit = lineage.check("inventories/monocollabo", packs=("policy", "appi"))
    before = [r.as_dict() for r in audit.flow_results]
    b"".join(c if isinstance(c, bytes) else c.encode() for c in
             chunks(jsonreport.report_data(audit)))
    assert [r.as_dict() for r in audit.flow_results] == before


def test_a_failing_piece_leaves_no_file(tmp_path):
    out = tmp_path / "report.json"

    def pieces():
        yield b"{"
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_atomic(out, pieces())
    assert list(tmp_path.iterdir()) == []
    write_atomic(out, iter([b"{", b"}\n"]))
    assert out.read_bytes() == b"{}\n"


def test_a_json_check_does_not_import_pandas(tmp_path):
    """Start-up: pandas (about 0.4 s to import) serves only the DataFrames."""
    import os
    import subprocess
    import sys
    code = ("import sys\n"
            "from lineage.cli import main\n"
            "try:\n"
            "    main(['check', 'inventories/monocollabo', '--format', 'json', '-o', sys.argv[1]])\n"
            "except SystemExit:\n"
            "    pass\n"
            "print('pandas' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "r.json")],
                         capture_output=True, text=True, env=dict(os.environ), check=True)
    assert out.stdout.strip() == "False"
    assert json.loads((tmp_path / "r.json").read_text("utf-8"))["format"] == "lineage-report/1"


@_fixed(200)
@given(records=RECORDS, level=st.integers(1, 4))
def test_a_batch_cut_from_orjsons_nested_lists_is_the_standard_text(records, level):
    # orjson writes the batch inside level - 1 lists (its indentation at ``level``);
    # the piece cut from it is the standard encoder's records at that level, joined.
    from lineage.output.jsonreport import _orjson_items, _plain_records
    if not records or not _plain_records(records):
        return
    text = _orjson_items(records, level)
    if text is None:  # refused (a lone surrogate, an integer past 64 bits)
        return
    pad = "  " * level
    expected = (",\n" + pad).join(
        json.dumps(r, indent=2, ensure_ascii=False).replace("\n", "\n" + pad) for r in records)
    assert text.decode("utf-8") == expected
