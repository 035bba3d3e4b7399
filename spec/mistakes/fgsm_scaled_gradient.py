"""FGSM with the rescaled gradient instead of its sign: eps·w/‖w‖∞ for eps·sign(w).

Both steps lie in the ℓ∞ ball of radius eps, but only the sign pushes every
coordinate to the ball's boundary.  The best ℓ∞-bounded step gains
eps·‖w‖₁, the dual norm; the rescaled gradient gains only eps·‖w‖₂²/‖w‖∞.
Exercise 7.24 checks the dual-norm value.
"""

import numpy as np

EXERCISE = "7.24"
CAUGHT_BY = "test_fgsm_linear_attains_eps_times_the_dual_norm"
TIER = "claim"


def fgsm_linear(w, eps):
    w = np.asarray(w, dtype=np.float64)
    largest = np.abs(w).max()
    return eps * w / largest if largest > 0 else np.zeros_like(w)
