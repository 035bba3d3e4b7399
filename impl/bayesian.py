"""Lecture 4: Bayes by Backprop and the VAE loss.

References: C. Blundell, J. Cornebise, K. Kavukcuoglu and D. Wierstra, "Weight
uncertainty in neural networks", 2015; D. P. Kingma and M. Welling,
"Auto-encoding variational Bayes", 2013.

Conventions of this module.  A mean-field Gaussian q(w | theta) over d weights
has theta = (mu, rho), both of shape (d,), and standard deviations
sigma = softplus(rho) > 0.  Monte-Carlo noise ``eps`` has shape (S, d): one row
per sample, w_s = mu + sigma * eps_s.  The callables ``log_prior(w)`` and
``log_likelihood(w)`` take one weight vector of shape (d,) and return a float;
``grad_log_prior(w)`` and ``grad_log_likelihood(w)`` return arrays of shape (d,).
A VAE ``decoder(z)`` maps latents of shape (S, K) to means of shape (S, D).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy import special

from impl._validation import as_array, as_scalar, same_shape

__all__ = [
    "softplus",
    "bbb_weights",
    "bbb_objective",
    "bbb_gradients",
    "bbb_fit_linear_regression",
    "reparameterize",
    "gaussian_kl_to_standard_normal",
    "vae_loss",
]

LOG_2PI = math.log(2.0 * math.pi)
#: Below this rho, sigma = softplus(rho) ~ e^rho is no longer a normal float.
MIN_RHO = math.log(np.finfo(np.float64).tiny)
#: Above this log-variance, the standard deviation exp(log_var / 2) overflows.
MAX_LOG_VAR = 2.0 * math.log(np.finfo(np.float64).max)


def _scalar_or_array(x: np.ndarray) -> float | np.ndarray:
    return float(x) if x.ndim == 0 else x


# --------------------------------------------------------------------------- 4.12


def softplus(x):
    """log(1 + e^x), computed as ``logaddexp(0, x)`` = max(x, 0) + log1p(e^-|x|).

    No overflow for large x (softplus(1e300) = 1e300) and full relative
    precision for very negative x, where softplus(x) ~ e^x.
    """
    return _scalar_or_array(np.logaddexp(0.0, as_array(x, "x")))


def _variational(mu, rho) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validated (mu, rho, sigma) of a mean-field Gaussian over d weights."""
    mu = as_array(mu, "mu", ndim=1)
    rho = as_array(rho, "rho")  # its shape is checked against mu's
    same_shape(mu, rho, "mu and rho")
    if np.any(rho < MIN_RHO):
        raise ValueError(f"rho must be >= {MIN_RHO:.1f}, else sigma = softplus(rho) underflows")
    return mu, rho, np.logaddexp(0.0, rho)


def _noise(eps, d: int, *, batch: bool) -> np.ndarray:
    """eps as a float64 array of shape (S, d) (or (..., d) when not ``batch``)."""
    eps = as_array(eps, "eps", ndim=2 if batch else None, min_ndim=1)
    if eps.shape[-1] != d or eps.size == 0:
        wanted = f"(S, {d}) with S >= 1" if batch else f"(..., {d})"
        raise ValueError(f"eps must have shape {wanted}, got {eps.shape}")
    return eps


def _evaluate_rows(function: Callable, w: np.ndarray, name: str, shape: tuple) -> np.ndarray:
    """``function`` applied to each row of w, stacked; each value must have ``shape``."""
    if not callable(function):
        raise ValueError(f"{name} must be callable, got {type(function).__name__}")
    values = np.array([np.asarray(function(row), dtype=np.float64) for row in w])
    if values.shape != (len(w), *shape):
        raise ValueError(f"{name}(w) must return shape {shape} for w of shape {w.shape[1:]}")
    # A log-density may be -inf (zero density); a gradient must be finite.
    bad = np.isnan(values) | (np.isinf(values) if shape else np.isposinf(values))
    if bad.any():
        raise ValueError(f"{name}(w) returned a NaN or forbidden infinity: {values[bad][0]}")
    return values


def bbb_weights(mu, rho, eps):
    """The reparameterized weights w = mu + softplus(rho) * eps, one row per row of eps."""
    mu, _, sigma = _variational(mu, rho)
    return mu + sigma * _noise(eps, mu.size, batch=False)


def bbb_objective(mu, rho, eps, log_prior, log_likelihood):
    """Monte-Carlo variational free energy of Blundell et al. (2015), eq. (2):

        F(theta) ~ (1/S) sum_s [log q(w_s | theta) - log P(w_s) - log P(D | w_s)],

    with w_s = mu + sigma * eps_s.  Since (w_s - mu) / sigma = eps_s exactly,
    log q(w_s | theta) = -d/2 log(2 pi) - sum log sigma - |eps_s|^2 / 2.
    A zero prior or likelihood (log = -inf) makes F = +inf; NaN or +inf is refused.
    """
    mu, _, sigma = _variational(mu, rho)
    eps = _noise(eps, mu.size, batch=True)
    w = mu + sigma * eps
    log_q = -0.5 * mu.size * LOG_2PI - np.log(sigma).sum() - 0.5 * (eps**2).sum(axis=-1)
    log_p = _evaluate_rows(log_prior, w, "log_prior", ())
    log_lik = _evaluate_rows(log_likelihood, w, "log_likelihood", ())
    return float(np.mean(log_q - log_p - log_lik))


def _blundell_step(rho, sigma, eps, g):
    """Blundell et al.'s gradients averaged over the rows of eps.

    g_s = grad log P(w_s) + grad log P(D|w_s) is given, one row per sample.

    With f(w, theta) = log q(w|theta) - log P(w) - log P(D|w) and w = mu + sigma eps:
        df/dw = -eps/sigma - g,   df/dmu = eps/sigma,   df/dsigma = (eps^2 - 1)/sigma,
        Delta mu  = df/dw + df/dmu                          = -g,
        Delta rho = (df/dw * eps + df/dsigma) * sigmoid(rho) = -(g eps + 1/sigma) sigmoid(rho),
    where sigmoid(rho) = 1/(1 + e^-rho) = d softplus / d rho.  The simplified
    forms avoid the cancellation of eps/sigma terms, which are huge for tiny sigma.
    """
    grad_mu = -g.mean(axis=0)
    grad_rho = -special.expit(rho) * ((g * eps).mean(axis=0) + 1.0 / sigma)
    return grad_mu, grad_rho


def bbb_gradients(mu, rho, eps, grad_log_prior, grad_log_likelihood):
    """(Delta mu, Delta rho): the gradient of ``bbb_objective`` by Blundell et al.'s rule.

    Section 3.2 of Blundell et al. (2015): for each row eps_s,
        Delta mu  = df/dw + df/dmu,
        Delta rho = df/dw * eps / (1 + e^-rho) + df/drho,
    averaged over the S rows (see ``_blundell_step`` for the closed forms).
    """
    mu, rho, sigma = _variational(mu, rho)
    eps = _noise(eps, mu.size, batch=True)
    w = mu + sigma * eps
    g = _evaluate_rows(grad_log_prior, w, "grad_log_prior", mu.shape)
    g = g + _evaluate_rows(grad_log_likelihood, w, "grad_log_likelihood", mu.shape)
    return _blundell_step(rho, sigma, eps, g)


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def bbb_fit_linear_regression(X, y, prior_var, noise_var, n_steps, lr, n_samples, rng):
    """Bayes by Backprop for y = Xw + N(0, noise_var) with prior w ~ N(0, prior_var I).

    Starts at the prior (mu = 0, sigma = sqrt(prior_var)) and takes ``n_steps``
    plain gradient steps theta <- theta - lr * (Delta mu, Delta rho), each from
    ``n_samples`` fresh rows eps ~ N(0, I) drawn from ``rng``, with the rule of
    ``bbb_gradients`` and, in this model,
        grad log P(w) + grad log P(D|w) = -w / prior_var + X^T (y - X w) / noise_var.
    Returns the final (mu, sigma = softplus(rho)).  The mean-field optimum is
    mu = Lambda^-1 X^T y / noise_var, sigma_i^2 = 1 / Lambda_ii with posterior
    precision Lambda = I / prior_var + X^T X / noise_var; plain SGD lands
    within its Monte-Carlo noise, of order sqrt(lr / n_samples), of it.
    """
    X = as_array(X, "X", ndim=2)
    y = as_array(y, "y")  # its shape is checked against X's
    if y.shape != X.shape[:1]:
        raise ValueError(f"y must have one entry per row of X ({X.shape[0]}), got {y.shape}")
    prior_var = as_scalar(prior_var, "prior_var", positive=True)
    noise_var = as_scalar(noise_var, "noise_var", positive=True)
    n_steps = _positive_int(n_steps, "n_steps")
    n_samples = _positive_int(n_samples, "n_samples")
    lr = as_scalar(lr, "lr", positive=True)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    d = X.shape[1]
    gram, moment = X.T @ X, X.T @ y
    mu = np.zeros(d)
    rho = np.full(d, math.log(math.expm1(math.sqrt(prior_var))))  # softplus(rho) = prior sd
    # A too large lr overflows; the iterates are checked once, after the loop.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for _ in range(n_steps):
            eps = rng.standard_normal((n_samples, d))
            sigma = np.logaddexp(0.0, rho)
            w = mu + sigma * eps
            g = (moment - w @ gram) / noise_var - w / prior_var
            grad_mu, grad_rho = _blundell_step(rho, sigma, eps, g)
            mu, rho = mu - lr * grad_mu, rho - lr * grad_rho
    if not (np.all(np.isfinite(mu)) and np.all(np.isfinite(rho)) and np.all(rho >= MIN_RHO)):
        raise ValueError(f"lr = {lr} is too large: training diverged")
    return mu, np.logaddexp(0.0, rho)


# --------------------------------------------------------------------------- 4.13


def _gaussian(mu, log_var) -> tuple[np.ndarray, np.ndarray]:
    mu = as_array(mu, "mu", min_ndim=1)
    log_var = as_array(log_var, "log_var")  # its shape is checked against mu's
    same_shape(mu, log_var, "mu and log_var")
    return mu, log_var


def reparameterize(mu, log_var, eps):
    """z = mu + exp(log_var / 2) * eps: a sample of N(mu, diag(exp(log_var))) for eps ~ N(0, I).

    mu and log_var have shape (..., K); eps broadcasts against them (e.g. (S, K)).
    """
    mu, log_var = _gaussian(mu, log_var)
    if np.any(log_var > MAX_LOG_VAR):
        raise ValueError(f"log_var must be <= {MAX_LOG_VAR:.1f}, else exp(log_var/2) overflows")
    eps = as_array(eps, "eps", min_ndim=1)
    try:
        np.broadcast_shapes(mu.shape, eps.shape)
    except ValueError:
        raise ValueError(f"eps of shape {eps.shape} does not broadcast with {mu.shape}") from None
    if eps.shape[-1] != mu.shape[-1]:
        raise ValueError(f"eps must have {mu.shape[-1]} entries on its last axis, got {eps.shape}")
    return mu + np.exp(0.5 * log_var) * eps


def _exp_minus_one_minus(x: np.ndarray) -> np.ndarray:
    """e^x - 1 - x >= 0 to full relative precision (Taylor series where expm1(x) - x cancels)."""
    with np.errstate(over="ignore"):  # e^x = inf for x > 709.78 is the right answer
        result = np.expm1(x) - x
    small = np.abs(x) < 0.5
    t = x[small]
    # x^2 sum_{k>=0} x^k / (k+2)!, Horner; 15 terms leave a remainder < 1e-17 relative.
    series = np.zeros_like(t)
    for k in range(14, -1, -1):
        series = series * t + 1.0 / math.factorial(k + 2)
    result[small] = t * t * series
    return result


def _half_exp_minus_one_minus(x: np.ndarray) -> np.ndarray:
    """(e^x - 1 - x) / 2, finite up to x = 710.47 although e^x overflows above 709.78.

    Above x = 700, (1 + x) / 2 is far below one ulp of e^x / 2, which is computed as
    e^(x/2) * (e^(x/2) / 2) so that no intermediate overflows.
    """
    result = 0.5 * _exp_minus_one_minus(x)
    big = x > 700.0
    half_exp = np.exp(x[big] / 2)
    with np.errstate(over="ignore"):  # +inf above x = 710.47 is the right answer
        result[big] = half_exp * (0.5 * half_exp)
    return result


def gaussian_kl_to_standard_normal(mu, log_var):
    """KL(N(mu, diag(e^log_var)) || N(0, I)) = 1/2 sum (mu^2 + e^lv - 1 - lv) over the last axis.

    Each term is a sum of two non-negative parts, mu^2 and e^lv - 1 - lv, the
    latter computed without cancellation, so the KL is >= 0 and exactly 0 only
    at mu = 0, lv = 0 (in floating point as in exact arithmetic, up to underflow).
    """
    mu, log_var = _gaussian(mu, log_var)
    return _scalar_or_array((0.5 * mu**2 + _half_exp_minus_one_minus(log_var)).sum(axis=-1))


def vae_loss(x, mu, log_var, decoder, c, eps):
    """The VAE loss of one data point x (D,), encoder output mu, log_var (K,), noise eps (S, K):

        L = KL(q(z|x) || N(0, I)) + (1/S) sum_s |x - g(z_s)|^2 / (2 c^2),  z_s = mu + sigma eps_s,

    where ``decoder`` is g, mapping z of shape (S, K) to (S, D).  L is the
    negative ELBO of p(x|z) = N(g(z), c^2 I) without its constant D/2 log(2 pi c^2).
    """
    x = as_array(x, "x", ndim=1)
    mu = as_array(mu, "mu", ndim=1)
    c = as_scalar(c, "c", positive=True)
    z = reparameterize(mu, log_var, _noise(eps, mu.size, batch=True))
    if not callable(decoder):
        raise ValueError(f"decoder must be callable, got {type(decoder).__name__}")
    means = np.asarray(decoder(z), dtype=np.float64)
    if means.shape != (len(z), x.size) or not np.all(np.isfinite(means)):
        raise ValueError(f"decoder must map z {z.shape} to finite means {(len(z), x.size)}")
    reconstruction = ((x - means) ** 2).sum(axis=-1).mean() / (2.0 * c * c)
    return float(gaussian_kl_to_standard_normal(mu, log_var) + reconstruction)
