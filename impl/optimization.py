"""Lecture 1.1: steepest descent with exact line search on a quadratic."""

from __future__ import annotations

import numpy as np

from impl._validation import as_array, as_spd

__all__ = [
    "quadratic_loss",
    "quadratic_gradient",
    "exact_line_search_step",
    "steepest_descent",
    "mse_exact_step",
]


def _quadratic(A, b, w):
    A = as_spd(A, "A")
    b = as_array(b, "b", ndim=1)
    w = as_array(w, "w", min_ndim=1)
    if b.shape[0] != A.shape[0] or w.shape[-1] != A.shape[0]:
        raise ValueError(f"b and w must have length {A.shape[0]} to match A")
    return A, b, w


def quadratic_loss(A, b, w):
    """R(w) = 1/2 w^T A w - b^T w, for one w or a batch of them on the leading axes."""
    A, b, w = _quadratic(A, b, w)
    value = 0.5 * np.einsum("...i,ij,...j->...", w, A, w) - w @ b
    return float(value) if np.ndim(value) == 0 else value


def quadratic_gradient(A, b, w):
    """grad R(w) = A w - b."""
    A, b, w = _quadratic(A, b, w)
    return w @ A.T - b


def exact_line_search_step(A, g):
    """argmin_eta R(w - eta g) = g^T g / g^T A g (d/d eta of R(w - eta g) is linear in eta)."""
    A = as_spd(A, "A")
    g = as_array(g, "g")  # the shape check below also rejects every other ndim
    if g.shape != (A.shape[0],):
        raise ValueError(f"g must have shape ({A.shape[0]},), got {g.shape}")
    curvature = g @ A @ g
    if not curvature > 0:
        raise ValueError("g must be nonzero (the step is undefined at a stationary point)")
    return float(g @ g / curvature)


def steepest_descent(A, b, w0, n_steps):
    """Iterates w_{t+1} = w_t - eta_t grad R(w_t) with the exact step eta_t; w0 first."""
    A, b, w = _quadratic(A, b, w0)
    if w.ndim != 1:
        raise ValueError(f"w0 must be a vector, got shape {w.shape}")
    if not isinstance(n_steps, int | np.integer) or n_steps < 1:
        raise ValueError(f"n_steps must be an integer >= 1, got {n_steps!r}")
    iterates = [w]
    for _ in range(n_steps):
        g = A @ w - b
        curvature = g @ A @ g
        # Once the gradient vanishes (or underflows the curvature) the minimizer is reached.
        w = w - (g @ g / curvature) * g if curvature > 0 else w
        iterates.append(w)
    return np.array(iterates)


def mse_exact_step(X, y, w):
    """Exact step for R(w) = (1/n)||Xw - y||^2: a quadratic with A = 2 X^T X / n."""
    X = as_array(X, "X", ndim=2)
    y = as_array(y, "y")  # the shape checks below also reject every other ndim
    w = as_array(w, "w")
    n = X.shape[0]
    if y.shape != (n,):
        raise ValueError(f"y must have shape ({n},), got {y.shape}")
    if w.shape != (X.shape[1],):
        raise ValueError(f"w must have shape ({X.shape[1]},), got {w.shape}")
    g = 2.0 * X.T @ (X @ w - y) / n
    xg = X @ g
    curvature = 2.0 * (xg @ xg) / n
    if not curvature > 0:
        raise ValueError("w must not be a stationary point of R along its gradient (X g = 0)")
    return float(g @ g / curvature)
