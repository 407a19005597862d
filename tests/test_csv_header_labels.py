"""An error in a CSV folder names the column as the user wrote its header: a Japanese
label (`開始日`) is shown with the field it names (`開始日 (start)`), a field name alone."""

from __future__ import annotations

import pytest

import lineage
from paths import SAMPLE


@pytest.fixture(scope="module")
def sample_csv(tmp_path_factory):
    folder = tmp_path_factory.mktemp("csv") / "inv"
    lineage.convert(SAMPLE, folder, to="csv")
    return folder


def _edit(folder, name, header: dict, cells: dict | None = None):
    """Rename header cells of ``name`` and replace text in its first data row."""
    path = folder / name
    lines = path.read_text(encoding="utf-8-sig").split("\n")
    lines[0] = ",".join(header.get(h, h) for h in lines[0].split(","))
    for old, new in (cells or {}).items():
        lines[1] = lines[1].replace(old, new, 1)
    path.write_text("\n".join(lines), encoding="utf-8")


@pytest.fixture
def inv(sample_csv, tmp_path):
    import shutil
    folder = tmp_path / "inv"
    shutil.copytree(sample_csv, folder)
    return folder


def test_flows_columns_as_written(inv, run_cli):
    _edit(inv, "flows.csv", {"start": "開始日"}, {",2023-04-01,": ",2023-13-01,"})
    err = run_cli("validate", inv, expect=2).stderr.splitlines()
    assert err == [
        f"error: {inv / 'flows.csv'} row 2 column 開始日 (start): flows F01: field 'start': "
        "not a real date: '2023-13-01' (month must be in 1..12)",
        "1 problem; nothing was checked."]


def test_reference_errors_name_the_column_as_written(inv, run_cli):
    _edit(inv, "flows.csv", {"to": "提供先"}, {",monocollabo,": ",nobody,"})
    err = run_cli("validate", inv, expect=2).stderr.splitlines()
    assert err == [
        f"error: {inv / 'flows.csv'} row 2 column 提供先 (to): flows F01: field 'to': "
        "unknown party 'nobody'",
        "1 problem; nothing was checked."]


def test_japanese_messages_name_the_column_as_written(inv, run_cli):
    _edit(inv, "flows.csv", {"start": "開始日"}, {",2023-04-01,": ",2023-13-01,"})
    err = run_cli("validate", inv, "--lang", "ja", expect=2).stderr.splitlines()
    assert err[0] == (f"エラー: {inv / 'flows.csv'} 2行目 列 開始日 (start): flows F01: "
                      "フィールド 'start': 存在しない日付です: '2023-13-01'（月は 1〜12）")


def test_a_header_holding_the_field_name_is_named_by_it(inv, run_cli):
    _edit(inv, "flows.csv", {"start": '"start\n開始日"'}, {",2023-04-01,": ",2023-13-01,"})
    err = run_cli("validate", inv, expect=2).stderr.splitlines()
    assert err[0].startswith(f"error: {inv / 'flows.csv'} row 2 column start: flows F01: ")


def test_top_row_revisions_and_notices_as_written(inv, run_cli):
    _edit(inv, "inventory.csv", {"as_of": "基準日"}, {",2026-11-01,": ",2026-11-31,"})
    _edit(inv, "notice_revisions.csv", {"notified_on": "通知日"}, {",2025-09-01,": ",2025-09-31,"})
    _edit(inv, "notices.csv", {"published_on": "公表日"})
    lines = (inv / "notices.csv").read_text(encoding="utf-8").split("\n")
    first = lines[1].split(",")
    header = lines[0].split(",")
    at = header.index("公表日")
    assert first[at]
    first[at] = "someday"
    lines[1] = ",".join(first)
    (inv / "notices.csv").write_text("\n".join(lines), encoding="utf-8")
    err = run_cli("validate", inv, expect=2).stderr
    assert f"{inv / 'inventory.csv'} row 2 column 基準日 (as_of): field 'as_of': not a real date" in err
    assert (f"{inv / 'notice_revisions.csv'} row 2 column 通知日 (notified_on): notices J1: "
            "field 'revisions.0.notified_on': not a real date: '2025-09-31'") in err
    assert f"{inv / 'notices.csv'} row 2 column 公表日 (published_on): notices " in err


def test_a_duplicate_column_names_both_headers(inv, run_cli):
    _edit(inv, "flows.csv", {"end": "開始日"})
    err = run_cli("validate", inv, expect=2).stderr.splitlines()
    assert err[0] == (f"error: {inv / 'flows.csv'} row 1 column 開始日 (start): "
                      "field 'start': duplicate column 'start' (start and 開始日 (start))")
