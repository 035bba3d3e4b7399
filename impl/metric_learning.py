"""Lecture 2 (2.7, 2.8): the TPE loss and A-Softmax.

References
    S. Sankaranarayanan, A. Alavi, C. D. Castillo and R. Chellappa, "Triplet
    probabilistic embedding for face verification and clustering", BTAS 2016.
    W. Liu, Y. Wen, Z. Yu, M. Li, B. Raj and L. Song, "SphereFace: Deep hypersphere
    embedding for face recognition", CVPR 2017.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from impl._validation import as_array, as_scalar

__all__ = ["tpe_loss", "tpe_loss_gradient", "asoftmax_psi", "asoftmax_angles"]


def _triplets(T, anchors, positives, negatives):
    """Validate a TPE batch: T (k, d) and three (m, d) arrays with m >= 1."""
    T = as_array(T, "T", ndim=2)
    if 0 in T.shape:
        raise ValueError(f"T must have at least one row and one column, got shape {T.shape}")
    a = as_array(anchors, "anchors", ndim=2)
    if a.shape[0] == 0 or a.shape[1] != T.shape[1]:
        raise ValueError(
            f"anchors must have shape (m, {T.shape[1]}) with m >= 1 to match T, got {a.shape}"
        )
    p = as_array(positives, "positives")  # the shape check below also fixes their ndim
    n = as_array(negatives, "negatives")
    for array, name in ((p, "positives"), (n, "negatives")):
        if array.shape != a.shape:
            raise ValueError(f"{name} must have the shape of anchors {a.shape}, got {array.shape}")
    return T, a, p, n


def _similarity_gaps(T, a, p, n):
    """g_i = <T a_i, T n_i> - <T a_i, T p_i>, computed as <T a_i, T (n_i - p_i)>."""
    return np.einsum("ik,ik->i", a @ T.T, (n - p) @ T.T)


def tpe_loss(T, anchors, positives, negatives):
    """The TPE loss of Sankaranarayanan et al. (2016) for embeddings h' = T h.

    Shapes: ``T`` is (k, d) and maps a d-dimensional embedding h to h' = T h in R^k;
    ``anchors``, ``positives`` and ``negatives`` are (m, d), row i being the triplet
    (h(x_i^a), h(x_i^p), h(x_i^n)), m >= 1.  Returns the float

        L = -(1/m) sum_i log( e^{s_i^p} / (e^{s_i^p} + e^{s_i^n}) ),
        s_i^p = <T a_i, T p_i>,  s_i^n = <T a_i, T n_i>,

    evaluated as (1/m) sum_i softplus(s_i^n - s_i^p) (``logaddexp(0, g)``), which is
    finite for every finite similarity gap.
    """
    T, a, p, n = _triplets(T, anchors, positives, negatives)
    return float(np.mean(np.logaddexp(0.0, _similarity_gaps(T, a, p, n))))


def tpe_loss_gradient(T, anchors, positives, negatives):
    """dL/dT of :func:`tpe_loss`, a (k, d) array, derived by hand.

    Derivation.  With S = T^T T, the similarity s(u, v) = <T u, T v> = u^T S v, and
    along a perturbation T -> T + E its first-order change is
    u^T (E^T T + T^T E) v = <E, T (v u^T + u v^T)>_F; hence ds(u, v)/dT = T (u v^T + v u^T).
    Each triplet's loss is softplus(g_i) with g_i = s(a_i, n_i) - s(a_i, p_i) and
    softplus' = sigma, the logistic function, so with w_i = sigma(g_i) and
    D_i = n_i - p_i (bilinearity: s(a, n) - s(a, p) = s(a, n - p)):

        dL/dT = (1/m) sum_i w_i T (a_i D_i^T + D_i a_i^T)
              = (1/m) T (A^T W D + D^T W A),   W = diag(w),

    where A and D stack a_i and D_i as rows.  w_i = ``expit(g_i)`` lies in [0, 1] for
    every finite gap, so the gradient stays finite where e^{g_i} would overflow.
    """
    T, a, p, n = _triplets(T, anchors, positives, negatives)
    d = n - p
    w = special.expit(_similarity_gaps(T, a, p, n))[:, None]
    m = (w * a).T @ d
    return T @ (m + m.T) / a.shape[0]


def _as_margin(m, minimum: float, integer: bool) -> float:
    value = as_scalar(m, "m")
    if not value >= minimum or (integer and value != int(value)):
        kind = "an integer" if integer else "a real number"
        raise ValueError(f"m must be {kind} >= {minimum:g}, got {m!r}")
    return value


def asoftmax_psi(theta, m):
    """SphereFace's monotone extension of cos(m theta) to theta in [0, pi].

    For an integer m >= 1 and theta in [k pi/m, (k+1) pi/m], k = 0, ..., m-1,

        psi(theta) = (-1)^k cos(m theta) - 2k,

    which is continuous and strictly decreasing from psi(0) = 1 to psi(pi) = 1 - 2m.
    ``theta`` is a float or an array of angles in [0, pi]; the result has its shape
    (a float for a scalar).
    """
    m = int(_as_margin(m, 1, integer=True))
    theta = as_array(theta, "theta")
    if np.any((theta < 0) | (theta > np.pi)):
        raise ValueError("theta must lie in [0, pi]")
    k = np.minimum(np.floor(m * theta / np.pi), m - 1)
    psi = np.where(k % 2 == 0, 1.0, -1.0) * np.cos(m * theta) - 2.0 * k
    return float(psi) if psi.ndim == 0 else psi


def asoftmax_angles(K, m):
    """(largest intra-class angle, smallest inter-class angle) under the A-Softmax rule.

    Setting: K >= 3 unit class weights W_j evenly spaced on a circle, alpha = 2 pi/K
    apart; a unit feature x makes the angle theta_j with W_j.  Rule: class i claims x
    exactly when m theta_i <= theta_j for every j != i (for integer m this is SphereFace's
    decision psi(theta_i) >= cos theta_j); x claimed by no class lies in a margin gap.
    ``m`` may be any real >= 1 (m = 1 is the plain softmax rule).

    For x at angle phi in [0, alpha/2] from W_i the nearest other weight is a neighbour
    at angle alpha - phi, so class i claims the closed arc |phi| <= alpha/(m+1) around
    W_i.  Hence the largest angle between two features of one class is the arc's length
    2 alpha/(m+1) = 4 pi/(K(m+1)), and the smallest angle between features of two classes
    is the gap between neighbouring arcs, alpha - 2 alpha/(m+1) = 2 pi (m-1)/(K(m+1)).
    """
    if isinstance(K, bool) or not isinstance(K, int | np.integer) or K < 3:
        raise ValueError(f"K must be an integer >= 3, got {K!r}")
    m = _as_margin(m, 1, integer=False)
    spacing = 2.0 * np.pi / int(K)
    return 2.0 * spacing / (m + 1.0), spacing * (m - 1.0) / (m + 1.0)
