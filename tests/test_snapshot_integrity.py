"""Tamper evidence, crash safety and concurrent writers of the snapshot store."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

import lineage
from lineage.snapshots import Store
from paths import ROOT, SAMPLE


@pytest.fixture
def store3(tmp_path):
    """A store with three snapshots of the sample."""
    path = tmp_path / "audits.db"
    audit = lineage.check(SAMPLE)
    with Store(path) as store:
        for label in ("Q1", "Q2", "Q3"):
            store.add(audit, label=label)
    return path


def _tamper(path, *statements):
    """Change the store behind lineage's back (as someone with the file could)."""
    conn = sqlite3.connect(path)
    for table in ("snapshots", "inventories", "flows", "findings", "waivers"):
        conn.execute(f"DROP TRIGGER {table}_no_update")
        conn.execute(f"DROP TRIGGER {table}_no_delete")
    for sql in statements:
        conn.execute(sql)
    conn.commit()
    conn.close()


def _verify(run_cli, path, expect):
    return run_cli("snapshot", "verify", "--store", path, expect=expect)


def test_an_intact_store_verifies(store3, run_cli):
    res = _verify(run_cli, store3, 0)
    lines = res.stdout.splitlines()
    assert lines[0] == f"{store3}: 3 snapshots, hash chain intact"
    with Store(store3) as store:
        assert lines[1] == f"head: sha256:{store.get('latest').chain_hash}"


def test_an_altered_finding_is_detected(store3, run_cli):
    _tamper(store3, "UPDATE findings SET waived = 1 WHERE snapshot_id = 2 AND "
                    "finding_id = 'TP101:F38'")
    res = _verify(run_cli, store3, 1)
    assert res.stdout.splitlines()[:2] == [
        "snapshot 2: content was altered (its rows no longer match its content hash)",
        f"{store3}: 3 snapshots, 1 problem"]


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
def test_any_altered_row_is_detected(store3, run_cli, sql, message):
    _tamper(store3, sql)
    res = _verify(run_cli, store3, 1)
    assert message in res.stdout.splitlines()


def test_a_removed_snapshot_is_detected(store3, run_cli):
    _tamper(store3, "DELETE FROM findings WHERE snapshot_id = 2",
            "DELETE FROM flows WHERE snapshot_id = 2",
            "DELETE FROM waivers WHERE snapshot_id = 2",
            "DELETE FROM snapshots WHERE id = 2")
    out = _verify(run_cli, store3, 1).stdout.splitlines()
    assert out[:3] == [
        "snapshot 3: hash chain broken: its previous-snapshot hash does not match the "
        "snapshot before it",
        "snapshot 3: snapshot 2 was removed before it",
        f"{store3}: 2 snapshots, 2 problems"]


def test_a_removed_latest_snapshot_is_detected(store3, run_cli):
    _tamper(store3, "DELETE FROM findings WHERE snapshot_id = 3",
            "DELETE FROM flows WHERE snapshot_id = 3",
            "DELETE FROM waivers WHERE snapshot_id = 3",
            "DELETE FROM snapshots WHERE id = 3")
    out = _verify(run_cli, store3, 1).stdout.splitlines()
    assert out[0] == "store: latest snapshot 3 was removed (the chain head records snapshot 3)"


def test_a_removed_header_leaves_orphans_that_are_reported(store3, run_cli):
    _tamper(store3, "DELETE FROM snapshots WHERE id = 3")
    out = _verify(run_cli, store3, 1).stdout.splitlines()
    assert "snapshot 3: was removed but its findings rows remain" in out
    assert "snapshot 3: was removed but its flows rows remain" in out


def test_a_rewritten_chain_is_caught_by_a_head_kept_elsewhere(store3, run_cli, tmp_path):
    with Store(store3) as store:
        head = store.get("latest").chain_hash
    # someone rebuilds the store without the last snapshot: a consistent chain
    rebuilt = tmp_path / "rebuilt.db"
    with Store(store3) as old, Store(rebuilt) as new:
        for ref in ("Q1", "Q2"):
            snap = old.get(ref)
            import dataclasses
            new.add(dataclasses.replace(snap, id=None))
    _verify(run_cli, rebuilt, 0)
    res = run_cli("snapshot", "verify", "--store", rebuilt, "--head", f"sha256:{head}",
                  expect=1)
    assert res.stdout.splitlines()[0] == (f"store: recorded head sha256:{head} is not in the "
                                          "chain: snapshots were removed or rewritten")
    run_cli("snapshot", "verify", "--store", store3, "--head", head, expect=0)


def test_verify_as_json(store3, run_cli):
    import json
    _tamper(store3, "UPDATE findings SET message = 'x' WHERE snapshot_id = 1 AND seq = 0")
    data = json.loads(run_cli("snapshot", "verify", "--store", store3, "--format", "json",
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
snap = Snapshot.from_audit(lineage.check(sys.argv[2]))
# a big snapshot, so the write takes long enough to be killed in the middle
snap = dataclasses.replace(snap, findings=snap.findings * 10000)
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
