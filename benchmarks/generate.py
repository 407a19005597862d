"""Write a synthetic CSV-folder inventory for lineage benchmarks.

    python benchmarks/generate.py OUT --flows 1000000 --parties 100000 --items 200

The organisation collects from ``--groups`` data-subject groups, then flows run
between random parties (the organisation is a hub, so joint-use-like cycles
appear). Item popularity is skewed (a few items such as a name travel on most
flows), start dates are spread over ten years and one flow in ten has ended.
The output is deterministic for a given ``--seed``.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd


def generate(out: Path, flows: int, parties: int, items: int, groups: int = 20,
             seed: int = 0) -> None:
    """Write ``inventory.csv``, ``data_items.csv``, ``parties.csv``, ``flows.csv``."""
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    (out / "inventory.csv").write_text("format,organisation,as_of\nlineage/1,org,2030-01-01\n")
    item_ids = np.array([f"i{n:03d}" for n in range(items)], dtype=object)
    pd.DataFrame({"id": item_ids, "kind": "personal"}).to_csv(out / "data_items.csv",
                                                              index=False)
    others = parties - 1 - groups
    ids = np.concatenate([["org"], [f"g{n}" for n in range(groups)],
                          [f"p{n}" for n in range(others)]]).astype(object)
    roles = np.concatenate([["self"], ["data_subject"] * groups,
                            rng.choice(["outsourcee", "third_party", "joint_user"], others)])
    pd.DataFrame({"id": ids, "role": roles}).to_csv(out / "parties.csv", index=False)
    collect = groups * 5
    rest = flows - collect
    src = np.empty(flows, dtype=np.int64)
    dst = np.empty(flows, dtype=np.int64)
    src[:collect] = 1 + np.repeat(np.arange(groups), 5)
    dst[:collect] = 0
    hub = rng.random(rest) < 0.05
    src[collect:] = np.where(hub, 0, 1 + groups + rng.integers(0, others, rest))
    # Never a flow from a party to itself: shift the target past the source.
    first = 1 + groups
    offset = rng.integers(1, others, rest)
    dst[collect:] = first + (src[collect:] - first + offset) % others
    dst[collect:][hub] = first + rng.integers(0, others, int(hub.sum()))
    # Skewed popularity: item k is chosen with weight 1/(k+1).
    weights = 1.0 / np.arange(1, items + 1)
    weights /= weights.sum()
    counts = rng.integers(1, 9, flows)
    picks = rng.choice(items, size=int(counts.sum()), p=weights)
    bounds = np.concatenate([[0], np.cumsum(counts)])
    names = item_ids[picks]
    cells = [";".join(names[bounds[n]:bounds[n + 1]]) for n in range(flows)]
    base = dt.date(2020, 1, 1).toordinal()
    start = base + rng.integers(0, 3650, flows)
    start[:collect] = base - 1
    ended = rng.random(flows) < 0.1
    ended[:collect] = False
    end = start + rng.integers(30, 2000, flows)
    to_date = np.vectorize(lambda d: dt.date.fromordinal(int(d)).isoformat(), otypes=[object])
    pd.DataFrame({"id": [f"F{n}" for n in range(flows)], "from": ids[src], "to": ids[dst],
                  "items": cells, "start": to_date(start),
                  "end": np.where(ended, to_date(end), "")}).to_csv(out / "flows.csv",
                                                                   index=False)


def main() -> None:
    """Command line of the generator."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--flows", type=int, default=10_000)
    ap.add_argument("--parties", type=int, default=None)
    ap.add_argument("--items", type=int, default=200)
    ap.add_argument("--groups", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    generate(a.out, a.flows, a.parties or max(a.flows // 10, a.groups + 10), a.items,
             a.groups, a.seed)


if __name__ == "__main__":
    main()
