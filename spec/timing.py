"""Timing benchmark of the spec: ``python -m spec.timing`` (``tox -e timing``).

Prints, each the median of ``--repeat`` runs in fresh processes:

* the imports a run cannot avoid: ``python -c "import torch, scipy.stats, hypothesis"``;
* one exercise, as a student iterating on it runs it: ``pytest --exercise 1.4``, and its
  ratio to the imports (the target is at most 2);
* the default run, ``pytest -n auto`` (the target is at most 30 s on two cores), with the
  fastest and slowest of the runs: a shared machine's speed varies by a fifth from run
  to run, so one run says little.

A benchmark, not a test: it fails nothing, it reports.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]


def wall_time(command: list[str]) -> tuple[float, str]:
    """Seconds ``command`` took, and the last line it printed."""
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    return elapsed, (result.stdout.strip().splitlines() or ["(no output)"])[-1]


def median_time(command: list[str], repeat: int) -> float:
    return statistics.median(wall_time(command)[0] for _ in range(repeat))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spec.timing", description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="runs per median (default 3)")
    parser.add_argument("--exercise", default="1.4", help="the one exercise (default 1.4)")
    parser.add_argument("--skip-full", action="store_true", help="leave out the default run")
    args = parser.parse_args(argv)
    imports = median_time(
        [sys.executable, "-c", "import torch, scipy.stats, hypothesis"], args.repeat
    )
    one = median_time([*PYTEST, "--exercise", args.exercise], args.repeat)
    print(f"imports (torch, scipy.stats, hypothesis): {imports:5.2f} s")
    print(f"one exercise (pytest --exercise {args.exercise}): {one:5.2f} s")
    print(f"ratio one exercise / imports: {one / imports:.2f} (target <= 2)")
    if not args.skip_full:
        runs = [wall_time([*PYTEST, "-n", "auto"]) for _ in range(args.repeat)]
        times = [elapsed for elapsed, _ in runs]
        print(
            f"default run (pytest -n auto): median {statistics.median(times):5.1f} s, "
            f"range {min(times):.1f}-{max(times):.1f} s (target <= 30 s): {runs[-1][1]}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
