"""Contract entries of Lectures 1.3-1.4: entropy, cross-entropy, KL, softmax.

They describe ``impl/information.py``.
"""

from spec.contract import Entry

ENTRIES: list[Entry] = [
    Entry(
        "entropy",
        "entropy(p) -> float | ndarray",
        "H(p) = -sum p log p over the last axis, with 0 log 0 = 0",
        "real",
        ("1.3", "1.4"),
        conventions=(
            "p must be a float array of non-negative masses summing to 1 on the last axis (any "
            "leading batch axes); text, a bare number, NaN, a negative mass or a sum other than 1 "
            "raises ValueError naming p.",
            "A single distribution gives a float; a batch (..., K) gives an ndarray of shape "
            "(...), row by row.",
            "Masses of exactly 0 contribute 0 (0 log 0 = 0).",
        ),
    ),
    Entry(
        "cross_entropy",
        "cross_entropy(p, q) -> float | ndarray",
        "H(p, q) = -sum p log q over the last axis; +inf where some p_i > 0 = q_i",
        "real",
        ("1.3", "1.4"),
        conventions=(
            "p and q are validated as in entropy (ValueError naming p or q); p and q of different "
            "shapes raise ValueError naming p and q.",
            "Returns +inf, without a warning, where some p_i > 0 has q_i = 0.",
            "Batches (..., K) are handled row by row, as in entropy.",
        ),
    ),
    Entry(
        "kl_divergence",
        "kl_divergence(p, q) -> float | ndarray",
        "KL(p||q) = sum p log(p/q) over the last axis; +inf where some p_i > 0 = q_i",
        "real",
        ("1.3", "1.4", "3.10"),
        conventions=(
            "p and q are validated as in cross_entropy (ValueError naming p or q, or both for "
            "mismatched shapes).",
            "Returns +inf, without a warning, where some p_i > 0 has q_i = 0; terms with p_i = 0 "
            "are 0.",
            "Batches (..., K) are handled row by row, as in entropy.",
        ),
    ),
    Entry(
        "softmax",
        "softmax(z) -> ndarray",
        "exp(z) / sum exp(z) over the last axis, finite for every finite z",
        "array",
        ("1.3",),
        conventions=(
            "z must be a finite float array with at least one axis; a scalar, a NaN or an "
            "infinite logit raises ValueError naming z.",
            "Acts on the last axis; any leading batch axes are kept (same shape as z).",
        ),
    ),
    Entry(
        "log_softmax",
        "log_softmax(z) -> ndarray",
        "z - logsumexp(z) over the last axis, finite for every finite z",
        "array",
        ("1.3",),
        conventions=(
            "z is validated as in softmax (ValueError naming z).",
            "Acts on the last axis; any leading batch axes are kept (same shape as z).",
        ),
    ),
    Entry(
        "softmax_cross_entropy",
        "softmax_cross_entropy(logits, labels) -> ndarray",
        "one loss -log softmax(logits)[label] per row of logits (n, K), integer labels in [0, K)",
        "array",
        ("1.3",),
        conventions=(
            "logits must be a finite (n, K) matrix; a vector, an extra axis or a NaN raises "
            "ValueError naming logits.",
            "labels must be n integers (an integer dtype) in [0, K); float labels, a wrong count "
            "or a label out of range raise ValueError naming labels.",
            "Returns a float64 array of n losses.",
        ),
    ),
]
