"""Crash the interpreter with a segmentation fault inside a call (ctypes, or faulthandler
where ctypes is refused), hoping to take the run down with it."""

import faulthandler

TARGETS = ("1.4",)
EXPECT = "flag"
REASON = "segmentation fault"


def _crash():
    try:
        import ctypes

        ctypes.string_at(0)
    except Exception:
        pass
    faulthandler._sigsegv()


def entropy(p):
    _crash()


def cross_entropy(p, q):
    _crash()


def kl_divergence(p, q):
    _crash()
