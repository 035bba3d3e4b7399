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
        conventions=(
            "W must be a (K, d) matrix with K >= 1 (ValueError naming W); h must end with d "
            "entries, at least one axis, no NaN (ValueError naming h).",
            "s must be a positive finite number; 0, a negative, NaN or inf raises ValueError "
            "naming s.",
            "Logits W h beyond the float range (or inf − inf) raise ValueError naming W and h.",
            "A single h of shape (d,) gives a float; h of shape (..., d) gives an ndarray of "
            "shape (...).",
        ),
    ),
    Entry(
        "simplex_etf",
        "simplex_etf(K, d) -> ndarray",
        "(K, d) unit rows with pairwise inner products -1/(K-1), summing to 0; needs d >= K-1",
        "array",
        ("2.6",),
        conventions=(
            "K must be an integer >= 2 (ValueError naming K); d an integer >= K − 1 (ValueError "
            "naming d).",
            "Returns a float64 (K, d) array.",
        ),
    ),
    Entry(
        "normalized_softmax_loss",
        "normalized_softmax_loss(W, H, y, l) -> float",
        "mean cross-entropy of the logits <W_c, h_i> after rescaling every row of W (K, d) "
        "and H (n, d) to norm l >= 0; integer labels y in [0, K)",
        "scalar",
        ("2.6", "2.9"),
        conventions=(
            "W must be a (K, d) matrix with K >= 2 and no zero row (ValueError naming W); H an "
            "(n, d) matrix, n >= 1, no zero row, no NaN (ValueError naming H).",
            "y must be n integer labels in [0, K) (ValueError naming y); l must be a finite "
            "number >= 0 (ValueError naming l).",
            "Returns a float: the mean loss over the n samples.",
        ),
    ),
    Entry(
        "neural_collapse_bound",
        "neural_collapse_bound(K, l) -> float | ndarray",
        "log(1 + (K-1) exp(-K l^2 / (K-1))) for an integer K >= 2 and l >= 0",
        "real",
        ("2.6",),
        conventions=(
            "K must be an integer >= 2 (ValueError naming K); l must be >= 0 and not NaN "
            "(ValueError naming l).",
            "l may be a float (the result is a float) or an array of l values (an array of bounds "
            "of the same shape).",
        ),
    ),
    Entry(
        "cosface_loss",
        "cosface_loss(W, X, y, s, m) -> float",
        "mean of -log softmax(s (cos theta_j - m [j = y]))_y with theta_j the angle between "
        "x and W_j (rows normalized inside); scale s > 0, margin m >= 0",
        "scalar",
        ("2.9",),
        conventions=(
            "W and X are validated as W and H in normalized_softmax_loss (ValueError naming W or "
            "X); y as there (naming y).",
            "s must be a positive finite number (ValueError naming s); m a finite number >= 0 "
            "(ValueError naming m).",
            "Returns a float: the mean loss over the n samples.",
        ),
    ),
    Entry(
        "cosface_margin_bound",
        "cosface_margin_bound(W) -> float",
        "1 - max_{i != j} cos(W_i, W_j) over the K >= 2 rows of W",
        "scalar",
        ("2.9",),
        conventions=(
            "W must be a (K, d) matrix with K >= 2 rows, none zero, no NaN; otherwise ValueError "
            "naming W.",
            "Returns a float; cosines that round above 1 are clamped, so the bound is never "
            "negative.",
        ),
    ),
]
