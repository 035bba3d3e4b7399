"""Contract entries of Lecture 1.2: multi-class linear classification.

They describe ``impl/classification.py``.
"""

from spec.contract import Entry

ENTRIES: list[Entry] = [
    Entry(
        "linear_classifier",
        "linear_classifier(W, X, b=None) -> int ndarray",
        "argmax_c <W_c, x> + b_c for each row x of X (W of shape (K, d)), ties to the lowest index",
        "labels",
        ("1.2",),
        conventions=(
            "W must be a (K, d) matrix, X an (n, d) matrix with W's d columns and b None or a "
            "length-K vector; NaN, a wrong rank or a mismatched shape raises ValueError naming W, "
            "X or b.",
            "Returns an integer ndarray of n labels in [0, K).",
            "Ties between scores go to the lowest class index (as numpy.argmax).",
        ),
    ),
]
