r"""Exercise 1.2 — the multi-class linear classifier and its convex decision regions.

Statement
    The exercise in the notes is cut off after defining, for |Y| = K > 2
    classes, the classifier a(x) = argmax_c ⟨w_c, x⟩.  We specify that
    classifier with an optional bias, a(x) = argmax_c ⟨W_c, x⟩ + b_c, ties
    going to the lowest index, and prove its basic geometry.

    .. math::

       a(x) = \min \operatorname*{arg\,max}_{c} s_c(x), \qquad s_c(x) = \langle W_c, x\rangle + b_c

       \{x : a(x) = c\} = \bigcap_{j < c} \{x : s_c(x) > s_j(x)\}
       \cap \bigcap_{j > c} \{x : s_c(x) \ge s_j(x)\} \quad \text{(convex)}

Assumptions
    W ∈ R^{K×d} (row c is the weight vector of class c), b ∈ R^K or no bias,
    x ∈ R^d.

Argument
    1. K = 2: a(x) = 1 iff ⟨W_1, x⟩ + b_1 > ⟨W_0, x⟩ + b_0, i.e. the sign of
       ⟨W_1 − W_0, x⟩ + b_1 − b_0 (ties go to class 0): the binary linear
       classifier is the special case, and only differences of weights matter.
    2. Adding one vector v to every W_c adds ⟨v, x⟩ to every score and does
       not change the argmax; likewise adding one constant to every b_c.
    3. Scaling all scores by λ > 0 keeps their order: rescaling x (without a
       bias) or rescaling (W, b) leaves a(x) unchanged.
    4. Up to ties, the region of class c is
           {x : ⟨W_c − W_j, x⟩ + b_c − b_j ≥ 0 for all j ≠ c},
       an intersection of K − 1 closed half-spaces, hence convex: if x and x′
       are both in class c, so is every convex combination.  (With the
       lowest-index tie rule the region of c is the same intersection with the
       half-spaces for j < c made strict: still convex.)

Natural range
    K ≤ 7 classes, d ≤ 5, entries of W, b and x in [-10, 10]; properties that rescale
    or shift compare labels only where the winning score leads by more than the
    round-off of the scores.  How ties are broken (lowest index) is the contract's
    choice, checked in the contract tier.

Errata
    The statement in the notes breaks off after equation (1) and writes
    g(x, y) = ⟨w, y⟩; we read it as g(x, w^c) = ⟨w^c, x⟩.

References
    C. M. Bishop, Pattern Recognition and Machine Learning, 2006, §4.1.2
    (multiple classes; singly connected, convex decision regions).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from spec.assertions import assert_rejects, assert_rejects_bad_arrays, assert_true
from spec.strategies import floats, matrices, vectors

classifiers = st.tuples(st.integers(2, 6), st.integers(1, 5)).flatmap(
    lambda kd: st.tuples(matrices(kd[0], kd[1]), vectors(kd[0]), matrices(4, kd[1]))
)


def _margin(W, b, X):
    """Gap between the best and second-best score of each row (0 when tied)."""
    scores = np.sort(X @ W.T + b, axis=1)
    return scores[:, -1] - scores[:, -2]


def _score_roundoff(W, b, X):
    """Per row and class, the rounding bound of s_c(x) = <W_c, x> + b_c: d products and d
    additions, each off by u of the running sum of magnitudes, so (d + 1) u sum_j |W_cj x_j| + |b_c|
    (times a safety factor of 8)."""
    d = W.shape[1]
    return 8 * (d + 1) * 2.0**-53 * (np.abs(X) @ np.abs(W).T + np.abs(b))


# --- claim tier: the exercise's mathematics on its natural range ---


@pytest.mark.claim
@given(st.integers(1, 5).flatmap(lambda d: st.tuples(matrices(2, d), vectors(2), matrices(6, d))))
def test_two_classes_is_the_sign_of_the_weight_difference(impl, problem):
    """For K = 2, a(x) = 1 exactly when ⟨W_1 − W_0, x⟩ + b_1 − b_0 > 0."""
    W, b, X = problem
    difference = X @ (W[1] - W[0]) + b[1] - b[0]
    labels = impl.linear_classifier(W, X, b)
    # The two forms round differently; compare where the gap exceeds round-off.
    clear = np.abs(difference) > 1e-9 * (1 + np.abs(X) @ np.abs(W).max(axis=0) + np.abs(b).max())
    assert_true(
        (labels == (difference > 0)) | ~clear,
        what="a(x) = [<W_1 - W_0, x> + b_1 - b_0 > 0]",
        inputs={"W": W, "b": b, "X": X, "labels": labels},
    )


@pytest.mark.claim
@given(classifiers)
def test_labels_are_an_argmax_of_the_scores(impl, problem):
    """a(x) is a class of largest score: s_{a(x)}(x) ≥ s_c(x) for every c, up to round-off."""
    W, b, X = problem
    labels = impl.linear_classifier(W, X, b)
    scores = X @ W.T + b
    rows = np.arange(len(X))
    # Both the spec's and the implementation's scores carry the rounding bound.
    slack = 2 * _score_roundoff(W, b, X).max(axis=1)
    assert_true(
        scores[rows, labels] >= scores.max(axis=1) - slack,
        what="s_{a(x)}(x) = max_c s_c(x)",
        inputs={"W": W, "b": b, "X": X, "labels": labels},
    )
    unbiased = impl.linear_classifier(W, X)
    plain = X @ W.T
    assert_true(
        plain[rows, unbiased] >= plain.max(axis=1) - 2 * _score_roundoff(W, 0 * b, X).max(axis=1),
        what="without bias, <W_{a(x)}, x> = max_c <W_c, x>",
        inputs={"W": W, "X": X, "labels": unbiased},
    )


@pytest.mark.claim
@given(classifiers, st.data())
def test_adding_a_common_vector_to_every_weight_changes_nothing(impl, problem, data):
    """a(x) is unchanged when the same v is added to every W_c (and c to every b_c)."""
    W, b, X = problem
    v = data.draw(vectors(W.shape[1]))
    shift = data.draw(floats(-10, 10))
    # Adding ⟨v, x⟩ rounds the scores; claim invariance only where the winner is clear.
    assume(np.all(_margin(W, b, X) > 1e-6 * (1 + np.abs(X) @ np.abs(v) + abs(shift))))
    assert_true(
        impl.linear_classifier(W + v, X, b + shift) == impl.linear_classifier(W, X, b),
        what="a(x; W + v, b + c) = a(x; W, b)",
        inputs={"W": W, "b": b, "X": X, "v": v, "c": shift},
    )


@pytest.mark.claim
@given(classifiers, floats(1e-3, 1e3))
def test_positive_rescaling_changes_nothing(impl, problem, scale):
    """a(λx) = a(x) without bias, and a(x; λW, λb) = a(x; W, b), for every λ > 0."""
    W, b, X = problem
    inputs = {"W": W, "b": b, "X": X, "lambda": scale}
    assume(np.all(_margin(W, np.zeros(len(W)), X) > 1e-9 * (1 + np.abs(X) @ np.abs(W).T).max()))
    assert_true(
        impl.linear_classifier(W, scale * X) == impl.linear_classifier(W, X),
        what="a(lambda x) = a(x)",
        inputs=inputs,
    )
    assume(
        np.all(_margin(W, b, X) > 1e-9 * (1 + np.abs(X) @ np.abs(W).T).max() + 1e-9 * abs(b).max())
    )
    assert_true(
        impl.linear_classifier(scale * W, X, scale * b) == impl.linear_classifier(W, X, b),
        what="a(x; lambda W, lambda b) = a(x; W, b)",
        inputs=inputs,
    )


@pytest.mark.claim
@given(classifiers)
def test_each_region_is_the_intersection_of_half_spaces(impl, problem):
    """x labelled c satisfies ⟨W_c − W_j, x⟩ + b_c − b_j ≥ 0 for all j, up to round-off."""
    W, b, X = problem
    labels = impl.linear_classifier(W, X, b)
    scores = X @ W.T + b
    slack = 2 * _score_roundoff(W, b, X).max(axis=1)
    for x_scores, c, tolerance in zip(scores, labels, slack, strict=True):
        gaps = x_scores[c] - x_scores
        in_region = np.all(gaps >= -tolerance)
        assert_true(
            in_region,
            what=f"label {c} satisfies its half-space constraints",
            inputs={"W": W, "b": b, "scores": x_scores},
        )


@pytest.mark.claim
@given(classifiers, st.lists(floats(0.0, 1.0), min_size=1, max_size=5))
def test_decision_regions_are_convex(impl, problem, weights):
    """If x and x′ are in class c, so is every convex combination tx + (1 − t)x′."""
    W, b, X = problem
    labels = impl.linear_classifier(W, X, b)
    x, x_prime = X[0], X[1]
    assume(labels[0] == labels[1])
    # Scores of a combination are combinations of scores, up to round-off: keep clear winners.
    assume(min(_margin(W, b, X[:2])) > 1e-9 * (1 + np.abs(X).max() * np.abs(W).max() * W.shape[1]))
    t = np.array(weights)[:, None]
    combos = t * x + (1 - t) * x_prime
    assert_true(
        impl.linear_classifier(W, combos, b) == labels[0],
        what=f"convex combinations stay in class {labels[0]}",
        inputs={"W": W, "b": b, "x": x, "x'": x_prime, "t": t.ravel()},
    )


# --- contract tier: the interface and the reference's choices among valid answers ---


@pytest.mark.contract
@given(classifiers, st.data())
def test_labels_are_argmax_with_ties_to_lowest_index(impl, problem, data):
    """a(x) is the first index of the largest score ⟨W_c, x⟩ + b_c (duplicated rows tie)."""
    W, b, X = problem
    duplicate = data.draw(st.integers(0, len(W) - 1))
    W, b = np.vstack([W, W[duplicate]]), np.append(b, b[duplicate])  # a guaranteed tie
    labels = impl.linear_classifier(W, X, b)
    scores = X @ W.T + b
    assert_true(
        labels == np.argmax(scores, axis=1),
        what="a(x) = first argmax",
        inputs={"W": W, "b": b, "X": X, "labels": labels},
    )
    assert_true(
        impl.linear_classifier(W, X) == np.argmax(X @ W.T, axis=1),
        what="without bias, a(x) = first argmax of <W_c, x>",
        inputs={"W": W, "X": X},
    )


@pytest.mark.contract
@given(st.integers(2, 4), st.integers(1, 4))
def test_rejects_mismatched_or_nan_input(impl, k, d):
    """Mismatched shapes or NaN entries raise ValueError naming the argument."""
    W, X, b = np.ones((k, d)), np.ones((3, d)), np.zeros(k)
    assert_rejects(
        impl.linear_classifier, W, np.ones((3, d + 1)), argument="X", because="X has d + 1 columns"
    )
    assert_rejects(
        impl.linear_classifier, W, X, np.zeros(k + 1), argument="b", because="b has K + 1 entries"
    )
    assert_rejects(
        impl.linear_classifier, np.full((k, d), np.nan), X, argument="W", because="W is NaN"
    )
    assert_rejects(
        impl.linear_classifier, W, X, np.full(k, np.nan), argument="b", because="b is NaN"
    )
    assert_rejects(impl.linear_classifier, np.ones(d), X, b, argument="W", because="W is a vector")
    # n = d rows, so that X with an extra leading axis still has d entries on axis 1
    square = np.ones((d, d))
    assert_rejects_bad_arrays(impl.linear_classifier, W, square, b, names=("W", "X", "b"))
    assert_rejects(
        impl.linear_classifier,
        W,
        np.ones(d),
        argument="X",
        because="X is a single vector, not (n, d)",
    )
