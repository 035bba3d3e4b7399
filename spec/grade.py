"""Grade a class: ``python -m spec.grade SUBMISSION... --out DIR``.

A submission is a ``.py`` file, a ``.ipynb`` notebook (its code cells; IPython magics and
shell lines are dropped, with a note) or a folder holding one of them.  Each is graded by
its own run of the spec (``pytest --isolate``) under the derandomized ``grading`` profile:
the submission's code runs in a process of its own, with limits on memory, CPU time and
output, and cannot read the reference implementation, the spec or the grader's output;
nothing it makes reaches a check but plain numbers.  Runs go in parallel across the cores.

Written to ``DIR``:

* ``gradebook.csv``: a row per submission: its points per exercise, the total, the flags,
  the seed and the versions;
* ``<name>/results.json``: the Gradescope autograder format, a test per exercise;
* ``<name>/feedback.md``: the feedback, readable on its own;
* ``<name>/conformance.json``: the spec's full report of the run.

The rubric (``--rubric rubric.toml``) gives points per exercise and the weight of each tier;
an exercise scores its points times the weighted fraction of its properties passed.  The
default: the claims only, one point per exercise.  ``--gradescope-bundle autograder.zip``
writes the ``setup.sh`` and ``run_autograder`` that Gradescope runs, one container per
submission, with this spec inside.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spec.harness.loading import SPEC_DIR
from spec.harness.selection import TIERS

ROOT = SPEC_DIR.parent
EXERCISES = tuple(
    sorted(
        {
            f"{int(m[1])}.{int(m[2])}"
            for p in SPEC_DIR.glob("lecture*/test_ex*_*.py")
            if (m := re.search(r"test_ex(\d+)_(\d+)_", p.name))
        },
        key=lambda e: tuple(map(int, e.split("."))),
    )
)
#: The source patterns that flag a submission: reaching for the reference or the spec.
SUSPICIOUS = {
    "imports the reference implementation": r"^\s*(from|import)\s+impl\b|['\"]impl['\"]",
    "reads the reference implementation's files": r"impl[/\\]|information\.py|_validation",
    "imports the spec (its checks or its harness)": r"^\s*(from|import)\s+spec\b",
}


# --------------------------------------------------------------------------- the rubric


@dataclass(frozen=True)
class Rubric:
    """Points per exercise and the weight of each tier."""

    points: dict[str, float]
    tiers: dict[str, float]
    call_timeout: float = 10.0
    run_timeout: float = 1800.0
    memory_mb: int = 4096
    cpu_seconds: int = 900
    output_mb: int = 8

    @classmethod
    def load(cls, path: Path | None) -> Rubric:
        data: dict[str, Any] = tomllib.loads(path.read_text()) if path else {}
        exercises = [str(e) for e in data.get("exercises", EXERCISES)]
        unknown = sorted(set(exercises) - set(EXERCISES))
        if unknown:
            raise ValueError(f"the rubric names exercises the spec does not have: {unknown}")
        default = float(data.get("points", {}).get("default", 1.0))
        points = {e: float(data.get("points", {}).get(e, default)) for e in exercises}
        tiers = {
            t: float(data.get("tiers", {}).get(t, 1.0 if t == "claim" else 0.0)) for t in TIERS
        }
        if not any(tiers.values()):
            raise ValueError("the rubric gives every tier weight 0")
        limits = {k: data["limits"][k] for k in data.get("limits", {})}
        return cls(points, tiers, **limits)

    @property
    def graded_tiers(self) -> list[str]:
        return [tier for tier, weight in self.tiers.items() if weight > 0]

    def score(self, exercise: dict[str, Any] | None, name: str) -> float:
        """Points for one exercise from its row of the conformance report."""
        if exercise is None:
            return 0.0
        counts = exercise["tiers"]
        weights = {t: w for t, w in self.tiers.items() if w > 0 and sum(counts.get(t, {}).values())}
        if not weights:
            return 0.0
        fraction = sum(
            w * counts[t]["passed"] / sum(counts[t].values()) for t, w in weights.items()
        ) / sum(weights.values())
        return round(self.points[name] * fraction, 4)


# --------------------------------------------------------------------------- submissions


@dataclass
class Submission:
    """One student's work, as the grader prepares it."""

    name: str
    source: Path
    notes: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    code: str = ""


def prepare(path: Path) -> Submission:
    """Read a .py file, a notebook's code cells, or the one of them in a folder."""
    name = re.sub(r"[^\w.-]+", "_", path.stem if path.is_file() else path.name)
    submission = Submission(name, path)
    if path.is_dir():
        candidates = sorted(path.rglob("*.py")) + sorted(path.rglob("*.ipynb"))
        candidates = [c for c in candidates if ".ipynb_checkpoints" not in c.parts]
        if not candidates:
            submission.flags.append("no .py or .ipynb file in the folder")
            return submission
        if len(candidates) > 1:
            submission.notes.append(
                f"the folder holds {len(candidates)} files; graded {candidates[0].name}"
            )
        path = candidates[0]
    if path.suffix == ".ipynb":
        submission.code, dropped = notebook_code(path)
        if dropped:
            submission.notes.append(
                f"{dropped} IPython magic or shell line(s) of the notebook were left out"
            )
    elif path.suffix == ".py":
        submission.code = path.read_text(encoding="utf-8", errors="replace")
    else:
        submission.flags.append(f"{path.name} is neither a .py file nor a notebook")
    for flag, pattern in SUSPICIOUS.items():
        if re.search(pattern, submission.code, re.MULTILINE):
            submission.flags.append(flag)
    return submission


def notebook_code(path: Path) -> tuple[str, int]:
    """The code cells of a notebook as one module, and how many lines were dropped."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    lines, dropped = [], 0
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        if text.lstrip().startswith("%%"):  # a cell magic: the whole cell is not Python
            dropped += len(text.splitlines())
            continue
        for line in text.splitlines():
            if line.lstrip().startswith(("%", "!")):
                dropped += 1
                continue
            lines.append(line)
        lines.append("")
    return "\n".join(lines) + "\n", dropped


# --------------------------------------------------------------------------- one run


@dataclass
class Result:
    """The outcome of grading one submission."""

    submission: Submission
    points: dict[str, float]
    report: dict[str, Any] | None
    seconds: float
    log: str = ""

    @property
    def total(self) -> float:
        return round(sum(self.points.values()), 4)


def grade_one(
    submission: Submission, rubric: Rubric, out: Path, seed: int, drop_privileges: bool
) -> Result:
    """Run the spec on one submission in its own processes and score it."""
    started = time.monotonic()
    folder = out / submission.name
    folder.mkdir(parents=True, exist_ok=True)
    if not submission.code:
        return Result(submission, dict.fromkeys(rubric.points, 0.0), None, 0.0)
    work = Path(tempfile.mkdtemp(prefix="spec-grade-"))
    module = work / "submission.py"
    module.write_text(submission.code, encoding="utf-8")
    work.chmod(0o755)
    module.chmod(0o644)
    report_path = folder / "conformance.json"
    report_path.unlink(missing_ok=True)
    command = [
        sys.executable, "-m", "pytest", "--pyargs", "spec",
        "-p", "no:cacheprovider", "-p", "no:xdist", "-p", "no:randomly", "-q",
        f"--impl={module}", "--isolate",
        "--hypothesis-profile=grading", f"--hypothesis-seed={seed}",
        f"--call-timeout={rubric.call_timeout:g}",
        f"--conformance-json={report_path}",
        *[f"--tier={tier}" for tier in rubric.graded_tiers],
        *[f"--exercise={exercise}" for exercise in rubric.points],
    ]  # fmt: skip
    isolation = {
        "memory_bytes": rubric.memory_mb * 2**20,
        "cpu_seconds": rubric.cpu_seconds,
        "output_bytes": rubric.output_mb * 2**20,
        "drop_privileges": drop_privileges,
        "give_up_on_hangs": True,
        "blocked": [str(out.resolve())],
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPEC_", "PYTEST"))}
    env.update(SPEC_ISOLATION=json.dumps(isolation), HYPOTHESIS_PROFILE="grading")
    env["PYTHONPATH"] = str(ROOT)  # the spec this grader belongs to, wherever it runs
    env.pop("CI", None)
    try:
        run = subprocess.run(
            command, cwd=work, env=env, capture_output=True, text=True,
            timeout=rubric.run_timeout,
        )  # fmt: skip
        log = run.stdout[-20000:] + run.stderr[-5000:]
    except subprocess.TimeoutExpired:
        submission.flags.append(f"the whole run took longer than {rubric.run_timeout:g} s")
        log = ""
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report = json.loads(report_path.read_text()) if report_path.exists() else None
    if report is None and "cannot import the implementation under test" in log:
        submission.flags.append("the submission failed to import")
    rows = {row["exercise"]: row for row in (report or {}).get("exercises", [])}
    points = {e: rubric.score(rows.get(e), e) for e in rubric.points}
    result = Result(submission, points, report, time.monotonic() - started, log)
    _flag_crashes(result)
    return result


def _flag_crashes(result: Result) -> None:
    """Flags for what the run saw: crashes, hangs, limits."""
    seen: set[str] = set()
    for row in (result.report or {}).get("exercises", []):
        for prop in row["properties"]:
            reason = prop["reason"]
            if "implementation's process" in reason:
                what = re.search(r"process ([^:\n]*?) during", reason)
                seen.add(f"its process {what[1]}" if what else "its process crashed")
            if "did not return within" in reason or "CallTimeout" in reason:
                seen.add("a call did not return in time")
            if "MemoryError" in reason:
                seen.add("a call ran out of memory")
            if "File too large" in reason or "EFBIG" in reason:
                seen.add("it printed more than the output limit")
            if "sandbox refuses" in reason:
                seen.add("it reached for something the sandbox refuses")
    result.submission.flags.extend(sorted(seen - set(result.submission.flags)))


# --------------------------------------------------------------------------- outputs


def _failures(row: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in row["properties"] if p["outcome"] == "failed"]


def feedback(result: Result, rubric: Rubric) -> str:
    """The student's feedback, in Markdown."""
    s = result.submission
    possible = sum(rubric.points.values())
    lines = [f"# Feedback for {s.name}", "", f"**Score: {result.total:g} / {possible:g}**", ""]
    graded = ", ".join(f"{t} (weight {w:g})" for t, w in rubric.tiers.items() if w)
    lines += [f"Graded tiers: {graded}. Each exercise scores its points times the share of "
              "its properties that passed.", ""]  # fmt: skip
    if s.flags:
        lines += ["## Flags", ""] + [f"- {flag}" for flag in s.flags] + [""]
    if s.notes:
        lines += ["## Notes", ""] + [f"- {note}" for note in s.notes] + [""]
    rows = {row["exercise"]: row for row in (result.report or {}).get("exercises", [])}
    if result.report is None:
        lines += ["## The run did not finish", "", "The spec could not run your file:", ""]
        tail = "\n".join(result.log.strip().splitlines()[-25:]) or "(no output)"
        lines += ["```text", tail, "```", ""]
    for exercise, points in result.points.items():
        row = rows.get(exercise)
        lines += [f"## Exercise {exercise}: {points:g} / {rubric.points[exercise]:g}", ""]
        if row is None:
            lines += ["Not run.", ""]
            continue
        lines += [f"*{row['title']}*", ""]
        for prop in _failures(row):
            name = prop["test"].rsplit("::", 1)[-1]
            lines += [f"- **failed** ({prop['tier']}) `{name}`: {prop['claim']}", ""]
            reason = "\n".join(prop["reason"].splitlines()[:12])
            lines += ["  ```text", *[f"  {x}" for x in reason.splitlines()], "  ```", ""]
            if prop["falsifying_example"]:
                lines += ["  ```python"]
                lines += [f"  {x}" for x in prop["falsifying_example"].splitlines()[:20]]
                lines += ["  ```", ""]
        for reason, count in row["skip_reasons"].items():
            lines += [f"- skipped {count}: {reason}"]
        if not _failures(row) and not row["skip_reasons"]:
            lines += ["All properties passed."]
        lines.append("")
    return "\n".join(lines)


def gradescope_results(result: Result, rubric: Rubric) -> dict[str, Any]:
    """The Gradescope autograder results: a test per exercise."""
    rows = {row["exercise"]: row for row in (result.report or {}).get("exercises", [])}
    tests = []
    for exercise, points in result.points.items():
        row = rows.get(exercise)
        output = [] if row else ["not run"]
        for prop in _failures(row) if row else []:
            name = prop["test"].rsplit("::", 1)[-1]
            output.append(f"failed ({prop['tier']}) {name}: {prop['claim']}")
            if prop["falsifying_example"]:
                output.append(prop["falsifying_example"])
        for reason, count in (row or {}).get("skip_reasons", {}).items():
            output.append(f"skipped {count}: {reason}")
        tests.append(
            {
                "name": f"Exercise {exercise}" + (f": {row['title']}" if row else ""),
                "score": points,
                "max_score": rubric.points[exercise],
                "output": "\n".join(output) or "All properties passed.",
                "visibility": "visible",
            }
        )
    flags = "; ".join(result.submission.flags + result.submission.notes)
    return {
        "score": result.total,
        "execution_time": round(result.seconds, 1),
        "output": flags or "Graded by the executable specification.",
        "tests": tests,
    }


def _versions(report: dict[str, Any] | None) -> str:
    versions = (report or {}).get("versions", {})
    return " ".join(f"{k}={v}" for k, v in versions.items())


def write(results: list[Result], rubric: Rubric, out: Path, seed: int) -> None:
    """Every output file of a grading run."""
    with open(out / "gradebook.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["submission", *rubric.points, "total", "flags", "seed", "versions"])
        for result in results:
            writer.writerow(
                [result.submission.name, *(f"{result.points[e]:g}" for e in rubric.points)]
                + [f"{result.total:g}", "; ".join(result.submission.flags), seed]
                + [_versions(result.report)]
            )
    for result in results:
        folder = out / result.submission.name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "feedback.md").write_text(feedback(result, rubric), encoding="utf-8")
        (folder / "results.json").write_text(
            json.dumps(gradescope_results(result, rubric), indent=2) + "\n", encoding="utf-8"
        )


def grade(
    paths: list[Path],
    out: Path,
    rubric: Rubric,
    seed: int = 0,
    jobs: int | None = None,
    progress: bool = True,
) -> list[Result]:
    """Grade every submission in parallel; write the outputs; return the results."""
    out.mkdir(parents=True, exist_ok=True)
    out.chmod(0o700)  # the submissions' processes run as another user where they can
    drop = _can_drop_privileges()
    submissions = [prepare(path) for path in paths]
    names = [s.name for s in submissions]
    for index, submission in enumerate(submissions):  # distinct folders for equal names
        if names.count(submission.name) > 1:
            submission.name = f"{submission.name}-{index + 1}"
    results: dict[int, Result] = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
        futures = {
            pool.submit(grade_one, s, rubric, out, seed, drop): i for i, s in enumerate(submissions)
        }
        for done, future in enumerate(concurrent.futures.as_completed(futures), 1):
            results[futures[future]] = future.result()
            if progress:
                bar = "#" * (30 * done // len(futures))
                print(f"\rgraded {done}/{len(futures)} [{bar:<30}]", end="", file=sys.stderr)
    if progress:
        print(file=sys.stderr)
    ordered = [results[i] for i in range(len(submissions))]
    write(ordered, rubric, out, seed)
    return ordered


def _can_drop_privileges() -> bool:
    """As root, whether 'nobody' can run this interpreter and import the spec."""
    if os.geteuid() != 0:
        return False
    import pwd

    user = pwd.getpwnam("nobody")

    def become() -> None:
        os.setgroups([])
        os.setgid(user.pw_gid)
        os.setuid(user.pw_uid)

    try:
        probe = subprocess.run(
            [sys.executable, "-c", "import numpy, spec.harness.worker"],
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            cwd="/",
            capture_output=True,
            preexec_fn=become,  # noqa: PLW1509
            timeout=120,
        )
    except OSError:  # the interpreter itself is out of its reach
        return False
    return probe.returncode == 0


# --------------------------------------------------------------------------- Gradescope

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this in a fresh container per submission (AUTOGRADER_ROOT: local tests).
set -euo pipefail
root="${AUTOGRADER_ROOT:-/autograder}"
cd "$root/source"
python3 -m spec.grade "$root/submission" --out "$root/grading" --rubric rubric.toml \\
    --gradescope-results "$root/results/results.json" --jobs 1 --no-progress
"""

SETUP_SH = """#!/usr/bin/env bash
# Gradescope's setup: Python >= 3.11 and the spec's dependencies (choose an Ubuntu 24.04
# base image, whose python3 is 3.12).
set -euo pipefail
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-pip python3-venv >/dev/null
python3 -m pip install --break-system-packages --quiet /autograder/source
"""


def bundle(path: Path, rubric_path: Path | None) -> None:
    """Write Gradescope's autograder zip: setup.sh, run_autograder, the spec, the rubric."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER)):
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o755 << 16
            archive.writestr(info, text)
        rubric_text = rubric_path.read_text() if rubric_path else "# the default rubric\n"
        archive.writestr("source/rubric.toml", rubric_text)
        for name in ("pyproject.toml", "README.md", "conftest.py"):
            if (ROOT / name).exists():
                archive.write(ROOT / name, f"source/{name}")
        for file in sorted(SPEC_DIR.rglob("*")):
            if file.is_file() and "__pycache__" not in file.parts:
                archive.write(file, f"source/{file.relative_to(ROOT)}")


# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m spec.grade", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("submissions", nargs="*", type=Path, help=".py, .ipynb or folders")
    parser.add_argument("--out", type=Path, help="the output folder")
    parser.add_argument("--rubric", type=Path, help="a TOML rubric (default: claims only)")
    parser.add_argument("--seed", type=int, default=0, help="the Hypothesis seed (recorded)")
    parser.add_argument("--jobs", type=int, help="submissions graded at once (default: cores)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument(
        "--gradescope-results", type=Path, help="also write the (one) results.json here"
    )
    parser.add_argument(
        "--gradescope-bundle", type=Path, help="write Gradescope's autograder zip here and stop"
    )
    args = parser.parse_args(argv)
    if args.gradescope_bundle:
        bundle(args.gradescope_bundle, args.rubric)
        print(f"wrote {args.gradescope_bundle}")
        return 0
    if not args.submissions or args.out is None:
        parser.error("give submissions and --out (or --gradescope-bundle)")
    rubric = Rubric.load(args.rubric)
    results = grade(args.submissions, args.out, rubric, args.seed, args.jobs, not args.no_progress)
    if args.gradescope_results:
        (result,) = results
        args.gradescope_results.parent.mkdir(parents=True, exist_ok=True)
        args.gradescope_results.write_text(
            json.dumps(gradescope_results(result, rubric), indent=2) + "\n"
        )
    for result in results:
        flags = f"  [{'; '.join(result.submission.flags)}]" if result.submission.flags else ""
        print(f"{result.submission.name}: {result.total:g}{flags}")
    print(f"gradebook: {args.out / 'gradebook.csv'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
