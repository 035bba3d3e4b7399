"""Helpers shared by the specs of exercises 2.5, 2.6 and 2.9 (softmax margins).

Strategies for weight and feature matrices, an independent simplex ETF, random
rotations, balanced labels, a 50-digit oracle of the (margin) softmax loss and
the round-off tolerances the properties allow.
"""

from __future__ import annotations

import mpmath
import numpy as np
from hypothesis import strategies as st

from spec.strategies import floats, matrices

EPS = float(np.finfo(np.float64).eps)

#: Losses and bounds below this are compared absolutely: near the subnormal range
#: (below 2.2e-308) float64 keeps only a few significant digits.
FLOOR = 1e-300


@st.composite
def nonzero_rows(draw: st.DrawFn, rows: int, cols: int, spread: bool = True) -> np.ndarray:
    """(rows, cols) float64 matrices without zero rows.

    Entries are drawn in [-1, 1]; with ``spread`` each row is then scaled by 10^u,
    u in [-150, 150], because the contract functions normalize rows and must not
    underflow or overflow while doing so.  An all-zero row becomes all ones.
    """
    matrix = draw(matrices(rows, cols, -1.0, 1.0))
    if spread:
        exponents = draw(st.lists(floats(-150.0, 150.0), min_size=rows, max_size=rows))
        matrix = matrix * 10.0 ** np.array(exponents)[:, None]
    return without_zero_rows(matrix)


def without_zero_rows(matrix: np.ndarray) -> np.ndarray:
    """``matrix`` with every all-zero row (say, underflowed by a rescaling) replaced by ones."""
    matrix = matrix.copy()
    matrix[~matrix.any(axis=1)] = 1.0
    return matrix


@st.composite
def balanced_labels(draw: st.DrawFn, K: int, per_class: int) -> np.ndarray:
    """Integer labels with exactly ``per_class`` samples of each of the K classes, shuffled."""
    return np.array(draw(st.permutations(np.repeat(np.arange(K), per_class).tolist())))


@st.composite
def labelled_features(draw: st.DrawFn, k_max: int = 6, natural: bool = False) -> tuple:
    """(W, X, y): K x d class vectors, n x d features and n labels (not balanced), rows non-zero.

    With ``natural`` the rows keep entries 0 or of magnitude in [1e-6, 1] (the claims'
    natural range); otherwise their norms spread over 10^{±150}.
    """
    K, d, n = draw(st.integers(2, k_max)), draw(st.integers(1, 5)), draw(st.integers(1, 6))
    y = np.array(draw(st.lists(st.integers(0, K - 1), min_size=n, max_size=n)))
    if natural:
        W, X = (natural_rows(draw(matrices(r, d, -1.0, 1.0))) for r in (K, n))
        return W, X, y
    return draw(nonzero_rows(K, d)), draw(nonzero_rows(n, d)), y


def natural_rows(matrix: np.ndarray) -> np.ndarray:
    """``matrix`` with entries below 1e-6 in magnitude set to 0, then zero rows set to ones."""
    return without_zero_rows(np.where(np.abs(matrix) < 1e-6, 0.0, matrix))


def unit_rows(x: np.ndarray) -> np.ndarray:
    """Rows divided by their norms (after dividing by their largest entry, to avoid underflow)."""
    x = x / np.abs(x).max(axis=1, keepdims=True)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def rotation(d: int, seed: int) -> np.ndarray:
    """A random d x d orthogonal matrix (QR of a Gaussian matrix, signs fixed)."""
    q, r = np.linalg.qr(np.random.default_rng(seed).standard_normal((d, d)))
    return q * np.sign(np.diag(r))


def reference_etf(K: int, d: int) -> np.ndarray:
    """A simplex ETF built independently of the implementation: the centered basis vectors
    e_i - 1/K, written in an orthonormal basis of the hyperplane they span (from an SVD),
    normalized, and padded with zero coordinates up to dimension d >= K - 1."""
    centered = np.eye(K) - 1.0 / K
    basis = np.linalg.svd(centered)[2][: K - 1]
    coordinates = centered @ basis.T
    coordinates /= np.linalg.norm(coordinates, axis=1, keepdims=True)
    return np.pad(coordinates, ((0, 0), (0, d - (K - 1))))


def margin_loss_rtol(d: int, scale: float) -> float:
    """Relative round-off allowed on a (margin) softmax loss with logits scale * cos in R^d.

    A cosine of two float64 rows normalized in float64 is off by at most (2d + 8) eps
    (two normalizations and one dot product); a logit gap, by 2 scale (2d + 8) eps.
    A sample's loss is softplus(logsumexp of the gaps), whose relative error is at most
    the largest gap error, since d log softplus(t) / dt = sigmoid(t) / softplus(t) <= 1
    and logsumexp has gradient weights summing to 1; a mean of positive losses keeps that
    relative bound.  Two evaluations compared with each other double it, and 1e-14
    covers the final exp and log.
    """
    return 4.0 * scale * (2 * d + 8) * EPS + 1e-14


def margin_loss_atol(K: int, s: float) -> float:
    """Absolute round-off allowed on a (margin) softmax loss with K logits of size at most s.

    Evaluated as logsumexp(z) − z_y, the standard cross-entropy, a sample's loss is a
    difference of two terms of size at most s + log K, each carrying (K + 4) u of that
    size; with a safety factor of 8 this is the floor below which a small loss is only
    known absolutely (a loss of 1e-9 at s = 64 is known to ~1e-13, not relatively).
    """
    return 8.0 * (K + 4) * EPS * (s + np.log(K) + 1.0)


def mp_margin_loss(W: np.ndarray, X: np.ndarray, y: np.ndarray, s: float, m: float) -> float:
    """50-digit mean of -log softmax(s (cos theta_j - m [j = y]))_y, cosines from the exact inputs.

    With m = 0 and s = l^2 it is the normalized softmax loss of NormFace.
    """
    with mpmath.workdps(50):

        def unit(row: np.ndarray) -> list:
            entries = [mpmath.mpf(float(v)) for v in row]
            norm = mpmath.sqrt(mpmath.fsum(v * v for v in entries))
            return [v / norm for v in entries]

        centers = [unit(row) for row in W]
        total = mpmath.mpf(0)
        for x, label in zip(X, y, strict=True):
            u = unit(x)
            cosines = [mpmath.fsum(a * b for a, b in zip(u, c, strict=True)) for c in centers]
            target = s * (cosines[label] - m)
            others = mpmath.fsum(
                mpmath.exp(s * c - target) for j, c in enumerate(cosines) if j != label
            )
            total += mpmath.log1p(others)
        return float(total / len(y))
