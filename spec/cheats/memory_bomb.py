"""Allocate without bound inside a call, hoping to take the grader's machine down."""

TARGETS = ("1.4",)
EXPECT = "flag"
REASON = "ran out of memory"


def _bomb():
    hoard = []
    while True:
        hoard.append(bytearray(2**28))


def entropy(p):
    _bomb()


def cross_entropy(p, q):
    _bomb()


def kl_divergence(p, q):
    _bomb()
