"""Fixtures of the docs tests: the built book and the exercises it must contain.

These tests check the *built* HTML, so they run after the build (``tox -e docs``,
``.ci/run``); the default ``pytest`` run (testpaths = spec) never collects them.
``SPECBOOK_HTML`` points them at another build directory.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))

import specbook  # noqa: E402

HTML = Path(os.environ.get("SPECBOOK_HTML") or ROOT / "build" / "docs" / "html")


@pytest.fixture(scope="session")
def html_dir() -> Path:
    if not (HTML / "index.html").exists():
        pytest.fail(
            f"no built book at {HTML}: build it first with "
            "`sphinx-build -W --keep-going -b html docs build/docs/html` (or run `tox -e docs`)"
        )
    return HTML


@pytest.fixture(scope="session")
def exercises() -> list[specbook.Exercise]:
    return specbook.discover(ROOT)
