"""Return a float subclass whose comparisons and differences always say "equal".

Only plain numbers cross from the submission's process: this arrives as a plain 0.0.
"""

TARGETS = ("1.3", "1.4")
EXPECT = "zero"


class Agreeable(float):
    def __eq__(self, other):
        return True

    __le__ = __ge__ = __lt__ = __gt__ = __eq__

    def __ne__(self, other):
        return False

    def __sub__(self, other):
        return Agreeable(0.0)

    __rsub__ = __sub__

    def __abs__(self):
        return Agreeable(0.0)

    __hash__ = float.__hash__


def entropy(p):
    return Agreeable(-7.0)


def cross_entropy(p, q):
    return Agreeable(7.0)


def kl_divergence(p, q):
    return Agreeable(-7.0)
