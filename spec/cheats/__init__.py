"""A gallery of cheats: submissions that try to get marks without the mathematics.

Each module is a submission file, never imported by the spec: the grader runs it in a
process of its own.  Its docstring says what it tries; ``TARGETS`` names the exercises it
aims at; ``EXPECT`` says what the grader must give it: ``"zero"`` (no points on the
targets), or ``"flag"`` (a flag in the gradebook and the feedback, whose text contains
``REASON``).  The functions of a cheat return plainly wrong values: what it tries is to
make wrong answers pass, so that is what a verdict of "zero" shows it cannot.
``spec/meta/test_grading.py`` grades the gallery and checks each verdict.
"""
