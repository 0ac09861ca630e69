#!/usr/bin/env python3
"""Start-up time: median wall time of `fxe --help` and `fxe CMD --help` next to `python -c pass`.

Targets: `fxe --help` <= 0.25 s and <= 3x the bare interpreter, measured in the same run.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

RUNS = 15


def median_wall(cmd: list[str]) -> float:
    times = []
    subprocess.run(cmd, capture_output=True, check=True)  # warm the file cache
    for _ in range(RUNS):
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    from fxcli.cli.main import COMMANDS

    bare = median_wall([sys.executable, "-c", "pass"])
    rows = [("python -c pass", bare)]
    rows.append(("fxe --help", median_wall([sys.executable, "-m", "fxcli", "--help"])))
    for name in COMMANDS:
        rows.append((f"fxe {name} --help", median_wall([sys.executable, "-m", "fxcli", name, "--help"])))
    print(f"start-up, median of {RUNS} runs")
    for label, t in rows:
        print(f"  {label:<28} {t * 1000:7.1f} ms   {t / bare:4.1f}x bare")
    help_time = rows[1][1]
    verdict = "meets" if help_time <= 0.25 and help_time <= 3 * bare else "MISSES"
    print(f"fxe --help: {help_time:.3f} s, {help_time / bare:.1f}x bare -> {verdict} the target (<= 0.25 s, <= 3x)")


if __name__ == "__main__":
    main()
