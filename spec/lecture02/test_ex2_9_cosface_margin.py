r"""Exercise 2.9 — the cosine margin of CosFace lies between 0 and K/(K−1).

Statement
    CosFace (the large-margin cosine loss, also called AM-Softmax) normalizes the
    class vectors W_j and the feature x, and trains with the softmax cross-entropy
    of the logits s (cos θ_j − m [j = y]): the target class must beat every other
    class by a cosine margin m >= 0.  If the features of class y collapse onto W_y,
    the margin can still be met by every class exactly when
        m <= 1 − max_{i≠j} cos(W_i, W_j),
    and this largest admissible margin is at most K/(K − 1), with equality when the
    class vectors form a simplex equiangular tight frame (ETF).

    .. math::

       m \le 1 - \max_{i \ne j} \cos(W_i, W_j) \le \frac{K}{K - 1},
       \qquad \text{with equality iff the } W_i \text{ form a simplex ETF}

Assumptions
    K >= 2 non-zero class vectors in R^d, scale s > 0, margin m >= 0.  Equality
    K/(K − 1) needs K <= d + 1: only then does a simplex ETF fit in R^d.

Natural range
    K ≤ 8, d ≤ 6, scale s in [0.01, 100] (CosFace trains with s = 64; the collapsed
    simplex goes to s = 500), margin m in [0, 2], rows with entries in [-1, 1] (class
    vectors and features of 2.6's ``labelled_features``).  Losses are compared with the
    absolute floor ``margin_loss_atol``: a loss of 2e-9 at s = 64 is only known to ~1e-14
    by logsumexp(z) − z_y.  Row norms spread over 10^{±150} are part of every strategy
    (the functions normalize rows); whether the bound is clamped at 0 is the contract's.

Argument
    With x = W_y (unit vectors), cos θ_y = 1 and cos θ_j = ⟨W_y, W_j⟩, so the margin
    condition cos θ_y − m >= cos θ_j for all j ≠ y reads m <= 1 − max_{j≠y} ⟨W_y, W_j⟩;
    all classes at once: m <= 1 − max_{i≠j} ⟨W_i, W_j⟩, the margin bound.  For unit
    vectors
        0 <= |Σ_i W_i|² = K + Σ_{i≠j} ⟨W_i, W_j⟩ <= K + K (K − 1) max_{i≠j} ⟨W_i, W_j⟩,
    so max_{i≠j} ⟨W_i, W_j⟩ >= −1/(K − 1) and the bound is at most K/(K − 1).
    Equality forces Σ_i W_i = 0 and all inner products equal to −1/(K − 1): a simplex
    ETF, which spans K − 1 dimensions.  When K > d + 1 the bound is strictly smaller;
    in the plane, for instance, two of K unit vectors are at most 2π/K apart, so the
    bound is at most 1 − cos(2π/K) < K/(K − 1) for K >= 4.
    The loss increases with m: a sample's loss is log(1 + Σ_{j≠y} e^{s(cos θ_j − cos θ_y + m)}),
    increasing in m.  At m = 0 with s = l² the logits are l² cos θ_j, the logits of
    the normalized softmax loss of Exercise 2.6 at norm l.  Within the margin bound
    the collapsed features keep their class on top: each target probability is at
    least 1/K, so the loss at x = W_y is at most log K.  On a simplex ETF the target
    logit is s (1 − m) and the others −s/(K − 1), so the loss is exactly
    log(1 + (K − 1) e^{−s (K/(K − 1) − m)}): Exercise 2.6's bound at s = l², m = 0,
    and log K at the largest margin m = K/(K − 1).

Errata
    The hint's "max_{i≠j} W_i W_i" means the inner product ⟨W_i, W_j⟩ of two distinct
    (normalized) class vectors.  The inequality m <= K/(K − 1) holds in every
    dimension, but it is attained only when K <= d + 1, the assumption CosFace states.

Numerics
    Row norms spread over 10^{±150}; cosines carry (2d + 8) ulps of round-off, which
    the scale s amplifies in the loss (``margin_loss_rtol``).  The loss oracle is
    mpmath at 50 digits on the exact inputs.

References
    H. Wang, Y. Wang, Z. Zhou, X. Ji, D. Gong, J. Zhou, Z. Li, W. Liu, "CosFace: Large
    margin cosine loss for deep face recognition", CVPR 2018 (Section 3.3, the margin bound).
    F. Wang, X. Xiang, J. Cheng, A. L. Yuille, "NormFace: L2 hypersphere embedding for
    face verification", ACM Multimedia 2017.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from spec.assertions import assert_close, assert_leq, assert_rejects, assert_true
from spec.lecture02._margins_support import (
    EPS,
    FLOOR,
    labelled_features,
    margin_loss_atol,
    margin_loss_rtol,
    mp_margin_loss,
    natural_rows,
    nonzero_rows,
    reference_etf,
    rotation,
    unit_rows,
)
from spec.strategies import floats, matrices, seeds

#: Scales s from 0.01 to 100 (CosFace trains with s = 64), margins from 0 to 2.
scales = floats(-2.0, 2.0).map(lambda e: 10.0**e)


margins = floats(0.0, 2.0)


def cosine_atol(d: int) -> float:
    """Cosines of normalized float64 rows in R^d are off by at most (2d + 8) ulps;
    two evaluations (the implementation's and the spec's) by twice that."""
    return 2 * (2 * d + 8) * EPS


@st.composite
def class_vectors(draw, k_min=2, k_max=8, d=None, spread=False):
    """K x d non-zero class vectors: entries 0 or of magnitude in [1e-6, 1] (the natural
    range), or with ``spread`` row norms spread over 10^{±150}."""
    K = draw(st.integers(k_min, k_max))
    d = draw(st.integers(1, 6)) if d is None else d
    if spread:
        return draw(nonzero_rows(K, d))
    return natural_rows(draw(matrices(K, d, -1.0, 1.0)))


# --- claim tier: the exercise's mathematics on its natural range ---


def _check_margin_bound_range(impl, W):
    K, d = W.shape
    bound = impl.cosface_margin_bound(W)
    assert_leq(0.0, bound, atol=cosine_atol(d), what="0 <= margin bound", inputs={"W": W})
    assert_leq(
        bound, K / (K - 1), atol=cosine_atol(d), what="margin bound <= K/(K − 1)", inputs={"W": W}
    )


@pytest.mark.claim
@given(class_vectors())
def test_margin_bound_lies_between_zero_and_k_over_k_minus_one(impl, W):
    """0 <= 1 − max_{i≠j} cos(W_i, W_j) <= K/(K − 1) for any K vectors in any dimension."""
    _check_margin_bound_range(impl, W)


@pytest.mark.claim
@given(class_vectors().map(lambda W: np.vstack([W, W[:1]])))
def test_margin_bound_with_a_repeated_class_vector_is_zero(impl, W):
    """Two equal rows have cosine 1, so the bound is 0 up to the round-off of the cosines."""
    assert_close(
        impl.cosface_margin_bound(W),
        0.0,
        atol=cosine_atol(W.shape[1]),
        what="margin bound with a repeated row",
        inputs={"W": W},
    )


@pytest.mark.claim
@given(st.integers(2, 8), st.integers(0, 3), seeds)
def test_margin_bound_of_a_simplex_etf_is_k_over_k_minus_one(impl, K, extra_dims, seed):
    """Any simplex ETF (rotated, rows rescaled and shuffled) has margin bound K/(K − 1)."""
    d = K - 1 + extra_dims
    rng = np.random.default_rng(seed)
    W = rng.permutation(reference_etf(K, d) @ rotation(d, seed).T)
    W *= 10.0 ** rng.uniform(-3.0, 3.0, (K, 1))
    assert_close(
        impl.cosface_margin_bound(W),
        K / (K - 1),
        rtol=0.0,
        atol=cosine_atol(d),
        what="margin bound of a simplex ETF",
        inputs={"W": W},
    )


@pytest.mark.claim
@given(class_vectors(k_min=3, k_max=10, d=2))
def test_margin_bound_in_the_plane_is_at_most_one_minus_cos_two_pi_over_k(impl, W):
    """In R², K > d + 1 = 3 vectors cannot reach K/(K − 1): the bound is <= 1 − cos(2π/K)."""
    K = W.shape[0]
    assert_leq(
        impl.cosface_margin_bound(W),
        1.0 - math.cos(2 * math.pi / K),
        atol=cosine_atol(2),
        what="margin bound in the plane",
        inputs={"W": W},
    )


@pytest.mark.claim
@given(class_vectors())
def test_margin_bound_is_the_largest_margin_every_class_center_meets(impl, W):
    """With x = W_y, cos θ_y − m >= cos θ_j for all j ≠ y and all y iff m <= the bound."""
    K, d = W.shape
    cosines = unit_rows(W) @ unit_rows(W).T
    np.fill_diagonal(cosines, -np.inf)
    # Largest m meeting the margin for class y: cos θ_y − max_{j≠y} cos θ_j, cos θ_y = 1.
    admissible = 1.0 - cosines.max(axis=1)
    bound = impl.cosface_margin_bound(W)
    inputs = {"W": W, "bound": bound}
    assert_true(
        admissible >= bound - cosine_atol(d), what="the margin holds at m = bound", inputs=inputs
    )
    # 1e-9 is far above the round-off of the cosines (about 1e-14).
    assert_true(
        np.any(admissible < bound + 1e-9), what="some class misses m = bound + 1e-9", inputs=inputs
    )


@pytest.mark.claim
@given(class_vectors(k_max=6), scales, floats(0.0, 1.0))
def test_class_centers_within_the_margin_bound_have_loss_at_most_log_k(impl, W, s, fraction):
    """For m <= the bound and x = W_y, the target logit is the largest, so the loss is <= log K."""
    K, d = W.shape
    m = fraction * max(impl.cosface_margin_bound(W), 0.0)  # a bound may round to -1e-16
    assert_leq(
        impl.cosface_loss(W, W, np.arange(K), s, m),
        math.log(K),
        rtol=margin_loss_rtol(d, s),
        what="loss of the class centers <= log K",
        inputs={"W": W, "s": s, "m": m},
    )


@pytest.mark.claim
@given(st.integers(2, 8), st.integers(0, 2), seeds, floats(-1.0, 2.7), floats(0.0, 1.0))
def test_loss_of_collapsed_features_on_a_simplex_etf_is_log1p_of_the_remaining_gap(
    impl, K, extra_dims, seed, log_scale, fraction
):
    """W a simplex ETF, x = W_y: the loss is log(1 + (K − 1) e^{−s (K/(K − 1) − m)}) exactly."""
    d = K - 1 + extra_dims
    W = reference_etf(K, d) @ rotation(d, seed).T
    s, m = 10.0**log_scale, fraction * K / (K - 1)
    # Target logit s (1 − m), the others s (−1/(K − 1)): the margin eats into the gap
    # K/(K − 1), and the loss reaches log K when m = K/(K − 1).  s up to 500 drives the
    # loss down to e^{−600}, which logsumexp(z) − z_y would round to 0.
    expected = math.log1p((K - 1) * math.exp(-s * (K / (K - 1) - m)))
    assert_close(
        impl.cosface_loss(W, W, np.arange(K), s, m),
        expected,
        rtol=margin_loss_rtol(d, s),
        atol=margin_loss_atol(K, s),
        what="CosFace loss of the collapsed simplex",
        inputs={"K": K, "d": d, "s": s, "m": m},
    )


@pytest.mark.claim
@given(labelled_features(natural=True), scales, margins, margins)
def test_loss_is_non_decreasing_in_the_margin(impl, problem, s, m1, m2):
    """For 0 <= m1 <= m2 the CosFace loss at m1 is at most the loss at m2."""
    W, X, y = problem
    m1, m2 = sorted((m1, m2))
    assert_leq(
        impl.cosface_loss(W, X, y, s, m1),
        impl.cosface_loss(W, X, y, s, m2),
        rtol=margin_loss_rtol(W.shape[1], s),
        atol=2 * margin_loss_atol(W.shape[0], s * (1 + m2)),
        what="loss(m1) <= loss(m2)",
        inputs={"W": W, "X": X, "y": y, "s": s, "m1": m1, "m2": m2},
    )


@pytest.mark.claim
@given(labelled_features(natural=True), floats(0.01, 20.0))
def test_loss_at_zero_margin_is_the_normalized_softmax_loss(impl, problem, l):
    """cosface_loss(W, X, y, l², 0) = normalized_softmax_loss(W, X, y, l) (Exercise 2.6)."""
    W, X, y = problem
    assert_close(
        impl.cosface_loss(W, X, y, l * l, 0.0),
        impl.normalized_softmax_loss(W, X, y, l),
        rtol=margin_loss_rtol(W.shape[1], l * l),
        atol=2 * margin_loss_atol(W.shape[0], l * l),
        what="CosFace at m = 0 against the normalized softmax loss",
        inputs={"W": W, "X": X, "y": y, "l": l},
    )


def _check_loss_against_50_digits(impl, W, X, y, s, m, atol):
    assert_close(
        impl.cosface_loss(W, X, y, s, m),
        mp_margin_loss(W, X, y, s, m),
        rtol=margin_loss_rtol(W.shape[1], s),
        atol=atol,
        what="loss against mpmath",
        inputs={"W": W, "X": X, "y": y, "s": s, "m": m},
    )


@pytest.mark.claim
@given(labelled_features(natural=True), scales, margins)
def test_loss_matches_50_digit_evaluation(impl, problem, s, m):
    """The loss is the mean of −log softmax(s (cos θ_j − m [j = y]))_y, checked against mpmath."""
    W, X, y = problem
    _check_loss_against_50_digits(impl, W, X, y, s, m, margin_loss_atol(W.shape[0], s * (1 + m)))


# --- numerics tier: accuracy and robustness at extreme inputs ---


@pytest.mark.numerics
@given(labelled_features(), scales, margins)
def test_loss_is_relatively_accurate_for_rows_spread_over_10_to_the_300(impl, problem, s, m):
    """With row norms from 1e-150 to 1e150 the loss still agrees with mpmath, even when tiny."""
    W, X, y = problem
    _check_loss_against_50_digits(impl, W, X, y, s, m, FLOOR)


@pytest.mark.numerics
@given(class_vectors(spread=True))
def test_margin_bound_lies_between_zero_and_k_over_k_minus_one_for_spread_rows(impl, W):
    """The margin bound stays in [0, K/(K − 1)] for row norms from 1e-150 to 1e150."""
    _check_margin_bound_range(impl, W)


# --- contract tier: the interface and the reference's choices among valid answers ---


# This row normalizes to a unit vector u whose computed u·u is 1 + 2.2e-16.
@pytest.mark.contract
@example(W=np.array([[0.9091809873814745, -0.00020837262470596585]] * 2))
@given(class_vectors(spread=True).map(lambda W: np.vstack([W, W[:1]])))
def test_margin_bound_is_never_negative(impl, W):
    """The reference clamps the cosines at 1, so a repeated row gives a bound of 0, never below."""
    bound = impl.cosface_margin_bound(W)
    assert_leq(0.0, bound, what="0 <= margin bound (no negative margin)", inputs={"W": W})


@pytest.mark.contract
@given(labelled_features(), scales, margins)
def test_cosface_loss_rejects_invalid_inputs(impl, problem, s, m):
    """s <= 0, m < 0, zero rows, labels outside [0, K) or mismatched shapes raise ValueError."""
    W, X, y = problem
    K = W.shape[0]
    assert_rejects(impl.cosface_loss, W, X, y, -s, m, argument="s", because="s is negative")
    nan_X = X.copy()
    nan_X[0, 0] = np.nan
    assert_rejects(impl.cosface_loss, W, nan_X, y, s, m, argument="X", because="X has a NaN")
    assert_rejects(
        impl.cosface_loss, W, X[0], y[:1], s, m, argument="X", because="X is a single vector"
    )
    assert_rejects(impl.cosface_loss, W, X[:0], y[:0], s, m, argument="X", because="X has no rows")
    assert_rejects(impl.cosface_loss, W, X, y, 0.0, m, argument="s", because="s = 0")
    assert_rejects(impl.cosface_loss, W, X, y, s, -m - 0.1, argument="m", because="m is negative")
    assert_rejects(impl.cosface_loss, W, 0.0 * X, y, s, m, argument="X", because="X has zero rows")
    assert_rejects(
        impl.cosface_loss,
        W,
        np.hstack([X, X]),
        y,
        s,
        m,
        argument="X",
        because="X has twice the columns of W",
    )
    assert_rejects(
        impl.cosface_loss,
        np.vstack([W[:-1], 0.0 * W[-1:]]),
        X,
        y,
        s,
        m,
        argument="W",
        because="W has a zero row",
    )
    assert_rejects(
        impl.cosface_loss, W, X, y - K, s, m, argument="y", because="the labels are negative"
    )


@pytest.mark.contract
@given(class_vectors())
def test_cosface_margin_bound_rejects_invalid_inputs(impl, W):
    """A single class, a zero row, a NaN or a non-matrix W raises ValueError naming W."""
    zero_row, nan_entry = W.copy(), W.copy()
    zero_row[0], nan_entry[-1, -1] = 0.0, np.nan
    for bad in (W[:1], zero_row, nan_entry, W[0]):
        assert_rejects(
            impl.cosface_margin_bound,
            bad,
            argument="W",
            because="W has one row, a zero row, a NaN, or is a vector",
        )
