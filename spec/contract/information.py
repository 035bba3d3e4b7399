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
    ),
    Entry(
        "cross_entropy",
        "cross_entropy(p, q) -> float | ndarray",
        "H(p, q) = -sum p log q over the last axis; +inf where some p_i > 0 = q_i",
        "real",
        ("1.3", "1.4"),
    ),
    Entry(
        "kl_divergence",
        "kl_divergence(p, q) -> float | ndarray",
        "KL(p||q) = sum p log(p/q) over the last axis; +inf where some p_i > 0 = q_i",
        "real",
        ("1.3", "1.4", "3.10"),
    ),
    Entry(
        "softmax",
        "softmax(z) -> ndarray",
        "exp(z) / sum exp(z) over the last axis, finite for every finite z",
        "array",
        ("1.3",),
    ),
    Entry(
        "log_softmax",
        "log_softmax(z) -> ndarray",
        "z - logsumexp(z) over the last axis, finite for every finite z",
        "array",
        ("1.3",),
    ),
    Entry(
        "softmax_cross_entropy",
        "softmax_cross_entropy(logits, labels) -> ndarray",
        "one loss -log softmax(logits)[label] per row of logits (n, K), integer labels in [0, K)",
        "array",
        ("1.3",),
    ),
]
