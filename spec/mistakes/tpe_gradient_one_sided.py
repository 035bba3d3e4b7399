"""The TPE gradient with only one of its two terms: T(AᵀWD) instead of T(AᵀWD + DᵀWA).

The similarity s(a, n) = aᵀTᵀTn depends on T through both factors, so
∂s/∂T = T(a nᵀ + n aᵀ).  Differentiating as if only the second factor Tn
depended on T drops the transposed term.  The result is not even the gradient
of any function of TᵀT in general; autograd in exercise 2.7 disagrees with it.
"""

import numpy as np
from scipy import special

EXERCISE = "2.7"
CAUGHT_BY = "test_gradient_matches_torch_autograd"
TIER = "claim"


def tpe_loss_gradient(T, anchors, positives, negatives):
    T, a, p, n = (np.asarray(x, dtype=np.float64) for x in (T, anchors, positives, negatives))
    ta, tp, tn = a @ T.T, p @ T.T, n @ T.T
    w = special.expit(np.sum(ta * tn, axis=1) - np.sum(ta * tp, axis=1))[:, None]
    return T @ ((w * a).T @ (n - p)) / a.shape[0]
