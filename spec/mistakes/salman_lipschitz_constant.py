"""The Lipschitz constant of a smoothed [0, 1]-valued function taken as Salman et al.'s √(2/π)/σ.

This is a valid answer to exercise 10.30, which asks for *a* Lipschitz constant and whose hint
points to Salman et al. (2019, Lemma 1): it passes every claim.  It is loose by a factor of 2:
the best constant is 1/(σ√(2π)), attained by the smoothing of a half-space indicator, whose
slope is the Gaussian density's peak.  The contract asks for that best constant, so the
contract property of tightness catches it.
"""

import math

EXERCISE = "10.30"
CAUGHT_BY = "test_a_smoothed_half_space_attains_the_constant"
NOT_A_CLAIM_BECAUSE = (
    "the constant is a valid Lipschitz constant, loose by a factor of 2; the tight "
    "constant is the reference's choice"
)
TIER = "contract"


def smoothed_lipschitz_constant(sigma):
    return math.sqrt(2.0 / math.pi) / float(sigma)
