"""Tiers and selection: which properties a run collects and runs.

Every exercise property carries exactly one tier marker (README, "Tiers"):

* ``claim``: the exercise's mathematics on its natural range;
* ``numerics``: accuracy and robustness at extreme inputs, floating-point warnings included;
* ``contract``: the interface, and the reference's choices among valid answers.

``--exercise``, ``--lecture`` and ``--tier`` (each repeatable) select; only the exercise
files that match are collected, so one exercise runs about as fast as the imports.  The
spec's own meta-tests run only in a plain run of the reference: a run that selects, or that
tests another implementation, reports on the exercises alone.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from spec.harness.loading import DEFAULT_IMPL, SPEC_DIR

#: The three tiers of exercise properties, in reading order.
TIERS = ("claim", "numerics", "contract")
#: What each tier checks (the markers' help).
TIER_MEANINGS = {
    "claim": "the exercise's mathematics on its natural range, with tolerances from a stated "
    "error model",
    "numerics": "accuracy and robustness at extreme inputs (floating-point warnings are errors)",
    "contract": "the interface (ValueError naming the argument, types, shapes, batching) and "
    "the reference's choices among valid answers",
}
#: One line that opens a failure report of each tier.
TIER_LINES = {
    "claim": "claim property: the exercise's mathematics fails on an input of its natural range",
    "numerics": "numerics property: your mathematics may be right; this checks accuracy and "
    "warnings at extreme inputs",
    "contract": "contract property: your mathematics may be right; this checks the interface "
    "(python -m spec.contract states it)",
}
EXERCISE_FILE = re.compile(r"test_ex(\d+)_(\d+)_\w+\.py$")
META_DIR = SPEC_DIR / "meta"


def exercise_of(path: str) -> str | None:
    """``'1.4'`` for ``.../test_ex1_4_slug.py``, None for other files."""
    match = EXERCISE_FILE.search(path)
    return f"{int(match[1])}.{int(match[2])}" if match else None


def tier_of(item: pytest.Item) -> str | None:
    """The tier marker of a test item (None when it has none, or more than one)."""
    marked = [tier for tier in TIERS if item.get_closest_marker(tier) is not None]
    return marked[0] if len(marked) == 1 else None


def register_markers(config: pytest.Config) -> None:
    """The tier markers, for runs that do not read this project's pyproject.toml."""
    for tier, meaning in TIER_MEANINGS.items():
        config.addinivalue_line("markers", f"{tier}: {meaning}")


def add_options(group: pytest.OptionGroup) -> None:
    group.addoption(
        "--exercise",
        action="append",
        default=[],
        metavar="L.N",
        help="run only this exercise (repeatable), e.g. --exercise 1.4",
    )
    group.addoption(
        "--lecture",
        action="append",
        default=[],
        metavar="L",
        help="run only the exercises of this lecture (repeatable), e.g. --lecture 1",
    )
    group.addoption(
        "--tier",
        action="append",
        default=[],
        choices=TIERS,
        help="run only the properties of this tier (repeatable): claim (the exercise's "
        "mathematics), numerics (extreme inputs), contract (the interface)",
    )


#: Contract properties check the interface, which a few inputs show: by default they run
#: this fraction of the profile's examples (a property's own @settings still win).
CONTRACT_EXAMPLE_SHARE = 4


def _budget(item: pytest.Item) -> None:
    """Give a contract property a quarter of the profile's examples, unless it chose."""
    from hypothesis import settings

    function = getattr(item, "obj", None)
    own = getattr(function, "_hypothesis_internal_use_settings", None)
    if own is not None and own.max_examples == settings().max_examples:
        share = max(5, own.max_examples // CONTRACT_EXAMPLE_SHARE)
        function._hypothesis_internal_use_settings = settings(own, max_examples=share)  # type: ignore[union-attr]


def _wanted_exercise(config: pytest.Config, exercise: str) -> bool:
    exercises = set(config.getoption("--exercise"))
    lectures = {str(int(x)) for x in config.getoption("--lecture")}
    if not exercises and not lectures:
        return True
    return exercise in exercises or exercise.split(".")[0] in lectures


def selects(config: pytest.Config) -> bool:
    """Whether the run selects exercises or tiers, or tests another implementation (or the
    reference in a process of its own)."""
    return bool(
        config.getoption("--exercise")
        or config.getoption("--lecture")
        or config.getoption("--tier")
        or config.getoption("--isolate", False)
        or config._spec_impl_name != DEFAULT_IMPL  # type: ignore[attr-defined]
    )


def ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Skip collecting files (and lecture folders) that the selection leaves out."""
    path = collection_path.resolve()
    if path == META_DIR or META_DIR in path.parents:
        return True if selects(config) else None
    lecture = re.fullmatch(r"lecture(\d+)", path.name)
    if lecture and path.parent == SPEC_DIR and path.is_dir():
        lectures = {str(int(x)) for x in config.getoption("--lecture")}
        wanted = lectures | {e.split(".")[0] for e in config.getoption("--exercise")}
        return True if wanted and str(int(lecture[1])) not in wanted else None
    exercise = exercise_of(path.name)
    if exercise is not None and not _wanted_exercise(config, exercise):
        return True
    return None


def modify_items(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Record each property's exercise, tier and claim; apply the selection."""
    tiers = set(config.getoption("--tier"))
    selected: list[pytest.Item] = []
    deselected: list[pytest.Item] = []
    for item in items:
        exercise = exercise_of(str(item.path))
        tier = tier_of(item)
        if exercise is not None:
            item.user_properties.append(("exercise", exercise))
            item.user_properties.append(("exercise_title", _title_of(item)))
            item.user_properties.append(("claim", _claim_of(item)))
            item.user_properties.append(("tier", tier or "untiered"))
        # Floating-point warnings are the numerics tier's business: a claim or a contract
        # property judges the value returned, and a correct inf with a warning is correct.
        # Set here, not only in pyproject.toml, so that an installed spec behaves the same.
        if tier is not None:
            policy = "error" if tier == "numerics" else "ignore"
            item.add_marker(pytest.mark.filterwarnings(f"{policy}::RuntimeWarning"))
        if tier == "contract":
            _budget(item)
        wanted = exercise is None or _wanted_exercise(config, exercise)
        if tiers:
            wanted = wanted and exercise is not None and tier in tiers
        (selected if wanted else deselected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


def _title_of(item: pytest.Item) -> str:
    """The title line of an exercise file's docstring, without its 'Exercise L.N — ' prefix."""
    doc = (getattr(getattr(item, "module", None), "__doc__", None) or "").strip()
    title = doc.splitlines()[0].strip() if doc else ""
    return re.sub(r"^Exercise \d+\.\d+ — ", "", title).rstrip(".")


def _claim_of(item: pytest.Item) -> str:
    """The one-line docstring of a property: the claim it checks."""
    doc = getattr(getattr(item, "function", None), "__doc__", None) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""
