"""Short fixed-seed fuzzing in the suite: mutated inventories in every form (issue 13).

Each example is a seed (see :mod:`fuzzlib`): a mutated YAML file, YAML folder,
CSV folder or workbook, some with damaged bytes. The real CLI runs on it
in-process and must end with exit 0, 1 or 2, without a traceback or "internal
error", and leave every input file as it was. ``scripts/fuzz.py`` runs the same
cases for as long as asked, in subprocesses under time and memory limits.
"""

from __future__ import annotations

import random
import tempfile
import traceback
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from fuzzlib import COMMANDS, judge, make_case, snapshot
from lineage.cli import cli

#: Inputs tried per suite run (each with three commands): well under a minute here.
EXAMPLES = 80


def run_case(seed: int, commands: int = 3) -> list[str]:
    """Run ``commands`` of :data:`COMMANDS` on the case of ``seed``; return what went wrong."""
    failures = []
    with tempfile.TemporaryDirectory(prefix="lineage-fuzz-") as tmp:
        tmp = Path(tmp)
        path, what = make_case(seed, tmp / "case")
        before = snapshot(path)
        rng = random.Random(seed)
        for n, command in enumerate(rng.sample(COMMANDS, commands)):
            args = [command[0], str(path)] + [
                a.replace("OUTDIR", str(tmp / f"out{n}")).replace("OUT", str(tmp / f"out{n}"))
                for a in command[1:]]
            res = CliRunner().invoke(cli, args, catch_exceptions=True)
            if res.exception is not None and not isinstance(res.exception, SystemExit):
                failures.append(f"{what}: {' '.join(command)}: exception\n" + "".join(
                    traceback.format_exception(res.exception))[-2000:])
                continue
            wrong = judge(res.exit_code, res.stdout, res.stderr)
            if wrong:
                failures.append(f"{what}: {' '.join(command)}: {wrong}\n{res.stderr[-1000:]}")
        if snapshot(path) != before:
            failures.append(f"{what}: an input file changed")
    return failures


@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(seed=st.integers(min_value=0, max_value=2 ** 32))
def test_mutated_inventories_end_cleanly(seed):
    assert run_case(seed) == []
