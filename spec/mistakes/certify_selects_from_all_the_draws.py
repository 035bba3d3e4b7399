"""CERTIFY that chooses its class from the n0 and the n draws together, then counts k in the n.

The counting draws take part in the choice, so k is no longer Bin(n, p) for a class fixed in
advance and the Clopper–Pearson bound over-claims.  On a fair coin with n0 = n = 1 and
α in (1/2, 1) it answers in 3/4 of the runs (whenever the two draws agree, and half of the
times they disagree, by the tie-break), where a correct CERTIFY answers in 1/2.
"""

import numpy as np
from scipy import special

EXERCISE = "9.28"
CAUGHT_BY = "test_certify_counts_in_draws_independent_of_the_selection"
TIER = "claim"


def smoothed_certify(f, x, sigma, n0, n, alpha, rng):
    x = np.asarray(x, dtype=np.float64)
    selection = np.asarray(f(x + sigma * rng.standard_normal((n0, x.shape[0]))))
    counting = np.asarray(f(x + sigma * rng.standard_normal((n, x.shape[0]))))
    classes, counts = np.unique(np.concatenate([selection, counting]), return_counts=True)
    guess = int(classes[int(np.argmax(counts))])  # ties: the smaller label
    k = int(np.count_nonzero(counting == guess))
    p_lower = 0.0 if k == 0 else float(special.betaincinv(k, n - k + 1, alpha))
    if p_lower > 0.5:
        return guess, float(sigma * special.ndtri(p_lower))
    return -1, 0.0
