"""The gallery of common mistakes (``spec/mistakes``) is caught where it says.

Each mistake module replaces one contract function of the reference
implementation; the property its ``CAUGHT_BY`` names must then fail with an
assertion, not skip and not crash.  The property runs in-process under a
derandomized profile, so the check is fast and deterministic.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType

import pytest
from hypothesis import Phase, settings

import spec.mistakes
from spec.contract import CONTRACT
from spec.plugin import DEFAULT_IMPL, SPEC_DIR, ImplementationUnderTest, exercise_of

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


def _assertions_only(error: BaseException) -> bool:
    if isinstance(error, BaseExceptionGroup):
        return all(_assertions_only(e) for e in error.exceptions)
    return isinstance(error, AssertionError)


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
    wrong = ImplementationUnderTest(_overlay(impl_module, mistake), f"spec.mistakes.{name}")
    # A property's settings are fixed when @given decorates it; swap in the gallery's for
    # this one call (and put them back), since loading a profile now would not reach it.
    previous = prop._hypothesis_internal_use_settings
    prop._hypothesis_internal_use_settings = settings.get_profile("gallery")
    try:
        prop(impl=wrong)
    except Exception as error:  # noqa: BLE001 - the kind of failure is what we check
        assert _assertions_only(error), f"{name}: {prop.__name__} crashed instead: {error!r}"
    else:
        pytest.fail(f"{name}: {mistake.CAUGHT_BY} (exercise {mistake.EXERCISE}) did not fail")
    finally:
        prop._hypothesis_internal_use_settings = previous
