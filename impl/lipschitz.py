"""Lectures 9.27 and 10 (10.29, 10.30): Lipschitz bounds of ReLU nets and of smoothed functions.

A one-hidden-layer network f(x) = W2·ReLU(W1 x + b1) is Lipschitz with constant
‖W2‖₂‖W1‖₂, because ReLU is 1-Lipschitz coordinatewise; on an ℓ2 ball, the hidden
units that never fire there can be left out (Huang, Zhang, Shi, Kolter and
Anandkumar, "Training certifiably robust neural networks with efficient local
Lipschitz bounds", 2021).

The Gaussian smoothing g(x) = E f(x + ε), ε ~ N(0, σ²I), of any f with values in
[l, u] is smooth even when f is not: η(x) = σΦ⁻¹((g(x) − l)/(u − l)) is
1-Lipschitz (Salman et al., "Provably robust deep learning via adversarially
trained smoothed classifiers", 2019, Lemma 2; Levine, Singla and Feizi, "Certifiably
robust interpretation in deep learning", 2019), which bounds
g on a ball around x (Chiang et al., "Detection as regression: certified object
detection with median smoothing", 2020), and g itself is (u − l)/(σ√(2π))-Lipschitz.

Φ is the standard normal CDF, Φ(x) = (1/√(2π)) ∫_{−∞}^x exp(−t²/2) dt (the notes
print 1/(2π) in front of the integral); it is evaluated with scipy.special's
``ndtr`` and ``ndtri``, which keep their relative accuracy in the lower tail.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import special

from impl._validation import as_array, as_scalar

__all__ = [
    "relu_network",
    "relu_network_jacobian",
    "relu_network_lipschitz_bound",
    "relu_network_local_lipschitz_bound",
    "smoothing_eta",
    "smoothed_value_bounds",
    "smoothed_lipschitz_constant",
]


def _scalar_or_array(x: np.ndarray) -> float | np.ndarray:
    return float(x) if np.ndim(x) == 0 else np.asarray(x, dtype=np.float64)


# --------------------------------------------------------------------------- ReLU networks


def _weights(W1: Any, W2: Any) -> tuple[np.ndarray, np.ndarray]:
    """W1 (h, d) and W2 (k, h) as float64 matrices with matching inner dimension."""
    W1 = as_array(W1, "W1", ndim=2)
    W2 = as_array(W2, "W2", ndim=2)
    if 0 in W1.shape:
        raise ValueError(f"W1 must have at least one row and one column, got shape {W1.shape}")
    if W2.shape[0] == 0 or W2.shape[1] != W1.shape[0]:
        raise ValueError(f"W2 must have shape (k, {W1.shape[0]}) with k >= 1, got {W2.shape}")
    return W1, W2


def _network(W1: Any, b1: Any, W2: Any, x: Any) -> tuple[np.ndarray, ...]:
    """Validated (W1, b1, W2, x) and the pre-activations W1 x + b1 of shape (..., h)."""
    W1, W2 = _weights(W1, W2)
    b1 = as_array(b1, "b1", ndim=1)
    if b1.shape != (W1.shape[0],):
        raise ValueError(f"b1 must have shape ({W1.shape[0]},), got {b1.shape}")
    x = as_array(x, "x", min_ndim=1)
    if x.shape[-1] != W1.shape[1]:
        raise ValueError(f"x must have {W1.shape[1]} entries on its last axis, got {x.shape}")
    return W1, b1, W2, x, x @ W1.T + b1


def relu_network(W1, b1, W2, x):
    """f(x) = W2·ReLU(W1 x + b1) for x of shape (d,) or a batch (..., d); shape (..., k)."""
    _, _, W2, _, pre = _network(W1, b1, W2, x)
    return np.maximum(pre, 0.0) @ W2.T


def relu_network_jacobian(W1, b1, W2, x):
    """∂f/∂x = W2·diag(1[W1 x + b1 > 0])·W1, shape (..., k, d).

    f is affine on each region where the activation pattern is fixed, with this
    matrix as its slope.  At a kink (a pre-activation exactly 0) the unit counts
    as inactive, ReLU'(0) = 0, as in PyTorch.
    """
    W1, _, W2, _, pre = _network(W1, b1, W2, x)
    return (W2 * (pre > 0)[..., None, :]) @ W1


def relu_network_lipschitz_bound(W1, W2):
    """L = ‖W2‖₂·‖W1‖₂, a Lipschitz constant of x ↦ W2·ReLU(W1 x + b1) for every b1.

    ‖f(x) − f(y)‖ = ‖W2 (ReLU(W1x + b1) − ReLU(W1y + b1))‖
                  <= ‖W2‖₂ ‖W1 (x − y)‖ <= ‖W2‖₂ ‖W1‖₂ ‖x − y‖,
    since |ReLU(s) − ReLU(t)| <= |s − t| for every coordinate.
    """
    W1, W2 = _weights(W1, W2)
    return float(np.linalg.norm(W2, 2) * np.linalg.norm(W1, 2))


def relu_network_local_lipschitz_bound(W1, b1, W2, x, eps):
    """A Lipschitz constant of f on the closed ℓ2 ball B(x, eps), after Huang et al. (2021).

    On B(x, eps) the pre-activation of unit i is at most w_iᵀx + b_i + eps‖w_i‖
    (attained at x + eps·w_i/‖w_i‖).  Where that is <= 0 the unit outputs 0 on the
    whole ball, so f equals W2[:, A]·ReLU(W1[A] y + b1[A]) there, A the other units,
    and the global argument gives ‖W2[:, A]‖₂‖W1[A]‖₂ (0 if A is empty).  Zeroing
    the dropped columns and rows keeps the singular values of the kept submatrices.
    Returns a float for x of shape (d,), one bound per point for a batch (..., d).
    """
    W1, _, W2, _, pre = _network(W1, b1, W2, x)
    eps = as_scalar(eps, "eps", nonnegative=True)
    active = pre + eps * np.linalg.norm(W1, axis=1) > 0
    kept_out = np.linalg.norm(W2 * active[..., None, :], ord=2, axis=(-2, -1))
    kept_in = np.linalg.norm(W1 * active[..., :, None], ord=2, axis=(-2, -1))
    return _scalar_or_array(kept_out * kept_in)


# --------------------------------------------------------------------------- smoothed functions


def _smoothing_args(g_x: Any, lower: Any, upper: Any, sigma: Any) -> tuple[Any, ...]:
    lower = as_scalar(lower, "lower")
    upper = as_scalar(upper, "upper")
    if not upper > lower:
        raise ValueError(f"upper must exceed lower, got lower={lower}, upper={upper}")
    if not math.isfinite(upper - lower):
        raise ValueError(f"upper - lower must be finite, got lower={lower}, upper={upper}")
    sigma = as_scalar(sigma, "sigma", positive=True)
    g_x = as_array(g_x, "g_x")
    if np.any((g_x < lower) | (g_x > upper)):
        raise ValueError(f"g_x must lie in [lower, upper] = [{lower}, {upper}]")
    return g_x, lower, upper, sigma


def _normal_score(g: np.ndarray, lower: float, upper: float) -> np.ndarray:
    """Φ⁻¹((g − l)/(u − l)), taken from the nearer end of [l, u].

    Above the midpoint Φ⁻¹(p) = −Φ⁻¹(1 − p) with 1 − p = (u − g)/(u − l): forming
    p itself would round 1 − p to a multiple of 2⁻⁵³ and lose the upper tail.
    """
    width = upper - lower
    below, above = (g - lower) / width, (upper - g) / width
    return np.where(below <= above, special.ndtri(below), -special.ndtri(above))


def smoothing_eta(g_x, lower, upper, sigma):
    """η = σΦ⁻¹((g(x) − l)/(u − l)) for the smoothing g of an f with values in [l, u].

    η is 1-Lipschitz in x: g = l + (u − l)Φ(η/σ) and for a unit vector v,
    vᵀ∇g(x) = E[(f(x + ε) − l) vᵀε]/σ² is largest, given g(x), when f − l is
    (u − l) on a half-space {vᵀε > t} (Neyman–Pearson), which gives
    |vᵀ∇g| <= (u − l)φ(η/σ)/σ, i.e. |vᵀ∇η| <= 1.  Values: −inf at g_x = l,
    +inf at g_x = u.  g_x may be an array; lower, upper, sigma are scalars.
    """
    g_x, lower, upper, sigma = _smoothing_args(g_x, lower, upper, sigma)
    return _scalar_or_array(sigma * _normal_score(g_x, lower, upper))


def smoothed_value_bounds(g_x, delta_norm, lower, upper, sigma):
    """(lo, hi) with lo <= g(x + δ) <= hi for every ‖δ‖₂ <= delta_norm.

    Since η is 1-Lipschitz, η(x + δ) ∈ [η(x) − ‖δ‖, η(x) + ‖δ‖], and Φ is increasing:
    lo = l + (u − l)Φ((η(x) − ‖δ‖)/σ), hi = l + (u − l)Φ((η(x) + ‖δ‖)/σ).
    Both equal l where g_x = l and u where g_x = u.  g_x and delta_norm broadcast.
    """
    g_x, lower, upper, sigma = _smoothing_args(g_x, lower, upper, sigma)
    delta_norm = as_array(delta_norm, "delta_norm")
    if np.any(delta_norm < 0):
        raise ValueError("delta_norm must be non-negative")
    score = _normal_score(g_x, lower, upper)
    # ‖δ‖/σ may overflow to inf, which is right (the bounds reach l and u).  Keep ±inf
    # scores as they are: inf − shift would be NaN where the shift is inf too.
    with np.errstate(over="ignore", invalid="ignore"):
        shift = delta_norm / sigma
        down = np.where(np.isinf(score), score, score - shift)
        up = np.where(np.isinf(score), score, score + shift)
    width = upper - lower
    return (
        _scalar_or_array(lower + width * special.ndtr(down)),
        _scalar_or_array(lower + width * special.ndtr(up)),
    )


def smoothed_lipschitz_constant(sigma):
    """1/(σ√(2π)): the best Lipschitz constant of g(x) = E f(x + ε) over f with values in [0, 1].

    For a unit vector v, vᵀ∇g(x) = E[f(x + ε) s]/σ² with s = vᵀε ~ N(0, σ²); for
    0 <= f <= 1 this lies in [−E s₋, E s₊]/σ² and E s₊ = σ/√(2π).  The half-space
    f = 1[vᵀz > 0] attains it: g(x) = Φ(vᵀx/σ) has slope φ(0)/σ at vᵀx = 0.
    Salman et al. (2019, Lemma 1) bound E|s| = σ√(2/π) instead: √(2/π)/σ is valid
    but twice this constant.
    """
    sigma = as_scalar(sigma, "sigma", positive=True)
    return 1.0 / (sigma * math.sqrt(2.0 * math.pi))
