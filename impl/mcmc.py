"""Lecture 5: SGLD, detailed balance, Gibbs sampling.

References: M. Welling and Y. W. Teh, "Bayesian learning via stochastic
gradient Langevin dynamics", ICML 2011; W. K. Hastings, "Monte Carlo sampling
methods using Markov chains and their applications", Biometrika 1970;
S. Geman and D. Geman, "Stochastic relaxation, Gibbs distributions, and the
Bayesian restoration of images", IEEE TPAMI 1984.

Conventions of this module.  SGLD parameters ``theta`` are arrays of any shape
(a 0-d input gives Python floats back); ``grad_log_likelihood(theta, batch)``
returns one gradient per row of ``batch``, shape ``(n, *theta.shape)``.  A
Markov chain on K states is a K x K row-stochastic matrix ``T`` with
``T[x, y] = P(X_{t+1} = y | X_t = x)``; distributions over the states are
vectors of length K; a path is a sequence of integer states.  The bivariate
normal has unit variances and correlation ``rho`` in (-1, 1).
"""

from __future__ import annotations

import math

import numpy as np

from impl._validation import as_array, as_probabilities, as_scalar, same_shape

__all__ = [
    "sgld_drift",
    "sgld_step",
    "stationary_distribution",
    "detailed_balance_holds",
    "path_probability",
    "metropolis_hastings_kernel",
    "bivariate_normal_pdf",
    "gibbs_conditional",
    "gibbs_sampler",
]


def _scalar_or_array(x: np.ndarray) -> float | np.ndarray:
    return float(x) if x.ndim == 0 else x


def _positive_integer(value, name: str, *, at_least: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < at_least:
        raise ValueError(f"{name} must be at least {at_least}, got {value}")
    return int(value)


# --------------------------------------------------------------------------- 5.14


def sgld_drift(theta, grad_log_prior, grad_log_likelihood, batch, N):
    """grad log p(theta) + (N/n) * sum over the n rows x of batch of grad log p(x | theta).

    The minibatch estimate of the gradient of the log posterior given all N
    data points: each of the n points seen stands for N/n points of the data
    set, which makes the estimate unbiased over uniformly drawn minibatches.
    """
    theta = as_array(theta, "theta")
    batch = as_array(batch, "batch", min_ndim=1)
    n = batch.shape[0]
    if n == 0:
        raise ValueError("batch must hold at least one data point (row)")
    N = _positive_integer(N, "N", at_least=n)
    for function, name in (
        (grad_log_prior, "grad_log_prior"),
        (grad_log_likelihood, "grad_log_likelihood"),
    ):
        if not callable(function):
            raise ValueError(f"{name} must be callable")
    prior = as_array(grad_log_prior(theta), "grad_log_prior(theta)")
    per_point = as_array(grad_log_likelihood(theta, batch), "grad_log_likelihood(theta, batch)")
    if prior.shape != theta.shape:
        raise ValueError(f"grad_log_prior must return shape {theta.shape}, got {prior.shape}")
    if per_point.shape != (n, *theta.shape):
        raise ValueError(
            f"grad_log_likelihood must return one gradient per row of batch, shape "
            f"{(n, *theta.shape)}, got {per_point.shape}"
        )
    return _scalar_or_array(prior + (N / n) * per_point.sum(axis=0))


def sgld_step(theta, drift, eta, noise):
    """theta + eta * drift + sqrt(2 eta) * noise, with noise a standard normal draw.

    Welling and Teh write the step size as eps = 2 eta:
    theta + (eps / 2) * drift + N(0, eps I); the two forms are the same update.
    """
    theta = as_array(theta, "theta")
    drift = as_array(drift, "drift")
    noise = as_array(noise, "noise")
    eta = as_scalar(eta, "eta", positive=True)
    same_shape(theta, drift, "theta and drift")
    same_shape(theta, noise, "theta and noise")
    return _scalar_or_array(theta + eta * drift + math.sqrt(2.0 * eta) * noise)


# --------------------------------------------------------------------------- 5.15


def _transition_matrix(T, name: str) -> np.ndarray:
    matrix = as_array(T, name, ndim=2)
    if matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {matrix.shape}")
    return as_probabilities(matrix, name)


def _distribution_on(pi, k: int) -> np.ndarray:
    pi = as_probabilities(as_array(pi, "pi", ndim=1), "pi")
    if pi.shape != (k,):
        raise ValueError(f"pi must have one entry per state ({k}), got shape {pi.shape}")
    return pi


def stationary_distribution(T):
    """The unique pi with pi T = pi and sum(pi) = 1 (least squares on the stacked system).

    Raises ValueError when the stationary distribution is not unique (several
    closed classes of states).
    """
    T = _transition_matrix(T, "T")
    k = T.shape[0]
    system = np.vstack([(np.eye(k) - T).T, np.ones((1, k))])
    if np.linalg.matrix_rank(system) < k:
        raise ValueError(
            "T must have a unique stationary distribution (it has several closed classes)"
        )
    pi = np.linalg.lstsq(system, np.append(np.zeros(k), 1.0), rcond=None)[0]
    pi = np.clip(pi, 0.0, None)  # round-off may leave -1e-17 on transient states
    return pi / pi.sum()


def detailed_balance_holds(T, pi, atol=1e-12):
    """Whether |pi(x) T(x, y) - pi(y) T(y, x)| <= atol for all states x, y."""
    T = _transition_matrix(T, "T")
    pi = _distribution_on(pi, T.shape[0])
    atol = as_scalar(atol, "atol", nonnegative=True)
    flow = pi[:, None] * T
    return bool(np.all(np.abs(flow - flow.T) <= atol))


def path_probability(T, pi, path):
    """P(X_0 = x_0, ..., X_k = x_k) = pi(x_0) prod_i T(x_i, x_{i+1}), path = (x_0, ..., x_k)."""
    T = _transition_matrix(T, "T")
    k = T.shape[0]
    pi = _distribution_on(pi, k)
    states = np.asarray(path)
    if states.ndim != 1 or states.size == 0 or not np.issubdtype(states.dtype, np.integer):
        raise ValueError(f"path must be a non-empty sequence of integer states, got {path!r}")
    if np.any((states < 0) | (states >= k)):
        raise ValueError(f"path must visit states in [0, {k}), got {path!r}")
    return float(pi[states[0]] * np.prod(T[states[:-1], states[1:]]))


def metropolis_hastings_kernel(pi, Q):
    """T(x, y) = Q(x, y) min(1, pi(y) Q(y, x) / (pi(x) Q(x, y))) for y != x; T(x, x) takes the rest.

    The proposal Q must be a stochastic matrix with Q(x, y) > 0 exactly when
    Q(y, x) > 0.  Moves out of a state of mass 0 are always accepted.
    """
    Q = _transition_matrix(Q, "Q")
    pi = _distribution_on(pi, Q.shape[0])
    if np.any((Q > 0) != (Q.T > 0)):
        raise ValueError("Q must satisfy Q(x, y) > 0 exactly when Q(y, x) > 0")
    # The ratio is taken factor by factor so that masses near 1e-300 do not underflow
    # to 0/0; NaN arises only from 0/0 (pi(x) = pi(y) = 0 or Q(x, y) = 0), where
    # accepting is harmless, and overflow to +inf means "accept".
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = (pi[None, :] / pi[:, None]) * (Q.T / Q)
    T = Q * np.where(np.isnan(ratio), 1.0, np.minimum(1.0, ratio))
    np.fill_diagonal(T, 0.0)
    np.fill_diagonal(T, np.maximum(0.0, 1.0 - T.sum(axis=1)))
    return T


# --------------------------------------------------------------------------- 5.16


def _correlation(rho) -> float:
    rho = as_scalar(rho, "rho")
    if not -1.0 < rho < 1.0:
        raise ValueError(f"rho must lie strictly between -1 and 1, got {rho}")
    return rho


def _one_minus_square(rho: float) -> float:
    """1 - rho^2 as (1 - rho)(1 + rho), exact to an ulp even for rho next to +-1."""
    return (1.0 - rho) * (1.0 + rho)


def bivariate_normal_pdf(x1, x2, rho):
    """Density of N(0, [[1, rho], [rho, 1]]) at (x1, x2), broadcasting x1 against x2.

    The quadratic form is split as (x1 - rho x2)^2 / (1 - rho^2) + x2^2, which
    avoids the cancellation in x1^2 - 2 rho x1 x2 + x2^2 near rho = +-1.
    """
    rho = _correlation(rho)
    x1, x2 = as_array(x1, "x1"), as_array(x2, "x2")
    try:
        np.broadcast_shapes(x1.shape, x2.shape)
    except ValueError:
        raise ValueError(
            f"x1 and x2 must broadcast, got shapes {x1.shape} and {x2.shape}"
        ) from None
    variance = _one_minus_square(rho)
    with np.errstate(over="ignore"):  # a huge quadratic form is an exact 0 density
        quadratic = (x1 - rho * x2) ** 2 / variance + x2**2
    return _scalar_or_array(np.exp(-0.5 * quadratic) / (2.0 * math.pi * math.sqrt(variance)))


def gibbs_conditional(rho, x_other):
    """(mean, variance) = (rho * x_other, 1 - rho^2) of one coordinate given the other."""
    rho = _correlation(rho)
    x_other = as_array(x_other, "x_other")
    return _scalar_or_array(rho * x_other), _one_minus_square(rho)


def gibbs_sampler(rho, n_steps, x0, rng):
    """n_steps systematic-scan Gibbs sweeps from x0 for N(0, [[1, rho], [rho, 1]]).

    Each sweep draws x1 from its conditional given the current x2, then x2
    given the new x1; row t of the (n_steps, 2) result is the state after
    sweep t + 1 (x0 itself is not included).
    """
    rho = _correlation(rho)
    n_steps = _positive_integer(n_steps, "n_steps")
    x0 = as_array(x0, "x0", ndim=1)
    if x0.shape != (2,):
        raise ValueError(f"x0 must be a point (x1, x2) of shape (2,), got shape {x0.shape}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    noise = (math.sqrt(_one_minus_square(rho)) * rng.standard_normal((n_steps, 2))).tolist()
    states = []
    x2 = float(x0[1])  # the first half-sweep redraws x1: x0[0] never enters
    for noise1, noise2 in noise:
        x1 = rho * x2 + noise1
        x2 = rho * x1 + noise2
        states.append((x1, x2))
    return np.array(states, dtype=np.float64)
