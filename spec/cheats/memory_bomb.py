"""Allocate without bound inside a call, hoping to take the grader's machine down.

Each piece asks for 8 GB of address space (untouched, so the machine does not feel it
before the limit does): the process's memory limit refuses it at once with MemoryError.
"""

import numpy as np

TARGETS = ("1.4",)
EXPECT = "flag"
REASON = "ran out of memory"


def _bomb():
    hoard = []
    while True:
        hoard.append(np.empty(2**30))


def entropy(p):
    _bomb()


def cross_entropy(p, q):
    _bomb()


def kl_divergence(p, q):
    _bomb()
