"""Which implementation a run tests, and importing it.

``--impl NAME`` (or ``SPEC_IMPL``) names it: a dotted module name, resolved against the
directory pytest was started from (as ``python -m pytest`` does, whichever way pytest was
started), or a path to a ``.py`` file.  The default is ``impl``, the reference.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

DEFAULT_IMPL = "impl"
#: The spec package (``spec/``), wherever it is installed.
SPEC_DIR = Path(__file__).resolve().parents[1]


def impl_name(config: pytest.Config) -> str:
    """The implementation this run tests, as given (default: the reference)."""
    return config.getoption("--impl") or os.environ.get("SPEC_IMPL") or DEFAULT_IMPL


def is_path(name: str) -> bool:
    """Whether ``--impl`` names a file rather than a module."""
    return name.endswith(".py") or os.sep in name or "/" in name


def load_implementation(name: str, search_dir: Path | None = None) -> ModuleType:
    """Import the implementation under test from a dotted name or a .py path.

    A dotted name is looked up first in ``search_dir`` (the directory pytest was invoked
    from), so that a package next to the student's shell is found by ``pytest`` as by
    ``python -m pytest``.
    """
    if is_path(name):
        path = Path(name) if search_dir is None else search_dir / name
        path = path.resolve()
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
    if search_dir is not None and str(search_dir) not in sys.path:
        sys.path.insert(0, str(search_dir))
        importlib.invalidate_caches()
    return importlib.import_module(name)


def load(config: pytest.Config) -> Any:
    """The implementation of this run, imported once; an import error stops the run."""
    if config._spec_impl_module is None:  # type: ignore[attr-defined]
        name = config._spec_impl_name  # type: ignore[attr-defined]
        try:
            if config.getoption("--isolate", False):
                from spec.harness.isolation import IsolatedImplementation, Limits

                limits, blocked = Limits.from_environment()
                module: Any = IsolatedImplementation(
                    name, config.invocation_params.dir, limits, blocked
                )
            else:
                module = load_implementation(name, config.invocation_params.dir)
            config._spec_impl_module = module  # type: ignore[attr-defined]
        except Exception:
            raise pytest.UsageError(
                f"cannot import the implementation under test {name!r}:\n{traceback.format_exc()}"
            ) from None
    return config._spec_impl_module  # type: ignore[attr-defined]


def check_rootdir_not_moved_by_impl(config: pytest.Config) -> None:
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


def targets_the_spec(config: pytest.Config) -> bool:
    """Whether this run is a run of the spec (and not some other project's tests).

    Installed as a pytest plugin, the spec's plugin is loaded by every pytest run on the
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
