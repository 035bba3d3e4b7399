"""Harness tests: plugging a partial or broken implementation in with --impl.

Each test runs pytest in a subprocess on exercise 1.4 only (a second or two)
and checks what a student sees: skips with the reason, the conformance table
and JSON, the exit code, and failures that name the function and its inputs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXERCISE = "spec/lecture01/test_ex1_4_cross_entropy_decomposition.py"


def _run(tmp_path: Path, source: str, *extra: str) -> tuple[subprocess.CompletedProcess, dict]:
    module = tmp_path / "student.py"
    module.write_text(textwrap.dedent(source))
    report = tmp_path / "conformance.json"
    env = {k: v for k, v in os.environ.items() if k not in ("SPEC_IMPL", "PYTEST_XDIST_WORKER")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            f"--impl={module}",
            f"--conformance-json={report}",
            EXERCISE,
            *extra,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    data = json.loads(report.read_text()) if report.exists() else {}
    return result, data


PARTIAL = """
    import numpy as np
    from scipy.special import xlogy

    def entropy(p):
        p = np.asarray(p, dtype=float)
        if np.any(p < 0) or np.any(np.isnan(p)) or np.any(abs(p.sum(-1) - 1) > 1e-9):
            raise ValueError("p must be a probability vector")
        h = -xlogy(p, p).sum(-1)
        return float(h) if h.ndim == 0 else h

    def kl_divergence(p, q):
        raise NotImplementedError
"""


def test_partial_implementation_skips_what_it_lacks(tmp_path):
    """Only entropy provided: its tests pass, the rest skip with the reason, exit code 0."""
    result, data = _run(tmp_path, PARTIAL)
    assert result.returncode == 0, result.stdout + result.stderr
    (row,) = data["exercises"]
    assert row["exercise"] == "1.4" and row["passed"] >= 1 and row["failed"] == 0, row
    reasons = " | ".join(row["skip_reasons"])
    assert "does not provide cross_entropy" in reasons, reasons
    assert "kl_divergence not implemented" in reasons, reasons
    assert "conformance of" in result.stdout and "1.4" in result.stdout, result.stdout


def test_wrong_implementation_fails_with_an_informative_message(tmp_path):
    """A wrong entropy (log base 2) fails, naming the check and the inputs; exit code 1."""
    source = PARTIAL.replace("-xlogy(p, p).sum(-1)", "-xlogy(p, p).sum(-1) / np.log(2)")
    result, data = _run(tmp_path, source)
    assert result.returncode == 1, result.stdout + result.stderr
    assert data["exercises"][0]["failed"] >= 1
    assert "H(p) against mpmath" in result.stdout and "inputs: p=" in result.stdout


def test_nan_and_wrong_type_are_reported_against_the_contract(tmp_path):
    """Returning NaN or a list fails with a message naming the function and the contract."""
    result, _ = _run(
        tmp_path, PARTIAL.replace("return float(h) if h.ndim == 0 else h", "return float('nan')")
    )
    assert result.returncode == 1 and "returned NaN" in result.stdout, result.stdout
    result, _ = _run(
        tmp_path, PARTIAL.replace("return float(h) if h.ndim == 0 else h", "return h.tolist()")
    )
    assert result.returncode == 1 and "the contract (entropy(p)" in result.stdout, result.stdout


def test_import_error_is_reported_once_at_start(tmp_path):
    """A module that fails to import stops the run at once with its traceback, not per test."""
    result, _ = _run(tmp_path, "import numpy\nraise RuntimeError('broken student module')\n")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "cannot import the implementation under test" in output, output
    assert output.count("RuntimeError: broken student module") == 1, output
