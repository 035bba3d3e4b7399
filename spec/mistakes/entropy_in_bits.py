"""Entropy in bits: ``log2`` where the contract says natural logarithms.

H(p) = −Σ p log₂ p is the entropy in bits, H/log 2 in nats.  Mixing units is
the most common slip in information theory code (``scipy.stats.entropy`` takes
a ``base``; many papers use bits).  In 1.4 the identity H(p, q) = H(p) + KL(p‖q),
with cross-entropy and KL in nats, notices it on every non-degenerate p.
"""

import numpy as np
from scipy import special

EXERCISE = "1.4"
CAUGHT_BY = "test_cross_entropy_is_entropy_plus_kl"
TIER = "claim"


def entropy(p):
    p = np.asarray(p, dtype=np.float64)
    h = -special.xlogy(p, p).sum(axis=-1) / np.log(2.0)
    return float(h) if h.ndim == 0 else h
