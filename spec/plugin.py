"""The pytest plugin that runs the spec against an implementation.

It adds four things to pytest:

* ``--impl NAME`` (or the environment variable ``SPEC_IMPL``): the implementation
  under test, a dotted module name (default ``impl``) or a path to a ``.py`` file;
* the ``impl`` fixture, the spec's only way to reach that implementation.  It
  checks every call against the contract registry: a missing function skips
  the test, ``NotImplementedError`` skips it, a wrong return type or a NaN
  fails it with a message naming the function, its inputs and what was due;
* ``--exercise 1.4`` and ``--lecture 1`` select exercises;
* a conformance table at the end of every run (``-n auto`` included), and
  ``--conformance-json PATH`` writing the same as JSON.

Hypothesis profiles ``dev`` (default), ``ci`` (loaded when ``CI=true``) and
``thorough`` are registered here; ``--hypothesis-profile`` picks one.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import json
import os
import re
import sys
import traceback
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

from spec.contract import CONTRACT, RETURN_KINDS, Entry

settings.register_profile(
    "dev",
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE")
    or ("ci" if os.environ.get("CI", "").lower() == "true" else "dev")
)

EXERCISE_FILE = re.compile(r"test_ex(\d+)_(\d+)_\w+\.py$")
DEFAULT_IMPL = "impl"


# --------------------------------------------------------------------------- options


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("spec", "executable specification")
    group.addoption(
        "--impl",
        default=None,
        help="implementation under test: a dotted module name or a path to a .py file "
        "(default: $SPEC_IMPL, else 'impl', the reference implementation)",
    )
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
        "--conformance-json",
        default=None,
        metavar="PATH",
        help="write the conformance table as JSON to PATH",
    )


def _impl_name(config: pytest.Config) -> str:
    return config.getoption("--impl") or os.environ.get("SPEC_IMPL") or DEFAULT_IMPL


def load_implementation(name: str) -> ModuleType:
    """Import the implementation under test from a dotted name or a .py path."""
    if name.endswith(".py") or os.sep in name or "/" in name:
        path = Path(name).resolve()
        if not path.is_file():
            raise FileNotFoundError(f"no such implementation file: {path}")
        module_name = f"_spec_impl_{path.stem}"
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {path} as a Python module")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
        return module
    return importlib.import_module(name)


def pytest_configure(config: pytest.Config) -> None:
    name = _impl_name(config)
    try:
        config._spec_impl_module = load_implementation(name)  # type: ignore[attr-defined]
    except Exception:
        raise pytest.UsageError(
            f"cannot import the implementation under test {name!r}:\n{traceback.format_exc()}"
        ) from None
    config._spec_impl_name = name  # type: ignore[attr-defined]
    config._spec_outcomes = {}  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- the fixture


def _short_repr(value: Any, limit: int = 300) -> str:
    if isinstance(value, np.ndarray):
        with np.printoptions(precision=17, threshold=40, edgeitems=4):
            text = f"array(shape={value.shape}, dtype={value.dtype}, {np.array2string(value)})"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe_call(name: str, args: tuple, kwargs: dict) -> str:
    """``name(arg, ..., key=value)`` with long arrays abbreviated."""
    parts = [_short_repr(a) for a in args] + [f"{k}={_short_repr(v)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


def _is_float_array(value: Any) -> bool:
    return isinstance(value, np.ndarray) and value.dtype == np.float64


def _kind_ok(kind: str, value: Any) -> bool:
    if kind == "scalar":
        return isinstance(value, float)
    if kind == "real":
        return isinstance(value, float) or _is_float_array(value)
    if kind == "array":
        return _is_float_array(value)
    if kind == "labels":
        return isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.integer)
    if kind == "sign":
        values = np.asarray(value)
        return np.issubdtype(values.dtype, np.integer) and bool(np.all(np.abs(values) == 1))
    if kind == "bool":
        return isinstance(value, bool | np.bool_)
    if kind == "int":
        return isinstance(value, int | np.integer) and not isinstance(value, bool)
    if kind == "tuple":
        return isinstance(value, tuple)
    if kind == "callable":
        return callable(value)
    if kind == "tensor":
        return type(value).__module__.startswith("torch") and hasattr(value, "requires_grad")
    raise AssertionError(f"unknown return kind {kind}")


def _contains_nan(value: Any) -> bool:
    if isinstance(value, tuple | list):
        return any(_contains_nan(v) for v in value)
    if isinstance(value, float | np.ndarray | np.floating):
        array = np.asarray(value)
        return np.issubdtype(array.dtype, np.floating) and bool(np.isnan(array).any())
    if hasattr(value, "isnan") and hasattr(value, "detach"):  # a torch tensor
        return bool(value.detach().isnan().any())
    return False


class ContractViolation(AssertionError):
    """An implementation returned something the contract does not allow."""


def checked(function: Any, entry: Entry, module_name: str) -> Any:
    """Wrap ``function`` so that its calls are checked against ``entry``."""

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            result = function(*args, **kwargs)
        except NotImplementedError:
            pytest.skip(f"{entry.name} not implemented")
        if not _kind_ok(entry.returns, result):
            raise ContractViolation(
                f"{module_name}.{describe_call(entry.name, args, kwargs)} returned "
                f"{type(result).__name__} {_short_repr(result)}; the contract "
                f"({entry.signature}) asks for {RETURN_KINDS[entry.returns]}"
            )
        if _contains_nan(result):
            raise ContractViolation(
                f"{module_name}.{describe_call(entry.name, args, kwargs)} returned NaN: "
                f"{_short_repr(result)}; a contract function raises ValueError instead"
            )
        return result

    return call


class ImplementationUnderTest:
    """The implementation as the spec sees it: contract functions only, all checked."""

    def __init__(self, module: ModuleType, name: str) -> None:
        self._module = module
        self._name = name

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        entry = CONTRACT.get(name)
        if entry is None:
            raise AttributeError(f"{name} is not a contract function (see spec/contract)")
        function = getattr(self._module, name, None)
        if function is None:
            pytest.skip(f"{self._name} does not provide {name}")
        if not callable(function):
            pytest.fail(
                f"{self._name}.{name} is a {type(function).__name__}, not a function: "
                f"the contract asks for {entry.signature}",
                pytrace=False,
            )
        return checked(function, entry, self._name)

    def provides(self, name: str) -> bool:
        """Whether the implementation defines contract function ``name``."""
        return callable(getattr(self._module, name, None))

    def __repr__(self) -> str:
        return f"<implementation under test {self._name}>"


@pytest.fixture(scope="session")
def impl(pytestconfig: pytest.Config) -> ImplementationUnderTest:
    """The implementation under test, reached only through the contract."""
    return ImplementationUnderTest(pytestconfig._spec_impl_module, pytestconfig._spec_impl_name)


@pytest.fixture(scope="session")
def impl_module(pytestconfig: pytest.Config) -> ModuleType:
    """The raw module under test, for the harness's own meta-tests."""
    return pytestconfig._spec_impl_module


# --------------------------------------------------------------------------- selection


def exercise_of(path: str) -> str | None:
    """``'1.4'`` for ``.../test_ex1_4_slug.py``, None for other files."""
    match = EXERCISE_FILE.search(path)
    return f"{int(match[1])}.{int(match[2])}" if match else None


def _title_of(module: Any) -> str:
    """The title line of an exercise file's docstring, without its 'Exercise L.N — ' prefix."""
    doc = (getattr(module, "__doc__", None) or "").strip()
    title = doc.splitlines()[0].strip() if doc else ""
    return re.sub(r"^Exercise \d+\.\d+ — ", "", title).rstrip(".")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    exercises = set(config.getoption("--exercise"))
    lectures = {str(int(x)) for x in config.getoption("--lecture")}
    selected, deselected = [], []
    for item in items:
        exercise = exercise_of(str(item.path))
        if exercise is not None:
            item.user_properties.append(("exercise", exercise))
            item.user_properties.append(("exercise_title", _title_of(item.module)))
        wanted = (not exercises and not lectures) or (
            exercise is not None and (exercise in exercises or exercise.split(".")[0] in lectures)
        )
        (selected if wanted else deselected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


# --------------------------------------------------------------------------- conformance


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Record each test's outcome (on the xdist controller, from the workers' reports)."""
    config = _CONFIG
    if config is None or hasattr(config, "workerinput"):
        return
    properties = dict(report.user_properties)
    if "exercise" not in properties:
        return
    record = config._spec_outcomes.setdefault(  # type: ignore[attr-defined]
        report.nodeid,
        {
            "exercise": properties["exercise"],
            "title": properties.get("exercise_title", ""),
            "outcome": None,
            "reason": "",
        },
    )
    if report.failed:
        record["outcome"] = "failed"
        crash = getattr(report.longrepr, "reprcrash", None)
        record["reason"] = (crash.message if crash else report.longreprtext).strip()[:500]
    elif report.skipped and record["outcome"] != "failed":
        record["outcome"] = "skipped"
        longrepr = report.longrepr
        record["reason"] = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        record["reason"] = record["reason"].removeprefix("Skipped: ")
    elif report.when == "call" and report.passed and record["outcome"] is None:
        record["outcome"] = "passed"


_CONFIG: pytest.Config | None = None


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    global _CONFIG
    _CONFIG = session.config


def conformance(config: pytest.Config) -> dict[str, Any]:
    """The per-exercise summary of this run."""
    exercises: dict[str, dict[str, Any]] = {}
    for nodeid, record in sorted(config._spec_outcomes.items()):  # type: ignore[attr-defined]
        row = exercises.setdefault(
            record["exercise"],
            {
                "exercise": record["exercise"],
                "title": record["title"],
                "passed": 0,
                "failed": 0,
                "skipped": 0,
                "skip_reasons": Counter(),
                "tests": {},
            },
        )
        outcome = record["outcome"] or "failed"
        row[outcome] += 1
        if outcome == "skipped":
            row["skip_reasons"][record["reason"]] += 1
        row["tests"][nodeid] = {"outcome": outcome, "reason": record["reason"]}
    rows = sorted(exercises.values(), key=lambda r: tuple(map(int, r["exercise"].split("."))))
    for row in rows:
        row["skip_reasons"] = dict(row["skip_reasons"])
    return {"implementation": config._spec_impl_name, "exercises": rows}  # type: ignore[attr-defined]


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return
    report = conformance(config)
    if not report["exercises"]:
        return
    write = terminalreporter.write_line
    terminalreporter.section(f"conformance of {report['implementation']}")
    write(f"{'exercise':<9}{'passed':>7}{'failed':>7}{'skipped':>8}  title")
    for row in report["exercises"]:
        write(
            f"{row['exercise']:<9}{row['passed']:>7}{row['failed']:>7}{row['skipped']:>8}"
            f"  {row['title'][:70]}"
        )
        for reason, count in row["skip_reasons"].items():
            write(f"{'':<31}skipped {count}: {reason[:80]}")
    path = config.getoption("--conformance-json")
    if path:
        Path(path).write_text(json.dumps(report, indent=2) + "\n")
        write(f"conformance written to {path}")
