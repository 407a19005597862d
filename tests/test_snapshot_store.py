"""The content-addressed store (schema 3): old stores, dedupe, round trips, same bytes.

``tests/snapshot_stores/schema2.db`` was written by lineage before schema 3
(three snapshots of the sample, Q1 to Q3, SOURCE_DATE_EPOCH=1790000000): users
keep such files for years, so every command must still read them, read-only
without changing a byte, and writing to one must upgrade it in one transaction
without touching a hash of the evidence already in it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import sqlite3

import pytest

import lineage
from lineage.snapshots import Snapshot, Store
from lineage.snapshots import store as store_module
from lineage.snapshots.chunks import split_rows, split_text, sqlar_uncompress
from paths import ROOT, SAMPLE
from snapshot_helpers import EPOCH, change_inventory, copy_sample

SCHEMA2 = ROOT / "tests" / "snapshot_stores" / "schema2.db"
#: The chain hashes main's code gave Q1, Q2 and Q3 when it wrote the file.
OLD_CHAIN = ["d6747d47afcccb28a3452b12d7a3e889b1ba837a9f1efa46c21e23e0d66705c4",
             "4657282feca5fc457a4d967b70f980e0e680397d83f4f6375cd4d05fdbb6b272",
             "9acc6e547efdfeb541b1547e4e97a171ceb8e7cf4ff85a0b528621489d649384"]


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def legacy(tmp_path):
    path = tmp_path / "legacy.db"
    shutil.copyfile(SCHEMA2, path)
    return path


#: The Japanese words a stored finding keeps from the release that wrote it: a later
#: release may word a rule's message or remedy differently (TP111 names exemption.law by
#: its header, 根拠となる法令 (exemption.law), since the Japanese-output round), and a
#: snapshot is evidence of what was reported then. Everything else must match.
#: What later rounds changed in the sample's findings, left out where an old store's are
#: set beside fresh ones: the Japanese wording, and the evidence (round 15 added the
#: verdicts' "lacks"). The old store's own evidence is checked as stored.
_WORDING = ("message_ja", "remedy_ja", "evidence")


def _facts(findings) -> list:
    """Stored or fresh findings (dicts or rows in FINDING_COLUMNS order) without the
    Japanese wording."""
    from lineage.snapshots.record import FINDING_COLUMNS
    keep = [i for i, c in enumerate(FINDING_COLUMNS) if c not in _WORDING]
    return [{k: v for k, v in f.items() if k not in _WORDING} if isinstance(f, dict)
            else tuple(f[i] for i in keep) for f in findings]


def _version(path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def test_an_old_store_is_read_without_a_change(legacy, run_cli):
    before = _digest(legacy)
    out = run_cli("snapshot", "list", "--store", legacy).stdout.splitlines()
    assert [line.split()[3] for line in out[1:]] == ["Q1", "Q2", "Q3"]
    shown = json.loads(run_cli("snapshot", "show", "Q2", "--store", legacy,
                               "--format", "json").stdout)
    assert shown["chain_hash"] == OLD_CHAIN[1] and len(shown["findings"]) == 10
    tp101 = next(f for f in shown["findings"] if f["id"] == "TP101:F38")
    assert tp101["evidence"] == {"closest_route": "joint_use", "notice": "J1"}  # as stored
    assert _facts(shown["findings"]) == \
        _facts(Snapshot.from_audit(lineage.check(SAMPLE)).finding_dicts())
    res = run_cli("snapshot", "diff", "Q1", "Q3", "--store", legacy)
    assert "0 new, 0 resolved, 10 still open" in res.stdout
    res = run_cli("snapshot", "verify", "--store", legacy, "--head", OLD_CHAIN[2])
    assert res.stdout.splitlines() == [f"{legacy}: 3 snapshots, hash chain intact",
                                       f"head: sha256:{OLD_CHAIN[2]}"]
    run_cli("check", SAMPLE, "--baseline", f"{legacy}:Q1", expect=0)
    assert _digest(legacy) == before and _version(legacy) == 2


def test_writing_to_an_old_store_upgrades_it_and_keeps_its_evidence(legacy, run_cli):
    old_show = run_cli("snapshot", "show", "Q1", "--store", legacy, "--format", "json").stdout
    run_cli("snapshot", "create", SAMPLE, "--store", legacy, "--label", "Q4", env=EPOCH)
    assert _version(legacy) == store_module.SCHEMA_VERSION == 3
    with Store(legacy, create=False) as store:
        assert [e["chain_hash"] for e in store.list()][:3] == OLD_CHAIN
        q4 = store.get("Q4")
        assert q4.prev_hash == OLD_CHAIN[2]  # the new snapshot chains onto the old head
        assert store.get("Q3").flows == q4.flows
        assert _facts(store.get("Q3").findings) == _facts(q4.findings)
        layouts = [r[0] for r in store._conn.execute("SELECT layout FROM snapshots ORDER BY id")]
        assert layouts == [1, 1, 1, 2]
    # what was there reads exactly as before, and the chain verifies across both layouts
    assert run_cli("snapshot", "show", "Q1", "--store", legacy, "--format", "json").stdout \
        == old_show
    run_cli("snapshot", "verify", "--store", legacy, "--head", OLD_CHAIN[2])
    res = run_cli("snapshot", "diff", "Q3", "Q4", "--store", legacy)
    assert "0 new, 0 resolved, 10 still open" in res.stdout


def test_an_interrupted_upgrade_leaves_the_old_store_as_it_was(legacy, monkeypatch):
    before = _digest(legacy)
    broken = store_module.MIGRATIONS[:2] + (
        (3, "broken", store_module.MIGRATIONS[2][2] + "CREATE TABLE blobs (x);"),)
    monkeypatch.setattr(store_module, "MIGRATIONS", broken)
    with Store(legacy) as store, pytest.raises(store_module.StoreError,
                                               match="cannot write the store"):
        store.add(lineage.check(SAMPLE), label="Q4")  # the upgrade runs in its transaction
    assert _version(legacy) == 2 and _digest(legacy) == before
    monkeypatch.undo()
    with Store(legacy) as store:  # the real upgrade then works
        store.add(lineage.check(SAMPLE), label="Q4")
        assert store.verify().ok and store.schema_version == 3


def test_an_unchanged_snapshot_stores_no_payload_again(tmp_path):
    audit = lineage.check(SAMPLE)
    path = tmp_path / "a.db"
    with Store(path) as store:
        store.add(audit, label="one")
        blobs = store._conn.execute("SELECT count(*), sum(length(data)) FROM blobs").fetchone()
        store.add(audit, label="two")
        assert store._conn.execute("SELECT count(*), sum(length(data)) FROM blobs"
                                   ).fetchone() == blobs
        parts = store._conn.execute("SELECT snapshot_id, part, seq, blob FROM parts "
                                    "ORDER BY 2, 3, 1").fetchall()
        assert [p[3] for p in parts[0::2]] == [p[3] for p in parts[1::2]]  # same chunks
        assert store.verify().ok


def test_a_changed_inventory_stores_only_the_chunks_that_changed(tmp_path):
    # 20 copies of the sample's flows: several chunks per part
    snap = Snapshot.from_audit(lineage.check(SAMPLE))
    flows = tuple((f"{r[0]}-{k}", *r[1:]) for k in range(200) for r in snap.flows)
    first = dataclasses.replace(snap, flows=flows)
    changed = list(flows)
    changed[5000] = (*changed[5000][:9], "violation", changed[5000][10])
    second = dataclasses.replace(snap, flows=tuple(changed))
    path = tmp_path / "a.db"
    with Store(path) as store:
        store.add(first)
        chunks = store._conn.execute("SELECT count(*) FROM blobs").fetchone()[0]
        store.add(second)
        added = store._conn.execute("SELECT count(*) FROM blobs").fetchone()[0] - chunks
        flow_chunks = store._conn.execute("SELECT count(*) FROM parts WHERE snapshot_id = 2 "
                                          "AND part = 'flows'").fetchone()[0]
        assert flow_chunks > 5 and added == 1
        assert store.get(2).flows == tuple(changed) and store.get(1).flows == flows
        assert store.verify().ok


def test_a_stored_snapshot_reads_back_equal(tmp_path):
    inv = copy_sample(tmp_path)
    audits = [lineage.check(inv)]
    change_inventory(inv)
    audits.append(lineage.check(inv))
    with Store(tmp_path / "a.db") as store:
        for audit in audits:
            added = store.add(audit)
            got = store.get(added.id)
            assert got == added
            fresh = Snapshot.from_audit(audit)
            assert (got.flows, got.findings, got.waivers, got.inventory_json) == \
                (fresh.flows, fresh.findings, fresh.waivers, fresh.inventory_json)
            assert store.finding_ids(added.id) == {f.id for f in audit.results}


def test_the_same_audits_give_the_same_store_content(tmp_path, run_cli):
    def build(name):
        path = tmp_path / name
        shutil.rmtree(tmp_path / "inv", ignore_errors=True)
        inv = copy_sample(tmp_path)  # the same path: it is recorded as the source
        run_cli("snapshot", "create", inv, "--store", path, "--label", "Q3", env=EPOCH)
        change_inventory(inv)
        run_cli("snapshot", "create", inv, "--store", path, "--label", "Q4", env=EPOCH)
        conn = sqlite3.connect(path)
        try:
            return (conn.execute("SELECT hash, data FROM blobs ORDER BY hash").fetchall(),
                    conn.execute("SELECT * FROM parts ORDER BY 1, 2, 3").fetchall(),
                    conn.execute("SELECT chain_hash FROM snapshots ORDER BY id").fetchall())
        finally:
            conn.close()
    a, b = build("a.db"), build("b.db")
    assert a == b and len(a[0]) > 4


def test_chunks_are_cut_by_content():
    rows = [(f"F{i}", "x" * (i % 13)) for i in range(20_000)]
    chunks = split_rows("flows", rows)
    assert len(chunks) > 10 and max(c.rows for c in chunks) <= 4096
    # a row inserted near the start moves no boundary after the next one
    shifted = split_rows("flows", rows[:100] + [("new", "")] + rows[100:])
    assert len({c.blob for c in chunks} - {c.blob for c in shifted}) == 1
    text = json.dumps({"flows": [{"id": f"F{i}", "n": "x" * (i % 5)} for i in range(20_000)]},
                      separators=(",", ":"))
    pieces = split_text("inventory", text)
    assert len(pieces) > 10 and "".join(
        sqlar_uncompress(c.data, c.size).decode() for c in pieces) == text


def test_row_views_read_both_layouts(legacy):
    with Store(legacy) as store:
        store.add(lineage.check(SAMPLE), label="Q4")
    conn = sqlite3.connect(legacy)
    conn.create_function("sqlar_uncompress", 2, sqlar_uncompress)
    try:
        counts = conn.execute("SELECT snapshot_id, count(*), sum(waived) FROM finding_rows "
                              "GROUP BY 1 ORDER BY 1").fetchall()
        assert counts == [(1, 10, 1), (2, 10, 1), (3, 10, 1), (4, 10, 1)]
        old, new = (conn.execute("SELECT flow, from_party, to_party, items, route, status, "
                                 "findings FROM flow_rows WHERE snapshot_id = ? ORDER BY seq",
                                 (sid,)).fetchall() for sid in (3, 4))
        assert old == new and len(new) == 48
        assert conn.execute("SELECT count(*) FROM latest_findings").fetchone()[0] == 10
    finally:
        conn.close()


def _variant(snap: Snapshot, seed: int, drop: float = 0.01) -> Snapshot:
    """The snapshot's rows repeated, with a seeded share of them changed, dropped or added."""
    import random
    rnd = random.Random(seed)
    flows, findings = [], []
    for k in range(60):
        for r in snap.flows:
            row = (f"{r[0]}-{k}", *r[1:])
            if rnd.random() < 0.02:
                row = (*row[:8], rnd.choice(["none", "consent", "outsourcing"]),
                       rnd.choice(["ok", "violation"]), row[10])
            if rnd.random() >= drop:
                flows.append(row)
        for r in snap.findings:
            row = (f"{r[0]}-{k}", *r[1:])
            if rnd.random() < 0.03:
                row = (*row[:4], "warning", *row[5:15], 1 - row[15])
            if rnd.random() > 0.02:
                findings.append(row)
    findings.append((f"NEW:{seed}", *snap.findings[0][1:]))
    return dataclasses.replace(snap, flows=tuple(flows), findings=tuple(findings))


def test_a_diff_of_stored_snapshots_equals_the_diff_of_the_same_rows_in_memory(tmp_path):
    # the diff skips chunks two stored snapshots share; it must say exactly what the
    # careful comparison of every row says
    from lineage.snapshots import render
    from lineage.snapshots.compare import Diff
    from lineage.snapshots.record import StoredRows
    inv = copy_sample(tmp_path)
    base = Snapshot.from_audit(lineage.check(inv))
    change_inventory(inv)
    changed = Snapshot.from_audit(lineage.check(inv))
    snaps = [base, changed, _variant(base, 1), _variant(base, 2), _variant(changed, 3),
             _variant(base, 4, drop=0), _variant(base, 5, drop=0)]
    with Store(tmp_path / "a.db") as store:
        stored = [store.get(store.add(s).id) for s in snaps]
        assert isinstance(stored[2].flows, StoredRows) and len(stored[2].flows.blobs) > 3
        for i, j in [(0, 0), (0, 1), (1, 0), (2, 3), (3, 2), (2, 2), (2, 4), (0, 2), (5, 6)]:
            fast = Diff(stored[i], stored[j])
            plain = [dataclasses.replace(s, flows=tuple(s.flows), findings=tuple(s.findings))
                     for s in (stored[i], stored[j])]
            # rows in another order: no pairwise shortcut, every flow by ID
            shuffled = dataclasses.replace(plain[1], flows=plain[1].flows[::-1],
                                           findings=plain[1].findings[::-1])
            for careful in (Diff(*plain), Diff(plain[0], shuffled)):
                assert render.diff_json(fast) == render.diff_json(careful), (i, j)
                assert render.diff_table(fast) == render.diff_table(careful), (i, j)
                assert render.diff_markdown(fast, "ja") == render.diff_markdown(careful, "ja")
        shared = Diff(stored[2], stored[3])
        assert shared.new and shared.resolved and shared.flow_changes
        assert any(f["changes"] for f in shared.open)
        aligned = Diff(stored[5], stored[6])
        assert aligned.flow_changes and "NEW:5" in [f["id"] for f in aligned.new]


@pytest.mark.parametrize("part, command, message", [
    ("findings", ("snapshot", "show", "1"), "is damaged"),
    ("flows", ("snapshot", "diff", "1", "2"), "is damaged"),
    ("inventory", ("snapshot", "diff", "1", "2"), "a stored inventory chunk is damaged"),
])
def test_a_damaged_chunk_read_later_is_a_clear_error(tmp_path, run_cli, part, command, message):
    # rows and inventory text are decoded on first use, after the store opened them:
    # damage found then is still one message and exit 2, never a traceback
    inv = copy_sample(tmp_path)
    path = tmp_path / "a.db"
    run_cli("snapshot", "create", inv, "--store", path)
    change_inventory(inv)
    run_cli("snapshot", "create", inv, "--store", path)
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER blobs_no_update")
    conn.execute("UPDATE blobs SET data = zeroblob(length(data)) WHERE hash = (SELECT blob "
                 "FROM parts WHERE snapshot_id = 1 AND part = ? AND seq = 0)", (part,))
    conn.commit()
    conn.close()
    res = run_cli(*command, "--store", path, expect=2)
    assert message in res.stderr and "lineage snapshot verify" in res.stderr
    assert "Traceback" not in res.stderr


def test_verify_hashes_stored_bytes_without_decoding_them(tmp_path, monkeypatch):
    # verify checks every stored byte through its hash alone: nothing is decompressed,
    # decoded or serialised again, so it costs about a sha256 of the file
    import zlib

    from lineage.snapshots import chunks
    with Store(tmp_path / "a.db") as store:
        store.add(lineage.check(SAMPLE))

        def refuse(*args, **kwargs):
            raise AssertionError("verify decoded a stored payload")
        for module, name in ((zlib, "decompress"), (chunks, "unpack"), (json, "loads"),
                             (chunks, "rows_of")):
            monkeypatch.setattr(module, name, refuse)
        assert store.verify().ok
        seen = []
        real = hashlib.sha256
        monkeypatch.setattr(hashlib, "sha256",
                            lambda data=b"": seen.append(len(data)) or real(data))
        assert store.verify().ok
        stored = store._conn.execute("SELECT sum(length(data)) FROM blobs").fetchone()[0]
        assert sum(n for n in seen if n) >= stored  # every stored byte hashed
