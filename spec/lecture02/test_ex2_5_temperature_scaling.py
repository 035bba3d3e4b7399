r"""Exercise 2.5 — scaling a bias-free softmax classifier never lowers its confidence.

Statement
    A linear classifier without bias scores the K classes of a feature vector h by
    the logits z = W h (W has the K class vectors as rows) and predicts
    argmax_i z_i.  Its confidence at scale s > 0 is the largest softmax probability
        c(s) = max_i softmax(s z)_i = 1 / sum_j exp(s (z_j - max z)).
    Claim: c(s) >= c(1) for every s > 1.  More generally c is non-decreasing on
    (0, ∞), strictly unless all K logits are equal; the predicted class does not
    depend on s; c(s) -> 1/K as s -> 0⁺ and c(s) -> 1/r as s -> ∞, where r is the
    number of classes tied at the largest logit.  Without the bias assumption the
    claim is false.

    .. math::

       c(s) = \max_i \operatorname{softmax}(s z)_i = \frac{1}{\sum_j e^{-s (z_{i^*} - z_j)}},
       \qquad z = W h, \quad i^* = \operatorname*{arg\,max}_i z_i

       c(s) \ge c(1) \ \ (s > 1), \qquad \lim_{s \to 0^+} c(s) = \frac{1}{K}, \qquad
       \lim_{s \to \infty} c(s) = \frac{1}{r}

Assumptions
    W is a real K x d matrix, h a real d-vector, s a positive real; no bias term.
    Scaling the logits by s is the same as scaling the feature h (s W h = W (s h)),
    or dividing them by a temperature T = 1/s.

Natural range
    K ≤ 6 classes, d ≤ 4, entries of W and h in [-10, 10] (small integers where the
    logits must be exact), scales s from 1e-3 to 1e3, and from 1e-300 to 1e300 where the
    logits tie or their gaps are integers (a max-subtracted softmax is exact there).
    Scales beyond 1e300, where s·gap overflows, are numerics.

Argument
    Since s > 0 preserves the order of the logits, the argmax of s z is the argmax
    i* of z at every scale, and c(s) = softmax(s z)_{i*}.  Write g_j = z_{i*} - z_j
    >= 0 for the gaps to the top logit; then
        c(s) = 1 / sum_j exp(-s g_j),
    and each term exp(-s g_j) is non-increasing in s, strictly decreasing when g_j > 0.
    Hence c is non-decreasing, strictly increasing as soon as one logit is below
    the top, and constant (= 1/K) when all logits are equal.  In particular
    c(s) >= c(1) for s > 1, which is inequality (2) of the exercise.  The limits
    follow termwise: as s -> 0⁺ every term tends to 1, so c -> 1/K, and indeed
    1/K <= c(s) <= exp(s max_j g_j)/K; as s -> ∞ the terms with g_j > 0 vanish
    and the r terms with g_j = 0 stay 1, so c -> 1/r.
    With a bias b the logits s z + b are no longer a rescaling of fixed logits:
    the ranking of s z_i + b_i can change with s and c can drop.  For example
    K = 2, W = (1, 0)ᵀ, b = (0, 2), h = 1 gives logits (s, 2), so c(1) = σ(1) ≈ 0.73
    but c(2) = 1/2.  The last property lets Hypothesis discover such a case.

Numerics
    The logits are computed in float64, so every comparison allows the round-off
    of a length-d dot product amplified by s (see ``confidence_rtol``).  The
    oracle is mpmath at 50 digits on the exact inputs.  Scales run from 1e-300 to
    1e300: an implementation exponentiating s z without subtracting the maximum
    overflows.

References
    F. Wang, X. Xiang, J. Cheng, A. L. Yuille, "NormFace: L2 hypersphere embedding
    for face verification", ACM Multimedia 2017 (Section 3, the scaling argument).
    C. Guo, G. Pleiss, Y. Sun, K. Q. Weinberger, "On calibration of modern neural
    networks", ICML 2017 (temperature scaling).
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import Phase, assume, find, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from spec.assertions import assert_close, assert_leq, assert_rejects, assert_true
from spec.lecture02._margins_support import EPS
from spec.strategies import floats, matrices, vectors

#: Scales s drawn log-uniformly over six orders of magnitude.
scales = floats(-3.0, 3.0).map(lambda e: 10.0**e)


@st.composite
def classifiers(draw, lo=-10.0, hi=10.0, k_min=1):
    """(W, h): K x d class vectors and one feature vector, entries in [lo, hi]."""
    K, d = draw(st.integers(k_min, 6)), draw(st.integers(1, 4))
    return draw(matrices(K, d, lo, hi)), draw(vectors(d, lo, hi))


@st.composite
def integer_classifiers(draw, k_min=1):
    """(W, h) with small integer entries, so that the logits W h are exact in float64."""
    K, d = draw(st.integers(k_min, 6)), draw(st.integers(1, 4))
    W = draw(hnp.arrays(np.float64, (K, d), elements=st.integers(-5, 5).map(float)))
    return W, draw(hnp.arrays(np.float64, d, elements=st.integers(-5, 5).map(float)))


def confidence_rtol(W, h, s):
    """Relative round-off of c(s) computed in float64.

    A logit z_i is a length-d dot product, off by at most d eps sum_j |W_ij h_j| <= d eps A;
    a gap to the top logit, with its own rounding and that of the product by s, by at most
    (2d + 4) eps A with A the largest sum_j |W_ij h_j|.  Since d log c / d(s g_j) lies in
    [-1, 0], c is off by s (2d + 4) eps A relative, plus K + 4 ulps for the sum of
    exponentials and the division.
    """
    K, d = W.shape
    A = float(np.abs(W * h).sum(axis=1).max())
    return s * (2 * d + 4) * EPS * A + (K + 4) * EPS


def mp_confidence(W, h, s):
    """c(s) at 50 digits: the softmax probability, at scale s, of the argmax of the exact logits."""
    with mpmath.workdps(50):
        z = [
            mpmath.fsum(mpmath.mpf(a) * mpmath.mpf(b) for a, b in zip(row, h, strict=True))
            for row in W
        ]
        top = max(z)
        return float(1 / mpmath.fsum(mpmath.exp(s * (zj - top)) for zj in z))


def biased_confidence(impl, W, b, h, s):
    """Confidence of the biased logits s W h + b, through the contract: they are the bias-free
    logits of the class vectors [s W | b] on the feature (h, 1)."""
    return impl.softmax_confidence(np.hstack([s * W, b[:, None]]), np.append(h, 1.0))


# --- claim tier: the exercise's mathematics on its natural range ---


@pytest.mark.claim
@given(classifiers(), floats(1.0, 1e3, exclude_min=True))
def test_confidence_at_scale_above_one_is_at_least_confidence_at_scale_one(impl, Wh, s):
    """c(s) >= c(1) for every s > 1, with c(1) from the default scale (inequality (2))."""
    W, h = Wh
    rtol = confidence_rtol(W, h, s) + confidence_rtol(W, h, 1.0)
    assert_leq(
        impl.softmax_confidence(W, h),
        impl.softmax_confidence(W, h, s),
        rtol=rtol,
        what="c(1) <= c(s)",
        inputs={"W": W, "h": h, "s": s},
    )


@pytest.mark.claim
@given(classifiers(), scales, scales)
def test_confidence_is_non_decreasing_in_scale(impl, Wh, s1, s2):
    """For 0 < s1 <= s2, c(s1) <= c(s2)."""
    W, h = Wh
    s1, s2 = sorted((s1, s2))
    rtol = confidence_rtol(W, h, s1) + confidence_rtol(W, h, s2)
    assert_leq(
        impl.softmax_confidence(W, h, s1),
        impl.softmax_confidence(W, h, s2),
        rtol=rtol,
        what="c(s1) <= c(s2)",
        inputs={"W": W, "h": h, "s1": s1, "s2": s2},
    )


@pytest.mark.claim
@given(integer_classifiers(k_min=2), floats(0.01, 5.0), floats(1.5, 4.0))
def test_confidence_increases_strictly_unless_all_logits_are_equal(impl, Wh, a, ratio):
    """If some logit is below the top one, c(s2) > c(s1) for s2 = ratio * s1, ratio >= 1.5."""
    W, h = Wh
    z = W @ h  # exact: small integers
    gaps = z.max() - z
    assume(gaps.max() > 0)
    # With s1 = a / (smallest positive gap), c(s2) - c(s1) >= e^-5 (1 - e^-0.005) / K^2 > 1e-7,
    # far above round-off, so a strict comparison beyond round-off is fair.
    s1 = a / gaps[gaps > 0].min()
    s2 = ratio * s1
    c1, c2 = impl.softmax_confidence(W, h, s1), impl.softmax_confidence(W, h, s2)
    assert_true(
        c2 > c1 * (1 + confidence_rtol(W, h, s1) + confidence_rtol(W, h, s2)),
        what=f"c(s2) = {c2!r} > c(s1) = {c1!r}",
        inputs={"W": W, "h": h, "s1": s1, "s2": s2},
    )


@pytest.mark.claim
@given(integer_classifiers(), st.integers(1, 6), floats(-300.0, 300.0).map(lambda e: 10.0**e))
def test_confidence_is_one_over_k_at_every_scale_when_all_logits_are_equal(impl, Wh, K, s):
    """With K identical class vectors the logits tie and c(s) = 1/K for every s > 0."""
    row, h = Wh[0][:1], Wh[1]
    W = np.repeat(row, K, axis=0)
    assert_close(
        impl.softmax_confidence(W, h, s),
        1.0 / K,
        rtol=(K + 4) * EPS,
        atol=0.0,
        what="c(s) with tied logits",
        inputs={"W": W, "h": h, "s": s},
    )


@pytest.mark.claim
@given(classifiers(), scales)
def test_confidence_is_the_probability_of_the_unscaled_argmax(impl, Wh, s):
    """c(s) = softmax(s W h)_{i*} with i* = argmax W h: the predicted class does not move with s."""
    W, h = Wh
    assert_close(
        impl.softmax_confidence(W, h, s),
        mp_confidence(W, h, s),
        rtol=confidence_rtol(W, h, s),
        atol=0.0,
        what="c(s) against mpmath",
        inputs={"W": W, "h": h, "s": s},
    )


@pytest.mark.claim
@given(classifiers(), floats(-300.0, -6.0).map(lambda e: 10.0**e))
def test_confidence_tends_to_one_over_k_as_scale_vanishes(impl, Wh, s):
    """1/K <= c(s) <= exp(s G)/K with G the largest logit gap, so c(s) -> 1/K as s -> 0⁺."""
    W, h = Wh
    K = W.shape[0]
    z = W @ h
    spread = s * float(z.max() - z.min()) * (1 + 4 * EPS) + confidence_rtol(W, h, s)
    c = impl.softmax_confidence(W, h, s)
    inputs = {"W": W, "h": h, "s": s}
    assert_leq(1.0 / K, c, rtol=(K + 4) * EPS, what="1/K <= c(s)", inputs=inputs)
    assert_leq(c, math.exp(spread) / K, what="c(s) <= exp(s G)/K", inputs=inputs)


@pytest.mark.claim
@given(integer_classifiers(), floats(math.log10(40.0), 300.0).map(lambda e: 10.0**e))
def test_confidence_tends_to_one_over_the_number_of_tied_maxima_as_scale_grows(impl, Wh, s):
    """c(s) = 1/r up to K e^-s, r the number of tied top logits (other gaps are integers >= 1)."""
    W, h = Wh
    z = W @ h  # exact: small integers
    r = int(np.sum(z == z.max()))
    # c(s) = 1 / (r + sum over untied j of e^(-s g_j)), g_j >= 1, so |c r - 1| <= K e^-s.
    assert_close(
        impl.softmax_confidence(W, h, s),
        1.0 / r,
        rtol=W.shape[0] * math.exp(-s) + 4 * EPS,
        atol=0.0,
        what=f"c(s) against 1/r with r = {r}",
        inputs={"W": W, "h": h, "s": s},
    )


@pytest.mark.claim
def test_a_bias_can_make_confidence_drop_as_scale_grows(impl):
    """With a bias, Hypothesis finds (W, b, h, s > 1) whose confidence at s is below that at 1."""

    @st.composite
    def biased_classifiers(draw):
        W, h = draw(classifiers(-3.0, 3.0, k_min=2))
        b = draw(vectors(W.shape[0], -3.0, 3.0))
        return W, b, h, draw(floats(1.0, 10.0, exclude_min=True))

    def loses_confidence(case):
        W, b, h, s = case
        # 1e-6 is far above round-off (about 1e-13 at these magnitudes): a genuine drop.
        return biased_confidence(impl, W, b, h, s) < biased_confidence(impl, W, b, h, 1.0) - 1e-6

    W, b, h, s = find(
        biased_classifiers(),
        loses_confidence,
        # Shrinking would only polish the example; generation alone keeps this fast.
        settings=settings(
            max_examples=1000, database=None, derandomize=True, phases=[Phase.generate]
        ),
    )
    assert_true(
        not loses_confidence((W, 0.0 * b, h, s)),
        what="the same case without its bias keeps its confidence",
        inputs={"W": W, "b": b, "h": h, "s": s},
    )


# --- numerics tier: accuracy and robustness at extreme inputs ---


@pytest.mark.numerics
@given(st.integers(2, 6), floats(1e300, 1.7e308))
def test_confidence_is_one_when_the_scaled_gaps_overflow(impl, K, s):
    """With logits 0, -1, ..., -(K-1) and s ≥ 1e300, s·gap overflows to -inf: confidence 1."""
    W, h = -np.arange(float(K))[:, None], np.ones(1)
    assert_close(
        impl.softmax_confidence(W, h, s), 1.0, rtol=0.0, what="confidence", inputs={"s": s}
    )


@pytest.mark.numerics
@settings(max_examples=5)  # the same overflow at a few sizes
@given(st.integers(1, 4))
def test_overflowing_logits_are_reported_without_a_warning_first(impl, d):
    """Logits W h beyond the float range raise ValueError with no overflow warning before it."""
    with pytest.raises(ValueError):
        impl.softmax_confidence(1e200 * np.ones((2, d)), 1e200 * np.ones(d))


# --- contract tier: the interface and the reference's choices among valid answers ---


@pytest.mark.contract
@given(classifiers(), st.integers(1, 3), st.integers(1, 3), scales, st.data())
def test_confidence_works_rowwise_on_batches(impl, Wh, rows, cols, s, data):
    """For h of shape (B1, B2, d), c has shape (B1, B2) and each entry is c of that feature."""
    W, _ = Wh
    d = W.shape[1]
    H = data.draw(hnp.arrays(np.float64, (rows, cols, d), elements=floats(-10.0, 10.0)))
    batch = impl.softmax_confidence(W, H, s)
    single = np.array([[impl.softmax_confidence(W, h, s) for h in row] for row in H])
    rtol = 2 * max(confidence_rtol(W, h, s) for h in H.reshape(-1, d))
    assert_close(
        batch,
        single,
        rtol=rtol,
        atol=0.0,
        what="c on a batch against one by one",
        inputs={"W": W, "H": H, "s": s},
    )


@pytest.mark.contract
@given(classifiers(k_min=2), st.sampled_from([0.0, -1.0, math.nan, math.inf]))
def test_rejects_invalid_inputs(impl, Wh, bad_scale):
    """s <= 0, NaN or infinite, a wrong-sized or NaN h, or a non-matrix W raise ValueError."""
    W, h = Wh
    assert_rejects(
        impl.softmax_confidence,
        W,
        h,
        bad_scale,
        argument="s",
        because="s is not a positive finite number",
    )
    assert_rejects(
        impl.softmax_confidence, W, np.append(h, 1.0), argument="h", because="h has d + 1 entries"
    )
    assert_rejects(
        impl.softmax_confidence, W, np.full_like(h, np.nan), argument="h", because="h is NaN"
    )
    assert_rejects(impl.softmax_confidence, W[0], h, argument="W", because="W is a vector")


@pytest.mark.contract
@settings(max_examples=5)  # validation at the boundary: a few sizes show it
@given(st.integers(1, 4))
def test_rejects_scalar_h_classless_w_and_overflowing_logits_by_name(impl, d):
    """A 0-d h, a W with no rows, or logits W h beyond the float range raise naming W and h."""
    W, h = np.ones((2, d)), np.ones(d)
    assert_rejects(impl.softmax_confidence, W, 1.0, argument="h", because="h is a scalar")
    assert_rejects(
        impl.softmax_confidence, np.ones((0, d)), h, argument="W", because="W has no rows"
    )
    for name in ("W", "h"):
        assert_rejects(
            impl.softmax_confidence,
            1e200 * W,
            1e200 * h,
            argument=name,
            because="the logits W h overflow",
        )
        # inf - inf inside W h: a NaN logit, reported like an overflow
        cancelling = 1e200 * np.array([[1.0, -1.0], [1.0, 1.0]])
        assert_rejects(
            impl.softmax_confidence,
            cancelling,
            1e200 * np.ones(2),
            argument=name,
            because="W h is inf − inf",
        )
