"""Lectures 1.3-1.4: entropy, cross-entropy, KL divergence and the softmax."""

from __future__ import annotations

import numpy as np
from scipy import special

from impl._validation import as_array, as_probabilities, same_shape

__all__ = [
    "entropy",
    "cross_entropy",
    "kl_divergence",
    "softmax",
    "log_softmax",
    "softmax_cross_entropy",
]


def _scalar_or_array(x: np.ndarray) -> float | np.ndarray:
    return float(x) if x.ndim == 0 else x


def entropy(p):
    """H(p) = -sum_i p_i log p_i, with 0 log 0 = 0 (``xlogy``)."""
    p = as_probabilities(p, "p")
    return _scalar_or_array(-special.xlogy(p, p).sum(axis=-1))


def cross_entropy(p, q):
    """H(p, q) = -sum_i p_i log q_i; +inf when some p_i > 0 has q_i = 0."""
    p, q = as_probabilities(p, "p"), as_probabilities(q, "q")
    same_shape(p, q, "p and q")
    with np.errstate(divide="ignore"):
        return _scalar_or_array(-special.xlogy(p, q).sum(axis=-1))


def kl_divergence(p, q):
    """KL(p||q) = sum_i p_i log(p_i / q_i), summed as ``rel_entr`` (0 where p_i = 0)."""
    p, q = as_probabilities(p, "p"), as_probabilities(q, "q")
    same_shape(p, q, "p and q")
    # rel_entr(p, q) = p log(p/q) - 0 at p = 0, +inf at q = 0 < p, and it computes
    # log(p/q) as one ratio, which stays accurate where p and q are both tiny.
    return _scalar_or_array(special.rel_entr(p, q).sum(axis=-1))


def log_softmax(z):
    """z - logsumexp(z) over the last axis; the max is subtracted first, so no overflow."""
    z = as_array(z, "z", min_ndim=1)
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax(z):
    """exp(z) / sum exp(z) over the last axis, computed from the shifted logits."""
    return np.exp(log_softmax(z))


def softmax_cross_entropy(logits, labels):
    """-log softmax(logits)[label] for each row: the multinomial logistic loss."""
    logits = as_array(logits, "logits", ndim=2)
    labels = np.asarray(labels)
    if labels.shape != logits.shape[:1] or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be {logits.shape[0]} integers, got {labels!r}")
    if np.any((labels < 0) | (labels >= logits.shape[1])):
        raise ValueError(f"labels must lie in [0, {logits.shape[1]})")
    return -np.take_along_axis(log_softmax(logits), labels[:, None], axis=1)[:, 0]
