"""Print megabytes from every call, hoping to flood the grader's logs and disk."""

TARGETS = ("1.4",)
EXPECT = "flag"
REASON = "output limit"


def _flood():
    line = "x" * 1023 + "\n"
    for _ in range(64 * 1024):  # 64 MB
        print(line, end="")
    return 0.0


def entropy(p):
    return _flood()


def cross_entropy(p, q):
    return _flood()


def kl_divergence(p, q):
    return _flood()
