"""The reviewed list of equivalent mutants is well formed.

``tox -e mutation`` checks the list against a fresh mutmut run; this fast check keeps it
well formed in every run: each entry names a function of ``impl/``, gives the changed line
and a reason, and no mutant is listed twice.
"""

from __future__ import annotations

import importlib
import re
import tomllib

import pytest

from spec.mutation import REVIEWED, Mutation, kind_of, load_reviewed

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


FUNCTION = """def kl(p, q):
    p = as_array(p, "p")
    if np.any(q < 0):
        raise ValueError("q must be nonnegative")
    with np.errstate(divide="ignore"):
        terms = p * np.log(p / q)
    return _scalar_or_array(terms.sum(axis=-1))"""


@pytest.mark.parametrize(
    ("before", "after", "kind"),
    [
        ('as_array(p, "p")', 'as_array(p, "P")', "interface"),
        ("if np.any(q < 0):", "if np.any(q <= 0):", "interface"),
        ('"q must be nonnegative"', '"XXq must be nonnegativeXX"', "interface"),
        ('errstate(divide="ignore")', "errstate(divide=None)", "warnings"),
        ("sum(axis=-1)", "sum(axis=None)", "batching"),
        ("np.log(p / q)", "np.log(p * q)", "mathematics"),
        ("terms = p *", "terms = p /", "mathematics"),
        ("_scalar_or_array(terms.sum", "_scalar_or_array(2 * terms.sum", "mathematics"),
    ],
)
def test_claim_survivors_are_sorted_by_what_the_change_touches(before, after, kind):
    """A change to validation, a message, warnings or an axis is not counted against the
    claim tier; a change to the formula is."""
    assert before in FUNCTION
    mutation = Mutation(FUNCTION, FUNCTION.replace(before, after))
    assert kind_of("kl", mutation) == kind, mutation.changed_line
    assert (
        mutation.changed_line
        == FUNCTION.replace(before, after)
        .split("\n")[next(i for i, line in enumerate(FUNCTION.split("\n")) if before in line)]
        .strip()
    )
