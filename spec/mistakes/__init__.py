"""A gallery of common mistakes, each caught by a named property of the spec.

Every module here is a deliberately wrong implementation of one contract
function, the way a student or a library author might write it: another log
base, swapped arguments, a dropped factor, a sign error, a numerically naive
formula.  Its docstring says what is wrong and why it matters; the module
attributes say where the spec catches it:

* ``EXERCISE``: the exercise whose spec file catches it, e.g. ``"1.4"``;
* ``CAUGHT_BY``: the name of the property (test function) that fails;
* the wrong function itself, under its contract name.

``spec/meta/test_mistakes.py`` runs that property against the reference
implementation with the wrong function swapped in and checks that it fails.
Read them as exercises in reverse: each shows a plausible wrong answer and the
claim that exposes it.
"""
