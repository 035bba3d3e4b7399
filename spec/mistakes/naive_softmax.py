"""Softmax without subtracting the maximum logit: exp overflows.

exp(z) / Σ exp(z) is the textbook formula, but exp(710) is already inf in
float64, and inf/inf is NaN.  Subtracting max z first changes nothing
mathematically (softmax is shift invariant) and keeps every exponent ≤ 0.
Exercise 1.3 checks softmax on logits up to 1e300.
"""

import numpy as np

EXERCISE = "1.3"
CAUGHT_BY = "test_softmax_is_shift_invariant_and_finite"
NOT_A_CLAIM_BECAUSE = (
    "the formula is right; it overflows for large logits, which is accuracy at the extremes"
)
TIER = "numerics"


def softmax(z):
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(z)
        return e / e.sum(axis=-1, keepdims=True)
