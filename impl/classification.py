"""Lecture 1.2: the multi-class linear classifier argmax_c <W_c, x> + b_c."""

from __future__ import annotations

import numpy as np

from impl._validation import as_array

__all__ = ["linear_classifier"]


def linear_classifier(W, X, b=None):
    """The label argmax_c <W_c, x> + b_c of each row x of X; ties go to the lowest c."""
    W = as_array(W, "W", ndim=2)
    X = as_array(X, "X", ndim=2)
    if X.shape[1] != W.shape[1]:
        raise ValueError(f"X must have {W.shape[1]} columns to match W, got shape {X.shape}")
    scores = X @ W.T
    if b is not None:
        b = as_array(b, "b")  # the shape check below also fixes its ndim
        if b.shape != (W.shape[0],):
            raise ValueError(f"b must have shape ({W.shape[0]},), got {b.shape}")
        scores = scores + b
    return np.argmax(scores, axis=1)  # argmax returns the first maximum
