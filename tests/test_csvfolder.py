"""The CSV-folder form: same model as YAML, row/column locations, the fast columnar path."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from lineage.analysis.columnar import read_network
from lineage.model import InventoryError, load
from lineage.model.loading import detect_form
from lineage.flownet import FlowNet

from paths import SAMPLE


def _flatten(record: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in record.items():
        if value is None or value == [] or key == "revisions":
            continue
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        elif isinstance(value, list):
            out[prefix + key] = ";".join(str(v) for v in value)
        elif isinstance(value, bool):
            out[prefix + key] = "true" if value else "false"
        else:
            out[prefix + key] = str(value)
    return out


def write_csv(inv, folder):
    """The sample as a CSV folder, through the writer ``lineage convert`` uses."""
    from lineage.forms import write_inventory
    write_inventory(inv, folder, form="csv-folder")


def _write(path, rows):
    columns = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, columns)
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def sample_csv(tmp_path):
    folder = tmp_path / "csv"
    write_csv(load(SAMPLE), folder)
    return folder


def test_csv_folder_loads_the_same_model(sample_csv):
    assert detect_form(sample_csv) == "csv-folder"
    yaml_inv, csv_inv = load(SAMPLE), load(sample_csv)
    assert csv_inv.model_dump() == yaml_inv.model_dump()
    assert any(n.revisions for n in csv_inv.notices)


def test_csv_folder_gives_the_same_findings(sample_csv, run_cli):
    a = run_cli("check", SAMPLE, "--format", "csv", expect=1).stdout
    b = run_cli("check", sample_csv, "--format", "csv", expect=1).stdout
    assert a == b


def test_columnar_network_equals_the_model_network(sample_csv):
    fast, model = read_network(sample_csv), FlowNet.from_inventory(load(SAMPLE))
    for name in ("parties", "roles", "entities", "items", "flows", "src", "dst", "start",
                 "end", "pair_flow", "pair_item"):
        assert np.array_equal(getattr(fast, name), getattr(model, name)), name
    assert fast.organisation == "monocollabo"


def test_problems_name_file_row_and_column(sample_csv):
    text = (sample_csv / "flows.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    header = lines[0].split(",")
    for line, column, value in ((3, "start", "2024-13-01"), (4, "to", "nobody")):
        cells = next(csv.reader([lines[line]]))
        cells[header.index(column)] = value
        lines[line] = ",".join(f'"{c}"' if "," in c else c for c in cells)
    (sample_csv / "flows.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InventoryError) as exc:
        load(sample_csv)
    where = {(p.location.file.rsplit("/", 1)[-1], p.location.row, p.location.column)
             for p in exc.value.problems}
    assert ("flows.csv", 4, "start") in where
    assert ("flows.csv", 5, "to") in where
    with pytest.raises(InventoryError) as exc:
        read_network(sample_csv)
    where = {(p.location.row, p.location.column) for p in exc.value.problems}
    assert where == {(4, "start"), (5, "to")}


def test_revision_of_unknown_notice(sample_csv):
    path = sample_csv / "notice_revisions.csv"
    path.write_text(path.read_text().replace("J1,", "J9,", 1))
    with pytest.raises(InventoryError) as exc:
        load(sample_csv)
    assert [str(p).split("/")[-1] for p in exc.value.problems] == [
        "notice_revisions.csv row 2 column notice: notices J9: field 'revisions': "
        "revision of unknown notice 'J9'"]


def test_duplicate_column_and_extra_cells(tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "inventory.csv").write_text("format,organisation\nlineage/1,a\n")
    (folder / "parties.csv").write_text("id,id\na,b\n")
    (folder / "flows.csv").write_text("id,from,to,items,start\nF1,a,b,x,2024-01-01,extra\n")
    with pytest.raises(InventoryError) as exc:
        load(folder)
    assert [p.message for p in exc.value.problems] == [
        "row has 6 cells but the header names 5 columns", "duplicate column 'id'"]


def test_unknown_collection_file_is_reported(sample_csv):
    (sample_csv / "flow.csv").write_text("id\nF1\n")
    with pytest.raises(InventoryError) as exc:
        load(sample_csv)
    assert [p.message for p in exc.value.problems] == [
        "unknown top-level key 'flow' (did you mean 'flows'?)"]
