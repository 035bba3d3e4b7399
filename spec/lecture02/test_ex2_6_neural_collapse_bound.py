r"""Exercise 2.6 — the normalized softmax loss is at least log(1 + (K−1) exp(−K l²/(K−1))).

Statement
    Normalize every class vector W_c and every feature h_i to the same norm l and
    train with the softmax cross-entropy of the logits ⟨W_c, h_i⟩ = l² cos θ_ic
    (NormFace's normalized softmax).  With balanced classes the loss is at least
        B(K, l) = log(1 + (K − 1) exp(−K l² / (K − 1))),
    whatever W and the features are, and neural collapse attains it: the class
    vectors form a simplex equiangular tight frame (ETF) and each feature sits on
    its class vector.  B(K, 0) = log K and B decreases to 0 as l grows, so a small
    norm l forbids a small loss.

    .. math::

       \frac{1}{n} \sum_{i=1}^n -\log \frac{e^{\langle W_{y_i}, h_i\rangle}}
       {\sum_{c=1}^K e^{\langle W_c, h_i\rangle}} \;\ge\; B(K, l)
       \qquad (\|W_c\| = \|h_i\| = l)

       B(K, l) = \log\Bigl(1 + (K - 1) \exp\Bigl(-\frac{K l^2}{K - 1}\Bigr)\Bigr)

Assumptions
    K >= 2 classes, n samples of which exactly n/K carry each label (balance),
    rows of W (K x d) and of H (n x d) non-zero, any dimension d >= 1 for the
    bound; attaining it needs a simplex ETF, which exists only when d >= K − 1.

Natural range
    K ≤ 8, d ≤ 6, n ≤ 8 samples, rows of W and H with entries in [-1, 1] rescaled by
    10^u, |u| ≤ 3, l ≤ 20 (logits up to l² = 400).  Losses are compared with an absolute
    floor ``margin_loss_atol`` (logsumexp(z) − z_y is a correct way to evaluate them);
    keeping full relative accuracy on losses as small as e^{−800}, row norms spread over
    10^{±150} and l beyond 1.4e154 are numerics.

Argument (Jensen, twice)
    Write z_ij = ⟨W_j, h_i⟩ after normalization and y = y_i.  A sample's loss is
        log(1 + Σ_{j≠y} exp(z_ij − z_iy)) >= log(1 + (K − 1) exp(a_i)),
        a_i = (1/(K − 1)) Σ_{j≠y} (z_ij − z_iy) = (⟨Σ_j W_j, h_i⟩ − K z_iy) / (K − 1),
    by convexity of exp (the mean of exponentials is at least the exponential of
    the mean).  f(t) = log(1 + (K − 1) eᵗ) is convex and increasing, so the mean
    loss is at least f(ā) with ā the mean of the a_i (Jensen again).  With balanced
    labels, let μ_c be the mean feature of class c, W̄ and μ̄ the means over classes;
    then ā = −(K / (K − 1)) (1/K) Σ_c ⟨W_c − W̄, μ_c − μ̄⟩, and by Cauchy–Schwarz
        Σ_c ⟨W_c − W̄, μ_c − μ̄⟩ <= (Σ_c |W_c − W̄|²)^½ (Σ_c |μ_c − μ̄|²)^½ <= K l²,
    because Σ_c |v_c − v̄|² <= Σ_c |v_c|² <= K l² for vectors of norm at most l.
    Hence ā >= −K l² / (K − 1) and the loss is at least f(−K l²/(K − 1)) = B(K, l).
    Every inequality is an equality when W is a simplex ETF scaled to norm l
    (W̄ = 0, equal off-diagonal logits) and h_i = W_{y_i}: then every sample has the
    logits l² and −l²/(K − 1), and its loss is exactly B(K, l), balanced or not.
    Balance is used only to average ⟨W_{y_i}, h_i⟩ and h_i class by class.  Without
    it, K = 3, every sample in class 1 and W_2 = W_3 = −W_1, h_i = W_1 give the logits
    (l², −l², −l²) and the loss log(1 + 2 e^{−2l²}) < log(1 + 2 e^{−3l²/2}) = B(3, l).

Numerics
    l runs up to 20, where the loss is as small as e^{−800}: an implementation
    taking logsumexp(z) − z_y rounds it to 0 and breaks the bound, one writing it
    as softplus of the log-sum of the gaps keeps it.  Row norms spread over
    10^{±150}.  Tolerances are those of ``margin_loss_rtol`` (round-off of the
    cosines amplified by l²); the oracle is mpmath at 50 digits.

Errata
    The sheet states the bound for any labels; it holds for balanced classes only
    (exactly n/K samples per class).  Without balance it fails: K = 3, every sample in
    class 1, W_2 = W_3 = −W_1 and h_i = W_1 give log(1 + 2e^{−2l²}) < B(3, l)
    (``test_imbalanced_labels_can_go_below_the_bound``).

References
    F. Wang, X. Xiang, J. Cheng, A. L. Yuille, "NormFace: L2 hypersphere embedding
    for face verification", ACM Multimedia 2017 (Proposition 2, the lower bound).
    V. Papyan, X. Y. Han, D. L. Donoho, "Prevalence of neural collapse during the
    terminal phase of deep learning training", PNAS 2020 (the simplex ETF).
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from spec.assertions import assert_close, assert_leq, assert_rejects, assert_true
from spec.lecture02._margins_support import (
    EPS,
    FLOOR,
    balanced_labels,
    labelled_features,
    margin_loss_atol,
    margin_loss_rtol,
    mp_margin_loss,
    natural_rows,
    nonzero_rows,
    reference_etf,
    rotation,
    without_zero_rows,
)
from spec.strategies import floats, matrices, seeds

norms = floats(0.0, 20.0)


@st.composite
def balanced_problems(draw):
    """(W, H, y, l) with balanced labels, from exact neural collapse to arbitrary features.

    The base is a rotated simplex ETF with features on their class vectors (when
    d >= K − 1) or arbitrary rows; a drawn noise level, from 0 to 10, perturbs it,
    so that the properties see the equality case, its neighbourhood and the bulk.
    Row norms are scaled by 10^u, |u| <= 3, which the loss must ignore.
    """
    K, d, per_class = draw(st.integers(2, 5)), draw(st.integers(1, 6)), draw(st.integers(1, 3))
    y = draw(balanced_labels(K, per_class))
    rng = np.random.default_rng(draw(seeds))
    if d >= K - 1 and draw(st.booleans()):
        W = reference_etf(K, d) @ rotation(d, draw(seeds)).T
    else:
        W = natural_rows(draw(matrices(K, d, -1.0, 1.0)))
    noise = draw(st.sampled_from([0.0, 1e-8, 1e-3, 0.1, 1.0, 10.0]))
    H = W[y] + noise * rng.standard_normal((len(y), d))
    W = W + noise * rng.standard_normal(W.shape)
    W, H = (without_zero_rows(M * 10.0 ** rng.uniform(-3, 3, (len(M), 1))) for M in (W, H))
    return W, H, y, draw(norms)


def _check_loss_against_50_digits(impl, W, H, y, l, atol):
    assert_close(
        impl.normalized_softmax_loss(W, H, y, l),
        mp_margin_loss(W, H, y, l * l, 0.0),
        rtol=margin_loss_rtol(W.shape[1], l * l),
        atol=atol,
        what="loss against mpmath",
        inputs={"W": W, "H": H, "y": y, "l": l},
    )


# --- claim tier: the exercise's mathematics on its natural range ---


@pytest.mark.claim
@given(balanced_problems())
def test_balanced_loss_is_at_least_the_neural_collapse_bound(impl, problem):
    """With every class equally frequent, the normalized softmax loss is >= B(K, l)."""
    W, H, y, l = problem
    K, d = W.shape
    assert_leq(
        impl.neural_collapse_bound(K, l),
        impl.normalized_softmax_loss(W, H, y, l),
        rtol=margin_loss_rtol(d, l * l),
        atol=margin_loss_atol(K, l * l),
        what="B(K, l) <= loss",
        inputs={"W": W, "H": H, "y": y, "l": l},
    )


@pytest.mark.claim
@given(
    st.integers(2, 6),
    st.integers(0, 3),
    st.lists(st.integers(0, 5), min_size=1, max_size=8),
    seeds,
    norms,
)
def test_simplex_etf_with_features_on_their_class_vectors_attains_the_bound(
    impl, K, extra_dims, labels, seed, l
):
    """W a (rotated, rescaled) simplex ETF and h_i = W_{y_i} give loss = B(K, l), for any labels."""
    d = K - 1 + extra_dims
    y = np.array(labels) % K
    rng = np.random.default_rng(seed)
    W = impl.simplex_etf(K, d) @ rotation(d, seed).T * rng.uniform(0.1, 10.0, (K, 1))
    H = W[y] * rng.uniform(0.1, 10.0, (len(y), 1))
    assert_close(
        impl.normalized_softmax_loss(W, H, y, l),
        impl.neural_collapse_bound(K, l),
        rtol=margin_loss_rtol(d, l * l),
        atol=margin_loss_atol(K, l * l),
        what="loss at neural collapse",
        inputs={"K": K, "d": d, "y": y, "l": l},
    )


@pytest.mark.claim
@given(st.integers(2, 12), st.integers(0, 3))
def test_simplex_etf_rows_are_unit_sum_to_zero_and_meet_at_minus_one_over_k_minus_one(
    impl, K, extra_dims
):
    """simplex_etf(K, d) has shape (K, d), Gram matrix K/(K−1) I − 1/(K−1) 11ᵀ and zero row sum."""
    d = K - 1 + extra_dims
    W = impl.simplex_etf(K, d)
    inputs = {"K": K, "d": d}
    assert_true(W.shape == (K, d), what=f"shape {W.shape} == {(K, d)}", inputs=inputs)
    gram = (K * np.eye(K) - 1.0) / (K - 1)
    # Entries of size <= 1 and sums of K terms: a few K ulps.
    assert_close(W @ W.T, gram, rtol=0.0, atol=4 * K * EPS, what="Gram matrix", inputs=inputs)
    assert_close(
        W.sum(axis=0), np.zeros(d), rtol=0.0, atol=4 * K * EPS, what="sum of rows", inputs=inputs
    )


@pytest.mark.claim
@given(
    nonzero_rows(1, 4, spread=False).map(lambda w: w[0] / np.abs(w).max()),
    st.integers(1, 6),
    st.lists(floats(-2.0, 2.0), min_size=4, max_size=4),
    floats(0.1, 3.0),
)
def test_imbalanced_labels_can_go_below_the_bound(impl, w, n, log_scales, l):
    """K = 3, all samples on W_1, W_2 = W_3 = −W_1: the loss log(1 + 2e^{−2l²}) is below B(3, l)."""
    scales = 10.0 ** np.array(log_scales)[:, None]  # w has largest entry 1: no underflow
    W = np.stack([w, -w, -w]) * scales[:3]
    H = np.repeat(w[None] * scales[3], n, axis=0)
    y = np.zeros(n, dtype=int)
    loss, rtol = impl.normalized_softmax_loss(W, H, y, l), margin_loss_rtol(len(w), l * l)
    inputs = {"W": W, "H": H, "l": l}
    assert_close(
        loss,
        math.log1p(2 * math.exp(-2 * l * l)),
        rtol=rtol,
        atol=margin_loss_atol(3, l * l),
        what="loss of the imbalanced collapse",
        inputs=inputs,
    )
    # B(3, l) − loss exceeds 2e-6 for 0.1 <= l <= 3 (3e-3 at l = 0.1, 2.7e-6 at l = 3),
    # far beyond the absolute round-off of either side (below 1e-12).
    atol = margin_loss_atol(3, l * l) + 8 * EPS
    assert_true(
        loss * (1 + rtol) + atol < impl.neural_collapse_bound(3, l),
        what="loss < B(3, l) without balance",
        inputs=inputs,
    )


@pytest.mark.claim
@given(labelled_features(natural=True))
def test_loss_and_bound_are_log_k_at_l_zero(impl, problem):
    """At l = 0 all logits vanish: the loss of any (W, H, y) and B(K, 0) both equal log K."""
    W, H, y = problem
    K = W.shape[0]
    inputs = {"W": W, "H": H, "y": y}
    assert_close(
        impl.normalized_softmax_loss(W, H, y, 0.0), math.log(K), what="loss at l = 0", inputs=inputs
    )
    assert_close(impl.neural_collapse_bound(K, 0.0), math.log(K), what="B(K, 0)", inputs=inputs)


@pytest.mark.claim
@given(st.integers(2, 50), floats(0.0, 1.0), floats(0.01, 1.0))
def test_bound_decreases_strictly_in_l(impl, K, l, step):
    """B(K, l + step) < B(K, l) for l >= 0 and step >= 0.01."""
    # The exponent K l²/(K−1) grows by at least 1e-4 over the step, and its relative
    # effect on B, x / ((1 + x) log(1 + x)) with x = (K−1) e^{−K l²/(K−1)}, is at least
    # 1 / log 50 > 0.25: B drops by 2e-5 relative at least; with l + step <= 2 the
    # exponent is at most 8, so B >= log(1 + e^-8) and the drop exceeds 6e-9, far beyond
    # the absolute round-off 8 u of log(1 + x) however it is evaluated.
    smaller, larger = impl.neural_collapse_bound(K, l + step), impl.neural_collapse_bound(K, l)
    assert_true(
        smaller < larger - 8 * EPS,
        what=f"B(K, l + step) = {smaller!r} < B(K, l) = {larger!r}",
        inputs={"K": K, "l": l, "step": step},
    )


@pytest.mark.claim
@given(st.integers(2, 50), floats(0.0, 40.0))
def test_bound_tends_to_zero_as_l_grows(impl, K, l):
    """0 <= B(K, l) <= (K − 1) exp(−K l²/(K − 1)), since log(1 + x) <= x, so B -> 0 as l -> ∞."""
    bound = impl.neural_collapse_bound(K, l)
    exponent = K * l * l / (K - 1)
    inputs = {"K": K, "l": l}
    assert_leq(0.0, bound, what="0 <= B(K, l)", inputs=inputs)
    # A few ulps on the exponent, both sides, become that many ulps times its size after exp.
    assert_leq(
        bound,
        (K - 1) * math.exp(-exponent),
        rtol=(4 * exponent + 8) * EPS,
        atol=4 * EPS,  # log(1 + x) may round 1 + x up by one ulp,
        what="B(K, l) <= (K − 1) exp(−K l²/(K − 1))",
        inputs=inputs,
    )


@pytest.mark.claim
@given(labelled_features(natural=True), norms)
def test_loss_matches_50_digit_evaluation(impl, problem, l):
    """The loss is the mean cross-entropy of the logits l² cos(W_c, h_i) (mpmath, 50 digits)."""
    W, H, y = problem
    _check_loss_against_50_digits(impl, W, H, y, l, margin_loss_atol(W.shape[0], l * l))


@pytest.mark.claim
@given(st.integers(2, 50), floats(0.0, 20.0))
def test_bound_is_the_formula(impl, K, l):
    """B(K, l) = log(1 + (K − 1) exp(−K l²/(K − 1)))."""
    exponent = K * l * l / (K - 1)
    # The exponent (up to 800) carries a few ulps, which exp turns into that many ulps times
    # its size, relative; log(1 + x) is then known to a few ulps absolutely.
    assert_close(
        impl.neural_collapse_bound(K, l),
        np.log1p((K - 1) * np.exp(-exponent)),
        rtol=(4 * exponent + 8) * EPS,
        atol=8 * EPS,
        what="B(K, l)",
        inputs={"K": K, "l": l},
    )


# --- numerics tier: accuracy and robustness at extreme inputs ---


@pytest.mark.numerics
@given(st.integers(2, 8), floats(1.4e154, 1e300))
def test_collapsed_loss_is_exactly_zero_where_l_squared_overflows(impl, K, l):
    """Features on their simplex-ETF class vectors have loss 0.0, no warning, once l² overflows."""
    W = impl.simplex_etf(K, K - 1)
    y = np.arange(K)
    assert_close(
        impl.normalized_softmax_loss(W, W, y, l),
        0.0,
        atol=0.0,
        what="loss at neural collapse, l beyond 1.4e154",
        inputs={"K": K, "l": l},
    )


@pytest.mark.numerics
@given(st.integers(2, 50), floats(1.4e154, 1e300))
def test_bound_is_exactly_zero_where_l_squared_overflows(impl, K, l):
    """B(K, l) = 0.0 without a warning for l ≥ 1.4e154, where l² exceeds the float range."""
    inputs = {"K": K, "l": l}
    assert_close(impl.neural_collapse_bound(K, l), 0.0, atol=0.0, what="B(K, l)", inputs=inputs)
    assert_close(
        impl.neural_collapse_bound(K, np.array([0.0, l])),
        [math.log(K), 0.0],
        rtol=4 * EPS,
        atol=0.0,
        what="B(K, [0, l])",
        inputs=inputs,
    )


@pytest.mark.numerics
@given(st.integers(2, 50), st.lists(floats(0.0, 30.0), min_size=1, max_size=6))
def test_bound_matches_50_digit_evaluation_on_a_batch_of_l(impl, K, ls):
    """B(K, l) for an array of l agrees entrywise with mpmath at 50 digits."""
    ls = np.array(ls)
    with mpmath.workdps(50):
        expected = [
            float(mpmath.log1p((K - 1) * mpmath.exp(-K * mpmath.mpf(x) ** 2 / (K - 1)))) for x in ls
        ]
    # The exponent K l²/(K−1) (up to 1800) carries a few ulps, which exp turns into
    # that many ulps times the exponent's size, relative.
    rtol = (4 * K * float(ls.max()) ** 2 / (K - 1) + 8) * EPS
    assert_close(
        impl.neural_collapse_bound(K, ls),
        expected,
        rtol=rtol,
        atol=FLOOR,
        what="B(K, l) against mpmath",
        inputs={"K": K, "l": ls},
    )


@pytest.mark.numerics
@given(labelled_features(), norms)
def test_loss_keeps_full_relative_accuracy_down_to_e_minus_800(impl, problem, l):
    """Against mpmath, the loss is relatively accurate even where it is as small as e^{−800}."""
    W, H, y = problem
    _check_loss_against_50_digits(impl, W, H, y, l, FLOOR)


# --- contract tier: the interface and the reference's choices among valid answers ---


@pytest.mark.contract
@given(st.integers(2, 8), st.integers(1, 8))
@example(K=3, d=1)  # d = K − 2, one short
def test_simplex_etf_rejects_invalid_sizes(impl, K, d):
    """K < 2, a non-integer K or d, and d < K − 1 raise ValueError naming the argument."""
    assert_rejects(impl.simplex_etf, 1, d, argument="K", because="K = 1")
    assert_rejects(
        impl.simplex_etf, K + 0.5, max(d, K), argument="K", because="K is not an integer"
    )
    assert_rejects(
        impl.simplex_etf, K, max(d, K) + 0.5, argument="d", because="d is not an integer"
    )
    if d < K - 1:
        assert_rejects(impl.simplex_etf, K, d, argument="d", because="d < K − 1")


@pytest.mark.contract
@given(labelled_features(), norms)
def test_normalized_softmax_loss_rejects_invalid_inputs(impl, problem, l):
    """Zero rows, a negative l, labels outside [0, K) or mismatched shapes raise ValueError."""
    W, H, y = problem
    K, d = W.shape
    zero_row = W.copy()
    zero_row[-1] = 0.0
    assert_rejects(
        impl.normalized_softmax_loss, zero_row, H, y, l, argument="W", because="W has a zero row"
    )
    assert_rejects(
        impl.normalized_softmax_loss, W, 0.0 * H, y, l, argument="H", because="H is zero"
    )
    assert_rejects(
        impl.normalized_softmax_loss,
        W,
        H[:, :-1] if d > 1 else np.hstack([H, H]),
        y,
        l,
        argument="H",
        because="H has the wrong number of columns",
    )
    assert_rejects(
        impl.normalized_softmax_loss, W, H, y, -l - 1.0, argument="l", because="l is negative"
    )
    assert_rejects(
        impl.normalized_softmax_loss, W, H, y + K, l, argument="y", because="labels are >= K"
    )
    assert_rejects(
        impl.normalized_softmax_loss, W, H, y[:-1], l, argument="y", because="one label too few"
    )


@pytest.mark.contract
@given(st.integers(2, 50), norms)
def test_neural_collapse_bound_rejects_invalid_inputs(impl, K, l):
    """K < 2, a non-integer K, and a negative or NaN l raise ValueError naming the argument."""
    assert_rejects(impl.neural_collapse_bound, 1, l, argument="K", because="K = 1")
    assert_rejects(
        impl.neural_collapse_bound, K + 0.5, l, argument="K", because="K is not an integer"
    )
    assert_rejects(impl.neural_collapse_bound, K, -l - 1.0, argument="l", because="l is negative")
    assert_rejects(impl.neural_collapse_bound, K, math.nan, argument="l", because="l is NaN")
