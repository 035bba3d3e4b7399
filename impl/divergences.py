"""Lecture 3: Jensen-Shannon, Wasserstein-1, WGAN-GP.

References: M. Arjovsky, S. Chintala and L. Bottou, "Wasserstein generative
adversarial networks", 2017; I. Gulrajani, F. Ahmed, M. Arjovsky, V. Dumoulin
and A. Courville, "Improved training of Wasserstein GANs", 2017.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, special
from scipy.spatial import distance

from impl._validation import as_array, as_probabilities, as_scalar, same_shape

__all__ = [
    "js_divergence",
    "wasserstein1_1d",
    "wasserstein1",
    "wgan_interpolates",
    "gradient_penalty",
    "optimal_critic_1d",
]

LOG2 = math.log(2.0)


def _scalar_or_array(x: np.ndarray) -> float | np.ndarray:
    return float(x) if x.ndim == 0 else x


def _twice_log2_minus_binary_entropy(d: np.ndarray) -> np.ndarray:
    """phi(d) = (1+d) log(1+d) + (1-d) log(1-d) on [-1, 1], accurate near 0 and at +-1."""
    # Near 0 the two xlog1py terms are +-d and cancel down to d^2; the form
    # log(1 - d^2) + 2 d atanh(d) cancels only a factor 2.  Away from 0 it is
    # xlog1py that stays finite at d = +-1 (0 log 0 = 0).
    small = np.abs(d) <= 0.5
    d_small = np.where(small, d, 0.0)  # arctanh(+-1) = inf would make 0 * inf = NaN
    near_zero = np.log1p(-(d_small**2)) + 2.0 * d_small * np.arctanh(d_small)
    far = special.xlog1py(1.0 + d, d) + special.xlog1py(1.0 - d, -d)  # finite on [-1, 1]
    return np.where(small, near_zero, far)


def js_divergence(p, q):
    """JS(p, q) = KL(p||m)/2 + KL(q||m)/2 with m = (p + q)/2, over the last axis, in nats.

    Written per outcome as (p_i + q_i)/4 * phi((p_i - q_i)/(p_i + q_i)) with
    phi(d) = (1+d) log(1+d) + (1-d) log(1-d) in [0, 2 log 2]: every term is
    non-negative, so no cancellation between outcomes, and zeros need no special case.
    """
    p, q = as_probabilities(p, "p"), as_probabilities(q, "q")
    same_shape(p, q, "p and q")
    total = p + q
    charged = total > 0
    d = np.divide(p - q, total, out=np.zeros_like(total), where=charged)
    terms = total / 4.0 * _twice_log2_minus_binary_entropy(d)  # each in [0, total log(2) / 2]
    # p and q may sum to 1 only within the validation tolerance: keep JS <= log 2.
    return _scalar_or_array(np.minimum(terms.sum(axis=-1), LOG2))


def _values_and_weights(values, weights, name: str) -> tuple[np.ndarray, np.ndarray]:
    values = as_array(values, name, ndim=1)
    if values.size == 0:
        raise ValueError(f"{name} must hold at least one value")
    if weights is None:
        return values, np.full(values.size, 1.0 / values.size)
    wname = f"{name}_weights"
    weights = as_array(weights, wname)  # its shape is checked against the 1-D values
    if weights.shape != values.shape:
        shape = values.shape
        raise ValueError(f"{wname} must have the shape {shape} of {name}, got {weights.shape}")
    if np.any(weights < 0) or not weights.sum() > 0:
        raise ValueError(f"{wname} must be non-negative with a positive sum")
    return values, weights / weights.sum()


def wasserstein1_1d(u, v, u_weights=None, v_weights=None):
    """W1 between two weighted 1-D empirical distributions: the integral of |F_u - F_v|.

    Weights default to uniform and are normalized to sum 1.  Between consecutive
    points of the merged sample both CDFs are constant, so the integral is a finite sum.
    """
    u, u_weights = _values_and_weights(u, u_weights, "u")
    v, v_weights = _values_and_weights(v, v_weights, "v")
    u_order, v_order = np.argsort(u), np.argsort(v)
    u_sorted, v_sorted = u[u_order], v[v_order]
    u_cdf = np.concatenate([[0.0], np.cumsum(u_weights[u_order])])
    v_cdf = np.concatenate([[0.0], np.cumsum(v_weights[v_order])])
    merged = np.sort(np.concatenate([u, v]))
    left = merged[:-1]
    gap_u = u_cdf[np.searchsorted(u_sorted, left, side="right")]
    gap_v = v_cdf[np.searchsorted(v_sorted, left, side="right")]
    return float(np.sum(np.abs(gap_u - gap_v) * np.diff(merged)))


def wasserstein1(X, Y):
    """W1 between the uniform empirical distributions of two clouds of n points in R^d.

    With equal sizes and uniform weights an optimal transport plan may be taken to
    be a permutation (Birkhoff), so W1 = min over matchings of the mean Euclidean cost,
    solved exactly by the Hungarian method (``linear_sum_assignment``).
    """
    X = as_array(X, "X", ndim=2)
    Y = as_array(Y, "Y")  # its shape is checked against X's
    if X.shape[0] == 0:
        raise ValueError("X must hold at least one point")
    if Y.shape != X.shape:
        raise ValueError(f"Y must have the shape of X {X.shape}, got {Y.shape}")
    cost = distance.cdist(X, Y)
    rows, cols = optimize.linear_sum_assignment(cost)
    return float(cost[rows, cols].mean())


def _interpolation_weights(t, n: int) -> np.ndarray:
    t = as_array(t, "t")
    if t.ndim > 1 or (t.ndim == 1 and t.shape[0] != n):
        raise ValueError(f"t must be a scalar or hold one value per row ({n}), got {t.shape}")
    if np.any((t < 0) | (t > 1)):
        raise ValueError("t must lie in [0, 1]")
    return t


def wgan_interpolates(x, y, t):
    """s = t x + (1 - t) y row by row: points on the segments from y (t = 0) to x (t = 1).

    x and y are (n, d) arrays; t is a scalar or one value per row, in [0, 1].
    """
    x = as_array(x, "x", ndim=2)
    y = as_array(y, "y")  # its shape is checked against x's
    if x.shape[0] == 0:
        raise ValueError("x must hold at least one row")
    if y.shape != x.shape:
        raise ValueError(f"y must have the shape of x {x.shape}, got {y.shape}")
    t = _interpolation_weights(t, x.shape[0])
    t = t[:, None] if t.ndim == 1 else t
    return t * x + (1.0 - t) * y


def _detached(a):
    return a.detach().cpu().numpy() if hasattr(a, "detach") else a


def gradient_penalty(critic, x, y, t, lam=10.0):
    """lam * mean_i (||grad critic(s_i)||_2 - 1)^2 at s = wgan_interpolates(x, y, t).

    ``critic`` maps an (n, d) float64 tensor to n scores (shape (n,) or (n, 1)) row
    by row.  Returns a 0-dim float64 torch.Tensor built with ``create_graph=True``,
    so that it can be added to the critic's loss and back-propagated into the
    critic's parameters (Gulrajani et al. 2017, Algorithm 1).  x and y are data:
    tensors are detached.
    """
    import torch

    if not callable(critic):
        raise ValueError(f"critic must be callable, got {type(critic).__name__}")
    lam = as_scalar(lam, "lam", nonnegative=True)
    s = wgan_interpolates(_detached(x), _detached(y), _detached(t))
    s = torch.tensor(s, dtype=torch.float64, requires_grad=True)
    scores = critic(s)
    if not isinstance(scores, torch.Tensor) or scores.numel() != s.shape[0]:
        raise ValueError(f"critic must return one score per row ({s.shape[0]}) as a tensor")
    if scores.requires_grad:
        (grad,) = torch.autograd.grad(scores.sum(), s, create_graph=True, allow_unused=True)
    else:
        grad = None
    if grad is None:  # the scores do not depend on s
        grad = torch.zeros_like(s)
    # Rows are independent, so the gradient of the sum holds each row's own gradient.
    return lam * ((torch.linalg.vector_norm(grad, dim=1) - 1.0) ** 2).mean()


def optimal_critic_1d(real, fake):
    """The Kantorovich potential f(z) = integral_{-inf}^z sign(F_fake(u) - F_real(u)) du.

    f is 1-Lipschitz, piecewise linear with kinks only at data points and flat
    outside them, and E_real f - E_fake f = W1(real, fake).  Returns a vectorized
    callable: f(z) has the shape of z (a float for a scalar z).
    """
    real = as_array(real, "real", ndim=1)
    fake = as_array(fake, "fake", ndim=1)
    for name, sample in (("real", real), ("fake", fake)):
        if sample.size == 0:
            raise ValueError(f"{name} must hold at least one value")
    knots = np.unique(np.concatenate([real, fake]))
    # On (knots[k], knots[k+1]) the CDFs are count/size; compare them in integers.
    real_count = np.searchsorted(np.sort(real), knots[:-1], side="right")
    fake_count = np.searchsorted(np.sort(fake), knots[:-1], side="right")
    slope = np.sign(fake_count * real.size - real_count * fake.size)
    values = np.concatenate([[0.0], np.cumsum(slope * np.diff(knots))])

    def critic(z):
        z = as_array(z, "z")
        return _scalar_or_array(np.interp(z, knots, values))

    return critic
