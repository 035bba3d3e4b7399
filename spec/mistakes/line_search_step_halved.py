"""The exact line-search step with a stray factor ½: gᵀg / (2 gᵀAg).

Differentiating φ(η) = R(w) − η gᵀg + ½η² gᵀAg and forgetting that the ½
cancels against the 2 of the square gives half the optimal step.  Descent
still converges, but consecutive gradients are no longer orthogonal, which is
the very condition exercise 1.1 asks to derive.
"""

import numpy as np

EXERCISE = "1.1"
CAUGHT_BY = "test_exact_step_minimizes_along_the_ray"
TIER = "claim"


def exact_line_search_step(A, g):
    A, g = np.asarray(A, dtype=np.float64), np.asarray(g, dtype=np.float64)
    return float(g @ g / (2.0 * (g @ A @ g)))
