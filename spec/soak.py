"""Run the whole spec repeatedly with fresh random Hypothesis seeds: ``python -m spec.soak``.

Every statistical property states a false-alarm probability far below 1e-6 per
run, so a failure here is a bug (in a tolerance, a bound or the implementation),
never bad luck.  Each run gets a fresh seed, printed with its outcome, so that
any failure replays with ``pytest --hypothesis-seed=SEED``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="number of runs (default 20)")
    parser.add_argument(
        "--tier",
        action="append",
        default=[],
        choices=("claim", "numerics", "contract"),
        help="soak only this tier (repeatable)",
    )
    parser.add_argument("--impl", help="the implementation to soak (default: the reference)")
    parser.add_argument("pytest_args", nargs="*", help="extra arguments for pytest")
    args = parser.parse_args(argv)
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "HYPOTHESIS_PROFILE")}
    failures = []
    for run in range(1, args.runs + 1):
        seed = int.from_bytes(os.urandom(8), "little")
        started = time.monotonic()
        command = [
            sys.executable,
            "-m",
            "pytest",
            "-n",
            "auto",
            "-q",
            "-p",
            "no:cacheprovider",
            f"--hypothesis-seed={seed}",
            *[f"--tier={tier}" for tier in args.tier],
            *([f"--impl={args.impl}"] if args.impl else []),
            *args.pytest_args,
        ]
        result = subprocess.run(command, capture_output=True, text=True, env=env)
        summary = (result.stdout.strip().splitlines() or ["(no output)"])[-1]
        print(
            f"run {run:2d}  seed {seed}  {time.monotonic() - started:5.1f} s  {summary}", flush=True
        )
        if result.returncode != 0:
            failures.append((seed, result.stdout))
    for seed, output in failures:
        print(f"\n--- failure with --hypothesis-seed={seed} ---\n{output[-5000:]}")
    print(f"\n{args.runs - len(failures)} of {args.runs} runs passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
