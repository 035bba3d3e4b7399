"""Lecture 2 (2.5, 2.6, 2.9): softmax confidence, neural collapse, CosFace."""

from __future__ import annotations

import numpy as np
from scipy import linalg, special

from impl._validation import as_array, as_scalar

__all__ = [
    "softmax_confidence",
    "simplex_etf",
    "normalized_softmax_loss",
    "neural_collapse_bound",
    "cosface_loss",
    "cosface_margin_bound",
]


def _scalar_or_array(x: np.ndarray) -> float | np.ndarray:
    return float(x) if x.ndim == 0 else x


def _as_count(x, name: str, minimum: int) -> int:
    if isinstance(x, bool) or not isinstance(x, int | np.integer) or x < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {x!r}")
    return int(x)


def _unit_rows(x: np.ndarray, name: str) -> np.ndarray:
    """The rows of ``x`` divided by their norms; each row is first divided by its largest
    entry, so that rows of norm 1e-300 or 1e300 neither underflow nor overflow."""
    largest = np.abs(x).max(axis=-1, keepdims=True)
    if np.any(largest == 0):
        raise ValueError(f"every row of {name} must be non-zero")
    x = x / largest
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def _weights(W) -> np.ndarray:
    W = as_array(W, "W", ndim=2)
    if W.shape[0] < 2 or W.shape[1] < 1:
        raise ValueError(f"W must have at least 2 rows (classes) and 1 column, got {W.shape}")
    return W


def _features_and_labels(W: np.ndarray, X, y, x_name: str) -> tuple[np.ndarray, np.ndarray]:
    X = as_array(X, x_name, ndim=2)
    if X.shape[0] == 0 or X.shape[1] != W.shape[1]:
        raise ValueError(f"{x_name} must have shape (n >= 1, {W.shape[1]}), got {X.shape}")
    y = np.asarray(y)
    if y.shape != (X.shape[0],) or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"y must be {X.shape[0]} integer labels, got {y!r}")
    if np.any((y < 0) | (y >= W.shape[0])):
        raise ValueError(f"y must lie in [0, {W.shape[0]})")
    return X, y


def _mean_cross_entropy(scores: np.ndarray, y: np.ndarray, *scale: float) -> float:
    """Mean over rows of -log softmax(scale * scores)_y, accurate even when the loss is tiny.

    The loss of a row is softplus(logsumexp_{j != y} of the scaled gaps z_j - z_y);
    this keeps full relative accuracy down to 1e-308, where logsumexp(z) - z_y would
    round to 0.  The scale factors multiply the gaps one at a time, so l * l may exceed
    the float range: the gaps then become infinite, never NaN.
    """
    rows = np.arange(len(y))
    gaps = scores - scores[rows, y][:, None]
    with np.errstate(over="ignore"):
        for factor in scale:
            gaps = factor * gaps
    gaps[rows, y] = -np.inf
    return float(np.mean(np.logaddexp(0.0, special.logsumexp(gaps, axis=1))))


def softmax_confidence(W, h, s=1.0):
    """max_i softmax(s W h)_i: the confidence of a bias-free linear classifier at scale s.

    ``W`` is (K, d), ``h`` is (..., d); the result has shape (...).  It equals
    1 / sum_j exp(s (z_j - max z)), computed from the gaps so that no scale overflows.
    """
    W = as_array(W, "W", ndim=2)
    h = as_array(h, "h", min_ndim=1)
    if W.shape[0] < 1:
        raise ValueError("W must have at least one row (class)")
    if h.shape[-1] != W.shape[1]:
        raise ValueError(f"h must end with W's {W.shape[1]} columns, got shape {h.shape}")
    s = as_scalar(s, "s", positive=True)
    with np.errstate(over="ignore"):  # an overflow is reported just below
        logits = h @ W.T
    if not np.all(np.isfinite(logits)):
        raise ValueError("W and h overflow: the logits W h must be finite")
    with np.errstate(over="ignore"):  # a gap of -inf only means a zero probability
        gaps = s * (logits - logits.max(axis=-1, keepdims=True))
    return _scalar_or_array(1.0 / np.exp(gaps).sum(axis=-1))


def simplex_etf(K, d):
    """K unit rows in R^d with pairwise inner product -1/(K-1) (a simplex equiangular tight frame).

    The K-1 rows of the (reduced) Helmert matrix are an orthonormal basis of the
    hyperplane orthogonal to (1, ..., 1); its column i holds the coordinates of
    e_i - 1/K in that basis, of norm sqrt((K-1)/K).  Rescaled to unit norm and padded
    with zero coordinates, they are the simplex.  Needs d >= K - 1.
    """
    K = _as_count(K, "K", 2)
    d = _as_count(d, "d", 1)
    if d < K - 1:
        raise ValueError(f"d must be at least K - 1 = {K - 1} for a simplex of K vectors, got {d}")
    simplex = np.sqrt(K / (K - 1)) * linalg.helmert(K).T
    return np.pad(simplex, ((0, 0), (0, d - (K - 1))))


def normalized_softmax_loss(W, H, y, l):
    """Mean cross-entropy of the logits <W_c, h_i> after every row of W and H is rescaled to norm l.

    NormFace's normalized softmax: the logits are l^2 cos(W_c, h_i).
    """
    W = _weights(W)
    H, y = _features_and_labels(W, H, y, "H")
    l = as_scalar(l, "l", nonnegative=True)
    cosines = _unit_rows(H, "H") @ _unit_rows(W, "W").T
    return _mean_cross_entropy(cosines, y, l, l)


def neural_collapse_bound(K, l):
    """log(1 + (K-1) exp(-K l^2 / (K-1))): the least balanced normalized softmax loss at norm l."""
    K = _as_count(K, "K", 2)
    l = as_array(l, "l")
    if np.any(l < 0):
        raise ValueError("l must be non-negative")
    with np.errstate(over="ignore"):  # l^2 beyond the float range leaves a bound of exactly 0
        exponent = -K * (l * l) / (K - 1)
    return _scalar_or_array(np.log1p((K - 1) * np.exp(exponent)))


def cosface_loss(W, X, y, s, m):
    """CosFace's large-margin cosine loss: mean of -log softmax(s (cos theta_j - m [j = y]))_y.

    theta_j is the angle between x and W_j (rows of W and X are normalized here),
    ``s`` > 0 the scale and ``m`` >= 0 the cosine margin taken off the target class.
    """
    W = _weights(W)
    X, y = _features_and_labels(W, X, y, "X")
    s = as_scalar(s, "s", positive=True)
    m = as_scalar(m, "m", nonnegative=True)
    cosines = _unit_rows(X, "X") @ _unit_rows(W, "W").T
    cosines[np.arange(len(y)), y] -= m
    return _mean_cross_entropy(cosines, y, s)


def cosface_margin_bound(W):
    """1 - max_{i != j} cos(W_i, W_j): the largest cosine margin every class center still meets."""
    unit = _unit_rows(_weights(W), "W")
    gram = unit @ unit.T
    np.fill_diagonal(gram, -np.inf)
    # A cosine rounded above 1 would give a (meaningless) negative margin.
    return float(1.0 - min(gram.max(), 1.0))
