"""Error bounds for the few properties that must be statistical.

The budget: the suite must never fail by chance.  Every statistical check
(one assertion on one Hypothesis example) uses the false-alarm probability
``FALSE_ALARM`` = 1e-12.  A property runs at most 1000 examples (the
``thorough`` profile) and makes at most ``CHECKS_PER_EXAMPLE`` = 10 such
checks per example, so one property false-alarms with probability at most
1e4 * 1e-12 = 1e-8 per run (union bound); with fewer than 100 statistical
properties, a whole run of the suite stays below 1e-6.  Under the ``ci``
profile Hypothesis is derandomized, so CI is deterministic on top of that.

Each bound below holds for every distribution satisfying its stated
assumption, so the false-alarm rate is a guarantee, not an approximation
(except where a docstring says otherwise).
"""

from __future__ import annotations

import math

from scipy import special, stats

#: The false-alarm probability of one statistical check.
FALSE_ALARM = 1e-12
CHECKS_PER_EXAMPLE = 10


def hoeffding_halfwidth(n: int, value_range: float, alpha: float = FALSE_ALARM) -> float:
    """Two-sided Hoeffding radius for the mean of n i.i.d. values in an interval
    of length ``value_range``: P(|mean - E| >= t) <= 2 exp(-2 n t^2 / range^2) = alpha.
    """
    return value_range * math.sqrt(math.log(2.0 / alpha) / (2.0 * n))


def gaussian_mean_halfwidth(n: int, sd: float, alpha: float = FALSE_ALARM) -> float:
    """Exact two-sided radius for the mean of n i.i.d. N(mu, sd^2) values:
    the mean is N(mu, sd^2/n), so P(|mean - mu| >= z sd/sqrt n) = alpha for z = Phi^-1(1 - alpha/2).
    """
    z = -special.ndtri(alpha / 2.0)
    return float(z * sd / math.sqrt(n))


def chebyshev_halfwidth(n: int, variance_bound: float, alpha: float = FALSE_ALARM) -> float:
    """Chebyshev radius for the mean of n i.i.d. values with variance <= variance_bound:
    P(|mean - E| >= t) <= variance_bound / (n t^2) = alpha.  Loose, but needs no tails.
    """
    return math.sqrt(variance_bound / (n * alpha))


def dkw_halfwidth(n: int, alpha: float = FALSE_ALARM) -> float:
    """Dvoretzky–Kiefer–Wolfowitz–Massart: P(sup |F_n - F| > t) <= 2 exp(-2 n t^2) = alpha.
    A Kolmogorov–Smirnov statistic above this rejects at level alpha.
    """
    return math.sqrt(math.log(2.0 / alpha) / (2.0 * n))


def chi2_variance_interval(n: int, alpha: float = FALSE_ALARM) -> tuple[float, float]:
    """Factors (lo, hi) such that for n i.i.d. Gaussian values the unbiased sample
    variance S^2 satisfies lo * sigma^2 <= S^2 <= hi * sigma^2 with probability 1 - alpha
    ((n-1) S^2 / sigma^2 is chi-square with n-1 degrees of freedom).
    """
    dof = n - 1
    lo = stats.chi2.ppf(alpha / 2.0, dof) / dof
    hi = stats.chi2.isf(alpha / 2.0, dof) / dof
    return float(lo), float(hi)


def binomial_interval(k: int, n: int, alpha: float = FALSE_ALARM) -> tuple[float, float]:
    """Two-sided Clopper–Pearson interval for a success probability from k of n:
    it misses the true value with probability at most alpha.
    """
    lo = 0.0 if k == 0 else float(stats.beta.ppf(alpha / 2.0, k, n - k + 1))
    hi = 1.0 if k == n else float(stats.beta.isf(alpha / 2.0, k + 1, n - k))
    return lo, hi
