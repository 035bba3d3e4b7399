"""Cohen et al.'s certified radius without its ½: σ(Φ⁻¹(p_A) − Φ⁻¹(p_B)) for (σ/2)(…).

With p_B = 1 − p_A the two quantiles are opposite, so the ½ is what turns
σ(Φ⁻¹(p_A) − Φ⁻¹(p_B)) = 2σΦ⁻¹(p_A) back into σΦ⁻¹(p_A).  Without it the
certificate promises twice the true robust radius: for a smoothed linear
classifier (exercise 9.26), twice the distance to the hyperplane.
"""

import numpy as np
from scipy import special

EXERCISE = "9.26"
CAUGHT_BY = "test_radius_with_exact_probabilities_is_the_distance_to_the_hyperplane"
TIER = "claim"


def certified_radius(p_a, p_b, sigma):
    value = sigma * (special.ndtri(np.asarray(p_a, float)) - special.ndtri(np.asarray(p_b, float)))
    return float(value) if np.ndim(value) == 0 else value
