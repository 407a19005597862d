"""The inventory part made in a child process (lineage/snapshots/ahead.py) and the
flow rows cut and compressed as they come: the store's bytes are those of the
careful way (tests/snapshot_oracle.py), whichever process made the part and
whatever went wrong in the child.

The child is a fork: these tests run where ``may_fork()`` holds (Linux, one
thread); the suite's CI and Debian runs are such places, and each test that
needs a child first asserts that one was started, so none passes by falling
back unnoticed.
"""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import snapshot_oracle as oracle
from lineage.audit import check
from lineage.model import load
from lineage.snapshots import ahead as ahead_module
from lineage.snapshots import chunks, record
from lineage.snapshots.ahead import InventoryAhead, made_here, may_fork
from lineage.snapshots.api import snapshot
from lineage.snapshots.chunks import Packer, RowCutter, iter_row_payloads, row_payloads
from lineage.snapshots.record import Snapshot
from lineage.snapshots.store import Store
from paths import ROOT, SAMPLE

EPOCH = "1790000000"


def _stored(path) -> tuple[list, dict, list]:
    """Parts, blobs and snapshot rows of a store: what two stores must share."""
    conn = sqlite3.connect(path)
    try:
        parts = conn.execute("SELECT snapshot_id, part, seq, first_row, row_count, size, blob "
                             "FROM parts ORDER BY snapshot_id, part, seq").fetchall()
        blobs = dict(conn.execute("SELECT hash, data FROM blobs"))
        snaps = conn.execute("SELECT * FROM snapshots ORDER BY id").fetchall()
    finally:
        conn.close()
    return parts, blobs, snaps


def _forks():
    if not may_fork():
        pytest.fail("these tests need a process that may fork (Linux, one thread, "
                    f"LINEAGE_FORK unset); threads: {threading.active_count()}")


@pytest.fixture
def started(monkeypatch):
    """Every InventoryAhead started, whatever the inventory's size."""
    got = []
    real = InventoryAhead.start.__func__

    def start(cls, inventory, known=None, *, min_flows=0):
        made = real(cls, inventory, known, min_flows=0)
        got.append(made)
        return made
    monkeypatch.setattr(InventoryAhead, "start", classmethod(start))
    return got


def test_the_child_makes_what_this_process_makes():
    _forks()
    inv = load(SAMPLE)
    ahead = InventoryAhead.start(inv, min_flows=0)
    assert ahead is not None and ahead.pid != os.getpid()
    try:
        got = ahead.result()
    finally:
        ahead.close()
    want = made_here(inv)
    assert got == want
    assert got[1] == len(oracle.canonical_json(inv).encode("utf-8"))
    assert b"".join(chunks.unpack(c.data, c.size) for c in got[2]).decode() == \
        oracle.canonical_json(inv)


def test_small_inventories_and_forbidden_forks_make_no_child(monkeypatch):
    inv = load(SAMPLE)
    assert ahead_module.MIN_FLOWS == 20_000
    assert InventoryAhead.start(inv) is None  # 48 flows
    monkeypatch.setenv("LINEAGE_FORK", "0")
    assert not may_fork()
    assert InventoryAhead.start(inv, min_flows=0) is None
    monkeypatch.delenv("LINEAGE_FORK")
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not may_fork()  # another thread: a fork would copy only this one
        assert InventoryAhead.start(inv, min_flows=0) is None
    finally:
        stop.set()
        other.join()


def test_a_snapshot_with_a_child_stores_the_careful_bytes(tmp_path, monkeypatch, started):
    _forks()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    snap = snapshot(SAMPLE, store=tmp_path / "a.db", label="q1", packs=("policy", "appi"))
    second = snapshot(SAMPLE, store=tmp_path / "a.db", label="q2", packs=("policy", "appi"))
    assert len(started) == 2 and all(a is not None for a in started)
    audit = check(SAMPLE, packs=("policy", "appi"))
    want = [c.manifest() for c in oracle.chunks(Snapshot.from_audit(audit))]
    parts, blobs, _ = _stored(tmp_path / "a.db")
    order = {p: i for i, p in enumerate(chunks.PARTS)}
    for sid in (1, 2):
        got = sorted((p[1:] for p in parts if p[0] == sid), key=lambda m: (order[m[0]], m[1]))
        assert got == want
    assert snap.inventory_json == second.inventory_json == oracle.canonical_json(audit.inventory)
    assert snap.inventory_hash == hashlib.sha256(
        oracle.canonical_json(audit.inventory).encode("utf-8")).hexdigest()
    with Store(tmp_path / "a.db") as store:
        assert store.verify().ok
        assert store.get("q1").inventory_json == snap.inventory_json
    # and the same store as without a child, byte for byte
    monkeypatch.setenv("LINEAGE_FORK", "0")
    snapshot(SAMPLE, store=tmp_path / "b.db", label="q1", packs=("policy", "appi"))
    snapshot(SAMPLE, store=tmp_path / "b.db", label="q2", packs=("policy", "appi"))
    assert started[2:] == [None, None]
    assert _stored(tmp_path / "a.db") == _stored(tmp_path / "b.db")
    assert (tmp_path / "a.db").read_bytes() == (tmp_path / "b.db").read_bytes()


@pytest.mark.parametrize("trouble", ["raises", "killed", "garbage"])
def test_a_child_that_fails_leaves_the_work_to_this_process(tmp_path, monkeypatch, started,
                                                             trouble):
    _forks()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)

    def child(inventory, known, fd):
        if trouble == "raises":
            raise MemoryError("the child ran out")
        if trouble == "killed":
            os.kill(os.getpid(), signal.SIGKILL)
        os.write(fd, b"\x00\x00\x00\x00\x00\x00\x00\x05{}")  # a header cut short
    monkeypatch.setattr(ahead_module, "_child", child)
    snap = snapshot(SAMPLE, store=tmp_path / "a.db", label="q1")
    assert len(started) == 1 and started[0] is not None
    assert started[0].result() is None
    monkeypatch.setenv("LINEAGE_FORK", "0")
    plain = snapshot(SAMPLE, store=tmp_path / "b.db", label="q1")
    assert snap.chain_hash == plain.chain_hash
    assert _stored(tmp_path / "a.db") == _stored(tmp_path / "b.db")


def test_closing_ends_a_child_still_at_work(monkeypatch):
    _forks()
    monkeypatch.setattr(ahead_module, "_child", lambda *a: time.sleep(60))
    ahead = InventoryAhead.start(load(SAMPLE), min_flows=0)
    assert ahead is not None
    began = time.monotonic()
    ahead.close()
    assert time.monotonic() - began < 30
    with pytest.raises(ChildProcessError):  # reaped: no zombie left behind
        os.waitpid(ahead.pid, os.WNOHANG)
    assert ahead.result() is None


def test_an_error_in_the_check_ends_the_child(tmp_path, monkeypatch, started):
    _forks()
    monkeypatch.setattr(ahead_module, "_child", lambda *a: time.sleep(60))
    import lineage.audit

    def failing(*a, **k):
        raise RuntimeError("the check failed")
    monkeypatch.setattr(lineage.audit, "check", failing)
    with pytest.raises(RuntimeError):
        snapshot(SAMPLE, store=tmp_path / "a.db")
    assert started[0] is not None
    with pytest.raises(ChildProcessError):
        os.waitpid(started[0].pid, os.WNOHANG)


@pytest.mark.parametrize("raw", [b"", b"\x00" * 8, b"\x00\x00\x00\x00\x00\x00\x00\x02{}",
                                 b"\x00\x00\x00\x00\x00\x00\x00\x02[]", b"\xff" * 20])
def test_a_result_not_whole_is_none(raw):
    assert ahead_module._parsed(raw) is None


def test_a_parsed_result_with_bytes_missing_or_left_over_is_none():
    inv = load(SAMPLE)
    digest, size, made = made_here(inv)
    import json
    header = json.dumps({"digest": digest, "size": size,
                         "chunks": [[c.seq, c.first, c.rows, c.size, c.blob, len(c.data)]
                                    for c in made]}).encode()
    whole = len(header).to_bytes(8, "big") + header + b"".join(c.data for c in made)
    assert ahead_module._parsed(whole) == (digest, size, made)
    assert ahead_module._parsed(whole[:-1]) is None
    assert ahead_module._parsed(whole + b"x") is None


# -- the flow rows a batch at a time -------------------------------------------------

_ROW = st.tuples(st.text(max_size=12), st.one_of(st.none(), st.integers(-5, 5)),
                 st.sampled_from(["],[", "a", "", "名"]))


@settings(max_examples=150, deadline=None)
@given(st.lists(_ROW, max_size=600), st.integers(1, 700), st.integers(0, 3))
def test_rows_cut_as_they_come_are_cut_as_at_once(rows, segment, spread):
    # many small groups: the mask boundary, the minimum and maximum rows met often
    rows = [(r[0] * (1 + spread * 40),) + r[1:] for r in rows]
    got = list(iter_row_payloads(rows, segment))
    assert got == row_payloads(rows)
    assert got == [(c.first, c.rows, chunks.unpack(c.data, c.size))
                   for c in oracle.split_rows("flows", rows)]


def test_rows_cut_as_they_come_across_the_size_and_row_limits():
    long = [(f"F{i}", "x" * 3000) for i in range(1200)]  # past a chunk's megabyte
    many = [(f"F{i}",) for i in range(20_000)]  # past 4,096 rows a chunk
    for rows in (long, many, long[:1], []):
        for segment in (1, 63, 64, 4096, 5000, len(rows) or 1):
            assert list(iter_row_payloads(rows, segment)) == row_payloads(rows)
    cutter = RowCutter()
    assert cutter.feed([]) == [] and cutter.feed([], final=True) == [(0, 0, b"[]")]


def test_the_packer_numbers_a_part_given_in_pieces_and_can_start_it_again():
    rows = [(f"F{i}", i) for i in range(9000)]
    with Packer(2) as packer:
        cutter = RowCutter()
        packer.add("flows", cutter.feed(rows[:10]))
        packer.restart("flows")
        cutter = RowCutter()
        for lo in range(0, len(rows), 1000):
            packer.add("flows", cutter.feed(rows[lo:lo + 1000]))
        packer.add("flows", cutter.feed((), final=True))
        got = packer.chunks()
    assert got == chunks.split_rows("flows", rows)


def test_flow_rows_made_another_way_after_batches_start_the_part_again(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setenv("LINEAGE_FORK", "0")
    audit = check(SAMPLE)
    monkeypatch.setattr(record, "_BATCH", 10)  # five batches of the sample's 48 flows
    calls = []
    real = record._texts_of

    def texts_of(column, cache):
        calls.append(1)
        # the third batch holds something the fast way does not write
        return None if len(calls) == 7 else real(column, cache)
    monkeypatch.setattr(record, "_texts_of", texts_of)
    fed = []
    rows = record.flow_rows(audit, each=fed.append)
    assert None in fed and fed.index(None) == 2 and len(fed) == 3
    assert rows == oracle.flow_rows(audit)
    with Store(tmp_path / "a.db") as store:
        calls.clear()
        store.add(audit, label="q1")
    monkeypatch.setattr(record, "_texts_of", real)
    want = [c.manifest() for c in oracle.chunks(Snapshot.from_audit(audit))]
    parts, _, _ = _stored(tmp_path / "a.db")
    order = {p: i for i, p in enumerate(chunks.PARTS)}
    assert sorted((p[1:] for p in parts), key=lambda m: (order[m[0]], m[1])) == want


# -- the command, as a user runs it on an inventory large enough for a child -----------

@pytest.fixture(scope="module")
def large(tmp_path_factory):
    """A CSV-folder inventory of 21,000 flows (past MIN_FLOWS)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from bench_formats import build
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return build(21_000, "csv", tmp_path_factory.mktemp("large"))


# `lineage` as the console script runs it, noting each child started in a file
_COMMAND = """
import sys
from lineage.snapshots.ahead import InventoryAhead
NOTE = sys.argv.pop(1)
real = InventoryAhead.start.__func__
def start(cls, *a, **k):
    made = real(cls, *a, **k)
    with open(NOTE, "a") as note:
        note.write("child\\n" if made is not None else "none\\n")
    return made
InventoryAhead.start = classmethod(start)
from lineage.cli import main
main()
"""


def test_snapshot_create_with_and_without_a_child_writes_the_same_store(tmp_path, large):
    def create(store, fork):
        env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "LINEAGE_FORK": fork}
        note = tmp_path / f"{store.stem}.started"
        for label in ("q1", "q2"):
            done = subprocess.run([sys.executable, "-c", _COMMAND, str(note), "snapshot",
                                   "create", str(large), "--store", str(store),
                                   "--label", label],
                                  capture_output=True, text=True, env=env, timeout=600)
            assert done.returncode == 0, done.stderr
            assert done.stderr == ""
        return done.stdout, note.read_text()
    with_child, started = create(tmp_path / "a.db", "1")
    assert started == "child\nchild\n"
    without, started = create(tmp_path / "b.db", "0")
    assert started == "none\nnone\n"
    assert with_child.replace("a.db", "b.db") == without and "21000 flows" in without
    assert (tmp_path / "a.db").read_bytes() == (tmp_path / "b.db").read_bytes()


def test_the_packer_shortens_the_switch_interval_while_it_packs_and_restores_it():
    before = sys.getswitchinterval()
    with Packer() as packer:
        assert sys.getswitchinterval() == pytest.approx(min(before, chunks._SWITCH_INTERVAL))
        packer.add("flows", row_payloads([("F1", 1)]))
        assert packer.chunks() == chunks.split_rows("flows", [("F1", 1)])
    assert sys.getswitchinterval() == pytest.approx(before)
    with pytest.raises(RuntimeError):
        with Packer():
            raise RuntimeError("a part failed")
    assert sys.getswitchinterval() == pytest.approx(before)


# -- review (round 8): the store opened, the chunks read and the child's end --------------

@pytest.mark.parametrize("options", [{"packs": ("nope",)}, {"select": ["ZZ999"]}])
def test_a_refused_rule_selection_makes_no_store_file(tmp_path, options):
    from lineage.rules.base import RuleSelectionError
    with pytest.raises(RuleSelectionError):
        snapshot(SAMPLE, store=tmp_path / "a.db", **options)
    assert not (tmp_path / "a.db").exists()  # as when the check ran before the store opened


@pytest.mark.parametrize("fork", ["0", "1"])
def test_the_latest_chunks_are_read_once_per_snapshot(tmp_path, monkeypatch, started, fork):
    monkeypatch.setenv("LINEAGE_FORK", fork)
    calls = []
    real = Store.latest_chunks

    def latest_chunks(self):
        calls.append(1)
        return real(self)
    monkeypatch.setattr(Store, "latest_chunks", latest_chunks)
    snapshot(SAMPLE, store=tmp_path / "a.db", label="q1")
    snapshot(SAMPLE, store=tmp_path / "a.db", label="q2")
    assert [a is not None for a in started] == [fork == "1"] * 2
    assert len(calls) == 2  # not a second copy read (and held) while the rows are packed


_ORPHAN = """
import os, sys, time
from lineage.model import load
from lineage.snapshots import ahead
ahead._child = lambda *a: time.sleep(600)
got = ahead.InventoryAhead.start(load(sys.argv[1]), min_flows=0)
print(got.pid if got is not None else 0, flush=True)
time.sleep(600)
"""


def _ended(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True


def test_a_child_ends_when_its_parent_is_killed_outright():
    _forks()
    parent = subprocess.Popen([sys.executable, "-c", _ORPHAN, str(SAMPLE)], stdout=subprocess.PIPE,
                              text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        child = int(parent.stdout.readline())
        assert child and not _ended(child)
    finally:
        parent.kill()  # SIGKILL: no finally of the parent's runs
        parent.wait()
        parent.stdout.close()
    for _ in range(600):  # the kernel's signal: at once (at most a minute, on a busy machine)
        if _ended(child):
            break
        time.sleep(0.1)
    else:
        os.kill(child, signal.SIGKILL)
        pytest.fail("the child outlived its parent")


def test_packers_closed_in_another_order_than_opened_restore_the_switch_interval():
    # two stores written from two threads: the first opened closes first
    before = sys.getswitchinterval()
    first, second = Packer(1), Packer(1)
    assert sys.getswitchinterval() == pytest.approx(min(before, chunks._SWITCH_INTERVAL))
    first.close()
    assert sys.getswitchinterval() == pytest.approx(min(before, chunks._SWITCH_INTERVAL))
    second.close()
    second.close()  # closing twice restores once
    assert sys.getswitchinterval() == pytest.approx(before)
    with Packer(1):
        pass
    assert sys.getswitchinterval() == pytest.approx(before)


def test_the_child_is_signalled_only_while_it_is_not_reaped(monkeypatch):
    # once reaped, a process's ID may be given to another process: a signal sent
    # to it then could end a stranger (here the reaping thread is held right
    # after it reaped, where a busy machine may hold it)
    _forks()
    events, reaped, go = [], threading.Event(), threading.Event()
    real_waitpid, real_kill = os.waitpid, os.kill

    def waitpid(pid, options):
        got = real_waitpid(pid, options)
        events.append(("reaped", pid))
        reaped.set()
        go.wait(timeout=30)
        return got

    def kill(pid, sig):
        events.append(("signalled", pid))
        go.set()
        return real_kill(pid, sig)
    monkeypatch.setattr(os, "waitpid", waitpid)
    monkeypatch.setattr(os, "kill", kill)
    ahead = InventoryAhead.start(load(SAMPLE), min_flows=0)
    for _ in range(600):  # the child has written its part and ended (or was reaped)
        if reaped.is_set() or _ended(ahead.pid):
            break
        time.sleep(0.1)
    ahead.close()
    go.set()
    assert ("reaped", ahead.pid) in events
    last_reaped = max(i for i, e in enumerate(events) if e == ("reaped", ahead.pid))
    assert all(e != ("signalled", ahead.pid) for e in events[last_reaped:])
    assert events.count(("reaped", ahead.pid)) == 1


def _children() -> set[int]:
    me, out = str(os.getpid()), set()
    for task in os.listdir(f"/proc/{me}/task"):
        with open(f"/proc/{me}/task/{task}/children") as f:
            out.update(map(int, f.read().split()))
    return out


def test_no_thread_to_drain_the_pipe_leaves_no_child_and_no_pipe(monkeypatch):
    _forks()
    real = threading.Thread.start

    def start(thread):
        if thread.name == "lineage-ahead":
            raise RuntimeError("can't start new thread")
        return real(thread)
    monkeypatch.setattr(threading.Thread, "start", start)
    inv = load(SAMPLE)
    fds, children = set(os.listdir("/proc/self/fd")), _children()
    assert InventoryAhead.start(inv, min_flows=0) is None  # the part made here instead
    assert _children() == children  # none killed later, none left a zombie
    assert set(os.listdir("/proc/self/fd")) == fds


def test_a_part_made_for_another_inventory_is_not_stored(tmp_path, monkeypatch):
    # Store.add(ahead=) is public: a child started for another inventory than the
    # audit's must not put that inventory's text under this audit's rows
    _forks()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    audit = check(SAMPLE, select=["TP1"])
    other = audit.inventory.model_copy(update={"flows": audit.inventory.flows[:5]})
    ahead = InventoryAhead.start(other, min_flows=0)
    assert ahead is not None
    assert oracle.canonical_json(other) != oracle.canonical_json(audit.inventory)
    try:
        with Store(tmp_path / "a.db") as store:
            snap = store.add(audit, label="q1", ahead=ahead)
    finally:
        ahead.close()
    assert snap.inventory_json == oracle.canonical_json(audit.inventory)
    with Store(tmp_path / "b.db") as store:
        store.add(audit, label="q1")
    assert (tmp_path / "a.db").read_bytes() == (tmp_path / "b.db").read_bytes()


def test_the_child_shows_no_warning_the_parent_would_show_again():
    # in a process of its own: pytest records warnings instead of showing them
    _forks()
    script = """
import warnings, lineage
from lineage.snapshots import ahead
real = ahead.made_here
def noisy(inventory, known=None):
    warnings.warn("made here", UserWarning)
    return real(inventory, known)
ahead.made_here = noisy
child = ahead.InventoryAhead.start(lineage.load(%r), min_flows=0)
print(child is not None and child.result() is not None)
child.close()
""" % str(SAMPLE)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert (done.stdout, done.stderr) == ("True\n", "")


def test_rows_given_as_lists_are_rows_not_packed_chunks():
    # a Snapshot built by hand may hold lists; only the inventory part takes packed chunks
    from lineage.snapshots.store import _queue
    rows = [["F1", 1], ["F2", None]]
    with Packer(1) as packer:
        _queue(packer, "flows", rows)
        _queue(packer, "inventory", made_here(load(SAMPLE))[2])
        got = packer.chunks()
    assert got[0] == chunks.split_rows("flows", rows)[0]
    assert [c.part for c in got[1:]] == ["inventory"] * (len(got) - 1)
