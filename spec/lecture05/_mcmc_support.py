"""A non-asymptotic error bound for long, autocorrelated Gaussian chains (exercises 5.14, 5.16).

The i.i.d. bounds of ``spec/stats.py`` do not apply to the states of one
Markov chain: they are correlated.  For the linear-Gaussian chains of Lecture 5
(SGLD on a Gaussian target, Gibbs sampling of a Gaussian) every state is
jointly Gaussian with an autocovariance we know exactly, and then the time
average of a squared linear statistic has an exact tail bound.

Setting.  u_0, ..., u_{n-1} is a stationary zero-mean Gaussian sequence with
autocovariance gamma(k) = Cov(u_{t+k}, u_t); we observe ``chains`` independent
copies.  Stacking them gives Z ~ N(0, G), G block-diagonal with Toeplitz blocks
[gamma(|s - t|)].  Writing G = V diag(lambda) V^T, the sum of squares Z^T Z has
the law of sum_i lambda_i chi_i^2 with chi_i i.i.d. standard normal, lambda_i >= 0.

Bound (B. Laurent and P. Massart, "Adaptive estimation of a quadratic
functional by model selection", Annals of Statistics 2000, Lemma 1).  For
x > 0,
    P(sum lambda_i (chi_i^2 - 1) >= 2 |lambda|_2 sqrt(x) + 2 |lambda|_inf x) <= e^-x,
    P(sum lambda_i (chi_i^2 - 1) <= -2 |lambda|_2 sqrt(x))                   <= e^-x.
The three norms need no eigendecomposition:
    |lambda|_1   = tr G    = chains * n * gamma(0)   (the mean of Z^T Z),
    |lambda|_2^2 = |G|_F^2 = chains * (n gamma(0)^2 + 2 sum_{k=1}^{n-1} (n - k) gamma(k)^2),
    |lambda|_inf <= max_s sum_t |G_st| <= gamma(0) + 2 sum_{k=1}^{n-1} |gamma(k)|  (Gershgorin).
With x = log(2 / alpha) each side fails with probability <= alpha / 2, so the
interval below misses the time average with probability <= alpha.  The bound
is a guarantee for every n, not an asymptotic approximation.
"""

from __future__ import annotations

import math

import numpy as np

from spec.stats import FALSE_ALARM


def mean_square_interval(
    autocovariance: np.ndarray, *, chains: int = 1, alpha: float = FALSE_ALARM
) -> tuple[float, float]:
    """(lo, hi) holding the average of u_t^2 over ``chains`` independent stationary zero-mean
    Gaussian sequences of length n = len(autocovariance), gamma(k) = autocovariance[k],
    with probability at least 1 - alpha (Laurent–Massart, see the module docstring).
    """
    gamma = np.asarray(autocovariance, dtype=np.float64)
    n = len(gamma)
    lags = np.arange(1, n)
    frobenius = math.sqrt(chains * (n * gamma[0] ** 2 + 2.0 * np.sum((n - lags) * gamma[1:] ** 2)))
    largest = gamma[0] + 2.0 * np.sum(np.abs(gamma[1:]))
    x = math.log(2.0 / alpha)
    total = chains * n
    lo = gamma[0] - 2.0 * frobenius * math.sqrt(x) / total
    hi = gamma[0] + (2.0 * frobenius * math.sqrt(x) + 2.0 * largest * x) / total
    return float(lo), float(hi)
