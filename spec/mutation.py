"""Mutation score of the spec: ``python -m spec.mutation`` (``tox -e mutation``).

mutmut 3 (configured in ``pyproject.toml``, ``[tool.mutmut]``) makes many small wrong
variants of ``impl/``, one change each: an operator swapped, a constant changed, an
argument dropped, a string altered.  The spec runs against each variant under the
``mutation`` Hypothesis profile (derandomized, so a verdict is reproducible).  A variant
the spec rejects is *killed*; one it accepts *survived*.

A survivor is either a gap in the spec (then a property is added or sharpened) or an
*equivalent* mutant: a change that no caller can observe, such as a tolerance that is
never reached or an error-state flag on a path that cannot divide by zero.  Equivalent
survivors are listed, each with its changed line and a one-line reason, in
``spec/mutation_survivors.toml``.  This command runs mutmut, then prints the score and
fails when

* the score (killed / all mutants) is below ``--min-score`` (0.90), or
* a survivor is not in the reviewed list, or its changed line differs from the list, or
* the list names a mutant that no longer survives (the list must stay current).

``--tier claim`` runs only the claim properties against each mutant (``-m claim``) and
reports the claim tier's own score: killed over all mutants, and over the mutants of the
*mathematics*, that is all but the reviewed equivalents and the mutants of the interface
(a changed ``ValueError`` message or condition, a validation helper), which only the
contract tier is meant to catch.  mutmut keeps one cache (``mutants/``), which a tier run
rebuilds: run the whole spec's review afterwards with ``--fresh``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REVIEWED = ROOT / "spec" / "mutation_survivors.toml"
MUTANTS = ROOT / "mutants"


@dataclass(frozen=True)
class Reviewed:
    """One survivor recorded as equivalent."""

    mutant: str
    change: str
    reason: str


def load_reviewed(path: Path = REVIEWED) -> dict[str, Reviewed]:
    """The reviewed survivors by mutant name; every entry must give a change and a reason."""
    entries = tomllib.loads(path.read_text(encoding="utf-8")).get("survivor", [])
    reviewed = {}
    for entry in entries:
        item = Reviewed(entry["mutant"], entry["change"].strip(), entry["reason"].strip())
        if not item.reason or not item.change:
            raise ValueError(f"{path}: {item.mutant} needs a change and a reason")
        reviewed[item.mutant] = item
    return reviewed


def _command() -> list[str]:
    """mutmut's console script beside this interpreter (mutmut warns when run with -m)."""
    script = shutil.which("mutmut", path=str(Path(sys.executable).parent)) or shutil.which("mutmut")
    if script is None:
        raise SystemExit("mutmut is not installed: pip install -e '.[test,mutation]'")
    return [script]


def _mutmut(*args: str) -> str:
    result = subprocess.run(
        [*_command(), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def changed_line(mutant: str) -> str:
    """The mutated line of ``mutant`` as ``mutmut show`` prints it, stripped."""
    added = [
        line[1:].strip()
        for line in _mutmut("show", mutant).splitlines()
        if line.startswith("+") and not line.startswith("+++")
    ]
    return " / ".join(added)


def statuses() -> dict[str, str]:
    """Every mutant's status (killed, survived, timeout, no tests, ...) from mutmut."""
    result = {}
    for line in _mutmut("results", "--all", "true").splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep:
            result[name] = status
    return result


def is_interface(mutant: str, change: str) -> bool:
    """Whether a mutant changes the interface (validation, an error or its message)."""
    return (
        "_validation" in mutant
        or "raise " in change
        or "ValueError" in change
        or "XX" in change  # mutmut's string mutation: a message or an argument's name
    )


def report_tier(tier: str) -> int:
    """Print one tier's score, over all mutants and over those of the mathematics."""
    status = statuses()
    if not status:
        print("no mutation results: run `mutmut run` first")
        return 2
    reviewed = load_reviewed()
    killed = {name for name, value in status.items() if value in ("killed", "timeout")}
    survivors = sorted(set(status) - killed)
    interface = [name for name in survivors if is_interface(name, changed_line(name))]
    equivalent = [name for name in survivors if name in reviewed and name not in interface]
    mathematics = [name for name in survivors if name not in interface and name not in reviewed]
    total = len(status)
    math_total = total - len(interface) - len(equivalent)
    print(f"{tier} tier: {len(killed)}/{total} mutants killed = {100 * len(killed) / total:.1f}%")
    print(
        f"  survivors: {len(survivors)} = {len(interface)} of the interface (the contract "
        f"tier's) + {len(equivalent)} reviewed equivalent + {len(mathematics)} of the mathematics"
    )
    score = (math_total - len(mathematics)) / math_total
    print(
        f"{tier} tier on the mathematics: {math_total - len(mathematics)}/{math_total} "
        f"= {100 * score:.1f}%"
    )
    for name in mathematics:
        print(f"  SURVIVED {name}: {changed_line(name)}")
    return 0


def report(min_score: float) -> int:
    """Print the score and the review of survivors; return the exit code."""
    status = statuses()
    total = len(status)
    if total == 0:
        print("no mutation results: run `mutmut run` first")
        return 2
    counts: dict[str, int] = {}
    for value in status.values():
        counts[value] = counts.get(value, 0) + 1
    killed = counts.get("killed", 0) + counts.get("timeout", 0)
    score = killed / total
    reviewed = load_reviewed()
    survivors = sorted(name for name, value in status.items() if value not in ("killed", "timeout"))

    unreviewed, changed = [], []
    for name in survivors:
        if name not in reviewed:
            unreviewed.append(name)
        elif changed_line(name) != reviewed[name].change:
            changed.append(name)
    stale = sorted(set(reviewed) - set(survivors))

    breakdown = ", ".join(f"{value} {count}" for value, count in sorted(counts.items()))
    print(f"mutants: {total} ({breakdown})")
    target = f"target {100 * min_score:.0f}%"
    print(f"mutation score: {killed}/{total} killed = {100 * score:.1f}% ({target})")
    print(
        f"survivors: {len(survivors)}, reviewed as equivalent: {len(survivors) - len(unreviewed)}"
    )
    for name in unreviewed:
        print(f"  UNREVIEWED {name}: {changed_line(name)}")
    for name in changed:
        print(
            f"  CHANGED    {name}: list has {reviewed[name].change!r}, now {changed_line(name)!r}"
        )
    for name in stale:
        print(f"  STALE      {name}: listed, but no longer survives")
    ok = score >= min_score and not unreviewed and not changed and not stale
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spec.mutation", description=__doc__)
    parser.add_argument("--min-score", type=float, default=0.90)
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="delete mutmut's cache (mutants/) and rerun every mutant",
    )
    parser.add_argument(
        "--report-only", action="store_true", help="do not run mutmut, review its last results"
    )
    parser.add_argument(
        "--tier",
        choices=("claim", "numerics", "contract"),
        help="run only this tier's properties against each mutant and report its score",
    )
    args = parser.parse_args(argv)
    if args.fresh or args.tier:
        shutil.rmtree(MUTANTS, ignore_errors=True)
    if not args.report_only:
        env = dict(os.environ)
        if args.tier:
            env["PYTEST_ADDOPTS"] = f"{env.get('PYTEST_ADDOPTS', '')} -m {args.tier}".strip()
        subprocess.run([*_command(), "run"], cwd=ROOT, check=False, env=env)
    return report_tier(args.tier) if args.tier else report(args.min_score)


if __name__ == "__main__":
    raise SystemExit(main())
