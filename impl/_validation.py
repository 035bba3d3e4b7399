"""Validation at the boundary of every contract function.

Each helper converts its input to float64 and raises ``ValueError`` naming the
argument and the problem, so that no contract function ever returns a silent NaN.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: How far a probability vector's sum may stray from 1 (float64 normalization
#: of up to ~1e6 masses accumulates well below this).
PROBABILITY_ATOL = 1e-9
#: How far a matrix may stray from symmetry, relative to its largest entry.
SYMMETRY_RTOL = 1e-12


def as_array(x: Any, name: str, *, ndim: int | None = None, min_ndim: int = 0) -> np.ndarray:
    """``x`` as a float64 array with only finite entries."""
    try:
        array = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be an array of real numbers ({error})") from None
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {array.shape}")
    if array.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} dimension(s), got {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite (no NaN or infinity)")
    return array


def as_scalar(x: Any, name: str, *, positive: bool = False, nonnegative: bool = False) -> float:
    """``x`` as a finite Python float, optionally required positive or non-negative."""
    array = as_array(x, name)
    if array.ndim != 0:
        raise ValueError(f"{name} must be a scalar, got shape {array.shape}")
    value = float(array)
    if positive and not value > 0:
        raise ValueError(f"{name} must be positive, got {value}")
    if nonnegative and not value >= 0:
        raise ValueError(f"{name} must be non-negative, got {value}")
    return value


def as_probabilities(p: Any, name: str) -> np.ndarray:
    """``p`` as a float64 array of distributions along the last axis."""
    array = as_array(p, name, min_ndim=1)
    if array.shape[-1] == 0:
        raise ValueError(f"{name} must have at least one outcome on its last axis")
    if np.any(array < 0):
        raise ValueError(f"{name} must be non-negative")
    if np.any(np.abs(array.sum(axis=-1) - 1.0) > PROBABILITY_ATOL):
        raise ValueError(f"{name} must sum to 1 along its last axis (tolerance {PROBABILITY_ATOL})")
    return array


def same_shape(a: np.ndarray, b: np.ndarray, names: str) -> None:
    """Raise unless ``a`` and ``b`` have one shape; ``names`` is e.g. ``'p and q'``."""
    if a.shape != b.shape:
        raise ValueError(f"{names} must have the same shape, got {a.shape} and {b.shape}")


def as_spd(a: Any, name: str) -> np.ndarray:
    """``a`` as a symmetric positive definite float64 matrix (checked by Cholesky)."""
    matrix = as_array(a, name, ndim=2)
    if matrix.shape[0] != matrix.shape[1] or matrix.size == 0:
        raise ValueError(f"{name} must be square and non-empty, got shape {matrix.shape}")
    # Symmetric to round-off: within 1e-12 of the largest entry, at any scale.
    if np.max(np.abs(matrix - matrix.T)) > SYMMETRY_RTOL * np.max(np.abs(matrix)):
        raise ValueError(f"{name} must be symmetric")
    try:
        np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        raise ValueError(f"{name} must be positive definite") from None
    return matrix
