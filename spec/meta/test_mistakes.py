"""The gallery of common mistakes (``spec/mistakes``) is caught where it says.

Each mistake module replaces one contract function of the reference
implementation; the property its ``CAUGHT_BY`` names must then fail with an
assertion, not skip and not crash.  The module's ``TIER`` says which tier
catches it, and must be that property's tier: a mistake in the mathematics is
caught by a claim property, a purely numerical one (a naive softmax) by a
numerics property, a valid but loose answer by a contract property.  The
property runs in-process under a derandomized profile and under its tier's
conditions (warnings ignored outside numerics, returns judged by value outside
contract), so the check is fast, deterministic and faithful to a real run.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import warnings
from types import ModuleType

import pytest
from hypothesis import Phase, settings

import spec.mistakes
from spec.contract import CONTRACT
from spec.harness import proxy
from spec.plugin import DEFAULT_IMPL, SPEC_DIR, TIERS, ImplementationUnderTest, exercise_of

MISTAKES = sorted(m.name for m in pkgutil.iter_modules(spec.mistakes.__path__))
# No shrinking and one bug per property: the gallery needs the failure, not its smallest form.
settings.register_profile(
    "gallery",
    parent=settings.get_profile("ci"),
    max_examples=40,
    phases=[Phase.explicit, Phase.generate],
    report_multiple_bugs=False,
)


def _exercise_module(exercise: str) -> ModuleType:
    lecture, number = exercise.split(".")
    (path,) = SPEC_DIR.glob(f"lecture{int(lecture):02d}/test_ex{lecture}_{number}_*.py")
    assert exercise_of(str(path)) == exercise
    return importlib.import_module(f"spec.{path.parent.name}.{path.stem}")


def _overlay(reference: ModuleType, mistake: ModuleType) -> ModuleType:
    """The reference implementation with the mistaken functions swapped in."""
    wrong = {name for name in CONTRACT if callable(getattr(mistake, name, None))}
    assert wrong, f"{mistake.__name__} defines no contract function"
    module = ModuleType(f"reference_with_{mistake.__name__.rsplit('.', 1)[-1]}")
    for name in CONTRACT:
        source = mistake if name in wrong else reference
        setattr(module, name, getattr(source, name))
    return module


def _tier(prop) -> str:
    """The tier marker of a property function."""
    (tier,) = [m.name for m in getattr(prop, "pytestmark", []) if m.name in TIERS]
    return tier


def _assertions_only(error: BaseException) -> bool:
    if isinstance(error, BaseExceptionGroup):
        return all(_assertions_only(e) for e in error.exceptions)
    return isinstance(error, AssertionError)


def test_every_mathematical_mistake_is_caught_by_a_claim():
    """The gallery's tiers: claims catch mistakes in the mathematics; the rest say why not."""
    tiers = {name: importlib.import_module(f"spec.mistakes.{name}").TIER for name in MISTAKES}
    assert "claim" in tiers.values(), "no mistake of the gallery is caught by a claim"
    for name, tier in tiers.items():
        why = getattr(importlib.import_module(f"spec.mistakes.{name}"), "NOT_A_CLAIM_BECAUSE", "")
        assert (tier == "claim") == (not why), (
            f"{name} is caught by a {tier} property: NOT_A_CLAIM_BECAUSE must say why the "
            "mistake is not in the mathematics (a valid answer, or numerics), and only then"
        )


def test_gallery_covers_every_lecture_with_a_spec():
    """Every lecture that has exercise files has at least one mistake in the gallery."""
    lectures_with_specs = {p.parent.name for p in SPEC_DIR.glob("lecture*/test_ex*_*.py")}
    covered = set()
    for name in MISTAKES:
        mistake = importlib.import_module(f"spec.mistakes.{name}")
        covered.add(f"lecture{int(mistake.EXERCISE.split('.')[0]):02d}")
    assert lectures_with_specs <= covered, f"no mistake for {sorted(lectures_with_specs - covered)}"


@pytest.mark.parametrize("name", MISTAKES)
def test_mistake_is_caught_by_the_named_property(name, pytestconfig, impl_module):
    """The wrong function makes the property named in its module fail with an assertion."""
    if pytestconfig._spec_impl_name != DEFAULT_IMPL:
        pytest.skip("the gallery is overlaid on the reference implementation")
    mistake = importlib.import_module(f"spec.mistakes.{name}")
    assert mistake.__doc__ and mistake.__doc__.strip(), f"{name} must document the mistake"
    prop = getattr(_exercise_module(mistake.EXERCISE), mistake.CAUGHT_BY)
    assert set(inspect.signature(prop).parameters) == {"impl"}, "properties take only impl"
    assert mistake.TIER in TIERS, f"{name}: TIER must be one of {TIERS}"
    assert _tier(prop) == mistake.TIER, (
        f"{name}: {mistake.CAUGHT_BY} is a {_tier(prop)} property, the module says {mistake.TIER}"
    )
    wrong = ImplementationUnderTest(_overlay(impl_module, mistake), f"spec.mistakes.{name}")
    # A property's settings are fixed when @given decorates it; swap in the gallery's for
    # this one call (and put them back), since loading a profile now would not reach it.
    previous = prop._hypothesis_internal_use_settings
    prop._hypothesis_internal_use_settings = settings.get_profile("gallery")
    proxy.current_tier = mistake.TIER
    try:
        with warnings.catch_warnings():
            if mistake.TIER != "numerics":
                warnings.simplefilter("ignore", RuntimeWarning)
            prop(impl=wrong)
    except Exception as error:  # noqa: BLE001 - the kind of failure is what we check
        assert _assertions_only(error), f"{name}: {prop.__name__} crashed instead: {error!r}"
    else:
        pytest.fail(f"{name}: {mistake.CAUGHT_BY} (exercise {mistake.EXERCISE}) did not fail")
    finally:
        prop._hypothesis_internal_use_settings = previous
        proxy.current_tier = None
