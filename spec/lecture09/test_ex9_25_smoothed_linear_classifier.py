r"""Exercise 9.25 — smoothing a linear classifier leaves it unchanged.

Statement
    Let f(x) = sign(wᵀx + b) and let g be its Gaussian smoothing,
    g(x) = the label c in {−1, +1} maximizing P(f(x + ε) = c), ε ~ N(0, σ² I).
    Then g(x) = f(x) at every x off the hyperplane wᵀx + b = 0, whatever σ > 0.

    .. math::

       P\bigl(f(x + \varepsilon) = +1\bigr) = \Phi\Bigl(\frac{w^\top x + b}{\sigma \|w\|}\Bigr),
       \qquad g(x) = \operatorname{sign}(w^\top x + b) = f(x) \quad (w^\top x + b \ne 0)

Assumptions
    w ≠ 0 (otherwise f is constant and there is no hyperplane) and σ > 0.  On the
    hyperplane f(x) = 0 while both labels have smoothed probability exactly 1/2:
    g has a tie there and the spec leaves its value open.

Natural range
    d <= 4, coordinates of w, x and b in [−10, 10], ‖w‖ > 1e-3, σ in
    [1e-3, 1e3] (Monte Carlo and PREDICT: ‖w‖ >= 0.1, σ in [0.1, 10]); Φ(x) on
    |x| <= 8.  The numerics tier takes Φ into its far tails (down to
    Φ(−38.4), subnormal) and σ up to 1e303, where Φ(t) rounds to 1/2 but the
    decision must still be the sign of the margin.

Argument
    wᵀε is a one-dimensional Gaussian N(0, σ²‖w‖²), so
        P(f(x + ε) = +1) = P(wᵀε > −(wᵀx + b)) = Φ((wᵀx + b) / (σ‖w‖)),
    with Φ the standard normal CDF.  Φ is strictly increasing with Φ(0) = 1/2,
    so this probability exceeds 1/2 exactly when wᵀx + b > 0: g(x) = f(x).
    Smoothing changes the confidence Φ(margin/σ), never the decision.

    The properties check the closed form against 50-digit arithmetic and against
    Monte Carlo, the decision against the exact sign of the margin, and Cohen
    et al.'s Monte-Carlo PREDICT against f.

Numerics
    Φ is evaluated to relative accuracy in the lower tail down to Φ(−37.5) ≈
    5e-308 (an erf-based 0.5·(1 + erf(x/√2)) returns 0 below x ≈ −8.3).  Its
    relative condition number is |x|·φ(x)/Φ(x) ≈ x² + 1 there, so a one-ulp
    change of x moves Φ(x) by (x² + 1)·u relatively (u = 2⁻⁵³): the tolerance.
    The margin wᵀx + b is computed exactly from the float inputs (``Fraction``);
    an implementation may err by the float64 dot-product rounding bound
    γ_{d+2}·(Σ|w_i x_i| + |b|) (Higham, §3.1), so the decision is required
    wherever the exact margin exceeds that bound.

Statistics
    Two properties are Monte Carlo; each makes its checks at false-alarm
    probability ≤ FALSE_ALARM = 1e-12 (derivations at the tests).

Errata
    The notes print Φ(x) = (1/(2π)) ∫_{−∞}^x e^{−t²/2} dt; the normalizing
    constant of the standard normal density is 1/√(2π).  The claim "f(x) = g(x)"
    needs x off the hyperplane, where f(x) = sign(0) = 0 is not a label.

References
    J. Cohen, E. Rosenfeld and J. Z. Kolter, Certified adversarial robustness via
    randomized smoothing, ICML 2019.
    N. J. Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., 2002.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special, stats

from spec.assertions import (
    assert_close,
    assert_leq,
    assert_rejects,
    assert_rejects_bad_arrays,
    assert_true,
)
from spec.lecture09._smoothing_support import (
    TINY,
    UNIT_ROUNDOFF,
    exact_margin,
    margin_rounding_bound,
    mp_norm,
    mp_value,
    phi_band,
    phi_error,
)
from spec.oracles import mp_phi
from spec.stats import FALSE_ALARM, binomial_interval
from spec.strategies import floats, log_uniform, seeds, vectors


@st.composite
def linear_problems(draw, sigma_range=(1e-3, 1e3), min_norm=1e-3, max_d=4):
    """(w, b, x, σ) with w ≠ 0, coordinates in [−10, 10] and σ log-uniform in ``sigma_range``."""
    d = draw(st.integers(1, max_d))
    w = draw(vectors(d).filter(lambda v: np.linalg.norm(v) > min_norm))
    return w, draw(floats(-10.0, 10.0)), draw(vectors(d)), draw(log_uniform(*sigma_range))


def _exact_scaled_margin(w, b, x, sigma):
    """t = (wᵀx + b)/(σ‖w‖) at 50 digits, from the exact margin."""
    return mp_value(exact_margin(w, b, x)) / (sigma * mp_norm(w))


def _scaled_margin_error(w, b, x, sigma):
    """How far a float64 evaluation of t may stray: the margin's rounding bound, plus
    ~(d + 4) roundings of ‖w‖, the division by σ and the division by ‖w‖."""
    t = abs(float(_exact_scaled_margin(w, b, x, sigma)))
    margin_error = margin_rounding_bound(w, b, x) / (sigma * np.linalg.norm(w))
    return 1.01 * margin_error + 4 * (len(w) + 4) * UNIT_ROUNDOFF * t


def _base_labels(w, b):
    """f as a Monte-Carlo classifier wants it: label 1 for wᵀz + b > 0, label 0 otherwise."""
    return lambda z: (z @ w + b > 0).astype(np.int64)


def _check_normal_cdf(impl, x):
    """Φ(x) within (x² + 1)·16u of its smaller tail of the 50-digit value: Φ's relative
    condition number there is ≈ x² + 1, so this is what a backward-stable Φ can promise."""
    assert_close(
        impl.normal_cdf(x),
        float(mp_phi(x)),
        rtol=0.0,
        atol=phi_error(x) + TINY,
        what="Φ(x) against mpmath",
        inputs={"x": x},
    )


def _probability_band(w, b, x, sigma):
    """[lo, hi] holding every faithful float64 evaluation of Φ((wᵀx + b)/(σ‖w‖))."""
    lo, hi = phi_band(_exact_scaled_margin(w, b, x, sigma), _scaled_margin_error(w, b, x, sigma))
    return float(lo), float(hi)


# Monte Carlo with n = 20000 noisy points.  The count k of points on the positive side is
# Bin(n, p) with p the float64 event's probability; the two-sided Clopper–Pearson interval at
# level FALSE_ALARM misses p with probability <= 1e-12 (one check per example).  The float
# event differs from the exact one only for points within rounding distance of the hyperplane:
# with σ, ‖w‖ >= 0.1 and coordinates <= 10 that band is < 1e-12 wide in units of σ‖w‖, so its
# Gaussian mass is < 1e-12 and the closed form may stray from p by at most the 1e-9 slack.
MC_SAMPLES = 20_000


@st.composite
def off_hyperplane_problems(draw):
    """(w, b, x, σ) as ``linear_problems``, with x off the hyperplane by more than float64
    rounding (b is moved by 1 inside the strategy otherwise, so the example shown on failure is
    the call that failed)."""
    w, b, x, sigma = draw(linear_problems())
    if abs(exact_margin(w, b, x)) <= margin_rounding_bound(w, b, x):
        b = b + 1.0
    return w, b, x, sigma


def _check_decision(impl, problem, scales):
    """g(x) = sign(wᵀx + b) at σ·scale for each scale."""
    w, b, x, sigma = problem
    margin = exact_margin(w, b, x)
    sign = 1 if margin > 0 else -1
    for scale in scales:
        g = impl.smoothed_linear_classifier(w, b, x, sigma * scale)
        assert_true(
            g == sign,
            what=f"g(x) = f(x) = {sign} at σ·{scale:g}, got {g!r}",
            inputs={"w": w, "b": b, "x": x, "sigma": sigma * scale, "margin": float(margin)},
        )


# PREDICT at alpha = FALSE_ALARM: by Cohen et al.'s Proposition 1 it returns a label other
# than g(x) with probability <= alpha = 1e-12.  The base classifier is evaluated in float64,
# which changes P(f(x + ε) = +1) by < 1e-9 (see above), less than |Φ(t) − 1/2| for |t| >= 1e-3,
# so g(x) is still f(x).  Second check, for power: PREDICT must answer (not abstain) when
# abstaining is itself a 1e-12 event.  With two classes n_A + n_B = n, and the two-sided test
# rejects exactly when n_A >= k_crit (the least k with 2 P(Bin(n, 1/2) >= k) <= alpha;
# k_crit = 272 for n = 400); so PREDICT abstains with probability P(Bin(n, p_A) < k_crit),
# evaluated below with p_A lowered by the 1e-9 float slack (< 1e-33 once p_A >= 0.9).
PREDICT_SAMPLES = 400
PREDICT_CRITICAL = next(
    k
    for k in range(PREDICT_SAMPLES + 1)
    if 2 * stats.binom.sf(k - 1, PREDICT_SAMPLES, 0.5) <= FALSE_ALARM
)


@st.composite
def predict_problems(draw):
    """(w, b, x, σ) for PREDICT, with |t| >= 1e-3: b is moved about one σ inside the strategy
    otherwise, so the example shown on failure is the call that failed."""
    w, b, x, sigma = draw(linear_problems(sigma_range=(0.1, 10.0), min_norm=0.1))
    if abs(_exact_scaled_margin(w, b, x, sigma)) < 1e-3:
        b = b + sigma * np.linalg.norm(w)
    return w, b, x, sigma


# --- claim tier: the exercise's mathematics on its natural range ---


@pytest.mark.claim
@given(st.one_of(floats(-8.0, 8.0), st.sampled_from([-8.0, -1.0, 0.0, 1.0, 8.0])))
def test_normal_cdf_matches_50_digit_evaluation(impl, x):
    """Φ(x) agrees with mpmath to (x² + 1)·16u of its smaller tail on |x| <= 8."""
    _check_normal_cdf(impl, x)


@pytest.mark.claim
@given(linear_problems())
def test_smoothed_probability_is_normal_cdf_of_the_scaled_margin(impl, problem):
    """P(wᵀ(x + ε) + b > 0) = Φ((wᵀx + b)/(σ‖w‖)) to float64 accuracy, against 50 digits."""
    w, b, x, sigma = problem
    lo, hi = _probability_band(w, b, x, sigma)
    value = impl.smoothed_linear_probability(w, b, x, sigma)
    inputs = {"w": w, "b": b, "x": x, "sigma": sigma}
    assert_leq(lo, value, atol=TINY, what="Φ(t − rounding) <= P", inputs=inputs)
    assert_leq(value, hi, atol=TINY, what="P <= Φ(t + rounding)", inputs=inputs)


@pytest.mark.claim
@given(linear_problems(sigma_range=(0.1, 10.0), min_norm=0.1), seeds)
def test_smoothed_probability_agrees_with_monte_carlo(impl, problem, seed):
    """Φ((wᵀx + b)/(σ‖w‖)) lies in the Clopper–Pearson interval (level 1e-12) of the noisy count."""
    w, b, x, sigma = problem
    rng = np.random.default_rng(seed)
    points = x + sigma * rng.standard_normal((MC_SAMPLES, len(w)))
    k = int(np.count_nonzero(points @ w + b > 0))
    lo, hi = binomial_interval(k, MC_SAMPLES, FALSE_ALARM)
    value = impl.smoothed_linear_probability(w, b, x, sigma)
    inputs = {"w": w, "b": b, "x": x, "sigma": sigma, "k": k, "n": MC_SAMPLES}
    assert_leq(lo, value, atol=1e-9, what="Clopper–Pearson lower end <= P", inputs=inputs)
    assert_leq(value, hi, atol=1e-9, what="P <= Clopper–Pearson upper end", inputs=inputs)


@pytest.mark.claim
@given(off_hyperplane_problems())
def test_smoothed_classifier_equals_the_base_classifier_off_the_hyperplane(impl, problem):
    """g(x) = sign(wᵀx + b) for every σ > 0 wherever the exact margin exceeds float64 rounding."""
    _check_decision(impl, problem, (1e-3, 1.0, 1e3))


@pytest.mark.claim
@given(predict_problems(), seeds)
def test_monte_carlo_prediction_never_contradicts_the_base_classifier(impl, problem, seed):
    """Cohen et al.'s PREDICT on sign(wᵀx + b) returns f(x) or abstains, never −f(x)."""
    w, b, x, sigma = problem
    t = float(_exact_scaled_margin(w, b, x, sigma))
    label = impl.smoothed_predict(
        _base_labels(w, b), x, sigma, PREDICT_SAMPLES, FALSE_ALARM, np.random.default_rng(seed)
    )
    inputs = {"w": w, "b": b, "x": x, "sigma": sigma, "t": t, "seed": seed}
    assert_true(
        label in (int(t > 0), -1),
        what=f"PREDICT returns f(x) or abstains, got {label}",
        inputs=inputs,
    )
    p_a = special.ndtr(abs(t)) - 1e-9
    if stats.binom.cdf(PREDICT_CRITICAL - 1, PREDICT_SAMPLES, p_a) <= FALSE_ALARM:
        assert_true(
            label == int(t > 0),
            what="PREDICT answers when abstaining is a 1e-12 event",
            inputs=inputs,
        )


# --- numerics tier: accuracy and robustness at extreme inputs ---


@pytest.mark.numerics
@given(
    st.one_of(
        floats(-40.0, 40.0),
        st.sampled_from([-38.4, -37.5, -30.0, -20.0, -8.3, -1e-300, 1e-300, 8.3, 38.0]),
    )
)
def test_normal_cdf_keeps_its_accuracy_in_the_far_tails(impl, x):
    """Φ(x) agrees with mpmath in the far tails too (Φ(−30) ≈ 5e-198; Φ(−38.4) is subnormal)."""
    _check_normal_cdf(impl, x)


@pytest.mark.numerics
@given(off_hyperplane_problems())
def test_smoothed_classifier_keeps_the_sign_where_the_probability_rounds_to_a_half(impl, problem):
    """At σ·1e300, Φ(t) rounds to 1/2, but g(x) must still be sign(wᵀx + b)."""
    _check_decision(impl, problem, (1e300,))


# --- contract tier: the interface and the reference's choices among valid answers ---


@pytest.mark.contract
@given(vectors(st.integers(1, 6), -40.0, 40.0))
def test_normal_cdf_is_elementwise_with_limits(impl, xs):
    """On an array Φ works elementwise; Φ(−∞) = 0, Φ(0) = 1/2 and Φ(+∞) = 1 exactly."""
    batch = np.concatenate([xs, [-np.inf, 0.0, np.inf]])
    expected = [impl.normal_cdf(float(v)) for v in xs] + [0.0, 0.5, 1.0]
    # Batch and single evaluations may take different code paths: a few ulp apart at most.
    assert_close(
        impl.normal_cdf(batch),
        np.array(expected),
        rtol=4 * UNIT_ROUNDOFF,
        atol=0,
        what="Φ on a batch",
        inputs={"x": batch},
    )


@pytest.mark.contract
@given(linear_problems(), st.integers(1, 5))
def test_smoothed_linear_functions_work_row_by_row_on_batches(impl, problem, rows):
    """On a batch (m, d) each row gets its own probability and label; one point gives an int."""
    w, b, x, sigma = problem
    batch = np.stack([x * (1.0 + 0.5 * i) - i for i in range(rows)])
    inputs = {"w": w, "b": b, "x": batch, "sigma": sigma}
    label = impl.smoothed_linear_classifier(w, b, x, sigma)
    assert_true(
        isinstance(label, int | np.integer) and label in (-1, 1),
        what=f"g(x) at one point is the int −1 or +1, got {label!r}",
        inputs={"w": w, "b": b, "x": x, "sigma": sigma},
    )
    probabilities = impl.smoothed_linear_probability(w, b, batch, sigma)
    labels = impl.smoothed_linear_classifier(w, b, batch, sigma)
    assert_true(
        np.shape(probabilities) == (rows,) and np.shape(labels) == (rows,),
        what="one value per row",
        inputs=inputs,
    )
    for i, row in enumerate(batch):
        lo, hi = _probability_band(w, b, row, sigma)
        assert_leq(lo, probabilities[i], atol=TINY, what=f"row {i}: band <= P", inputs=inputs)
        assert_leq(probabilities[i], hi, atol=TINY, what=f"row {i}: P <= band", inputs=inputs)
        margin = exact_margin(w, b, row)
        if abs(margin) > margin_rounding_bound(w, b, row):
            assert_true(
                labels[i] == (1 if margin > 0 else -1), what=f"row {i}: g = f", inputs=inputs
            )


@pytest.mark.contract
@settings(max_examples=10)
@given(linear_problems(), st.sampled_from([0.0, -1.0, np.nan, np.inf]))
def test_rejects_invalid_inputs(impl, problem, bad_sigma):
    """NaN or text points, NaN or 2-D w and b, zero w, bad x, σ <= 0 raise naming the argument."""
    w, b, x, sigma = problem
    assert_rejects(impl.normal_cdf, np.array([0.0, np.nan]), argument="x", because="x has a NaN")
    assert_rejects(impl.normal_cdf, ["0.5", "not a number"], argument="x", because="x holds text")
    because = f"σ = {bad_sigma} is not a positive finite number"
    assert_rejects(
        impl.smoothed_linear_probability, w, b, x, bad_sigma, argument="sigma", because=because
    )
    assert_rejects(
        impl.smoothed_linear_classifier, w, b, x, bad_sigma, argument="sigma", because=because
    )
    for function in (impl.smoothed_linear_probability, impl.smoothed_linear_classifier):
        assert_rejects(function, np.zeros_like(w), b, x, 1.0, argument="w", because="w = 0")
        assert_rejects(
            function, w, b, np.append(x, 0.0), 1.0, argument="x", because="x has d + 1 entries"
        )
        assert_rejects(
            function, w, b, np.full_like(x, np.nan), 1.0, argument="x", because="x is NaN"
        )
        assert_rejects(  # a scalar x
            function, w[:1], b, x[0], 1.0, argument="x", because="x is a scalar, not (d,)"
        )
        assert_rejects_bad_arrays(
            function, w, b, x, sigma, names=("w", "b", "x", "sigma"), batched=("x",)
        )
