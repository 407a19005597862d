"""Every valid inventory converts YAML -> xlsx -> CSV -> YAML to the same model, or is
refused with the field named (issue 13: lossless conversion)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from lineage.forms import ConvertError, convert
from lineage.model import load
from lineage.model.errors import InventoryError

IDS = ["mc", "members", "carrier", "partner", "x-1", "007", "a.b"]
ROLES = ["self", "outsourcee", "joint_user", "third_party", "successor", "public_body",
         "data_subject", "academic"]

#: Text a careless hand produces: odd starts (formulas, apostrophes, spaces), list
#: separators, line breaks of both kinds, wide characters, and long texts.
_tricky = st.sampled_from(["=1+1", "'", "''x", " lead", "trail ", "a;b", "line\nbreak",
                           "crlf\r\nend", "全角　空白", "😀", "-1", "@home", "\tTab", "TRUE",
                           "2024-01-01", "007", "null", "~", "x" * 33_000, "z" * 150_000])
_plain = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12)
TEXT = st.one_of(_plain, _tricky, st.builds(lambda a, b: a + b, _tricky, _plain))
DATES = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(9999, 12, 31))


@st.composite
def inventories(draw):
    parties = draw(st.lists(st.sampled_from(IDS), min_size=2, max_size=4, unique=True))
    party_records = []
    for i, pid in enumerate(parties):
        rec = {"id": pid, "role": "self" if i == 0 else draw(st.sampled_from(ROLES[1:]))}
        if draw(st.booleans()):
            rec["name"] = draw(TEXT)
        if draw(st.booleans()):
            rec["note"] = draw(TEXT)
        party_records.append(rec)
    flows = []
    for i in range(draw(st.integers(0, 3))):
        start = draw(DATES)
        rec = {"id": f"F{i}", "from": parties[0], "to": draw(st.sampled_from(parties[1:])),
               "items": draw(st.lists(st.sampled_from(["name", "email", "x_1"]), min_size=1,
                                      max_size=3, unique=True)),
               "start": start}
        if draw(st.booleans()):
            rec["end"] = draw(st.dates(min_value=start, max_value=dt.date(9999, 12, 31)))
        if draw(st.booleans()):
            rec["note"] = draw(TEXT)
        flows.append(rec)
    inv = {"format": "lineage/1", "organisation": parties[0], "parties": party_records,
           "flows": flows}
    if draw(st.booleans()):
        inv["note"] = draw(TEXT)
    if draw(st.booleans()):
        inv["purposes"] = []
    return inv


@settings(max_examples=60, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(inventories())
def test_every_valid_inventory_round_trips_or_is_refused_by_field(data):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        src = tmp / "src.yaml"
        src.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False,
                                      width=1 << 20), encoding="utf-8")
        try:
            model = load(src).model_dump()
        except InventoryError:
            assume(False)  # not a valid inventory: nothing to keep
        chains = [[(src, tmp / "a.xlsx", None), (tmp / "a.xlsx", tmp / "b", "csv"),
                   (tmp / "b", tmp / "c.yaml", None)],
                  # what a workbook cannot hold, the CSV form may still keep exactly
                  [(src, tmp / "d", "csv"), (tmp / "d", tmp / "e", "yaml")]]
        for chain in chains:
            for before, after, to in chain:
                try:
                    convert(before, after, to=to)
                except ConvertError as exc:
                    assert "field '" in str(exc), str(exc)  # refused, naming the field
                    break
                assert load(after).model_dump() == model, after.name
