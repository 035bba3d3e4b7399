"""Meta-tests: the registry, the exercise files and the README agree with each other.

These check the spec itself, not an implementation: every contract function is
registered once, exercised by the files of the exercises it names and checked
for bad input; every exercise file reads as a document (its title line, one
docstring line per property) and is listed in the README.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from spec.contract import CONTRACT
from spec.plugin import DEFAULT_IMPL, exercise_of

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "spec"
EXERCISE_FILES = sorted(SPEC.glob("lecture*/test_ex*_*.py"))
#: Methods of the ``impl`` fixture itself, not contract functions.
HARNESS_METHODS = {"provides"}


def _source(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _impl_attributes(path: Path) -> set[str]:
    """Names used as ``impl.<name>`` in the code (not the prose) of a spec file."""
    return {
        node.attr
        for node in ast.walk(ast.parse(_source(path)))
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "impl"
    } - HARNESS_METHODS


def _calls_by_exercise() -> dict[str, set[str]]:
    calls: dict[str, set[str]] = {}
    for path in EXERCISE_FILES:
        calls.setdefault(exercise_of(str(path)), set()).update(_impl_attributes(path))
    return calls


def test_exercise_files_exist():
    """The spec tree holds exercise files, each named test_exL_N_<slug>.py in spec/lectureLL."""
    assert EXERCISE_FILES, "no exercise files found under spec/lecture*/"
    for path in EXERCISE_FILES:
        exercise = exercise_of(str(path))
        lecture = int(exercise.split(".")[0])
        assert path.parent.name == f"lecture{lecture:02d}", f"{path} is not in its lecture folder"


def test_reference_exports_exactly_the_contract(pytestconfig, impl_module):
    """impl.__all__ equals the set of registered contract functions."""
    if pytestconfig._spec_impl_name != DEFAULT_IMPL:
        pytest.skip("the export check applies to the reference implementation only")
    exported = set(impl_module.__all__)
    registered = set(CONTRACT)
    assert exported == registered, (
        f"exported but not registered: {sorted(exported - registered)}; "
        f"registered but not exported: {sorted(registered - exported)}"
    )
    for name in registered:
        assert callable(getattr(impl_module, name)), f"impl.{name} is not callable"


def test_every_entry_is_used_by_the_exercises_it_names():
    """Each registry entry is called as impl.<name> in the file of every exercise it lists."""
    calls = _calls_by_exercise()
    for entry in CONTRACT.values():
        assert entry.exercises, f"{entry.name} names no exercise"
        for exercise in entry.exercises:
            assert exercise in calls, f"{entry.name} names exercise {exercise}, which has no file"
            assert entry.name in calls[exercise], (
                f"{entry.name} lists exercise {exercise}, whose spec file never calls it"
            )


def test_every_call_is_to_a_registered_function_listing_that_exercise():
    """Each impl.<name> in an exercise file is a contract function that lists the exercise."""
    for exercise, names in _calls_by_exercise().items():
        for name in names:
            assert name in CONTRACT, f"exercise {exercise} calls impl.{name}, not in the registry"
            assert exercise in CONTRACT[name].exercises, (
                f"exercise {exercise} calls impl.{name}, whose entry lists only "
                f"{CONTRACT[name].exercises}"
            )


def _rejection_properties() -> dict[str, set[str]]:
    """Contract functions each property hands to assert_rejects*, directly or in a table."""
    found: dict[str, set[str]] = {}
    for path in EXERCISE_FILES:
        for node in ast.parse(_source(path)).body:
            if not isinstance(node, ast.FunctionDef):
                continue
            calls = {
                call.func.id
                for call in ast.walk(node)
                if isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
            }
            if calls & {"assert_rejects", "assert_rejects_bad_arrays"}:
                names = {
                    a.attr
                    for a in ast.walk(node)
                    if isinstance(a, ast.Attribute)
                    and isinstance(a.value, ast.Name)
                    and a.value.id == "impl"
                }
                found[f"{path.stem}::{node.name}"] = names
    return found


def test_every_contract_function_has_a_bad_input_property():
    """Each contract function is handed to assert_rejects by some property of the spec."""
    checked = set().union(*_rejection_properties().values())
    missing = sorted(set(CONTRACT) - checked)
    assert not missing, f"no bad-input property for: {missing}"


@pytest.mark.parametrize("path", EXERCISE_FILES, ids=lambda p: p.stem)
def test_exercise_file_reads_as_a_document(path):
    """The docstring opens with 'Exercise L.N — title.'; every test has a one-line docstring."""
    tree = ast.parse(_source(path))
    doc = ast.get_docstring(tree) or ""
    exercise = exercise_of(str(path))
    assert doc.startswith(f"Exercise {exercise} — "), (
        f"{path.name}: the docstring must start with 'Exercise {exercise} — <title>.'"
    )
    tests = [
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    ]
    assert tests, f"{path.name} has no tests"
    for node in tests:
        docstring = ast.get_docstring(node)
        assert docstring and "\n" not in docstring.strip(), (
            f"{path.name}::{node.name} needs a one-line docstring stating its claim"
        )


def test_spec_never_imports_the_reference_implementation():
    """No spec file imports impl: the implementation is reached only through the fixture.
    (The gallery of cheats is not spec code: its files are submissions that try to.)"""
    for path in sorted(SPEC.rglob("*.py")):
        if path.parent.name == "cheats":
            continue
        for node in ast.walk(ast.parse(_source(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(n == "impl" or n.startswith("impl.") for n in names), (
                f"{path.relative_to(ROOT)} imports the reference implementation"
            )


def test_readme_lists_every_exercise_file():
    """README links every exercise file."""
    if not (ROOT / "README.md").exists():
        pytest.skip("README.md is not installed with the spec package (pip install .)")
    readme = _source(ROOT / "README.md")
    for path in EXERCISE_FILES:
        relative = path.relative_to(ROOT).as_posix()
        assert f"({relative})" in readme, f"README does not link {relative}"
