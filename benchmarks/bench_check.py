"""Benchmark ``lineage check`` on synthetic inventories (10k and 100k flows by default).

Usage: .venv/bin/python benchmarks/bench_check.py [N ...]

Builds a synthetic inventory in memory (parties of every role, consents,
notices, contracts, flows by every route, some violations), validates it with
the same schema the loaders use, then runs the policy pack. Prints seconds for
each phase and the peak RSS of the process.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import resource
import sys
import time

from pydantic import TypeAdapter

from lineage.audit import Audit
from lineage.model import schema


def synthetic(n_flows: int, seed: int = 7) -> dict:
    """Raw inventory data with ``n_flows`` flows (deterministic for a seed)."""
    rnd = random.Random(seed)
    n_parties = max(50, n_flows // 10)
    items = [{"id": f"i{k}", "kind": "linkable" if k % 10 == 9 else "personal"}
             for k in range(40)]
    purposes = [{"id": f"p{k}", "announced_on": "2024-01-01"} for k in range(20)]
    groups = [f"g{k}" for k in range(10)]
    parties = [{"id": "org", "role": "self"}]
    parties += [{"id": g, "role": "data_subject"} for g in groups]
    roles = ["outsourcee"] * 2 + ["joint_user"] + ["third_party"] * 6 + ["public_body"]
    for k in range(n_parties):
        role = roles[k % len(roles)]
        parties.append({"id": f"x{k}", "role": role, "groups": [f"cg{k % 20}"]})
    outs = [p["id"] for p in parties if p["role"] == "outsourcee"]
    joint = [p["id"] for p in parties if p["role"] == "joint_user"]
    third = [p["id"] for p in parties if p["role"] == "third_party"]
    public = [p["id"] for p in parties if p["role"] == "public_body"]
    contracts = [{"id": f"k{i}", "party": o, "signed_on": "2024-01-01", "no_leak": "true",
                  "no_re_provision": "true",
                  "sub_outsourcing": [outs[(i + 1) % len(outs)]]}
                 for i, o in enumerate(outs)]
    consents = [{"id": f"c{g}{k}", "subjects": g, "recipients": [f"cg{k}"],
                 "items": [i["id"] for i in items[:30]],
                 "purposes": [p["id"] for p in purposes], "obtained_on": "2024-01-01"}
                for g in groups for k in range(20)]
    notices = [{"id": "J1", "kind": "joint_use", "published_on": "2024-01-01",
                "items": [i["id"] for i in items[:30]], "purposes": [p["id"] for p in purposes],
                "members": ["org"] + joint[:500], "responsible": {"name": "org"}},
               {"id": "O1", "kind": "opt_out", "published_on": "2024-01-01",
                "provision_in_purpose": "true", "items": [i["id"] for i in items[:20]],
                "methods": ["sftp"], "stop_on_request": "true"}]
    flows = []
    start = dt.date(2024, 2, 1)

    def flow(frm, to, **extra):
        if frm == to:  # the loader refuses a flow from a party to itself
            return
        k = len(flows)
        # About one flow in twenty carries an item outside the announced sets.
        pool = items if rnd.random() < 0.05 else items[:20]
        chosen = rnd.sample(pool, 3)
        flows.append({"id": f"F{k}", "from": frm, "to": to,
                      "items": [i["id"] for i in chosen],
                      "purposes": [f"p{rnd.randrange(20)}"],
                      "start": str(start + dt.timedelta(days=rnd.randrange(600))), **extra})

    for g in groups:
        for _ in range(20):
            flow(g, "org")
    while len(flows) < n_flows:
        r = rnd.random()
        if r < 0.3:
            flow("org", rnd.choice(outs))
        elif r < 0.45:
            flow("org", rnd.choice(joint[:500]), basis="joint_use")
        elif r < 0.65:
            flow("org", rnd.choice(third), basis="consent")
        elif r < 0.7:
            flow("org", rnd.choice(third), basis="opt_out", method="sftp")
        elif r < 0.75:
            flow("org", rnd.choice(public), basis="law", exemption={"law": "法令"})
        elif r < 0.85:
            flow(rnd.choice(outs), rnd.choice(outs + third))
        else:
            flow(rnd.choice(third), rnd.choice(third + joint))
    return {"format": "lineage/1", "organisation": "org", "as_of": "2026-11-01",
            "data_items": items, "purposes": purposes, "parties": parties,
            "contracts": contracts, "consents": consents, "notices": notices,
            "flows": flows}


def bench(n: int) -> None:
    data = synthetic(n)
    t0 = time.perf_counter()
    fields = {k: v for k, v in data.items() if not isinstance(v, list)}
    for name, model in schema.COLLECTIONS.items():
        if name in data:
            fields[name] = TypeAdapter(list[model]).validate_python(data[name])
    inv = schema.Inventory.model_validate(fields)
    t1 = time.perf_counter()
    audit = Audit(inv)
    t2 = time.perf_counter()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    s = audit.summary()
    print(f"{n:>8} flows  validate {t1 - t0:6.2f} s  check {t2 - t1:6.2f} s  "
          f"peak RSS {rss:6.0f} MiB  findings {len(audit.results)}  status {s['status']}")


if __name__ == "__main__":
    print(f"cores: {os.cpu_count()}  python {sys.version.split()[0]}")
    for arg in sys.argv[1:] or ["10000", "100000"]:
        bench(int(arg))
