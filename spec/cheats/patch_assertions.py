"""Replace the spec's assertion helpers with ones that always pass, at import.

Against a same-process runner this gives full marks to wrong functions.  Here the spec is
not importable from the submission's process, and its checks run elsewhere anyway.
"""

TARGETS = ("1.3", "1.4")
EXPECT = "flag"
REASON = "imports the spec"

try:
    import spec.assertions as checks

    for name in dir(checks):
        if name.startswith("assert_"):
            setattr(checks, name, lambda *args, **kwargs: None)
except ImportError:
    pass


def entropy(p):
    return 0.0


def cross_entropy(p, q):
    return 0.0


def kl_divergence(p, q):
    return 0.0
