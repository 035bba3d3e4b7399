"""Meta-tests: the book's generator (docs/_ext/specbook.py) covers every exercise file.

No Sphinx build here (that is ``tox -e docs``): the generator's discovery and page rendering
are plain functions, called directly.  The generator is loaded from its file; it reads the
spec modules with ``ast`` and never imports the reference implementation.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = ROOT / "docs" / "_ext" / "specbook.py"
EXERCISE_FILES = sorted(ROOT.glob("spec/lecture*/test_ex*_*.py"))


@pytest.fixture(scope="module")
def specbook():
    if not GENERATOR.exists():
        pytest.skip("docs/ is not installed with the spec package (pip install .)")
    spec = importlib.util.spec_from_file_location("specbook", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("specbook", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def exercises(specbook):
    return specbook.discover(ROOT)


def test_every_exercise_file_has_a_page(specbook, exercises):
    """The generator's page list holds exactly one page per exercise file."""
    assert sorted(e.path for e in exercises) == EXERCISE_FILES
    names = [e.docname for e in exercises]
    assert len(set(names)) == len(names) == len(EXERCISE_FILES)
    for exercise in exercises:
        match = re.search(r"test_ex(\d+)_(\d+)_", exercise.path.name)
        assert exercise.number == f"{int(match[1])}.{int(match[2])}"


def test_every_page_has_statement_math_properties_and_contract(specbook, exercises):
    """Each exercise yields a non-empty statement, display math, its properties with their
    claims, and the contract functions it uses; its page renders all of them."""
    for e in exercises:
        statement = e.section("statement")
        assert statement is not None and statement.body.strip(), f"{e.number}: no statement"
        assert any(".. math::" in s.body for s in e.sections), f"{e.number}: no display math"
        assert e.properties and all(p.claim for p in e.properties), f"{e.number}: properties"
        assert e.contract, f"{e.number}: uses no contract function"
        page = specbook.render_exercise(e)
        assert page.count(".. math::") == sum(s.body.count(".. math::") for s in e.sections)
        for prop in e.properties:
            assert f"``{prop.name}``" in page
            assert prop.tier in specbook.TIER_HEADINGS, f"{e.number}: {prop.name} has no tier"
        headings = [specbook.TIER_HEADINGS[t][0] for t in specbook.TIER_HEADINGS]
        shown = [h for h in headings if f"\n{h}\n~~~" in page]
        assert "Claims" in shown, f"{e.number}: no claims on the page"
        assert [page.index(f"\n{h}\n~~~") for h in shown] == sorted(
            page.index(f"\n{h}\n~~~") for h in shown
        ), f"{e.number}: tiers out of order"
        for use in e.contract:
            assert f"``{use.signature}``" in page
        assert "Conformance" not in page, "no status without a report"


def test_docstring_prose_is_escaped_and_displays_kept(specbook):
    """Prose reads literally in reST (no markup from |x|, *, _), indented lines are displays,
    numbered lines are list items, and a .. math:: block passes through."""
    body = (
        "A |x| and *y* with w_i, ``code_kept``.\n"
        "    display = line\n"
        "1. first item\n"
        "   continued\n"
        "2. second\n"
        "\n"
        ".. math::\n"
        "\n"
        "   \\frac{a}{b}\n"
    )
    rst = "\n".join(specbook.render_body(body))
    assert "\\|x\\|" in rst and "\\*y\\*" in rst and "w\\_i" in rst and "``code_kept``" in rst
    assert ".. code-block:: text" in rst and "\n   display = line" in rst
    assert "\n1. \\first item\n   continued" in rst and "\n2. \\second" in rst
    assert ".. math::\n\n   \\frac{a}{b}" in rst


def test_status_block_from_a_conformance_report(specbook, exercises):
    """Given a report, the page shows each property's outcome, the implementation, and the
    reason and falsifying example of a failure; the index gets a status column."""
    exercise = next(e for e in exercises if e.number == "3.10")
    failing, skipped = exercise.properties[0].name, exercise.properties[1].name
    path = exercise.relative_path
    records = [
        {
            "test": f"{path}::{p.name}",
            "claim": p.claim,
            "outcome": "passed",
            "reason": "",
            "falsifying_example": "",
            "duration_s": 0.1,
        }
        for p in exercise.properties[2:]
    ]
    records += [
        {
            "test": f"{path}::{failing}[case1]",
            "claim": "",
            "outcome": "failed",
            "reason": "AssertionError: js_divergence off by 0.5",
            "falsifying_example": "Falsifying example: test(theta=1.0)",
            "duration_s": 0.1,
        },
        {
            "test": f"{path}::{skipped}",
            "claim": "",
            "outcome": "skipped",
            "reason": "student does not provide wasserstein1",
            "falsifying_example": "",
            "duration_s": 0.0,
        },
    ]
    report = {
        "implementation": {"name": "student.py", "module": "student", "file": "student.py"},
        "hypothesis": {"profile": "ci", "seed": None},
        "totals": {"passed": len(records) - 2, "failed": 1, "skipped": 1},
        "exercises": [{"exercise": "3.10", "title": exercise.title, "properties": records}],
    }
    page = specbook.render_exercise(exercise, report=report)
    assert "``student.py``" in page and ":specbook-status:`failed`" in page
    assert "js_divergence off by 0.5" in page and "test(theta=1.0)" in page
    assert "does not provide wasserstein1" in page
    other = next(e for e in exercises if e.number == "1.1")
    assert "not run in the report" in specbook.render_exercise(other, report=report)
    contents = specbook.render_contents(exercises, report)
    assert "Status of the properties" in contents and "not run" in contents
    assert "Status of the properties" not in specbook.render_contents(exercises)
