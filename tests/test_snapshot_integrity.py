"""Tamper evidence, crash safety and concurrent writers of the snapshot store.

Snapshots written now are content-addressed chunks (layout 2, ``parts`` and
``blobs``); a store written before schema 3 keeps its snapshots as rows
(layout 1), and verify must still catch every change to those, so the row
tests run on ``tests/snapshot_stores/schema2.db`` (written by the code before
schema 3) and the chunk tests on a new store.
"""

from __future__ import annotations

import dataclasses
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

import lineage
from lineage.snapshots import Snapshot, Store
from lineage.snapshots.chunks import sqlar_uncompress
from paths import ROOT, SAMPLE

#: Three snapshots (Q1, Q2, Q3) of the sample written by lineage before schema 3.
SCHEMA2 = ROOT / "tests" / "snapshot_stores" / "schema2.db"


@pytest.fixture
def store3(tmp_path):
    """A store with three snapshots of the sample."""
    path = tmp_path / "audits.db"
    audit = lineage.check(SAMPLE)
    with Store(path) as store:
        for label in ("Q1", "Q2", "Q3"):
            store.add(audit, label=label)
    return path


@pytest.fixture
def legacy3(tmp_path):
    """A copy of the schema-2 store: three snapshots kept as rows."""
    path = tmp_path / "legacy.db"
    shutil.copyfile(SCHEMA2, path)
    return path


@pytest.fixture
def big3(tmp_path):
    """Three chunked snapshots with several chunks of findings (3,000, IDs made unique; the
    chunks are cut where the content says, so how many depends on the sample's findings)."""
    path = tmp_path / "big.db"
    snap = Snapshot.from_audit(lineage.check(SAMPLE))
    snap = dataclasses.replace(snap, findings=tuple((f"{row[0]}#{k}", *row[1:])
                                                    for k in range(300) for row in snap.findings))
    with Store(path) as store:
        for label in ("Q1", "Q2", "Q3"):
            store.add(snap, label=label)
    return path


def _tamper(path, *statements):
    """Change the store behind lineage's back (as someone with the file could)."""
    conn = sqlite3.connect(path)
    conn.create_function("sqlar_uncompress", 2, sqlar_uncompress)
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"
                                ).fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    for sql in statements:
        conn.execute(sql)
    conn.commit()
    conn.close()


def _verify(run_cli, path, expect):
    return run_cli("snapshot", "verify", "--store", path, expect=expect)


@pytest.mark.parametrize("which", ["store3", "legacy3"])
def test_an_intact_store_verifies(which, request, run_cli):
    store3 = request.getfixturevalue(which)
    res = _verify(run_cli, store3, 0)
    lines = res.stdout.splitlines()
    assert lines[0] == f"{store3}: 3 snapshots, hash chain intact"
    with Store(store3, create=False) as store:
        assert lines[1] == f"head: sha256:{store.get('latest').chain_hash}"


def test_an_altered_finding_is_detected(legacy3, run_cli):
    _tamper(legacy3, "UPDATE findings SET waived = 1 WHERE snapshot_id = 2 AND "
                     "finding_id = 'TP101:F38'")
    res = _verify(run_cli, legacy3, 1)
    assert res.stdout.splitlines()[:2] == [
        "snapshot 2: content was altered (its rows no longer match its content hash)",
        f"{legacy3}: 3 snapshots, 1 problem"]


@pytest.mark.parametrize("sql, message", [
    ("UPDATE flows SET route = 'consent' WHERE snapshot_id = 1 AND flow = 'F38'",
     "snapshot 1: content was altered (its rows no longer match its content hash)"),
    ("UPDATE snapshots SET as_of = '2026-12-01' WHERE id = 3",
     "snapshot 3: content was altered (its rows no longer match its content hash)"),
    ("UPDATE snapshots SET label = 'Q2b' WHERE id = 2",
     "snapshot 2: content was altered (its rows no longer match its content hash)"),
    ("DELETE FROM waivers WHERE snapshot_id = 3",
     "snapshot 3: content was altered (its rows no longer match its content hash)"),
    ("UPDATE inventories SET content = replace(content, 'monocollabo', 'other')",
     "snapshot 1: its inventory text was altered"),
])
def test_any_altered_row_is_detected(legacy3, run_cli, sql, message):
    _tamper(legacy3, sql)
    res = _verify(run_cli, legacy3, 1)
    assert message in res.stdout.splitlines()


def test_a_removed_snapshot_is_detected(legacy3, run_cli):
    _tamper(legacy3, "DELETE FROM findings WHERE snapshot_id = 2",
            "DELETE FROM flows WHERE snapshot_id = 2",
            "DELETE FROM waivers WHERE snapshot_id = 2",
            "DELETE FROM snapshots WHERE id = 2")
    out = _verify(run_cli, legacy3, 1).stdout.splitlines()
    assert out[:3] == [
        "snapshot 3: hash chain broken: its previous-snapshot hash does not match the "
        "snapshot before it",
        "snapshot 3: snapshot 2 was removed before it",
        f"{legacy3}: 2 snapshots, 2 problems"]


def test_a_removed_latest_snapshot_is_detected(legacy3, run_cli):
    _tamper(legacy3, "DELETE FROM findings WHERE snapshot_id = 3",
            "DELETE FROM flows WHERE snapshot_id = 3",
            "DELETE FROM waivers WHERE snapshot_id = 3",
            "DELETE FROM snapshots WHERE id = 3")
    out = _verify(run_cli, legacy3, 1).stdout.splitlines()
    assert out[0] == "store: latest snapshot 3 was removed (the chain head records snapshot 3)"


def test_a_removed_header_leaves_orphans_that_are_reported(legacy3, run_cli):
    _tamper(legacy3, "DELETE FROM snapshots WHERE id = 3")
    out = _verify(run_cli, legacy3, 1).stdout.splitlines()
    assert "snapshot 3: was removed but its findings rows remain" in out
    assert "snapshot 3: was removed but its flows rows remain" in out


# -- chunked snapshots (layout 2) --------------------------------------------------------------

_ALTERED = "content was altered (its header or chunk list no longer matches its content hash)"
# the blob holding a chunk of a part of a snapshot
_BLOB = "(SELECT blob FROM parts WHERE snapshot_id = {sid} AND part = '{part}' AND seq = {seq})"


@pytest.mark.parametrize("part", ["inventory", "flows", "findings", "waivers"])
def test_a_changed_stored_byte_is_detected(big3, run_cli, part):
    # one byte of a stored payload changed; the chunk is shared by all three snapshots
    _tamper(big3, "UPDATE blobs SET data = CAST(substr(data, 1, 10) || x'00' || "
                  f"substr(data, 12) AS BLOB) WHERE hash = {_BLOB.format(sid=2, part=part, seq=0)}")
    out = _verify(run_cli, big3, 1).stdout.splitlines()
    assert out[:4] == [f"snapshot {i}: its stored {part} were altered (chunk 0: the stored "
                       "bytes no longer match their hash)" for i in (1, 2, 3)] + [
        f"{big3}: 3 snapshots, 3 problems"]


def test_a_removed_payload_is_detected(big3, run_cli):
    _tamper(big3, f"DELETE FROM blobs WHERE hash = {_BLOB.format(sid=1, part='findings', seq=2)}")
    out = _verify(run_cli, big3, 1).stdout.splitlines()
    assert out[0] == "snapshot 1: its stored findings were removed (chunk 2 missing)"
    assert out[3] == f"{big3}: 3 snapshots, 3 problems"
    res = run_cli("snapshot", "show", "2", "--store", big3, expect=2)  # a clear message
    assert "snapshot 2 has lost stored findings (run `lineage snapshot verify`)" in res.stderr


@pytest.mark.parametrize("sql", [
    # two chunks of a part swap places
    "UPDATE parts SET seq = 99 WHERE snapshot_id = 2 AND part = 'findings' AND seq = 0; "
    "UPDATE parts SET seq = 0 WHERE snapshot_id = 2 AND part = 'findings' AND seq = 1; "
    "UPDATE parts SET seq = 1 WHERE snapshot_id = 2 AND part = 'findings' AND seq = 99",
    # two chunks swap their payloads
    "UPDATE parts SET blob = CASE seq WHEN 0 THEN {b1} ELSE {b0} END "
    "WHERE snapshot_id = 2 AND part = 'findings' AND seq < 2",
    # a chunk of another part stands in for one
    "UPDATE parts SET blob = {flows} WHERE snapshot_id = 2 AND part = 'findings' AND seq = 0",
    # a chunk dropped from the list
    "DELETE FROM parts WHERE snapshot_id = 2 AND part = 'findings' AND seq = 1",
    # header fields
    "UPDATE snapshots SET as_of = '2026-12-01' WHERE id = 2",
    "UPDATE snapshots SET summary = replace(summary, '\"flows\":48', '\"flows\":47') "
    "WHERE id = 2",
    "UPDATE snapshots SET layout = 1 WHERE id = 2",
])
def test_a_reordered_or_changed_chunk_list_is_detected(big3, run_cli, sql):
    blob = _BLOB.format(sid=2, part="findings", seq="{}")
    sql = sql.format(b0=blob.format(0), b1=blob.format(1),
                     flows=_BLOB.format(sid=2, part="flows", seq=0))
    _tamper(big3, *sql.split("; "))
    out = _verify(run_cli, big3, 1).stdout.splitlines()
    assert any(line.startswith("snapshot 2: content was altered") for line in out), out
    assert all(line.startswith("snapshot 2: ") for line in out[:-2]), out


def test_reordered_snapshots_are_detected(big3, run_cli):
    _tamper(big3, "UPDATE snapshots SET id = 99 WHERE id = 2",
            "UPDATE snapshots SET id = 2 WHERE id = 3",
            "UPDATE snapshots SET id = 3 WHERE id = 99")
    out = _verify(run_cli, big3, 1).stdout.splitlines()
    assert f"snapshot 2: {_ALTERED}" in out and f"snapshot 3: {_ALTERED}" in out
    assert ("snapshot 2: hash chain broken: its previous-snapshot hash does not match the "
            "snapshot before it") in out


def test_a_removed_chunked_snapshot_is_detected(big3, run_cli):
    _tamper(big3, "DELETE FROM parts WHERE snapshot_id = 2", "DELETE FROM snapshots WHERE id = 2")
    out = _verify(run_cli, big3, 1).stdout.splitlines()
    assert out[:2] == [
        "snapshot 3: hash chain broken: its previous-snapshot hash does not match the "
        "snapshot before it",
        "snapshot 3: snapshot 2 was removed before it"]
    _tamper(big3, "DELETE FROM snapshots WHERE id = 3")
    out = _verify(run_cli, big3, 1).stdout.splitlines()
    assert "snapshot 3: was removed but its parts rows remain" in out
    assert ("store: latest snapshots 2, 3 were removed (the chain head records snapshot 3)"
            in out)


def test_chunk_problems_in_json(big3, run_cli):
    import json
    _tamper(big3, "UPDATE blobs SET data = zeroblob(10) "
                  f"WHERE hash = {_BLOB.format(sid=1, part='waivers', seq=0)}")
    data = json.loads(run_cli("snapshot", "verify", "--store", big3, "--format", "json",
                              expect=1).stdout)
    assert data["problems"][0] == {"snapshot": 1, "message": "its stored waivers were altered "
                                   "(chunk 0: the stored bytes no longer match their hash)"}


def test_a_rewritten_chain_is_caught_by_a_head_kept_elsewhere(store3, run_cli, tmp_path):
    with Store(store3) as store:
        head = store.get("latest").chain_hash
    # someone rebuilds the store without the last snapshot: a consistent chain
    rebuilt = tmp_path / "rebuilt.db"
    with Store(store3) as old, Store(rebuilt) as new:
        for ref in ("Q1", "Q2"):
            snap = old.get(ref)
            new.add(dataclasses.replace(snap, id=None))
    _verify(run_cli, rebuilt, 0)
    res = run_cli("snapshot", "verify", "--store", rebuilt, "--head", f"sha256:{head}",
                  expect=1)
    assert res.stdout.splitlines()[0] == (f"store: recorded head sha256:{head} is not in the "
                                          "chain: snapshots were removed or rewritten")
    run_cli("snapshot", "verify", "--store", store3, "--head", head, expect=0)


def test_verify_as_json(legacy3, run_cli):
    import json
    _tamper(legacy3, "UPDATE findings SET message = 'x' WHERE snapshot_id = 1 AND seq = 0")
    data = json.loads(run_cli("snapshot", "verify", "--store", legacy3, "--format", "json",
                              expect=1).stdout)
    assert data["ok"] is False and data["snapshots"] == 3
    assert data["problems"] == [{"snapshot": 1, "message": "content was altered (its rows no "
                                                           "longer match its content hash)"}]


# -- crashes and concurrency ---------------------------------------------------------------

_BIG_WRITER = """
import dataclasses, sys
import lineage
from lineage.snapshots import Store
from lineage.snapshots.record import Snapshot
import os
snap = Snapshot.from_audit(lineage.check(sys.argv[2]))
# a big snapshot of distinct rows that do not compress (each chunk is stored once,
# compressed, before the transaction begins), so the write takes long enough to be
# killed in the middle
snap = dataclasses.replace(snap, findings=tuple(
    (f"{r[0]}#{k}", *r[1:11], os.urandom(512).hex(), *r[12:])
    for k in range(10000) for r in snap.findings))
print("ready", flush=True)
with Store(sys.argv[1]) as store:
    store.add(snap, label=sys.argv[3])
print("done", flush=True)
"""


def _kill_mid_write(path, label: str, delay: float) -> bool:
    """Start a big write, SIGKILL it once the journal exists (+delay); True if killed."""
    journal = path.with_name(path.name + "-journal")
    proc = subprocess.Popen([sys.executable, "-c", _BIG_WRITER, str(path), str(SAMPLE), label],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "ready\n"
    deadline = time.monotonic() + 60
    while not journal.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            break
        time.sleep(0.0005)
    time.sleep(delay)
    killed = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    return killed


def test_a_process_killed_mid_snapshot_leaves_a_store_that_verifies(store3, run_cli):
    kills = 0
    for i, delay in enumerate((0.0, 0.05, 0.3)):
        kills += _kill_mid_write(store3, f"killed-{i}", delay)
        # the next opener rolls the hot journal back
        res = _verify(run_cli, store3, 0)
        assert res.stdout.startswith(f"{store3}: 3 snapshots, hash chain intact"), res.stdout
    assert kills >= 2, "the writer finished before it could be killed: make it bigger"
    with Store(store3) as store:
        assert [e["label"] for e in store.list()] == ["Q1", "Q2", "Q3"]
        assert store.add(lineage.check(SAMPLE), label="Q4").id == 4
    _verify(run_cli, store3, 0)


def test_ctrl_c_of_the_cli_leaves_the_store_as_it_was(store3, run_cli):
    journal = store3.with_name(store3.name + "-journal")
    proc = subprocess.Popen([sys.executable, "-c", _BIG_WRITER, str(store3), str(SAMPLE), "int"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "ready\n"
    deadline = time.monotonic() + 60
    while not journal.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.0005)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0 and "KeyboardInterrupt" in err
    assert not journal.exists()  # rolled back by the writer itself
    _verify(run_cli, store3, 0)
    with Store(store3) as store:
        assert len(store) == 3


def test_concurrent_writers_all_land_and_the_chain_holds(tmp_path, run_cli):
    path = tmp_path / "new" / "audits.db"  # not created yet: creation races too
    procs = [subprocess.Popen([sys.executable, "-m", "lineage", "snapshot", "create",
                               str(SAMPLE), "--store", str(path), "--label", f"w{i}"],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for i in range(4)]
    results = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
    for out, err, code in results:
        assert code == 0, (out, err)
        assert err == ""
    res = _verify(run_cli, path, 0)
    assert res.stdout.startswith(f"{path}: 4 snapshots, hash chain intact")
    with Store(path) as store:
        assert sorted(e["label"] for e in store.list()) == ["w0", "w1", "w2", "w3"]
        assert [e["id"] for e in store.list()] == [1, 2, 3, 4]
