"""Grading: ``python -m spec.grade`` on the gallery of cheats, the starter file, a correct
solution, a notebook, and Gradescope's bundle run on a fake ``/autograder`` tree.

Each cheat of ``spec/cheats`` must come out with no points on the exercises it targets, or
with a flag whose reason shows in its feedback.  These run a grader (a pytest process and
an isolated one per submission), about a minute on two cores, so they run where
``SPEC_GRADING_TESTS=1`` is set: CI sets it (``.ci/run``).
"""

from __future__ import annotations

import ast
import csv
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from spec import grade
from spec.template import render

ROOT = Path(__file__).resolve().parents[2]
CHEATS = sorted(p for p in (ROOT / "spec" / "cheats").glob("*.py") if p.name != "__init__.py")

pytestmark = pytest.mark.skipif(
    os.environ.get("SPEC_GRADING_TESTS") != "1",
    reason="the grading tests run with SPEC_GRADING_TESTS=1 (as CI runs them)",
)

CORRECT_1_4 = """
import numpy as np
from scipy.special import rel_entr, xlogy


def _distribution(p, name):
    p = np.asarray(p, dtype=float)
    if p.ndim == 0 or np.isnan(p).any() or (p < 0).any() or np.any(abs(p.sum(-1) - 1) > 1e-9):
        raise ValueError(f"{name} must be a probability vector")
    return p


def _pair(p, q):
    p, q = _distribution(p, "p"), _distribution(q, "q")
    if p.shape[-1] != q.shape[-1]:
        raise ValueError("p and q must have the same length")
    return p, q


def _out(x):
    return float(x) if np.ndim(x) == 0 else x


def entropy(p):
    p = _distribution(p, "p")
    return _out(-xlogy(p, p).sum(-1))


def kl_divergence(p, q):
    p, q = _pair(p, q)
    return _out(rel_entr(p, q).sum(-1))


def cross_entropy(p, q):
    return _out(np.asarray(entropy(p)) + np.asarray(kl_divergence(p, q)))
"""


def _constants(path: Path) -> dict:
    """The module constants of a cheat, read without importing it."""
    values = {}
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name in ("TARGETS", "EXPECT", "REASON"):
                values[name] = ast.literal_eval(node.value)
    return values


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The gallery, the starter, a correct 1.4 and a notebook, graded in one run."""
    tmp = tmp_path_factory.mktemp("grading")
    (tmp / "starter.py").write_text(render())
    (tmp / "correct.py").write_text(CORRECT_1_4)
    cells = [
        {"cell_type": "markdown", "source": ["# my solutions"]},
        {"cell_type": "code", "source": ["%matplotlib inline\n", "!pip install nothing\n"]},
        {"cell_type": "code", "source": CORRECT_1_4.splitlines(keepends=True)},
    ]
    (tmp / "notebook.ipynb").write_text(json.dumps({"cells": cells, "nbformat": 4}))
    targets = sorted({e for path in CHEATS for e in _constants(path)["TARGETS"]} | {"1.4"})
    rubric_path = tmp / "rubric.toml"
    rubric_path.write_text(
        f"exercises = {json.dumps(targets)}\n[limits]\ncall_timeout = 5\nmemory_mb = 3072\n"
    )
    rubric = grade.Rubric.load(rubric_path)
    paths = [*CHEATS, tmp / "starter.py", tmp / "correct.py", tmp / "notebook.ipynb"]
    results = grade.grade(paths, tmp / "out", rubric, progress=False)
    return {r.submission.name: r for r in results}, tmp / "out"


@pytest.mark.parametrize("path", CHEATS, ids=lambda p: p.stem)
def test_every_cheat_gets_nothing_or_a_flag(graded, path):
    """A cheat scores 0 on its targets, or is flagged with its reason in its feedback."""
    results, out = graded
    expected = _constants(path)
    result = results[path.stem]
    feedback = (out / path.stem / "feedback.md").read_text()
    if expected["EXPECT"] == "zero":
        points = {e: result.points[e] for e in expected["TARGETS"]}
        assert not any(points.values()), f"{path.stem} scored {points}"
    else:
        assert any(expected["REASON"] in flag for flag in result.submission.flags), (
            f"{path.stem}: flags {result.submission.flags}, expected {expected['REASON']!r}"
        )
        assert expected["REASON"] in feedback, feedback[:2000]


def test_a_correct_solution_gets_full_claim_points_and_the_starter_none(graded):
    """The plain correct 1.4 scores its point; the notebook the same, with a note on the
    dropped lines; the starter scores 0 everywhere."""
    results, out = graded
    assert results["correct"].points["1.4"] == 1.0, (out / "correct" / "feedback.md").read_text()
    assert results["notebook"].points["1.4"] == 1.0
    assert any("2 IPython magic" in note for note in results["notebook"].submission.notes)
    assert results["starter"].total == 0
    assert not results["correct"].submission.flags


def test_gradebook_and_gradescope_results_are_well_formed(graded):
    """One gradebook row per submission, with seed and versions; each results.json has the
    Gradescope fields and a test per exercise."""
    results, out = graded
    with open(out / "gradebook.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["submission"] for row in rows] == list(results)
    assert all(row["seed"] == "0" for row in rows)
    assert "numpy=" in next(r for r in rows if r["submission"] == "correct")["versions"]
    data = json.loads((out / "correct" / "results.json").read_text())
    assert {"score", "execution_time", "tests"} <= set(data)
    for test in data["tests"]:
        assert {"name", "score", "max_score", "output", "visibility"} <= set(test)
    assert data["score"] == sum(t["score"] for t in data["tests"])


def test_gradescope_bundle_runs_on_a_fake_autograder_tree(tmp_path):
    """The bundle's run_autograder grades /autograder/submission into a valid results.json."""
    bundle = tmp_path / "autograder.zip"
    subprocess.run(
        [sys.executable, "-m", "spec.grade", "--gradescope-bundle", str(bundle)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    root = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root)
        assert {"setup.sh", "run_autograder", "source/rubric.toml"} <= set(archive.namelist())
    (root / "submission").mkdir()
    (root / "submission" / "solutions.py").write_text(CORRECT_1_4)
    (root / "source" / "rubric.toml").write_text('exercises = ["1.4"]\n')
    run = subprocess.run(
        ["bash", str(root / "run_autograder")],
        env={**os.environ, "AUTOGRADER_ROOT": str(root)},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 1.0 and results["tests"][0]["max_score"] == 1.0, results
