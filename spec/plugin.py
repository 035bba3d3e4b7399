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

import contextlib
import functools
import importlib
import importlib.util
import json
import os
import re
import signal
import sys
import threading
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, settings

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
settings.register_profile(
    "mutation",  # tox -e mutation: reproducible kills; a killed mutant needs no shrinking
    max_examples=40,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "smoke",  # the harness's own tests: a few examples, no shrinking
    max_examples=5,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE")
    or ("ci" if os.environ.get("CI", "").lower() == "true" else "dev")
)

EXERCISE_FILE = re.compile(r"test_ex(\d+)_(\d+)_\w+\.py$")
DEFAULT_IMPL = "impl"
#: Seconds one call of a contract function may take (the reference needs well under one).
DEFAULT_CALL_TIMEOUT = 60.0


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
        "--call-timeout",
        type=float,
        default=DEFAULT_CALL_TIMEOUT,
        metavar="SECONDS",
        help="fail a test when one call of a contract function takes longer than this "
        f"(default {DEFAULT_CALL_TIMEOUT:g}; 0 disables)",
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


SPEC_DIR = Path(__file__).resolve().parent


def _check_rootdir_not_moved_by_impl(config: pytest.Config) -> None:
    """Stop a run in which ``--impl PATH`` (two words) may have moved the root directory.

    pytest picks its root directory and configuration file before any plugin's options
    are known, so the path in ``--impl PATH`` counts as a test path: for a file outside
    the current directory, pytest roots the run at a common ancestor, possibly without
    this project's settings, and collects there.  ``--impl=PATH`` (one word) and
    ``SPEC_IMPL`` are safe.
    """
    args = [str(a) for a in config.invocation_params.args]
    here = config.invocation_params.dir.resolve()
    for flag, value in zip(args, args[1:], strict=False):
        if flag == "--impl" and value.endswith(".py"):
            if not (here / value).resolve().is_relative_to(here):
                raise pytest.UsageError(
                    f"'--impl {value}' names a file outside the current directory, which "
                    f"pytest reads as a test path before it knows --impl: it chose "
                    f"{config.rootpath} as its root directory; write --impl={value} or "
                    f"SPEC_IMPL={value} instead"
                )


def _targets_the_spec(config: pytest.Config) -> bool:
    """Whether this run is a run of the spec (and not some other project's tests).

    Installed as a pytest plugin, this module is loaded by every pytest run on the
    machine; it only imports an implementation when the run asks for the spec:
    ``--impl`` or ``SPEC_IMPL`` is given, or a test path lies in the spec package
    (``pytest --pyargs spec`` included).
    """
    if config.getoption("--impl") or os.environ.get("SPEC_IMPL"):
        return True
    for arg in config.args or [str(config.rootpath)]:
        target = arg.split("::")[0]
        if config.getoption("pyargs", False) and target.split(".")[0] == "spec":
            return True
        path = Path(target) if Path(target).is_absolute() else config.invocation_params.dir / target
        path = path.resolve()
        if path == SPEC_DIR or SPEC_DIR in path.parents or path in SPEC_DIR.parents:
            return True
    return False


def pytest_configure(config: pytest.Config) -> None:
    config._spec_outcomes = {}  # type: ignore[attr-defined]
    config._spec_impl_name = _impl_name(config)  # type: ignore[attr-defined]
    config._spec_impl_module = None  # type: ignore[attr-defined]
    if not _targets_the_spec(config):
        return
    _check_rootdir_not_moved_by_impl(config)
    _choose_seed(config)
    # The spec's arrays are tiny: thread pools only add overhead, and under -n auto they
    # oversubscribe the cores (torch autograd on small tensors slows down ~100x).
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_SeedToWorkers(), "spec-seed-to-workers")
    _load(config)


def _load(config: pytest.Config) -> ModuleType:
    if config._spec_impl_module is None:  # type: ignore[attr-defined]
        name = config._spec_impl_name  # type: ignore[attr-defined]
        try:
            config._spec_impl_module = load_implementation(name)  # type: ignore[attr-defined]
        except Exception:
            raise pytest.UsageError(
                f"cannot import the implementation under test {name!r}:\n{traceback.format_exc()}"
            ) from None
    return config._spec_impl_module  # type: ignore[attr-defined]


def _choose_seed(config: pytest.Config) -> None:
    """Fix one Hypothesis seed for the run (unless given), so that every report can name it."""
    from hypothesis import core

    worker_seed = getattr(config, "workerinput", {}).get("spec_hypothesis_seed")
    given = config.getoption("hypothesis_seed", None)
    if given is not None:
        seed = int(given)
    elif worker_seed is not None:
        seed = int(worker_seed)
    else:
        seed = int.from_bytes(os.urandom(8), "little")
    core.global_force_seed = seed  # type: ignore[assignment]
    config._spec_seed = seed  # type: ignore[attr-defined]


class _SeedToWorkers:
    """Hands the controller's Hypothesis seed to every xdist worker."""

    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput["spec_hypothesis_seed"] = node.config._spec_seed


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
    if kind == "real":  # a 0-d array is neither: scalars come back as floats
        return isinstance(value, float) or (_is_float_array(value) and value.ndim > 0)
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


class CallTimeout(BaseException):
    """A contract function did not return in time.

    A BaseException, so that Hypothesis does not catch it and re-run (and shrink)
    the hanging call: the test fails once, with the call in the message.
    """


@contextlib.contextmanager
def _deadline(describe: Any) -> Iterator[None]:
    """Raise CallTimeout if the body runs longer than --call-timeout (main thread, POSIX)."""
    seconds = _CONFIG.getoption("--call-timeout") if _CONFIG is not None else 0.0
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return
    started = time.monotonic()

    def expire(signum: int, frame: Any) -> None:
        raise CallTimeout(f"{describe()} did not return within {seconds:g} s (--call-timeout)")

    previous_handler = signal.signal(signal.SIGALRM, expire)
    previous_delay, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_delay:  # an enclosing deadline keeps what is left of its time
            remaining = previous_delay - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(remaining, 1e-3))


class ContractViolation(AssertionError):
    """An implementation returned something the contract does not allow."""


#: The three tiers of exercise properties, in reading order (README, "Tiers").
TIERS = ("claim", "numerics", "contract")
#: The tier of the property running in this process (None outside exercise properties).
_CURRENT_TIER: str | None = None


def tier_of(item: pytest.Item) -> str | None:
    """The tier marker of a test item (None when it has none)."""
    marked = [tier for tier in TIERS if item.get_closest_marker(tier) is not None]
    return marked[0] if len(marked) == 1 else None


def _as_kind(kind: str, value: Any) -> Any:
    """``value`` in the contract's plain form for ``kind``, or raise TypeError/ValueError.

    Outside the contract tier a return is judged by its value, not its Python type: a 0-d
    array or an int where a float is due, float labels that are whole numbers, are taken
    as what they denote (the contract tier checks the types themselves).
    """
    if kind in ("scalar", "real"):
        array = np.asarray(value)
        if array.dtype == bool or not np.issubdtype(array.dtype, np.number):
            raise TypeError(f"not a real number: {type(value).__name__}")
        array = np.array(array, dtype=np.float64)
        if array.ndim == 0:
            return float(array)
        if kind == "scalar":
            raise ValueError(f"an array of shape {array.shape} where one number is due")
        return array
    if kind == "array":
        array = np.asarray(value)
        if array.dtype == bool or not np.issubdtype(array.dtype, np.number):
            raise TypeError(f"not a real array: {type(value).__name__}")
        return np.array(array, dtype=np.float64)
    if kind in ("labels", "sign"):
        array = np.asarray(value)
        if not np.issubdtype(array.dtype, np.number) or not np.all(array == np.round(array)):
            raise TypeError("not whole numbers")
        return np.array(array, dtype=np.int64)
    if kind == "int":
        if isinstance(value, bool) or int(value) != value:
            raise TypeError("not a whole number")
        return int(value)
    if kind == "bool":
        return bool(value)
    return value


def checked(function: Any, entry: Entry, module_name: str) -> Any:
    """Wrap ``function`` so that its calls are checked against ``entry``."""

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            with _deadline(lambda: f"{module_name}.{describe_call(entry.name, args, kwargs)}"):
                result = function(*args, **kwargs)
        except NotImplementedError:
            pytest.skip(f"{entry.name} not implemented")
        if _CURRENT_TIER in ("claim", "numerics") and not _kind_ok(entry.returns, result):
            try:
                result = _as_kind(entry.returns, result)
            except (TypeError, ValueError, OverflowError):
                pass  # not even the value fits: reported below
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
    name = pytestconfig._spec_impl_name  # type: ignore[attr-defined]
    return ImplementationUnderTest(_load(pytestconfig), name)


@pytest.fixture(scope="session")
def impl_module(pytestconfig: pytest.Config) -> ModuleType:
    """The raw module under test, for the harness's own meta-tests."""
    return _load(pytestconfig)


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


def _claim_of(item: pytest.Item) -> str:
    """The one-line docstring of a property: the claim it checks."""
    doc = getattr(getattr(item, "function", None), "__doc__", None) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    """Remember the running property's tier, for the ``impl`` proxy."""
    global _CURRENT_TIER
    _CURRENT_TIER = tier_of(item)
    try:
        return (yield)
    finally:
        _CURRENT_TIER = None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        # Floating-point warnings are the numerics tier's business: a claim or a contract
        # property judges the value returned, and a correct inf with a warning is correct.
        if tier_of(item) in ("claim", "contract"):
            item.add_marker(pytest.mark.filterwarnings("ignore::RuntimeWarning"))
    exercises = set(config.getoption("--exercise"))
    lectures = {str(int(x)) for x in config.getoption("--lecture")}
    selected: list[pytest.Item] = []
    deselected: list[pytest.Item] = []
    for item in items:
        exercise = exercise_of(str(item.path))
        if exercise is not None:
            item.user_properties.append(("exercise", exercise))
            title = _title_of(getattr(item, "module", None))
            item.user_properties.append(("exercise_title", title))
            item.user_properties.append(("claim", _claim_of(item)))
        wanted = (not exercises and not lectures) or (
            exercise is not None and (exercise in exercises or exercise.split(".")[0] in lectures)
        )
        (selected if wanted else deselected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


# --------------------------------------------------------------------------- conformance

_CONFIG: pytest.Config | None = None


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    global _CONFIG
    _CONFIG = session.config


def _falsifying_example(text: str) -> str:
    """The 'Falsifying example: f(...)' block(s) Hypothesis printed, if any (Hypothesis
    6.170 and later say 'Failing test case:')."""
    lines = [re.sub(r"^E?\s?", "", line, count=1) for line in text.splitlines()]
    blocks, block, indent = [], [], None
    for line in lines:
        stripped = line.lstrip()
        if stripped.startswith(("Falsifying example:", "Failing test case:")):
            block, indent = [stripped], len(line) - len(stripped)
            if stripped.endswith(")"):
                blocks.append(block[0])
                indent = None
        elif indent is not None:
            depth = len(line) - len(stripped)
            block.append(line[indent:])
            if depth <= indent:  # the closing parenthesis of the call
                blocks.append("\n".join(block))
                indent = None
    return "\n".join(blocks)


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
            "property": properties.get("claim", ""),
            "outcome": None,
            "reason": "",
            "falsifying_example": "",
            "duration": 0.0,
        },
    )
    record["duration"] += report.duration
    if report.failed:
        record["outcome"] = "failed"
        crash = getattr(report.longrepr, "reprcrash", None)
        record["reason"] = (crash.message if crash else report.longreprtext).strip()[:2000]
        record["falsifying_example"] = _falsifying_example(report.longreprtext)
    elif report.skipped and record["outcome"] != "failed":
        record["outcome"] = "skipped"
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        record["reason"] = reason.removeprefix("Skipped: ")
    elif report.when == "call" and report.passed and record["outcome"] is None:
        record["outcome"] = "passed"


def _versions() -> dict[str, str]:
    from importlib import metadata

    versions = {"python": sys.version.split()[0]}
    for package in ("numpy", "scipy", "torch", "hypothesis", "pytest"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def conformance(config: pytest.Config) -> dict[str, Any]:
    """The per-exercise, per-property summary of this run."""
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
                "properties": [],
            },
        )
        outcome = record["outcome"] or "failed"
        row[outcome] += 1
        if outcome == "skipped":
            row["skip_reasons"][record["reason"]] += 1
        row["properties"].append(
            {
                "test": nodeid,
                "claim": record["property"],
                "outcome": outcome,
                "reason": record["reason"],
                "falsifying_example": record["falsifying_example"],
                "duration_s": round(record["duration"], 3),
            }
        )
    rows = sorted(exercises.values(), key=lambda r: tuple(map(int, r["exercise"].split("."))))
    for row in rows:
        row["skip_reasons"] = dict(row["skip_reasons"])
    module = config._spec_impl_module  # type: ignore[attr-defined]
    profile = settings()  # the active profile
    return {
        "implementation": {
            "name": config._spec_impl_name,  # type: ignore[attr-defined]
            "module": getattr(module, "__name__", None),
            "file": getattr(module, "__file__", None),
        },
        "hypothesis": {
            "profile": settings._current_profile,
            "seed": None if profile.derandomize else getattr(config, "_spec_seed", None),
            "derandomize": profile.derandomize,
            "max_examples": profile.max_examples,
        },
        "versions": _versions(),
        "totals": {k: sum(r[k] for r in rows) for k in ("passed", "failed", "skipped")},
        "exercises": rows,
    }


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return
    report = conformance(config)
    if not report["exercises"]:
        return
    write = terminalreporter.write_line
    terminalreporter.section(f"conformance of {report['implementation']['name']}")
    write(f"{'exercise':<9}{'passed':>7}{'failed':>7}{'skipped':>8}  title")
    for row in report["exercises"]:
        write(
            f"{row['exercise']:<9}{row['passed']:>7}{row['failed']:>7}{row['skipped']:>8}"
            f"  {row['title'][:70]}"
        )
        for reason, count in row["skip_reasons"].items():
            write(f"{'':<31}skipped {count}: {reason[:80]}")
    seed = report["hypothesis"]["seed"]
    if seed is not None:
        write(f"hypothesis seed {seed} (replay with --hypothesis-seed={seed})")
    path = config.getoption("--conformance-json")
    if path:
        Path(path).write_text(json.dumps(report, indent=2) + "\n")
        write(f"conformance written to {path}")
