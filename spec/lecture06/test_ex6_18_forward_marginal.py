r"""Exercise 6.18 — the forward marginal q(x_t | x_0) of a diffusion model.

Statement
    The encoder of a variational diffusion model adds Gaussian noise step by
    step: x_t = sqrt(alpha_t) x_{t-1} + sqrt(1 - alpha_t) eps_t with eps_t ~ N(0, I)
    independent of the past.  Unrolling the recursion, every x_t is a
    Gaussian perturbation of x_0 with
        q(x_t | x_0) = N(sqrt(alpha_bar_t) x_0, (1 - alpha_bar_t) I),
        alpha_bar_t = alpha_1 alpha_2 ... alpha_t.
    The step to prove: two independent noises merge into one,
        sqrt(alpha_t - alpha_t alpha_{t-1}) eps_1 + sqrt(1 - alpha_t) eps_2
            ~ sqrt(1 - alpha_t alpha_{t-1}) eps.

    .. math::

       q(x_t \mid x_0) = \mathcal{N}\bigl(\sqrt{\bar\alpha_t}\, x_0, (1 - \bar\alpha_t) I\bigr),
       \qquad \bar\alpha_t = \prod_{s=1}^t \alpha_s

       \sqrt{\alpha_t - \alpha_t \alpha_{t-1}}\, \epsilon_1 + \sqrt{1 - \alpha_t}\, \epsilon_2
       \overset{d}{=} \sqrt{1 - \alpha_t \alpha_{t-1}}\, \epsilon

Assumptions
    Time is 1-based, ``alphas[t - 1]`` is alpha_t in (0, 1), alpha_bar_0 = 1.
    All noises are standard normal, independent of each other and of x_0.
    A schedule has T >= 1 steps: an empty one is rejected (the step-count rule).

Natural range
    Schedules of 1 <= T <= 12 steps with alpha_t in [1e-6, 1 - 1e-6] (so alpha_bar_T >= 1e-72
    and consecutive alpha_bars differ by a factor <= 1 - 1e-6); alpha_bar_t for
    forward_sample in the same range or exactly 1; data and noise entries in [-10, 10].

Argument
    eps_1 and eps_2 are independent N(0, I), so any linear combination
    a eps_1 + b eps_2 is Gaussian with mean 0 and covariance (a^2 + b^2) I
    (the variance of a sum of independent terms is the sum of the variances;
    a sum of independent Gaussians is Gaussian, e.g. by characteristic
    functions).  With a^2 = alpha_t - alpha_t alpha_{t-1} and b^2 = 1 - alpha_t,
    a^2 + b^2 = 1 - alpha_t alpha_{t-1}: lines 3 and 4 of (5) agree in
    distribution.  By induction, x_t = sqrt(alpha_bar_t) x_0 + sum_s c_s eps_s with
    sum_s c_s^2 = 1 - alpha_bar_t: indeed if this holds at t - 1, one more step
    multiplies every coefficient by sqrt(alpha_t) and adds the new noise's
    coefficient sqrt(1 - alpha_t), so the noise variance becomes
    alpha_t (1 - alpha_bar_{t-1}) + 1 - alpha_t = 1 - alpha_bar_t.

    The tests exploit that ``forward_step`` acts elementwise and linearly:
    fed with the coefficient vector of x_{t-1} on the basis (x_0, eps_1, ...,
    eps_{t-1}) and the basis vector of eps_t as noise, it returns the
    coefficient vector of x_t.  Mean and variance are then propagated exactly,
    with no sampling.  Two further properties follow: alpha_bar is strictly
    decreasing when every alpha_t < 1, and if x_0 has unit variance (and is
    independent of the noise) then so does every x_t, since
    alpha_bar_t + (1 - alpha_bar_t) = 1.

Statistical checks
    Two properties also sample: n = 20000 draws pass a Kolmogorov–Smirnov
    test against the exact normal CDF (scipy ``ndtr``).  By the
    Dvoretzky–Kiefer–Wolfowitz inequality with Massart's constant,
    P(sup_x |F_n(x) - F(x)| > r) <= 2 exp(-2 n r^2), so the radius
    r = sqrt(log(2 / 1e-12) / (2 n)) ≈ 0.027 (``spec.stats.dkw_halfwidth``)
    false-alarms with probability <= 1e-12 per check (one check per example).

Numerics
    Tolerances hold for any backward-stable float64 evaluation (u = 2^-53).  alpha_bar_t is
    checked relative to itself, allowing both a running product (t roundings) and
    exp(cumsum(log alpha)) (whose exponent errs by ~(t + 1) u |log alpha_bar_t| absolutely):
    2u (t + 2 + (t + 1) |log alpha_bar_t|), at most ~1e-12 here.  Combinations
    sqrt(a) x + sqrt(1 - a) eps are checked to 16u of |sqrt(a) x| + |sqrt(1 - a) eps| (the
    sum may cancel); products of t square roots to 8 t u relative (all terms positive).

Errata
    In (5) the "=" between lines 3 and 4 is an equality in distribution, not of
    random variables: the eps_{t-2} of line 4 is a new standard normal, not the
    eps_{t-2} of line 3.

References
    C. Luo, "Understanding Diffusion Models: A Unified Perspective", 2022, section
    "Variational Diffusion Models".
    J. Ho, A. Jain and P. Abbeel, "Denoising Diffusion Probabilistic Models", 2020, eq. (4).
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import special

from spec.assertions import (
    assert_close,
    assert_leq,
    assert_rejects,
    assert_rejects_bad_arrays,
    assert_true,
)
from spec.lecture06._diffusion_support import (
    ALPHA,
    UNIT_ROUNDOFF,
    alpha_schedules,
    assert_close_to_terms,
    exact_alpha_bar,
    mp_alpha_bar,
)
from spec.stats import dkw_halfwidth
from spec.strategies import floats, seeds

#: Samples per Kolmogorov–Smirnov check; radius ≈ 0.027 at false alarm 1e-12.
N_SAMPLES = 20_000


def _product_rtol(t: int) -> float:
    """Relative error allowed for a product of t factors, each a square root or a step.

    Each factor is a correctly rounded square root of a number that rounded at most once
    (1 - alpha): <= 1.5u relative; the product adds u per factor, a square doubles it and a
    sum of t positive terms adds t u: <= 6 t u.  8 t u leaves room for any sensible order.
    """
    return 8.0 * t * UNIT_ROUNDOFF


def _alpha_bar_rtol(t: int, alpha_bar: mpmath.mpf) -> float:
    """Relative error allowed for alpha_bar_t, valid for a product and for exp(cumsum(log alpha)).

    A running product rounds t times: <= t u.  Through logarithms, each log alpha_i errs by
    <= 2u |log alpha_i| (a libm log is within one ulp), the cumulative sum of t terms of one
    sign by <= (t - 1) u |log alpha_bar_t|, and exp turns that absolute error of the exponent
    into a relative one and rounds (<= 2u): <= (t + 1) u |log alpha_bar_t| + 2u.  Twice the
    sum of both bounds; on the natural range |log alpha_bar_t| <= 166, so <= 1e-12.
    """
    return 2.0 * UNIT_ROUNDOFF * (t + 2 + (t + 1) * abs(float(mpmath.log(alpha_bar))))


#: sqrt, 1 - alpha, two products and a sum each round once: a few ulp of the
#: terms' magnitude; 16 ulp leaves room for any sensible float64 arrangement.
TERMS_RTOL = 16.0 * UNIT_ROUNDOFF

#: Two batches of two 3-vectors (data and noise); 1-D inputs appear in the other tests.
same_shape_pairs = hnp.arrays(
    np.float64, (2, 2, 3), elements=floats(-10.0, 10.0), fill=st.nothing()
).map(tuple)


def _mp_combination(alpha: float, x: np.ndarray, eps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sqrt(alpha) x + sqrt(1 - alpha) eps at 50 digits, |first term| + |second term|)."""
    a, b = mpmath.sqrt(mpmath.mpf(alpha)), mpmath.sqrt(1 - mpmath.mpf(alpha))
    value = [
        float(a * mpmath.mpf(u) + b * mpmath.mpf(v)) for u, v in zip(x.flat, eps.flat, strict=True)
    ]
    return np.reshape(value, x.shape), float(a) * np.abs(x) + float(b) * np.abs(eps)


def _chain_coefficients(impl, alphas: np.ndarray) -> np.ndarray:
    """Coefficients of x_T on the basis (x_0, eps_1, ..., eps_T), propagated by forward_step."""
    basis = np.eye(len(alphas) + 1)
    coefficients = basis[0]
    for t, alpha in enumerate(alphas, start=1):
        coefficients = impl.forward_step(coefficients, alpha, basis[t])
    return coefficients


def _ks_statistic(samples: np.ndarray, mean: float, sd: float) -> float:
    """sup_x |F_n(x) - Phi((x - mean) / sd)|."""
    cdf = special.ndtr((np.sort(samples) - mean) / sd)
    n = len(samples)
    return float(max(np.max(np.arange(1, n + 1) / n - cdf), np.max(cdf - np.arange(n) / n)))


# --- claim tier: the exercise's mathematics on its natural range ---


@pytest.mark.claim
@given(alpha_schedules())
def test_alpha_bars_are_cumulative_products(impl, alphas):
    """alpha_bars(alphas)[t - 1] = alpha_1 ... alpha_t, against a 50-digit product."""
    exact = [mp_alpha_bar(alphas, t) for t in range(1, len(alphas) + 1)]
    rtol = [_alpha_bar_rtol(t, bar) for t, bar in enumerate(exact, start=1)]
    assert_close(
        impl.alpha_bars(alphas),
        [float(bar) for bar in exact],
        rtol=np.array(rtol),
        atol=0.0,
        what="alpha_bar_t",
        inputs={"alphas": alphas},
    )


@pytest.mark.claim
@given(alpha_schedules())
def test_alpha_bars_decrease_strictly_inside_the_unit_interval(impl, alphas):
    """1 > alpha_bar_1 > alpha_bar_2 > ... > alpha_bar_T > 0 when every alpha_t lies in (0, 1)."""
    # Consecutive alpha_bars differ by a factor alpha_t <= 1 - 1e-6 on the natural range, far
    # beyond the relative error _alpha_bar_rtol allows (< 1e-12), so strictness survives rounding.
    bars = np.concatenate([[1.0], impl.alpha_bars(alphas)])
    assert_true(np.diff(bars) < 0, what="alpha_bar strictly decreasing", inputs={"alphas": alphas})
    assert_true(bars[-1] > 0, what="alpha_bar_T > 0", inputs={"alphas": alphas})


@pytest.mark.claim
@given(same_shape_pairs, ALPHA)
def test_forward_step_is_the_encoder_formula(impl, pair, alpha):
    """forward_step(x, alpha, eps) = sqrt(alpha) x + sqrt(1 - alpha) eps, elementwise."""
    x, eps = pair
    expected, terms = _mp_combination(alpha, x, eps)
    assert_close_to_terms(
        impl.forward_step(x, alpha, eps),
        expected,
        terms,
        rtol=TERMS_RTOL,
        what="forward_step",
        inputs={"x_prev": x, "alpha_t": alpha, "eps": eps},
    )


@pytest.mark.claim
@given(same_shape_pairs, st.one_of(ALPHA, st.just(1.0)))
def test_forward_sample_is_the_marginal_formula(impl, pair, alpha_bar):
    """forward_sample(x0, abar, eps) = sqrt(abar) x0 + sqrt(1 - abar) eps; abar = 1 returns x0."""
    x0, eps = pair
    expected, terms = _mp_combination(alpha_bar, x0, eps)
    assert_close_to_terms(
        impl.forward_sample(x0, alpha_bar, eps),
        expected,
        terms,
        rtol=TERMS_RTOL,
        what="forward_sample",
        inputs={"x0": x0, "alpha_bar_t": alpha_bar, "eps": eps},
    )


@pytest.mark.claim
@given(ALPHA, ALPHA)
def test_two_merged_noises_have_variance_one_minus_the_product(impl, alpha_prev, alpha):
    """Two steps weight the noises so that their variances sum to 1 - alpha_t alpha_{t-1}."""
    _, c_first, c_second = _chain_coefficients(impl, np.array([alpha_prev, alpha]))
    product = mpmath.mpf(alpha) * mpmath.mpf(alpha_prev)
    inputs = {"alpha_{t-1}": alpha_prev, "alpha_t": alpha}
    # Each coefficient is a product of two square roots of correctly rounded numbers (1 - a
    # rounds once): <= 3u relative; squared <= 7u; the sum of two positive squares adds u.
    assert_close(
        c_first**2,
        float(mpmath.mpf(alpha) - product),
        rtol=_product_rtol(2),
        atol=0.0,
        what="coefficient^2 of eps_1",
        inputs=inputs,
    )
    assert_close(
        c_first**2 + c_second**2,
        float(1 - product),
        rtol=_product_rtol(2),
        atol=0.0,
        what="variance of the merged noise",
        inputs=inputs,
    )


@pytest.mark.claim
@given(ALPHA, ALPHA, seeds)
def test_two_merged_noises_are_one_gaussian(impl, alpha_prev, alpha, seed):
    """Two noised steps from 0 are N(0, 1 - alpha_t alpha_{t-1}) by a KS test at level 1e-12."""
    noise = np.random.default_rng(seed).standard_normal((2, N_SAMPLES))
    merged = impl.forward_step(
        impl.forward_step(np.zeros(N_SAMPLES), alpha_prev, noise[0]), alpha, noise[1]
    )
    sd = float(mpmath.sqrt(1 - mpmath.mpf(alpha) * mpmath.mpf(alpha_prev)))
    assert_leq(
        _ks_statistic(merged, 0.0, sd),
        dkw_halfwidth(N_SAMPLES),
        what="KS distance of the merged noise to N(0, 1 - alpha_t alpha_{t-1})",
        inputs={"alpha_{t-1}": alpha_prev, "alpha_t": alpha, "seed": seed},
    )


@pytest.mark.claim
@given(alpha_schedules())
def test_t_steps_have_the_forward_marginal_moments(impl, alphas):
    """t forward steps give x_t = sqrt(abar_t) x_0 + noise of variance 1 - abar_t, exactly."""
    coefficients = _chain_coefficients(impl, alphas)
    bar, one_minus_bar = exact_alpha_bar(alphas, len(alphas))
    rtol = _product_rtol(len(alphas) + 1)
    inputs = {"alphas": alphas}
    assert_close(
        coefficients[0], np.sqrt(bar), rtol=rtol, atol=0.0, what="coefficient of x_0", inputs=inputs
    )
    assert_close(
        np.sum(coefficients[1:] ** 2),
        one_minus_bar,
        rtol=rtol,
        atol=0.0,
        what="noise variance",
        inputs=inputs,
    )
    assert_close(
        impl.forward_sample(np.ones(1), bar, np.zeros(1)),
        [coefficients[0]],
        rtol=rtol,
        atol=0.0,
        what="forward_sample's coefficient of x_0",
        inputs=inputs,
    )


@pytest.mark.claim
@given(alpha_schedules(), floats(-10.0, 10.0), seeds)
def test_t_steps_sample_the_forward_marginal(impl, alphas, x0, seed):
    """t forward steps from x_0 pass a KS test against N(sqrt(abar_t) x_0, 1 - abar_t)."""
    noise = np.random.default_rng(seed).standard_normal((len(alphas), N_SAMPLES))
    x = np.full(N_SAMPLES, x0)
    for alpha, eps in zip(alphas, noise, strict=True):
        x = impl.forward_step(x, alpha, eps)
    bar, one_minus_bar = exact_alpha_bar(alphas, len(alphas))
    assert_leq(
        _ks_statistic(x, np.sqrt(bar) * x0, np.sqrt(one_minus_bar)),
        dkw_halfwidth(N_SAMPLES),
        what="KS distance to q(x_t | x_0)",
        inputs={"alphas": alphas, "x0": x0, "seed": seed},
    )


@pytest.mark.claim
@given(alpha_schedules())
def test_unit_variance_data_keep_unit_variance(impl, alphas):
    """If Var x_0 = 1 then Var x_t = abar_t + (1 - abar_t) = 1, for steps and for forward_sample."""
    coefficients = _chain_coefficients(impl, alphas)
    bar = impl.alpha_bars(alphas)[-1]
    signal = impl.forward_sample(np.ones(1), bar, np.zeros(1))[0]
    noise = impl.forward_sample(np.zeros(1), bar, np.ones(1))[0]
    rtol = _product_rtol(len(alphas) + 1)
    assert_close(
        np.sum(coefficients**2),
        1.0,
        rtol=rtol,
        atol=0.0,
        what="variance after t steps",
        inputs={"alphas": alphas},
    )
    assert_close(
        signal**2 + noise**2,
        1.0,
        rtol=rtol,
        atol=0.0,
        what="variance of forward_sample",
        inputs={"alphas": alphas},
    )


# --- contract tier: the interface and the reference's choices among valid answers ---


@pytest.mark.contract
@given(
    st.integers(1, 4).flatmap(
        lambda b: st.lists(alpha_schedules(st.just(5)), min_size=b, max_size=b)
    ),
    same_shape_pairs,
    ALPHA,
)
def test_functions_act_on_the_last_axis_of_batches(impl, schedules, pair, alpha):
    """alpha_bars maps (B, T) schedules row by row; the steps keep the (..., d) shape of x."""
    batch = np.stack(schedules)
    bars = impl.alpha_bars(batch)
    expected = [[float(mp_alpha_bar(row, t)) for t in range(1, 6)] for row in batch]
    # The rows are claim inputs: the claim's error model bounds each entry.
    rtol = np.array(
        [[_alpha_bar_rtol(t, mp_alpha_bar(row, t)) for t in range(1, 6)] for row in batch]
    )
    assert_close(
        bars, expected, rtol=rtol, atol=0.0, what="alpha_bars on a batch", inputs={"alphas": batch}
    )
    x, eps = pair
    for name, value in (
        ("forward_step", impl.forward_step(x, alpha, eps)),
        ("forward_sample", impl.forward_sample(x, alpha, eps)),
    ):
        assert_true(
            np.shape(value) == x.shape,
            what=f"{name} keeps the shape {x.shape} of its data",
            inputs={"x": x, "alpha": alpha, "eps": eps},
        )


@pytest.mark.contract
@given(same_shape_pairs, ALPHA, st.sampled_from([0.0, 1.0, 1.5, -0.25, np.nan]))
def test_rejects_invalid_schedules_and_shapes(impl, pair, alpha, bad):
    """alphas outside (0, 1), alpha_bar outside (0, 1], mismatched shapes or NaN raise."""
    x, eps = pair
    why = f"an alpha of {bad} is outside (0, 1)"
    assert_rejects(impl.alpha_bars, np.array([alpha, bad]), argument="alphas", because=why)
    assert_rejects(
        impl.alpha_bars, np.array([]), argument="alphas", because="the schedule has 0 steps"
    )
    assert_rejects(impl.forward_step, x, bad, eps, argument="alpha_t", because=why)
    assert_rejects(
        impl.forward_step,
        x,
        alpha,
        np.append(eps, 0.0),
        argument="eps",
        because="eps is flat while x_prev is not",
    )
    assert_rejects(
        impl.forward_step,
        np.full_like(x, np.nan),
        alpha,
        eps,
        argument="x_prev",
        because="x_prev is NaN",
    )
    if not bad == 1.0:
        assert_rejects(
            impl.forward_sample,
            x,
            bad,
            eps,
            argument="alpha_bar_t",
            because=f"alpha_bar_t = {bad} is outside (0, 1]",
        )
    assert_rejects(
        impl.forward_sample,
        x,
        alpha,
        np.append(eps, 0.0),
        argument="eps",
        because="eps is flat while x0 is not",
    )
    assert_rejects(
        impl.forward_sample,
        np.full_like(x, np.inf),
        alpha,
        eps,
        argument="x0",
        because="x0 is infinite",
    )


@pytest.mark.contract
@settings(max_examples=20)  # input validation needs no breadth
@given(same_shape_pairs, ALPHA)
def test_rejects_nan_data_and_noise_and_data_without_an_axis(impl, pair, alpha):
    """NaN data or noise, 0-d data (shape (..., d)) or a 0-d schedule raise ValueError."""
    x, eps = pair
    for function, data in ((impl.forward_step, "x_prev"), (impl.forward_sample, "x0")):
        assert_rejects_bad_arrays(
            function, x, alpha, eps, names=(data, None, "eps"), batched=(data, "eps")
        )
        assert_rejects(function, 0.0, alpha, 0.0, argument=data, because=f"{data} is 0-d")
    assert_rejects(
        impl.alpha_bars, alpha, argument="alphas", because="the schedule is 0-d (no step axis)"
    )
