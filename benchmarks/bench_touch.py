"""What a first touch of fresh memory costs on this machine, cold and warm.

Usage::

    .venv/bin/python benchmarks/bench_touch.py              # 1 GiB, 15 s idle first
    .venv/bin/python benchmarks/bench_touch.py --mib 512 --idle 0

Maps ``--mib`` of anonymous memory and writes one byte per 4 KiB page, twice in
one process (the second time the pages were freed a moment ago), after
``--idle`` seconds with nothing running in this process. On a virtual machine
whose host takes back the memory the guest freed (free page reporting: this
machine, after a few seconds), the first pass pays the host's page faults too;
the second does not. Prints wall, kernel and user seconds and the page faults
of each pass: the kernel seconds a ``lineage check`` spends (``bench_formats.py``'s
``sys s``) are mostly this cost, for every page of its heap.
"""

from __future__ import annotations

import argparse
import mmap
import os
import resource
import time

PAGE = 4096


def touch(size: int) -> tuple[float, float, float, int]:
    """Wall, kernel and user seconds and minor faults of touching ``size`` fresh bytes.

    Example:
        >>> wall, kernel, user, faults = touch(1 << 20)
        >>> faults >= 200  # 256 pages of 4 KiB
        True
    """
    before, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    area = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    for offset in range(0, size, PAGE):
        area[offset] = 1
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_SELF)
    area.close()
    return (wall, after.ru_stime - before.ru_stime, after.ru_utime - before.ru_utime,
            after.ru_minflt - before.ru_minflt)


def main() -> None:
    """Time two passes and print one line each."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mib", type=int, default=1024)
    ap.add_argument("--idle", type=float, default=15.0,
                    help="seconds to wait first, so the host may take freed memory back")
    a = ap.parse_args()
    time.sleep(a.idle)
    print(f"cores: {os.cpu_count()}  {a.mib} MiB, one write per 4 KiB page, after "
          f"{a.idle:g} s idle")
    for name in ("first pass", "again"):
        wall, kernel, user, faults = touch(a.mib << 20)
        print(f"{name:10} wall {wall:5.2f} s  kernel {kernel:5.2f} s  user {user:5.2f} s  "
              f"faults {faults:,}  {kernel / max(faults, 1) * 1e6:.1f} µs kernel per fault")


if __name__ == "__main__":
    main()
