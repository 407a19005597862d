"""Read an inventory's flow graph straight into integer arrays (no record objects).

Loading a million flows through the validated model takes minutes of pydantic
work; whole-graph lineage needs only ``id, from, to, items, start, end`` per
flow and ``id, role, legal_entity`` per party. For a CSV folder these columns
are read with pandas and turned into a :class:`~lineage.flownet.FlowNet`
directly, checking what lineage relies on (known parties and items, real
dates, unique IDs). Other forms go through the full loader.

Example:
    >>> net = read_network("inventories/monocollabo")
    >>> len(net.flows), len(net.parties)
    (48, 32)
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import numpy as np
import pandas as pd

from ..model.csvfolder import decode
from ..model.errors import InventoryError, Location, Problem
from ..model.schema import DATE_FORMS_TEXT, DateFormError, parse_date
from ..model.tables import column_for
from ..model.loading import detect_form, load
from ..flownet import OPEN_END, FlowNet

__all__ = ["read_network", "read_csv_network"]

_EPOCH = dt.date(1970, 1, 1).toordinal()
_MAX_LISTED = 20  # problems listed per kind; the rest are counted


def read_network(path: str | Path) -> FlowNet:
    """The :class:`FlowNet` of an inventory at ``path`` (fast for a CSV folder).

    Example:
        >>> net = read_network("inventories/monocollabo")
        >>> list(net.flows[:3]), "mailing-house" in net.party_index
        (['F01', 'F02', 'F03'], True)
    """
    path = Path(path)
    if (path.is_dir() and detect_form(path) == "csv-folder"
            and all((path / f"{name}.csv").exists() for name in ("parties", "flows"))):
        return read_csv_network(path)
    return FlowNet.from_inventory(load(path))


def read_csv_network(folder: str | Path) -> FlowNet:
    """Read ``inventory.csv``, ``parties.csv``, ``flows.csv`` (and ``data_items.csv``).

    Raises :class:`InventoryError` naming file, row and column of each problem.

    Example:
        >>> import tempfile
        >>> from lineage.forms import convert
        >>> folder = convert("inventories/monocollabo", Path(tempfile.mkdtemp()) / "csv",
        ...                  to="csv")
        >>> net = read_csv_network(folder)
        >>> len(net.flows), len(net.parties)
        (48, 32)
        >>> rows = "id,from,to,items,start\\nF1,nobody,members,name,2024-01-01\\n"
        >>> _ = (folder / "flows.csv").write_text(rows)
        >>> read_csv_network(folder)
        Traceback (most recent call last):
        lineage.model.errors.InventoryError: ...flows.csv row 2 column from: ... unknown party
    """
    folder = Path(folder)
    problems: list[Problem] = []
    top = _frame(folder / "inventory.csv", ["organisation"], problems)
    parties = _frame(folder / "parties.csv", ["id"], problems)
    flows = _frame(folder / "flows.csv", ["id", "from", "to", "items", "start"], problems,
                   strip=False)
    items_path = folder / "data_items.csv"
    defined = _frame(items_path, ["id"], problems) if items_path.exists() else None
    if problems:
        raise InventoryError(problems)
    organisation = str(top["organisation"].iloc[0]).strip() if len(top) else ""
    party_ids = parties["id"].to_numpy(dtype=object)
    _unique(folder / "parties.csv", party_ids, problems)
    _unique(folder / "flows.csv", flows["id"].to_numpy(dtype=object), problems)
    order = np.argsort(party_ids.astype(str), kind="stable")
    party_ids = party_ids[order]
    roles = _column(parties, "role", "third_party")[order]
    entities = _column(parties, "legal_entity", "")[order]
    entities = np.where(entities == "", party_ids, entities)
    if organisation not in set(party_ids.tolist()):
        problems.append(Problem(Location(str(folder / "inventory.csv"), row=2,
                                         column="organisation"), None, None, "organisation",
                                f"organisation '{organisation}' is not a party",
                                "組織が parties にありません"))
    cat = pd.CategoricalDtype(party_ids)
    src = _codes(flows["from"], cat, folder / "flows.csv", "from", problems)
    dst = _codes(flows["to"], cat, folder / "flows.csv", "to", problems)
    _report(folder / "flows.csv", "to", np.flatnonzero((src == dst) & (src >= 0)),
            "a flow cannot go from a party to itself", "送り元と送り先が同じです", problems)
    start = _days(flows["start"], folder / "flows.csv", "start", problems)
    end = _days(flows["end"] if "end" in flows else pd.Series([""] * len(flows)),
                folder / "flows.csv", "end", problems)
    # Items: one split of the whole column (IDs hold no spaces, so they are dropped).
    cells = flows["items"].to_numpy(dtype=object)
    counts = np.fromiter((c.count(";") + 1 for c in cells), dtype=np.int64, count=len(cells))
    names = np.array(";".join(cells).replace(" ", "").split(";"), dtype=object)
    pair_flow = np.repeat(np.arange(len(cells), dtype=np.int32), counts)
    keep = names != ""
    names, pair_flow = names[keep], pair_flow[keep]
    empty = np.flatnonzero(np.bincount(pair_flow, minlength=len(cells)) == 0)
    _report(folder / "flows.csv", "items", empty, "items must not be empty",
            "項目が空です", problems)
    if defined is not None:
        item_ids = np.array(sorted(set(defined["id"].tolist())), dtype=object)
        pair_item = _codes(pd.Series(names), pd.CategoricalDtype(item_ids), None, None, [])
        unknown = np.flatnonzero(pair_item < 0)
        if len(unknown):
            rows = np.unique(pair_flow[unknown])
            _report(folder / "flows.csv", "items", rows,
                    "names an item that data_items does not define",
                    "data_items にない項目です", problems)
    else:
        codes, uniques = pd.factorize(names, sort=True)
        item_ids, pair_item = np.asarray(uniques, dtype=object), codes
    if problems:
        raise InventoryError(problems)
    # One pair per (flow, item) even if a cell repeats an item; flow then item order.
    width = max(len(item_ids), 1)
    key = np.unique(pair_flow.astype(np.int64) * width + pair_item)
    pair_flow, pair_item = key // width, key % width
    return FlowNet(organisation=organisation, parties=party_ids, roles=roles,
                   entities=entities, items=item_ids,
                   flows=flows["id"].to_numpy(dtype=object), src=src, dst=dst,
                   start=start, end=end, pair_flow=pair_flow, pair_item=pair_item)


def _frame(path: Path, required: list[str], problems: list[Problem], *,
           strip: bool = True) -> pd.DataFrame:
    if not path.exists():
        problems.append(Problem(Location(str(path)), None, None, None,
                                "file is missing", "ファイルがありません"))
        return pd.DataFrame()
    text, _ = decode(path.read_bytes())
    # object dtype: pandas 3's string dtype makes the lookups below much slower.
    df = pd.read_csv(io.StringIO(text), dtype=object, keep_default_na=False,
                     skipinitialspace=True)
    sheet = path.stem
    df.columns = [(column_for(sheet, c) or _Named(c.strip())).name for c in df.columns]
    for col in required:
        if col not in df.columns:
            problems.append(Problem(Location(str(path), row=1), None, None, col,
                                    f"column '{col}' is missing", f"列 '{col}' がありません"))
            continue
        if strip:
            df[col] = df[col].str.strip()
        missing = np.flatnonzero((df[col] == "").to_numpy())
        _report(path, col, missing, "required value is missing", "必須の値がありません",
                problems)
    return df


class _Named:
    """A header that names no known column: kept as written."""

    def __init__(self, name: str):
        self.name = name


def _column(df: pd.DataFrame, name: str, default: str) -> np.ndarray:
    if name not in df.columns:
        return np.full(len(df), default, dtype=object)
    values = df[name].str.strip().to_numpy(dtype=object)
    return np.where(values == "", default, values)


def _unique(path: Path, ids: np.ndarray, problems: list[Problem]) -> None:
    dup = pd.Series(ids).duplicated().to_numpy()
    _report(path, "id", np.flatnonzero(dup), "duplicate ID", "ID が重複しています", problems)


def _codes(values: pd.Series, cat, path, column, problems) -> np.ndarray:
    # Hash the column once, then look up only its distinct values.
    codes, uniques = pd.factorize(values.to_numpy(dtype=object))
    mapped = pd.Index(cat.categories).get_indexer(np.asarray(uniques, dtype=object))
    codes = np.where(codes >= 0, mapped[codes], -1)
    if path is not None:
        _report(path, column, np.flatnonzero(codes < 0), "unknown party", "不明な当事者です",
                problems)
    return codes.astype(np.int32)


def _days(values: pd.Series, path: Path, column: str, problems) -> np.ndarray:
    text = values
    blank = (text == "").to_numpy()
    parsed = pd.to_datetime(text.where(~blank, None), format="%Y-%m-%d", errors="coerce")
    bad = parsed.isna().to_numpy() & ~blank
    days = np.full(len(values), OPEN_END, dtype=np.int64)
    ok = ~parsed.isna().to_numpy()
    days[ok] = (parsed[ok].to_numpy().astype("datetime64[D]").astype(np.int64) + _EPOCH)
    # The other forms people type (2024/4/1, 2024年4月1日): the model's one date reader.
    unread = []
    for r in np.flatnonzero(bad):
        try:
            days[r] = parse_date(values.iloc[r]).toordinal()
        except DateFormError:
            unread.append(r)
    _report(path, column, np.array(unread, dtype=np.int64),
            f"expected a date ({DATE_FORMS_TEXT})",
            f"日付として読めません（使える形: {DATE_FORMS_TEXT}）", problems)
    return days.astype(np.int32)


def _report(path, column, rows, message, message_ja, problems) -> None:
    for r in rows[:_MAX_LISTED]:
        problems.append(Problem(Location(str(path), row=int(r) + 2, column=column), None,
                                None, column, message, message_ja))
    if len(rows) > _MAX_LISTED:
        problems.append(Problem(Location(str(path), column=column), None, None, column,
                                f"{len(rows) - _MAX_LISTED} more rows: {message}",
                                message_ja))
