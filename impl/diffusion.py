"""Lecture 6: hierarchical VAEs and diffusion models.

Conventions (see ``spec/contract/diffusion.py``): time is 1-based, ``alphas[t - 1]``
is alpha_t for t = 1..T, alpha_bar_t = prod_{i <= t} alpha_i and alpha_bar_0 = 1;
data are arrays of shape (..., d); isotropic variances come back as floats.

The hierarchical-VAE tables put the distribution on the last axis and the
conditioning value on the axis before it (layers are 1-based like time):

* ``p_zT[j]`` = p(z_T = j), shape (S,);
* ``p_down[t - 1, i, j]`` = p(z_t = j | z_{t+1} = i) for t = 1..T-1, shape (T-1, S, S);
* ``p_x_given_z1[i, k]`` = p(x = k | z_1 = i), shape (S, K);
* ``q_z1_given_x[k, i]`` = q(z_1 = i | x = k), shape (K, S);
* ``q_up[t - 1, i, j]`` = q(z_{t+1} = j | z_t = i) for t = 1..T-1, shape (T-1, S, S).
"""

from __future__ import annotations

import numpy as np
from scipy import special

from impl._validation import as_array, as_probabilities, as_scalar, as_spd, same_shape

__all__ = [
    "hvae_elbo",
    "hvae_log_evidence",
    "alpha_bars",
    "forward_step",
    "forward_sample",
    "diffusion_posterior",
    "gaussian_kl",
    "tweedie_denoise",
    "posterior_mean_from_score",
]


# --------------------------------------------------------------------------- 6.17


def _hvae_tables(x, p_zT, p_down, p_x_given_z1):
    """Validate the generative tables; return (x, p_zT, p_down, p_x_given_z1)."""
    p_zT = as_probabilities(p_zT, "p_zT")
    if p_zT.ndim != 1:
        raise ValueError(f"p_zT must be a vector of S probabilities, got shape {p_zT.shape}")
    s = p_zT.shape[0]
    p_down = as_probabilities(p_down, "p_down")
    if p_down.ndim != 3 or p_down.shape[1:] != (s, s):
        raise ValueError(f"p_down must have shape (T-1, {s}, {s}), got {p_down.shape}")
    p_x_given_z1 = as_probabilities(p_x_given_z1, "p_x_given_z1")
    if p_x_given_z1.ndim != 2 or p_x_given_z1.shape[0] != s:
        raise ValueError(f"p_x_given_z1 must have shape ({s}, K), got {p_x_given_z1.shape}")
    if isinstance(x, bool) or not isinstance(x, int | np.integer):
        raise ValueError(f"x must be an integer symbol, got {x!r}")
    if not 0 <= x < p_x_given_z1.shape[1]:
        raise ValueError(f"x must lie in [0, {p_x_given_z1.shape[1]}), got {x}")
    return int(x), p_zT, p_down, p_x_given_z1


def _log(p):
    with np.errstate(divide="ignore"):
        return np.log(p)


def hvae_log_evidence(x, p_zT, p_down, p_x_given_z1):
    """log p(x) = log sum_z p(z_T) prod_t p(z_t | z_{t+1}) p(x | z_1), summed layer by layer.

    The sum over the S^T latent paths is pushed down the chain in log space
    (log-sum-exp), so tiny masses neither underflow nor lose digits.
    """
    x, p_zT, p_down, p_x_given_z1 = _hvae_tables(x, p_zT, p_down, p_x_given_z1)
    log_marginal = _log(p_zT)  # log p(z_T), then log p(z_t) going down
    for table in p_down[::-1]:
        log_marginal = special.logsumexp(log_marginal[:, None] + _log(table), axis=0)
    return float(special.logsumexp(log_marginal + _log(p_x_given_z1[:, x])))


def _expected_log(mass, p):
    """sum mass * log p with 0 log(anything) = 0 and -inf where mass > 0 = p."""
    with np.errstate(divide="ignore"):
        return float(special.xlogy(mass, p).sum())


def hvae_elbo(x, p_zT, p_down, p_x_given_z1, q_z1_given_x, q_up):
    """The Markovian hierarchical-VAE ELBO in its factorized form (notes, eq. (4)).

    ELBO = E_q[log p(z_T)] + E_q[log p(x | z_1)] + sum_t E_q[log p(z_t | z_{t+1})]
           - E_q[log q(z_1 | x)] - sum_t E_q[log q(z_{t+1} | z_t)],
    each expectation taken under the one- or two-layer marginal of the encoder
    chain q(z_1 | x) prod_t q(z_{t+1} | z_t).  -inf when q charges a path p forbids.
    """
    x, p_zT, p_down, p_x_given_z1 = _hvae_tables(x, p_zT, p_down, p_x_given_z1)
    s = p_zT.shape[0]
    q_z1_given_x = as_probabilities(q_z1_given_x, "q_z1_given_x")
    if q_z1_given_x.shape != (p_x_given_z1.shape[1], s):
        raise ValueError(
            f"q_z1_given_x must have shape ({p_x_given_z1.shape[1]}, {s}), got {q_z1_given_x.shape}"
        )
    q_up = as_probabilities(q_up, "q_up")
    if q_up.shape != p_down.shape:
        raise ValueError(f"q_up must have the shape of p_down {p_down.shape}, got {q_up.shape}")

    marginal = q_z1_given_x[x]  # q(z_t | x), starting at t = 1
    elbo = _expected_log(marginal, p_x_given_z1[:, x]) - _expected_log(marginal, marginal)
    for t in range(q_up.shape[0]):
        pair = marginal[:, None] * q_up[t]  # q(z_t = i, z_{t+1} = j | x)
        elbo += _expected_log(pair, p_down[t].T) - _expected_log(pair, q_up[t])
        marginal = pair.sum(axis=0)
    return elbo + _expected_log(marginal, p_zT)


# --------------------------------------------------------------------------- 6.18


def _as_alphas(alphas):
    """A schedule (last axis = steps) of alphas in the open interval (0, 1)."""
    alphas = as_array(alphas, "alphas", min_ndim=1)
    if alphas.shape[-1] == 0:
        raise ValueError("alphas must hold at least one step")
    if np.any((alphas <= 0) | (alphas >= 1)):
        raise ValueError("alphas must lie in the open interval (0, 1)")
    return alphas


def _as_alpha(value, name, *, closed_at_one):
    """One alpha_t in (0, 1), or one alpha_bar_t in (0, 1] (alpha_bar_0 = 1 is the data)."""
    value = as_scalar(value, name)
    upper_ok = value <= 1 if closed_at_one else value < 1
    if not (value > 0 and upper_ok):
        interval = "(0, 1]" if closed_at_one else "(0, 1)"
        raise ValueError(f"{name} must lie in {interval}, got {value}")
    return value


def alpha_bars(alphas):
    """alpha_bar_t = prod_{i <= t} alpha_i for t = 1..T (last axis); alpha_bar_0 = 1 is implicit."""
    return np.cumprod(_as_alphas(alphas), axis=-1)


def forward_step(x_prev, alpha_t, eps):
    """One encoder step x_t = sqrt(alpha_t) x_{t-1} + sqrt(1 - alpha_t) eps, alpha_t in (0, 1)."""
    x_prev = as_array(x_prev, "x_prev", min_ndim=1)
    eps = as_array(eps, "eps", min_ndim=1)
    same_shape(x_prev, eps, "x_prev and eps")
    alpha_t = _as_alpha(alpha_t, "alpha_t", closed_at_one=False)
    return np.sqrt(alpha_t) * x_prev + np.sqrt(1.0 - alpha_t) * eps


def forward_sample(x0, alpha_bar_t, eps):
    """A draw of q(x_t | x_0): sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps, alpha_bar_t in (0, 1]."""
    x0 = as_array(x0, "x0", min_ndim=1)
    eps = as_array(eps, "eps", min_ndim=1)
    same_shape(x0, eps, "x0 and eps")
    alpha_bar_t = _as_alpha(alpha_bar_t, "alpha_bar_t", closed_at_one=True)
    return np.sqrt(alpha_bar_t) * x0 + np.sqrt(1.0 - alpha_bar_t) * eps


# --------------------------------------------------------------------------- 6.19


def _as_step(alphas, t):
    """(alpha_t, alpha_bar_{t-1}, 1 - alpha_bar_{t-1}, 1 - alpha_bar_t) for 1 <= t <= T."""
    alphas = _as_alphas(alphas)
    if alphas.ndim != 1:
        raise ValueError(f"alphas must be one schedule (a vector), got shape {alphas.shape}")
    if isinstance(t, bool) or not isinstance(t, int | np.integer):
        raise ValueError(f"t must be an integer time step, got {t!r}")
    if not 1 <= t <= alphas.shape[0]:
        raise ValueError(f"t must lie in 1..{alphas.shape[0]}, got {t}")
    # 1 - alpha_bar as -expm1(sum log alpha): no cancellation when alpha_bar is near 1.
    log_alpha_bar = np.concatenate([[0.0], np.cumsum(np.log(alphas[:t]))])
    return (
        alphas[t - 1],
        np.exp(log_alpha_bar[t - 1]),
        -np.expm1(log_alpha_bar[t - 1]),
        -np.expm1(log_alpha_bar[t]),
    )


def diffusion_posterior(x_t, x0, alphas, t):
    """(mean, variance) of q(x_{t-1} | x_t, x_0) = N(mu_q, sigma_q^2 I) (notes, eq. (6)).

    mu_q = [sqrt(alpha_t)(1 - abar_{t-1}) x_t + sqrt(abar_{t-1})(1 - alpha_t) x_0] / (1 - abar_t),
    sigma_q^2 = (1 - alpha_t)(1 - abar_{t-1}) / (1 - abar_t); at t = 1 the mean is x_0, variance 0.
    """
    x_t = as_array(x_t, "x_t", min_ndim=1)
    x0 = as_array(x0, "x0", min_ndim=1)
    same_shape(x_t, x0, "x_t and x0")
    alpha, bar_prev, one_minus_prev, one_minus_bar = _as_step(alphas, t)
    mean = (
        np.sqrt(alpha) * one_minus_prev * x_t + np.sqrt(bar_prev) * (1.0 - alpha) * x0
    ) / one_minus_bar
    return mean, float((1.0 - alpha) * one_minus_prev / one_minus_bar)


# --------------------------------------------------------------------------- 6.20


def _solve_lower(lower, b):
    """x with lower @ x = b by forward substitution (b a vector or a matrix).

    Written out because SciPy's threaded triangular solve is slow on tiny
    matrices; forward substitution is backward stable and keeps a triangular
    right-hand side's zeros exact.
    """
    x = np.array(b, dtype=np.float64)
    for i in range(x.shape[0]):
        x[i] = (x[i] - lower[i, :i] @ x[:i]) / lower[i, i]
    return x


def gaussian_kl(mu_q, cov_q, mu_p, cov_p):
    """KL(N(mu_q, cov_q) || N(mu_p, cov_p)) for full covariances (notes, eq. (7)).

    With L_q, L_p the Cholesky factors, M = L_p^{-1} L_q is lower triangular and
    tr(cov_p^{-1} cov_q) - d - log det(cov_p^{-1} cov_q)
        = sum_i (M_ii^2 - 1 - log M_ii^2) + sum_{i > j} M_ij^2,
    a sum of non-negative terms, so the result is never negative and loses no
    digits when the two Gaussians are close.
    """
    mu_q = as_array(mu_q, "mu_q", ndim=1)
    mu_p = as_array(mu_p, "mu_p", ndim=1)
    same_shape(mu_q, mu_p, "mu_q and mu_p")
    cov_q, cov_p = as_spd(cov_q, "cov_q"), as_spd(cov_p, "cov_p")
    d = mu_q.shape[0]
    for cov, name in ((cov_q, "cov_q"), (cov_p, "cov_p")):
        if cov.shape != (d, d):
            raise ValueError(f"{name} must have shape ({d}, {d}), got {cov.shape}")
    chol_p = np.linalg.cholesky(cov_p)
    m = _solve_lower(chol_p, np.linalg.cholesky(cov_q))
    diag = np.diag(m)  # positive: a ratio of Cholesky diagonals
    u = (diag - 1.0) * (diag + 1.0)  # M_ii^2 - 1 without cancellation near 1
    # log M_ii^2: log1p is exact near 1, where the terms cancel; 2 log M_ii is exact elsewhere.
    log_diag_sq = np.where(np.abs(u) < 0.5, np.log1p(np.maximum(u, -0.5)), 2.0 * np.log(diag))
    trace_minus_logdet = np.sum(u - log_diag_sq) + np.sum(np.tril(m, -1) ** 2)
    whitened = _solve_lower(chol_p, mu_p - mu_q)
    return float(0.5 * (trace_minus_logdet + whitened @ whitened))


# --------------------------------------------------------------------------- 6.21


def tweedie_denoise(x_t, score, alpha_bar_t):
    """E[x_0 | x_t] = (x_t + (1 - alpha_bar_t) score) / sqrt(alpha_bar_t) (Tweedie; Efron 2011).

    ``score`` is grad log p(x_t) of the marginal of x_t; the result is the
    posterior mean of x_0, not x_0 itself.
    """
    x_t = as_array(x_t, "x_t", min_ndim=1)
    score = as_array(score, "score", min_ndim=1)
    same_shape(x_t, score, "x_t and score")
    alpha_bar_t = _as_alpha(alpha_bar_t, "alpha_bar_t", closed_at_one=True)
    return (x_t + (1.0 - alpha_bar_t) * score) / np.sqrt(alpha_bar_t)


def posterior_mean_from_score(x_t, score, alphas, t):
    """mu_q in score form (notes, eq. (8)): (x_t + (1 - alpha_t) score) / sqrt(alpha_t).

    ``score`` is grad log p(x_t); only alpha_t = alphas[t - 1] enters.
    """
    x_t = as_array(x_t, "x_t", min_ndim=1)
    score = as_array(score, "score", min_ndim=1)
    same_shape(x_t, score, "x_t and score")
    alpha = _as_step(alphas, t)[0]
    return (x_t + (1.0 - alpha) * score) / np.sqrt(alpha)
