"""Publishing a report: a real conformance run, then a real build of the book with it.

A student's module (the reference implementation with a wrong ``js_divergence``, the square
root of JS, and without ``wasserstein1``) is run on exercise 3.10 (smoke profile) with
``--conformance-json``; a copy of docs/ is then built with ``-D specbook_conformance=``.
The page of 3.10 must show the implementation, the failures with their falsifying examples
and the skips with their reasons; the index a status column.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

STUDENT = '''"""A student's solutions: JS with a square root too many, no W1 at all."""
import numpy as np

import impl
from impl import *  # noqa: F403

del wasserstein1  # noqa: F821


def js_divergence(p, q):
    return np.sqrt(impl.js_divergence(p, q))
'''


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("status")
    (tmp / "student.py").write_text(STUDENT, encoding="utf-8")
    report = tmp / "report.json"
    run = subprocess.run(
        # --impl=PATH in one word: as two words, a path outside the repository would be
        # read as a test path before pytest knows --impl (the plugin refuses that).
        [sys.executable, "-m", "pytest"]
        + [
            "-p",
            "no:cacheprovider",
            "-q",
            "spec",
            "--exercise",
            "3.10",
            "--hypothesis-profile",
            "smoke",
        ]
        + [f"--impl={tmp / 'student.py'}", "--conformance-json", str(report)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 1, f"expected failures, got exit {run.returncode}:\n{run.stdout}"
    assert report.exists(), run.stdout
    docs = tmp / "docs"
    shutil.copytree(
        ROOT / "docs", docs, ignore=shutil.ignore_patterns("_generated", "tests", "__pycache__")
    )
    html = tmp / "html"
    build = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html"]
        + [str(docs), str(html), "-D", f"specbook_conformance={report}"]
        + ["-D", "specbook_figures=0"],
        env={**os.environ, "SPECBOOK_ROOT": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    return html


def test_exercise_page_shows_the_report(published):
    """The page of 3.10 names the implementation and shows failed, passed and skipped
    properties, the failure message and falsifying example, and the skip reason."""
    page = (published / "_generated" / "ex3_10.html").read_text(encoding="utf-8")
    assert "Conformance" in page and "student.py" in page
    for outcome in ("passed", "failed", "skipped"):
        assert f"specbook-{outcome}" in page, outcome
    # Hypothesis >= 6.170 says "Failing test case" where older versions said "Falsifying example".
    assert "Falsifying example" in page or "Failing test case" in page
    assert "does not provide wasserstein1" in page


def test_other_pages_and_index_show_the_status(published):
    """An exercise outside the report says so; the index has the status column."""
    other = (published / "_generated" / "ex1_1.html").read_text(encoding="utf-8")
    assert "not run in the report" in other
    index = (published / "index.html").read_text(encoding="utf-8")
    assert "Status of the properties" in index and "student.py" in index
