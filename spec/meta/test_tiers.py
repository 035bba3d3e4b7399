"""Meta-tests of the tiers and of the conventions the contract tier checks.

Read from the exercise files with ``ast`` (nothing is imported): every property carries
exactly one tier and sits under its tier's banner, in the order claim, numerics, contract;
every exercise has claims and states its natural range; every bad-input check says why the
input is bad, and every argument a ``ValueError`` must name is stated in the conventions of
its function (``python -m spec.contract``), never only inside a test.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from spec.contract import CONTRACT
from spec.harness.selection import TIERS

SPEC = Path(__file__).resolve().parents[1]
EXERCISE_FILES = sorted(SPEC.glob("lecture*/test_ex*_*.py"))
SPEC_MODULES = sorted(SPEC.glob("lecture*/*.py"))
BANNERS = {
    "claim": "# --- claim tier: the exercise's mathematics on its natural range ---",
    "numerics": "# --- numerics tier: accuracy and robustness at extreme inputs ---",
    "contract": "# --- contract tier: the interface and the reference's choices among valid "
    "answers ---",
}


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _tiers(node: ast.FunctionDef) -> list[str]:
    """The tier markers among a function's decorators (``@pytest.mark.claim`` ...)."""
    found = []
    for decorator in node.decorator_list:
        text = ast.unparse(decorator)
        found += [tier for tier in TIERS if text == f"pytest.mark.{tier}"]
    return found


def _properties(path: Path) -> list[ast.FunctionDef]:
    return [
        node
        for node in _tree(path).body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    ]


@pytest.mark.parametrize("path", EXERCISE_FILES, ids=lambda p: p.stem)
def test_every_property_has_exactly_one_tier_and_the_file_reads_claims_first(path):
    """Each property has one tier marker; claims, then numerics, then contract, under banners."""
    lines = path.read_text(encoding="utf-8").splitlines()
    order = []
    for node in _properties(path):
        tiers = _tiers(node)
        assert len(tiers) == 1, f"{path.name}::{node.name} has tier markers {tiers}"
        order.append((node.lineno, tiers[0], node.name))
    assert any(tier == "claim" for _, tier, _ in order), f"{path.name} has no claim property"
    ranks = [TIERS.index(tier) for _, tier, _ in order]
    assert ranks == sorted(ranks), (
        f"{path.name}: properties not in the order claim, numerics, contract"
    )
    for tier in {tier for _, tier, _ in order}:
        assert lines.count(BANNERS[tier]) == 1, f"{path.name}: one banner {BANNERS[tier]!r}"
        banner = lines.index(BANNERS[tier]) + 1
        first = min(line for line, t, _ in order if t == tier)
        before = [line for line, t, _ in order if TIERS.index(t) < TIERS.index(tier)]
        assert max(before, default=0) < banner < first, (
            f"{path.name}: the {tier} banner must stand between the {tier} properties and "
            "those of the tiers before it"
        )


@pytest.mark.parametrize("path", EXERCISE_FILES, ids=lambda p: p.stem)
def test_every_exercise_states_its_natural_range(path):
    """The docstring has a 'Natural range' section: the inputs its claims are checked on."""
    doc = ast.get_docstring(_tree(path)) or ""
    body = re.search(r"^Natural range\n((?:[ \t]+\S.*\n?|\n)+)", doc, re.MULTILINE)
    assert body and body[1].strip(), f"{path.name} needs a 'Natural range' section"


def _rejections(path: Path) -> list[tuple[ast.Call, str | None, list[str]]]:
    """(call, contract function, arguments named) of each assert_rejects* call in a file."""
    found = []
    for node in ast.walk(_tree(path)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        if node.func.id not in ("assert_rejects", "assert_rejects_bad_arrays"):
            continue
        target = node.args[0] if node.args else None
        function = (
            target.attr
            if isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id == "impl"
            else None
        )
        keywords = {k.arg: k.value for k in node.keywords}
        named: list[str] = []
        for key in ("argument", "names"):
            value = keywords.get(key)
            if value is not None:
                for constant in ast.walk(value):
                    if isinstance(constant, ast.Constant) and isinstance(constant.value, str):
                        named.append(constant.value)
        found.append((node, function, named))
    return found


@pytest.mark.parametrize("path", SPEC_MODULES, ids=lambda p: p.stem)
def test_every_bad_input_check_says_what_is_wrong(path):
    """Each assert_rejects call passes because=..., the reason its message gives the student."""
    for node, _, _ in _rejections(path):
        if node.func.id == "assert_rejects" and not any(
            k.arg in ("because", None) for k in node.keywords
        ):  # type: ignore[attr-defined]
            pytest.fail(f"{path.name}:{node.lineno}: assert_rejects without because=")


def test_every_argument_a_valueerror_must_name_is_in_the_conventions():
    """For impl.f rejected by name x in a property, f's conventions mention x."""
    missing = set()
    for path in SPEC_MODULES:
        for _, function, named in _rejections(path):
            if function is None or function not in CONTRACT:
                continue
            stated = " ".join(CONTRACT[function].conventions)
            missing |= {
                f"{function}: {argument}"
                for argument in named
                if not re.search(rf"\b{re.escape(argument)}\b", stated)
            }
    assert not missing, f"ValueErrors checked but not stated in the conventions: {sorted(missing)}"


def test_every_contract_function_states_its_conventions():
    """Each registry entry lists its own conventions (what it rejects, its shapes)."""
    bare = [name for name, entry in CONTRACT.items() if not entry.conventions]
    assert not bare, f"entries without conventions: {bare}"
