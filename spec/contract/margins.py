"""Contract entries of Lecture 2 (2.5, 2.6, 2.9): confidence, neural collapse, CosFace.

They describe ``impl/margins.py``.
"""

from spec.contract import Entry

ENTRIES: list[Entry] = [
    Entry(
        "softmax_confidence",
        "softmax_confidence(W, h, s=1.0) -> float | ndarray",
        "max_i softmax(s W h)_i for W (K, d) and h (..., d); s > 0; shape (...)",
        "real",
        ("2.5",),
    ),
    Entry(
        "simplex_etf",
        "simplex_etf(K, d) -> ndarray",
        "(K, d) unit rows with pairwise inner products -1/(K-1), summing to 0; needs d >= K-1",
        "array",
        ("2.6",),
    ),
    Entry(
        "normalized_softmax_loss",
        "normalized_softmax_loss(W, H, y, l) -> float",
        "mean cross-entropy of the logits <W_c, h_i> after rescaling every row of W (K, d) "
        "and H (n, d) to norm l >= 0; integer labels y in [0, K)",
        "scalar",
        ("2.6", "2.9"),
    ),
    Entry(
        "neural_collapse_bound",
        "neural_collapse_bound(K, l) -> float | ndarray",
        "log(1 + (K-1) exp(-K l^2 / (K-1))) for an integer K >= 2 and l >= 0",
        "real",
        ("2.6",),
    ),
    Entry(
        "cosface_loss",
        "cosface_loss(W, X, y, s, m) -> float",
        "mean of -log softmax(s (cos theta_j - m [j = y]))_y with theta_j the angle between "
        "x and W_j (rows normalized inside); scale s > 0, margin m >= 0",
        "scalar",
        ("2.9",),
    ),
    Entry(
        "cosface_margin_bound",
        "cosface_margin_bound(W) -> float",
        "1 - max_{i != j} cos(W_i, W_j) over the K >= 2 rows of W",
        "scalar",
        ("2.9",),
    ),
]
