"""Harness tests: plugging a partial or broken implementation in with --impl.

Three end-to-end runs of pytest in a subprocess, on exercise 1.4 only, check
what a student sees: skips with their reasons, the conformance table and JSON,
the exit code, an import error reported once.  The failure modes of a plugged
function (wrong value, NaN, wrong type or shape, a non-function, a hang) are
checked in-process, by calling a property of 1.4 with a broken module behind
the ``impl`` proxy: faster, and the messages are the same.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from spec.lecture01 import test_ex1_4_cross_entropy_decomposition as exercise_1_4
from spec.plugin import CallTimeout, ContractViolation, ImplementationUnderTest

ROOT = Path(__file__).resolve().parents[2]
EXERCISE = "spec/lecture01/test_ex1_4_cross_entropy_decomposition.py"


def _run(
    tmp_path: Path, source: str, *extra: str, target: str = EXERCISE
) -> tuple[subprocess.CompletedProcess, dict]:
    """Run ``target`` (exercise 1.4) against ``source`` saved as a module; return the result
    and the JSON."""
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
            *([target] if target else []),
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
        try:
            p = np.asarray(p, dtype=float)
        except ValueError:
            raise ValueError("p must be an array of numbers") from None
        if p.ndim == 0 or np.any(p < 0) or np.any(np.isnan(p)) or np.any(abs(p.sum(-1) - 1) > 1e-9):
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
    assert "kl_divergence is not implemented yet" in reasons, reasons
    assert "conformance of" in result.stdout and "1.4" in result.stdout, result.stdout


def _tier_totals_add_up(data: dict) -> None:
    """Per exercise and overall, the tiers' counts add up to the totals."""
    for row in data["exercises"]:
        for outcome in ("passed", "failed", "skipped"):
            assert sum(c[outcome] for c in row["tiers"].values()) == row[outcome], row
        assert all(p["tier"] in ("claim", "numerics", "contract") for p in row["properties"])
    for outcome, total in data["totals"].items():
        assert sum(c[outcome] for c in data["totals_by_tier"].values()) == total, data
        assert sum(row[outcome] for row in data["exercises"]) == total, data


def test_starter_file_runs_all_skipped_with_no_meta_tests_counted(tmp_path):
    """The starter file on lecture 1 and the meta-tests' folder: every property skips in one
    clean sentence, the spec's own meta-tests are left out, and the run exits 0."""
    from spec.template import render

    result, data = _run(tmp_path, render(), "spec/meta", target="spec/lecture01")
    assert result.returncode == 0, result.stdout + result.stderr
    summary = result.stdout.strip().splitlines()[-1]
    assert "passed" not in summary and "skipped" in summary, summary
    assert "spec/meta" not in result.stdout, result.stdout
    assert [row["exercise"] for row in data["exercises"]] == ["1.1", "1.2", "1.3", "1.4"]
    for row in data["exercises"]:
        assert row["passed"] == row["failed"] == 0 and row["skipped"] > 0, row
        for reason in row["skip_reasons"]:
            assert re.fullmatch(r"\w+ is not implemented yet", reason), reason
    _tier_totals_add_up(data)


def test_failure_opens_with_its_tier_and_the_table_counts_tiers(tmp_path):
    """An entropy off by ½ fails claim properties, each report opening with the claim line;
    the table shows per-tier counts and names the failing properties; tiers add up."""
    wrong = PARTIAL.replace("-xlogy(p, p).sum(-1)", "0.5 - xlogy(p, p).sum(-1)")
    wrong = wrong.replace(
        "raise NotImplementedError", "return float(np.sum(xlogy(p, p) - xlogy(p, q)))"
    )
    wrong += "\n\ndef cross_entropy(p, q):\n    return float(-np.sum(xlogy(p, q)))\n"
    result, data = _run(tmp_path, wrong)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "AssertionError: claim property: the exercise's mathematics fails" in result.stdout
    (row,) = data["exercises"]
    failed = [p for p in row["properties"] if p["outcome"] == "failed"]
    assert any(p["tier"] == "claim" for p in failed), failed
    for prop in failed:  # each failure's first line names its own tier
        assert f": {prop['tier']} property: " in prop["reason"].splitlines()[0], prop["reason"]
    assert re.search(r"^1\.4 +claim \d+/\d+ .*· numerics \d+/\d+", result.stdout, re.M)
    name = failed[0]["test"].rsplit("::", 1)[-1]
    assert f"failed (claim): {name}" in result.stdout, result.stdout
    _tier_totals_add_up(data)


def _student(source: str) -> ImplementationUnderTest:
    """``source`` executed as a module, behind the proxy the spec sees."""
    module = ModuleType("student")
    exec(compile(textwrap.dedent(source), "student.py", "exec"), module.__dict__)
    return ImplementationUnderTest(module, "student")


RETURNED = "return float(h) if h.ndim == 0 else h"
P = np.array([0.25, 0.75])


def test_wrong_value_fails_with_the_check_and_the_inputs():
    """A wrong entropy (log base 2) fails the mpmath property, naming the check and the input."""
    wrong = _student(PARTIAL.replace("-xlogy(p, p).sum(-1)", "-xlogy(p, p).sum(-1) / np.log(2)"))
    with pytest.raises(AssertionError, match=r"H\(p\) against mpmath[\s\S]*inputs: p="):
        exercise_1_4.test_entropy_matches_50_digit_evaluation(impl=wrong)


def test_nan_is_reported_against_the_contract():
    """Returning NaN fails with a message naming the function, its input and the rule."""
    wrong = _student(PARTIAL.replace(RETURNED, "return float('nan')"))
    with pytest.raises(ContractViolation, match=r"student\.entropy\(array.*returned NaN"):
        wrong.entropy(P)


def test_wrong_type_is_reported_against_the_contract():
    """Returning a list fails with the function, what came back and what the contract asks."""
    wrong = _student(PARTIAL.replace(RETURNED, "return h.tolist()"))
    with pytest.raises(ContractViolation, match=r"returned list .*the contract \(entropy\(p\)"):
        wrong.entropy(np.stack([P, P]))


def test_zero_dimensional_array_for_one_input_is_reported():
    """One distribution in, a 0-d array out (not a float) fails against the contract."""
    wrong = _student(PARTIAL.replace(RETURNED, "return np.asarray(h)"))
    with pytest.raises(ContractViolation, match=r"returned ndarray .*the contract \(entropy\(p\)"):
        wrong.entropy(P)


def test_wrong_shape_is_reported_with_expected_and_actual():
    """Returning one value per outcome instead of one per distribution names both shapes."""
    wrong = _student(PARTIAL.replace(RETURNED, "return -xlogy(p, p)"))
    with pytest.raises(AssertionError, match=r"shape: expected \(\), got \(\d+,\)"):
        exercise_1_4.test_entropy_matches_50_digit_evaluation(impl=wrong)


def test_non_callable_contract_name_is_reported():
    """A module attribute that shadows a contract name with a non-function fails clearly."""
    wrong = _student(PARTIAL + "\nkl_divergence = 0.5\n")
    with pytest.raises(pytest.fail.Exception, match="kl_divergence is a float, not a function"):
        wrong.kl_divergence(P, P)


def test_hanging_function_is_stopped_once_with_the_call(monkeypatch, pytestconfig):
    """A function that never returns raises CallTimeout, which Hypothesis does not retry."""
    monkeypatch.setattr(pytestconfig.option, "call_timeout", 0.2)
    wrong = _student(PARTIAL + "\n\ndef cross_entropy(p, q):\n    while True:\n        pass\n")
    started = time.monotonic()
    with pytest.raises(
        CallTimeout, match=r"student\.cross_entropy\(.*did not return within 0\.2 s"
    ):
        exercise_1_4.test_cross_entropy_is_entropy_plus_kl(impl=wrong)
    assert time.monotonic() - started < 5.0, "the hanging call was retried"


def test_impl_path_as_a_separate_word_outside_the_repository_is_refused(tmp_path):
    """A two-word '--impl PATH' outside the current directory stops the run, naming the fix."""
    module = tmp_path / "student.py"
    module.write_text(PARTIAL)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--co", "--impl", str(module)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, result.stdout + result.stderr
    assert f"write --impl={module}" in result.stderr


def test_import_error_is_reported_once_at_start(tmp_path):
    """A module that fails to import stops the run at once with its traceback, not per test."""
    result, _ = _run(tmp_path, "import numpy\nraise RuntimeError('broken student module')\n")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "cannot import the implementation under test" in output, output
    assert output.count("RuntimeError: broken student module") == 1, output


def test_tolerances_of_any_number_type_format_in_messages():
    """An mpmath tolerance is formatted like a float in the failure message, not a crash."""
    import mpmath

    from spec.assertions import assert_close, assert_leq

    with pytest.raises(AssertionError, match=r"atol=0\.001, rtol=0; .*expected 2\.0, got 1\.0"):
        assert_close(1.0, 2.0, atol=mpmath.mpf("0.001"), rtol=mpmath.mpf(0), what="radius")
    with pytest.raises(AssertionError, match=r"expected 2\.0 <= 1\.0 .*allowed 0\.001 \+ 0"):
        assert_leq(2.0, 1.0, atol=mpmath.mpf("0.001"), what="bound")


def test_bad_input_messages_say_what_was_wrong():
    """An accepted bad input is reported with what was wrong with it, by the caller's words
    and, for corrupted arrays, by the corruption (a NaN entry, an extra axis)."""
    from spec.assertions import assert_rejects, assert_rejects_bad_arrays

    def accepts_anything(f, x):
        return 0.0

    with pytest.raises(
        AssertionError, match=r"expected ValueError naming 'f' \(f returns floats\)"
    ):
        assert_rejects(accepts_anything, len, P, argument="f", because="f returns floats")
    with pytest.raises(AssertionError, match=r"naming 'x' \(x has a NaN entry\)"):
        assert_rejects_bad_arrays(accepts_anything, len, P, names=(None, "x"))


def test_inputs_line_shows_the_call_that_failed(impl_module):
    """In 9.25 the strategy, not the test, moves b off the hyperplane: the failure's inputs
    line and Hypothesis's falsifying example show the same b (the call that failed)."""
    from spec.lecture09 import test_ex9_25_smoothed_linear_classifier as exercise_9_25

    module = ModuleType("always_plus_one")
    module.__dict__.update({name: getattr(impl_module, name) for name in impl_module.__all__})
    module.smoothed_linear_classifier = lambda w, b, x, sigma: 1
    wrong = ImplementationUnderTest(module, "always_plus_one")
    prop = exercise_9_25.test_smoothed_classifier_equals_the_base_classifier_off_the_hyperplane
    with pytest.raises(AssertionError) as caught:
        prop(impl=wrong)
    shown = re.search(r"inputs: w=.*?, b=([^,]+), x=", str(caught.value))
    example = "\n".join(getattr(caught.value, "__notes__", []))
    assert shown, str(caught.value)
    assert f", {shown[1]}," in example, f"b={shown[1]} is not the b of:\n{example}"
