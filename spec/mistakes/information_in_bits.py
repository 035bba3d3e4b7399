"""Entropy, cross-entropy and KL all in bits (log base 2), consistently.

Each of the three is off by the factor 1/log 2, so the identity H(p, q) = H(p) + KL(p‖q)
still holds: only a property that pins each quantity to its sum in nats catches it.
``scipy.stats.entropy(p, base=2)`` and information-theory texts in bits make it an easy
slip; the contract asks for natural logarithms.
"""

import numpy as np
from scipy.special import rel_entr, xlogy

EXERCISE = "1.4"
CAUGHT_BY = "test_each_quantity_is_its_defining_sum"
TIER = "claim"


def _out(value):
    return float(value) if np.ndim(value) == 0 else value


def entropy(p):
    return _out(-xlogy(p, p).sum(axis=-1) / np.log(2))


def cross_entropy(p, q):
    return _out(-xlogy(p, q).sum(axis=-1) / np.log(2))


def kl_divergence(p, q):
    return _out(rel_entr(p, q).sum(axis=-1) / np.log(2))
