r"""Exercise 5.16 — a Gibbs sampler for the standard bivariate normal.

Statement
    Sample X = (X_1, X_2) ~ N(0, Sigma), Sigma = [[1, rho], [rho, 1]], by
    Gibbs sampling: alternately redraw each coordinate from its conditional
    law given the other.  Derive those conditionals.

Assumptions
    |rho| < 1 (otherwise Sigma is singular and there is no density).  A sweep
    is systematic: x1 from its conditional given the current x2, then x2 given
    the new x1; the sampler returns the state after each sweep.

Natural range
    |rho| < 1, including rho within 1e-12 of +-1 (the density's error allowance
    grows with its condition number, ~ (1 + |x|^2) / (1 - rho^2) and
    (quadratic form) / (1 - rho^2)^2 in rho); density points |x| <= 10;
    conditionals given |x_other| <= 1e3; chains with |rho| <= 0.95 from
    |x0| <= 100.  Relative accuracy beyond that condition number near
    rho = +-1 and points beyond 1e155 are numerics.

Argument
    .. math::

       X_1 \mid X_2 = x_2 \sim \mathcal{N}\bigl(\rho x_2, 1 - \rho^2\bigr), \qquad
       X_2 \mid X_1 = x_1 \sim \mathcal{N}\bigl(\rho x_1, 1 - \rho^2\bigr)

       A \Sigma A^\top + B B^\top = \Sigma, \qquad
       A = \begin{pmatrix} 0 & \rho \\ 0 & \rho^2 \end{pmatrix}, \quad
       B = \sqrt{1 - \rho^2} \begin{pmatrix} 1 & 0 \\ \rho & 1 \end{pmatrix}

    Conditionals.  The joint density is
        pi(x1, x2) = exp(-(x1^2 - 2 rho x1 x2 + x2^2) / (2 (1 - rho^2))) / (2 pi sqrt(1 - rho^2)).
    Completing the square, x1^2 - 2 rho x1 x2 + x2^2 = (x1 - rho x2)^2 + (1 - rho^2) x2^2,
    so pi(x1, x2) = phi(x2) * N(x1; rho x2, 1 - rho^2) with phi the standard
    normal density: X_2 ~ N(0, 1) and X_1 | X_2 = x2 ~ N(rho x2, 1 - rho^2);
    by symmetry X_2 | X_1 = x1 ~ N(rho x1, 1 - rho^2).
    Invariance.  A sweep is the linear-Gaussian map x' = A x + B z, z ~ N(0, I),
        x1' = rho x2 + s z1,  x2' = rho x1' + s z2 = rho^2 x2 + rho s z1 + s z2,
    A = [[0, rho], [0, rho^2]], B = [[s, 0], [rho s, s]], s = sqrt(1 - rho^2).
    Hence N(mu, S) goes to N(A mu, A S A^T + B B^T), and a direct computation
    gives A Sigma A^T + B B^T = Sigma: each half-sweep leaves pi invariant
    because it redraws one coordinate from its exact conditional.  We read A
    and B off the implementation's conditionals and propagate the covariance
    exactly; for the sampler itself, 1000 independent single sweeps from
    x0 ~ N(0, Sigma) whiten (x1, (x2 - rho x1) / sqrt(1 - rho^2)) to i.i.d.
    N(0, I) pairs, whose mean squares along w1, w2 and (w1 + w2) / sqrt 2 are
    chi-square(1000) / 1000: three exact checks at false alarm 1e-12 / 3 each.
    Innovations.  Along the chain, x1_t - rho x2_{t-1} and x2_t - rho x1_t are
    the fresh noises s z of each half-sweep: 2n i.i.d. N(0, 1 - rho^2) values
    whatever the start, so their sum of squares / (1 - rho^2) is chi-square
    with 2n degrees of freedom and their mean is N(0, (1 - rho^2) / (2n)) —
    exact i.i.d. checks, at false alarm 1e-12 each.
    Autocorrelation.  Started from N(0, Sigma) the chain is stationary with
    Cov(x_{t+k}, x_t) = A^k Sigma, and A^k = rho^(2(k-1)) A for k >= 1.  So
    x1 alone is AR(1) with coefficient rho^2 (lag-k autocorrelation rho^(2k)),
    and Corr(x1_t, x2_t) = rho.  The states are correlated, so the sample
    correlations are checked with the exact Gaussian quadratic-form bound of
    ``_mcmc_support`` (Laurent–Massart): with u = x1 + x2 and w = x1 - x2,
        r = 2 sum x1 x2 / sum (x1^2 + x2^2) = (sum u^2 - sum w^2) / (sum u^2 + sum w^2),
    is increasing in sum u^2 and decreasing in sum w^2, so intervals for the
    two mean squares, each missing with probability <= 1e-12 / 2, give an
    interval for r missing with probability <= 1e-12.  The same with
    u = x1_t + x1_{t+1}, w = x1_t - x1_{t+1} bounds the lag-1 autocorrelation
    estimate 2 sum x1_t x1_{t+1} / sum (x1_t^2 + x1_{t+1}^2) around rho^2.
    (These are the known-mean, known-variance estimators; Pearson's sample
    correlation re-estimates both and has no such exact bound.)

Errata
    None.

References
    S. Geman and D. Geman, "Stochastic relaxation, Gibbs distributions, and the
    Bayesian restoration of images", IEEE TPAMI 1984.
    A. E. Gelfand and A. F. M. Smith, "Sampling-based approaches to calculating
    marginal densities", JASA 1990.
    B. Laurent and P. Massart, "Adaptive estimation of a quadratic functional by
    model selection", Annals of Statistics 28(5), 2000 (Lemma 1).
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from spec.assertions import (
    assert_close,
    assert_leq,
    assert_rejects,
    assert_rejects_bad_arrays,
    assert_true,
)
from spec.lecture05._mcmc_support import mean_square_interval
from spec.stats import FALSE_ALARM, chi2_variance_interval, gaussian_mean_halfwidth
from spec.strategies import floats, seeds, vectors

EPS = np.finfo(np.float64).eps
# Failure messages name only derived values: Hypothesis prints the drawn inputs itself.

#: Correlations up to 1e-12 from +-1, where 1 - rho^2 is itself ~1e-12.
correlations = st.one_of(
    floats(-0.999, 0.999),
    st.sampled_from([0.0, 0.5, -0.9, 1.0 - 1e-9, -1.0 + 1e-12]),
)
#: Correlations for the long-chain checks, whose error bars grow like 1 / (1 - rho^2).
moderate_correlations = floats(-0.95, 0.95)


def density_condition_rtol(x1, x2, rho):
    """Relative error allowed to any backward-stable evaluation of the closed form.

    The quadratic form Q = x1^2 - 2 rho x1 x2 + x2^2 is known to ~4u * size absolutely,
    size = x1^2 + 2 |rho x1 x2| + x2^2; 1 - rho^2 to ~2u absolutely, hence to 2u / (1 - rho^2)
    relatively (1 - rho**2 and (1 - rho)(1 + rho) alike).  So the exponent Q / (2 (1 - rho^2))
    errs by <= u (2 size / (1 - rho^2) + q / (1 - rho^2) + q), q = Q / (1 - rho^2), and the
    normalizer by <= u (1 / (1 - rho^2) + 4); a factor 4 covers the constants."""
    one_minus = (1.0 - rho) * (1.0 + rho)
    size = np.square(x1) + 2.0 * np.abs(rho * x1 * x2) + np.square(x2)
    q = np.square(x1 - rho * x2) / one_minus + np.square(x2)
    log_error = (EPS / 2) * ((2.0 * size + q + 1.0) / one_minus + q + 4.0)
    return np.expm1(4.0 * log_error)


def density_rtol(x1, x2, rho):
    """Relative error of the reference's careful density evaluation: the quadratic form
    (x1^2 - 2 rho x1 x2 + x2^2) / (1 - rho^2) carries an absolute error of a few ulp of
    (x1^2 + x2^2) / (1 - rho^2), and exp turns it into a relative error."""
    return 64 * EPS * (1.0 + (np.square(x1) + np.square(x2)) / ((1.0 - rho) * (1.0 + rho)))


@mpmath.workdps(40)
def mp_density(x1, x2, rho):
    x1, x2, rho = mpmath.mpf(x1), mpmath.mpf(x2), mpmath.mpf(rho)
    one_minus = 1 - rho**2
    quadratic = (x1**2 - 2 * rho * x1 * x2 + x2**2) / one_minus
    return mpmath.exp(-quadratic / 2) / (2 * mpmath.pi * mpmath.sqrt(one_minus))


@mpmath.workdps(40)
def mp_one_minus_square(rho):
    return 1 - mpmath.mpf(rho) ** 2


def normal_pdf(x, mean, variance):
    return np.exp(-0.5 * (x - mean) ** 2 / variance) / np.sqrt(2.0 * np.pi * variance)


def assert_density_matches_40_digits(impl, x1, x2, rho, rtol):
    expected = np.array([float(mp_density(a, x2, rho)) for a in x1])
    assert_close(
        impl.bivariate_normal_pdf(x1, x2, rho),
        expected,
        rtol=rtol(x1, x2, rho),
        atol=1e-300,
        what="bivariate normal density",
    )


def sweep_map(impl, rho):
    """(c, A, B) of one sweep x' = c + A x + B z, read off the implementation's conditionals.

    The conditional mean is affine in the other coordinate (intercept b, slope a),
    so x1' = b + a x2 + sd z1 and x2' = b + a x1' + sd z2.
    """
    intercept, variance = impl.gibbs_conditional(rho, 0.0)
    slope = impl.gibbs_conditional(rho, 1.0)[0] - intercept
    sd = math.sqrt(variance)
    shift = np.array([intercept, intercept + slope * intercept])
    A = np.array([[0.0, slope], [0.0, slope**2]])
    B = np.array([[sd, 0.0], [slope * sd, sd]])
    return shift, A, B


def stationary_chain(impl, rho, n, seed):
    """n sweeps from x0 ~ N(0, Sigma) (Cholesky factor times a standard normal draw)."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(2)
    x0 = np.array([z[0], rho * z[0] + math.sqrt((1.0 - rho) * (1.0 + rho)) * z[1]])
    return impl.gibbs_sampler(rho, n, x0, rng)


def correlation_interval(u_autocovariance, w_autocovariance) -> tuple[float, float]:
    """Interval for (mean u^2 - mean w^2) / (mean u^2 + mean w^2), false alarm <= 1e-12."""
    u_lo, u_hi = mean_square_interval(u_autocovariance, alpha=FALSE_ALARM / 2)
    w_lo, w_hi = mean_square_interval(w_autocovariance, alpha=FALSE_ALARM / 2)
    u_lo, w_lo = max(u_lo, 0.0), max(w_lo, 0.0)  # mean squares are >= 0 anyway
    return (u_lo - w_hi) / (u_lo + w_hi), (u_hi - w_lo) / (u_hi + w_lo)


def assert_within(value, interval, what, inputs):
    assert_leq(interval[0], value, what=f"lower bound on {what}", inputs=inputs)
    assert_leq(value, interval[1], what=f"{what} against its upper bound", inputs=inputs)


ONE_SWEEP_CHAINS = 1000


def whitened(x: np.ndarray, rho: float) -> np.ndarray:
    """L^-1 x for the Cholesky factor L of Sigma: N(0, Sigma) points become N(0, I)."""
    return np.column_stack([x[:, 0], (x[:, 1] - rho * x[:, 0]) / math.sqrt((1 - rho) * (1 + rho))])


# --- claim tier: the exercise's mathematics on its natural range ---


@pytest.mark.claim
@given(vectors(3), floats(-10.0, 10.0), correlations)
def test_density_matches_40_digit_formula(impl, x1, x2, rho):
    """bivariate_normal_pdf equals the closed form (40 digits) within its conditioning."""
    assert_density_matches_40_digits(impl, x1, x2, rho, density_condition_rtol)


@pytest.mark.claim
@given(floats(-8.0, 8.0), floats(-8.0, 8.0), correlations)
def test_conditional_density_is_joint_over_marginal(impl, x_other, z, rho):
    """N(x; gibbs_conditional(rho, x_other)) = pdf(x, x_other) / phi(x_other), both coordinates."""
    # x = rho x_other + sd z puts x within 8 conditional sds: no underflow on either side.
    x = rho * x_other + math.sqrt((1.0 - rho) * (1.0 + rho)) * z
    mean, variance = impl.gibbs_conditional(rho, x_other)
    conditional = normal_pdf(x, mean, variance)
    marginal = normal_pdf(x_other, 0.0, 1.0)
    # Both sides carry the joint density's allowance: the conditional's exponent
    # (x - rho x_other)^2 / (2 (1 - rho^2)) has the same ingredients and the same condition.
    rtol = 2.0 * density_condition_rtol(x, x_other, rho)
    assert_close(
        conditional,
        impl.bivariate_normal_pdf(x, x_other, rho) / marginal,
        rtol=rtol,
        what="density of x1 given x2 against joint / marginal",
        inputs={"x": x},
    )
    assert_close(
        conditional,
        impl.bivariate_normal_pdf(x_other, x, rho) / marginal,
        rtol=rtol,
        what="density of x2 given x1 against joint / marginal",
        inputs={"x": x},
    )


@pytest.mark.claim
@given(vectors(st.integers(0, 3), -1e3, 1e3), correlations)
def test_conditional_moments_are_rho_x_and_one_minus_rho_squared(impl, x_other, rho):
    """gibbs_conditional(rho, x_other) = (rho x_other, 1 - rho^2), elementwise over x_other."""
    mean, variance = impl.gibbs_conditional(rho, x_other)
    # One rounded product for the mean; 1 - rho^2 to a few u absolutely (any formula).
    assert_close(mean, rho * x_other, rtol=2 * EPS, atol=0.0, what="conditional mean")
    assert_close(
        variance,
        float(mp_one_minus_square(rho)),
        rtol=0.0,
        atol=4 * EPS,
        what="conditional variance",
    )


@pytest.mark.claim
@given(correlations)
def test_conditionals_make_one_sweep_keep_the_target(impl, rho):
    """Redrawing x1 then x2 from gibbs_conditional maps N(0, Sigma) to N(0, Sigma) exactly."""
    shift, A, B = sweep_map(impl, rho)
    sigma = np.array([[1.0, rho], [rho, 1.0]])
    # Entries are sums of <= 3 products of numbers <= 1 whose inputs are within a few u:
    # a few u absolutely.
    assert_close(shift, np.zeros(2), atol=8 * EPS, what="mean after one sweep from N(0, Sigma)")
    assert_close(
        A @ sigma @ A.T + B @ B.T,
        sigma,
        atol=8 * EPS,
        what="covariance after one sweep from N(0, Sigma)",
    )


@pytest.mark.claim
@settings(max_examples=4)  # 1000 sampler calls per example
@example(rho=0.9, seed=0)
@given(moderate_correlations, seeds)
def test_one_sweep_of_the_sampler_keeps_the_target(impl, rho, seed):
    """gibbs_sampler(rho, 1, x0) with x0 ~ N(0, Sigma) gives a state distributed N(0, Sigma)."""
    # 1000 independent starts, one sweep each: the whitened states are i.i.d. N(0, I) iff
    # the sweep keeps N(0, Sigma); the mean squares of w1, w2 and (w1 + w2) / sqrt 2 are
    # chi-square(1000) / 1000, each checked at false alarm 1e-12 / 3.  A sweep with
    # conditional variance 1 - rho (not 1 - rho^2) gives E w2^2 = 1 / (1 + rho) = 0.53 at
    # rho = 0.9, outside the interval [0.71, 1.36].
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((ONE_SWEEP_CHAINS, 2))
    starts = np.column_stack([z[:, 0], rho * z[:, 0] + math.sqrt((1 - rho) * (1 + rho)) * z[:, 1]])
    states = np.array([impl.gibbs_sampler(rho, 1, x0, rng)[0] for x0 in starts])
    w = whitened(states, rho)
    lo, hi = chi2_variance_interval(ONE_SWEEP_CHAINS + 1, alpha=FALSE_ALARM / 3)
    for what, values in (
        ("w1", w[:, 0]),
        ("w2", w[:, 1]),
        ("(w1 + w2) / sqrt 2", (w[:, 0] + w[:, 1]) / math.sqrt(2.0)),
    ):
        assert_within(float(np.mean(values**2)), (lo, hi), f"mean square of {what}", {})


@pytest.mark.claim
@given(moderate_correlations, vectors(2, -100.0, 100.0), seeds)
def test_sweep_innovations_are_iid_conditional_noise(impl, rho, x0, seed):
    """x1_t - rho x2_(t-1) and x2_t - rho x1_t are 2n i.i.d. N(0, 1 - rho^2) draws, from any x0."""
    n = 2000
    chain = impl.gibbs_sampler(rho, n, x0, np.random.default_rng(seed))
    previous_x2 = np.concatenate([[x0[1]], chain[:-1, 1]])
    innovations = np.concatenate([chain[:, 0] - rho * previous_x2, chain[:, 1] - rho * chain[:, 0]])
    variance = (1.0 - rho) * (1.0 + rho)
    # Exact laws for i.i.d. Gaussians: chi-square(2n) and N(0, variance / 2n), 1e-12 each.
    lo, hi = chi2_variance_interval(2 * n + 1)
    ratio = float(np.mean(innovations**2)) / variance
    inputs = {"mean square / (1 - rho^2)": ratio}
    assert_leq(lo, ratio, what="chi-square lower bound on the innovations", inputs=inputs)
    assert_leq(ratio, hi, what="chi-square upper bound on the innovations", inputs=inputs)
    halfwidth = gaussian_mean_halfwidth(2 * n, math.sqrt(variance))
    assert_leq(abs(float(np.mean(innovations))), halfwidth, what="|mean innovation|")


LONG_CHAIN = 10_000


@pytest.mark.claim
@settings(max_examples=20)
@given(moderate_correlations, seeds)
def test_chain_sample_correlation_is_rho(impl, rho, seed):
    """The stationary chain's correlation estimate 2 sum x1 x2 / sum (x1^2 + x2^2) is near rho."""
    chain = stationary_chain(impl, rho, LONG_CHAIN, seed)
    estimate = 2.0 * np.sum(chain[:, 0] * chain[:, 1]) / np.sum(chain**2)
    # Autocovariance of c . x_t: c^T Sigma c at lag 0, rho^(2(k-1)) c^T A Sigma c at lag k.
    sigma = np.array([[1.0, rho], [rho, 1.0]])
    A = np.array([[0.0, rho], [0.0, rho**2]])
    lags = np.arange(1, LONG_CHAIN)

    def autocovariance(c):
        return np.concatenate([[c @ sigma @ c], rho ** (2 * (lags - 1)) * (c @ A @ sigma @ c)])

    interval = correlation_interval(
        autocovariance(np.array([1.0, 1.0])), autocovariance(np.array([1.0, -1.0]))
    )
    assert_within(
        float(estimate), interval, "sample correlation", {"rho": rho, "interval": interval}
    )


@pytest.mark.claim
@settings(max_examples=20)
@given(moderate_correlations, seeds)
def test_chain_lag_one_autocorrelation_is_rho_squared(impl, rho, seed):
    """The lag-1 autocorrelation estimate of x1 along the stationary chain is near rho^2."""
    x1 = stationary_chain(impl, rho, LONG_CHAIN + 1, seed)[:, 0]
    estimate = 2.0 * np.sum(x1[:-1] * x1[1:]) / np.sum(x1[:-1] ** 2 + x1[1:] ** 2)
    # x1 is AR(1) with coefficient rho^2: gamma(k) = rho^(2|k|); for u_t = x1_t + s x1_(t+1),
    # Cov(u_(t+k), u_t) = 2 gamma(k) + s (gamma(k + 1) + gamma(|k - 1|)).
    gamma = (rho**2) ** np.arange(LONG_CHAIN + 1)
    shifted_down = np.concatenate([[gamma[1]], gamma[: LONG_CHAIN - 1]])  # gamma(|k - 1|)

    def autocovariance(s):
        return 2.0 * gamma[:LONG_CHAIN] + s * (gamma[1:] + shifted_down)

    interval = correlation_interval(autocovariance(1.0), autocovariance(-1.0))
    assert_within(
        float(estimate), interval, "lag-1 autocorrelation", {"rho^2": rho**2, "interval": interval}
    )


# --- numerics tier: accuracy and robustness at extreme inputs ---


@pytest.mark.numerics
@given(vectors(3), floats(-10.0, 10.0), correlations)
def test_density_is_accurate_to_its_quadratic_form_near_rho_one(impl, x1, x2, rho):
    """The density keeps relative accuracy ~ u (1 + |x|^2 / (1 - rho^2)) even for rho near +-1."""
    assert_density_matches_40_digits(impl, x1, x2, rho, density_rtol)


@pytest.mark.numerics
@given(
    st.sampled_from([1.0, -1.0]),
    floats(1e155, 1e300),
    floats(-1e3, 1e3),
    st.booleans(),
    correlations,
)
def test_density_far_out_is_exactly_zero(impl, sign, far, near, far_is_x1, rho):
    """At a point with a coordinate beyond 1e155 the density is exactly 0.0, without overflow."""
    # The quadratic form q is >= (x1^2 + x2^2) / (1 + |rho|) >= 5e309, so exp(-q / 2) is 0.
    x1, x2 = (sign * far, near) if far_is_x1 else (near, sign * far)
    assert_true(impl.bivariate_normal_pdf(x1, x2, rho) == 0.0, what="density far out is 0.0")


@pytest.mark.numerics
@given(st.sampled_from([1.0 - 1e-9, -1.0 + 1e-12, 1.0 - 2.0**-40]) | floats(-0.999, 0.999))
def test_conditional_variance_is_relatively_accurate_near_rho_one(impl, rho):
    """1 - rho^2 comes back to 4 eps relative even where it is 1e-12 ((1 - rho)(1 + rho))."""
    _, variance = impl.gibbs_conditional(rho, 0.0)
    assert_close(
        variance, float(mp_one_minus_square(rho)), rtol=4 * EPS, atol=0.0, what="1 - rho^2"
    )


# --- contract tier: the interface and the reference's choices among valid answers ---


@pytest.mark.contract
@given(correlations, vectors(2, -100.0, 100.0), seeds, st.integers(1, 5))
def test_returns_floats_for_scalars_and_arrays_for_batches(impl, rho, x0, seed, n_steps):
    """Scalars give floats, (3,) points a (3,) array; the sampler gives (n_steps, 2) states."""
    assert_true(isinstance(impl.bivariate_normal_pdf(0.5, -0.5, rho), float), what="pdf float")
    batch = impl.bivariate_normal_pdf(np.zeros(3), np.zeros((2, 1)), rho)
    assert_true(
        isinstance(batch, np.ndarray) and batch.dtype == np.float64 and batch.shape == (2, 3),
        what="pdf broadcasts (3,) against (2, 1) to a (2, 3) float64 array",
    )
    mean, variance = impl.gibbs_conditional(rho, 0.5)
    assert_true(isinstance(mean, float) and isinstance(variance, float), what="conditional floats")
    means, _ = impl.gibbs_conditional(rho, np.zeros(3))
    assert_true(isinstance(means, np.ndarray) and means.shape == (3,), what="(3,) means")
    chain = impl.gibbs_sampler(rho, n_steps, x0, np.random.default_rng(seed))
    assert_true(
        isinstance(chain, np.ndarray)
        and chain.dtype == np.float64
        and chain.shape == (n_steps, 2)
        and bool(np.all(np.isfinite(chain))),
        what="(n_steps, 2) finite float64 states (n_steps = 1, the smallest count, included)",
    )


@pytest.mark.contract
@given(st.one_of(st.sampled_from([1.0, -1.0]), floats(1.0, 10.0), floats(-10.0, -1.0)), seeds)
def test_rejects_bad_input(impl, bad_rho, seed):
    """|rho| >= 1, a bad n_steps, x0, rng, or non-broadcasting points raise ValueError."""
    rng = np.random.default_rng(seed)
    why = "|rho| >= 1"
    assert_rejects(impl.bivariate_normal_pdf, 0.0, 0.0, bad_rho, argument="rho", because=why)
    assert_rejects(impl.gibbs_conditional, bad_rho, 0.0, argument="rho", because=why)
    assert_rejects(impl.gibbs_sampler, bad_rho, 10, np.zeros(2), rng, argument="rho", because=why)
    assert_rejects(
        impl.bivariate_normal_pdf,
        np.zeros(2),
        np.zeros(3),
        0.5,
        argument="x1",
        because="x1 of shape (2,) does not broadcast against x2 of shape (3,)",
    )
    points = (np.zeros(2), np.zeros((3, 1)), 0.5)  # broadcasting points: any leading axes
    assert_rejects_bad_arrays(
        impl.bivariate_normal_pdf, *points, names=("x1", "x2", None), batched=("x1", "x2")
    )
    assert_rejects(
        impl.gibbs_conditional, 0.5, np.nan, argument="x_other", because="x_other is NaN"
    )
    for n_steps, because in (
        (0, "n_steps = 0: a count of steps must be >= 1"),
        (-3, "n_steps is negative"),
        (2.5, "n_steps is not an integer"),
    ):
        assert_rejects(
            impl.gibbs_sampler, 0.5, n_steps, np.zeros(2), rng, argument="n_steps", because=because
        )
    assert_rejects(
        impl.gibbs_sampler,
        0.5,
        10,
        np.zeros(3),
        rng,
        argument="x0",
        because="x0 has 3 coordinates, not 2",
    )
    assert_rejects_bad_arrays(
        impl.gibbs_sampler, 0.5, 10, np.zeros(2), rng, names=(None, None, "x0", None)
    )
    for nan_rho in (np.nan, np.inf):
        assert_rejects(
            impl.gibbs_conditional, nan_rho, 0.0, argument="rho", because="rho is not finite"
        )
    assert_rejects(
        impl.gibbs_sampler,
        0.5,
        10,
        np.zeros(2),
        seed,
        argument="rng",
        because="rng is an integer seed, not a numpy Generator",
    )
