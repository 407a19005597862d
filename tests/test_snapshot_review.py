"""Review of schema 3 as an attacker would try it: hostile chunks are refused with bounded work."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import tracemalloc
import zlib

import pytest

import lineage
from hostile_helpers import TINY, assert_clean_failure, lineage as lineage_cli
from lineage.snapshots import Store
from lineage.snapshots.chunks import sqlar_uncompress, unpack
from paths import ROOT, SAMPLE
from snapshot_helpers import copy_sample


def _bomb(inflated: int) -> bytes:
    """A small zlib stream that inflates to ``inflated`` bytes of spaces."""
    packer = zlib.compressobj(9)
    block = b" " * (1 << 20)
    data = [packer.compress(block) for _ in range(inflated >> 20)]
    return b"".join(data) + packer.flush()


BOMB = _bomb(64 << 20)  # about 64 KB stored, 64 MB inflated


@pytest.mark.parametrize("decode", [unpack, sqlar_uncompress])
def test_a_zip_bomb_chunk_is_decoded_only_up_to_its_recorded_size(decode):
    tracemalloc.start()
    try:
        try:
            result = decode(BOMB, 7545)
        except ValueError as exc:
            result = str(exc)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # unbounded, zlib.decompress would hold all 64 MB at once
    assert peak < 8 << 20, peak
    assert result in (None, "a stored payload holds more than 7545 bytes")


@pytest.mark.parametrize("size", [-1, 2 ** 63 - 1, len(BOMB) * 2000])
def test_a_size_no_deflate_stream_can_reach_is_refused_before_decoding(size):
    with pytest.raises(ValueError, match="stored bytes cannot hold"):
        unpack(BOMB, size)
    assert sqlar_uncompress(BOMB, size) is None


def test_genuine_chunks_at_deflate_s_best_ratio_still_decode():
    payload = b" " * (4 << 20)
    assert unpack(zlib.compress(payload, 9), len(payload)) == payload


def test_show_and_diff_of_a_store_with_a_bombed_chunk_fail_cleanly(tmp_path):
    inv = tmp_path / "inv.yaml"
    inv.write_text(TINY, encoding="utf-8")
    store = tmp_path / "audits.db"
    assert lineage_cli("snapshot", "create", inv, "--store", store, "--label", "one").code == 0
    inv.write_text(TINY.replace("items: [name]", "items: [name, email]"), encoding="utf-8")
    assert lineage_cli("snapshot", "create", inv, "--store", store, "--label", "two").code == 0
    conn = sqlite3.connect(store)
    conn.execute("DROP TRIGGER blobs_no_update")
    (blob,) = conn.execute("SELECT blob FROM parts WHERE snapshot_id = 2 AND part = 'flows'"
                           ).fetchone()
    conn.execute("UPDATE blobs SET data = ? WHERE hash = ?", (BOMB, blob))
    conn.commit()
    conn.close()
    before = hashlib.sha256(store.read_bytes()).hexdigest()
    for args in (("show", "two"), ("diff", "one", "two")):
        assert_clean_failure(lineage_cli("snapshot", *args, "--store", store), "is damaged")
    run = lineage_cli("snapshot", "verify", "--store", store)
    assert run.code == 1 and "the stored bytes no longer match their hash" in run.stdout, run
    assert hashlib.sha256(store.read_bytes()).hexdigest() == before


@pytest.fixture
def two_snapshots(tmp_path):
    inv = tmp_path / "inv.yaml"
    inv.write_text(TINY, encoding="utf-8")
    store = tmp_path / "audits.db"
    run = lineage_cli("snapshot", "create", inv, "--store", store, "--label", "one")
    assert run.code == 0, run
    head = run.stdout.split("chain head: sha256:")[1].strip()
    return store, head


@pytest.mark.parametrize("given", ["", "  ", "sha256:", "sha256:zz", "{head8}", "{head}0"])
def test_verify_refuses_a_head_that_is_not_a_chain_hash(two_snapshots, given):
    # an unset shell variable (--head "$HEAD") used to skip the check and exit 0;
    # a truncated copy used to be reported as a rewritten chain
    store, head = two_snapshots
    given = given.format(head8=head[:8], head=head)
    before = hashlib.sha256(store.read_bytes()).hexdigest()
    run = lineage_cli("snapshot", "verify", "--store", store, "--head", given)
    assert_clean_failure(run, "is not a chain hash (64 hex digits, optionally after sha256:)")
    assert "intact" not in run.stdout
    assert hashlib.sha256(store.read_bytes()).hexdigest() == before


@pytest.mark.parametrize("form", ["{head}", "sha256:{head}", " SHA256:{upper} "])
def test_verify_accepts_a_head_in_any_usual_form(two_snapshots, form):
    store, head = two_snapshots
    run = lineage_cli("snapshot", "verify", "--store", store,
                  "--head", form.format(head=head, upper=head.upper()))
    assert run.code == 0 and "hash chain intact" in run.stdout, run


def test_verify_catches_a_whole_chain_rebuilt_with_other_content(two_snapshots, tmp_path):
    store, head = two_snapshots
    other = tmp_path / "other.yaml"
    other.write_text(TINY.replace("items: [name]", "items: [email]"), encoding="utf-8")
    forged = tmp_path / "forged.db"
    assert lineage_cli("snapshot", "create", other, "--store", forged, "--label", "one").code == 0
    assert lineage_cli("snapshot", "verify", "--store", forged).code == 0
    run = lineage_cli("snapshot", "verify", "--store", forged, "--head", head)
    assert run.code == 1, run
    assert f"recorded head sha256:{head} is not in the chain" in run.stdout


SCHEMA2 = ROOT / "tests" / "snapshot_stores" / "schema2.db"
#: The chain hashes of its Q2 and Q3 (see test_snapshot_store.py).
OLD_CHAIN = {1: "4657282feca5fc457a4d967b70f980e0e680397d83f4f6375cd4d05fdbb6b272",
             2: "9acc6e547efdfeb541b1547e4e97a171ceb8e7cf4ff85a0b528621489d649384"}


@pytest.mark.parametrize("case", ["label taken", "label not allowed", "bad inventory"])
def test_a_failed_create_leaves_an_old_store_unupgraded_byte_for_byte(tmp_path, case):
    # the upgrade used to be committed on opening, before the snapshot was even tried:
    # a create that failed (exit 2) still rewrote a schema-2 file to schema 3
    store = tmp_path / "legacy.db"
    shutil.copyfile(SCHEMA2, store)
    inv = copy_sample(tmp_path)
    label = {"label taken": "Q1", "label not allowed": "12"}.get(case, "Q4")
    if case == "bad inventory":
        (inv / "flows.yaml").write_text("flows: [\n", encoding="utf-8")
    before = hashlib.sha256(store.read_bytes()).hexdigest()
    run = lineage_cli("snapshot", "create", inv, "--store", store, "--label", label)
    assert run.code == 2, run
    assert "Traceback" not in run.stderr
    assert hashlib.sha256(store.read_bytes()).hexdigest() == before


def test_a_create_upgrades_an_old_store_with_its_snapshot_in_one_transaction(tmp_path):
    store = tmp_path / "legacy.db"
    shutil.copyfile(SCHEMA2, store)
    with Store(store) as opened:  # opened to write, nothing written yet
        assert opened.schema_version == 2 and len(opened) == 3
        assert opened.get("Q2").chain_hash == OLD_CHAIN[1]
        opened.add(lineage.check(SAMPLE), label="Q4")
        assert opened.schema_version == 3 and len(opened) == 4
        assert opened.get("Q4").prev_hash == OLD_CHAIN[2]
        opened.add(lineage.check(SAMPLE), label="Q5")
    run = lineage_cli("snapshot", "verify", "--store", store, "--head", OLD_CHAIN[2])
    assert run.code == 0 and "5 snapshots, hash chain intact" in run.stdout, run


@pytest.mark.parametrize("lost", ["inventory", "flows", "findings", "waivers", "all"])
def test_a_snapshot_whose_chunk_list_lost_a_part_is_damage_not_an_empty_part(two_snapshots, lost):
    # a part with no chunk row used to read as empty: `show` listed no findings (exit 0),
    # and a snapshot row with no chunk list at all made `diff` an internal JSON error
    store, _ = two_snapshots
    inv = store.parent / "inv.yaml"
    inv.write_text(TINY.replace("items: [name]", "items: [name, email]"), encoding="utf-8")
    assert lineage_cli("snapshot", "create", inv, "--store", store, "--label", "two").code == 0
    conn = sqlite3.connect(store)
    conn.execute("DROP TRIGGER parts_no_delete")
    conn.execute("DELETE FROM parts WHERE snapshot_id = 2" +
                 ("" if lost == "all" else f" AND part = '{lost}'"))
    conn.commit()
    conn.close()
    part = "inventory" if lost == "all" else lost
    for args in (("show", "two"), ("diff", "one", "two")):
        if (args[0], part) == ("show", "inventory"):
            continue  # show prints no inventory text
        assert_clean_failure(lineage_cli("snapshot", *args, "--store", store),
                             f"snapshot 2 has lost stored {part}")
    assert lineage_cli("snapshot", "verify", "--store", store).code == 1


def test_a_rewritten_inventory_chunk_is_damage_not_an_internal_error(two_snapshots):
    # the chunk under the same hash key, rewritten: diff used to end in an internal
    # JSONDecodeError ("please report it"); a dropped chunk gave a silently wrong diff
    store, _ = two_snapshots
    inv = store.parent / "inv.yaml"
    inv.write_text(TINY.replace("items: [name]", "items: [name, email]"), encoding="utf-8")
    assert lineage_cli("snapshot", "create", inv, "--store", store, "--label", "two").code == 0
    conn = sqlite3.connect(store)
    conn.execute("DROP TRIGGER blobs_no_update")
    blob, size = conn.execute("SELECT blob, size FROM parts WHERE snapshot_id = 2 "
                              "AND part = 'inventory'").fetchone()
    conn.execute("UPDATE blobs SET data = ? WHERE hash = ?", (zlib.compress(b"x" * size), blob))
    conn.commit()
    conn.close()
    for args in (("diff", "one", "two"), ("diff", "two", inv)):
        assert_clean_failure(lineage_cli("snapshot", *args, "--store", store),
                             "no longer matches the snapshot's inventory hash")


def test_an_old_layout_inventory_text_changed_in_place_is_damage(tmp_path):
    store = tmp_path / "legacy.db"
    shutil.copyfile(SCHEMA2, store)
    conn = sqlite3.connect(store)
    conn.execute("DROP TRIGGER inventories_no_update")
    conn.execute("UPDATE inventories SET content = 'not json' WHERE hash = "
                 "(SELECT inventory_hash FROM snapshots WHERE label = 'Q3')")
    conn.commit()
    conn.close()
    assert_clean_failure(lineage_cli("snapshot", "diff", "Q2", "Q3", "--store", store),
                         "has lost its inventory text")


_CRASH_MID_WRITE = """
import os, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA cache_size = 1")  # spill changed pages into the file before commit
conn.execute("BEGIN IMMEDIATE")
conn.executemany("INSERT INTO blobs VALUES (?, ?)", ((str(i), os.urandom(4000)) for i in range(300)))
os._exit(9)
"""


def test_read_commands_after_a_writer_died_mid_write_read_the_last_committed_store(
        two_snapshots):
    # a read-only connection cannot roll a hot journal back: verify called the
    # intact evidence "damaged or replaced" (exit 1) and list/show failed
    import subprocess
    import sys
    store, head = two_snapshots
    committed = hashlib.sha256(store.read_bytes()).hexdigest()
    subprocess.run([sys.executable, "-c", _CRASH_MID_WRITE, str(store)], check=False)
    journal = store.with_name(store.name + "-journal")
    assert journal.is_file() and hashlib.sha256(store.read_bytes()).hexdigest() != committed
    run = lineage_cli("snapshot", "verify", "--store", store, "--head", head)
    assert run.code == 0 and "1 snapshot" in run.stdout and "intact" in run.stdout, run
    assert lineage_cli("snapshot", "list", "--store", store).code == 0
    assert hashlib.sha256(store.read_bytes()).hexdigest() == committed


def test_verify_of_a_store_from_a_newer_lineage_could_not_run(tmp_path):
    # A newer schema is not damage: the store may be fine, this version cannot read it.
    import sqlite3
    import subprocess
    import sys
    from lineage.snapshots.store import Store
    newer = tmp_path / "newer.db"
    Store(newer).close()
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = newer.read_bytes()
    proc = subprocess.run([sys.executable, "-m", "lineage", "snapshot", "verify", "--store",
                           str(newer)], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "LANG": "C.UTF-8"})
    assert proc.returncode == 2
    assert "schema version 99 is newer than this lineage supports" in proc.stderr
    assert "damaged" not in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert newer.read_bytes() == before
