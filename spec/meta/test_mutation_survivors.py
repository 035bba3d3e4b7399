"""The reviewed list of equivalent mutants is well formed.

``tox -e mutation`` checks the list against a fresh mutmut run; this fast check keeps it
well formed in every run: each entry names a function of ``impl/``, gives the changed line
and a reason, and no mutant is listed twice.
"""

from __future__ import annotations

import importlib
import re
import tomllib

from spec.mutation import REVIEWED, load_reviewed

MUTANT_NAME = re.compile(r"impl\.(?P<module>\w+)\.x_(?P<function>\w+?)__mutmut_\d+")


def test_every_reviewed_mutant_names_an_impl_function_with_change_and_reason():
    """Each entry names a mutant of an existing impl function and gives a reason to review."""
    for name, entry in load_reviewed().items():
        match = MUTANT_NAME.fullmatch(name)
        assert match, f"{name}: not a mutmut 3 mutant name of impl/"
        module = importlib.import_module(f"impl.{match['module']}")
        function = match["function"].replace("ǁ", ".")
        assert hasattr(module, function), f"{name}: impl.{match['module']} has no {function}"
        assert len(entry.reason) >= 20, f"{name}: the reason is too short to review"


def test_no_mutant_is_listed_twice():
    """A mutant appears once in the reviewed list."""
    names = [e["mutant"] for e in tomllib.loads(REVIEWED.read_text()).get("survivor", [])]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    assert not duplicates, f"listed more than once: {duplicates}"
