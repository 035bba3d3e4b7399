r"""Exercise 6.19 — the diffusion posterior q(x_{t-1} | x_t, x_0).

Statement
    For the Gaussian encoder of 6.18, conditioning the reverse step on the
    data point x_0 makes it tractable:
        q(x_{t-1} | x_t, x_0) = N(mu_q(x_t, x_0), sigma_q^2(t) I),
        mu_q = [sqrt(alpha_t)(1 - abar_{t-1}) x_t + sqrt(abar_{t-1})(1 - alpha_t) x_0]
               / (1 - abar_t),
        sigma_q^2(t) = (1 - alpha_t)(1 - abar_{t-1}) / (1 - abar_t).

    .. math::

       q(x_{t-1} \mid x_t, x_0) = \mathcal{N}\bigl(\mu_q(x_t, x_0), \sigma_q^2(t) I\bigr)

       \mu_q = \frac{\sqrt{\alpha_t} (1 - \bar\alpha_{t-1})\, x_t
       + \sqrt{\bar\alpha_{t-1}} (1 - \alpha_t)\, x_0}{1 - \bar\alpha_t}, \qquad
       \sigma_q^2(t) = \frac{(1 - \alpha_t)(1 - \bar\alpha_{t-1})}{1 - \bar\alpha_t}

Assumptions
    Time is 1-based, ``alphas[t - 1]`` is alpha_t in (0, 1), abar_t = alpha_1 ... alpha_t
    and abar_0 = 1.  The statement needs t >= 2; at t = 1, abar_0 = 1 makes
    x_{t-1} = x_0 known, and the formulas give mean x_0 and variance 0, which
    is the contract there.

Natural range
    Schedules of 1 <= T <= 12 steps with alpha_t in [1e-6, 1 - 1e-6] (so 1 - abar_t >= 1e-6
    and abar_T >= 1e-72), 1 <= t <= T; x_t, x_0 and the points x_{t-1} in [-10, 10]^3.
    A numerics property takes 1 - alpha_t down to 1e-15, where 1 - abar_t must not be formed
    by subtraction.

Argument
    By the Markov property q(x_t | x_{t-1}, x_0) = q(x_t | x_{t-1}), so Bayes' rule reads
        q(x_{t-1} | x_t, x_0) = q(x_t | x_{t-1}) q(x_{t-1} | x_0) / q(x_t | x_0),
    with q(x_t | x_{t-1}) = N(sqrt(alpha_t) x_{t-1}, (1 - alpha_t) I) and
    q(x_{t-1} | x_0) = N(sqrt(abar_{t-1}) x_0, (1 - abar_{t-1}) I) (6.18).  As a
    function of x_{t-1} the log of the numerator is a quadratic whose
    precision is the sum of the two precisions,
        1 / sigma_q^2 = alpha_t / (1 - alpha_t) + 1 / (1 - abar_{t-1})
                      = (1 - abar_t) / ((1 - alpha_t)(1 - abar_{t-1})),
    and whose mean is the precision-weighted combination
        mu_q = sigma_q^2 [sqrt(alpha_t) x_t / (1 - alpha_t)
                          + sqrt(abar_{t-1}) x_0 / (1 - abar_{t-1})],
    which simplifies to the stated mu_q.  Completing the square, the
    numerator is N(x_{t-1}; mu_q, sigma_q^2 I) times a factor free of x_{t-1},
    which must be q(x_t | x_0).  The tests check this identity pointwise.
    Consequences: sigma_q^2 is below both 1 - alpha_t and 1 - abar_{t-1}
    (a posterior is sharper than each source of information), and
    drawing x_t ~ q(x_t | x_0) then x_{t-1} ~ q(x_{t-1} | x_t, x_0) gives
    x_{t-1} ~ q(x_{t-1} | x_0).  Since mu_q = A x_t + B x_0 is linear, this last
    law has mean (A sqrt(abar_t) + B) x_0 and variance A^2 (1 - abar_t) + sigma_q^2,
    which the tests compare with sqrt(abar_{t-1}) x_0 and 1 - abar_{t-1} exactly.

Numerics
    Any float64 route to alpha_bar (a running product, or exp(cumsum(log alpha))) errs by a
    few u relatively; forming 1 - abar by subtraction then loses up to
    3u / min(1 - alpha_t) <= 3.4e-10 relatively (u = 2^-53; the reference uses expm1 and
    loses nothing).  The coefficients of (6) are ratios of two such factors, so tolerances
    are 2e-9 relative to the magnitudes of the terms involved (``SCHEDULE_RTOL``, derived
    in ``_diffusion_support``); at t = 1, where 1 - abar_0 = 0 is exact in any route, the
    mean is x_0 to 8u and the variance 0 to 4u absolutely.

Statistical check
    One property samples n = 20000 ancestral draws and applies a
    Kolmogorov–Smirnov test against the exact normal CDF at radius
    ``dkw_halfwidth(n)`` (≈ 0.027): by the Dvoretzky–Kiefer–Wolfowitz–Massart
    inequality it false-alarms with probability <= 1e-12 per example.

Errata
    The notes write q(x_{t-1} | x_t, x_0) "∝" N(mu_q, Sigma_q); both sides are
    normalized densities, so they are equal.  Formula (6) holds for t >= 2
    (at t = 1 the posterior is the point mass at x_0).

References
    C. Luo, "Understanding Diffusion Models: A Unified Perspective", 2022, section
    "Variational Diffusion Models".
    J. Ho, A. Jain and P. Abbeel, "Denoising Diffusion Probabilistic Models", 2020, eqs. (6)-(7).
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
    SCHEDULE_RTOL,
    UNDERFLOW_FLOOR,
    UNIT_ROUNDOFF,
    assert_close_to_terms,
    exact_alpha_bar,
    mp_alpha_bar,
    schedules_and_steps,
)
from spec.stats import dkw_halfwidth
from spec.strategies import floats, seeds

#: See "Numerics" (error model beside SCHEDULE_RTOL).
RTOL = SCHEDULE_RTOL
N_SAMPLES = 20_000
D = 3

#: (x_t, x_0, two arbitrary points x_{t-1}, two standard-normal offsets z), all in R^3.
vectors6 = hnp.arrays(np.float64, (6, D), elements=floats(-10.0, 10.0), fill=st.nothing())


def _exact_posterior(x_t, x0, alphas, t):
    """(mean, variance) of formula (6) evaluated at 50 digits, then rounded."""
    alpha, bar_prev = mpmath.mpf(alphas[t - 1]), mp_alpha_bar(alphas, t - 1)
    one_minus_bar = 1 - bar_prev * alpha
    a = mpmath.sqrt(alpha) * (1 - bar_prev) / one_minus_bar
    b = mpmath.sqrt(bar_prev) * (1 - alpha) / one_minus_bar
    mean = [float(a * mpmath.mpf(u) + b * mpmath.mpf(v)) for u, v in zip(x_t, x0, strict=True)]
    terms = float(a) * np.abs(x_t) + float(b) * np.abs(x0)
    return np.array(mean), float((1 - alpha) * (1 - bar_prev) / one_minus_bar), terms


def _log_normal(x, mean, variance):
    """(log N(x; mean, variance I), the magnitude its rounding errors scale with).

    Per coordinate: (|x| + |mean|) |x - mean| / variance (the residual's rounding, squared),
    the quadratic term itself (the variance's relative error) and 1 + |log(2 pi variance)|.
    """
    residual = x - mean
    quadratic = residual**2 / (2.0 * variance)
    value = -0.5 * len(x) * np.log(2.0 * np.pi * variance) - np.sum(quadratic)
    scale = np.sum((np.abs(x) + np.abs(mean)) * np.abs(residual) / variance + quadratic)
    return value, scale + len(x) * (1.0 + abs(np.log(2.0 * np.pi * variance)))


def _coefficients(impl, alphas, t):
    """(A, B, sigma_q^2) with mu_q(x_t, x_0) = A x_t + B x_0, read off unit inputs."""
    a = impl.diffusion_posterior(np.ones(1), np.zeros(1), alphas, t)[0][0]
    b, variance = impl.diffusion_posterior(np.zeros(1), np.ones(1), alphas, t)
    return a, b[0], variance


# --- claim tier: the exercise's mathematics on its natural range ---


def _check_equation_6(impl, alphas, t, x_t, x0, rtol) -> None:
    """mu_q to rtol of its terms' magnitude and sigma_q^2 to rtol relative, against 50 digits."""
    mean, variance = impl.diffusion_posterior(x_t, x0, alphas, t)
    expected_mean, expected_variance, terms = _exact_posterior(x_t, x0, alphas, t)
    inputs = {"x_t": x_t, "x0": x0, "alphas": alphas, "t": t}
    assert_close_to_terms(mean, expected_mean, terms, rtol=rtol, what="mu_q", inputs=inputs)
    assert_close(variance, expected_variance, rtol=rtol, atol=0.0, what="sigma_q^2", inputs=inputs)


@pytest.mark.claim
@given(schedules_and_steps(first=2), vectors6)
def test_posterior_matches_equation_6_at_50_digits(impl, schedule, points):
    """mu_q and sigma_q^2 agree with formula (6) evaluated at 50 digits."""
    (alphas, t), (x_t, x0) = schedule, points[:2]
    _check_equation_6(impl, alphas, t, x_t, x0, RTOL)


@pytest.mark.claim
@given(schedules_and_steps(first=2), vectors6)
def test_posterior_is_bayes_rule_pointwise(impl, schedule, points):
    """q(x_t|x_{t-1}) q(x_{t-1}|x_0) = N(x_{t-1}; mu_q, sigma_q^2 I) q(x_t|x_0) at every x_{t-1}."""
    (alphas, t), (x_t, x0, far1, far2, z1, z2) = schedule, points
    mean, variance = impl.diffusion_posterior(x_t, x0, alphas, t)
    alpha = alphas[t - 1]
    bar_prev, one_minus_prev = exact_alpha_bar(alphas, t - 1)
    bar, one_minus_bar = exact_alpha_bar(alphas, t)
    evidence, evidence_scale = _log_normal(x_t, np.sqrt(bar) * x0, one_minus_bar)
    inputs = {"x_t": x_t, "x0": x0, "alphas": alphas, "t": t}
    for x_prev in (far1, far2, mean + np.sqrt(variance) * z1 / 4, mean + np.sqrt(variance) * z2):
        terms = [
            _log_normal(x_t, np.sqrt(alpha) * x_prev, 1.0 - alpha),
            _log_normal(x_prev, np.sqrt(bar_prev) * x0, one_minus_prev),
            _log_normal(x_prev, mean, variance),
        ]
        value = terms[0][0] + terms[1][0] - terms[2][0]
        scale = evidence_scale + sum(s for _, s in terms)
        assert_close(
            value,
            evidence,
            rtol=0.0,
            atol=RTOL * scale,
            what="Bayes' rule at x_{t-1}",
            inputs={**inputs, "x_{t-1}": x_prev},
        )


@pytest.mark.claim
@given(schedules_and_steps(first=2))
def test_posterior_variance_is_below_step_and_marginal_variances(impl, schedule):
    """0 < sigma_q^2 <= 1 - alpha_t and sigma_q^2 <= 1 - abar_{t-1}."""
    alphas, t = schedule
    variance = impl.diffusion_posterior(np.zeros(1), np.zeros(1), alphas, t)[1]
    inputs = {"alphas": alphas, "t": t}
    assert_true(variance > 0, what="sigma_q^2 > 0", inputs=inputs)
    assert_leq(
        variance, 1.0 - alphas[t - 1], rtol=RTOL, what="sigma_q^2 <= 1 - alpha_t", inputs=inputs
    )
    assert_leq(
        variance,
        exact_alpha_bar(alphas, t - 1)[1],
        rtol=RTOL,
        what="sigma_q^2 <= 1 - abar_{t-1}",
        inputs=inputs,
    )


@pytest.mark.claim
@given(schedules_and_steps(first=2))
def test_posterior_precision_is_the_sum_of_precisions(impl, schedule):
    """1 / sigma_q^2 = alpha_t / (1 - alpha_t) + 1 / (1 - abar_{t-1}) (completing the square)."""
    alphas, t = schedule
    variance = impl.diffusion_posterior(np.zeros(1), np.zeros(1), alphas, t)[1]
    alpha = mpmath.mpf(alphas[t - 1])
    precision = alpha / (1 - alpha) + 1 / (1 - mp_alpha_bar(alphas, t - 1))
    assert_close(
        1.0 / variance,
        float(precision),
        rtol=RTOL,
        atol=0.0,
        what="posterior precision",
        inputs={"alphas": alphas, "t": t},
    )


@pytest.mark.claim
@given(schedules_and_steps(), vectors6)
def test_first_step_returns_x0_with_zero_variance(impl, schedule, points):
    """At t = 1 (abar_0 = 1) the posterior is the point mass at x_0: mean x_0, variance 0."""
    (alphas, _), (x_t, x0) = schedule, points[:2]
    mean, variance = impl.diffusion_posterior(x_t, x0, alphas, 1)
    inputs = {"x_t": x_t, "x0": x0, "alphas": alphas}
    # (1 - alpha_1) x_0 / (1 - alpha_1) rounds at most three times (or underflows).
    assert_close(
        mean, x0, rtol=8 * UNIT_ROUNDOFF, atol=UNDERFLOW_FLOOR, what="mean at t = 1", inputs=inputs
    )
    # (1 - alpha_1)(1 - abar_0) / (1 - alpha_1) with abar_0 = 1 known to u: <= 4u absolutely.
    assert_close(
        variance, 0.0, rtol=0.0, atol=4 * UNIT_ROUNDOFF, what="variance at t = 1", inputs=inputs
    )


@pytest.mark.claim
@given(schedules_and_steps(), vectors6)
def test_ancestral_step_reproduces_the_marginal_moments(impl, schedule, points):
    """An ancestral step from x_t ~ q(x_t|x_0) has exactly the moments of q(x_{t-1}|x_0)."""
    (alphas, t), (x_t, x0) = schedule, points[:2]
    a, b, variance = _coefficients(impl, alphas, t)
    inputs = {"alphas": alphas, "t": t}
    assert_close_to_terms(
        impl.diffusion_posterior(x_t, x0, alphas, t)[0],
        a * x_t + b * x0,
        a * np.abs(x_t) + b * np.abs(x0),
        rtol=RTOL,
        what="mu_q is A x_t + B x_0",
        inputs={**inputs, "x_t": x_t, "x0": x0},
    )
    bar_prev, one_minus_prev = exact_alpha_bar(alphas, t - 1)
    bar, one_minus_bar = exact_alpha_bar(alphas, t)
    # A, B >= 0: both sums below add non-negative terms, so relative tolerances apply.
    assert_close(
        a * np.sqrt(bar) + b,
        np.sqrt(bar_prev),
        rtol=RTOL,
        atol=0.0,
        what="mean coefficient of x_0",
        inputs=inputs,
    )
    assert_close(
        a**2 * one_minus_bar + variance,
        one_minus_prev,
        rtol=RTOL,
        atol=UNDERFLOW_FLOOR,
        what="variance of x_{t-1}",
        inputs=inputs,
    )


@pytest.mark.claim
@given(schedules_and_steps(first=2), floats(-10.0, 10.0), seeds)
def test_ancestral_step_samples_the_marginal(impl, schedule, x0, seed):
    """Ancestral draws of x_{t-1} pass a KS test against q(x_{t-1} | x_0) at level 1e-12."""
    alphas, t = schedule
    rng = np.random.default_rng(seed)
    x0s = np.full(N_SAMPLES, x0)
    bar_prev, one_minus_prev = exact_alpha_bar(alphas, t - 1)
    x_t = impl.forward_sample(x0s, exact_alpha_bar(alphas, t)[0], rng.standard_normal(N_SAMPLES))
    mean, variance = impl.diffusion_posterior(x_t, x0s, alphas, t)
    x_prev = mean + np.sqrt(variance) * rng.standard_normal(N_SAMPLES)
    cdf = special.ndtr((np.sort(x_prev) - np.sqrt(bar_prev) * x0) / np.sqrt(one_minus_prev))
    ks = max(
        np.max(np.arange(1, N_SAMPLES + 1) / N_SAMPLES - cdf),
        np.max(cdf - np.arange(N_SAMPLES) / N_SAMPLES),
    )
    assert_leq(
        ks,
        dkw_halfwidth(N_SAMPLES),
        what="KS distance to q(x_{t-1} | x_0)",
        inputs={"alphas": alphas, "t": t, "x0": x0, "seed": seed},
    )


# --- numerics tier: accuracy and robustness at extreme inputs ---


@st.composite
def gentle_schedules_and_steps(draw):
    """Schedules of 2-12 steps with 1 - alpha_t in [1e-15, 1e-6], and a step 2 <= t <= T."""
    n = draw(st.integers(2, 12))
    exponents = draw(hnp.arrays(np.float64, n, elements=floats(-15, -6), fill=st.nothing()))
    return 1.0 - 10.0**exponents, draw(st.integers(2, len(exponents)))


@pytest.mark.numerics
@given(gentle_schedules_and_steps(), vectors6)
def test_posterior_keeps_its_digits_for_steps_near_one(impl, schedule, points):
    """With 1 - alpha_t down to 1e-15, (6) holds to 64 t u although 1 - abar_t is tiny."""
    # Forming 1 - abar_t by subtraction loses up to u / (1 - abar_t) ~ 10% here; from
    # log alpha_t (exact to an ulp of itself) and expm1 it keeps ~t ulp.
    (alphas, t), (x_t, x0) = schedule, points[:2]
    _check_equation_6(impl, alphas, t, x_t, x0, 64 * t * UNIT_ROUNDOFF)


# --- contract tier: the interface and the reference's choices among valid answers ---


@pytest.mark.contract
@given(schedules_and_steps(), vectors6)
def test_returns_the_mean_array_and_a_float_variance(impl, schedule, points):
    """diffusion_posterior returns (mean of x_t's shape, float); at t = 1 exactly (x0, 0.0)."""
    (alphas, t), (x_t, x0) = schedule, points[:2]
    batch = np.stack([x_t, x0])  # data of shape (..., d): a batch of two points
    mean, variance = impl.diffusion_posterior(batch, batch[::-1], alphas, t)
    inputs = {"x_t": batch, "x0": batch[::-1], "alphas": alphas, "t": t}
    assert_true(
        np.shape(mean) == batch.shape and isinstance(variance, float),
        what="(mean of x_t's shape, float variance)",
        inputs=inputs,
    )
    _, first_variance = impl.diffusion_posterior(x_t, x0, alphas, 1)
    assert_true(first_variance == 0.0, what="variance 0.0 at t = 1", inputs={**inputs, "t": 1})


@pytest.mark.contract
@given(schedules_and_steps(), vectors6, st.sampled_from([0.0, 1.0, -0.5, 2.0, np.nan]))
def test_rejects_invalid_steps_schedules_and_shapes(impl, schedule, points, bad):
    """t outside 1..T or not an integer, alphas outside (0, 1), mismatched or NaN data raise."""
    (alphas, t), (x_t, x0) = schedule, points[:2]
    for bad_t, why in ((0, "t = 0"), (len(alphas) + 1, "t = T + 1"), (1.5, "t = 1.5")):
        assert_rejects(impl.diffusion_posterior, x_t, x0, alphas, bad_t, argument="t", because=why)
    assert_rejects(
        impl.diffusion_posterior,
        x_t,
        x0,
        np.append(alphas, bad),
        t,
        argument="alphas",
        because=f"an alpha of {bad} is outside (0, 1)",
    )
    assert_rejects(
        impl.diffusion_posterior,
        x_t,
        x0[:-1],
        alphas,
        t,
        argument="x0",
        because="x0 is shorter than x_t",
    )
    assert_rejects(
        impl.diffusion_posterior,
        np.full_like(x_t, np.nan),
        x0,
        alphas,
        t,
        argument="x_t",
        because="x_t is NaN",
    )


@pytest.mark.contract
@settings(max_examples=20)  # input validation needs no breadth
@given(schedules_and_steps(), vectors6)
def test_rejects_nan_points_0d_points_and_batched_schedules(impl, schedule, points):
    """NaN x_t or x0, a 0-d x_t (shape (..., d)) or a batch of schedules raise ValueError."""
    (alphas, t), (x_t, x0) = schedule, points[:2]
    names = ("x_t", "x0", None, None)
    assert_rejects_bad_arrays(
        impl.diffusion_posterior, x_t, x0, alphas, t, names=names, batched=names[:2]
    )
    assert_rejects(
        impl.diffusion_posterior, 0.0, 0.0, alphas, t, argument="x_t", because="x_t is 0-d"
    )
    assert_rejects(
        impl.diffusion_posterior,
        x_t,
        x0,
        alphas[None],
        t,
        argument="alphas",
        because="alphas is a batch of schedules",
    )
