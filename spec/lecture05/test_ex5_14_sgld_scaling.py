r"""Exercise 5.14 — the N/n factor in stochastic gradient Langevin dynamics.

Statement
    Stochastic gradient Langevin dynamics (SGLD) samples the posterior
    p(theta | x_1..x_N) ∝ p(theta) prod_i p(x_i | theta) with the update
        theta <- theta + eta * D_B(theta) + sqrt(2 eta) * xi,   xi ~ N(0, I),
    where the drift uses only a minibatch B of n of the N data points,
        D_B(theta) = grad log p(theta) + (N/n) sum_{i in B} grad log p(x_i | theta).
    Explain the factor N/n.

Assumptions
    Minibatches are drawn uniformly among the C(N, n) subsets of size n
    (without replacement).  For the stationary-variance properties the target
    is Gaussian: a prior N(0, tau^2) on a scalar theta and N observations
    x_i ~ N(theta, sigma^2), whose posterior is N(m, s^2) with
    1/s^2 = 1/tau^2 + N/sigma^2 and m = s^2 sum_i x_i / sigma^2, and the drift
    uses the full batch (n = N), so it is the exact gradient -(theta - m)/s^2.

Natural range
    Logistic models with N <= 7 points of dimension <= 3, features in
    [-5, 5], theta in [-3, 3], prior sd in [0.5, 5], all minibatch sizes n in 1..N;
    Gaussian targets with N <= 6 data in [-10, 10] and sds in [0.3, 3],
    eta / s^2 in [1e-3, 1.999]; single steps with entries |.| <= 1e3 and
    eta in [1e-8, 10].  Features of 1e-158, whose drift covariance is
    subnormal, are numerics.

Argument
    .. math::

       \mathbb{E}_B\, D_B(\theta) = \nabla \log p(\theta)
       + \frac{N}{n} \cdot \frac{n}{N} \sum_{i=1}^N \nabla \log p(x_i \mid \theta)
       = \nabla \log p(\theta \mid x_1, \dots, x_N)

       \operatorname{Cov}_B D_B(\theta) = \frac{N (N - n)}{n}\, S^2 \qquad (= 0 \text{ at } n = N)

    Unbiasedness.  Write g_i = grad log p(x_i | theta).  Each index i lies in
    C(N-1, n-1) of the C(N, n) minibatches, a fraction n/N of them, so the
    average of sum_{i in B} g_i over all minibatches is (n/N) sum_i g_i.  The
    factor N/n undoes exactly this: the average of D_B is the full-data drift
    grad log p(theta) + sum_i g_i = grad log p(theta | x_1..x_N).  Without it
    the likelihood part would be off by the factor n/N: the prior would weigh
    as much as N/n times the data and the chain would sample a wrong, flatter
    posterior.  With n = N the minibatch is the data set and D_B is exact.  The
    check is exact: for small N we enumerate all C(N, n) minibatches.
    Minibatch noise.  With the indicator covariances of sampling without
    replacement (Var 1[i in B] = p(1-p), Cov(1[i in B], 1[j in B]) = -p(1-p)/(N-1),
    p = n/N) the drift's covariance over minibatches is
        Cov(D_B) = N (N - n) / n * S^2,   S^2 = sum_i (g_i - g_bar)(g_i - g_bar)^T / (N - 1),
    the finite-population formula: zero at n = N.  In one step this noise
    enters as eta (D_B - D), of covariance O(eta^2), while the injected noise
    sqrt(2 eta) xi has covariance 2 eta I; for small eta the injected noise
    dominates and the chain behaves like exact Langevin dynamics.  This is
    Welling and Teh's argument for dropping the Metropolis–Hastings correction.
    Discretisation.  With the exact drift on the Gaussian target, the chain is
    the AR(1) process  x_{t+1} - m = a (x_t - m) + sqrt(2 eta) xi_t  with
    a = 1 - eta/s^2.  Its mean and variance follow  mu' - m = a (mu - m) and
    var' = a^2 var + 2 eta, which for 0 < eta < 2 s^2 (|a| < 1) converge
    geometrically to m and to the fixed point
        v = 2 eta / (1 - a^2) = s^2 / (1 - eta / (2 s^2)) > s^2:
    the discretised chain overestimates the posterior variance by the factor
    1/(1 - eta/(2 s^2)), which tends to 1 as eta -> 0.  Started from N(m, v),
    the chain is stationary with autocovariance v a^|k|.
    Checks.  The moment recursion is read off the implementation exactly: a
    step from N(mu, var) is affine in (z0, z1) when the state is
    mu + sqrt(var) z0 and the noise is z1, so evaluating it at
    (z0, z1) = (0, 0), (1, 0), (0, 1) gives the new mean and the two
    coefficients whose squares add up to the new variance.  The long-chain
    check averages (x_t - m)^2 over 20 independent stationary chains of 400
    steps; the states are correlated, so instead of an i.i.d. bound we use the
    exact Gaussian quadratic-form bound of ``_mcmc_support`` (Laurent–Massart)
    with the autocovariance v a^|k|: it fails with probability <= 1e-12.

Errata
    The notes write the update with i as the iteration counter and again as
    the summation index, sum_{i=1}^{n} grad log p(x_{k_j} | theta^(i)); the sum
    runs over j = 1..n (the minibatch indices k_1..k_n).  Welling and Teh write
    the step size as eps_t = 2 eta: theta + (eps/2) D_B + N(0, eps I), the same
    update as the notes' eta-form (the reference ``sgld_step`` documents both).

References
    M. Welling and Y. W. Teh, "Bayesian learning via stochastic gradient
    Langevin dynamics", ICML 2011.
    B. Laurent and P. Massart, "Adaptive estimation of a quadratic functional by
    model selection", Annals of Statistics 28(5), 2000 (Lemma 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.special import expit

from spec.assertions import (
    SUBNORMAL_SPACING,
    assert_close,
    assert_leq,
    assert_rejects,
    assert_rejects_bad_arrays,
    assert_true,
)
from spec.lecture05._mcmc_support import mean_square_interval
from spec.strategies import floats, log_uniform, matrices, seeds, vectors

EPS = np.finfo(np.float64).eps
# Failure messages name only derived values: Hypothesis prints the drawn inputs itself.


# --------------------------------------------------------------------------- models


@dataclass(frozen=True)
class LogisticModel:
    """Bayesian logistic regression: rows of ``data`` are (features, label in {-1, +1})."""

    data: np.ndarray
    theta: np.ndarray
    prior_sd: float

    def grad_log_prior(self, theta):
        return -theta / self.prior_sd**2

    def grad_log_likelihood(self, theta, batch):
        features, labels = batch[:, :-1], batch[:, -1]
        return (labels * expit(-labels * (features @ theta)))[:, None] * features

    def drift_terms(self) -> tuple[np.ndarray, np.ndarray]:
        """grad log p(theta) and the N per-point gradients, by the model itself."""
        return self.grad_log_prior(self.theta), self.grad_log_likelihood(self.theta, self.data)

    def drift(self, impl, rows) -> np.ndarray:
        return impl.sgld_drift(
            self.theta,
            self.grad_log_prior,
            self.grad_log_likelihood,
            self.data[list(rows)],
            len(self.data),
        )


@st.composite
def logistic_models(draw, min_points: int = 1, max_points: int = 7) -> LogisticModel:
    n_points, dim = draw(st.integers(min_points, max_points)), draw(st.integers(1, 3))
    labels = np.array(
        draw(st.lists(st.sampled_from([-1.0, 1.0]), min_size=n_points, max_size=n_points))
    )
    data = np.column_stack([draw(matrices(n_points, dim, -5.0, 5.0)), labels])
    return LogisticModel(data, draw(vectors(dim, -3.0, 3.0)), draw(floats(0.5, 5.0)))


def models_with_batch_size(min_points: int = 1):
    return logistic_models(min_points).flatmap(
        lambda model: st.tuples(st.just(model), st.integers(1, len(model.data)))
    )


@dataclass(frozen=True)
class GaussianTarget:
    """Prior N(0, prior_sd^2) on a scalar theta, data x_i ~ N(theta, noise_sd^2).

    Its posterior is N(mean, variance); theta may be an array of independent
    copies (one scalar chain per entry), as the gradients act entrywise.
    """

    data: np.ndarray
    prior_sd: float
    noise_sd: float

    @property
    def variance(self) -> float:
        return 1.0 / (1.0 / self.prior_sd**2 + len(self.data) / self.noise_sd**2)

    @property
    def mean(self) -> float:
        return self.variance * float(self.data.sum()) / self.noise_sd**2

    def grad_log_prior(self, theta):
        return -theta / self.prior_sd**2

    def grad_log_likelihood(self, theta, batch):
        return (batch.reshape(-1, *[1] * np.ndim(theta)) - theta) / self.noise_sd**2

    def full_batch_step(self, impl, theta, eta, noise):
        drift = impl.sgld_drift(
            theta, self.grad_log_prior, self.grad_log_likelihood, self.data, len(self.data)
        )
        return impl.sgld_step(theta, drift, eta, noise)


gaussian_targets = st.builds(
    GaussianTarget, vectors(st.integers(1, 6), -10.0, 10.0), floats(0.3, 3.0), floats(0.3, 3.0)
)


def inflated_variance(target: GaussianTarget, eta: float) -> float:
    """v = s^2 / (1 - eta / (2 s^2)), the stationary variance of the discretised chain."""
    return target.variance / (1.0 - eta / (2.0 * target.variance))


def step_moments(impl, target: GaussianTarget, mean: float, variance: float, eta: float):
    """Mean and variance after one full-batch step from N(mean, variance), read off the
    affine map (z0, z1) -> step(mean + sd z0, noise z1) at (0, 0), (1, 0), (0, 1)."""
    theta = np.array([mean, mean + math.sqrt(variance), mean])
    new = target.full_batch_step(impl, theta, eta, np.array([0.0, 0.0, 1.0]))
    return new[0], (new[1] - new[0]) ** 2 + (new[2] - new[0]) ** 2


def drift_scale(prior_term: np.ndarray, per_point: np.ndarray) -> np.ndarray:
    """|prior term| + sum of |per-point terms|: the size of the numbers a drift adds up."""
    return np.abs(prior_term) + np.abs(per_point).sum(axis=0)


# Error model for a drift: 1 + n <= 8 terms (N/n times a sum of n <= 7) in any order err by
# at most ~8u times the sum of their magnitudes (Higham, Accuracy and Stability, §4.2), the
# N/n scaling adds one rounding, and the average over <= C(7, 3) = 35 minibatches adds ~35u
# of its own scale, whose mean over minibatches is exactly drift_scale: <= ~50u * scale
# ~ 6e-15 * scale in all (u = 2^-53).  1e-12 leaves a factor ~200; a wrong factor N/n is
# off by a relative (N - n) / n >= 1/6.
SUM_RTOL = 1e-12


def assert_drift_covariance_is_the_finite_population_formula(impl, model, n):
    N = len(model.data)
    prior_term, per_point = model.drift_terms()
    full = prior_term + per_point.sum(axis=0)
    deviations = np.array([model.drift(impl, rows) for rows in combinations(range(N), n)]) - full
    centred = per_point - per_point.mean(axis=0)
    expected = N * (N - n) / n * (centred.T @ centred) / (N - 1)
    # Each deviation carries round-off ~ SUM_RTOL * scale; a product of two errs by twice that
    # times the larger factor, itself at most N * scale.  Products of drifts near 1e-158 are
    # subnormal: each product and sum then errs by up to SUBNORMAL_SPACING / 2, and the
    # expected side is scaled by N (N - n) / (n (N - 1)) <= N after its N products.
    scale = drift_scale(prior_term, per_point).max()
    subnormal = 2 * (len(deviations) + N * N) * SUBNORMAL_SPACING
    assert_close(
        deviations.T @ deviations / len(deviations),
        expected,
        rtol=0.0,
        atol=4.0 * SUM_RTOL * N * scale**2 + subnormal,
        what="covariance of the minibatch drift",
    )


def full_batch_scale(target: GaussianTarget, theta: float, sd: float) -> float:
    """S = |theta| + max |x_i| + sd: the size of every term a full-batch step adds up."""
    return abs(theta) + float(np.abs(target.data).max()) + sd


# Error model for the moments: a full-batch step adds the prior term, N <= 6 likelihood
# terms (x_i - theta) / sigma^2, theta and the noise term; with eta <= 2 s^2 <= 2 sigma^2 / N
# every term times eta is at most ~2 S, S = full_batch_scale, so a state errs by <= ~20u S.
# The mean is one state (<= 20u S per step); the variance is a sum of two squared differences
# of states, each difference <= 2 S in size, so it errs by <= ~4 * 2 * 20u S^2 per step.
# Errors of earlier steps shrink by |a| < 1, so over <= 10 steps: <= 1.8e-12 S^2 at most,
# and 4e-12 leaves a factor 2 on this crude bound (typical errors are ~1e-15 S^2).  A wrong
# step is off by at least eta / (2 s^2) >= 5e-4 relative on a variance >= 0.01.
MOMENT_TOL = 4e-12


# --- claim tier: the exercise's mathematics on its natural range ---


@pytest.mark.claim
@given(models_with_batch_size())
def test_minibatch_drift_averages_to_full_data_drift(impl, model_and_n):
    """The drift averaged over all C(N, n) minibatches is the full-data drift, exactly."""
    model, n = model_and_n
    prior_term, per_point = model.drift_terms()
    drifts = [model.drift(impl, rows) for rows in combinations(range(len(model.data)), n)]
    assert_close(
        np.mean(drifts, axis=0),
        prior_term + per_point.sum(axis=0),
        rtol=0.0,
        atol=SUM_RTOL * drift_scale(prior_term, per_point),
        what="average minibatch drift against the full-data drift",
    )


@pytest.mark.claim
@given(models_with_batch_size())
def test_minibatch_of_identical_points_gives_full_drift(impl, model_and_n):
    """With N copies of one point, every minibatch of size n gives grad log p + N g (not n g)."""
    model, n = model_and_n
    N = len(model.data)
    copies = LogisticModel(np.repeat(model.data[:1], N, axis=0), model.theta, model.prior_sd)
    prior_term, per_point = copies.drift_terms()
    assert_close(
        copies.drift(impl, range(n)),
        prior_term + N * per_point[0],
        rtol=0.0,
        atol=SUM_RTOL * drift_scale(prior_term, per_point),
        what="drift on n identical points (the N/n factor counts each N/n times)",
    )


@pytest.mark.claim
@given(
    logistic_models().flatmap(
        lambda model: st.tuples(st.just(model), st.permutations(range(len(model.data))))
    )
)
def test_full_batch_drift_is_the_exact_posterior_gradient(impl, model_and_order):
    """With n = N (in any order) the drift is grad log p(theta) + sum_i grad log p(x_i | theta)."""
    model, order = model_and_order
    prior_term, per_point = model.drift_terms()
    assert_close(
        model.drift(impl, order),
        prior_term + per_point.sum(axis=0),
        rtol=0.0,
        atol=SUM_RTOL * drift_scale(prior_term, per_point),
        what="full-batch drift",
    )


@pytest.mark.claim
@given(models_with_batch_size(min_points=2))
def test_minibatch_drift_covariance_is_the_finite_population_formula(impl, model_and_n):
    """Over all minibatches, Cov(D_B) = N (N - n) / n * S^2 (zero at n = N)."""
    assert_drift_covariance_is_the_finite_population_formula(impl, *model_and_n)


@pytest.mark.claim
@given(
    st.sampled_from([(), (1,), (3,), (2, 2)]).flatmap(
        lambda shape: st.tuples(*[hnp.arrays(np.float64, shape, elements=floats(-1e3, 1e3))] * 3)
    ),
    floats(1e-8, 10.0),
)
def test_step_is_langevin_update_in_both_parametrisations(impl, arrays, eta):
    """sgld_step = theta + eta d + sqrt(2 eta) noise = theta + (eps/2) d + sqrt(eps) noise."""
    theta, drift, noise = arrays
    eps = 2.0 * eta  # Welling and Teh's step size
    expected = theta + (eps / 2.0) * drift + np.sqrt(eps) * noise
    # Three terms, each rounded at most twice (sqrt(2 eta) three times), summed with two more
    # roundings: <= 6u = 3 eps of the sum of magnitudes, on either side; 8 eps covers both.
    scale = np.abs(theta) + eta * np.abs(drift) + np.sqrt(eps) * np.abs(noise)
    assert_close(
        impl.sgld_step(theta, drift, eta, noise),
        expected,
        rtol=0.0,
        atol=8 * EPS * scale,
        what="SGLD step",
    )


@pytest.mark.claim
@given(gaussian_targets, floats(1e-3, 1.999))
def test_inflated_variance_is_a_fixed_point_of_one_step(impl, target, eta_over_s2):
    """One full-batch step maps N(m, s^2 / (1 - eta / (2 s^2))) exactly onto itself."""
    eta = eta_over_s2 * target.variance
    v = inflated_variance(target, eta)
    mean, variance = step_moments(impl, target, target.mean, v, eta)
    inputs = {"eta": eta, "v": v}
    scale = full_batch_scale(target, target.mean, math.sqrt(v))
    assert_close(
        mean,
        target.mean,
        rtol=0.0,
        atol=MOMENT_TOL * scale,
        what="mean after one step from stationarity",
        inputs=inputs,
    )
    assert_close(
        variance,
        v,
        rtol=0.0,
        atol=MOMENT_TOL * scale**2,
        what="variance after one step from stationarity",
        inputs=inputs,
    )


@pytest.mark.claim
@given(
    gaussian_targets,
    floats(1e-3, 1.999),
    floats(-10.0, 10.0),
    floats(1e-2, 1e2),
    st.integers(1, 10),
)
def test_moments_follow_the_ar1_recursion(impl, target, eta_over_s2, mean0, variance0, steps):
    """After t steps from N(mu, var): mean m + a^t (mu - m), variance v + a^(2t) (var - v)."""
    eta = eta_over_s2 * target.variance
    a, v, m = 1.0 - eta_over_s2, inflated_variance(target, eta), target.mean
    mean, variance = mean0, variance0
    for _ in range(steps):
        mean, variance = step_moments(impl, target, mean, variance, eta)
    inputs = {"eta": eta, "a": a, "v": v}
    # Every mean stays between m and mu, every variance below max(v, var).
    scale = full_batch_scale(target, abs(m) + abs(mean0), math.sqrt(max(v, variance0)))
    assert_close(
        mean,
        m + a**steps * (mean0 - m),
        rtol=0.0,
        atol=MOMENT_TOL * scale,
        what="mean after t steps",
        inputs=inputs,
    )
    assert_close(
        variance,
        v + a ** (2 * steps) * (variance0 - v),
        rtol=0.0,
        atol=MOMENT_TOL * scale**2,
        what="variance after t steps",
        inputs=inputs,
    )


CHAINS, STEPS = 20, 400


@pytest.mark.claim
@settings(max_examples=10)
@given(gaussian_targets, floats(0.5, 1.5), seeds)
def test_long_chains_average_the_inflated_variance(impl, target, eta_over_s2, seed):
    """Long stationary chains average (x - m)^2 to v = s^2/(1 - eta/(2 s^2)), not s^2."""
    # Laurent–Massart bound for the correlated states (false alarm <= 1e-12, see
    # _mcmc_support); |a| <= 1/2 here, so 8000 states give a halfwidth <= 0.16 v, which
    # excludes s^2 <= 0.75 v: the bound also has the power to reject the continuum answer.
    rng = np.random.default_rng(seed)
    eta = eta_over_s2 * target.variance
    a, v, m = 1.0 - eta_over_s2, inflated_variance(target, eta), target.mean
    theta = m + math.sqrt(v) * rng.standard_normal(CHAINS)
    sum_of_squares = 0.0
    for _ in range(STEPS):
        theta = target.full_batch_step(impl, theta, eta, rng.standard_normal(CHAINS))
        sum_of_squares += float(np.sum((theta - m) ** 2))
    lo, hi = mean_square_interval(v * a ** np.arange(STEPS), chains=CHAINS)
    average = sum_of_squares / (CHAINS * STEPS)
    inputs = {"eta": eta, "v": v, "s^2": target.variance, "interval": (lo, hi)}
    assert_leq(lo, average, what="lower bound on the chains' mean square", inputs=inputs)
    assert_leq(average, hi, what="chains' mean square against its upper bound", inputs=inputs)


# --- numerics tier: accuracy and robustness at extreme inputs ---


def tiny_features(model: LogisticModel, size: float) -> LogisticModel:
    """The model with every feature rescaled to at most ``size``: gradients near 1e-158 and
    below, whose products are subnormal."""
    features, labels = model.data[:, :-1], model.data[:, -1:]
    return LogisticModel(np.hstack([features * (size / 5.0), labels]), model.theta, model.prior_sd)


@pytest.mark.numerics
@given(
    models_with_batch_size(min_points=2).flatmap(
        lambda model_and_n: st.tuples(
            st.builds(tiny_features, st.just(model_and_n[0]), log_uniform(1e-162, 1e-155)),
            st.just(model_and_n[1]),
        )
    )
)
@example(  # features of 7e-158: the covariance, 5e-315, is subnormal
    model_and_n=(
        LogisticModel(
            np.array([[7.05843109e-158, -1.0], [7.05843109e-158, 1.0]]), np.zeros(1), 1.0
        ),
        1,
    )
)
@example(  # seven points of 1.2e-160: the covariance 1.5e-319 is 7 times a subnormal sum
    model_and_n=(
        LogisticModel(
            np.array([[1.22126496e-160, -1.0]] * 2 + [[1.22126496e-160, 1.0]] * 5),
            np.zeros(1),
            1.0,
        ),
        1,
    )
)
def test_drift_covariance_holds_down_to_subnormal_products(impl, model_and_n):
    """Cov(D_B) = N (N - n) / n * S^2 still holds when the products of drifts are subnormal."""
    assert_drift_covariance_is_the_finite_population_formula(impl, *model_and_n)


# --- contract tier: the interface and the reference's choices among valid answers ---


@pytest.mark.contract
@given(logistic_models())
def test_drift_rejects_bad_input(impl, model):
    """NaN theta, an empty batch, N < n or non-integer N, wrong gradient shapes raise ValueError."""
    theta, data, N = model.theta, model.data, len(model.data)
    prior, likelihood = model.grad_log_prior, model.grad_log_likelihood
    assert_rejects(
        impl.sgld_drift,
        np.full_like(theta, np.nan),
        prior,
        likelihood,
        data,
        N,
        argument="theta",
        because="theta is NaN",
    )
    assert_rejects(
        impl.sgld_drift,
        theta,
        prior,
        likelihood,
        data[:0],
        N,
        argument="batch",
        because="the batch has no rows",
    )
    assert_rejects(
        impl.sgld_drift,
        theta,
        prior,
        likelihood,
        data,
        N - 1,
        argument="N",
        because="N is smaller than the batch",
    )
    assert_rejects(
        impl.sgld_drift,
        theta,
        prior,
        likelihood,
        data,
        N + 0.5,
        argument="N",
        because="N is not an integer",
    )
    assert_rejects(
        impl.sgld_drift,
        theta,
        prior,
        lambda t, b: likelihood(t, b)[:-1],
        data,
        N,
        argument="grad_log_likelihood",
        because="grad_log_likelihood returns one gradient fewer than the batch has rows",
    )
    assert_rejects(
        impl.sgld_drift,
        theta,
        lambda t: np.append(t, 0.0),
        likelihood,
        data,
        N,
        argument="grad_log_prior",
        because="grad_log_prior returns a longer vector than theta",
    )


@pytest.mark.contract
@given(vectors(3), floats(-10.0, 0.0))
def test_step_rejects_bad_input(impl, theta, bad_eta):
    """A non-positive eta, mismatched drift or noise, or NaN theta raise ValueError."""
    assert_rejects(impl.sgld_step, theta, theta, bad_eta, theta, argument="eta", because="eta <= 0")
    assert_rejects(
        impl.sgld_step,
        theta,
        theta[:2],
        0.1,
        theta,
        argument="drift",
        because="drift is shorter than theta",
    )
    assert_rejects(
        impl.sgld_step,
        theta,
        theta,
        0.1,
        theta[:2],
        argument="noise",
        because="noise is shorter than theta",
    )
    assert_rejects(
        impl.sgld_step,
        np.full(3, np.nan),
        theta,
        0.1,
        theta,
        argument="theta",
        because="theta is NaN",
    )


@pytest.mark.contract
@settings(max_examples=10)  # input validation needs no breadth
@given(logistic_models(), vectors(3))
def test_rejects_nan_or_0d_arrays_non_callables_and_nan_gradients(impl, model, theta3):
    """NaN or 0-d batches, NaN drift or noise, non-callable or NaN-valued gradients raise."""
    theta, data, N = model.theta, model.data, len(model.data)
    prior, likelihood = model.grad_log_prior, model.grad_log_likelihood
    names = (None, None, None, "batch", None)
    assert_rejects_bad_arrays(
        impl.sgld_drift, theta, prior, likelihood, data, N, names=names, batched=("batch",)
    )
    assert_rejects(
        impl.sgld_drift,
        theta,
        prior,
        likelihood,
        1.0,
        N,
        argument="batch",
        because="the batch is a 0-d number, not rows",
    )
    assert_rejects(
        impl.sgld_drift,
        theta,
        None,
        likelihood,
        data,
        N,
        argument="grad_log_prior",
        because="grad_log_prior is None, not callable",
    )
    assert_rejects(
        impl.sgld_drift,
        theta,
        prior,
        1.0,
        data,
        N,
        argument="grad_log_likelihood",
        because="grad_log_likelihood is a number, not callable",
    )
    assert_rejects(
        impl.sgld_drift,
        theta,
        lambda t: np.full_like(t, np.nan),
        likelihood,
        data,
        N,
        argument="grad_log_prior",
        because="grad_log_prior returns NaN",
    )
    assert_rejects(
        impl.sgld_drift,
        theta,
        prior,
        lambda t, b: np.full((len(b), *t.shape), np.nan),
        data,
        N,
        argument="grad_log_likelihood",
        because="grad_log_likelihood returns NaN",
    )
    assert_rejects_bad_arrays(
        impl.sgld_step, theta3, theta3, 0.1, theta3, names=("theta", "drift", None, "noise")
    )


@pytest.mark.contract
@given(
    gaussian_targets,
    st.sampled_from([(), (3,), (2, 2)]).flatmap(
        lambda shape: hnp.arrays(np.float64, shape, elements=floats(-3.0, 3.0))
    ),
    floats(1e-3, 1.0),
)
def test_returns_a_float_for_scalar_theta_and_an_array_of_its_shape_otherwise(
    impl, target, theta, eta
):
    """A 0-d theta gives floats (np.float64 is one), an array theta float64 arrays of its shape."""
    drift = impl.sgld_drift(
        theta, target.grad_log_prior, target.grad_log_likelihood, target.data, len(target.data)
    )
    step = impl.sgld_step(theta, drift, eta, np.zeros_like(theta))
    for name, value in (("sgld_drift", drift), ("sgld_step", step)):
        if theta.ndim == 0:
            assert_true(isinstance(value, float), what=f"{name} returns a float for a 0-d theta")
        else:
            assert_true(
                isinstance(value, np.ndarray)
                and value.dtype == np.float64
                and value.shape == theta.shape,
                what=f"{name} returns a float64 array of theta's shape",
            )
