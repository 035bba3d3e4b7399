"""The pytest plugin that runs the spec against an implementation (the thin entry point).

It adds to pytest:

* ``--impl NAME`` (or ``SPEC_IMPL``): the implementation under test, a dotted module name
  (default ``impl``) or a path to a ``.py`` file;
* the ``impl`` fixture, the spec's only way to reach that implementation; it checks
  every call against the contract registry (``spec.harness.proxy``);
* ``--exercise 1.4``, ``--lecture 1`` and ``--tier claim`` to select;
* a conformance table per exercise and tier at the end of every run (``-n auto``
  included), and ``--conformance-json PATH`` writing the same as JSON;
* ``--call-timeout`` for one call of a contract function;
* ``--isolate``: the implementation runs in a process of its own (``spec.harness.isolation``).

The work is done in ``spec.harness``, one job per module; this module wires it to pytest's
hooks.  The Hypothesis profiles are registered on import (``spec.harness.profiles``).
"""

from __future__ import annotations

import gc
import os
import sys
from types import ModuleType
from typing import Any

import pytest

from spec.harness import loading, profiles, proxy, selection
from spec.harness import report as reporting
from spec.harness.loading import DEFAULT_IMPL, SPEC_DIR, load_implementation
from spec.harness.proxy import (
    CallTimeout,
    ContractViolation,
    ImplementationUnderTest,
    describe_call,
    short_repr,
)
from spec.harness.selection import TIERS, exercise_of, tier_of

__all__ = [
    "DEFAULT_IMPL",
    "SPEC_DIR",
    "TIERS",
    "CallTimeout",
    "ContractViolation",
    "ImplementationUnderTest",
    "describe_call",
    "exercise_of",
    "load_implementation",
    "short_repr",
    "tier_of",
]

#: Seconds one call of a contract function may take (the reference needs well under one).
DEFAULT_CALL_TIMEOUT = 60.0


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("spec", "executable specification")
    group.addoption(
        "--impl",
        default=None,
        help="implementation under test: a dotted module name or a path to a .py file "
        "(default: $SPEC_IMPL, else 'impl', the reference implementation)",
    )
    selection.add_options(group)
    group.addoption(
        "--call-timeout",
        type=float,
        default=DEFAULT_CALL_TIMEOUT,
        metavar="SECONDS",
        help="fail a test when one call of a contract function takes longer than this "
        f"(default {DEFAULT_CALL_TIMEOUT:g}; 0 disables)",
    )
    group.addoption(
        "--isolate",
        action="store_true",
        help="run the implementation in a process of its own (limits on memory, CPU and "
        "output; a crash fails the call, not the run)",
    )
    group.addoption(
        "--conformance-json",
        default=None,
        metavar="PATH",
        help="write the conformance table as JSON to PATH",
    )


def pytest_configure(config: pytest.Config) -> None:
    selection.register_markers(config)
    config._spec_outcomes = {}  # type: ignore[attr-defined]
    config._spec_impl_name = loading.impl_name(config)  # type: ignore[attr-defined]
    config._spec_impl_module = None  # type: ignore[attr-defined]
    config._spec_active = loading.targets_the_spec(config)  # type: ignore[attr-defined]
    if not config._spec_active:  # type: ignore[attr-defined]
        return
    loading.check_rootdir_not_moved_by_impl(config)
    profiles.choose_seed(config)
    # The spec's arrays are tiny: thread pools only add overhead, and under -n auto they
    # oversubscribe the cores (torch autograd on small tensors slows down ~100x).
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(profiles.SeedToWorkers(), "spec-seed-to-workers")
    loading.load(config)
    gc.freeze()  # the libraries imported so far, likewise (see pytest_collection_finish)


@pytest.fixture(scope="session")
def impl(pytestconfig: pytest.Config) -> ImplementationUnderTest:
    """The implementation under test, reached only through the contract."""
    name = pytestconfig._spec_impl_name  # type: ignore[attr-defined]
    return ImplementationUnderTest(loading.load(pytestconfig), name)


@pytest.fixture(scope="session")
def impl_module(pytestconfig: pytest.Config) -> ModuleType:
    """The raw module under test, for the harness's own meta-tests."""
    return loading.load(pytestconfig)


def pytest_ignore_collect(collection_path: Any, config: pytest.Config) -> bool | None:
    if not getattr(config, "_spec_active", False):
        return None
    return selection.ignore_collect(collection_path, config)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    selection.modify_items(config, items)


def pytest_collection_finish(session: pytest.Session) -> None:
    if getattr(session.config, "_spec_active", False):
        # Exempt what collection imported (NumPy, SciPy, torch, the spec's strategies) from
        # garbage collection: every full collection during the run, and pytest's five at its
        # end, then scans only what the tests made (the suite runs about a quarter faster).
        gc.freeze()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    """Tell the proxy which tier is running."""
    proxy.current_tier = tier_of(item)
    try:
        return (yield)
    finally:
        proxy.current_tier = None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    """Open every failure of an exercise property with the line naming its tier."""
    try:
        return (yield)
    except BaseException as error:
        tier = tier_of(item)
        if tier is None:
            raise
        raise reporting.with_tier_line(error, tier)  # noqa: B904 - the same failure, relabelled


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    proxy.config = session.config


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Record each test's outcome (on the xdist controller, from the workers' reports)."""
    config = proxy.config
    if config is None or hasattr(config, "workerinput"):
        return
    reporting.record(config._spec_outcomes, report)  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    module = getattr(config, "_spec_impl_module", None)
    close = getattr(module, "close", None)
    if callable(close):
        close()  # an isolated implementation's process


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):
        reporting.write_table(terminalreporter, config)
