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
*mathematics*.  Each survivor is sorted by the smallest piece of syntax holding its change
(:func:`kind_of`): the interface (a ``ValueError``, its condition or message, a validation
helper, a default, the kind or dtype returned), floating-point warnings (``np.errstate``),
batching (an axis, a shape), and the reviewed equivalents are left out, as the other tiers'
to catch; every other survivor counts as missed mathematics and is listed for review.
mutmut keeps one cache (``mutants/``), which a tier run rebuilds: run the whole spec's
review afterwards with ``--fresh``.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import difflib
import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def _source_files() -> list[Any]:
    """mutmut's record of every mutated file of ``impl/``, read in-process: mutmut's own CLI
    (``mutmut show``) takes a second per mutant, and a tier run has a thousand survivors."""
    from mutmut.__main__ import SourceFileMutationData, walk_mutatable_files

    with contextlib.chdir(ROOT):
        records = []
        for path in walk_mutatable_files():
            record = SourceFileMutationData(path=path)
            record.load()
            records.append(record)
        return records


def statuses() -> dict[str, str]:
    """Every mutant's status (killed, survived, timeout, no tests, ...) from mutmut."""
    from mutmut.__main__ import status_by_exit_code

    return {
        name: status_by_exit_code[code]
        for record in _source_files()
        for name, code in record.exit_code_by_key.items()
    }


@dataclass(frozen=True)
class Mutation:
    """One mutant: its function's source before and after the change."""

    original: str
    mutant: str

    @property
    def changed_line(self) -> str:
        """The mutated line as ``mutmut show`` prints it, stripped (several joined by " / ")."""
        diff = difflib.unified_diff(
            self.original.split("\n"), self.mutant.split("\n"), "a", "b", lineterm=""
        )
        added = [line[1:].strip() for line in diff if line.startswith("+")]
        return " / ".join(added[1:])  # added[0] is the "+++ b" header


def mutations(names: list[str]) -> dict[str, Mutation]:
    """The mutants in ``names``, read from mutmut's mutated copy of ``impl/``."""
    import libcst
    from mutmut.mutation import diff_apply

    wanted, found = set(names), {}
    with contextlib.chdir(ROOT):
        for record in _source_files():
            for name in wanted.intersection(record.exit_code_by_key):
                functions = diff_apply.read_functions_from_index(name, record.path)
                if functions is None:  # mutmut's index is stale: parse the file, as it does
                    module = diff_apply.read_mutants_module(record.path)
                    functions = (
                        diff_apply.read_original_function(module, name),
                        diff_apply.read_mutant_function(module, name),
                    )
                original, mutant = (libcst.Module([f]).code.strip() for f in functions)
                found[name] = Mutation(original, mutant)
    return found


def changed_lines(names: list[str]) -> dict[str, str]:
    """The mutated line of each mutant in ``names``, as ``mutmut show`` prints it."""
    return {name: mutation.changed_line for name, mutation in mutations(names).items()}


# What a claim-tier survivor changes, read off the smallest piece of syntax holding the
# change.  Only the claim tier's review uses it: the interface is the contract tier's to
# catch, floating-point warnings the numerics tier's, and batching (an axis, a shape) is the
# contract tier's too.  What no rule names is reported as "of the mathematics".
VALIDATORS = ("as_", "_as_", "same_shape", "_positive_int", "_check", "_evaluate_rows", "_noise")
RETURN_KINDS = ("_scalar_or_array", "_float_or_array")
CONVERSIONS = ("float", "int", "bool")
SHAPES = ("reshape", "broadcast_shapes", "astype")


def _name_of_call(node: ast.AST) -> str:
    if not isinstance(node, ast.Call):
        return ""
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _path_to_change(before: ast.AST, after: ast.AST) -> list[ast.AST]:
    """The nodes of ``before`` from the root down to the smallest one holding every change."""
    path = [before]
    while type(before) is type(after):
        differing = []
        for field in before._fields:
            old, new = getattr(before, field), getattr(after, field)
            if isinstance(old, list) and (not isinstance(new, list) or len(old) != len(new)):
                return path
            pairs = list(zip(old, new, strict=True)) if isinstance(old, list) else [(old, new)]
            for a, b in pairs:
                if isinstance(a, ast.AST):
                    same = isinstance(b, ast.AST) and ast.dump(a) == ast.dump(b)
                else:
                    same = a == b
                if not same:
                    differing.append((a, b))
        if len(differing) != 1 or not isinstance(differing[0][0], ast.AST):
            return path
        before, after = differing[0]
        path.append(before)
    return path


def kind_of(function: str, mutation: Mutation) -> str:
    """``interface``, ``warnings``, ``batching`` or ``mathematics``: what the change touches."""
    if function.startswith(RETURN_KINDS) or function.startswith(VALIDATORS):
        return "interface"
    before = ast.parse(mutation.original).body[0]
    path = _path_to_change(before, ast.parse(mutation.mutant).body[0])
    for node, child in reversed(list(zip(path, [*path[1:], None], strict=True))):
        if isinstance(node, ast.Raise) or isinstance(node, ast.arguments):
            return "interface"  # an error, its message, a default value
        if isinstance(node, ast.If) and child is node.test:
            if any(isinstance(statement, ast.Raise) for statement in node.body):
                return "interface"  # the condition of a ValueError
        if isinstance(node, ast.IfExp) and _name_of_call(node.body) in CONVERSIONS:
            return "interface"  # the kind returned (a float for one input)
        if isinstance(node, ast.With) and child is not None and child in node.items:
            if any(_name_of_call(item.context_expr) == "errstate" for item in node.items):
                return "warnings"
        name = _name_of_call(node)
        if name.startswith(VALIDATORS):
            return "interface"
        if name in SHAPES or (isinstance(node, ast.keyword) and node.arg in ("axis", "keepdims")):
            return "batching"
        if isinstance(node, ast.keyword) and node.arg == "dtype":
            return "interface"  # float64 in, float64 out
    changed = path[-1]
    if isinstance(changed, ast.JoinedStr | ast.FormattedValue) or (
        isinstance(changed, ast.Constant) and isinstance(changed.value, str)
    ):
        return "interface"  # a message or an argument's name
    return "mathematics"


def report_tier(tier: str) -> int:
    """Print one tier's score, over all mutants and over those of the mathematics.

    Survivors are sorted by :func:`kind_of`; the reviewed equivalents (survivors of the whole
    spec) are left out; every other survivor counts against the tier, and is listed."""
    status = statuses()
    if not status:
        print("no mutation results: run `mutmut run` first")
        return 2
    reviewed = load_reviewed()
    killed = {name for name, value in status.items() if value in ("killed", "timeout")}
    survivors = sorted(set(status) - killed)
    found = mutations(survivors)
    kinds: dict[str, list[str]] = {}
    for name in survivors:
        if name in reviewed:
            kind = "equivalent"
        else:
            function = name.split(".x_", 1)[1].rsplit("__mutmut_", 1)[0]
            kind = kind_of(function, found[name])
        kinds.setdefault(kind, []).append(name)
    total = len(status)
    print(f"{tier} tier: {len(killed)}/{total} mutants killed = {100 * len(killed) / total:.1f}%")
    missed = kinds.get("mathematics", [])
    counts = ", ".join(f"{len(names)} {kind}" for kind, names in sorted(kinds.items()))
    print(f"  survivors: {len(survivors)} ({counts})")
    math_total = len(killed) + len(missed)
    print(
        f"{tier} tier on the mathematics: {len(killed)}/{math_total} "
        f"= {100 * len(killed) / math_total:.1f}% (every survivor no rule classifies counts "
        "as missed mathematics)"
    )
    for name in missed:
        print(f"  SURVIVED {name}: {found[name].changed_line}")
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

    change = changed_lines(survivors)
    unreviewed, changed = [], []
    for name in survivors:
        if name not in reviewed:
            unreviewed.append(name)
        elif change[name] != reviewed[name].change:
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
        print(f"  UNREVIEWED {name}: {change[name]}")
    for name in changed:
        print(f"  CHANGED    {name}: list has {reviewed[name].change!r}, now {change[name]!r}")
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
    if (args.fresh or args.tier) and not args.report_only:
        shutil.rmtree(MUTANTS, ignore_errors=True)
    if not args.report_only:
        env = dict(os.environ)
        if args.tier:
            env["PYTEST_ADDOPTS"] = f"{env.get('PYTEST_ADDOPTS', '')} -m {args.tier}".strip()
        subprocess.run([*_command(), "run"], cwd=ROOT, check=False, env=env)
    return report_tier(args.tier) if args.tier else report(args.min_score)


if __name__ == "__main__":
    raise SystemExit(main())
