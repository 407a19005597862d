"""Review of schema 3 as an attacker would try it: hostile chunks are refused with bounded work."""

from __future__ import annotations

import hashlib
import sqlite3
import tracemalloc
import zlib

import pytest

from hostile_helpers import TINY, assert_clean_failure, lineage
from lineage.snapshots.chunks import sqlar_uncompress, unpack


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
    assert lineage("snapshot", "create", inv, "--store", store, "--label", "one").code == 0
    inv.write_text(TINY.replace("items: [name]", "items: [name, email]"), encoding="utf-8")
    assert lineage("snapshot", "create", inv, "--store", store, "--label", "two").code == 0
    conn = sqlite3.connect(store)
    conn.execute("DROP TRIGGER blobs_no_update")
    (blob,) = conn.execute("SELECT blob FROM parts WHERE snapshot_id = 2 AND part = 'flows'"
                           ).fetchone()
    conn.execute("UPDATE blobs SET data = ? WHERE hash = ?", (BOMB, blob))
    conn.commit()
    conn.close()
    before = hashlib.sha256(store.read_bytes()).hexdigest()
    for args in (("show", "two"), ("diff", "one", "two")):
        assert_clean_failure(lineage("snapshot", *args, "--store", store), "is damaged")
    run = lineage("snapshot", "verify", "--store", store)
    assert run.code == 1 and "the stored bytes no longer match their hash" in run.stdout, run
    assert hashlib.sha256(store.read_bytes()).hexdigest() == before
