"""The ℓp "norm" without its outer root: Σ|x_i|^p for (Σ|x_i|^p)^{1/p}.

For p < 1 the p-th power ‖x‖_p^p is subadditive (it is a metric's building
block), which hides the very failure exercise 7.22 asks about: the root is
what breaks the triangle inequality.  ‖e_i ± e_j‖_p = 2^{1/p} exposes it.
"""

import numpy as np

EXERCISE = "7.22"
CAUGHT_BY = "test_two_signed_unit_vectors_have_norm_two_to_the_one_over_p"
TIER = "claim"


def lp_norm(x, p):
    x = np.abs(np.asarray(x, dtype=np.float64))
    value = x.max(axis=-1) if p == np.inf else (x**p).sum(axis=-1)
    return float(value) if np.ndim(value) == 0 else value
