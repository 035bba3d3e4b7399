"""Lecture 9 (9.25, 9.26, 9.28): randomized smoothing and its certificates.

The smoothed classifier of a base classifier f is
g(x) = argmax_c P(f(x + ε) = c) with ε ~ N(0, σ² I).  Cohen, Rosenfeld and Kolter
("Certified adversarial robustness via randomized smoothing", 2019) show that
g is constant on the ℓ2 ball of radius (σ/2)(Φ⁻¹(p_A) − Φ⁻¹(p_B)) around x, where
p_A bounds the top class's probability from below and p_B the runner-up's from
above; their PREDICT and CERTIFY estimate g and that radius by Monte Carlo.

Φ is the standard normal CDF, Φ(x) = (1/√(2π)) ∫_{−∞}^x exp(−t²/2) dt (the
notes print 1/(2π) in front of the integral; the density's constant is 1/√(2π)).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import special

from impl._validation import as_array, as_scalar

__all__ = [
    "normal_cdf",
    "normal_ppf",
    "smoothed_linear_probability",
    "smoothed_linear_classifier",
    "certified_radius",
    "smoothed_predict",
    "smoothed_certify",
    "smoothing_worst_case_probability",
]

#: The label smoothed_predict and smoothed_certify return when they abstain.
ABSTAIN = -1


def _scalar_or_array(x: np.ndarray) -> float | np.ndarray:
    return float(x) if x.ndim == 0 else x


def _as_probability(p: Any, name: str) -> np.ndarray:
    p = np.asarray(as_array(p, name))
    if np.any((p < 0) | (p > 1)):
        raise ValueError(f"{name} must lie in [0, 1]")
    return p


def normal_cdf(x):
    """Φ(x), the standard normal CDF, elementwise; Φ(±inf) = 1, 0.

    ``ndtr`` evaluates the lower tail through erfc, so Φ(x) keeps its relative
    accuracy down to Φ(−37.5) ≈ 4.6e-308 (an erf-based 0.5·(1 + erf(x/√2))
    returns 0 below x ≈ −8.3).
    """
    try:
        x = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"x must be an array of real numbers ({error})") from None
    if np.isnan(x).any():
        raise ValueError("x must not be NaN")
    return _scalar_or_array(special.ndtr(x))


def normal_ppf(p):
    """Φ⁻¹(p), the standard normal quantile, elementwise on [0, 1]; Φ⁻¹(0) = −inf, Φ⁻¹(1) = inf.

    ``ndtri`` works from p in the lower tail and from 1 − p (exact in float64
    for p ≥ 1/2) in the upper one, so Φ⁻¹(1e-300) ≈ −37.0 is accurate.
    """
    return _scalar_or_array(special.ndtri(_as_probability(p, "p")))


def _linear_margin(w, b, x, sigma) -> tuple[np.ndarray, np.ndarray]:
    """(wᵀx + b, (wᵀx + b) / (σ‖w‖)) for x of shape (..., d)."""
    w = as_array(w, "w", ndim=1)
    b = as_scalar(b, "b")
    x = as_array(x, "x", min_ndim=1)
    sigma = as_scalar(sigma, "sigma", positive=True)
    if x.shape[-1] != w.shape[0]:
        raise ValueError(f"x must have {w.shape[0]} coordinates on its last axis, got {x.shape}")
    norm = np.linalg.norm(w)
    if norm == 0:
        raise ValueError("w must be nonzero")
    margin = x @ w + b
    return margin, margin / norm / sigma


def smoothed_linear_probability(w, b, x, sigma):
    """P(wᵀ(x + ε) + b > 0) for ε ~ N(0, σ² I): wᵀε ~ N(0, σ²‖w‖²), so Φ((wᵀx + b)/(σ‖w‖))."""
    _, scaled = _linear_margin(w, b, x, sigma)
    return _scalar_or_array(special.ndtr(scaled))


def smoothed_linear_classifier(w, b, x, sigma):
    """The smoothed classifier of sign(wᵀx + b): +1 where P(wᵀ(x + ε) + b > 0) ≥ 1/2, else −1.

    Φ((wᵀx + b)/(σ‖w‖)) > 1/2 exactly when wᵀx + b > 0, for every σ, so g is the
    sign of the margin (computed without Φ, which would round tiny margins to a
    tie).  On the hyperplane both classes have probability 1/2; we return +1.
    """
    margin, _ = _linear_margin(w, b, x, sigma)
    labels = np.where(margin >= 0, 1, -1)
    return int(labels) if labels.ndim == 0 else labels


def certified_radius(p_a, p_b, sigma):
    """Cohen et al.'s radius (σ/2)(Φ⁻¹(p_a) − Φ⁻¹(p_b)) for p_b ≤ p_a; 0 where p_a = p_b."""
    p_a, p_b = _as_probability(p_a, "p_a"), _as_probability(p_b, "p_b")
    sigma = as_scalar(sigma, "sigma", positive=True)
    if np.any(p_a < p_b):
        raise ValueError("p_a must be at least p_b (p_a bounds the top class, p_b the runner-up)")
    z_a, z_b = special.ndtri(p_a), special.ndtri(p_b)
    with np.errstate(invalid="ignore"):  # inf - inf where p_a = p_b is 0 or 1
        radius = np.where(p_a == p_b, 0.0, 0.5 * sigma * (z_a - z_b))
    return _scalar_or_array(radius)


def smoothing_worst_case_probability(p_a, delta_norm, sigma):
    """Φ(Φ⁻¹(p_a) − ‖δ‖/σ): the least P(f(x + δ + ε) = c) over all f with P(f(x + ε) = c) = p_a.

    By the Neyman–Pearson lemma the minimizer is a half-space whose normal is δ
    (Cohen et al. 2019, Lemma 4 and Theorem 1).
    """
    p_a = _as_probability(p_a, "p_a")
    delta_norm = as_array(delta_norm, "delta_norm")
    if np.any(delta_norm < 0):
        raise ValueError("delta_norm must be non-negative")
    sigma = as_scalar(sigma, "sigma", positive=True)
    return _scalar_or_array(special.ndtr(special.ndtri(p_a) - delta_norm / sigma))


def _check_sampling(x, sigma, n, alpha, rng, *, n_name: str = "n") -> tuple[np.ndarray, float]:
    x = as_array(x, "x", ndim=1)
    sigma = as_scalar(sigma, "sigma", positive=True)
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"{n_name} must be a positive integer, got {n!r}")
    alpha = as_scalar(alpha, "alpha")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie in (0, 1), got {alpha}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    return x, sigma


def _labels_under_noise(f, x: np.ndarray, sigma: float, n: int, rng) -> np.ndarray:
    """f at n points x + σε, ε ~ N(0, I): n non-negative integer labels."""
    labels = np.asarray(f(x + sigma * rng.standard_normal((int(n), x.shape[0]))))
    if labels.shape != (n,):
        raise ValueError(f"f must return {n} labels for {n} points, got shape {labels.shape}")
    if labels.dtype != np.bool_ and not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"f must return integer labels, got dtype {labels.dtype}")
    if np.any(labels < 0):
        raise ValueError(f"f must return labels >= 0 ({ABSTAIN} means abstain)")
    return labels.astype(np.int64)


def _ranked_counts(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Classes and their counts, most frequent first (ties: smaller label first)."""
    classes, counts = np.unique(labels, return_counts=True)
    order = np.argsort(-counts, kind="stable")
    return classes[order], counts[order]


def smoothed_predict(f, x, sigma, n, alpha, rng):
    """Cohen et al.'s PREDICT: g(x) from n noisy samples, or −1 (abstain).

    With n_A, n_B the counts of the two most frequent classes, return the top one
    if the two-sided binomial test of n_A ~ Bin(n_A + n_B, 1/2) rejects at level
    alpha; then the answer differs from g(x) with probability at most alpha.
    """
    x, sigma = _check_sampling(x, sigma, n, alpha, rng)
    classes, counts = _ranked_counts(_labels_under_noise(f, x, sigma, n, rng))
    n_a = int(counts[0])
    n_b = int(counts[1]) if len(counts) > 1 else 0
    # Bin(N, 1/2) is symmetric: for n_a > N/2 the two tails are P(X >= n_a) = P(X <= n_b).
    p_value = 1.0 if n_a == n_b else min(1.0, 2.0 * special.bdtrc(n_a - 1, n_a + n_b, 0.5))
    return int(classes[0]) if p_value <= alpha else ABSTAIN


def smoothed_certify(f, x, sigma, n0, n, alpha, rng):
    """Cohen et al.'s CERTIFY: (label, radius), or (−1, 0.0) when it abstains.

    Guess the top class from n0 samples, then bound its probability from below
    with the one-sided Clopper–Pearson bound p_lower = Beta quantile
    B(alpha; k, n − k + 1) of k successes in n fresh samples.  With p_B = 1 − p_lower
    the radius is σ Φ⁻¹(p_lower); abstain unless p_lower > 1/2.  With probability
    at least 1 − alpha the returned radius is no larger than σ Φ⁻¹(p_A).
    """
    x, sigma = _check_sampling(x, sigma, n, alpha, rng)
    _check_sampling(x, sigma, n0, alpha, rng, n_name="n0")
    classes, _ = _ranked_counts(_labels_under_noise(f, x, sigma, n0, rng))
    guess = int(classes[0])
    k = int(np.count_nonzero(_labels_under_noise(f, x, sigma, n, rng) == guess))
    p_lower = 0.0 if k == 0 else float(special.betaincinv(k, n - k + 1, alpha))
    if p_lower > 0.5:
        return guess, float(sigma * special.ndtri(p_lower))
    return ABSTAIN, 0.0
