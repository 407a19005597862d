"""The snapshot's fast paths give what the careful paths gave, byte for byte.

``snapshot create`` writes the canonical inventory text with pydantic's JSON
serializer and orjson, the flow and finding rows from the result's columns,
the chunks' rows a batch at a time through one encoder call, the chunk
boundaries from the pieces' CRCs in C, and compresses on worker threads. The
stored bytes must be those of the old code (tests/snapshot_oracle.py): a
store's blob hashes, manifest and content hash depend on every byte, and an
unchanged chunk is shared with the snapshots before only when it is the same.
"""

from __future__ import annotations

import copy
import random
import sqlite3
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import snapshot_oracle as oracle
from inventory_strategies import build, inventories
from lineage.audit import check
from lineage.snapshots import canonical, chunks, record, store as store_module
from lineage.snapshots.record import Snapshot, finding_rows, flow_rows, summarise
from lineage.snapshots.store import Store
from paths import SAMPLE

# Texts that meet the cuts: the row and record separators, quotes, escapes,
# non-ASCII (two-, three- and four-byte UTF-8), an empty string.
_TRICKY = ["a],[b", "x},{y", '"quoted"', "back\\slash", "名前", "😀 emoji", "", "\t tab",
           "],[", "},{", "[[", "]]", "é"]


def _decorated(data: dict, seed: int) -> dict:
    """The inventory with tricky text in notes and names, and sometimes a party
    with a head count past 64 bits (orjson would read it back as a float)."""
    rng = random.Random(seed)
    data = copy.deepcopy(data)
    for flow in data.get("flows", []):
        if rng.random() < 0.5:
            flow["note"] = rng.choice(_TRICKY) + rng.choice(_TRICKY) + "n"
        if rng.random() < 0.2:
            flow["method"] = "web " + rng.choice(_TRICKY)
    for party in data["parties"]:
        if rng.random() < 0.3:
            party["name"] = rng.choice(_TRICKY) + "社"
        if rng.random() < 0.2:
            party["volume"] = rng.choice([12, 2 ** 70, 0, 10 ** 18, 10 ** 19])
    return data


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(inventories(), st.integers(0, 10 ** 6))
def test_canonical_json_is_the_careful_text(data, seed):
    inv = build(_decorated(data, seed))
    assert canonical.canonical_json(inv) == oracle.canonical_json(inv)
    assert canonical.canonical_json(inv) == canonical.dumps(canonical.canonical_dict(inv))


def test_canonical_json_of_the_sample_and_of_records_out_of_order():
    from lineage.model import load
    inv = load(SAMPLE)
    assert canonical.canonical_json(inv) == oracle.canonical_json(inv)
    turned = inv.model_copy(update={"flows": inv.flows[::-1], "parties": inv.parties[::-1]})
    assert canonical.canonical_json(turned) == canonical.canonical_json(inv)


def test_a_number_orjson_would_misread_takes_the_careful_way():
    from lineage.model import load
    inv = load(SAMPLE)
    party = inv.parties[0].model_copy(update={"volume": 2 ** 64 + 1})
    big = inv.model_copy(update={"parties": [party, *inv.parties[1:]]})
    assert canonical._fast_json(big) is None  # pydantic writes it, orjson reads a float
    assert canonical.canonical_json(big) == oracle.canonical_json(big)
    assert str(2 ** 64 + 1) in canonical.canonical_json(big)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(inventories(), st.sampled_from([("policy",), ("policy", "appi"), ("appi",)]))
def test_flow_and_finding_rows_are_the_careful_rows(data, packs):
    audit = check(build(data), packs=packs)
    assert flow_rows(audit) == oracle.flow_rows(audit)
    assert finding_rows(audit.results) == oracle.finding_rows(audit.results)
    snap = Snapshot.from_audit(audit)
    assert snap.summary == oracle.summarise(snap.flows, snap.findings)


def test_rows_of_the_sample_with_waivers():
    audit = check(SAMPLE, packs=("policy", "appi"))
    assert any(f.waived for f in audit.results)
    assert flow_rows(audit) == oracle.flow_rows(audit)
    assert finding_rows(audit.results) == oracle.finding_rows(audit.results)


_VALUES = st.one_of(st.text(max_size=12), st.sampled_from(_TRICKY), st.none(), st.booleans(),
                    st.integers(-2 ** 70, 2 ** 70), st.integers(0, 9))


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.lists(_VALUES, max_size=5).map(tuple), max_size=300))
def test_row_chunks_are_the_careful_chunks(rows):
    got, want = chunks.split_rows("flows", rows), oracle.split_rows("flows", rows)
    assert [(c.manifest(), c.data) for c in got] == [(c.manifest(), c.data) for c in want]
    for c in got:
        assert chunks.rows_of(c.data, c.size) == [tuple(r) for r in
                                                  rows[c.first:c.first + c.rows]]


def test_long_parts_are_cut_where_the_careful_way_cuts_them():
    rng = random.Random(7)
    rows = [(f"F{i}", "x" * rng.randrange(0, 40), rng.choice(_TRICKY), i % 3 or None)
            for i in range(20_000)]
    # a stretch of long rows: the size bound cuts, not the CRCs
    rows[5000:5100] = [(f"L{i}", "y" * 30_000) for i in range(100)]
    got, want = chunks.split_rows("flows", rows), oracle.split_rows("flows", rows)
    assert len(got) > 20
    assert [(c.manifest(), c.data) for c in got] == [(c.manifest(), c.data) for c in want]
    text = "[" + ",".join('{"id":"F%d","n":"%s"}' % (i, rng.choice(_TRICKY)) for i in
                          range(30_000)) + "]"
    got, want = chunks.split_text("inventory", text), oracle.split_text("inventory", text)
    assert [(c.manifest(), c.data) for c in got] == [(c.manifest(), c.data) for c in want]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2 ** 32 - 1), st.integers(0, 3000)), max_size=9000),
       st.integers(0, 2))
def test_bounds_are_the_careful_groups(pieces, zeros):
    # pieces of given sizes whose CRC is (often, with zeros) a multiple of 512
    data = [bytes([n % 256]) * size for n, size in pieces]
    crcs = [zlib.crc32(d) if zeros else 0 for d in data]
    if zeros == 1:
        crcs = [zlib.crc32(d) for d in data]
    want = [(first, first + len(group)) for first, group in oracle.groups(data)]
    if zeros == 0:  # every piece qualifies: the careful way with such CRCs
        want = []
        start = 0
        for i in range(len(data)):
            n = i + 1 - start
            if n >= 64 or sum(map(len, data[start:i + 1])) >= 1 << 20:
                want.append((start, i + 1))
                start = i + 1
        if start < len(data) or not data:
            want.append((start, len(data)))
    assert chunks._bounds(crcs, list(map(len, data))) == want


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(inventories(), st.integers(0, 10 ** 6))
def test_a_snapshot_stores_the_careful_chunks(data, seed):
    inv = build(_decorated(data, seed))
    snap = Snapshot.from_audit(check(inv))
    got, want = store_module._chunks(snap), oracle.chunks(snap)
    assert [(c.manifest(), c.data) for c in got] == [(c.manifest(), c.data) for c in want]


def test_a_store_written_from_an_audit_holds_the_careful_chunks(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    audit = check(SAMPLE, packs=("policy", "appi"))
    with Store(tmp_path / "a.db") as store:
        added = store.add(audit, label="q1")
    want = oracle.chunks(Snapshot.from_audit(audit))
    conn = sqlite3.connect(tmp_path / "a.db")
    parts = conn.execute("SELECT part, seq, first_row, row_count, size, blob FROM parts "
                         "WHERE snapshot_id = 1").fetchall()
    blobs = dict(conn.execute("SELECT hash, data FROM blobs"))
    conn.close()
    order = {p: i for i, p in enumerate(chunks.PARTS)}
    assert sorted(parts, key=lambda m: (order[m[0]], m[1])) == [c.manifest() for c in want]
    assert all(blobs[c.blob] == c.data for c in want)
    assert added.flows == oracle.flow_rows(audit)
    assert added.inventory_json == oracle.canonical_json(audit.inventory)


@given(st.lists(st.tuples(st.sampled_from(["error", "warning", "info"]),
                          st.sampled_from(["no-consent", "contract", "purpose"]),
                          st.sampled_from([0, 1, True, False, 2])), max_size=40),
       st.lists(st.tuples(st.sampled_from(["ok", "violation", "odd"]),
                          st.sampled_from(["collection", "external", "none"])), max_size=40))
def test_summary_counts_as_the_careful_counts(found, flows):
    findings = [("id", "r", "c", kind, sev, "F", "a", "b", None, "[]", "{}", "m", "m", "r", "r",
                 waived) for sev, kind, waived in found]
    rows = [("F", "a", "b", "[]", "[]", None, "2025-01-01", None, route, status, "[]")
            for status, route in flows]
    got, want = summarise(rows, findings), oracle.summarise(rows, findings)
    assert got == want and list(got["severity"]) == list(want["severity"])
    assert list(got["status"]) == list(want["status"])


def test_the_packer_keeps_the_order_and_leaves_no_thread(monkeypatch):
    import threading
    payloads = chunks.row_payloads([(f"F{i}", "x" * (i % 50)) for i in range(5000)])
    with chunks.Packer(2) as packer:
        packer.add("flows", payloads)
        packer.add("waivers", chunks.row_payloads([]))
        got = packer.chunks()
    assert [(c.part, c.seq, c.first) for c in got] == (
        [("flows", i, first) for i, (first, _, _) in enumerate(payloads)] + [("waivers", 0, 0)])
    assert not [t for t in threading.enumerate() if t.name.startswith("lineage-pack")]


def test_a_failing_part_leaves_the_store_as_it_was(tmp_path, monkeypatch):
    audit = check(SAMPLE)
    path = tmp_path / "a.db"
    with Store(path) as store:
        store.add(audit, label="q1")
    before = path.read_bytes()

    def broken(*args):
        raise RuntimeError("disk full")
    monkeypatch.setattr(chunks, "_pack", broken)
    monkeypatch.setattr(chunks, "_pack_known", broken)
    with Store(path) as store, pytest.raises(RuntimeError, match="disk full"):
        store.add(audit, label="q2")
    assert path.read_bytes() == before


def test_flow_rows_of_a_result_subclass_take_the_careful_way():
    from lineage.result import AuditResult

    class Odd(AuditResult):
        def flow_column_batches(self, size=1000, outcome=True):
            raise AssertionError("not the flow table's columns")

    audit = Odd(check(SAMPLE).inventory)
    assert flow_rows(audit) == oracle.flow_rows(audit)
    assert record._fast_flow_rows(check(SAMPLE)) == oracle.flow_rows(check(SAMPLE))


def test_a_second_snapshot_uses_the_stored_chunks_again(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    audit = check(SAMPLE, packs=("policy", "appi"))
    with Store(tmp_path / "a.db") as store:
        store.add(audit, label="q1")
        packed = []
        real = chunks._pack
        monkeypatch.setattr(chunks, "_pack", lambda *a: packed.append(a) or real(*a))
        second = store.add(audit, label="q2")
        assert packed == []  # nothing compressed: every chunk was stored already
        assert store.verify().ok
        assert store.get("q2") == second
    conn = sqlite3.connect(tmp_path / "a.db")
    parts = conn.execute("SELECT part, seq, first_row, row_count, size, blob FROM parts "
                         "WHERE snapshot_id = 2").fetchall()
    conn.close()
    order = {p: i for i, p in enumerate(chunks.PARTS)}
    want = oracle.chunks(Snapshot.from_audit(audit))
    assert sorted(parts, key=lambda m: (order[m[0]], m[1])) == [c.manifest() for c in want]


def test_a_chunk_stored_by_another_zlib_is_used_as_it_is_stored(tmp_path, monkeypatch):
    # what docs/snapshots.md says of another build of zlib: here, another level
    audit = check(SAMPLE)
    with Store(tmp_path / "a.db") as store:
        monkeypatch.setattr(chunks, "LEVEL", 1)
        first = store.add(audit, label="q1")
        monkeypatch.setattr(chunks, "LEVEL", 6)
        second = store.add(audit, label="q2")
        manifests = [sorted(store._conn.execute(
            "SELECT part, seq, blob FROM parts WHERE snapshot_id = ?", (i,)).fetchall())
            for i in (1, 2)]
        assert manifests[0] == manifests[1]
        assert store.verify().ok
        assert store.get("q2").flows == store.get("q1").flows == first.flows == second.flows


def test_a_stored_chunk_is_used_again_only_when_it_is_intact_and_the_same():
    c = chunks._pack("flows", 0, 0, 1, b'[["F1"]]')
    fresh = chunks._pack("flows", 2, 5, 1, b'[["F1"]]')
    damaged = {("flows", c.size): [(c.blob, c.data[:-1] + b"x")]}
    other = chunks._pack("flows", 0, 0, 1, b'[["F2"]]')
    unlike = {("flows", c.size): [(other.blob, other.data)]}
    mislabelled = {("flows", c.size): [("0" * 64, c.data)]}
    for known in (damaged, unlike, mislabelled, {}):
        assert chunks._pack_known(known, "flows", 2, 5, 1, b'[["F1"]]') == fresh
