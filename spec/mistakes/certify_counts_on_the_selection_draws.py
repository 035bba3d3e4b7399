"""CERTIFY that ignores n0: it picks the top class of its n draws and counts k on those same draws.

Cohen et al.'s Clopper–Pearson bound needs the n counting draws to be independent of the
choice of the class; counted on the draws that chose it, k is biased upward (k >= n / K for K
classes, k = n whenever n = 1), so the certificate over-claims.  On a fair coin with
n0 = n = 1 and α in (1/2, 1) it answers in every run, where a correct CERTIFY answers in half.
"""

import numpy as np
from scipy import special

EXERCISE = "9.28"
CAUGHT_BY = "test_certify_counts_in_draws_independent_of_the_selection"
TIER = "claim"


def smoothed_certify(f, x, sigma, n0, n, alpha, rng):
    x = np.asarray(x, dtype=np.float64)
    labels = np.asarray(f(x + sigma * rng.standard_normal((n, x.shape[0]))))
    classes, counts = np.unique(labels, return_counts=True)
    top = int(np.argmax(counts))
    guess, k = int(classes[top]), int(counts[top])
    p_lower = float(special.betaincinv(k, n - k + 1, alpha))
    if p_lower > 0.5:
        return guess, float(sigma * special.ndtri(p_lower))
    return -1, 0.0
