"""Run the property tests for N minutes with random seeds; print what was tried and found.

The suite runs the same properties (tests/inventory_properties.py) on a fixed-seed
sample; this script searches further. Each failure is shrunk by hypothesis and written
as a YAML inventory under --out (turn it into a tests/regressions/ case once fixed).

    nice -n 10 .venv/bin/python scripts/property_run.py --minutes 30 > /tmp/verdicts-long.log

Prints one line per round (property, inventories tried, failures) and a summary.
"""

from __future__ import annotations

import argparse
import copy
import random
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import yaml  # noqa: E402
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import inventory_properties as props  # noqa: E402
from inventory_strategies import inventories as _inventories  # noqa: E402


def _cases():
    """Property name -> (strategy tuple, function of the drawn values)."""
    def inventories(max_flows=12, focus=None):
        # Half the time inventories built around outsourcing (TP203), whatever the property.
        return st.one_of(_inventories(max_flows=max_flows, focus=focus),
                         _inventories(max_flows=max_flows, focus="outsourcing"))

    def run_cover(data, draw):
        flow = draw.draw(st.sampled_from([f["id"] for f in data["flows"]]))
        kind = draw.draw(st.sampled_from(("consent", "opt_out", "joint_use", "contract")))
        props.cover_adds_no_finding(data, flow, kind)

    return {
        "order": ((inventories(), st.integers(0, 2**32)), props.order_does_not_matter),
        "forms": ((inventories(max_flows=8),), props.forms_do_not_matter),
        "rename": ((inventories(), st.integers(0, 2**32)), props.renaming_changes_no_verdict),
        "cover": ((inventories(), st.data()), run_cover),
        "remove": ((inventories(),), props.removing_a_flow_removes_its_findings),
        "routes": ((inventories(),), props.every_flow_has_route_and_status),
        "shift": ((inventories(), st.integers(-800, 800)),
                  props.shifting_dates_changes_no_verdict),
        "tp203": ((inventories(focus="outsourcing"),), props.reprovision_matches_path_enumeration),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--batch", type=int, default=50, help="examples per round")
    parser.add_argument("--only", nargs="*", default=None, help="property names")
    parser.add_argument("--out", default="/tmp/verdicts-failures")
    parser.add_argument("--packs", default="policy", help="rule packs, comma-separated")
    args = parser.parse_args(argv)
    props.PACKS = tuple(args.packs.split(","))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    cases = _cases()
    names = args.only or list(cases)
    tried: Counter = Counter()
    failures: Counter = Counter()
    seen_errors: dict = {}
    deadline = time.monotonic() + args.minutes * 60
    rng = random.Random()
    round_no = 0
    while time.monotonic() < deadline:
        round_no += 1
        name = names[round_no % len(names)]
        strategies, fn = cases[name]
        failing: list = []

        def body(values):
            tried[name] += 1
            kept = copy.deepcopy(values[0])
            try:
                fn(*values)
            except AssertionError:
                failing[:] = [(kept, *values[1:])]
                raise

        test = settings(max_examples=args.batch, database=None, deadline=None,
                        phases=[Phase.generate, Phase.shrink],
                        suppress_health_check=list(HealthCheck))(given(st.tuples(*strategies))(body))
        seed = rng.randrange(2**32)
        try:
            from hypothesis import seed as hseed
            hseed(seed)(test)()
        except Exception as exc:  # a falsified property (or a crash: report both)
            if not failing and not isinstance(exc, AssertionError) and tried[name] == 0:
                raise  # the harness itself is broken: stop rather than loop
            failures[name] += 1
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            key = (name, message[:200])
            first = key not in seen_errors
            seen_errors.setdefault(key, 0)
            seen_errors[key] += 1
            path = out / f"{name}-{round_no}.yaml"
            values = failing[0] if failing else ()
            data = values[0] if values and isinstance(values[0], dict) else None
            path.write_text(yaml.safe_dump(
                {"property": name, "seed": seed, "error": message,
                 "traceback": traceback.format_exc()[-3000:],
                 "args": [v for v in values[1:] if isinstance(v, (int, str))],
                 "inventory": data}, allow_unicode=True, sort_keys=False), encoding="utf-8")
            print(f"round {round_no} {name}: FAILED{' (new)' if first else ''}: {message} "
                  f"-> {path}", flush=True)
        else:
            print(f"round {round_no} {name}: ok (tried {tried[name]})", flush=True)
    total = sum(tried.values())
    print(f"\ninventories tried: {total}", flush=True)
    for name in names:
        print(f"  {name:7} tried {tried[name]:6}  failing rounds {failures[name]}")
    print(f"distinct failures: {len(seen_errors)}")
    for (name, message), count in sorted(seen_errors.items()):
        print(f"  [{name}] x{count}: {message}")
    return 1 if seen_errors else 0


if __name__ == "__main__":
    sys.exit(main())
