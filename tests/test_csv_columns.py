"""The CSV reader's column-wise load gives what the row-by-row load gives.

Loading a CSV folder reads each collection's file a block of rows at a time into
columns and builds the records column by column (``fastpath.table_builder``);
rows it cannot prove valid go record by record, as every row used to. These
tests hold the column-wise load to the row-by-row one: lines split alike, the
same model with the same locations, the same problems in the same order.
"""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lineage.model import csvfolder, loading
from lineage.model.errors import InventoryError


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(st.text(st.sampled_from("a,\"\r\n\x85\u2028\x0c;"), max_size=60),
       st.integers(1, 8))
def test_lines_split_as_one_stringio_splits_them(text, block):
    """Cut into blocks (here a few characters), the lines are the whole text's lines."""
    saved = csvfolder._BLOCK
    csvfolder._BLOCK = block
    try:
        assert list(csvfolder._lines(text)) == list(io.StringIO(text, newline=""))
    finally:
        csvfolder._BLOCK = saved


def test_an_empty_file_is_an_empty_table(tmp_path):
    """An empty flows.csv (zero bytes) holds no flows; it used to be an internal error."""
    (tmp_path / "inventory.csv").write_text("format,organisation\nlineage/1,mc\n")
    (tmp_path / "parties.csv").write_text("id,role\nmc,self\n")
    (tmp_path / "flows.csv").write_text("")
    assert loading.load(tmp_path).flows == []
    (tmp_path / "parties.csv").write_text("")
    with pytest.raises(InventoryError) as caught:
        loading.load(tmp_path)
    assert [p.message for p in caught.value.problems] == [
        "organisation 'mc' is not one of the parties"]
