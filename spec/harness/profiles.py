"""The Hypothesis profiles of the spec and the one seed of a run.

``dev`` is the default, ``ci`` is loaded when ``CI=true``, ``thorough`` runs 1000 examples
per property; ``mutation``, ``smoke`` and ``grading`` are derandomized for the mutation
score, the harness's own tests and reproducible grades.  ``HYPOTHESIS_PROFILE`` or
``--hypothesis-profile`` picks one.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings

_COMMON: dict[str, Any] = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
_REPRODUCIBLE: dict[str, Any] = {"derandomize": True, "database": None}
_NO_SHRINK = [Phase.explicit, Phase.reuse, Phase.generate]

settings.register_profile("dev", max_examples=25, **_COMMON)
settings.register_profile("ci", max_examples=40, print_blob=True, **_REPRODUCIBLE, **_COMMON)
settings.register_profile("thorough", max_examples=1000, **_COMMON)
# tox -e mutation: reproducible kills; a killed mutant needs no shrinking.
settings.register_profile(
    "mutation", max_examples=40, phases=_NO_SHRINK, **_REPRODUCIBLE, **_COMMON
)
# The harness's own tests: a few examples, no shrinking.
settings.register_profile("smoke", max_examples=5, phases=_NO_SHRINK, **_REPRODUCIBLE, **_COMMON)
# python -m spec.grade: a regrade gives the same examples, hence the same marks.
settings.register_profile("grading", max_examples=40, **_REPRODUCIBLE, **_COMMON)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE")
    or ("ci" if os.environ.get("CI", "").lower() == "true" else "dev")
)


def choose_seed(config: pytest.Config) -> None:
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


class SeedToWorkers:
    """Hands the controller's Hypothesis seed to every xdist worker."""

    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput["spec_hypothesis_seed"] = node.config._spec_seed
