"""The Lipschitz constant of a smoothed [0, 1]-valued function taken as √(2/π)/σ.

Salman et al. bound |∇g| by √(2/π)/σ, which is valid; the tight constant is
1/(σ√(2π)), attained by the smoothing of a half-space indicator, whose slope
is the Gaussian density's peak.  The loose constant is exactly twice the tight
one; exercise 10.30 asks for the tight constant.
"""

import math

EXERCISE = "10.30"
CAUGHT_BY = "test_a_smoothed_half_space_attains_the_constant"


def smoothed_lipschitz_constant(sigma):
    return math.sqrt(2.0 / math.pi) / float(sigma)
