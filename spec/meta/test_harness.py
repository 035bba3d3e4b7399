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
    """Run exercise 1.4 against ``source`` saved as a module; return the result and the JSON."""
    module = tmp_path / "student.py"
    module.write_text(textwrap.dedent(source))
    report = tmp_path / "conformance.json"
    env = {k: v for k, v in os.environ.items() if k not in ("SPEC_IMPL", "PYTEST_XDIST_WORKER")}
    env["HYPOTHESIS_PROFILE"] = "smoke"  # a few examples suffice to see the harness at work
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


PARTIAL = textwrap.dedent("""
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
""")


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
    result, data = _run(tmp_path, source, "-x")
    assert result.returncode == 1, result.stdout + result.stderr
    assert data["exercises"][0]["failed"] >= 1
    assert "H(p) against mpmath" in result.stdout and "inputs: p=" in result.stdout


def test_nan_and_wrong_type_are_reported_against_the_contract(tmp_path):
    """Returning NaN or a list fails with a message naming the function and the contract."""
    returned = "return float(h) if h.ndim == 0 else h"
    result, _ = _run(tmp_path, PARTIAL.replace(returned, "return float('nan')"), "-x")
    assert result.returncode == 1 and "returned NaN" in result.stdout, result.stdout
    result, _ = _run(tmp_path, PARTIAL.replace(returned, "return h.tolist()"), "-x")
    assert result.returncode == 1 and "the contract (entropy(p)" in result.stdout, result.stdout


def test_starter_file_runs_all_skipped(tmp_path):
    """The generated starter file skips every property as 'not implemented' and exits 0."""
    from spec.template import render

    result, data = _run(tmp_path, render())
    assert result.returncode == 0, result.stdout + result.stderr
    for row in data["exercises"]:
        assert row["passed"] == row["failed"] == 0 and row["skipped"] > 0, row
        assert all(reason.endswith("not implemented") for reason in row["skip_reasons"]), row


def test_hanging_function_fails_only_its_own_tests(tmp_path):
    """A function that never returns is stopped by the per-test timeout; other tests still run."""
    source = PARTIAL + "\n\ndef cross_entropy(p, q):\n    while True:\n        pass\n"
    result, data = _run(tmp_path, source, "--call-timeout=2")
    assert result.returncode == 1, result.stdout + result.stderr
    (row,) = data["exercises"]
    assert row["failed"] >= 1 and row["passed"] >= 1, row
    assert "cross_entropy(" in result.stdout and "did not return within 2 s" in result.stdout


def test_wrong_shape_is_reported_with_expected_and_actual(tmp_path):
    """Returning one value per outcome instead of a scalar fails with both shapes named."""
    source = PARTIAL.replace("return float(h) if h.ndim == 0 else h", "return -xlogy(p, p)")
    result, data = _run(tmp_path, source, "-x")
    assert result.returncode == 1
    assert "shape: expected ()" in result.stdout or "the contract (entropy(p)" in result.stdout
    failed = [p for p in data["exercises"][0]["properties"] if p["outcome"] == "failed"]
    assert failed and all(p["falsifying_example"].startswith("Falsifying example") for p in failed)


def test_non_callable_contract_name_is_reported(tmp_path):
    """A module attribute that shadows a contract name with a non-function fails clearly."""
    result, _ = _run(tmp_path, PARTIAL + "\nkl_divergence = 0.5\n", "-x")
    assert result.returncode == 1
    assert "kl_divergence is a float, not a function" in result.stdout, result.stdout


def test_import_error_is_reported_once_at_start(tmp_path):
    """A module that fails to import stops the run at once with its traceback, not per test."""
    result, _ = _run(tmp_path, "import numpy\nraise RuntimeError('broken student module')\n")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "cannot import the implementation under test" in output, output
    assert output.count("RuntimeError: broken student module") == 1, output
