"""Return an ndarray subclass whose comparisons and arithmetic always say "equal".

Arrays cross as ``.npy`` bytes and are rebuilt as plain ndarrays: the subclass is gone.
"""

import numpy as np

TARGETS = ("1.3",)
EXPECT = "zero"


class Agreeable(np.ndarray):
    def __eq__(self, other):
        return np.ones(self.shape, dtype=bool)

    __le__ = __ge__ = __eq__

    def __sub__(self, other):
        return np.zeros(self.shape).view(Agreeable)

    __rsub__ = __sub__

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return np.zeros(self.shape).view(Agreeable)


def softmax(z):
    return np.zeros(np.shape(z)).view(Agreeable)


def log_softmax(z):
    return np.zeros(np.shape(z)).view(Agreeable)
